package dev.tokenmill.tensor;

import java.util.stream.LongStream;

/**
 * {@link HostTensor#fillRandom}'s values, written in parallel: element {@code i} is the {@code i}-th
 * {@code nextDouble()} of {@code new SplittableRandom(seed)}, scaled to [-1, 1) and rounded to the dtype, bit for
 * bit what one thread drawing them in order writes (every backend and the verification read these operands, so
 * the values are fixed by the seed). SplittableRandom is SplitMix64: its {@code k}-th draw (from 1) mixes
 * {@code seed + k·γ}, so any chunk can start at its own element. {@code RandomFillTest} holds this to the JDK's
 * SplittableRandom. A large KV cache (tens of GB) fills in seconds on a many-core host instead of minutes.
 */
final class RandomFill {
    /** The increment of a SplittableRandom made from a seed (the JDK's {@code GOLDEN_GAMMA}). */
    private static final long GAMMA = 0x9e3779b97f4a7c15L;
    /** Elements per task: a task outweighs its scheduling by far, and there are enough tasks to balance the cores. */
    static final long CHUNK = 1 << 20;

    private RandomFill() {}

    static void fill(HostTensor t, long seed) {
        long n = t.elements();
        if (n <= CHUNK) {
            fill(t, seed, 0, n);
            return;
        }
        LongStream.range(0, (n + CHUNK - 1) / CHUNK).parallel()
                .forEach(c -> fill(t, seed, c * CHUNK, Math.min(n, (c + 1) * CHUNK)));
    }

    /** Elements {@code [from, to)}. */
    private static void fill(HostTensor t, long seed, long from, long to) {
        long state = seed + from * GAMMA;
        for (long i = from; i < to; i++) {
            state += GAMMA;
            double uniform = (mix64(state) >>> 11) * 0x1.0p-53; // RandomGenerator.nextDouble()
            t.set(i, (float) (uniform * 2 - 1));
        }
    }

    /** SplittableRandom's output function (Stafford's variant 13 of MurmurHash3's finalizer). */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
