package dev.tokenmill.cpu;

import dev.tokenmill.tensor.Operands;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.DecodeSpec;
import dev.tokenmill.op.KvCache;
import dev.tokenmill.op.KvLayout;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Split-KV decode attention (flash-decoding). Each sequence's cache is cut into chunks of tokens; a work item is one
 * chunk and computes, for every query head, the chunk's partial output and its log-sum-exp with an online softmax.
 * A merge then weights each head's partials by {@code exp(lse_c - lse)}.
 *
 * <p>Within a chunk, K and V stream through tiles of {@link #TILE} tokens. A tile is first <em>touched</em>: one
 * load per cache line of its K and V rows, as {@link #STREAMS} interleaved address streams, which is how Java (no
 * prefetch instruction) gets the hardware prefetchers to pull scattered 16-token blocks from DRAM at full speed.
 * The tile, now in L2, is then read straight from the cache and widened to fp32 in registers: scores for 4 query
 * heads × 2 tokens at a time (the GQA group shares every K load), an online softmax per head over the tile, and
 * P·V for 4 heads × 2 vectors over the whole tile. Tokens are addressed through {@link Operands.Cache#offset}, so
 * every layout and block size shares one path. NOTES.md ("Decode: split-KV") has the measurements behind each choice.
 */
final class CpuDecode implements CpuKernel {
    /** Tokens per tile (see {@link DecodeTile#TILE}). */
    static final int TILE = DecodeTile.TILE;
    /** The touch walks the tile as this many interleaved streams: four 16-token blocks at once. */
    static final int STREAMS = 4;
    /** Shortest chunk worth a work item of its own (below it, the merge and per-item setup dominate). */
    static final int MIN_CHUNK = 512;
    /** Work items per thread the chunking aims for, so that cores finishing early find more work. */
    private static final int ITEMS_PER_THREAD = 8;
    private static final int LINE = 64;

    private final DecodeSpec spec;
    private final DType dtype;
    private final Tile tile;
    private final int d, hq, hkv;
    private final float scale;
    /** Work items: sequence, first and end token; the items of one sequence are adjacent. */
    private final int[] itemSeq, itemFrom, itemTo;
    /** First item and chunk count of each sequence. */
    private final int[] firstItem, chunks;
    /** {@link Mutant}s: the rescale's slope (1 when right), KV heads a group is off by (0), table entries (0), lanes (0). */
    private final float rescaleSlope;
    private final int kvShift, tableShift, lanesDropped;

    private CpuDecode(DecodeSpec spec, Mutant mutant) {
        this.spec = spec;
        this.rescaleSlope = mutant == Mutant.RESCALE_3_PERCENT_OFF ? 0.97f : 1f;
        this.kvShift = mutant == Mutant.WRONG_KV_HEAD ? 1 : 0;
        this.tableShift = mutant == Mutant.BLOCK_TABLE_OFF_BY_ONE ? 1 : 0;
        this.lanesDropped = mutant == Mutant.TAIL_LANE_DROPPED ? 1 : 0;
        KvCache c = spec.cache();
        this.dtype = spec.dtype();
        this.hq = spec.heads();
        this.hkv = c.kvHeads();
        this.d = c.headDim();
        this.scale = (float) (1.0 / Math.sqrt(d));
        this.tile = DecodeTile.forDtype(dtype, hq, hkv, d);
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

    static CpuKernel of(DecodeSpec spec, Mutant mutant) { return new CpuDecode(spec, mutant); }

    /** The arithmetic of one tile ({@link DecodeTile}, a copy per dtype), called once per tile. */
    interface Tile {
        /**
         * Folds one tile into the running softmax state of {@code w}: token {@code j}'s rows start at element
         * {@code w.token[j]} of k and v; the first {@code n} tokens are valid, the rest are masked out, but all
         * {@code TILE} rows are read, so every entry of {@code w.token} must point at a real row.
         */
        void run(MemorySegment k, MemorySegment v, DecodeScratch w, int n);
    }

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
        Parallel.forEach(items, i -> chunk(ops, i, partial, lse, DecodeScratch.get(hq, d)));
        Parallel.forEach(spec.batch(), b -> merge(ops, b, partial, lse));
    }

    /** One work item: tokens {@code [from, to)} of one sequence, every head. */
    private void chunk(Operands.Decode ops, int item, float[] partial, float[] lse, DecodeScratch w) {
        int b = itemSeq[item], from = itemFrom[item], to = itemTo[item];
        Operands.Cache cache = ops.cache();
        MemorySegment k = cache.k().segment(), v = cache.v().segment();
        // a mutant's shift moves each query into the slot of a head of the next group (so it meets the next KV head)
        int shift = kvShift * (hq / hkv) * d;
        Rows.load(ops.q(), (long) b * hq * d, w.q, 0, hq * d);
        for (int i = 0; i < hq * d; i++) w.q[i] *= scale;
        if (shift != 0) rotate(w.q, shift);
        Arrays.fill(w.acc, 0f);
        Arrays.fill(w.m, Float.NEGATIVE_INFINITY);
        Arrays.fill(w.l, 0f);
        w.rescaleSlope = rescaleSlope;

        for (int pos = from; pos < to; pos += TILE) {
            int n = Math.min(TILE, to - pos);
            // a ragged tile repeats its last token: real rows to read, whose scores the softmax masks to -inf
            for (int j = 0; j < TILE; j++) w.token[j] = offset(cache, b, pos + Math.min(j, n - 1));
            touch(k, v, w);
            tile.run(k, v, w, n < TILE ? n - lanesDropped : n);
        }

        for (int h = 0; h < hq; h++) {
            int slot = (h * d + shift) % (hq * d) / d;
            float inv = 1f / w.l[slot];
            int at = (item * hq + h) * d;
            for (int i = 0; i < d; i++) partial[at + i] = w.acc[slot * d + i] * inv;
            lse[item * hq + h] = w.m[slot] + (float) Math.log(w.l[slot]);
        }
    }

    /** Element offset of token {@code pos} of sequence {@code b}, KV head 0 ({@link Mutant#BLOCK_TABLE_OFF_BY_ONE}: one entry on). */
    private long offset(Operands.Cache cache, int b, int pos) {
        if (tableShift == 0 || spec.cache().layout() != KvLayout.PAGED) return cache.offset(b, pos, 0);
        KvCache c = spec.cache();
        int blocks = c.maxBlocks(), block = cache.blockTable()[b * blocks + (pos / c.blockSize() + tableShift) % blocks];
        return ((long) block * c.blockSize() + pos % c.blockSize()) * hkv * d;
    }

    /** Moves every element {@code by} places to the right, cyclically. */
    private static void rotate(float[] a, int by) {
        float[] copy = a.clone();
        for (int i = 0; i < a.length; i++) a[(i + by) % a.length] = copy[i];
    }

    /**
     * Loads one byte of every cache line of the tile's K and V rows. The {@link #STREAMS} quarters of the tile are
     * walked side by side (line i of each, then line i+1): several sequential streams keep enough DRAM requests in
     * flight, where one stream over scattered 32 KiB blocks reached half the bandwidth.
     */
    private void touch(MemorySegment k, MemorySegment v, DecodeScratch w) {
        int bytes = dtype.bytes(), per = TILE / STREAMS;
        long rowBytes = (long) hkv * d * bytes;
        int sink = 0;
        for (int t = 0; t < per; t++)
            for (long i = 0; i < rowBytes; i += LINE)
                for (int st = 0; st < STREAMS; st++) {
                    long at = w.token[st * per + t] * bytes + i;
                    sink += k.get(ValueLayout.JAVA_BYTE, at) + v.get(ValueLayout.JAVA_BYTE, at);
                }
        w.sink += sink; // kept, so the loads are not dead code
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
