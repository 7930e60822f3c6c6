package dev.tokenmill.report;

import dev.tokenmill.measure.Ceilings;
import dev.tokenmill.measure.Datasheet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Devices side by side, as markdown: the devices and their ceilings, then one table per suite with each
 * device's headline figure (and share of its ceiling) and the ratio to the first file's device.
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
        b.append("## Devices\n\n").append(devices().markdown());
        for (String suite : List.of("prefill", "decode")) {
            TextTable t = suite(suite);
            if (t.isEmpty()) continue;
            b.append("\n## ").append(suite.equals("prefill") ? "Prefill (compute-bound: FLOP/s)" : "Decode (bandwidth-bound: bytes/s)")
                    .append("\n\n").append(t.markdown());
        }
        if (!charts.isEmpty()) {
            b.append("\n## Charts\n\n");
            for (String c : charts) b.append("![").append(c).append("](").append(c).append(")\n\n");
        }
        TextTable skipped = skipped();
        if (!skipped.isEmpty()) b.append("\n## Not measured\n\n").append(skipped.markdown());
        return b.toString();
    }

    private TextTable devices() {
        TextTable t = new TextTable(List.of("device", "backend", "run", "git", "copy GB/s", "peak bf16", "peak f16",
                "peak f32", "datasheet"));
        for (int i = 0; i < results.size(); i++) {
            ResultFile r = results.get(i);
            var c = r.ceilings();
            t.add(List.of(names.get(i), r.device().backend(), r.created() + (r.run() != null && r.run().quick() ? " quick" : ""),
                    r.tokenmill() == null ? "-" : abbreviate(r.tokenmill().git()),
                    c == null || c.copyGbs() == null ? "-" : Figures.bandwidth(c.copyGbs()),
                    peak(c, "bf16"), peak(c, "f16"), peak(c, "f32"),
                    c == null || c.datasheet() == null ? "-" : datasheet(c.datasheet())));
        }
        return t;
    }

    private static String peak(Ceilings c, String dtype) {
        Double v = c == null ? null : c.peakTflops().get(dtype);
        return v == null ? "-" : Figures.flops(v);
    }

    private static String datasheet(Datasheet d) {
        return String.format(Locale.ROOT, "%s: %.0f TFLOP/s bf16, %.0f GB/s", d.name(), d.bf16Tflops(), d.memoryGbs());
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

    private TextTable skipped() {
        TextTable t = new TextTable(List.of("device", "benchmark", "parameters", "reason"));
        for (int i = 0; i < results.size(); i++)
            if (results.get(i).skipped() != null)
                for (ResultFile.Skip s : results.get(i).skipped())
                    t.add(List.of(names.get(i), s.benchmark(), String.valueOf(s.params()), s.reason().replace("|", "\\|")));
        return t;
    }
}
