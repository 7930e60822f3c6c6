package dev.tokenmill.op;

import java.util.Arrays;

/**
 * The shape of a KV cache shared by decode and append: per-sequence lengths (ragged), KV heads, head dim,
 * layout and, for the paged layout, the block size. {@code capacity} is the longest sequence the cache holds.
 */
public record KvCache(int batch, int kvHeads, int headDim, int[] seqLens, int capacity, KvLayout layout,
                      int blockSize) {
    public static final int DEFAULT_BLOCK_SIZE = 16;

    /**
     * Most sequences in one cache: a million, far past any serving batch (engines run hundreds), and small enough
     * that the per-sequence arrays (lengths, block table rows) never strain the Java heap before the memory check.
     */
    public static final int MAX_BATCH = 1 << 20;

    public KvCache {
        checkShape(batch, kvHeads, headDim, capacity, layout, blockSize);
        Check.notNull("seq_lens", seqLens);
        if (seqLens.length != batch)
            throw new IllegalArgumentException("seq_lens has " + seqLens.length + " entries, batch is " + batch);
        seqLens = seqLens.clone();
        for (int b = 0; b < batch; b++)
            if (seqLens[b] < 0 || seqLens[b] > capacity)
                throw new IllegalArgumentException("seq_lens[" + b + "] must be in 0.." + capacity + ", got " + seqLens[b]);
        if (layout != KvLayout.PAGED) blockSize = 0;
    }

    /**
     * Checks a cache's dimensions before anything is allocated for it (the per-sequence lengths of a uniform cache
     * are an array of {@code batch} ints): each in range, the cache within 2^40 elements, and a paged cache's block
     * table within an int index.
     */
    static void checkShape(int batch, int kvHeads, int headDim, int capacity, KvLayout layout, int blockSize) {
        Check.positive("batch", batch);
        if (batch > MAX_BATCH)
            throw new IllegalArgumentException("batch must be at most " + MAX_BATCH + " sequences, got " + batch);
        Check.positive("kv-heads", kvHeads);
        Check.headDim(headDim);
        Check.notNull("layout", layout);
        Check.positive("capacity", capacity);
        if (layout == KvLayout.PAGED) {
            if (blockSize < 1 || blockSize > 256 || Integer.bitCount(blockSize) != 1)
                throw new IllegalArgumentException("block-size must be a power of two in 1..256, got " + blockSize);
            long blocks = (long) batch * blocksPerSequence(capacity, blockSize);
            if (blocks > Integer.MAX_VALUE)
                throw new IllegalArgumentException("the paged cache would need " + blocks + " blocks of " + blockSize
                        + " tokens, more than 2^31 - 1: give a larger --block-size or fewer tokens");
        }
        Check.elements("KV cache", batch, capacity, kvHeads, headDim);
    }

    /** Blocks holding {@code capacity} tokens, without the int overflow of {@code capacity + blockSize - 1}. */
    private static int blocksPerSequence(int capacity, int blockSize) {
        return (int) (((long) capacity + blockSize - 1) / blockSize);
    }

    @Override public int[] seqLens() { return seqLens.clone(); }

    public int seqLen(int b) { return seqLens[b]; }

    public long totalTokens() {
        long t = 0;
        for (int l : seqLens) t += l;
        return t;
    }

    public int maxSeqLen() { return Arrays.stream(seqLens).max().orElse(0); }

    public boolean isUniform() { return Arrays.stream(seqLens).allMatch(l -> l == seqLens[0]); }

    /** Blocks per sequence in the block table (paged layout). */
    public int maxBlocks() { return layout == KvLayout.PAGED ? blocksPerSequence(capacity, blockSize) : 0; }

    /** Blocks in each of the K and V pools: every sequence owns {@link #maxBlocks()} distinct blocks. */
    public int poolBlocks() { return batch * maxBlocks(); }

    /** Elements in each of the K and V caches. */
    public long cacheElements() {
        return layout == KvLayout.PAGED
                ? (long) poolBlocks() * blockSize * kvHeads * headDim
                : (long) batch * capacity * kvHeads * headDim;
    }

    @Override public boolean equals(Object o) {
        return o instanceof KvCache c && batch == c.batch && kvHeads == c.kvHeads && headDim == c.headDim
                && capacity == c.capacity && layout == c.layout && blockSize == c.blockSize
                && Arrays.equals(seqLens, c.seqLens);
    }

    @Override public int hashCode() {
        return Arrays.hashCode(seqLens) * 31 + java.util.Objects.hash(batch, kvHeads, headDim, capacity, layout, blockSize);
    }

    @Override public String toString() {
        return "KvCache[batch=" + batch + ", kvHeads=" + kvHeads + ", headDim=" + headDim + ", seqLens="
                + Arrays.toString(seqLens) + ", capacity=" + capacity + ", layout=" + layout + ", blockSize=" + blockSize + "]";
    }
}
