package dev.tokenmill.cpu;

import dev.tokenmill.tensor.Operands;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.LinearSpec;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/**
 * The prefill (compute-bound) linear kernel {@code Y = X·W^T}: a register-blocked outer-product micro-kernel
 * over packed f32 panels, in the loop order of Goto's GEMM.
 * <ul>
 *   <li>W is packed (transposed, widened to f32) a block of {@link #ncFor} columns at a time, for all of K, as
 *       panels of {@link #NR} columns laid out {@code [panel][k][NR]}; every thread then shares the block.</li>
 *   <li>Each task owns {@link #MC} rows by a range of panels. Per K slice of {@link #KC} it copies its rows of X
 *       (widened, row-major, zero rows below M) into an L2-sized block, then for each panel (whose KC×NR slice
 *       stays in L1) sweeps the micro-kernel down the rows.</li>
 *   <li>The micro-kernel keeps an {@link #MR}×{@link #NR} tile in 16 vector registers: per k it loads two
 *       vectors of W and broadcasts eight X values, 16 FMAs.</li>
 * </ul>
 * Tiles accumulate in f32 across K slices in a task-local buffer, which is rounded to the dtype once at the end.
 * Padding (zero rows of X, zero columns of W) lets the micro-kernel run on full tiles only.
 */
final class PackedGemm implements CpuKernel {
    static final VectorSpecies<Float> F = Widen.F;
    static final int L = F.length();
    /** Rows of the register tile. */
    static final int MR = 8;
    /** Columns of the register tile: two vectors. */
    static final int NR = 2 * L;
    /** Lane i of a vector lands NR floats after lane i-1: the transposing scatter of {@link #packW}. */
    private static final int[] STRIDE_NR = new int[L];
    static {
        for (int i = 0; i < L; i++) STRIDE_NR[i] = i * NR;
    }

    /** K slice: a KC×NR panel of W (32 KiB with 16 lanes) stays in the 48 KiB L1. */
    static final int KC = 256;
    /** Rows per task: the MC×KC block of X (128 KiB) stays in L2. */
    static final int MC = 128;
    /** Bytes of packed W shared by all threads at a time (in the last-level cache). */
    static final long PACKED_W_BYTES = 4L << 20;
    /** At most this many columns of W at a time, which bounds a task's f32 C tile (MC × NC_MAX). */
    static final int NC_MAX = 2048;

    private final LinearSpec spec;
    /** {@link Mutant#LAST_K_OF_BLOCK_SKIPPED}. */
    private final boolean skipLastK;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);
    private float[] packedW = new float[0];

    PackedGemm(LinearSpec spec, boolean skipLastK) {
        this.spec = spec;
        this.skipLastK = skipLastK;
    }

    @Override public String variant() { return "cpu.gemm.packed"; }

    /** Columns of W packed at a time: a multiple of NR whose K×columns f32 fit {@link #PACKED_W_BYTES}. */
    static int ncFor(int n, int k) {
        long panels = Math.max(1, PACKED_W_BYTES / (4L * k * NR));
        return (int) Math.min(Math.min(roundUp(n, NR), NC_MAX), panels * NR);
    }

    @Override public synchronized void run(Operands operands) {
        Operands.Linear op = (Operands.Linear) operands;
        int m = spec.m(), n = spec.n(), k = spec.k();
        int nc = ncFor(n, k);
        if (packedW.length < (long) nc * k) packedW = new float[nc * k];
        float[] bp = packedW;
        int mBlocks = ceilDiv(m, MC);
        for (int n0 = 0; n0 < n; n0 += nc) {
            int cols = Math.min(nc, n - n0), panels = ceilDiv(cols, NR), block = n0;
            Parallel.forEach(panels, p -> packW(op, bp, block, p));
            // Split columns too when there are too few row blocks to keep every core busy.
            int splits = Math.min(panels, ceilDiv(4 * Parallel.threads(), mBlocks));
            int panelsPerSplit = ceilDiv(panels, splits);
            Parallel.forEach(mBlocks * splits, t -> {
                int p0 = (t % splits) * panelsPerSplit, p1 = Math.min(panels, p0 + panelsPerSplit);
                if (p0 < p1) computeBlock(op, bp, (t / splits) * MC, block, p0, p1);
            });
        }
    }

    /** Panel p of the W block at column n0: {@code bp[(p*K + k)*NR + j] = W[n0 + p*NR + j, k]}, zero past N. */
    private void packW(Operands.Linear op, float[] bp, int n0, int p) {
        int k = spec.k(), n = spec.n();
        MemorySegment w = op.w().segment();
        DType t = spec.dtype();
        int base = p * k * NR;
        for (int j = 0; j < NR; j++) {
            int col = n0 + p * NR + j;
            if (col >= n) {
                for (int kk = 0; kk < k; kk++) bp[base + kk * NR + j] = 0f;
                continue;
            }
            long row = (long) col * k;
            int kk = 0;
            for (; kk <= k - L; kk += L) {
                Widen.load(w, t, row + kk).intoArray(bp, base + kk * NR + j, STRIDE_NR, 0);
            }
            for (; kk < k; kk++) bp[base + kk * NR + j] = op.w().get(row + kk);
        }
    }

    /** Rows [m0, m0+MC) by panels [p0, p1) of the packed W block starting at column n0. */
    private void computeBlock(Operands.Linear op, float[] bp, int m0, int n0, int p0, int p1) {
        int m = spec.m(), k = spec.k();
        int rows = Math.min(MC, m - m0), rowTiles = ceilDiv(rows, MR);
        int width = (p1 - p0) * NR;
        Scratch s = scratch.get();
        float[] a = s.a(MC * KC), c = s.c(rowTiles * MR * width);
        for (int k0 = 0; k0 < k; k0 += KC) {
            int kc = Math.min(KC, k - k0);
            packX(op, a, m0, rows, rowTiles * MR, k0, kc);
            for (int p = p0; p < p1; p++) {
                int bOff = (p * k + k0) * NR, cCol = (p - p0) * NR;
                for (int r = 0; r < rowTiles; r++) {
                    microKernel(a, r * MR * kc, kc, bp, bOff, c, r * MR * width + cCol, width, k0 > 0);
                }
            }
        }
        for (int i = 0; i < rows; i++) {
            Rows.store(c, i * width, 1f, op.y(), (long) (m0 + i) * spec.n() + n0 + p0 * NR,
                    Math.min(width, spec.n() - n0 - p0 * NR));
        }
    }

    /** X rows [m0, m0+rows) and columns [k0, k0+kc) as f32 rows of length kc; rows up to padRows are zero. */
    private void packX(Operands.Linear op, float[] a, int m0, int rows, int padRows, int k0, int kc) {
        for (int i = 0; i < rows; i++) Rows.load(op.x(), (long) (m0 + i) * spec.k() + k0, a, i * kc, kc);
        java.util.Arrays.fill(a, rows * kc, padRows * kc, 0f);
        if (skipLastK) for (int i = 0; i < rows; i++) a[i * kc + kc - 1] = 0f;
    }

    /**
     * {@code C[8, NR] (+)= A[8, kc] · B[kc, NR]}: A row-major with row length kc at aOff, B the packed panel
     * slice at bOff, C row-major with row length ldc at cOff; adds to C when {@code accumulate}.
     */
    static void microKernel(float[] a, int aOff, int kc, float[] b, int bOff, float[] c, int cOff, int ldc,
                            boolean accumulate) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        if (accumulate) {
            c00 = FloatVector.fromArray(F, c, cOff);               c01 = FloatVector.fromArray(F, c, cOff + L);
            c10 = FloatVector.fromArray(F, c, cOff + ldc);         c11 = FloatVector.fromArray(F, c, cOff + ldc + L);
            c20 = FloatVector.fromArray(F, c, cOff + 2 * ldc);     c21 = FloatVector.fromArray(F, c, cOff + 2 * ldc + L);
            c30 = FloatVector.fromArray(F, c, cOff + 3 * ldc);     c31 = FloatVector.fromArray(F, c, cOff + 3 * ldc + L);
            c40 = FloatVector.fromArray(F, c, cOff + 4 * ldc);     c41 = FloatVector.fromArray(F, c, cOff + 4 * ldc + L);
            c50 = FloatVector.fromArray(F, c, cOff + 5 * ldc);     c51 = FloatVector.fromArray(F, c, cOff + 5 * ldc + L);
            c60 = FloatVector.fromArray(F, c, cOff + 6 * ldc);     c61 = FloatVector.fromArray(F, c, cOff + 6 * ldc + L);
            c70 = FloatVector.fromArray(F, c, cOff + 7 * ldc);     c71 = FloatVector.fromArray(F, c, cOff + 7 * ldc + L);
        } else {
            FloatVector z = FloatVector.zero(F);
            c00 = z; c01 = z; c10 = z; c11 = z; c20 = z; c21 = z; c30 = z; c31 = z;
            c40 = z; c41 = z; c50 = z; c51 = z; c60 = z; c61 = z; c70 = z; c71 = z;
        }
        int a0 = aOff, a1 = a0 + kc, a2 = a1 + kc, a3 = a2 + kc, a4 = a3 + kc, a5 = a4 + kc, a6 = a5 + kc, a7 = a6 + kc;
        for (int kk = 0, bi = bOff; kk < kc; kk++, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(F, b, bi), b1 = FloatVector.fromArray(F, b, bi + L);
            FloatVector x;
            x = FloatVector.broadcast(F, a[a0 + kk]); c00 = b0.fma(x, c00); c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(F, a[a1 + kk]); c10 = b0.fma(x, c10); c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(F, a[a2 + kk]); c20 = b0.fma(x, c20); c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(F, a[a3 + kk]); c30 = b0.fma(x, c30); c31 = b1.fma(x, c31);
            x = FloatVector.broadcast(F, a[a4 + kk]); c40 = b0.fma(x, c40); c41 = b1.fma(x, c41);
            x = FloatVector.broadcast(F, a[a5 + kk]); c50 = b0.fma(x, c50); c51 = b1.fma(x, c51);
            x = FloatVector.broadcast(F, a[a6 + kk]); c60 = b0.fma(x, c60); c61 = b1.fma(x, c61);
            x = FloatVector.broadcast(F, a[a7 + kk]); c70 = b0.fma(x, c70); c71 = b1.fma(x, c71);
        }
        c00.intoArray(c, cOff);               c01.intoArray(c, cOff + L);
        c10.intoArray(c, cOff + ldc);         c11.intoArray(c, cOff + ldc + L);
        c20.intoArray(c, cOff + 2 * ldc);     c21.intoArray(c, cOff + 2 * ldc + L);
        c30.intoArray(c, cOff + 3 * ldc);     c31.intoArray(c, cOff + 3 * ldc + L);
        c40.intoArray(c, cOff + 4 * ldc);     c41.intoArray(c, cOff + 4 * ldc + L);
        c50.intoArray(c, cOff + 5 * ldc);     c51.intoArray(c, cOff + 5 * ldc + L);
        c60.intoArray(c, cOff + 6 * ldc);     c61.intoArray(c, cOff + 6 * ldc + L);
        c70.intoArray(c, cOff + 7 * ldc);     c71.intoArray(c, cOff + 7 * ldc + L);
    }

    /** A worker thread's X block and C tile, grown on demand and kept across calls. */
    private static final class Scratch {
        private float[] a = new float[0], c = new float[0];

        float[] a(int size) { return a.length >= size ? a : (a = new float[size]); }

        float[] c(int size) { return c.length >= size ? c : (c = new float[size]); }
    }

    static int ceilDiv(int a, int b) { return (a + b - 1) / b; }

    static int roundUp(int a, int b) { return ceilDiv(a, b) * b; }
}
