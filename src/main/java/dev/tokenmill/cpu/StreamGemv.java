package dev.tokenmill.cpu;

import dev.tokenmill.tensor.Operands;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.LinearSpec;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The decode (bandwidth-bound) linear kernel for M ≤ {@link LinearSpec#DECODE_MAX_M}: GEMV for M = 1, a skinny
 * GEMM above. W is read from memory exactly once and widened to f32 in registers ({@link Widen}): a tile of
 * {@link #ROWS} W rows × {@link #KB} columns is swept by every row of X in turn (X widened once per call); the
 * first sweep pulls the tile from DRAM, the others find it in L1. Four rows of W by four rows of X make 16
 * independent vector accumulators, which hides the FMA latency; leftover rows of X use a 4×1 kernel. Partial
 * sums stay in vector form across tiles and are reduced once per output, plus a scalar tail for K mod 16.
 * Threads take chunks of W rows (parallel over N).
 */
final class StreamGemv implements CpuKernel {
    static final VectorSpecies<Float> F = Widen.F;
    static final int L = F.length();
    /** W rows per tile. */
    static final int ROWS = 4;
    /** K columns per tile: 4 rows × 1024 f32 = 16 KiB of the 48 KiB L1; 64 rows of X × 1024 f32 = 256 KiB of L2. */
    static final int KB = 1024;
    /** Chunks of W rows per thread, so that a slow core does not hold up the call. */
    static final int CHUNKS_PER_THREAD = 8;

    private final LinearSpec spec;
    /** {@link Mutant#TAIL_LANE_DROPPED}. */
    private final boolean dropTailLane;
    /** Row stride of the widened X: K rounded up to whole vectors, so that every row starts aligned. */
    private final int kp;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);
    /** X widened to f32, M rows of stride {@link #kp}. */
    private final float[] xf;

    StreamGemv(LinearSpec spec, boolean dropTailLane) {
        this.spec = spec;
        this.dropTailLane = dropTailLane;
        this.kp = PackedGemm.roundUp(spec.k(), L);
        this.xf = new float[Math.multiplyExact(spec.m(), kp)];
    }

    @Override public String variant() { return "cpu.gemv.stream"; }

    @Override public synchronized void run(Operands operands) {
        Operands.Linear op = (Operands.Linear) operands;
        for (int i = 0; i < spec.m(); i++) {
            Rows.load(op.x(), (long) i * spec.k(), xf, i * kp, spec.k());
            Arrays.fill(xf, i * kp + spec.k(), (i + 1) * kp, 0f);
        }
        int groups = PackedGemm.ceilDiv(spec.n(), ROWS);
        int chunks = Math.min(groups, CHUNKS_PER_THREAD * Parallel.threads());
        int perChunk = PackedGemm.ceilDiv(groups, chunks);
        Parallel.forEach(chunks, c -> {
            for (int g = c * perChunk, end = Math.min(groups, g + perChunk); g < end; g++) rowGroup(op, g * ROWS);
        });
    }

    /** Outputs Y[:, n0 .. n0+ROWS) (those below N). */
    private void rowGroup(Operands.Linear op, int n0) {
        int m = spec.m(), n = spec.n(), k = spec.k(), kFull = k - k % L, tailEnd = dropTailLane && k > kFull ? k - 1 : k;
        Scratch s = scratch.get();
        float[] acc = s.acc(m * ROWS * L);
        Arrays.fill(acc, 0, m * ROWS * L, 0f);
        // Rows past N repeat the last row: loaded (from cache) but never stored.
        long[] rows = s.rows;
        for (int r = 0; r < ROWS; r++) rows[r] = (long) Math.min(n0 + r, n - 1) * k;
        MemorySegment w = op.w().segment();
        DType t = spec.dtype();
        for (int k0 = 0; k0 < kFull; k0 += KB) {
            int kb = Math.min(KB, kFull - k0);
            int i = 0;
            for (; i + 4 <= m; i += 4) dot4x4(w, t, rows, k0, kb, xf, i * kp + k0, kp, acc, i * ROWS * L);
            for (; i < m; i++) dot4x1(w, t, rows, k0, kb, xf, i * kp + k0, acc, i * ROWS * L);
        }
        for (int i = 0; i < m; i++)
            for (int r = 0; r < ROWS && n0 + r < n; r++) {
                float sum = FloatVector.fromArray(F, acc, (i * ROWS + r) * L).reduceLanes(VectorOperators.ADD);
                for (int kk = kFull; kk < tailEnd; kk++) sum += xf[i * kp + kk] * op.w().get(rows[r] + kk);
                op.y().set((long) i * n + n0 + r, sum);
            }
    }

    /** {@code acc[4 rows of X][4 rows of W] += X[4, kb] · W[4 rows, k0 .. k0+kb)^T}, W widened as it is loaded, as 16 vector partial sums. */
    static void dot4x4(MemorySegment w, DType t, long[] rows, int k0, int kb, float[] x, int xOff, int ldx,
                       float[] acc, int accOff) {
        long r0 = rows[0] + k0, r1 = rows[1] + k0, r2 = rows[2] + k0, r3 = rows[3] + k0;
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
            FloatVector w0 = Widen.load(w, t, r0 + j), w1 = Widen.load(w, t, r1 + j),
                    w2 = Widen.load(w, t, r2 + j), w3 = Widen.load(w, t, r3 + j);
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

    /** {@code acc[1 row of X][4 rows of W] += X[1, kb] · W[4 rows, k0 .. k0+kb)^T}, W widened as it is loaded. */
    static void dot4x1(MemorySegment w, DType t, long[] rows, int k0, int kb, float[] x, int xOff, float[] acc, int accOff) {
        long r0 = rows[0] + k0, r1 = rows[1] + k0, r2 = rows[2] + k0, r3 = rows[3] + k0;
        FloatVector a0 = FloatVector.fromArray(F, acc, accOff), a1 = FloatVector.fromArray(F, acc, accOff + L),
                a2 = FloatVector.fromArray(F, acc, accOff + 2 * L), a3 = FloatVector.fromArray(F, acc, accOff + 3 * L);
        for (int j = 0; j < kb; j += L) {
            FloatVector v = FloatVector.fromArray(F, x, xOff + j);
            a0 = Widen.load(w, t, r0 + j).fma(v, a0);
            a1 = Widen.load(w, t, r1 + j).fma(v, a1);
            a2 = Widen.load(w, t, r2 + j).fma(v, a2);
            a3 = Widen.load(w, t, r3 + j).fma(v, a3);
        }
        a0.intoArray(acc, accOff); a1.intoArray(acc, accOff + L);
        a2.intoArray(acc, accOff + 2 * L); a3.intoArray(acc, accOff + 3 * L);
    }

    /** A worker thread's row offsets and partial sums, kept across calls. */
    private static final class Scratch {
        final long[] rows = new long[ROWS];
        private float[] acc = new float[0];

        float[] acc(int size) { return acc.length >= size ? acc : (acc = new float[size]); }
    }
}
