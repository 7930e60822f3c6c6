package dev.tokenmill.measure;

import dev.tokenmill.op.DType;
import dev.tokenmill.op.ModelPreset;

import java.util.List;
import java.util.Map;

/**
 * What one {@code ./tokenmill run} measures: which suites, on which backend, for which model and dtypes, and how
 * long JMH spends per trial. The full plan uses the suites' own parameter axes and JMH settings (for real
 * devices); the quick plan narrows them so a 2-core CPU finishes in about five minutes.
 */
public record RunPlan(List<String> suites, String backend, String model, List<DType> dtypes, boolean quick,
                      Map<String, Map<String, String[]>> params, Jmh jmh) {

    /** JMH settings; null fields keep the benchmarks' annotations. */
    public record Jmh(Integer forks, Integer warmupIterations, String warmupTime, Integer iterations,
                      String iterationTime) {}

    public static final List<String> SUITES = List.of("prefill", "decode");

    public static RunPlan of(String suite, String backend, String model, boolean quick) {
        List<String> suites = switch (suite.toLowerCase()) {
            case "all" -> SUITES;
            case "prefill", "decode" -> List.of(suite.toLowerCase());
            default -> throw new IllegalArgumentException("suite must be one of prefill, decode, all, got '" + suite + "'");
        };
        String m = ModelPreset.parse(model).id();
        if (!quick)
            return new RunPlan(suites, backend, m, List.of(DType.BF16, DType.F16, DType.F32), false, Map.of(),
                    new Jmh(null, null, null, null, null));
        return new RunPlan(suites, backend, m, List.of(DType.BF16), true,
                Map.of("prefill", Map.of("length", new String[]{"512"}),
                        "decode", Map.of("batch", new String[]{"1", "8"}, "length", new String[]{"1024", "8192"})),
                new Jmh(1, 1, "500ms", 2, "500ms"));
    }

    /** The JMH include pattern of a suite's benchmarks. */
    public static String includePattern(String suite) {
        return "dev\\.tokenmill\\.bench\\." + (suite.equals("prefill") ? "Prefill" : "Decode") + "Benchmarks\\..*";
    }
}
