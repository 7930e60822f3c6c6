package dev.tokenmill.report;

import java.util.List;

/** The table {@code ./tokenmill run} prints: one row per record, its headline figure, ceiling share and latency. */
public final class SummaryTable {
    private SummaryTable() {}

    public static String render(List<Record> records) {
        TextTable t = new TextTable(List.of("suite", "op", "shape", "dtype", "figure", "of ceiling", "p50", "p99"));
        for (Record r : records)
            t.add(List.of(r.suite(), r.label(), Figures.shape(r), r.dtype(), Figures.headlineText(r),
                    Figures.percent(r.fractionOfCeiling()), Figures.time(r.time().p50Ms()), Figures.time(r.time().p99Ms())));
        return t.text();
    }
}
