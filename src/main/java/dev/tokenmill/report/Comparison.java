package dev.tokenmill.report;

import dev.tokenmill.op.Workloads;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenmill.Defaults;
import dev.tokenmill.rollup.Rollup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Result files compared, as markdown (or one JSON object): the devices and their ceilings; then, for runs on one
 * device, what changed against the first file and what is noise ({@link Changes}: per record the ratio with its
 * interval and p-value, {@code ~} where not significant, a geometric mean per suite, the records only one run has);
 * for runs on different devices, one table per suite with each device's headline figure (and share of its ceiling)
 * and the ratio to the first file's device; then the model roll-ups (TTFT, TPOT, tokens/s, tokens/J) where the
 * files have them.
 */
public final class Comparison {
    /** How a change is judged, as the report and the JSON state it. */
    public static final String METHOD = "time per call, new over base: the Hodges-Lehmann estimate (the median of all"
            + " ratios of a new sample to a base sample) with its distribution-free confidence interval; p: a two-sided"
            + " Mann-Whitney U test on the per-iteration samples (as benchstat); ~: not significant";

    private final List<ResultFile> results;
    private final List<String> names;
    private final double alpha;

    public Comparison(List<ResultFile> results) { this(results, Defaults.ALPHA); }

    /** A comparison judging changes significant below {@code alpha}. */
    public Comparison(List<ResultFile> results, double alpha) {
        if (results.isEmpty()) throw new IllegalArgumentException("compare needs at least one result file");
        if (!(alpha > 0 && alpha < 1)) throw new IllegalArgumentException("--alpha must be between 0 and 1, got " + alpha);
        this.results = List.copyOf(results);
        this.names = deviceNames(results);
        this.alpha = alpha;
    }

    /** Whether every file ran on the first file's device: then what changed is shown, not devices side by side. */
    public boolean sameDevice() {
        String id = results.getFirst().device().id();
        return results.stream().allMatch(r -> r.device().id().equals(id));
    }

    /** File {@code i} (1 or later) against the first. */
    public Changes changes(int i) { return Changes.between(results.getFirst(), results.get(i), alpha); }

    /** Device names, made unique by the run's date where one device appears twice. */
    public List<String> names() { return names; }

    private static List<String> deviceNames(List<ResultFile> results) {
        List<String> out = new ArrayList<>();
        for (ResultFile r : results) {
            String n = r.device().name();
            long same = results.stream().filter(o -> o.device().name().equals(n)).count();
            out.add(same > 1 ? n + " (" + r.created() + ")" : n);
        }
        return out;
    }

    /** The devices table and one table per suite; {@code charts} are image paths to link below them. */
    public String markdown(List<String> charts) { return markdown(charts, null); }

    /**
     * The report: the gate's verdict first where there is one (for a CI job's summary page), the devices, then the
     * changes (one device, or a gate) or the devices side by side; {@code charts} are image paths to link below.
     */
    public String markdown(List<String> charts, Gate gate) {
        StringBuilder b = new StringBuilder();
        if (gate != null) b.append(gate.markdown(names.getFirst())).append('\n');
        b.append("## Devices\n\n").append(devices().markdown()).append('\n').append(CEILINGS_NOTE).append('\n');
        for (int i = 0; i < results.size(); i++)
            if (results.get(i).partial())
                b.append("\n- ").append(names.get(i)).append(": a partial run (").append(results.get(i).run().partial())
                        .append("): only the trials it finished are compared\n");
        if (results.size() > 1 && (sameDevice() || gate != null)) {
            for (int i = 1; i < results.size(); i++) b.append('\n').append(changesMarkdown(i));
        } else {
            for (String suite : Workloads.SUITES) {
                TextTable t = suite(suite);
                if (t.isEmpty()) continue;
                b.append("\n## ").append(title(suite)).append("\n\n").append(t.markdown());
            }
        }
        if (results.stream().anyMatch(r -> r.rollup() != null && !r.rollup().isEmpty())) {
            b.append("\n## Model roll-up\n\n").append(Character.toUpperCase(Rollup.LABEL.charAt(0)))
                    .append(Rollup.LABEL.substring(1))
                    .append(". Each pass sums its measured kernels (per-layer ops x layers, plus the LM head once);")
                    .append(" tokens/J counts the board's energy per call over each trial, idle power included.\n\n")
                    .append(rollups().markdown());
            List<String> notes = rollupNotes();
            if (!notes.isEmpty()) b.append('\n');
            for (String n : notes) b.append("- ").append(n).append('\n');
        }
        if (!charts.isEmpty()) {
            b.append("\n## Charts\n\n");
            for (String c : charts) b.append("![").append(c).append("](").append(c).append(")\n\n");
        }
        TextTable skipped = skipped();
        if (!skipped.isEmpty()) b.append("\n## Not measured\n\n").append(skipped.markdown());
        return b.toString();
    }

    /** What the ceilings in the devices table are and what the percentages after each figure are of. */
    static final String CEILINGS_NOTE = "Ceilings are measured in each run by probes, not by the kernels below: copy "
            + "bandwidth by a device-to-device copy, each dtype's compute peak by a register-resident FMA or MMA loop (the "
            + "probe is named beside the figure). Files written before the probes name the " + Ceilings.BEST_LINEAR
            + " instead, which made prefill linear read about 100% by construction. The percentage after a figure is of "
            + "its own run's measured roofline.\n";

    private static String title(String suite) {
        return suite.equals("prefill") ? "Prefill (compute-bound: FLOP/s)" : "Decode (bandwidth-bound: bytes/s)";
    }

    /** File {@code i} against the first: per suite a table of changes with a geometric-mean row; one-run records. */
    private String changesMarkdown(int i) {
        Changes c = changes(i);
        String base = names.getFirst(), next = names.get(i);
        StringBuilder b = new StringBuilder("## Changes: " + next + " against " + base + "\n\n");
        if (!results.get(i).device().id().equals(results.getFirst().device().id()))
            b.append("> Different devices (").append(results.getFirst().device().id()).append(", ")
                    .append(results.get(i).device().id()).append("): these changes include the difference between them.\n\n");
        b.append(Character.toUpperCase(METHOD.charAt(0))).append(METHOD.substring(1))
                .append(String.format(Locale.ROOT, " at p < %s; base and new: the median of the samples, ± half its %.0f%% interval.",
                        trim(alpha), Defaults.CONFIDENCE * 100)).append('\n');
        if (c.untested() > 0)
            b.append("\nRecords without samples (tokenmill/1 files) show the ratio of their figures' times, untested.\n");
        for (Changes.Summary s : c.suites()) {
            TextTable t = new TextTable(List.of("model", "op", "shape", "dtype", "base", "new", "new / base",
                    percentLevel(1 - alpha) + " interval", "p", "verdict"));
            for (Changes.Row r : c.records())
                if (r.suite().equals(s.suite()))
                    t.add(List.of(String.valueOf(r.model()), r.op(), r.shape(), r.dtype(), timeWithNoise(r.baseMs(), r.baseNoise()),
                            timeWithNoise(r.newMs(), r.newNoise()), ratio(r.ratio()), interval(r.ciLow(), r.ciHigh()),
                            p(r.pValue()), r.verdict().toString()));
            t.add(List.of("geomean", "", "", "", "", "", ratio(s.geomeanRatio()), "", "",
                    s.records() + " records: " + s.slower() + " slower, " + s.faster() + " faster, " + s.same() + " ~"
                            + (s.untested() > 0 ? ", " + s.untested() + " untested" : "")));
            b.append("\n### ").append(title(s.suite())).append("\n\n").append(t.markdown());
        }
        only(b, "Only in " + base, c.onlyInBase());
        only(b, "Only in " + next, c.onlyInNew());
        return b.toString();
    }

    private static void only(StringBuilder b, String title, List<Changes.Only> records) {
        if (records.isEmpty()) return;
        TextTable t = new TextTable(List.of("suite", "model", "op", "shape", "dtype", "why the other run has none"));
        for (Changes.Only o : records)
            t.add(List.of(o.suite(), String.valueOf(o.model()), o.op(), o.shape(), o.dtype(),
                    o.reason() == null ? "not in its plan" : o.reason().replace("|", "\\|")));
        b.append("\n### ").append(title).append("\n\n").append(t.markdown());
    }

    private static String timeWithNoise(double ms, Double halfWidth) {
        return Figures.time(ms) + (halfWidth == null ? "" : String.format(Locale.ROOT, " ±%.1f%%", halfWidth * 100));
    }

    /** A ratio as {@code 1.026×}. */
    static String ratio(double r) { return String.format(Locale.ROOT, "%.3f×", r); }

    /** An interval as {@code [1.012, 1.041]}, or {@code -} when there is none. */
    static String interval(Double low, Double high) {
        return low == null || high == null ? "-" : String.format(Locale.ROOT, "[%.3f, %.3f]", low, high);
    }

    /** A p-value to three decimals, {@code <0.001} below. */
    static String p(Double p) {
        return p == null ? "-" : p < 0.001 ? "<0.001" : String.format(Locale.ROOT, "%.3f", p);
    }

    private static String trim(double v) { return String.format(Locale.ROOT, "%s", v); }

    /** A confidence level as a percentage without a useless decimal: {@code 95%}, {@code 99.9%}. */
    private static String percentLevel(double level) {
        return new java.math.BigDecimal(level * 100).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString() + "%";
    }

    /**
     * The comparison as one JSON object: the base file; for each later file its changes against the base
     * ({@link Changes}); and the gate's verdict where there is one. {@code files} are the files' paths as given.
     */
    public ObjectNode json(List<String> files, Gate gate) {
        var json = ResultFiles.JSON;
        ObjectNode root = json.createObjectNode();
        root.set("base", fileNode(files.getFirst(), results.getFirst()));
        root.put("method", METHOD);
        root.put("alpha", alpha);
        root.put("confidence", 1 - alpha);                       // of each ratio's interval, as the test's level
        root.put("noise_confidence", Defaults.CONFIDENCE);        // of each run's median interval
        ArrayNode comparisons = root.putArray("comparisons");
        for (int i = 1; i < results.size(); i++) {
            ObjectNode c = fileNode(files.get(i), results.get(i));
            c.put("same_device", results.get(i).device().id().equals(results.getFirst().device().id()));
            c.setAll((ObjectNode) json.valueToTree(changes(i)));
            comparisons.add(c);
        }
        if (gate != null) root.set("gate", json.valueToTree(gate));
        return root;
    }

    private static ObjectNode fileNode(String file, ResultFile r) {
        ObjectNode n = ResultFiles.JSON.createObjectNode();
        n.put("file", file);
        n.put("device", r.device().name());
        n.put("device_id", r.device().id());
        n.put("created", r.created());
        n.put("schema", r.schema());
        n.put("partial", r.partial() ? r.run().partial() : null);   // why it stopped early; null for a whole run
        return n;
    }

    private TextTable devices() {
        TextTable t = new TextTable(List.of("device", "backend", "run", "git", "copy GB/s", "peak bf16", "peak f16",
                "peak f32", "datasheet"));
        for (int i = 0; i < results.size(); i++) {
            ResultFile r = results.get(i);
            var c = r.ceilings();
            t.add(List.of(names.get(i), r.device().backend(), r.created() + plan(r.run()) + (r.partial() ? " partial" : ""),
                    r.tokenmill() == null ? "-" : abbreviate(r.tokenmill().git()),
                    c == null || c.copyGbs() == null ? "-" : Figures.bandwidth(c.copyGbs()),
                    peak(c, "bf16"), peak(c, "f16"), peak(c, "f32"),
                    c == null || c.datasheet() == null ? "-" : c.datasheet().text()));
        }
        return t;
    }

    /** The plan a run followed, after its date: {@code  ci}, {@code  quick} (tokenmill/1 files say only quick). */
    private static String plan(ResultFile.RunInfo run) {
        if (run == null) return "";
        if (run.plan() != null) return " " + run.plan();
        return run.quick() ? " quick" : "";
    }

    private static String peak(Ceilings c, String dtype) {
        Double v = c == null ? null : c.peakTflops().get(dtype);
        return v == null ? "-" : Figures.flops(v) + " (" + c.computeSource(dtype) + ")";
    }

    private static String abbreviate(String git) { return git == null ? "-" : git.length() > 10 ? git.substring(0, 10) : git; }

    /** Rows: every (model, op, shape, dtype) any file measured; columns: each device's figure, then ratios. */
    TextTable suite(String suite) {
        Map<String, Record[]> rows = new LinkedHashMap<>();
        for (int i = 0; i < results.size(); i++)
            for (Record r : results.get(i).records(suite))
                rows.computeIfAbsent(String.join("|", String.valueOf(r.model()), r.label(), Figures.shape(r), r.dtype()),
                        k -> new Record[results.size()])[i] = r;
        List<String> header = new ArrayList<>(List.of("model", "op", "shape", "dtype"));
        header.addAll(names);
        for (int i = 1; i < names.size(); i++) header.add(names.get(i) + " / " + names.get(0));
        TextTable t = new TextTable(header);
        for (Record[] row : rows.values()) {
            Record any = Arrays.stream(row).filter(Objects::nonNull).findFirst().orElseThrow();
            List<String> cells = new ArrayList<>(List.of(String.valueOf(any.model()), any.label(), Figures.shape(any), any.dtype()));
            for (Record r : row)
                cells.add(r == null ? "-" : Figures.headlineText(r)
                        + (r.fractionOfCeiling() == null ? "" : " (" + Figures.percent(r.fractionOfCeiling()) + ")"));
            for (int i = 1; i < row.length; i++) cells.add(ratio(row[0], row[i]));
            t.add(cells);
        }
        return t;
    }

    private static String ratio(Record base, Record other) {
        Double a = base == null ? null : Figures.headline(base), b = other == null ? null : Figures.headline(other);
        return a == null || b == null || a == 0 ? "-" : String.format(Locale.ROOT, "%.2f×", b / a);
    }

    /** A pass by what sets it: model, phase, dtype, batch and prompt or context. */
    static String passKey(Rollup r) { return String.join("|", r.model(), pass(r), setting(r), r.dtype()); }

    /** {@code prefill} or {@code decode}. */
    static String pass(Rollup r) { return r.phase().id(); }

    /** {@code batch 1 x 512 prompt tokens}, {@code batch 32, context 8192}. */
    static String setting(Rollup r) {
        return r.phase() == Rollup.Phase.PREFILL ? "batch " + r.batch() + " x " + r.promptTokens() + " prompt tokens"
                : "batch " + r.batch() + ", context " + r.context();
    }

    /** Each pass any file rolled up, with each device's roll-up of it (null where a file has none). */
    Map<String, Rollup[]> rollupsByPass() {
        Map<String, Rollup[]> rows = new LinkedHashMap<>();
        for (int i = 0; i < results.size(); i++)
            if (results.get(i).rollup() != null)
                for (Rollup r : results.get(i).rollup())
                    rows.computeIfAbsent(passKey(r), k -> new Rollup[results.size()])[i] = r;
        return rows;
    }

    /**
     * Rows: each pass's time (TTFT or TPOT), tokens/s and, where any device measured energy for it, tokens/J;
     * columns: each device, then the ratio to the first device for the rates.
     */
    TextTable rollups() {
        List<String> header = new ArrayList<>(List.of("model", "pass", "setting", "dtype", "figure"));
        header.addAll(names);
        for (int i = 1; i < names.size(); i++) header.add(names.get(i) + " / " + names.get(0));
        TextTable t = new TextTable(header);
        for (Rollup[] row : rollupsByPass().values()) {
            Rollup any = Arrays.stream(row).filter(Objects::nonNull).findFirst().orElseThrow();
            boolean prefill = any.phase() == Rollup.Phase.PREFILL;
            rollupRow(t, any, prefill ? "TTFT" : "TPOT", row, r -> prefill ? r.ttftSeconds() : r.tpotSeconds(),
                    s -> Figures.time(s * 1e3), false);
            rollupRow(t, any, "tokens/s", row, Rollup::tokensPerSecond, RollupText::perSecond, true);
            if (Arrays.stream(row).anyMatch(r -> r != null && r.tokensPerJoule() != null))
                rollupRow(t, any, "tokens/J", row, Rollup::tokensPerJoule,
                        v -> String.format(Locale.ROOT, "%.3g", v), true);
        }
        return t;
    }

    private void rollupRow(TextTable t, Rollup any, String figure, Rollup[] row,
                           java.util.function.Function<Rollup, Double> value,
                           java.util.function.DoubleFunction<String> text, boolean ratios) {
        List<String> cells = new ArrayList<>(List.of(any.model(), pass(any), setting(any), any.dtype(), figure));
        Double[] v = new Double[row.length];
        for (int i = 0; i < row.length; i++) {
            v[i] = row[i] == null ? null : value.apply(row[i]);
            cells.add(v[i] == null ? "-" : text.apply(v[i]));
        }
        for (int i = 1; i < row.length; i++)
            cells.add(!ratios || v[0] == null || v[i] == null || v[0] == 0 ? "-"
                    : String.format(Locale.ROOT, "%.2f×", v[i] / v[0]));
        t.add(cells);
    }

    /** Why a device's roll-up has no totals (parts not measured) or no tokens/J, once per device and reason. */
    private List<String> rollupNotes() {
        List<String> notes = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            ResultFile r = results.get(i);
            if (r.rollup() == null) continue;
            java.util.Set<String> energyReasons = new java.util.LinkedHashSet<>();
            for (Rollup x : r.rollup()) {
                if (!x.complete())
                    notes.add(names.get(i) + ", " + pass(x) + " " + setting(x) + ": not measured: "
                            + String.join("; ", x.missing()));
                else if (x.tokensPerJoule() == null && x.energyAbsentReason() != null) energyReasons.add(x.energyAbsentReason());
            }
            for (String reason : energyReasons) notes.add(names.get(i) + ": tokens/J absent: " + reason);
        }
        return notes;
    }

    private TextTable skipped() {
        TextTable t = new TextTable(List.of("device", "benchmark", "parameters", "reason"));
        for (int i = 0; i < results.size(); i++)
            if (results.get(i).skipped() != null)
                for (ResultFile.Skip s : results.get(i).skipped())
                    t.add(List.of(names.get(i), s.benchmark(), String.valueOf(s.params()), s.reason().replace("|", "\\|")));
        return t;
    }
}
