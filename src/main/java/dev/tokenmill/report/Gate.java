package dev.tokenmill.report;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The regression gate of {@code compare --max-regression}: a new run fails when any record is significantly slower
 * than the base (Mann-Whitney U, p below alpha) and its estimated slowdown exceeds the allowed share. Both are needed:
 * significance alone would fail on a real but harmless 0.5% change, the threshold alone on noise. It also fails a new
 * run that is partial, or that lost records the base measured ({@link Changes#lost()}: skipped, crashed, or missing
 * under the same plan), since what was not measured cannot be shown not to regress. Records a run could not test (no
 * samples) and records a different plan leaves out never fail it; the report lists them.
 *
 * @param maxRegression the slowdown allowed, as a share (0.05 = 5%)
 * @param regressions   the records that fail the gate by their time
 * @param lost          the base's records the new run did not measure, failing the gate
 * @param newPartial    why the new run stopped before its end, failing the gate; null for a whole run
 * @param compared      the records both runs measured
 * @param untested      of those, the ones without samples in a run
 */
public record Gate(double maxRegression, List<Changes.Row> regressions, List<Changes.Only> lost, String newPartial,
                   int compared, long untested, int onlyInBase, int onlyInNew) {

    public static Gate of(Changes changes, double maxRegression) {
        return new Gate(maxRegression, changes.regressions(maxRegression), changes.lost(), changes.newPartial(),
                changes.records().size(), changes.untested(), changes.onlyInBase().size(), changes.onlyInNew().size());
    }

    @JsonProperty("passed") public boolean passed() { return regressions.isEmpty() && lost.isEmpty() && newPartial == null; }

    /**
     * A share given as a percentage: {@code 5%} or {@code 5} is 0.05. Throws {@link IllegalArgumentException} with
     * one sentence for anything else.
     */
    public static double parsePercent(String text) {
        String t = text.strip();
        String number = t.endsWith("%") ? t.substring(0, t.length() - 1).strip() : t;
        double v;
        try {
            v = Double.parseDouble(number);
        } catch (NumberFormatException e) {
            v = Double.NaN;
        }
        if (!Double.isFinite(v) || v < 0)
            throw new IllegalArgumentException("--max-regression must be a percentage of 0 or more, like 5%, got '" + text + "'");
        return v / 100;
    }

    /** {@code 5%}, {@code 2.5%}. */
    public String threshold() { return percent(maxRegression); }

    /** The gate's section of the report. */
    public String markdown(String baseName) {
        StringBuilder b = new StringBuilder("## Regression gate: at most " + threshold() + " slower than " + baseName + "\n\n");
        if (passed()) {
            b.append("**Passed**: no record is significantly slower than ").append(baseName).append(" by more than ")
                    .append(threshold()).append(" (").append(compared).append(" records compared");
        } else {
            b.append("**Failed**: ").append(failures()).append(" (of ").append(compared).append(" compared");
        }
        if (untested > 0) b.append("; ").append(untested).append(" without samples could not be tested");
        if (onlyInBase + onlyInNew > 0)
            b.append("; ").append(onlyInBase + onlyInNew).append(" in one run only, listed below");
        b.append(").\n");
        if (!passed()) {
            b.append('\n');
            if (newPartial != null) b.append("- the new run is partial: ").append(newPartial).append('\n');
            for (Changes.Row r : regressions) b.append("- ").append(describe(r)).append('\n');
            for (Changes.Only o : lost) b.append("- ").append(describe(o)).append('\n');
        }
        return b.toString();
    }

    /** One sentence for stderr naming every record that failed the gate, and why the new run is partial. */
    public String sentence(String baseName) {
        StringBuilder b = new StringBuilder();
        if (!regressions.isEmpty())
            b.append(regressions.size()).append(regressions.size() == 1 ? " record is" : " records are")
                    .append(" significantly slower than ").append(baseName).append(" by more than ").append(threshold())
                    .append(": ").append(regressions.stream().map(Gate::describe).collect(Collectors.joining("; ")));
        if (!lost.isEmpty())
            b.append(b.isEmpty() ? "" : "; and ").append(lost.size()).append(lost.size() == 1 ? " record" : " records")
                    .append(" of ").append(baseName).append(" not measured by the new run: ")
                    .append(lost.stream().map(Gate::describe).collect(Collectors.joining("; ")));
        if (newPartial != null) b.append(b.isEmpty() ? "" : "; and ").append("the new run is partial (").append(newPartial).append(')');
        return b.toString();
    }

    /** What failed, in words: {@code 2 records are significantly slower ..., 1 record was not measured}. */
    private String failures() {
        List<String> parts = new java.util.ArrayList<>();
        if (!regressions.isEmpty())
            parts.add(regressions.size() + (regressions.size() == 1 ? " record is" : " records are") + " significantly slower"
                    + " than the base by more than " + threshold());
        if (!lost.isEmpty()) parts.add(lost.size() + (lost.size() == 1 ? " record was" : " records were") + " not measured");
        if (newPartial != null) parts.add("the new run is partial");
        return String.join(", ", parts);
    }

    /** {@code decode attention b=1 ctx=8192 paged bf16: not measured (verification failed, not timed: ...)}. */
    static String describe(Changes.Only o) {
        return String.join(" ", o.suite(), o.op(), o.shape(), o.dtype()) + (o.model() == null ? "" : " (" + o.model() + ")")
                + ": not measured" + (o.reason() == null ? "" : " (" + o.reason() + ")");
    }

    /** {@code decode linear.qkv m=1 n=6144 k=4096 bf16: 1.300x [1.281, 1.322], p=0.0002}. */
    static String describe(Changes.Row r) {
        return r.name() + ": " + Comparison.ratio(r.ratio()) + " " + Comparison.interval(r.ciLow(), r.ciHigh()) + ", p="
                + Comparison.p(r.pValue());
    }

    private static String percent(double share) {
        double pct = share * 100;
        return (pct == Math.rint(pct) ? String.format(Locale.ROOT, "%.0f", pct) : String.format(Locale.ROOT, "%s", pct)) + "%";
    }
}
