package dev.tokenmill.backend;

import dev.tokenmill.reference.Verification;

import java.util.Locale;

/**
 * The check of a compute-peak probe's arithmetic, the same on every device. A probe keeps {@code slots} fp32
 * accumulators per thread, starts slot {@code s} at {@code s} and adds the same {@code a·b} products to every slot,
 * so after a call slot {@code s} holds exactly {@code s + gain}: small integers whose sums stay below 2^24 are
 * exact in fp32 whatever the order and fusion of the additions. The output is slot-major: slot {@code s} of thread
 * {@code t} at {@code s·threads + t}.
 */
public final class PeakCheck {
    /** fp32 holds every integer below this exactly. */
    static final double EXACT_LIMIT = 1 << 24;

    private PeakCheck() {}

    /** The most steps a probe may run per call while every slot stays exact, when each step adds {@code gainPerStep}. */
    public static long maxSteps(int slots, double gainPerStep) {
        return (long) Math.floor((EXACT_LIMIT - slots) / gainPerStep);
    }

    /** Compares every slot of every thread with {@code s + gain}; exact equality is required (tolerance 0). */
    public static Verification check(float[] out, int slots, int threads, double gain) {
        if (out.length != (long) slots * threads)
            throw new IllegalArgumentException(out.length + " values for " + slots + " slots x " + threads + " threads");
        if (!(gain > 0 && slots + gain < EXACT_LIMIT))
            throw new IllegalArgumentException("a gain of " + gain + " per slot is not exact in fp32 (at most "
                    + (EXACT_LIMIT - slots) + ")");
        double worstErr = 0;
        String worst = "";
        long wrong = 0;
        for (int s = 0; s < slots; s++) {
            double expected = s + gain;
            for (int t = 0; t < threads; t++) {
                float got = out[s * threads + t];
                if (got == expected) continue;
                wrong++;
                double err = Float.isNaN(got) ? Double.POSITIVE_INFINITY : Math.abs(got - expected) / expected;
                if (wrong == 1 || err > worstErr) {
                    worstErr = err;
                    worst = String.format(Locale.ROOT, "slot %d of thread %d = %s, expected %.1f", s, t, got, expected);
                }
            }
        }
        return new Verification(wrong == 0, worstErr, 0, out.length, wrong == 0 ? "" : worst + " (" + wrong + " wrong)");
    }
}
