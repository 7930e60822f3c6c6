package dev.tokenmill.report;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The regression gate of {@code compare --max-regression}: a new run fails when any record is significantly slower
 * than the base (Mann-Whitney U, p below alpha) and its estimated slowdown exceeds the allowed share. Both are needed:
 * significance alone would fail on a real but harmless 0.5% change, the threshold alone on noise. Records a run
 * could not test (no samples) and records in one run only never fail it; the report lists them.
 *
 * @param maxRegression the slowdown allowed, as a share (0.05 = 5%)
 * @param regressions   the records that fail the gate
 * @param compared      the records both runs measured
 * @param untested      of those, the ones without samples in a run
 */
public record Gate(double maxRegression, List<Changes.Row> regressions, int compared, long untested, int onlyInBase,
                   int onlyInNew) {

    public static Gate of(Changes changes, double maxRegression) {
        return new Gate(maxRegression, changes.regressions(maxRegression), changes.records().size(), changes.untested(),
                changes.onlyInBase().size(), changes.onlyInNew().size());
    }

    @JsonProperty("passed") public boolean passed() { return regressions.isEmpty(); }

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
            b.append("**Failed**: ").append(regressions.size()).append(regressions.size() == 1 ? " record is" : " records are")
                    .append(" significantly slower than ").append(baseName).append(" by more than ").append(threshold())
                    .append(" (of ").append(compared).append(" compared");
        }
        if (untested > 0) b.append("; ").append(untested).append(" without samples could not be tested");
        if (onlyInBase + onlyInNew > 0)
            b.append("; ").append(onlyInBase + onlyInNew).append(" in one run only, listed below");
        b.append(").\n");
        if (!passed()) {
            b.append('\n');
            for (Changes.Row r : regressions) b.append("- ").append(describe(r)).append('\n');
        }
        return b.toString();
    }

    /** One sentence for stderr naming every record that failed the gate. */
    public String sentence(String baseName) {
        return regressions.size() + (regressions.size() == 1 ? " record is" : " records are") + " significantly slower than "
                + baseName + " by more than " + threshold() + ": "
                + regressions.stream().map(Gate::describe).collect(Collectors.joining("; "));
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
