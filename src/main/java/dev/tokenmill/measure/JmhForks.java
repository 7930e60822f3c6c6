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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs suite benchmarks through JMH's Runner in forked VMs, each handed what the run measured before it (the
 * ceilings, the energy baseline) as system properties, with the figures profiler and the run's JMH settings;
 * returns JMH's JSON results and each trial's per-call histogram, which the JSON cannot hold.
 *
 * @param ceilings the run's measured ceilings, for each record's fraction of them
 * @param energy   the energy baseline, or null when the forks read no energy
 * @param jmh      JMH's settings; null fields keep the benchmarks' annotations
 * @param scratch  where JMH writes its JSON results, removed however the run ends (a stop included)
 */
record JmhForks(Ceilings ceilings, EnergyBaseline energy, RunPlan.Jmh jmh, Path scratch) {

    /**
     * What JMH measured.
     *
     * @param json           JMH's JSON results, one entry per trial
     * @param callHistograms each trial's per-call histogram by {@link JmhRecords#trialKey}
     */
    record Results(ArrayNode json, Map<String, String> callHistograms) {}

    /**
     * The benchmarks matching {@code include}, with {@code params}; progress and skips go to {@code trials}. Throws
     * {@link RunStop.Stopped} when {@code trials} was told to stop or JMH itself failed; {@code trials}'
     * {@link StoppableTrials#completed} holds what finished.
     */
    Results run(String include, Map<String, String[]> params, StoppableTrials trials) {
        Path json = null;
        try {
            json = Files.createTempFile(scratch, "tokenmill-jmh-", ".json");
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
            Collection<RunResult> finished = new Runner(o.build(), trials).run();
            JsonNode results = Files.size(json) == 0 ? ResultFiles.JSON.createArrayNode() : ResultFiles.JSON.readTree(json.toFile());
            return new Results((ArrayNode) results, callHistograms(finished));
        } catch (RunnerException e) {
            // a failure of JMH itself ends the run like a stop, so that the trials measured before it are kept
            throw new RunStop.Stopped("a JMH failure (" + failure(include, e) + ")");
        } catch (IOException e) {
            if (json == null) throw new UncheckedIOException("cannot create JMH's result file in " + scratch + ": " + e.getMessage(), e);
            // JMH's file could not be written or read (a full temporary directory): keep what the trials hold in memory,
            // JMH's results per trial with every iteration but its forks merged into one list, rather than lose the run
            return trials.completed();
        } finally {
            if (json != null) json.toFile().delete();
        }
    }

    /** Each finished trial's per-call histogram (by {@link JmhRecords#trialKey}), where the figures profiler kept one. */
    static Map<String, String> callHistograms(Collection<RunResult> finished) {
        Map<String, String> histograms = new LinkedHashMap<>();
        for (RunResult t : finished) {
            String h = FiguresProfiler.callHistogram(t);
            if (h != null) histograms.put(key(t.getParams()), h);
        }
        return histograms;
    }

    /** JMH's reason in one sentence; its lock (one benchmark run per machine at a time) in words. */
    static String failure(String include, RunnerException e) {
        String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("").replaceFirst("^ERROR: ", "");
        Matcher lock = Pattern.compile("JMH lock \\(([^)]*)\\)").matcher(message);
        if (lock.find())
            return "another benchmark run on this machine holds JMH's lock " + lock.group(1)
                    + ", and two at once would disturb each other's figures: run again when it has finished";
        return "JMH could not run " + include + ": " + message;
    }

    private static String key(BenchmarkParams p) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String k : p.getParamsKeys()) params.put(k, p.getParam(k));
        return JmhRecords.trialKey(p.getBenchmark(), params);
    }
}
