package dev.tokenmill.report;

import dev.tokenmill.op.Workloads;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A new run against a base run, record by record: each record both runs measured with its {@link Change} (or, where a
 * run kept no samples, the plain ratio, untested), a geometric-mean summary per suite, and the records only one run
 * has, never dropped. Records match by suite, model, op (and projection), shape and dtype.
 *
 * @param records   every record both runs measured, in the base run's order, then the new run's
 * @param suites    one summary per suite that has records in both runs
 * @param onlyInBase records the new run lacks, with the new run's reason where it skipped them
 * @param onlyInNew  records the base run lacks, likewise
 * @param alpha      the significance level the changes were judged at
 * @param newPartial why the new run stopped before its end (it is then a partial result file), or null
 * @param samePlan   whether both runs followed the same plan, so that each should have measured every record the other did
 */
public record Changes(List<Row> records, List<Summary> suites, List<Only> onlyInBase, List<Only> onlyInNew, double alpha,
                      String newPartial, boolean samePlan) {

    /** What a row says about a record: slower or faster (significant), {@code ~} (not), or untested (no samples). */
    public enum Verdict {
        SLOWER("slower"), FASTER("faster"), SAME("~"), UNTESTED("no samples");

        private final String text;

        Verdict(String text) { this.text = text; }

        /** As the report shows it: {@code slower}, {@code faster}, {@code ~}, {@code no samples}. */
        @Override public String toString() { return text; }

        /** As the JSON writes it: {@code slower}, {@code faster}, {@code same}, {@code untested}. */
        @JsonValue public String id() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    /**
     * One record in both runs.
     *
     * @param baseMs    the base run's time per call: the median of its samples, or its figure's time without samples
     * @param newMs     the new run's, likewise
     * @param baseNoise the base run's interval half-width as a share of its median, where it has one
     * @param newNoise  the new run's, likewise
     * @param ratio     new time over base time: the {@link Change}'s estimate, or newMs / baseMs when untested
     * @param ciLow     the ratio's confidence interval (null when untested or too few samples)
     * @param ciHigh    its high end
     * @param pValue    the Mann-Whitney U p-value, null when untested
     */
    public record Row(String suite, String model, String op, String shape, String dtype, double baseMs, double newMs,
                      Double baseNoise, Double newNoise, double ratio, Double ciLow, Double ciHigh, Double pValue,
                      Integer nBase, Integer nNew, Verdict verdict) {

        /** {@code decode linear.qkv m=1 n=6144 k=4096 bf16}. */
        public String name() { return String.join(" ", suite, op, shape, dtype) + (model == null ? "" : " (" + model + ")"); }
    }

    /**
     * A suite's records in both runs.
     *
     * @param geomeanRatio the geometric mean of their ratios (benchstat's summary): above 1, the suite got slower
     */
    public record Summary(String suite, double geomeanRatio, int records, int slower, int faster, int same, int untested) {}

    /** A record only one run has; {@code reason} is why the other run skipped it, when it says. */
    public record Only(String suite, String model, String op, String shape, String dtype, String reason) {}

    /** {@code next} against {@code base}, significant below {@code alpha}. */
    public static Changes between(ResultFile base, ResultFile next, double alpha) {
        Map<String, Record> a = byKey(base), b = byKey(next);
        List<Row> rows = new ArrayList<>();
        List<Only> onlyBase = new ArrayList<>(), onlyNew = new ArrayList<>();
        a.forEach((k, r) -> {
            if (b.containsKey(k)) rows.add(row(r, b.get(k), alpha));
            else onlyBase.add(only(r, next));
        });
        b.forEach((k, r) -> {
            if (!a.containsKey(k)) onlyNew.add(only(r, base));
        });
        List<Summary> suites = new ArrayList<>();
        for (String suite : Workloads.SUITES) {
            List<Row> s = rows.stream().filter(r -> r.suite().equals(suite)).toList();
            if (s.isEmpty()) continue;
            double logSum = s.stream().mapToDouble(r -> Math.log(r.ratio())).sum();
            suites.add(new Summary(suite, Math.exp(logSum / s.size()), s.size(), count(s, Verdict.SLOWER),
                    count(s, Verdict.FASTER), count(s, Verdict.SAME), count(s, Verdict.UNTESTED)));
        }
        boolean samePlan = base.run() != null && next.run() != null && base.run().plan() != null
                && base.run().plan().equals(next.run().plan());
        return new Changes(List.copyOf(rows), List.copyOf(suites), List.copyOf(onlyBase), List.copyOf(onlyNew), alpha,
                next.partial() ? next.run().partial() : null, samePlan);
    }

    /** The rows significantly slower than the base by more than {@code maxRegression} (0.05 = 5%). */
    public List<Row> regressions(double maxRegression) {
        return records.stream().filter(r -> r.verdict() == Verdict.SLOWER && r.ratio() > 1 + maxRegression).toList();
    }

    /**
     * The base run's records the new run lost: those it skipped (a kernel that now fails verification, a fork that
     * crashed), and, when both runs followed the same plan, every one it lacks. A gate must not pass a run for what
     * it did not measure; records a different plan leaves out are only listed.
     */
    public List<Only> lost() { return onlyInBase.stream().filter(o -> samePlan || o.reason() != null).toList(); }

    /** How many rows could not be tested (a run without samples). */
    public long untested() { return records.stream().filter(r -> r.verdict() == Verdict.UNTESTED).count(); }

    private static int count(List<Row> rows, Verdict v) { return (int) rows.stream().filter(r -> r.verdict() == v).count(); }

    /** A record's identity across runs. */
    static String key(Record r) {
        return String.join("|", r.suite(), String.valueOf(r.model()), r.label(), Figures.shape(r), r.dtype());
    }

    private static Map<String, Record> byKey(ResultFile f) {
        Map<String, Record> m = new LinkedHashMap<>();
        for (Record r : f.records()) m.putIfAbsent(key(r), r);
        return m;
    }

    private static Row row(Record base, Record next, double alpha) {
        double[] a = samples(base), b = samples(next);
        if (a == null || b == null) {
            double baseMs = base.figureSeconds() * 1e3, newMs = next.figureSeconds() * 1e3;
            return new Row(base.suite(), base.model(), base.label(), Figures.shape(base), base.dtype(), baseMs, newMs,
                    halfWidth(base), halfWidth(next), newMs / baseMs, null, null, null, null, null, Verdict.UNTESTED);
        }
        Change c = Change.of(a, b, alpha);
        Verdict v = !c.significant() || c.ratio() == 1 ? Verdict.SAME : c.ratio() > 1 ? Verdict.SLOWER : Verdict.FASTER;
        return new Row(base.suite(), base.model(), base.label(), Figures.shape(base), base.dtype(), base.noise().medianMs(),
                next.noise().medianMs(), halfWidth(base), halfWidth(next), c.ratio(), c.ciLow(), c.ciHigh(), c.pValue(),
                c.nBase(), c.nNew(), v);
    }

    private static double[] samples(Record r) {
        return r.samples() == null || r.noise() == null || r.samples().all().length == 0 ? null : r.samples().all();
    }

    private static Double halfWidth(Record r) { return r.noise() == null ? null : r.noise().halfWidth(); }

    private static Only only(Record r, ResultFile other) {
        String reason = other.skipped() == null ? null : other.skipped().stream()
                .filter(s -> Objects.equals(s.benchmark(), r.benchmark()) && sameTrial(s.params(), r.params()))
                .map(ResultFile.Skip::reason).findFirst().orElse(null);
        return new Only(r.suite(), r.model(), r.label(), Figures.shape(r), r.dtype(), reason);
    }

    /** The same trial, whichever backend ran it. */
    private static boolean sameTrial(Map<String, String> a, Map<String, String> b) {
        if (a == null || b == null) return false;
        Map<String, String> x = new LinkedHashMap<>(a), y = new LinkedHashMap<>(b);
        x.remove("backend");
        y.remove("backend");
        return x.equals(y);
    }
}
