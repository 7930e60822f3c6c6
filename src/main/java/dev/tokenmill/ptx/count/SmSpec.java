package dev.tokenmill.ptx.count;

/**
 * The per-SM limits that bound how many CTAs of a launch can be resident at once (CUDA occupancy
 * calculator inputs). {@code reservedSharedPerCta} is the shared memory the driver keeps per CTA.
 */
public record SmSpec(String name, int maxThreads, int maxWarps, int maxCtas, int sharedBytes,
                     int maxSharedPerCta, int reservedSharedPerCta, int registers) {
    /** A100 (sm_80): 164 KiB of shared memory per SM, up to 163 KiB per CTA, 64K registers. */
    public static final SmSpec A100 = new SmSpec("A100 (sm_80)", 2048, 64, 32, 167936, 166912, 1024, 65536);
    /** H100/H200 (sm_90): 228 KiB of shared memory per SM, up to 227 KiB per CTA, 64K registers. */
    public static final SmSpec H100 = new SmSpec("H100 (sm_90)", 2048, 64, 32, 233472, 232448, 1024, 65536);
}
