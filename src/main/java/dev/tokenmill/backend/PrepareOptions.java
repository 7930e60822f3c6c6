package dev.tokenmill.backend;

import dev.tokenmill.Defaults;

/**
 * How to prepare an op: the input seed, and the working set that timed calls should rotate through
 * (0: one operand set; a bandwidth-bound benchmark passes a size above the last-level cache or L2).
 * {@code maxWorkingSetBytes} bounds the memory rotation may take.
 */
public record PrepareOptions(long seed, long minWorkingSetBytes, long maxWorkingSetBytes) {
    public PrepareOptions {
        if (minWorkingSetBytes < 0 || maxWorkingSetBytes < 0)
            throw new IllegalArgumentException("working-set sizes must be >= 0");
    }

    /** One operand set, the default seed. */
    public static PrepareOptions single() { return new PrepareOptions(Defaults.SEED, 0, 0); }

    /** Rotate through at least {@code bytes} of operands (bounded by {@link Defaults#MAX_ROTATION_BYTES}). */
    public static PrepareOptions rotating(long bytes) {
        return new PrepareOptions(Defaults.SEED, bytes, Defaults.MAX_ROTATION_BYTES);
    }

    /**
     * The seed of rotating operand set {@code i}. Sets are 1000 seeds apart so that no two share inputs (each set
     * derives its tensors' streams from a few consecutive seeds).
     */
    public long setSeed(int i) { return seed + 1000L * i; }

    /**
     * The seed of the fresh operand set {@code verify()} checks: never one of the timed sets', so a kernel cannot pass
     * by reading a stale output that an earlier call left in place.
     */
    public long verificationSeed() { return seed ^ 0x5DEECE66DL; }

    /** How many operand sets of {@code setBytes} each meet the working-set goal within the bound (at least 1). */
    public int sets(long setBytes) {
        if (minWorkingSetBytes <= setBytes) return 1;
        long want = (minWorkingSetBytes + setBytes - 1) / setBytes;
        long cap = Math.max(1, maxWorkingSetBytes / Math.max(1, setBytes));
        return (int) Math.min(Math.min(want, cap), 1024);
    }
}
