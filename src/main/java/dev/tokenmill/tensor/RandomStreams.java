package dev.tokenmill.tensor;

/**
 * Random numbers by index: value {@code i} of stream {@code seed} is a pure function of the two, so a tensor fills in
 * parallel and any element can be regenerated later without a copy (verification compares a whole KV cache against
 * what it held before the append). The mixing function is SplitMix64's, the one {@link java.util.SplittableRandom}
 * applies to its counter.
 */
final class RandomStreams {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private RandomStreams() {}

    /** 64 random bits: element {@code i} of stream {@code seed}. */
    static long bits(long seed, long i) {
        long z = seed + (i + 1) * GOLDEN_GAMMA;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [-1, 1): element {@code i} of stream {@code seed}. */
    static double uniform(long seed, long i) {
        return (bits(seed, i) >>> 11) * 0x1.0p-52 - 1.0;
    }

    /** Uniform in [0, 1): element {@code i} of stream {@code seed}. */
    static double unit(long seed, long i) {
        return (bits(seed, i) >>> 11) * 0x1.0p-53;
    }

    /** A stream of its own for each {@code tag} under one seed (tags are small constants, seeds user-chosen). */
    static long stream(long seed, long tag) {
        return bits(seed, tag);
    }
}
