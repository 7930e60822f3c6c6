package dev.tokenmill.measure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tokenmill.energy.EnergyBaseline;
import dev.tokenmill.jmh.FiguresProfiler;
import dev.tokenmill.jmh.ForkFlags;
import dev.tokenmill.report.Ceilings;
import dev.tokenmill.report.JmhRecords;
import dev.tokenmill.report.ResultFiles;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs suite benchmarks through JMH's Runner in forked VMs, each handed what the run measured before it (the
 * ceilings, the energy baseline) as system properties, with the figures profiler and the run's JMH settings;
 * returns JMH's JSON results and each trial's per-call histogram, which the JSON cannot hold.
 *
 * @param ceilings the run's measured ceilings, for each record's fraction of them
 * @param energy   the energy baseline, or null when the forks read no energy
 * @param jmh      JMH's settings; null fields keep the benchmarks' annotations
 */
record JmhForks(Ceilings ceilings, EnergyBaseline energy, RunPlan.Jmh jmh) {

    /**
     * What JMH measured.
     *
     * @param json           JMH's JSON results, one entry per trial
     * @param callHistograms each trial's per-call histogram by {@link JmhRecords#trialKey}
     */
    record Results(ArrayNode json, Map<String, String> callHistograms) {}

    /** The benchmarks matching {@code include}, with {@code params}; progress and skips go to {@code progress}. */
    Results run(String include, Map<String, String[]> params, JmhProgress progress) {
        Path json = null;
        try {
            json = Files.createTempFile("tokenmill-jmh-", ".json");
            List<String> jvmArgs = new ArrayList<>(ForkFlags.ALL);
            jvmArgs.add("-D" + Ceilings.PROPERTY + "=" + ceilings.toProperty());
            if (energy != null) jvmArgs.add("-D" + EnergyBaseline.PROPERTY + "=" + energy.toProperty());
            ChainedOptionsBuilder o = new OptionsBuilder()
                    .include(include)
                    .addProfiler(FiguresProfiler.class)
                    .jvmArgsAppend(jvmArgs.toArray(String[]::new))
                    .shouldFailOnError(false)
                    .resultFormat(ResultFormatType.JSON)
                    .result(json.toString());
            params.forEach(o::param);
            if (jmh.forks() != null) o.forks(jmh.forks());
            if (jmh.warmupIterations() != null)
                o.warmupIterations(jmh.warmupIterations()).warmupTime(TimeValue.fromString(jmh.warmupTime()));
            if (jmh.iterations() != null)
                o.measurementIterations(jmh.iterations()).measurementTime(TimeValue.fromString(jmh.iterationTime()));
            Collection<RunResult> trials = new Runner(o.build(), progress).run();
            Map<String, String> histograms = new LinkedHashMap<>();
            for (RunResult t : trials) {
                String h = FiguresProfiler.callHistogram(t);
                if (h != null) histograms.put(key(t.getParams()), h);
            }
            JsonNode results = Files.size(json) == 0 ? ResultFiles.JSON.createArrayNode() : ResultFiles.JSON.readTree(json.toFile());
            return new Results((ArrayNode) results, histograms);
        } catch (RunnerException e) {
            throw new IllegalStateException("JMH could not run " + include + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read JMH's results: " + e.getMessage(), e);
        } finally {
            if (json != null) json.toFile().delete();
        }
    }

    private static String key(BenchmarkParams p) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String k : p.getParamsKeys()) params.put(k, p.getParam(k));
        return JmhRecords.trialKey(p.getBenchmark(), params);
    }
}
