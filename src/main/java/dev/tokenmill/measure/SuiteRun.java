package dev.tokenmill.measure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tokenmill.backend.Backend;
import dev.tokenmill.backend.DeviceInfo;
import dev.tokenmill.bench.FiguresProfiler;
import dev.tokenmill.op.DType;
import dev.tokenmill.report.Figures;
import dev.tokenmill.report.JmhRecords;
import dev.tokenmill.report.Record;
import dev.tokenmill.report.ResultFile;
import dev.tokenmill.report.ResultFiles;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One {@code ./tokenmill run}: measures the backend's ceilings, runs the plan's suites through JMH's Runner (in
 * forked VMs that receive the ceilings), and assembles the result file from JMH's JSON.
 */
public final class SuiteRun {
    private final RunPlan plan;
    private final Backend backend;
    private final CeilingProbe probe;
    private final PrintWriter out;

    /** A run with the probe sizes {@link CeilingProbe#forRun} picks for the plan. */
    public SuiteRun(RunPlan plan, Backend backend, PrintWriter out) {
        this(plan, backend, CeilingProbe.forRun(backend, plan.quick()), out);
    }

    public SuiteRun(RunPlan plan, Backend backend, CeilingProbe probe, PrintWriter out) {
        this.plan = plan;
        this.backend = backend;
        this.probe = probe;
        this.out = out;
    }

    public ResultFile run() {
        String created = ResultFiles.now();
        DeviceInfo device = backend.device();
        out.println("tokenmill: measuring " + device.name() + " (" + backend.name() + "), model " + plan.model()
                + ", dtypes " + plan.dtypes().stream().map(DType::id).toList() + (plan.quick() ? ", quick" : ""));
        Ceilings ceilings = probe.measure(backend, plan.dtypes(), line -> out.println("  " + line));
        out.println("  ceilings: copy " + (ceilings.copyGbs() == null ? "not measured" : Figures.bandwidth(ceilings.copyGbs()))
                + ceilings.peakTflops().entrySet().stream().map(e -> ", " + e.getKey() + " " + Figures.flops(e.getValue()))
                .collect(Collectors.joining()));
        ceilings.notes().forEach((k, v) -> out.println("  ceiling " + k + ": " + v));
        ArrayNode jmh = ResultFiles.JSON.createArrayNode();
        List<ResultFile.Skip> skipped = new ArrayList<>();
        for (String suite : plan.suites()) {
            out.println("suite " + suite + ":");
            JmhProgress progress = new JmhProgress(out);
            jmh.addAll((ArrayNode) runJmh(suite, ceilings, progress));
            skipped.addAll(progress.skipped());
        }
        List<Record> records = JmhRecords.from(jmh, ceilings);
        Map<String, Object> jmhSettings = new LinkedHashMap<>();
        RunPlan.Jmh j = plan.jmh();
        if (j.forks() != null) jmhSettings.put("forks", j.forks());
        if (j.warmupIterations() != null) jmhSettings.put("warmup", j.warmupIterations() + " x " + j.warmupTime());
        if (j.iterations() != null) jmhSettings.put("measurement", j.iterations() + " x " + j.iterationTime());
        return new ResultFile(ResultFile.SCHEMA, created, Provenance.tool(), new ResultFile.RunInfo(
                String.join(",", plan.suites()), backend.name(), plan.model(),
                plan.dtypes().stream().map(DType::id).toList(), plan.quick(), jmhSettings),
                device, Provenance.clocks(device), Provenance.host(), ceilings, records, skipped, jmh);
    }

    private JsonNode runJmh(String suite, Ceilings ceilings, JmhProgress progress) {
        Path json = null;
        try {
            json = Files.createTempFile("tokenmill-jmh-", ".json");
            ChainedOptionsBuilder o = new OptionsBuilder()
                    .include(RunPlan.includePattern(suite))
                    .param("backend", backend.name())
                    .param("model", plan.model())
                    .param("dtype", plan.dtypes().stream().map(DType::id).toArray(String[]::new))
                    .addProfiler(FiguresProfiler.class)
                    .jvmArgsAppend("--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                            "--sun-misc-unsafe-memory-access=allow", "-D" + Ceilings.PROPERTY + "=" + ceilings.toProperty())
                    .shouldFailOnError(false)
                    .resultFormat(ResultFormatType.JSON)
                    .result(json.toString());
            plan.params().getOrDefault(suite, Map.of()).forEach(o::param);
            RunPlan.Jmh j = plan.jmh();
            if (j.forks() != null) o.forks(j.forks());
            if (j.warmupIterations() != null) o.warmupIterations(j.warmupIterations()).warmupTime(TimeValue.fromString(j.warmupTime()));
            if (j.iterations() != null) o.measurementIterations(j.iterations()).measurementTime(TimeValue.fromString(j.iterationTime()));
            new Runner(o.build(), progress).run();
            return Files.size(json) == 0 ? ResultFiles.JSON.createArrayNode() : ResultFiles.JSON.readTree(json.toFile());
        } catch (RunnerException e) {
            throw new IllegalStateException("JMH could not run the " + suite + " suite: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read JMH's results: " + e.getMessage(), e);
        } finally {
            if (json != null) json.toFile().delete();
        }
    }
}
