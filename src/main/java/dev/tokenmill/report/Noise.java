package dev.tokenmill.report;

import org.apache.commons.statistics.distribution.BinomialDistribution;

import java.util.Arrays;

/**
 * How noisy a record's time is, from its samples (one per JMH measurement iteration, across forks): their median,
 * a distribution-free confidence interval of that median, and their coefficient of variation.
 * <p>
 * The interval is the narrowest pair of order statistics {@code [x(L), x(n+1-L)]} that covers the median with at
 * least the asked confidence, from the binomial distribution of how many samples fall below the median (the method
 * of benchstat's benchmath). It assumes nothing about the distribution's shape, which matters for timings (skewed,
 * often bimodal), and needs at least 6 samples at 95%: with 5, even {@code [min, max]} covers the median only 93.75%
 * of the time. Below that the interval is absent (null), never made up.
 *
 * @param n          the number of samples
 * @param medianMs   their median
 * @param ciLowMs    the interval's low end, or null with too few samples
 * @param ciHighMs   its high end, or null with too few samples
 * @param confidence the confidence asked for (the interval's true coverage is at least this)
 * @param cv         standard deviation over mean, or null for fewer than two samples
 */
public record Noise(int n, double medianMs, Double ciLowMs, Double ciHighMs, double confidence, Double cv) {

    /** The noise of {@code samplesMs} (at least one) at {@code confidence} (e.g. 0.95). */
    public static Noise of(double[] samplesMs, double confidence) {
        if (samplesMs.length == 0) throw new IllegalArgumentException("noise needs at least one sample");
        if (!(confidence > 0 && confidence < 1))
            throw new IllegalArgumentException("confidence must be between 0 and 1, got " + confidence);
        double[] x = samplesMs.clone();
        Arrays.sort(x);
        int n = x.length;
        int low = orderStatistic(n, confidence);
        return new Noise(n, median(x), low == 0 ? null : x[low - 1], low == 0 ? null : x[n - low], confidence, cv(x));
    }

    /**
     * The 1-based rank L of the interval's low end: the largest L whose interval {@code [x(L), x(n+1-L)]} misses the
     * median with probability {@code 2·P(B <= L-1) <= 1 - confidence}, B ~ Binomial(n, 1/2); 0 when no L does.
     */
    static int orderStatistic(int n, double confidence) {
        BinomialDistribution below = BinomialDistribution.of(n, 0.5);
        double alpha = 1 - confidence;
        int l = 0;
        while (l + 1 <= (n + 1) / 2 && 2 * below.cumulativeProbability(l) <= alpha) l++;
        return l;
    }

    /** The median of sorted values. */
    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static Double cv(double[] x) {
        if (x.length < 2) return null;
        double mean = Arrays.stream(x).average().orElseThrow();
        if (mean == 0) return null;
        double ss = 0;
        for (double v : x) ss += (v - mean) * (v - mean);
        return Math.sqrt(ss / (x.length - 1)) / mean;
    }

    /** The interval's half-width as a share of the median ({@code ±3.2%}), or null without an interval. */
    public Double halfWidth() {
        return ciLowMs == null || medianMs == 0 ? null : (ciHighMs - ciLowMs) / 2 / medianMs;
    }
}
