package dev.tokenmill.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The table {@code ./tokenmill run} prints: one row per record, its headline figure, its share of the roofline of
 * the run's probes and, for a device with a known datasheet, of the datasheet's roofline, and its latency; where the
 * run read the GPU's energy, its average power and energy per call too (a clock that fell below 75% of the reference
 * is marked {@code *}). A legend under the table says what each share is of.
 */
public final class SummaryTable {
    private SummaryTable() {}

    /** {@code ceilings}: the run's, for the legend (null: no legend). */
    public static String render(List<Record> records, Ceilings ceilings) {
        boolean energy = records.stream().anyMatch(r -> r.energy() != null);
        boolean datasheet = records.stream().anyMatch(r -> r.fractionOfDatasheet() != null);
        List<String> header = new ArrayList<>(List.of("suite", "op", "shape", "dtype", "figure", "of probes"));
        if (datasheet) header.add("of datasheet");
        header.addAll(List.of("p50", "p99"));
        if (energy) header.addAll(List.of("power", "energy/call"));
        TextTable t = new TextTable(header);
        for (Record r : records) {
            List<String> row = new ArrayList<>(List.of(r.suite(), r.label(), Figures.shape(r), r.dtype(),
                    Figures.headlineText(r), Figures.percent(r.fractionOfCeiling())));
            if (datasheet) row.add(Figures.percent(r.fractionOfDatasheet()));
            row.addAll(List.of(Figures.time(r.time().p50Ms()), Figures.time(r.time().p99Ms())));
            if (energy) {
                Record.Energy e = r.energy();
                boolean slow = e != null && Boolean.TRUE.equals(e.clockBelow75pct());
                row.add(e == null || e.powerW() == null ? "-" : String.format(Locale.ROOT, "%.0f W%s", e.powerW(), slow ? "*" : ""));
                row.add(e == null || e.energyJ() == null ? "-" : joules(e.energyJ()));
            }
            t.add(row);
        }
        String text = t.text();
        if (records.stream().anyMatch(r -> r.energy() != null && Boolean.TRUE.equals(r.energy().clockBelow75pct())))
            text += "* the SM clock fell below 75% of the device's reference clock during the trial\n";
        long calls = records.stream().map(r -> r.time().callsPerSample()).filter(c -> c != null)
                .mapToLong(Long::longValue).max().orElse(1);
        if (calls > 1)
            text += "p50, p99: of samples that are each the mean time per call over many calls (a GPU times whole"
                    + " CUDA-graph replays, up to " + calls + " calls), not of single calls\n";
        if (ceilings != null) {
            text += "of probes: of the roofline this run measured with probes, not with the kernels above: " + ceilings.text() + "\n";
            if (datasheet && ceilings.datasheet() != null)
                text += "of datasheet: of the roofline of " + ceilings.datasheet().text() + " (dense, fp32 accumulation)\n";
        }
        return text;
    }

    /** Joules in the unit that suits them, three significant digits: {@code 12.3 mJ}, {@code 4.56 J}. */
    static String joules(double j) {
        if (j >= 1) return String.format(Locale.ROOT, "%.3g J", j);
        if (j >= 1e-3) return String.format(Locale.ROOT, "%.3g mJ", j * 1e3);
        return String.format(Locale.ROOT, "%.3g µJ", j * 1e6);
    }
}
