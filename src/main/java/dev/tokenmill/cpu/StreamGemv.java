package dev.tokenmill.cpu;

import dev.tokenmill.backend.Operands;
import dev.tokenmill.op.LinearSpec;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The decode (bandwidth-bound) linear kernel for M ≤ {@link LinearSpec#DECODE_MAX_M}: GEMV for M = 1, a skinny
 * GEMM above. W is streamed from memory exactly once: a tile of {@link #ROWS} rows × {@link #KB} columns is
 * widened to f32 in registers and parked in an L1-sized buffer, then every row of X (widened once per call,
 * L2-resident per tile) takes its dot products against it. Four rows of W by four rows of X make 16 independent
 * vector accumulators, which hides the FMA latency; leftover rows of X use a 4×1 kernel. Partial sums stay in
 * vector form across K tiles and are reduced once per output. Threads take chunks of W rows (parallel over N).
 */
final class StreamGemv implements CpuKernel {
    static final VectorSpecies<Float> F = Widen.F;
    static final int L = F.length();
    /** W rows per tile. */
    static final int ROWS = 4;
    /** K columns per tile: 4 rows × 1024 f32 = 16 KiB of the 48 KiB L1. */
    static final int KB = 1024;
    /** Chunks of W rows per thread, so that a slow core does not hold up the call. */
    static final int CHUNKS_PER_THREAD = 8;

    private final LinearSpec spec;
    private final int kp;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);
    private final float[] xf;

    StreamGemv(LinearSpec spec) {
        this.spec = spec;
        this.kp = PackedGemm.roundUp(spec.k(), L);
        this.xf = new float[Math.multiplyExact(spec.m(), kp)];
    }

    @Override public String variant() { return "cpu.gemv.stream"; }

    @Override public synchronized void run(Operands operands) {
        Operands.Linear op = (Operands.Linear) operands;
        for (int i = 0; i < spec.m(); i++) CpuLinear.widenRow(op.x(), (long) i * spec.k(), spec.k(), xf, i * kp, kp);
        int groups = PackedGemm.ceilDiv(spec.n(), ROWS);
        int chunks = Math.min(groups, CHUNKS_PER_THREAD * Parallel.threads());
        int perChunk = PackedGemm.ceilDiv(groups, chunks);
        Parallel.forEach(chunks, c -> {
            for (int g = c * perChunk, end = Math.min(groups, g + perChunk); g < end; g++) rowGroup(op, g * ROWS);
        });
    }

    /** Outputs Y[:, n0 .. n0+ROWS) (those below N). */
    private void rowGroup(Operands.Linear op, int n0) {
        int m = spec.m(), n = spec.n(), k = spec.k();
        Scratch s = scratch.get();
        float[] wt = s.tile, acc = s.acc(m * ROWS * L);
        java.util.Arrays.fill(acc, 0, m * ROWS * L, 0f);
        for (int k0 = 0; k0 < kp; k0 += KB) {
            int kb = Math.min(KB, kp - k0), valid = Math.min(kb, k - k0);
            for (int r = 0; r < ROWS; r++) {
                if (n0 + r < n) CpuLinear.widenRow(op.w(), (long) (n0 + r) * k + k0, valid, wt, r * KB, kb);
                else java.util.Arrays.fill(wt, r * KB, r * KB + kb, 0f);
            }
            int i = 0;
            for (; i + 4 <= m; i += 4) dot4x4(wt, kb, xf, i * kp + k0, kp, acc, i * ROWS * L);
            for (; i < m; i++) dot4x1(wt, kb, xf, i * kp + k0, acc, i * ROWS * L);
        }
        for (int i = 0; i < m; i++)
            for (int r = 0; r < ROWS && n0 + r < n; r++)
                op.y().set((long) i * n + n0 + r, FloatVector.fromArray(F, acc, (i * ROWS + r) * L).reduceLanes(VectorOperators.ADD));
    }

    /** {@code acc[4 rows of X][4 rows of W] += X[4, kb] · Wtile[4, kb]^T}, as 16 vector partial sums. */
    static void dot4x4(float[] wt, int kb, float[] x, int xOff, int ldx, float[] acc, int accOff) {
        int x0 = xOff, x1 = x0 + ldx, x2 = x1 + ldx, x3 = x2 + ldx;
        FloatVector a00 = FloatVector.fromArray(F, acc, accOff), a01 = FloatVector.fromArray(F, acc, accOff + L),
                a02 = FloatVector.fromArray(F, acc, accOff + 2 * L), a03 = FloatVector.fromArray(F, acc, accOff + 3 * L),
                a10 = FloatVector.fromArray(F, acc, accOff + 4 * L), a11 = FloatVector.fromArray(F, acc, accOff + 5 * L),
                a12 = FloatVector.fromArray(F, acc, accOff + 6 * L), a13 = FloatVector.fromArray(F, acc, accOff + 7 * L),
                a20 = FloatVector.fromArray(F, acc, accOff + 8 * L), a21 = FloatVector.fromArray(F, acc, accOff + 9 * L),
                a22 = FloatVector.fromArray(F, acc, accOff + 10 * L), a23 = FloatVector.fromArray(F, acc, accOff + 11 * L),
                a30 = FloatVector.fromArray(F, acc, accOff + 12 * L), a31 = FloatVector.fromArray(F, acc, accOff + 13 * L),
                a32 = FloatVector.fromArray(F, acc, accOff + 14 * L), a33 = FloatVector.fromArray(F, acc, accOff + 15 * L);
        for (int j = 0; j < kb; j += L) {
            FloatVector w0 = FloatVector.fromArray(F, wt, j), w1 = FloatVector.fromArray(F, wt, KB + j),
                    w2 = FloatVector.fromArray(F, wt, 2 * KB + j), w3 = FloatVector.fromArray(F, wt, 3 * KB + j);
            FloatVector v = FloatVector.fromArray(F, x, x0 + j);
            a00 = w0.fma(v, a00); a01 = w1.fma(v, a01); a02 = w2.fma(v, a02); a03 = w3.fma(v, a03);
            v = FloatVector.fromArray(F, x, x1 + j);
            a10 = w0.fma(v, a10); a11 = w1.fma(v, a11); a12 = w2.fma(v, a12); a13 = w3.fma(v, a13);
            v = FloatVector.fromArray(F, x, x2 + j);
            a20 = w0.fma(v, a20); a21 = w1.fma(v, a21); a22 = w2.fma(v, a22); a23 = w3.fma(v, a23);
            v = FloatVector.fromArray(F, x, x3 + j);
            a30 = w0.fma(v, a30); a31 = w1.fma(v, a31); a32 = w2.fma(v, a32); a33 = w3.fma(v, a33);
        }
        a00.intoArray(acc, accOff); a01.intoArray(acc, accOff + L);
        a02.intoArray(acc, accOff + 2 * L); a03.intoArray(acc, accOff + 3 * L);
        a10.intoArray(acc, accOff + 4 * L); a11.intoArray(acc, accOff + 5 * L);
        a12.intoArray(acc, accOff + 6 * L); a13.intoArray(acc, accOff + 7 * L);
        a20.intoArray(acc, accOff + 8 * L); a21.intoArray(acc, accOff + 9 * L);
        a22.intoArray(acc, accOff + 10 * L); a23.intoArray(acc, accOff + 11 * L);
        a30.intoArray(acc, accOff + 12 * L); a31.intoArray(acc, accOff + 13 * L);
        a32.intoArray(acc, accOff + 14 * L); a33.intoArray(acc, accOff + 15 * L);
    }

    /** {@code acc[1 row of X][4 rows of W] += X[1, kb] · Wtile[4, kb]^T}. */
    static void dot4x1(float[] wt, int kb, float[] x, int xOff, float[] acc, int accOff) {
        FloatVector a0 = FloatVector.fromArray(F, acc, accOff), a1 = FloatVector.fromArray(F, acc, accOff + L),
                a2 = FloatVector.fromArray(F, acc, accOff + 2 * L), a3 = FloatVector.fromArray(F, acc, accOff + 3 * L);
        for (int j = 0; j < kb; j += L) {
            FloatVector v = FloatVector.fromArray(F, x, xOff + j);
            a0 = FloatVector.fromArray(F, wt, j).fma(v, a0);
            a1 = FloatVector.fromArray(F, wt, KB + j).fma(v, a1);
            a2 = FloatVector.fromArray(F, wt, 2 * KB + j).fma(v, a2);
            a3 = FloatVector.fromArray(F, wt, 3 * KB + j).fma(v, a3);
        }
        a0.intoArray(acc, accOff); a1.intoArray(acc, accOff + L);
        a2.intoArray(acc, accOff + 2 * L); a3.intoArray(acc, accOff + 3 * L);
    }

    /** A worker thread's W tile and partial sums, kept across calls. */
    private static final class Scratch {
        final float[] tile = new float[ROWS * KB];
        private float[] acc = new float[0];

        float[] acc(int size) { return acc.length >= size ? acc : (acc = new float[size]); }
    }
}
