package dev.tokenmill.report;

import dev.tokenmill.rollup.Rollup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Devices side by side, as markdown: the devices and their ceilings, then one table per suite with each
 * device's headline figure (and share of its ceiling) and the ratio to the first file's device, then the model
 * roll-ups (TTFT, TPOT, tokens/s, tokens/J) where the files have them.
 */
public final class Comparison {
    private final List<ResultFile> results;
    private final List<String> names;

    public Comparison(List<ResultFile> results) {
        if (results.isEmpty()) throw new IllegalArgumentException("compare needs at least one result file");
        this.results = List.copyOf(results);
        this.names = deviceNames(results);
    }

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
    public String markdown(List<String> charts) {
        StringBuilder b = new StringBuilder();
        b.append("## Devices\n\n").append(devices().markdown()).append('\n').append(CEILINGS_NOTE).append('\n');
        for (int i = 0; i < results.size(); i++)
            if (results.get(i).partial())
                b.append("\n- ").append(names.get(i)).append(": a partial run (").append(results.get(i).run().partial())
                        .append("): only the trials it finished are compared\n");
        for (String suite : List.of("prefill", "decode")) {
            TextTable t = suite(suite);
            if (t.isEmpty()) continue;
            b.append("\n## ").append(suite.equals("prefill") ? "Prefill (compute-bound: FLOP/s)" : "Decode (bandwidth-bound: bytes/s)")
                    .append("\n\n").append(t.markdown());
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

    private TextTable devices() {
        TextTable t = new TextTable(List.of("device", "backend", "run", "git", "copy GB/s", "peak bf16", "peak f16",
                "peak f32", "datasheet"));
        for (int i = 0; i < results.size(); i++) {
            ResultFile r = results.get(i);
            var c = r.ceilings();
            t.add(List.of(names.get(i), r.device().backend(), r.created() + (r.run() != null && r.run().quick() ? " quick" : "")
                            + (r.partial() ? " partial" : ""),
                    r.tokenmill() == null ? "-" : abbreviate(r.tokenmill().git()),
                    c == null || c.copyGbs() == null ? "-" : Figures.bandwidth(c.copyGbs()),
                    peak(c, "bf16"), peak(c, "f16"), peak(c, "f32"),
                    c == null || c.datasheet() == null ? "-" : c.datasheet().text()));
        }
        return t;
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
