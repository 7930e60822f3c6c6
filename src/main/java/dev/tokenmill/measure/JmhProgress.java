package dev.tokenmill.measure;

import dev.tokenmill.op.Workloads;
import dev.tokenmill.jmh.SkippedTrial;
import dev.tokenmill.report.Figures;
import dev.tokenmill.report.JmhRecords;
import dev.tokenmill.report.ResultFile;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.format.OutputFormat;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * JMH's progress in one line per trial (what is measured, then its figure, or why it was skipped) instead of
 * JMH's per-iteration log. Each line starts with the trial's number of the run's total, the time elapsed and the
 * time left ({@link Eta}, revised as trials finish): {@code [3/24 0:42, ~4:10 left]}. Trials that fail (a
 * SkippedTrial from the benchmark's setup, or any other error) are collected as {@link ResultFile.Skip}s with their
 * reason's first line. One instance follows a whole run, across the JMH runs of its suites.
 */
final class JmhProgress implements OutputFormat {
    private static final String SKIPPED = SkippedTrial.class.getName() + ": ";

    private final PrintWriter out;
    private final Eta eta;
    private final LongSupplier nanoTime;
    private final long start;
    private final List<ResultFile.Skip> skipped = new ArrayList<>();
    private BenchmarkParams current;
    private boolean inFailure;
    private int trials;
    /** When the running trial started; -1 when none is running. */
    private long trialStart = -1;

    /** Progress without a plan: the trial's number and the time elapsed. */
    JmhProgress(PrintWriter out) { this(out, null, System::nanoTime); }

    /** Progress through a run planned as {@code eta}, timed by {@code nanoTime}. */
    JmhProgress(PrintWriter out, Eta eta, LongSupplier nanoTime) {
        this.out = out;
        this.eta = eta;
        this.nanoTime = nanoTime;
        this.start = nanoTime.getAsLong();
    }

    List<ResultFile.Skip> skipped() { return skipped; }

    @Override public void startBenchmark(BenchmarkParams params) {
        finishTrial();   // a failed trial may end without endBenchmark
        current = params;
        inFailure = false;
        trials++;
        trialStart = nanoTime.getAsLong();
        out.printf(Locale.ROOT, "[%s] %s %s ", position(), shortName(params.getBenchmark()), describe(params));
        out.flush();
    }

    /** {@code 3/24 0:42, ~4:10 left}, or without a plan {@code 3 0:42}. */
    private String position() {
        if (eta == null) return trials + " " + elapsed();
        return trials + "/" + eta.trials() + " " + elapsed() + ", ~" + Eta.clock(eta.remainingSeconds()) + " left";
    }

    /** Ends the running trial, if any, and tells the estimate how long it took. */
    void finishTrial() {
        if (trialStart < 0) return;
        if (eta != null) eta.finish(seconds(trialStart));
        trialStart = -1;
    }

    private double seconds(long since) { return (nanoTime.getAsLong() - since) / 1e9; }

    /** The time since this progress started, as {@code m:ss}. */
    String elapsed() { return Eta.clock(seconds(start)); }

    @Override public void iteration(BenchmarkParams b, IterationParams i, int n) {}

    @Override public void iterationResult(BenchmarkParams b, IterationParams i, int n, IterationResult r) {
        out.print('.');
        out.flush();
    }

    @Override public void endBenchmark(BenchmarkResult result) {
        finishTrial();
        if (result == null || inFailure) return;
        Result<?> p = result.getPrimaryResult();
        Map<String, Result> sec = result.getSecondaryResults();
        // JMH's score is per invocation, which is one sample: on a GPU a graph replay of this many calls
        double calls = sec.containsKey(JmhRecords.CALLS_PER_SAMPLE) ? sec.get(JmhRecords.CALLS_PER_SAMPLE).getScore() : 1;
        StringBuilder line = new StringBuilder(" " + Figures.time(p.getScore() * JmhRecords.msPer(p.getScoreUnit()) / calls)
                + "/call");
        boolean prefill = Workloads.suite(result.getParams().getBenchmark()).equals("prefill");
        if (prefill && sec.containsKey("gflops")) line.append(", ").append(Figures.flops(sec.get("gflops").getScore() / 1e3));
        if (!prefill && sec.containsKey("gbs")) line.append(", ").append(Figures.bandwidth(sec.get("gbs").getScore()));
        if (sec.containsKey("ceiling.fraction"))
            line.append(", ").append(Figures.percent(sec.get("ceiling.fraction").getScore())).append(" of probes");
        if (sec.containsKey("datasheet.fraction"))
            line.append(", ").append(Figures.percent(sec.get("datasheet.fraction").getScore())).append(" of datasheet");
        out.println(line);
    }

    @Override public void println(String s) {
        if (s.contains("<failure>")) {
            inFailure = true;
            return;
        }
        if (s.contains("<forked VM failed") && current != null) {   // a crash (out of memory, a signal, a native fault)
            skipped.add(new ResultFile.Skip(shortName(current.getBenchmark()), params(current),
                    "the benchmark VM died: " + s.strip().replaceAll("[<>]", "")));
            out.println(" skipped: the benchmark VM died (" + s.strip().replaceAll("[<>]", "") + ")");
            current = null;
            inFailure = true;
            return;
        }
        if (inFailure && !s.isBlank() && current != null) {
            String reason = s.strip().lines().findFirst().orElse(s.strip());
            if (reason.startsWith(SKIPPED)) reason = reason.substring(SKIPPED.length());
            skipped.add(new ResultFile.Skip(shortName(current.getBenchmark()), params(current), reason));
            out.println(" skipped: " + reason);
            current = null;
        }
    }

    static String shortName(String benchmark) {
        return benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
    }

    private static Map<String, String> params(BenchmarkParams p) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Object k : p.getParamsKeys()) m.put((String) k, p.getParam((String) k));
        return m;
    }

    private static String describe(BenchmarkParams p) {
        StringBuilder b = new StringBuilder();
        params(p).forEach((k, v) -> {
            if (!k.equals("backend") && !k.equals("model")) b.append(b.isEmpty() ? "" : " ").append(k).append('=').append(v);
        });
        return b.toString();
    }

    @Override public void startRun() {}

    @Override public void endRun(Collection<RunResult> results) {}

    @Override public void print(String s) {}

    @Override public void verbosePrintln(String s) {}

    @Override public void write(int b) {}

    @Override public void write(byte[] b) {}

    @Override public void flush() { out.flush(); }

    @Override public void close() { out.flush(); }
}
