package dev.tokenmill.measure;

import dev.tokenmill.backend.PreparedOp;
import org.HdrHistogram.Histogram;

/**
 * Times a verified op: a warm-up, then samples until both a minimum time and a minimum sample count are reached.
 * The warm-up lasts at least its set time and then goes on until the op is steady: two successive windows of
 * calls whose medians agree within {@link #STEADY} (on the CPU, C2 compiles a kernel's loops only after some
 * hundred calls, and a decode call of 15 ms gets there a second or more after the first call), for at most ten
 * times the set time.
 * Each sample is the device-timed mean of a batch of back-to-back calls; the batch is sized so that one sample
 * lasts at least {@link #MIN_SAMPLE_SECONDS} (timer resolution and launch gaps stay small against it). For ops
 * slower than that, a sample is one call and the percentiles are per-call latencies.
 */
public final class Timer {
    public static final double MIN_SAMPLE_SECONDS = 50e-6;
    /** Relative difference between two warm-up windows' medians below which the op counts as steady. */
    static final double STEADY = 0.03;
    /** A warm-up window: at least this long and {@link #WINDOW_CALLS} calls. */
    static final double WINDOW_SECONDS = 0.1;
    static final int WINDOW_CALLS = 5;

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

    public LatencyStats time(PreparedOp op) {
        double probe = warmUp(op);
        int batch = (int) Math.min(10_000, Math.max(1, Math.ceil(MIN_SAMPLE_SECONDS / Math.max(probe, 1e-9))));
        Histogram h = new Histogram(3);
        long end = System.nanoTime() + (long) (minSeconds * 1e9);
        while (h.getTotalCount() < maxSamples && (h.getTotalCount() < minSamples || System.nanoTime() < end)) {
            h.recordValue(Math.max(1, Math.round(op.secondsPerCall(batch) * 1e9)));
        }
        return LatencyStats.of(h, batch);
    }

    /** Untimed calls as the class comment says; returns the last window's median seconds per call. */
    double warmUp(PreparedOp op) {
        if (warmupSeconds == 0) return op.secondsPerCall(1);
        long start = System.nanoTime(), minEnd = start + (long) (warmupSeconds * 1e9);
        long maxEnd = start + (long) (10 * warmupSeconds * 1e9);
        double previous = Double.NaN;
        while (true) {
            double median = windowMedian(op);
            long now = System.nanoTime();
            if (now >= maxEnd || now >= minEnd && Math.abs(median - previous) <= STEADY * previous) return median;
            previous = median;
        }
    }

    private static double windowMedian(PreparedOp op) {
        double[] calls = new double[64];
        int n = 0;
        long end = System.nanoTime() + (long) (WINDOW_SECONDS * 1e9);
        while (n < WINDOW_CALLS || System.nanoTime() < end && n < calls.length) calls[n++] = op.secondsPerCall(1);
        java.util.Arrays.sort(calls, 0, n);
        return calls[n / 2];
    }
}
