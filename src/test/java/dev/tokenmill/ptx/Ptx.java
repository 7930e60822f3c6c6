package dev.tokenmill.ptx;

import dev.tokenmill.ptx.exec.Dim3;
import dev.tokenmill.ptx.exec.GlobalMemory;
import dev.tokenmill.ptx.exec.Interpreter;
import dev.tokenmill.ptx.exec.LaunchOptions;
import dev.tokenmill.ptx.exec.LaunchReport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Test helpers: the committed modules, and small hand-written kernels run on one thread. */
final class Ptx {
    static final String[] FAMILIES = {"linear", "gemv", "prefill", "decode", "kv"};
    static final Interpreter SERIAL = new Interpreter(LaunchOptions.defaults().withParallelism(1));

    private Ptx() {}

    static String committed(String family) {
        String path = "/kernels/" + family + ".sm_80.ptx";
        try (InputStream in = Ptx.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException(path + " is not on the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final java.util.Map<String, PtxModule> MODULES = new java.util.concurrent.ConcurrentHashMap<>();

    /** The committed module of a family, loaded once per test JVM (modules are immutable). */
    static PtxModule module(String family) {
        return MODULES.computeIfAbsent(family, f -> PtxModule.load(f + ".sm_80.ptx", committed(f)));
    }

    /** The same, each declared register in a slot of its own (the reference for the register packing). */
    static PtxModule unpacked(String family) {
        return MODULES.computeIfAbsent(family + " unpacked", f -> PtxModule.loadUnpacked(family + ".sm_80.ptx", committed(family)));
    }

    /**
     * A module with one entry {@code k(.u64 out, .u64 in, .u32 n)} whose body is {@code body} (line 16):
     * %rd0 = out, %rd1 = in, %r0 = n, %r1 = %tid.x, %rd3 = &out[tid], %rd4 = &in[tid] (4-byte elements).
     */
    static PtxModule kernel(String decls, String body) {
        return PtxModule.load("test.ptx", """
                .version 9.0
                .target sm_80
                .address_size 64
                %s
                .visible .entry k(.param .u64 out, .param .u64 in, .param .u32 n)
                {
                    .reg .pred %%p<8>;
                    .reg .b16 %%rs<16>;
                    .reg .b32 %%r<64>;
                    .reg .f32 %%f<64>;
                    .reg .b64 %%rd<32>;
                    ld.param.u64 %%rd0, [out];
                    ld.param.u64 %%rd1, [in];
                    ld.param.u32 %%r0, [n];
                    mov.u32 %%r1, %%tid.x; mul.wide.u32 %%rd2, %%r1, 4; add.s64 %%rd3, %%rd0, %%rd2; add.s64 %%rd4, %%rd1, %%rd2;
                    %s
                    ret;
                }
                """.formatted(decls, body));
    }

    /** Runs entry k of {@code m} with out/in buffers of ints; returns out as ints. */
    static final class Run {
        final GlobalMemory mem = new GlobalMemory();
        final long out, in;
        LaunchReport report;

        Run(int outWords, int[] input) {
            out = mem.alloc(outWords * 4L);
            mem.writeInts(out, new int[outWords]);
            in = mem.alloc(Math.max(4, input.length * 4L));
            mem.writeInts(in, input.length == 0 ? new int[1] : input);
        }

        Run launch(PtxModule m, Dim3 grid, Dim3 block, int n) {
            return launch(m, grid, block, 0, n);
        }

        Run launch(PtxModule m, Dim3 grid, Dim3 block, int dynShared, int n) {
            Kernel k = m.kernel("k");
            report = k.launch(SERIAL, grid, block, dynShared, k.newParams().set(0, out).set(1, in).set(2, n), mem);
            return this;
        }

        int[] ints(int n) {
            return mem.readInts(out, n);
        }

        float[] floats(int n) {
            return mem.readFloats(out, n);
        }
    }
}
