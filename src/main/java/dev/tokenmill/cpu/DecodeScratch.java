package dev.tokenmill.cpu;

/** Per-thread fp32 working memory of one decode work item (see {@link CpuDecode}). */
final class DecodeScratch {
    private static final ThreadLocal<DecodeScratch> LOCAL = new ThreadLocal<>();
    final int hq, d;
    /** Queries pre-scaled by 1/sqrt(D), the tile's scores (then weights), the running output, max and sum. */
    final float[] q, s, acc, m, l;
    /** Element offset of each tile token's first KV head. */
    final long[] token = new long[DecodeTile.TILE];
    /** Sum of the touched bytes, kept so that the touch loads are not dead code. */
    int sink;

    private DecodeScratch(int hq, int d) {
        this.hq = hq;
        this.d = d;
        q = new float[hq * d];
        s = new float[hq * DecodeTile.TILE];
        acc = new float[hq * d];
        m = new float[hq];
        l = new float[hq];
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
