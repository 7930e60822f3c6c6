package dev.tokenmill.measure;

import dev.tokenmill.backend.PreparedOp;
import org.HdrHistogram.Histogram;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Times a verified op: a warm-up, then samples until both a minimum time and a minimum sample count are reached.
 * The warm-up lasts at least its set time and then goes on until the op is steady: a window of calls (0.1 s, at
 * least 5 and at most 64 calls) during which the JIT compiled nothing and whose median agrees with the previous
 * window's within {@link #STEADY}; at most four times the set time. On the CPU, C2 compiles a kernel's loops only
 * after some hundred calls: a 15 ms decode call gets there a second or more after its first call, and the
 * C1-compiled calls before it are steady too, so agreement alone would stop too early.
 * Each sample is the device-timed mean of a batch of back-to-back calls; the batch is sized so that one sample
 * lasts at least {@link #MIN_SAMPLE_SECONDS} (timer resolution and launch gaps stay small against it), and the
 * device may round it up ({@link PreparedOp#timedCalls}: a GPU times whole graph replays). For ops slower than
 * that, a sample is one call (on a GPU, one replay) and the percentiles are of those.
 */
public final class Timer {
    public static final double MIN_SAMPLE_SECONDS = 50e-6;
    /** Relative difference between two warm-up windows' medians below which the op counts as steady. */
    static final double STEADY = 0.03;
    private static final double WINDOW_SECONDS = 0.1;
    private static final int WINDOW_MIN_CALLS = 5, WINDOW_MAX_CALLS = 64;
    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

    private final double warmupSeconds, minSeconds;
    private final int minSamples, maxSamples;
    /** Milliseconds the JIT has spent compiling so far (constant where the JVM cannot tell). */
    private final LongSupplier compileMillis;

    public Timer(double warmupSeconds, double minSeconds, int minSamples, int maxSamples) {
        this(warmupSeconds, minSeconds, minSamples, maxSamples, Timer::jitMillis);
    }

    Timer(double warmupSeconds, double minSeconds, int minSamples, int maxSamples, LongSupplier compileMillis) {
        if (!(warmupSeconds >= 0)) throw new IllegalArgumentException("warm-up must be >= 0 seconds, got " + warmupSeconds);
        if (!(minSeconds >= 0)) throw new IllegalArgumentException("minimum time must be >= 0 seconds, got " + minSeconds);
        if (minSamples < 1) throw new IllegalArgumentException("minimum samples must be >= 1, got " + minSamples);
        if (maxSamples < minSamples)
            throw new IllegalArgumentException("maximum samples (" + maxSamples + ") must be >= minimum samples (" + minSamples + ")");
        this.warmupSeconds = warmupSeconds;
        this.minSeconds = minSeconds;
        this.minSamples = minSamples;
        this.maxSamples = maxSamples;
        this.compileMillis = compileMillis;
    }

    public LatencyStats time(PreparedOp op) {
        double probe = warmUp(op);
        int batch = (int) Math.min(10_000, Math.max(1, Math.ceil(MIN_SAMPLE_SECONDS / Math.max(probe, 1e-9))));
        Histogram h = new Histogram(3);
        long end = System.nanoTime() + (long) (minSeconds * 1e9);
        while (h.getTotalCount() < maxSamples && (h.getTotalCount() < minSamples || System.nanoTime() < end)) {
            h.recordValue(Math.max(1, Math.round(op.secondsPerCall(batch) * 1e9)));
        }
        return LatencyStats.of(h, op.timedCalls(batch));
    }

    /** Untimed calls as the class comment says; returns the last window's median seconds per call. */
    double warmUp(PreparedOp op) {
        if (warmupSeconds == 0) return op.secondsPerCall(1);
        long start = System.nanoTime(), minEnd = start + (long) (warmupSeconds * 1e9);
        long maxEnd = start + (long) (4 * warmupSeconds * 1e9);
        double previous = Double.NaN;
        while (true) {
            long compiled = compileMillis.getAsLong();
            double median = windowMedian(op, maxEnd);
            boolean quiet = compileMillis.getAsLong() == compiled;
            long now = System.nanoTime();
            if (now >= maxEnd || now >= minEnd && quiet && Math.abs(median - previous) <= STEADY * previous)
                return median;
            previous = median;
        }
    }

    private static double windowMedian(PreparedOp op, long deadline) {
        double[] calls = new double[WINDOW_MAX_CALLS];
        int n = 0;
        long end = System.nanoTime() + (long) (WINDOW_SECONDS * 1e9);
        do {
            calls[n++] = op.secondsPerCall(1);
        } while (n < WINDOW_MAX_CALLS && (n < WINDOW_MIN_CALLS || System.nanoTime() < end)
                && System.nanoTime() < deadline);
        Arrays.sort(calls, 0, n);
        return calls[n / 2];
    }

    private static long jitMillis() {
        return JIT != null && JIT.isCompilationTimeMonitoringSupported() ? JIT.getTotalCompilationTime() : 0;
    }
}
