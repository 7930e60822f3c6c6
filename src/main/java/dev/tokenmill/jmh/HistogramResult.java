package dev.tokenmill.jmh;

import org.HdrHistogram.Histogram;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.Aggregator;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ResultRole;

import java.util.Collection;

/**
 * A JMH secondary result computed from a per-call latency histogram: a percentile in ms, or a rate (work per
 * call over the median time per call: GFLOP/s, GB/s, fraction of the ceiling), or the number of calls.
 * JMH aggregates results over iterations and forks; this one merges the histograms, so a trial's p99 is the
 * p99 of all its calls, not an average of per-iteration p99s (JMH's own ScalarResult could only average them).
 */
final class HistogramResult extends Result<HistogramResult> {
    private static final long serialVersionUID = 1L;

    enum Kind { LATENCY_MS, RATE, COUNT }

    private final Histogram histogram;
    private final Kind kind;
    /** The percentile for LATENCY_MS; the work per call for RATE. */
    private final double argument;

    private HistogramResult(String label, String unit, Histogram histogram, Kind kind, double argument) {
        super(ResultRole.SECONDARY, label, of(score(histogram, kind, argument)), unit, AggregationPolicy.AVG);
        this.histogram = histogram;
        this.kind = kind;
        this.argument = argument;
    }

    static HistogramResult latency(String label, Histogram h, double percentile) {
        return new HistogramResult(label, "ms", h, Kind.LATENCY_MS, percentile);
    }

    /** {@code workPerCall} divided by the median seconds per call. */
    static HistogramResult rate(String label, String unit, Histogram h, double workPerCall) {
        return new HistogramResult(label, unit, h, Kind.RATE, workPerCall);
    }

    static HistogramResult count(String label, Histogram h) { return new HistogramResult(label, "calls", h, Kind.COUNT, 0); }

    private static double score(Histogram h, Kind kind, double argument) {
        return switch (kind) {
            case LATENCY_MS -> h.getValueAtPercentile(argument) / 1e6;
            case RATE -> argument / (h.getValueAtPercentile(50) * 1e-9);
            case COUNT -> h.getTotalCount();
        };
    }

    /** The calls this result was computed from (after aggregation: every iteration's and fork's calls). */
    Histogram histogram() { return histogram; }

    @Override protected Aggregator<HistogramResult> getThreadAggregator() { return HistogramResult::merge; }

    @Override protected Aggregator<HistogramResult> getIterationAggregator() { return HistogramResult::merge; }

    private static HistogramResult merge(Collection<HistogramResult> results) {
        HistogramResult first = results.iterator().next();
        Histogram all = first.histogram.copy();
        results.stream().skip(1).forEach(r -> all.add(r.histogram));
        return new HistogramResult(first.label, first.unit, all, first.kind, first.argument);
    }
}
