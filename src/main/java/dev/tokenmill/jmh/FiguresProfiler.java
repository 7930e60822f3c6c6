package dev.tokenmill.jmh;

import dev.tokenmill.report.Ceilings;
import dev.tokenmill.energy.EnergyBaseline;
import dev.tokenmill.op.OpSpec;
import dev.tokenmill.report.JmhRecords;
import dev.tokenmill.report.Record;
import org.HdrHistogram.Histogram;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.ScalarResult;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * tokenmill's secondary figures as JMH results: GFLOP/s and GB/s from the op's FLOP and byte model over the
 * median per-call device time; the fraction of the ceilings {@code ./tokenmill run} measured (it hands them to
 * the forks as {@code -Dtokenmill.ceilings=backend=cpu,copy_gbs=..,bf16=..}; plain JMH users may pass the same
 * through {@code -jvmArgsAppend}) and of the datasheet's peaks for known GPUs; latency p50/p99/p99.9 of the
 * samples, each the mean time per call over {@code lat.calls_per_sample} calls (one call on the CPU; on a GPU one
 * replay of a CUDA graph, which is also what one JMH invocation times, so JMH's own score is per replay);
 * the verification error; the kernel variant and what timed it (as labels, since JMH results are numbers); and, when the run
 * handed this VM a GPU to read ({@code -Dtokenmill.energy}, see {@link EnergyBaseline}), the energy per call and
 * the clocks over the trial's measurement iterations ({@link TrialEnergy}).
 * <p>
 * A profiler rather than {@code @AuxCounters}: aux counters are either divided by the iteration time (OPERATIONS)
 * or summed over iterations and forks (EVENTS), so neither can carry a percentile or a rate per call; a profiler
 * returns results with their own aggregation ({@link HistogramResult} merges histograms). The price: plain JMH
 * users add {@code -prof dev.tokenmill.jmh.FiguresProfiler} ({@code ./tokenmill run} always does).
 */
public final class FiguresProfiler implements InternalProfiler {
    @Override public String getDescription() {
        return "tokenmill figures: GFLOP/s, GB/s, fraction of ceiling, latency p50/p99/p99.9 of per-sample means "
                + "(lat.calls_per_sample calls each)";
    }

    /** The current trial's energy window, opened at its first iteration; null without a GPU to read. */
    private TrialEnergy energy;

    @Override public void beforeIteration(BenchmarkParams benchmark, IterationParams iteration) {
        Trial t = Trial.current();
        if (t != null) t.takeLatencies(); // drop calls made outside the iteration (setup, previous iteration's tail)
        if (energy == null) {        // opened before the first (warmup) iteration, so NVML's start-up is not timed
            EnergyBaseline baseline = EnergyBaseline.fromProperty(System.getProperty(EnergyBaseline.PROPERTY));
            if (baseline != null) energy = TrialEnergy.open(baseline);
        }
        if (energy != null) energy.beforeIteration(iteration);
    }

    @Override public Collection<? extends Result> afterIteration(BenchmarkParams benchmark, IterationParams iteration,
                                                                 IterationResult result) {
        Trial t = Trial.current();
        Histogram h = t == null ? null : t.takeLatencies();
        List<Result> out = new ArrayList<>();
        if (energy != null) {
            out.addAll(energy.afterIteration(iteration, h == null ? 0 : h.getTotalCount()));
            if (energy.finished()) energy = null;
        }
        if (h == null || h.getTotalCount() == 0) return out;
        OpSpec spec = t.spec();
        out.add(HistogramResult.latency("lat.p50", h, 50));
        out.add(HistogramResult.latency("lat.p99", h, 99));
        out.add(HistogramResult.latency("lat.p999", h, 99.9));
        out.add(HistogramResult.count("lat.n", h));
        out.add(new ScalarResult(JmhRecords.CALLS_PER_SAMPLE, t.callsPerSample(), "calls", AggregationPolicy.MAX));
        if (spec.flops() > 0) out.add(HistogramResult.rate("gflops", "GFLOP/s", h, spec.flops() / 1e9));
        out.add(HistogramResult.rate("gbs", "GB/s", h, spec.minBytes() / 1e9));
        fraction(out, "ceiling.fraction", t.ceilings(), spec, h);
        fraction(out, "datasheet.fraction", t.datasheet(), spec, h);
        out.add(new ScalarResult("verify.max_rel_err", t.verification().maxRelErr(), "rel", AggregationPolicy.MAX));
        out.add(new ScalarResult(JmhRecords.VARIANT + t.variant(), 1, "", AggregationPolicy.MAX));
        out.add(new ScalarResult(JmhRecords.TIMING + t.clock(), 1, "", AggregationPolicy.MAX));
        return out;
    }

    /**
     * A finished trial's per-call device times, every measurement iteration of every fork merged, encoded as
     * {@link Record.Samples#callsHistogram}; null when the trial recorded none. Read in the parent VM from JMH's
     * results (they travel from the forks whole), since JMH's JSON keeps only each result's score.
     */
    public static String callHistogram(RunResult trial) {
        Result<?> r = trial.getAggregatedResult().getSecondaryResults().get("lat.p50");
        return r instanceof HistogramResult h ? Record.Samples.encode(h.histogram()) : null;
    }

    /** The share of the roofline {@code c} draws that the median call reaches, when {@code c} is known. */
    private static void fraction(List<Result> out, String label, Ceilings c, OpSpec spec, Histogram h) {
        if (c != null && Double.isFinite(c.boundSeconds(spec)))
            out.add(HistogramResult.rate(label, "fraction", h, c.boundSeconds(spec)));
    }
}
