package dev.tokenmill.jmh;

import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.Aggregator;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ResultRole;
import org.openjdk.jmh.util.ListStatistics;
import org.openjdk.jmh.util.Statistics;

import java.util.Collection;

/**
 * A figure measured once per trial (over its whole measurement window) and reported by its last measurement
 * iteration only. JMH pads a {@code ScalarResult} missing from some iterations with zeros, so the mean over five
 * iterations would be a fifth of the figure; this result has no zero, so JMH aggregates only the iterations (and
 * forks) that reported it, by its policy (the mean, the least or the most).
 */
final class TrialResult extends Result<TrialResult> {
    private static final long serialVersionUID = 1L;

    private TrialResult(String label, Statistics values, String unit, AggregationPolicy policy) {
        super(ResultRole.SECONDARY, label, values, unit, policy);
    }

    static TrialResult of(String label, double value, String unit, AggregationPolicy policy) {
        return new TrialResult(label, of(value), unit, policy);
    }

    /** A text carried by its label (a reason, a clocks-event name): JMH results are numbers. */
    static TrialResult flag(String label) { return of(label, 1, "", AggregationPolicy.MAX); }

    @Override protected Aggregator<TrialResult> getThreadAggregator() { return TrialResult::aggregate; }

    @Override protected Aggregator<TrialResult> getIterationAggregator() { return TrialResult::aggregate; }

    private static TrialResult aggregate(Collection<TrialResult> results) {
        TrialResult first = results.iterator().next();
        ListStatistics all = new ListStatistics();
        for (TrialResult r : results) all.addValue(r.getScore());
        return new TrialResult(first.label, all, first.unit, first.policy);
    }
}
