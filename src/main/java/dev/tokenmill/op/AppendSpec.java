package dev.tokenmill.op;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes each sequence's new k and v {@code [B,Hkv,D]} into its cache at position {@code seq_lens[b]}
 * (through the block table when paged). The cache's capacity must leave room for that token.
 */
public record AppendSpec(KvCache cache, DType dtype) implements OpSpec {
    public AppendSpec {
        Check.notNull("cache", cache);
        Check.notNull("dtype", dtype);
        for (int b = 0; b < cache.batch(); b++)
            if (cache.seqLen(b) >= cache.capacity())
                throw new IllegalArgumentException("seq_lens[" + b + "] = " + cache.seqLen(b)
                        + " leaves no room to append in a cache of capacity " + cache.capacity());
    }

    /** Every sequence at {@code context} tokens, in a cache with room for one more. */
    public static AppendSpec uniform(int batch, int kvHeads, int headDim, int context, KvLayout layout, int blockSize,
                                     DType dtype) {
        Check.range("context", context, 0, Integer.MAX_VALUE - 1);
        KvCache.checkShape(batch, kvHeads, headDim, context + 1, layout, blockSize);
        int[] lens = new int[batch];
        java.util.Arrays.fill(lens, context);
        return new AppendSpec(new KvCache(batch, kvHeads, headDim, lens, context + 1, layout, blockSize), dtype);
    }

    @Override public String op() { return "append"; }

    @Override public double flops() { return 0; }

    /** k and v read, then written into the cache. */
    @Override public long minBytes() {
        return 4L * cache.batch() * cache.kvHeads() * cache.headDim() * dtype.bytes();
    }

    @Override public Map<String, Object> shape() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("batch", cache.batch());
        s.put("kv_heads", cache.kvHeads());
        s.put("head_dim", cache.headDim());
        s.put("context", cache.maxSeqLen());
        s.put("layout", cache.layout().id());
        if (cache.layout() == KvLayout.PAGED) s.put("block_size", cache.blockSize());
        return s;
    }
}
