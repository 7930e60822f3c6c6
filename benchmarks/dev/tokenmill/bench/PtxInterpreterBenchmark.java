package dev.tokenmill.bench;

import dev.tokenmill.jmh.ForkFlags;
import dev.tokenmill.ptx.Kernel;
import dev.tokenmill.ptx.KernelParams;
import dev.tokenmill.ptx.PtxModule;
import dev.tokenmill.ptx.exec.Dim3;
import dev.tokenmill.ptx.exec.GlobalMemory;
import dev.tokenmill.ptx.exec.Interpreter;
import dev.tokenmill.ptx.exec.LaunchOptions;
import dev.tokenmill.ptx.exec.LaunchReport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Speed of the PTX interpreter on one core (one worker thread, all checks on): launches per second of a
 * committed kernel on a fixed shape. Warp instructions per second of wall time = this rate x the warp
 * instructions of one launch; the trial prints that count at its end, with the median over measurement
 * iterations of warp instructions per second of the worker's CPU time (the rate per core that issue 10's
 * target speaks of; on a shared VM it swings with its neighbours as wall time does). Not part of the
 * prefill/decode suites (it measures the emulator, not a device).
 *
 * <pre>java --add-modules=jdk.incubator.vector -cp target/tokenmill.jar org.openjdk.jmh.Main PtxInterpreterBenchmark</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {ForkFlags.VECTOR, ForkFlags.NATIVE, ForkFlags.UNSAFE})
@State(Scope.Thread)
public class PtxInterpreterBenchmark {
    @Param({"tm_gemv_m1_f32", "tm_linear_simt_f32", "tm_linear_mma_f16", "tm_decode_split_d128_bf16",
            "tm_prefill_mma_d128_bf16"})
    public String kernel;

    private Interpreter emu;
    private GlobalMemory mem;
    private Kernel k;
    private KernelParams params;
    private Dim3 grid;
    private Dim3 block;
    private int dynamicShared;
    private long warpInstructions;
    /** This iteration's launches and their CPU time; each measurement iteration's rate. */
    private long launches, cpuNanos;
    private final List<Double> cpuRates = new ArrayList<>();

    @Setup(Level.Trial)
    public void setUp() {
        emu = new Interpreter(LaunchOptions.defaults().withParallelism(1));
        mem = new GlobalMemory();
        block = Dim3.of(256);
        switch (kernel) {
            case "tm_gemv_m1_f32" -> {
                k = module("gemv").kernel(kernel);
                int n = 1024, kk = 4096;
                params = k.newParams().set(0, values(kk, "f32")).set(1, values((long) n * kk, "f32"))
                        .set(2, mem.alloc(4L * n)).set(3, 0).set(4, 1).set(5, n).set(6, kk).set(7, 1);
                grid = Dim3.of(n / 4);
            }
            case "tm_linear_simt_f32", "tm_linear_mma_f16" -> {
                boolean mma = kernel.contains("mma");
                k = module("linear").kernel(kernel);
                int m = 256, n = 256, kk = 256, es = mma ? 2 : 4, tile = mma ? 128 : 64;
                String type = mma ? "f16" : "f32";
                params = k.newParams().set(0, values((long) m * kk, type)).set(1, values((long) n * kk, type))
                        .set(2, mem.alloc((long) es * m * n)).set(3, m).set(4, n).set(5, kk);
                grid = Dim3.of(n / tile, m / tile, 1);
                dynamicShared = mma ? 65536 : 0;
            }
            case "tm_prefill_mma_d128_bf16" -> {
                k = module("prefill").kernel(kernel);
                int s = 256, hq = 2, hkv = 1, d = 128; // causal: 4 query tiles of 64 rows per head
                long q = 2L * s * hq * d, kv = 2L * s * hkv * d;
                params = k.newParams().set(0, values(q / 2, "bf16")).set(1, values(kv / 2, "bf16"))
                        .set(2, values(kv / 2, "bf16")).set(3, mem.alloc(q))
                        .set(4, 1).set(5, s).set(6, hq).set(7, hkv);
                grid = Dim3.of(s / 64, hq, 1);
                block = Dim3.of(128);
                dynamicShared = 3 * 64 * d * 2;
            }
            default -> {
                k = module("decode").kernel(kernel);
                int b = 4, hq = 32, hkv = 8, g = 4, d = 128, cap = 1024, chunk = 256;
                long lens = mem.alloc(4L * b);
                mem.writeInts(lens, new int[] {1024, 700, 333, 1000});
                int chunks = cap / chunk;
                long kv = (long) b * cap * hkv * d;
                params = k.newParams().set(0, values((long) b * hq * d, "bf16")).set(1, values(kv, "bf16"))
                        .set(2, values(kv, "bf16")).set(3, 0).set(4, lens)
                        .set(5, mem.alloc(4L * b * hq * chunks * d)).set(6, mem.alloc(4L * b * hq * chunks))
                        .set(7, b).set(8, hq).set(9, hkv).set(10, cap).set(11, 0).set(12, 0).set(13, chunk);
                grid = Dim3.of(chunks, hkv, b);
                block = Dim3.of(128);
                dynamicShared = 4 * (g * d + 4 * Math.min(g, 8) * d + g * chunk + 2 * g);
            }
        }
        LaunchReport r = launch();
        if (!r.clean()) throw new IllegalStateException(r.toString());
        warpInstructions = r.counters().warpInstructionsTotal();
    }

    @Benchmark
    public LaunchReport launch() {
        LaunchReport r = k.launch(emu, grid, block, dynamicShared, params, mem);
        launches++;
        cpuNanos += r.cpuNanos();
        return r;
    }

    @Setup(Level.Iteration)
    public void startIteration() {
        launches = 0;
        cpuNanos = 0;
    }

    @TearDown(Level.Iteration)
    public void endIteration(IterationParams iteration) {
        if (iteration.getType() == IterationType.MEASUREMENT && cpuNanos > 0) {
            cpuRates.add(warpInstructions * launches / (cpuNanos / 1e9));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        String cpu = cpuRates.isEmpty() ? "" : String.format(java.util.Locale.ROOT,
                "; %.2f M per second of CPU time (median of %d iterations)",
                cpuRates.stream().sorted().toList().get(cpuRates.size() / 2) / 1e6, cpuRates.size());
        System.out.println("\n" + kernel + ": " + warpInstructions + " warp instructions per launch" + cpu);
        emu.close();
    }

    /**
     * {@code n} elements of {@code type} (f32, f16 or bf16), uniform in [-1, 1). Not zeros: zeros would make
     * every mma fragment and every shared-memory word alike.
     */
    private long values(long n, String type) {
        int size = type.equals("f32") ? 4 : 2;
        long a = mem.alloc(n * size);
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) (n * size)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(n);
        for (long i = 0; i < n; i++) {
            float v = (float) rnd.nextDouble(-1, 1);
            switch (type) {
                case "f32" -> buf.putFloat(v);
                case "f16" -> buf.putShort(Float.floatToFloat16(v));
                default -> buf.putShort((short) (Float.floatToRawIntBits(v) >>> 16));
            }
        }
        mem.write(a, buf.array());
        return a;
    }

    private static PtxModule module(String family) {
        String path = "/kernels/" + family + ".sm_80.ptx";
        try (InputStream in = PtxInterpreterBenchmark.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException(path + " is not on the classpath");
            return PtxModule.load(family + ".sm_80.ptx", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
