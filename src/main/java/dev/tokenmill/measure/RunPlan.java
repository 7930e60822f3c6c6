package dev.tokenmill.measure;

import dev.tokenmill.op.DType;
import dev.tokenmill.op.ModelPreset;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What one {@code ./tokenmill run} measures: which suites, on which backend, for which model and dtypes, how
 * long JMH spends per trial, and which model passes it rolls up (their ops are measured too, where the suites'
 * axes leave them out). The full plan uses the suites' own parameter axes and JMH settings (for real devices);
 * the quick plan narrows them so a 2-core CPU finishes in about five minutes.
 *
 * @param rollup the passes to roll up, or null for none
 */
public record RunPlan(List<String> suites, String backend, String model, List<DType> dtypes, boolean quick,
                      Map<String, Map<String, String[]>> params, Jmh jmh, RollupPlan rollup) {

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
    }

    public static final List<String> SUITES = List.of("prefill", "decode");

    /** Decode roll-ups attend over this many cached tokens: a long chat or a document, on both plans' axes. */
    public static final int ROLLUP_CONTEXT = 8192;

    public static RunPlan of(String suite, String backend, String model, boolean quick) {
        List<String> suites = switch (suite.toLowerCase()) {
            case "all" -> SUITES;
            case "prefill", "decode" -> List.of(suite.toLowerCase());
            default -> throw new IllegalArgumentException("suite must be one of prefill, decode, all, got '" + suite + "'");
        };
        ModelPreset preset = ModelPreset.parse(model);
        String m = preset.id();
        if (!quick)
            return new RunPlan(suites, backend, m, List.of(DType.BF16, DType.F16, DType.F32), false, Map.of(),
                    new Jmh(null, null, null, null, null),
                    new RollupPlan(preset, DType.BF16, 2048, List.of(1, 8, 32, 128), ROLLUP_CONTEXT));
        return new RunPlan(suites, backend, m, List.of(DType.BF16), true,
                Map.of("prefill", Map.of("length", new String[]{"512"}),
                        "decode", Map.of("batch", new String[]{"1", "8"}, "length", new String[]{"1024", "8192"})),
                // two warm-up iterations: in a fresh fork, C2 compiles a CPU kernel's loops 0.5-1 s after its first call
                new Jmh(1, 2, "500ms", 2, "500ms"),
                new RollupPlan(preset, DType.BF16, 512, List.of(1, 8, 32), ROLLUP_CONTEXT));
    }

    /** The JMH include pattern of a suite's benchmarks. */
    public static String includePattern(String suite) {
        return SuiteAxes.PACKAGE.replace(".", "\\.") + (suite.equals("prefill") ? "Prefill" : "Decode") + "Benchmarks\\..*";
    }
}
