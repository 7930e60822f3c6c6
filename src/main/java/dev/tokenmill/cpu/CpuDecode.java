package dev.tokenmill.cpu;

import dev.tokenmill.backend.Operands;
import dev.tokenmill.op.DecodeSpec;
import dev.tokenmill.op.KvCache;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import static dev.tokenmill.cpu.Widen.F;

/**
 * Split-KV decode attention (flash-decoding). Each sequence's cache is cut into chunks of tokens; a work item is one
 * chunk and computes, for every query head, the chunk's partial output and its log-sum-exp with an online softmax.
 * A merge then weights each head's partials by {@code exp(lse_c - lse)}.
 *
 * <p>Within a chunk, K and V stream through tiles of {@link #TILE} tokens. A tile is first touched in address order
 * (each token's rows of every KV head are adjacent in the cache, paged or not): reading one KV head's 256-byte rows
 * at their stride straight from DRAM defeats the hardware prefetchers and measured 3x slower. Then, one KV head at
 * a time, its rows are widened to fp32 into L1 scratch (once) and serve the whole GQA group: the group's query
 * heads share every K/V load, four heads at a time. Tokens are addressed through {@link Operands.Cache#offset},
 * so every layout and block size shares one path. See NOTES.md (Attention) for what was measured.
 */
final class CpuDecode implements CpuKernel {
    /** Tokens per tile: one KV head's staged K and V ({@code 2·TILE·D} floats) stay in L1. */
    static final int TILE = 16;
    /** Shortest chunk worth a work item of its own (below it, the merge and per-item setup dominate). */
    static final int MIN_CHUNK = 512;
    /** Work items per thread the chunking aims for, so that cores finishing early find more work. */
    private static final int ITEMS_PER_THREAD = 8;
    private static final int HB = 4;
    private static final int LINE = 64;

    private final DecodeSpec spec;
    private final int group, d, hq, hkv;
    private final float scale;
    /** Work items: sequence, first and end token; the items of one sequence are adjacent. */
    private final int[] itemSeq, itemFrom, itemTo;
    /** First item and chunk count of each sequence. */
    private final int[] firstItem, chunks;

    private CpuDecode(DecodeSpec spec) {
        this.spec = spec;
        KvCache c = spec.cache();
        this.hq = spec.heads();
        this.hkv = c.kvHeads();
        this.group = hq / hkv;
        this.d = c.headDim();
        this.scale = (float) (1.0 / Math.sqrt(d));
        int chunk = chunkTokens(c, Parallel.threads());
        firstItem = new int[c.batch()];
        chunks = new int[c.batch()];
        int items = 0;
        for (int b = 0; b < c.batch(); b++) {
            firstItem[b] = items;
            chunks[b] = (c.seqLen(b) + chunk - 1) / chunk;
            items += chunks[b];
        }
        itemSeq = new int[items];
        itemFrom = new int[items];
        itemTo = new int[items];
        for (int b = 0, i = 0; b < c.batch(); b++)
            for (int k = 0; k < chunks[b]; k++, i++) {
                itemSeq[i] = b;
                itemFrom[i] = k * chunk;
                itemTo[i] = Math.min(c.seqLen(b), (k + 1) * chunk);
            }
    }

    static CpuKernel of(DecodeSpec spec) { return new CpuDecode(spec); }

    /** Chunk length: enough items to keep every core busy, none shorter than {@link #MIN_CHUNK}, tile-aligned. */
    static int chunkTokens(KvCache c, int threads) {
        long want = c.totalTokens() / ((long) ITEMS_PER_THREAD * threads);
        long chunk = Math.max(MIN_CHUNK, (want + TILE - 1) / TILE * TILE);
        return (int) Math.min(chunk, Math.max(MIN_CHUNK, c.maxSeqLen()));
    }

    @Override public String variant() { return "cpu.decode.splitkv"; }

    @Override public void run(Operands operands) {
        Operands.Decode ops = (Operands.Decode) operands;
        int items = itemSeq.length;
        float[] partial = new float[items * hq * d];
        float[] lse = new float[items * hq];
        Parallel.forEach(items, i -> chunk(ops, i, partial, lse, Scratch.get(hq, hkv, d)));
        Parallel.forEach(spec.batch(), b -> merge(ops, b, partial, lse));
    }

    /** Per-thread fp32 working memory of one work item. */
    private static final class Scratch {
        private static final ThreadLocal<Scratch> LOCAL = new ThreadLocal<>();
        final int hq, hkv, d;
        final float[] q, k, v, s, acc, m, l, alpha;
        /** Element offset of each tile token's first KV head. */
        final long[] token = new long[TILE];
        int sink;

        Scratch(int hq, int hkv, int d) {
            this.hq = hq;
            this.hkv = hkv;
            this.d = d;
            q = new float[hq * d];
            k = new float[TILE * d];
            v = new float[TILE * d];
            s = new float[hq * TILE];
            acc = new float[hq * d];
            m = new float[hq];
            l = new float[hq];
            alpha = new float[hq];
        }

        static Scratch get(int hq, int hkv, int d) {
            Scratch s = LOCAL.get();
            if (s == null || s.hq != hq || s.hkv != hkv || s.d != d) {
                s = new Scratch(hq, hkv, d);
                LOCAL.set(s);
            }
            return s;
        }
    }

    /** One work item: tokens {@code [from, to)} of one sequence, every head. */
    private void chunk(Operands.Decode ops, int item, float[] partial, float[] lse, Scratch w) {
        int b = itemSeq[item], from = itemFrom[item], to = itemTo[item];
        Operands.Cache cache = ops.cache();
        Rows.load(ops.q(), (long) b * hq * d, w.q, 0, hq * d);
        Arrays.fill(w.acc, 0f);
        Arrays.fill(w.m, Float.NEGATIVE_INFINITY);
        Arrays.fill(w.l, 0f);

        for (int pos = from; pos < to; pos += TILE) {
            int n = Math.min(TILE, to - pos);
            for (int j = 0; j < n; j++) w.token[j] = cache.offset(b, pos + j, 0);
            touch(cache, w, n);
            for (int g = 0; g < hkv; g++) {
                for (int j = 0; j < n; j++) {
                    Rows.load(cache.k(), w.token[j] + (long) g * d, w.k, j * d, d);
                    Rows.load(cache.v(), w.token[j] + (long) g * d, w.v, j * d, d);
                }
                if (n < TILE) { // the chunk's ragged end: empty rows score -inf and weigh zero
                    Arrays.fill(w.k, n * d, TILE * d, 0f);
                    Arrays.fill(w.v, n * d, TILE * d, 0f);
                }
                int first = g * group, end = first + group, h = first;
                for (; h + HB <= end; h += HB)
                    for (int j = 0; j < TILE; j += 4) scores4x4(w, h, j);
                for (; h < end; h++)
                    for (int j = 0; j < TILE; j += 4) scores1x4(w, h, j);
                for (h = first; h < end; h++) softmax(w, h, n);
                for (h = first; h + HB <= end; h += HB)
                    for (int c = 0; c < d; c += 4 * F.length()) accumulate4(w, h, c);
                for (; h < end; h++)
                    for (int c = 0; c < d; c += 4 * F.length()) accumulate1(w, h, c);
            }
        }

        for (int h = 0; h < hq; h++) {
            float inv = 1f / w.l[h];
            int at = (item * hq + h) * d;
            for (int i = 0; i < d; i++) partial[at + i] = w.acc[h * d + i] * inv;
            lse[item * hq + h] = w.m[h] + (float) Math.log(w.l[h]);
        }
    }

    /**
     * Reads one byte of every cache line of the tile's K and V rows, in address order: the DRAM traffic then runs as
     * sequential streams the prefetchers follow, and the per-head staging that follows hits L2.
     */
    private void touch(Operands.Cache cache, Scratch w, int n) {
        long rowBytes = (long) hkv * d * spec.dtype().bytes();
        MemorySegment k = cache.k().segment(), v = cache.v().segment();
        int sink = 0;
        for (int j = 0; j < n; j++) {
            long at = w.token[j] * spec.dtype().bytes();
            for (long i = 0; i < rowBytes; i += LINE) sink += k.get(ValueLayout.JAVA_BYTE, at + i) + v.get(ValueLayout.JAVA_BYTE, at + i);
        }
        w.sink += sink; // kept, so the loads are not dead code
    }

    /** Scores of heads {@code h..h+4)} for tokens {@code j..j+4)} of the tile: sixteen dot products at once. */
    private void scores4x4(Scratch w, int h, int j) {
        float[] q = w.q, k = w.k;
        int q0 = h * d, q1 = q0 + d, q2 = q1 + d, q3 = q2 + d;
        int k0 = j * d, k1 = k0 + d, k2 = k1 + d, k3 = k2 + d;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00,
                a13 = a00, a20 = a00, a21 = a00, a22 = a00, a23 = a00, a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int i = 0; i < d; i += F.length()) {
            FloatVector x0 = FloatVector.fromArray(F, k, k0 + i), x1 = FloatVector.fromArray(F, k, k1 + i);
            FloatVector x2 = FloatVector.fromArray(F, k, k2 + i), x3 = FloatVector.fromArray(F, k, k3 + i);
            FloatVector y = FloatVector.fromArray(F, q, q0 + i);
            a00 = y.fma(x0, a00); a01 = y.fma(x1, a01); a02 = y.fma(x2, a02); a03 = y.fma(x3, a03);
            y = FloatVector.fromArray(F, q, q1 + i);
            a10 = y.fma(x0, a10); a11 = y.fma(x1, a11); a12 = y.fma(x2, a12); a13 = y.fma(x3, a13);
            y = FloatVector.fromArray(F, q, q2 + i);
            a20 = y.fma(x0, a20); a21 = y.fma(x1, a21); a22 = y.fma(x2, a22); a23 = y.fma(x3, a23);
            y = FloatVector.fromArray(F, q, q3 + i);
            a30 = y.fma(x0, a30); a31 = y.fma(x1, a31); a32 = y.fma(x2, a32); a33 = y.fma(x3, a33);
        }
        float[] s = w.s;
        int s0 = h * TILE + j, s1 = s0 + TILE, s2 = s1 + TILE, s3 = s2 + TILE;
        s[s0] = sum(a00); s[s0 + 1] = sum(a01); s[s0 + 2] = sum(a02); s[s0 + 3] = sum(a03);
        s[s1] = sum(a10); s[s1 + 1] = sum(a11); s[s1 + 2] = sum(a12); s[s1 + 3] = sum(a13);
        s[s2] = sum(a20); s[s2 + 1] = sum(a21); s[s2 + 2] = sum(a22); s[s2 + 3] = sum(a23);
        s[s3] = sum(a30); s[s3 + 1] = sum(a31); s[s3 + 2] = sum(a32); s[s3 + 3] = sum(a33);
    }

    /** Scores of head {@code h} for tokens {@code j..j+4)}: the group's leftover heads (all of them at MHA). */
    private void scores1x4(Scratch w, int h, int j) {
        float[] q = w.q, k = w.k;
        int q0 = h * d, k0 = j * d, k1 = k0 + d, k2 = k1 + d, k3 = k2 + d;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0; i < d; i += F.length()) {
            FloatVector y = FloatVector.fromArray(F, q, q0 + i);
            a0 = y.fma(FloatVector.fromArray(F, k, k0 + i), a0);
            a1 = y.fma(FloatVector.fromArray(F, k, k1 + i), a1);
            a2 = y.fma(FloatVector.fromArray(F, k, k2 + i), a2);
            a3 = y.fma(FloatVector.fromArray(F, k, k3 + i), a3);
        }
        int s0 = h * TILE + j;
        w.s[s0] = sum(a0);
        w.s[s0 + 1] = sum(a1);
        w.s[s0 + 2] = sum(a2);
        w.s[s0 + 3] = sum(a3);
    }

    private static float sum(FloatVector v) { return v.reduceLanes(VectorOperators.ADD); }

    /** Online softmax over head {@code h}'s tile scores (the first {@code n} valid): scores become weights. */
    private void softmax(Scratch w, int h, int n) {
        float[] s = w.s;
        int at = h * TILE, lanes = F.length();
        float tileMax = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < TILE; j += lanes) {
            FloatVector x = FloatVector.fromArray(F, s, at + j).mul(scale);
            if (n < TILE) x = x.blend(Float.NEGATIVE_INFINITY, F.indexInRange(j, n).not());
            x.intoArray(s, at + j);
            tileMax = Math.max(tileMax, x.reduceLanes(VectorOperators.MAX));
        }
        float mOld = w.m[h], mNew = Math.max(mOld, tileMax);
        FloatVector sum = FloatVector.zero(F);
        for (int j = 0; j < TILE; j += lanes) {
            FloatVector p = FloatVector.fromArray(F, s, at + j).sub(mNew).lanewise(VectorOperators.EXP);
            p.intoArray(s, at + j);
            sum = sum.add(p);
        }
        float alpha = (float) Math.exp(mOld - mNew);
        w.alpha[h] = alpha;
        w.l[h] = w.l[h] * alpha + sum.reduceLanes(VectorOperators.ADD);
        w.m[h] = mNew;
    }

    /** {@code acc[h..h+4)[c..c+4L) = alpha·acc + Σ_j p[·][j]·v[j][c..c+4L)}. */
    private void accumulate4(Scratch w, int h, int c) {
        float[] acc = w.acc, p = w.s, v = w.v;
        int lanes = F.length();
        int o0 = h * d + c, o1 = o0 + d, o2 = o1 + d, o3 = o2 + d;
        float r0 = w.alpha[h], r1 = w.alpha[h + 1], r2 = w.alpha[h + 2], r3 = w.alpha[h + 3];
        FloatVector a00 = FloatVector.fromArray(F, acc, o0).mul(r0), a01 = FloatVector.fromArray(F, acc, o0 + lanes).mul(r0);
        FloatVector a02 = FloatVector.fromArray(F, acc, o0 + 2 * lanes).mul(r0), a03 = FloatVector.fromArray(F, acc, o0 + 3 * lanes).mul(r0);
        FloatVector a10 = FloatVector.fromArray(F, acc, o1).mul(r1), a11 = FloatVector.fromArray(F, acc, o1 + lanes).mul(r1);
        FloatVector a12 = FloatVector.fromArray(F, acc, o1 + 2 * lanes).mul(r1), a13 = FloatVector.fromArray(F, acc, o1 + 3 * lanes).mul(r1);
        FloatVector a20 = FloatVector.fromArray(F, acc, o2).mul(r2), a21 = FloatVector.fromArray(F, acc, o2 + lanes).mul(r2);
        FloatVector a22 = FloatVector.fromArray(F, acc, o2 + 2 * lanes).mul(r2), a23 = FloatVector.fromArray(F, acc, o2 + 3 * lanes).mul(r2);
        FloatVector a30 = FloatVector.fromArray(F, acc, o3).mul(r3), a31 = FloatVector.fromArray(F, acc, o3 + lanes).mul(r3);
        FloatVector a32 = FloatVector.fromArray(F, acc, o3 + 2 * lanes).mul(r3), a33 = FloatVector.fromArray(F, acc, o3 + 3 * lanes).mul(r3);
        int p0 = h * TILE, p1 = p0 + TILE, p2 = p1 + TILE, p3 = p2 + TILE;
        for (int j = 0; j < TILE; j++) {
            int at = j * d + c;
            FloatVector x0 = FloatVector.fromArray(F, v, at), x1 = FloatVector.fromArray(F, v, at + lanes);
            FloatVector x2 = FloatVector.fromArray(F, v, at + 2 * lanes), x3 = FloatVector.fromArray(F, v, at + 3 * lanes);
            FloatVector y = FloatVector.broadcast(F, p[p0 + j]);
            a00 = y.fma(x0, a00); a01 = y.fma(x1, a01); a02 = y.fma(x2, a02); a03 = y.fma(x3, a03);
            y = FloatVector.broadcast(F, p[p1 + j]);
            a10 = y.fma(x0, a10); a11 = y.fma(x1, a11); a12 = y.fma(x2, a12); a13 = y.fma(x3, a13);
            y = FloatVector.broadcast(F, p[p2 + j]);
            a20 = y.fma(x0, a20); a21 = y.fma(x1, a21); a22 = y.fma(x2, a22); a23 = y.fma(x3, a23);
            y = FloatVector.broadcast(F, p[p3 + j]);
            a30 = y.fma(x0, a30); a31 = y.fma(x1, a31); a32 = y.fma(x2, a32); a33 = y.fma(x3, a33);
        }
        a00.intoArray(acc, o0); a01.intoArray(acc, o0 + lanes); a02.intoArray(acc, o0 + 2 * lanes); a03.intoArray(acc, o0 + 3 * lanes);
        a10.intoArray(acc, o1); a11.intoArray(acc, o1 + lanes); a12.intoArray(acc, o1 + 2 * lanes); a13.intoArray(acc, o1 + 3 * lanes);
        a20.intoArray(acc, o2); a21.intoArray(acc, o2 + lanes); a22.intoArray(acc, o2 + 2 * lanes); a23.intoArray(acc, o2 + 3 * lanes);
        a30.intoArray(acc, o3); a31.intoArray(acc, o3 + lanes); a32.intoArray(acc, o3 + 2 * lanes); a33.intoArray(acc, o3 + 3 * lanes);
    }

    /** {@link #accumulate4} for one head. */
    private void accumulate1(Scratch w, int h, int c) {
        float[] acc = w.acc, p = w.s, v = w.v;
        int lanes = F.length(), o = h * d + c, p0 = h * TILE;
        float r = w.alpha[h];
        FloatVector a0 = FloatVector.fromArray(F, acc, o).mul(r), a1 = FloatVector.fromArray(F, acc, o + lanes).mul(r);
        FloatVector a2 = FloatVector.fromArray(F, acc, o + 2 * lanes).mul(r), a3 = FloatVector.fromArray(F, acc, o + 3 * lanes).mul(r);
        for (int j = 0; j < TILE; j++) {
            int at = j * d + c;
            FloatVector y = FloatVector.broadcast(F, p[p0 + j]);
            a0 = y.fma(FloatVector.fromArray(F, v, at), a0);
            a1 = y.fma(FloatVector.fromArray(F, v, at + lanes), a1);
            a2 = y.fma(FloatVector.fromArray(F, v, at + 2 * lanes), a2);
            a3 = y.fma(FloatVector.fromArray(F, v, at + 3 * lanes), a3);
        }
        a0.intoArray(acc, o); a1.intoArray(acc, o + lanes); a2.intoArray(acc, o + 2 * lanes); a3.intoArray(acc, o + 3 * lanes);
    }

    /** Sequence {@code b}: each query head's output is its chunks' partials weighted by {@code exp(lse_c - lse)}. */
    private void merge(Operands.Decode ops, int b, float[] partial, float[] lse) {
        int first = firstItem[b], n = chunks[b];
        float[] out = new float[d];
        for (int h = 0; h < hq; h++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < n; c++) max = Math.max(max, lse[(first + c) * hq + h]);
            Arrays.fill(out, 0f);
            float total = 0;
            for (int c = 0; c < n; c++) {
                int item = first + c;
                float weight = (float) Math.exp(lse[item * hq + h] - max);
                total += weight;
                int at = (item * hq + h) * d;
                for (int i = 0; i < d; i++) out[i] += weight * partial[at + i];
            }
            Rows.store(out, 0, 1f / total, ops.o(), ((long) b * hq + h) * d, d);
        }
    }
}
