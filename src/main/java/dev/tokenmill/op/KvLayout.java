package dev.tokenmill.op;

/** How a KV cache is laid out in memory. */
public enum KvLayout {
    /** Pools {@code [blocks, blockSize, Hkv, D]} addressed through {@code block_table[B, maxBlocks]}. */
    PAGED,
    /** One slab per sequence, {@code [B, maxLen, Hkv, D]}. */
    CONTIGUOUS;

    public String id() { return name().toLowerCase(); }
}
