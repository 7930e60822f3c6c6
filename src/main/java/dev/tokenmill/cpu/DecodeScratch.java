package dev.tokenmill.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Per-thread fp32 working memory of one decode work item (see {@link CpuDecode}). */
final class DecodeScratch {
    private static final ThreadLocal<DecodeScratch> LOCAL = new ThreadLocal<>();
    final int hq, d;
    /** Queries pre-scaled by 1/sqrt(D), the tile's scores (then weights), the running output, max and sum. */
    final float[] q, s, acc, m, l;
    /** Element offset of each tile token's first KV head. */
    final long[] token = new long[DecodeTile.TILE];
    /** f16 only: two K rows widened to fp32 ({@code [2, Hkv·D]}, 64-byte aligned); token j's is row {@code j % 2}. */
    private MemorySegment staged;
    private long[] stagedRows;
    /** Sum of the touched bytes, kept so that the touch loads are not dead code. */
    int sink;
    /** The online softmax's rescale slope: 1, or 0.97 for {@link Mutant#RESCALE_3_PERCENT_OFF}. */
    float rescaleSlope = 1f;

    private DecodeScratch(int hq, int d) {
        this.hq = hq;
        this.d = d;
        q = new float[hq * d];
        s = new float[hq * DecodeTile.TILE];
        acc = new float[hq * d];
        m = new float[hq];
        l = new float[hq];
    }

    MemorySegment staged(int row) {
        if (staged == null || staged.byteSize() != 2L * row * 4) staged = Arena.ofAuto().allocate(2L * row * 4, 64);
        return staged;
    }

    long[] stagedRows(int row) {
        if (stagedRows == null || stagedRows[1] != row) {
            stagedRows = new long[DecodeTile.TILE];
            for (int j = 0; j < stagedRows.length; j++) stagedRows[j] = (long) (j % 2) * row;
        }
        return stagedRows;
    }

    static DecodeScratch get(int hq, int d) {
        DecodeScratch s = LOCAL.get();
        if (s == null || s.hq != hq || s.d != d) {
            s = new DecodeScratch(hq, d);
            LOCAL.set(s);
        }
        return s;
    }
}
