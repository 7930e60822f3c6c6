package dev.tokenmill.measure;

import dev.tokenmill.Defaults;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.ModelPreset;
import dev.tokenmill.op.Workloads;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What one {@code ./tokenmill run} measures: which suites, on which backend, for which model and dtypes, how
 * long JMH spends per trial, and which model passes it rolls up (their ops are measured too, where the suites'
 * axes leave them out). Three sizes ({@link Size}): the full plan uses the suites' own parameter axes (for real
 * devices); the CI plan covers every op family at the shapes the roll-up needs, within ten minutes on a 2-core CPU;
 * the quick plan is a smoke run. Every size takes enough samples per trial for a finite 95% interval of the median
 * (six at least, see {@link dev.tokenmill.report.Noise}).
 *
 * @param rollup the passes to roll up, or null for none
 */
public record RunPlan(List<String> suites, String backend, String model, List<DType> dtypes, Size size,
                      Map<String, Map<String, String[]>> params, Jmh jmh, RollupPlan rollup) {

    /** How much a run measures. */
    public enum Size {
        /** A smoke run: bf16, one shape per op, one fork of six short iterations: a minute or two on a small CPU. */
        QUICK,
        /** Sized for CI: bf16, every op family at the roll-up's shapes, two forks: under ten minutes on 2 cores. */
        CI,
        /** Every shape and dtype of the suites' axes, two forks: sized for GPUs (hours on a small CPU). */
        FULL;

        public String id() { return name().toLowerCase(Locale.ROOT); }

        /**
         * The size of a run without {@code --quick} or {@code --full}: the full suite on a GPU, the CI-sized one on the
         * CPU backend, since a machine whose best device is its CPU is most often a CI runner, and the full suite takes
         * hours there.
         */
        public static Size defaultFor(String backendName) { return backendName.equals("cpu") ? CI : FULL; }
    }

    /** JMH settings; null fields keep the benchmarks' annotations. */
    public record Jmh(Integer forks, Integer warmupIterations, String warmupTime, Integer iterations,
                      String iterationTime) {

        /**
         * These settings with measurement iterations lengthened, where needed, so that together they last at least
         * {@code seconds} (an energy window must); the suites' annotations (5 x 1 s) already do.
         */
        public Jmh measuringAtLeast(double seconds) {
            if (iterations == null || iterationTime == null || iterations < 1) return this;
            long ms = TimeValue.fromString(iterationTime).convertTo(TimeUnit.MILLISECONDS);
            long needed = (long) Math.ceil(seconds * 1e3 / iterations);
            return ms >= needed ? this : new Jmh(forks, warmupIterations, warmupTime, iterations, needed + "ms");
        }

        /** These settings, with {@code annotated}'s values where these are null. */
        public Jmh orElse(Jmh annotated) {
            return new Jmh(forks != null ? forks : annotated.forks,
                    warmupIterations != null ? warmupIterations : annotated.warmupIterations,
                    warmupIterations != null ? warmupTime : annotated.warmupTime,
                    iterations != null ? iterations : annotated.iterations,
                    iterations != null ? iterationTime : annotated.iterationTime);
        }

        /**
         * About how long one trial takes with these (complete) settings: per fork, the start-up estimate plus the
         * warm-up and measurement iterations (forks = 0 runs in this VM, once). An estimate: a call longer than an
         * iteration stretches that iteration, and operand set-up varies with the op's size.
         */
        public double estimatedSeconds() {
            return Math.max(1, forks) * (Defaults.FORK_START_SECONDS
                    + warmupIterations * seconds(warmupTime) + iterations * seconds(iterationTime));
        }

        private static double seconds(String time) {
            return TimeValue.fromString(time).convertTo(TimeUnit.MICROSECONDS) / 1e6;
        }

        /** {@code 2 forks x (2 x 500ms warm-up + 5 x 200ms measured)}. */
        public String describe() {
            return forks + (forks == 1 ? " fork" : " forks") + " x (" + warmupIterations + " x " + warmupTime
                    + " warm-up + " + iterations + " x " + iterationTime + " measured)";
        }
    }

    public static final List<String> SUITES = Workloads.SUITES;

    /** Decode roll-ups attend over this many cached tokens: a long chat or a document, on every plan's axes. */
    public static final int ROLLUP_CONTEXT = 8192;

    public static RunPlan of(String suite, String backend, String model, Size size) {
        List<String> suites = suites(suite);
        ModelPreset preset = ModelPreset.parse(model);
        String m = preset.id();
        // Warm-up of two 500 ms iterations in the small plans: in a fresh fork, C2 compiles a CPU kernel's loops
        // 0.5-1 s after its first call. Measurement iterations are short there: a call longer than an iteration
        // still makes one sample, and it is the fork start (about 5 s, Defaults.FORK_START_SECONDS) that costs.
        return switch (size) {
            case FULL -> new RunPlan(suites, backend, m, List.of(DType.BF16, DType.F16, DType.F32), size, Map.of(),
                    new Jmh(Defaults.RUN_FORKS, null, null, Defaults.RUN_ITERATIONS, "500ms"),
                    new RollupPlan(preset, DType.BF16, 2048, List.of(1, 8, 32, 128), ROLLUP_CONTEXT));
            case CI -> new RunPlan(suites, backend, m, List.of(DType.BF16), size,
                    Map.of("prefill", Map.of("length", new String[]{"512"}),
                            "decode", Map.of("batch", new String[]{"1", "8"}, "length", new String[]{"8192"})),
                    new Jmh(Defaults.RUN_FORKS, 2, "500ms", Defaults.RUN_ITERATIONS, "200ms"),
                    new RollupPlan(preset, DType.BF16, 512, List.of(1, 8), ROLLUP_CONTEXT));
            case QUICK -> new RunPlan(suites, backend, m, List.of(DType.BF16), size,
                    Map.of("prefill", Map.of("length", new String[]{"512"}),
                            "decode", Map.of("batch", new String[]{"1"}, "length", new String[]{"8192"},
                                    "layout", new String[]{"paged"})),
                    new Jmh(1, 2, "500ms", Defaults.QUICK_ITERATIONS, "100ms"),
                    new RollupPlan(preset, DType.BF16, 512, List.of(1), ROLLUP_CONTEXT));
        };
    }

    /** Whether this is the smoke-run plan. */
    public boolean quick() { return size == Size.QUICK; }

    /** The suites {@code all}, {@code prefill} or {@code decode} names; anything else is refused naming the choices. */
    public static List<String> suites(String suite) {
        return switch (suite.toLowerCase(Locale.ROOT)) {
            case "all" -> SUITES;
            case "prefill", "decode" -> List.of(suite.toLowerCase(Locale.ROOT));
            default -> throw new IllegalArgumentException("suite must be one of prefill, decode, all, got '" + suite + "'");
        };
    }

    /** The JMH include pattern of a suite's benchmarks. */
    public static String includePattern(String suite) {
        return SuiteAxes.PACKAGE.replace(".", "\\.") + (suite.equals("prefill") ? "Prefill" : "Decode") + "Benchmarks\\..*";
    }
}
