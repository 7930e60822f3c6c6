package dev.tokenmill.backend;

/**
 * How to prepare an op: the input seed, and the working set that timed calls should rotate through
 * (0: one operand set; a bandwidth-bound benchmark passes a size above the last-level cache or L2).
 * {@code maxWorkingSetBytes} bounds the memory rotation may take.
 */
public record PrepareOptions(long seed, long minWorkingSetBytes, long maxWorkingSetBytes) {
    public static final long DEFAULT_SEED = 20261125L;

    public PrepareOptions {
        if (minWorkingSetBytes < 0 || maxWorkingSetBytes < 0)
            throw new IllegalArgumentException("working-set sizes must be >= 0");
    }

    /** One operand set, the default seed. */
    public static PrepareOptions single() { return new PrepareOptions(DEFAULT_SEED, 0, 0); }

    /** Rotate through at least {@code bytes} of operands (bounded by 8 GiB). */
    public static PrepareOptions rotating(long bytes) { return new PrepareOptions(DEFAULT_SEED, bytes, 8L << 30); }

    /** How many operand sets of {@code setBytes} each meet the working-set goal within the bound (at least 1). */
    public int sets(long setBytes) {
        if (minWorkingSetBytes <= setBytes) return 1;
        long want = (minWorkingSetBytes + setBytes - 1) / setBytes;
        long cap = Math.max(1, maxWorkingSetBytes / Math.max(1, setBytes));
        return (int) Math.min(Math.min(want, cap), 1024);
    }
}
