package dev.tokenmill.measure;

import dev.tokenmill.backend.Timed;
import org.HdrHistogram.Histogram;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
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
 * device may round it up ({@link Timed#timedCalls}: a GPU times whole graph replays). For ops slower than
 * that, a sample is one call (on a GPU, one replay) and the percentiles are of those.
 * <p>
 * The result says when its own signals show it is not steady ({@link LatencyStats#unsteady()}): no warm-up at all;
 * a warm-up that reached its cap with the JIT still compiling, or before two windows agreed; fewer than
 * {@link #STEADY_MIN_SAMPLES} samples; or a spread so wide that the p90 is more than {@link #STEADY_MAX_P90_RATIO}
 * times the median. Such a figure is still reported, never silently: a short {@code --warmup} on a fresh JVM can
 * time interpreted code at a hundred times the compiled kernel's time.
 */
public final class Timer {
    public static final double MIN_SAMPLE_SECONDS = 50e-6;
    /** Relative difference between two warm-up windows' medians below which the op counts as steady. */
    static final double STEADY = 0.03;
    /** Fewer samples than this and the median moves with every outlier (as {@code op}'s own minimum). */
    static final int STEADY_MIN_SAMPLES = 10;
    /**
     * A p90 more than twice the median: the calls did not settle on one time (a JIT still compiling, a busy machine,
     * a device changing clocks). A steady 64x64x64 linear on a busy 2-core machine measured 1.6.
     */
    static final double STEADY_MAX_P90_RATIO = 2.0;
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

    public LatencyStats time(Timed op) { return time(op, phase -> {}); }

    /** {@link #time(Timed)}, telling {@code phases} when the warm-up and the timing begin, in words. */
    public LatencyStats time(Timed op, Consumer<String> phases) {
        phases.accept(warmupSeconds == 0 ? "no warm-up: one probe call"
                : String.format(Locale.ROOT, "warming up: %s to %s s, until the JIT is quiet and two windows agree",
                warmupSeconds, 4 * warmupSeconds));
        WarmUp warm = warmUp(op);
        phases.accept(String.format(Locale.ROOT, "timing: at least %s s and %d samples", minSeconds, minSamples));
        double probe = warm.secondsPerCall();
        int batch = (int) Math.min(10_000, Math.max(1, Math.ceil(MIN_SAMPLE_SECONDS / Math.max(probe, 1e-9))));
        Histogram h = new Histogram(3);
        long end = System.nanoTime() + (long) (minSeconds * 1e9);
        while (h.getTotalCount() < maxSamples && (h.getTotalCount() < minSamples || System.nanoTime() < end)) {
            h.recordValue(Math.max(1, Math.round(op.secondsPerCall(batch) * 1e9)));
        }
        List<String> unsteady = new ArrayList<>(warm.unsteady());
        if (h.getTotalCount() < STEADY_MIN_SAMPLES)
            unsteady.add("only " + h.getTotalCount() + " samples (fewer than " + STEADY_MIN_SAMPLES + ")");
        double ratio = (double) h.getValueAtPercentile(90) / h.getValueAtPercentile(50);
        if (ratio > STEADY_MAX_P90_RATIO)
            unsteady.add(String.format(Locale.ROOT, "a wide spread: the p90 is %.2f times the median", ratio));
        return LatencyStats.of(h, op.timedCalls(batch), unsteady);
    }

    /** How a warm-up ended: its last window's median seconds per call, and why it is not steady (empty when it is). */
    record WarmUp(double secondsPerCall, List<String> unsteady) {}

    /** Untimed calls as the class comment says. */
    WarmUp warmUp(Timed op) {
        if (warmupSeconds == 0)
            return new WarmUp(op.secondsPerCall(1), List.of("no warm-up: the timed calls include the first ones"));
        long start = System.nanoTime(), minEnd = start + (long) (warmupSeconds * 1e9);
        long maxEnd = start + (long) (4 * warmupSeconds * 1e9);
        double previous = Double.NaN;
        while (true) {
            long compiled = compileMillis.getAsLong();
            double median = windowMedian(op, maxEnd);
            boolean quiet = compileMillis.getAsLong() == compiled;
            double change = Math.abs(median - previous) / previous;
            boolean agree = change <= STEADY;
            long now = System.nanoTime();
            if (now >= minEnd && quiet && agree) return new WarmUp(median, List.of());
            if (now >= maxEnd) {
                List<String> why = new ArrayList<>();
                if (!quiet) why.add("with the JIT still compiling");
                if (!agree) why.add(Double.isNaN(change) ? "after one window, before two could agree"
                        : String.format(Locale.ROOT, "before two windows agreed (the last two differ by %.0f%%)", 100 * change));
                return new WarmUp(median, List.of(String.format(Locale.ROOT, "the warm-up reached its cap (4 x %s s) %s",
                        warmupSeconds, String.join(" and ", why))));
            }
            previous = median;
        }
    }

    private static double windowMedian(Timed op, long deadline) {
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
