package dev.tokenmill.cpu;

import dev.tokenmill.op.LinearSpec;

/**
 * The CPU linear kernels {@code Y = X·W^T}: {@link PackedGemm} for prefill shapes (compute-bound), {@link StreamGemv}
 * for decode shapes (M ≤ {@link LinearSpec#DECODE_MAX_M}, bandwidth-bound).
 */
final class CpuLinear {
    private CpuLinear() {}

    /** Largest K: f32 panels of NR×K (GEMM) and 64 widened rows of X (GEMV) are indexed by int. */
    static final int MAX_K = 1 << 24;

    static CpuKernel of(LinearSpec spec, Mutant mutant) {
        if (spec.k() > MAX_K)
            throw new IllegalArgumentException("k must be at most " + MAX_K + " on the CPU backend, got " + spec.k());
        return spec.isDecodeShape() ? new StreamGemv(spec, mutant == Mutant.TAIL_LANE_DROPPED)
                                    : new PackedGemm(spec, mutant == Mutant.LAST_K_OF_BLOCK_SKIPPED);
    }
}
