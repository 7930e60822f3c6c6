package dev.tokenmill.measure;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tokenmill.report.ResultFiles;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.format.OutputFormat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * JMH's output for one {@link JmhForks#run}: passed on to the progress, with two additions. Each trial JMH finishes is
 * kept, so that a run stopped half-way still has the trials it measured ({@link #completedJson}); and once a stop is
 * requested, the next trial is refused before its fork starts ({@link RunStop#check} in {@link #startBenchmark}, which
 * JMH's Runner calls on its own thread and lets through), which ends the Runner.
 */
final class StoppableTrials implements OutputFormat {
    private final OutputFormat progress;
    private final RunStop stop;
    private final List<RunResult> completed = new ArrayList<>();

    StoppableTrials(OutputFormat progress, RunStop stop) {
        this.progress = progress;
        this.stop = stop;
    }

    @Override public void startBenchmark(BenchmarkParams params) {
        stop.check();
        progress.startBenchmark(params);
    }

    @Override public void endBenchmark(BenchmarkResult result) {
        if (result != null && !result.getIterationResults().isEmpty())
            completed.add(new RunResult(result.getParams(), List.of(result)));
        progress.endBenchmark(result);
    }

    /** The trials finished so far, as {@link JmhForks#run} returns them. */
    JmhForks.Results completed() { return new JmhForks.Results(completedJson(), JmhForks.callHistograms(completed)); }

    /** The trials finished so far, as JMH's JSON result format writes them. */
    ArrayNode completedJson() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            ResultFormatFactory.getInstance(ResultFormatType.JSON, out).writeOut(completed);
        }
        try {
            return completed.isEmpty() ? ResultFiles.JSON.createArrayNode()
                    : (ArrayNode) ResultFiles.JSON.readTree(bytes.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read back JMH's results of the finished trials: " + e.getMessage(), e);
        }
    }

    @Override public void iteration(BenchmarkParams b, IterationParams i, int n) { progress.iteration(b, i, n); }

    @Override public void iterationResult(BenchmarkParams b, IterationParams i, int n, IterationResult r) {
        progress.iterationResult(b, i, n, r);
    }

    @Override public void startRun() { progress.startRun(); }

    @Override public void endRun(Collection<RunResult> results) { progress.endRun(results); }

    @Override public void print(String s) { progress.print(s); }

    @Override public void println(String s) { progress.println(s); }

    @Override public void flush() { progress.flush(); }

    @Override public void close() { progress.close(); }

    @Override public void verbosePrintln(String s) { progress.verbosePrintln(s); }

    @Override public void write(int b) { progress.write(b); }

    @Override public void write(byte[] b) throws IOException { progress.write(b); }
}
