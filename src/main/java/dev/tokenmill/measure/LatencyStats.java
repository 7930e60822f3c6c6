package dev.tokenmill.measure;

import org.HdrHistogram.Histogram;

/** Per-call latency distribution of a timed op, in milliseconds (from an HdrHistogram of nanoseconds). */
public record LatencyStats(long samples, long callsPerSample, double meanMs, double p50Ms, double p90Ms, double p99Ms,
                           double p999Ms, double minMs, double maxMs) {

    public static LatencyStats of(Histogram h, long callsPerSample) {
        return new LatencyStats(h.getTotalCount(), callsPerSample, h.getMean() / 1e6,
                ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9), h.getMinValue() / 1e6, h.getMaxValue() / 1e6);
    }

    private static double ms(Histogram h, double percentile) { return h.getValueAtPercentile(percentile) / 1e6; }
}
