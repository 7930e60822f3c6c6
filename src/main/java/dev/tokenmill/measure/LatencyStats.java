package dev.tokenmill.measure;

import org.HdrHistogram.Histogram;

import java.util.List;

/**
 * Latency distribution of a timed op, in milliseconds per call (from an HdrHistogram of nanoseconds): each sample is
 * the mean over {@code callsPerSample} calls (one call, or on a GPU a whole graph replay), and why the
 * timer does not trust it to be steady ({@code unsteady}, empty when it does; see {@link Timer}).
 */
public record LatencyStats(long samples, long callsPerSample, double meanMs, double p50Ms, double p90Ms, double p99Ms,
                           double p999Ms, double minMs, double maxMs, List<String> unsteady) {
    public LatencyStats {
        unsteady = List.copyOf(unsteady);
    }

    public static LatencyStats of(Histogram h, long callsPerSample, List<String> unsteady) {
        return new LatencyStats(h.getTotalCount(), callsPerSample, h.getMean() / 1e6,
                ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9), h.getMinValue() / 1e6, h.getMaxValue() / 1e6, unsteady);
    }

    /** Whether the timer's own signals say the figure is steady. */
    public boolean steady() { return unsteady.isEmpty(); }

    private static double ms(Histogram h, double percentile) { return h.getValueAtPercentile(percentile) / 1e6; }
}
