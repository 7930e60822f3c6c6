package dev.tokenmill.op;

import java.util.Arrays;

/**
 * The shape of a KV cache shared by decode and append: per-sequence lengths (ragged), KV heads, head dim,
 * layout and, for the paged layout, the block size. {@code capacity} is the longest sequence the cache holds.
 */
public record KvCache(int batch, int kvHeads, int headDim, int[] seqLens, int capacity, KvLayout layout,
                      int blockSize) {
    public static final int DEFAULT_BLOCK_SIZE = 16;

    public KvCache {
        Check.positive("batch", batch);
        Check.positive("kv-heads", kvHeads);
        Check.headDim(headDim);
        Check.notNull("seq_lens", seqLens);
        Check.notNull("layout", layout);
        if (seqLens.length != batch)
            throw new IllegalArgumentException("seq_lens has " + seqLens.length + " entries, batch is " + batch);
        seqLens = seqLens.clone();
        for (int b = 0; b < batch; b++)
            if (seqLens[b] < 0 || seqLens[b] > capacity)
                throw new IllegalArgumentException("seq_lens[" + b + "] must be in 0.." + capacity + ", got " + seqLens[b]);
        Check.positive("capacity", capacity);
        if (layout == KvLayout.PAGED) {
            if (blockSize < 1 || blockSize > 256 || Integer.bitCount(blockSize) != 1)
                throw new IllegalArgumentException("block-size must be a power of two in 1..256, got " + blockSize);
        } else {
            blockSize = 0;
        }
        Check.elements("KV cache", batch, capacity, kvHeads, headDim);
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
    public int maxBlocks() { return layout == KvLayout.PAGED ? (capacity + blockSize - 1) / blockSize : 0; }

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
