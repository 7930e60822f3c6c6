package dev.tokenmill.cpu;

/**
 * Deliberately broken variants of the CPU kernels, for {@code MutantsTest}: verification must refuse every one of them.
 * Production kernels are built with {@link #NONE} ({@link CpuBackend#kernel(dev.tokenmill.op.OpSpec)}); a test builds
 * a mutant with {@link CpuBackend#kernel(dev.tokenmill.op.OpSpec, Mutant)}. Each is one small change, chosen when the
 * kernel is built and applied outside the inner loops: what production kernels carry for them is a few branches that
 * are never taken and, per online-softmax rescale, a multiply by 1.
 */
enum Mutant {
    NONE,
    /** Attention (prefill, decode): the online softmax rescales its running sums by {@code exp(0.97·(m_old − m_new))}. */
    RESCALE_3_PERCENT_OFF,
    /** Prefill: every query also sees the key just after its own position. */
    CAUSAL_MASK_OFF_BY_ONE,
    /** Attention (prefill, decode): the query heads of KV head g's group read KV head g + 1. */
    WRONG_KV_HEAD,
    /** Decode, paged cache: a sequence's block j is looked up in its block-table entry j + 1. */
    BLOCK_TABLE_OFF_BY_ONE,
    /** GEMM: the last k of every K slice of {@link PackedGemm#KC} is skipped. */
    LAST_K_OF_BLOCK_SKIPPED,
    /** GEMV: the last element of K's scalar tail is dropped; decode: a ragged tile masks its last valid lane; copy: its last 4 bytes. */
    TAIL_LANE_DROPPED,
    /** Append: the new token is written one slot late. */
    APPEND_ONE_SLOT_LATE,
    /** Append: the new token is written where it belongs, and into the next slot too. */
    APPEND_STRAY_WRITE
}
