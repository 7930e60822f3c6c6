package dev.tokenmill.op;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One new query token per sequence attending over its KV cache: q {@code [B,Hq,D]}, o {@code [B,Hq,D]},
 * ragged lengths {@code seq_lens[B]}, paged or contiguous cache. Bandwidth-bound: every cached K and V is read.
 */
public record DecodeSpec(int heads, KvCache cache, DType dtype) implements OpSpec {
    public DecodeSpec {
        Check.notNull("cache", cache);
        Check.notNull("dtype", dtype);
        Check.gqa(heads, cache.kvHeads());
        Check.elements("q", cache.batch(), heads, cache.headDim());
        for (int b = 0; b < cache.batch(); b++)
            if (cache.seqLen(b) < 1)
                throw new IllegalArgumentException("seq_lens[" + b + "] must be >= 1 for decode, got " + cache.seqLen(b));
    }

    /** All sequences at the same context length; the cache holds exactly that many tokens. */
    public static DecodeSpec uniform(int batch, int heads, int kvHeads, int headDim, int context, KvLayout layout,
                                     int blockSize, DType dtype) {
        Check.positive("context", context);
        KvCache.checkShape(batch, kvHeads, headDim, context, layout, blockSize);
        int[] lens = new int[batch];
        java.util.Arrays.fill(lens, context);
        return new DecodeSpec(heads, new KvCache(batch, kvHeads, headDim, lens, context, layout, blockSize), dtype);
    }

    public int batch() { return cache.batch(); }

    public int kvHeads() { return cache.kvHeads(); }

    public int headDim() { return cache.headDim(); }

    @Override public String op() { return "decode"; }

    @Override public double flops() { return 4.0 * cache.totalTokens() * heads * cache.headDim(); }

    /** K and V of every cached token, plus q read and o written. */
    @Override public long minBytes() {
        long kv = 2L * cache.totalTokens() * cache.kvHeads() * cache.headDim();
        long qo = 2L * cache.batch() * heads * cache.headDim();
        return (kv + qo) * dtype.bytes();
    }

    @Override public Map<String, Object> shape() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("batch", cache.batch());
        s.put("heads", heads);
        s.put("kv_heads", cache.kvHeads());
        s.put("head_dim", cache.headDim());
        s.put("context", cache.maxSeqLen());
        if (!cache.isUniform()) s.put("total_tokens", cache.totalTokens());
        s.put("layout", cache.layout().id());
        if (cache.layout() == KvLayout.PAGED) s.put("block_size", cache.blockSize());
        return s;
    }
}
