package dev.tokenmill.ptx;

import dev.tokenmill.ptx.exec.Dim3;
import dev.tokenmill.ptx.exec.GlobalMemory;
import dev.tokenmill.ptx.exec.Interpreter;
import dev.tokenmill.ptx.exec.LaunchReport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every entry of the committed PTX runs once on a small awkward shape (launched per kernels/ABI.md) and is
 * clean of findings: no out-of-bounds or misaligned access, race, barrier or collective problem, or read of
 * unwritten memory. Results are checked against plain Java elsewhere (CommittedKernelsTest) for some of
 * them; here the property is "runs, and the sanitizer has nothing to say". Each launch is repeated on the
 * module with unpacked registers ({@link PtxModule#loadUnpacked}): the same bytes in every buffer, the same
 * counters, so the register packing changes nothing but speed. A renamed or new entry that nobody launches
 * fails {@link #everyEntryRan}.
 */
@Timeout(120)
class AllEntriesTest {
    private static final Interpreter EMU = new Interpreter();
    private static final Set<String> RAN = new TreeSet<>();

    @AfterAll
    static void close() {
        EMU.close();
    }

    private final GlobalMemory mem = new GlobalMemory();
    private final Random rnd = new Random(42);

    /** A buffer of n elements of `bytes` each, filled with small random values of the element type. */
    private long data(int n, String type) {
        int es = type.equals("f32") ? 4 : 2;
        byte[] b = new byte[n * es];
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            float f = rnd.nextFloat() * 2 - 1;
            switch (type) {
                case "f32" -> bb.putFloat(f);
                case "f16" -> bb.putShort(Float.floatToFloat16(f));
                default -> bb.putShort((short) (Float.floatToRawIntBits(f) >>> 16));
            }
        }
        long a = mem.alloc(b.length);
        mem.write(a, b);
        return a;
    }

    /** Uninitialized output or scratch space (kernels must write before reading it). */
    private long scratch(long bytes) {
        return mem.alloc(Math.max(bytes, 4));
    }

    private long ints(int... v) {
        long a = mem.alloc(v.length * 4L);
        mem.writeInts(a, v);
        return a;
    }

    private void launch(PtxModule m, String entry, Dim3 grid, Dim3 block, int dyn, long... params) {
        LaunchReport r = launchOnce(m, entry, grid, block, dyn, params);
        synchronized (RAN) {
            RAN.add(entry);
        }
        assertTrue(r.clean(), r::toString);
        // the unpacked module reads the same inputs (no entry changes what it reads) and rewrites the outputs
        List<byte[]> packed = buffers(params);
        LaunchReport u = launchOnce(Ptx.unpacked(familyOf(m)), entry, grid, block, dyn, params);
        assertTrue(u.clean(), u::toString);
        List<byte[]> unpacked = buffers(params);
        for (int i = 0; i < packed.size(); i++) {
            assertArrayEquals(unpacked.get(i), packed.get(i), entry + ": buffer " + i + " differs with unpacked registers");
        }
        assertEquals(u.counters().toString(), r.counters().toString(), entry + ": counters with unpacked registers");
    }

    private LaunchReport launchOnce(PtxModule m, String entry, Dim3 grid, Dim3 block, int dyn, long... params) {
        Kernel k = m.kernel(entry);
        KernelParams p = k.newParams();
        for (int i = 0; i < params.length; i++) p.set(i, params[i]);
        return k.launch(EMU, grid, block, dyn, p, mem);
    }

    /** The whole allocation behind every parameter that is an address. */
    private List<byte[]> buffers(long... params) {
        List<byte[]> out = new ArrayList<>();
        for (long v : params) {
            GlobalMemory.Allocation a = v >= GlobalMemory.BASE ? mem.find(v) : null;
            if (a != null) out.add(mem.read(a.base(), a.size()));
        }
        return out;
    }

    private static String familyOf(PtxModule m) {
        return m.name().substring(0, m.name().indexOf('.'));
    }

    private static int es(String t) {
        return t.equals("f32") ? 4 : 2;
    }

    @Test
    void linear() {
        PtxModule m = Ptx.module("linear");
        for (String t : new String[] {"f32", "f16", "bf16"}) {
            for (int K : new int[] {13, 24}) { // scalar loads when K % 4 != 0, vector loads otherwise
                int M = 5, N = 70;
                launch(m, "tm_linear_simt_" + t, Dim3.of((N + 63) / 64, (M + 63) / 64, 1), Dim3.of(256), 0,
                        data(M * K, t), data(N * K, t), scratch((long) M * N * es(t)), M, N, K);
            }
        }
        for (String t : new String[] {"f16", "bf16"}) {
            int M = 130, N = 10, K = 72; // two row tiles, a ragged column tile, K not a multiple of the 32-wide step
            launch(m, "tm_linear_mma_" + t, Dim3.of((N + 127) / 128, (M + 127) / 128, 1), Dim3.of(256), 65536,
                    data(M * K, t), data(N * K, t), scratch((long) M * N * 2), M, N, K);
        }
    }

    @Test
    void gemv() {
        PtxModule m = Ptx.module("gemv");
        for (String t : new String[] {"f32", "f16", "bf16"}) {
            int vec = 16 / es(t);
            for (int mt : new int[] {1, 2, 4, 8}) {
                int M = mt == 8 ? 9 : mt == 4 ? 3 : mt, N = 10, K = vec * 40;
                // splits = 1 writes Y directly
                launch(m, "tm_gemv_m" + mt + "_" + t, Dim3.of((N + 3) / 4), Dim3.of(256), 0,
                        data(M * K, t), data(N * K, t), scratch((long) M * N * es(t)), 0, M, N, K, 1);
                // splits = 3 writes fp32 partials, then the reduce
                int splits = 3;
                long partial = scratch(4L * splits * M * N), y = scratch((long) M * N * es(t));
                launch(m, "tm_gemv_m" + mt + "_" + t, Dim3.of((N + 3) / 4, splits, 1), Dim3.of(256), 0,
                        data(M * K, t), data(N * K, t), y, partial, M, N, K, splits);
                launch(m, "tm_gemv_reduce_" + t, Dim3.of((M * N + 255) / 256), Dim3.of(256), 0, partial, y, M, N, splits);
            }
        }
    }

    @Test
    void prefill() {
        PtxModule m = Ptx.module("prefill");
        int B = 2, S = 19, Hq = 4, Hkv = 2;
        for (int D : new int[] {64, 128}) {
            launch(m, "tm_prefill_simt_d" + D + "_f32", Dim3.of((S + 15) / 16, Hq, B), Dim3.of(128), 0,
                    data(B * S * Hq * D, "f32"), data(B * S * Hkv * D, "f32"), data(B * S * Hkv * D, "f32"),
                    scratch(4L * B * S * Hq * D), B, S, Hq, Hkv);
            for (String t : new String[] {"f16", "bf16"}) {
                int s2 = 70;
                launch(m, "tm_prefill_mma_d" + D + "_" + t, Dim3.of((s2 + 63) / 64, Hq, 1), Dim3.of(128), 3 * 64 * D * 2,
                        data(s2 * Hq * D, t), data(s2 * Hkv * D, t), data(s2 * Hkv * D, t), scratch(2L * s2 * Hq * D),
                        1, s2, Hq, Hkv);
            }
        }
    }

    @Test
    void decode() {
        PtxModule m = Ptx.module("decode");
        int B = 3, Hq = 8, Hkv = 2, G = Hq / Hkv, chunk = 16, bs = 8, maxBlocks = 6;
        int[] lens = {1, 17, 40};
        int chunks = (40 + chunk - 1) / chunk;
        int[] table = new int[B * maxBlocks];
        for (int i = 0; i < table.length; i++) table[i] = (i * 7) % table.length; // a permutation of the pool
        for (String t : new String[] {"f32", "f16", "bf16"}) {
            for (int D : new int[] {64, 128}) {
                long lensA = ints(lens), tableA = ints(table);
                long po = scratch(4L * B * Hq * chunks * D), pl = scratch(4L * B * Hq * chunks);
                int dyn = 4 * (G * D + 4 * Math.min(G, 8) * D + G * chunk + 2 * G);
                long pool = (long) table.length * bs * Hkv * D;
                launch(m, "tm_decode_split_d" + D + "_" + t, Dim3.of(chunks, Hkv, B), Dim3.of(128), dyn,
                        data(B * Hq * D, t), data((int) pool, t), data((int) pool, t), tableA, lensA, po, pl,
                        B, Hq, Hkv, 0, maxBlocks, bs, chunk);
                if (D == 64) {
                    launch(m, "tm_decode_merge_" + t, Dim3.of(Hq, B, 1), Dim3.of(128), 0,
                            po, pl, lensA, scratch((long) B * Hq * D * es(t)), B, Hq, D, chunks, chunk);
                }
            }
        }
    }

    @Test
    void kv() {
        PtxModule m = Ptx.module("kv");
        int B = 3, Hkv = 2, cap = 6;
        int[] lens = {0, 3, 5};
        for (String t : new String[] {"f32", "f16", "bf16"}) {
            int D = 64;
            int n = B * Hkv * D / (16 / es(t));
            long kc = data(B * cap * Hkv * D, t), vc = data(B * cap * Hkv * D, t);
            launch(m, "tm_kv_append_" + t, Dim3.of((n + 255) / 256), Dim3.of(256), 0,
                    data(B * Hkv * D, t), data(B * Hkv * D, t), kc, vc, 0, ints(lens), B, Hkv, D, cap, 0, 0);
        }
        long src = data(4000, "f32");
        launch(m, "tm_copy_probe", Dim3.of(2), Dim3.of(256), 0, src, scratch(16000), 1000);
    }

    @Test
    void everyEntryRan() {
        // the family tests may not have run (a single-test run, another order): run those that did not
        Set<String> ran;
        synchronized (RAN) {
            ran = Set.copyOf(RAN);
        }
        if (!ran.contains("tm_linear_mma_bf16")) linear();
        if (!ran.contains("tm_gemv_reduce_bf16")) gemv();
        if (!ran.contains("tm_prefill_mma_d128_bf16")) prefill();
        if (!ran.contains("tm_decode_merge_bf16")) decode();
        if (!ran.contains("tm_copy_probe")) kv();
        Set<String> all = new TreeSet<>();
        for (String f : Ptx.FAMILIES) all.addAll(Ptx.module(f).kernelNames());
        Set<String> missing = new TreeSet<>(all);
        missing.removeAll(RAN);
        assertEquals(Set.of(), missing, "entries never launched");
        assertEquals(39, all.size());
    }
}
