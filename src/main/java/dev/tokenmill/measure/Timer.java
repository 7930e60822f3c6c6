package dev.tokenmill.measure;

import dev.tokenmill.backend.PreparedOp;
import org.HdrHistogram.Histogram;

/**
 * Times a verified op: a warm-up, then samples until both a minimum time and a minimum sample count are reached.
 * Each sample is the device-timed mean of a batch of back-to-back calls; the batch is sized so that one sample
 * lasts at least {@link #MIN_SAMPLE_SECONDS} (timer resolution and launch gaps stay small against it). For ops
 * slower than that, a sample is one call and the percentiles are per-call latencies.
 */
public final class Timer {
    public static final double MIN_SAMPLE_SECONDS = 50e-6;

    private final double warmupSeconds, minSeconds;
    private final int minSamples, maxSamples;

    public Timer(double warmupSeconds, double minSeconds, int minSamples, int maxSamples) {
        if (warmupSeconds < 0 || minSeconds < 0 || minSamples < 1 || maxSamples < minSamples)
            throw new IllegalArgumentException("invalid timer settings");
        this.warmupSeconds = warmupSeconds;
        this.minSeconds = minSeconds;
        this.minSamples = minSamples;
        this.maxSamples = maxSamples;
    }

    /** Defaults for the op tool: 0.5 s warm-up, at least 2 s and 10 samples, at most 100000 samples. */
    public static Timer standard() { return new Timer(0.5, 2.0, 10, 100_000); }

    public LatencyStats time(PreparedOp op) {
        long warmEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        double probe;
        do {
            probe = op.secondsPerCall(1);
        } while (System.nanoTime() < warmEnd);
        int batch = (int) Math.min(10_000, Math.max(1, Math.ceil(MIN_SAMPLE_SECONDS / Math.max(probe, 1e-9))));
        Histogram h = new Histogram(3);
        long end = System.nanoTime() + (long) (minSeconds * 1e9);
        while (h.getTotalCount() < maxSamples && (h.getTotalCount() < minSamples || System.nanoTime() < end)) {
            h.recordValue(Math.max(1, Math.round(op.secondsPerCall(batch) * 1e9)));
        }
        return LatencyStats.of(h, batch);
    }
}
