package dev.tokenmill.cpu;

import dev.tokenmill.backend.PeakCheck;
import dev.tokenmill.backend.PeakProbe;
import dev.tokenmill.op.DType;
import dev.tokenmill.reference.Verification;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The CPU's compute-peak probe: on every worker of the backend's pool, {@link #CHAINS} independent accumulators of
 * the backend's vector width, each advanced by one fused multiply-add per step, touching nothing but registers in
 * the loop. The CPU kernels widen f16 and bf16 to f32 and multiply-add in f32 ({@code Widen}), so the f32 FMA loop
 * is every dtype's peak here: one variant, measured once per run.
 */
final class CpuPeak implements PeakProbe {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /**
     * Independent chains per thread: an FMA's latency (4 cycles) times the FMA units per core (2) is 8 in flight at
     * least; 12 leaves room, and with the two operand vectors fits the 16 registers of AVX2 as well as AVX-512's 32.
     */
    static final int CHAINS = 12;
    /** Steps per call: some 4 ms at 3 GHz and two FMAs a cycle, so the pool's fork and join (µs) stay below 1%. */
    static final int STEPS = 1 << 21;
    /** Pieces of a call's steps per thread; between them the chains rest in an array (12 loads and stores per piece). */
    static final int CHUNKS = 64;
    /** The multiply-add's operands; every slot gains A·B per step, exact in fp32 for STEPS steps (PeakCheck). */
    static final float A = 1, B = 2;

    private final DType dtype;
    private final int threads = Parallel.threads(), slots = CHAINS * S.length();
    /** The last call's accumulators, slot-major (PeakCheck); written by every call, so no loop is dead. */
    private final float[] out = new float[slots * threads];

    CpuPeak(DType dtype) {
        if (PeakCheck.maxSteps(slots, A * B) < STEPS) throw new IllegalStateException("STEPS would not stay exact in fp32");
        this.dtype = dtype;
    }

    @Override public DType dtype() { return dtype; }

    @Override public String variant() { return "cpu.probe.fma.f32"; }

    @Override public String description() {
        return "f32 FMA, " + CHAINS + " independent " + S.vectorBitSize() + "-bit vectors per thread on " + threads
                + " threads, registers only" + (dtype == DType.F32 ? ""
                : "; the CPU kernels widen " + dtype.id() + " to f32, so its peak is the f32 FMA peak");
    }

    @Override public double flopsPerCall() { return 2.0 * STEPS * slots * threads; }

    @Override public Verification verify() {
        call();
        return PeakCheck.check(out.clone(), slots, threads, (double) STEPS * A * B);
    }

    /**
     * One call on every thread; the accumulators land in {@link #out}. Package-private for the tests. Each thread
     * runs its steps in {@link #CHUNKS} calls of {@link #steps}, so that C2 compiles that method after a few calls;
     * one long loop would run for seconds in the interpreter and in on-stack-replaced code first.
     */
    float[] call() {
        Parallel.forEach(threads, t -> {
            float[] acc = new float[slots];
            for (int s = 0; s < slots; s++) acc[s] = s;
            for (int k = 0; k < CHUNKS; k++) steps(STEPS / CHUNKS, acc);
            for (int s = 0; s < slots; s++) out[s * threads + t] = acc[s];
        });
        return out;
    }

    @Override public double secondsPerCall(int calls) {
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) call();
        return (System.nanoTime() - t0) * 1e-9 / calls;
    }

    /**
     * {@code n} steps on the chains held in {@code acc} (chain {@code c} at {@code c·lanes}). The chains are twelve
     * locals, not an array: C2 keeps locals of a vector type in registers, while an array of vectors would live in
     * memory and the loop would measure loads and stores.
     */
    private static void steps(int n, float[] acc) {
        int w = S.length();
        FloatVector a = FloatVector.broadcast(S, A), b = FloatVector.broadcast(S, B);
        FloatVector c0 = FloatVector.fromArray(S, acc, 0), c1 = FloatVector.fromArray(S, acc, w);
        FloatVector c2 = FloatVector.fromArray(S, acc, 2 * w), c3 = FloatVector.fromArray(S, acc, 3 * w);
        FloatVector c4 = FloatVector.fromArray(S, acc, 4 * w), c5 = FloatVector.fromArray(S, acc, 5 * w);
        FloatVector c6 = FloatVector.fromArray(S, acc, 6 * w), c7 = FloatVector.fromArray(S, acc, 7 * w);
        FloatVector c8 = FloatVector.fromArray(S, acc, 8 * w), c9 = FloatVector.fromArray(S, acc, 9 * w);
        FloatVector c10 = FloatVector.fromArray(S, acc, 10 * w), c11 = FloatVector.fromArray(S, acc, 11 * w);
        for (int i = 0; i < n; i++) {
            c0 = a.fma(b, c0);
            c1 = a.fma(b, c1);
            c2 = a.fma(b, c2);
            c3 = a.fma(b, c3);
            c4 = a.fma(b, c4);
            c5 = a.fma(b, c5);
            c6 = a.fma(b, c6);
            c7 = a.fma(b, c7);
            c8 = a.fma(b, c8);
            c9 = a.fma(b, c9);
            c10 = a.fma(b, c10);
            c11 = a.fma(b, c11);
        }
        c0.intoArray(acc, 0);
        c1.intoArray(acc, w);
        c2.intoArray(acc, 2 * w);
        c3.intoArray(acc, 3 * w);
        c4.intoArray(acc, 4 * w);
        c5.intoArray(acc, 5 * w);
        c6.intoArray(acc, 6 * w);
        c7.intoArray(acc, 7 * w);
        c8.intoArray(acc, 8 * w);
        c9.intoArray(acc, 9 * w);
        c10.intoArray(acc, 10 * w);
        c11.intoArray(acc, 11 * w);
    }

    @Override public void close() {}
}
