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
import dev.tokenmill.rollup.Rollup;
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
 * One {@code ./tokenmill run}: measures the GPU's idle power (where it has an energy counter) and the backend's
 * ceilings, runs the plan's suites through JMH's Runner (in forked VMs that receive the ceilings and the energy
 * baseline), then the trials the plan's model roll-up needs beyond the suites' axes, and assembles the result
 * file from JMH's JSON, with the roll-ups.
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
        RunEnergy energy = RunEnergy.measure(backend, line -> out.println("  " + line));   // idle: before any load
        Ceilings ceilings = probe.measure(backend, plan.dtypes(), line -> out.println("  " + line));
        out.println("  ceilings: copy " + (ceilings.copyGbs() == null ? "not measured" : Figures.bandwidth(ceilings.copyGbs()))
                + ceilings.peakTflops().entrySet().stream().map(e -> ", " + e.getKey() + " " + Figures.flops(e.getValue()))
                .collect(Collectors.joining()));
        ceilings.notes().forEach((k, v) -> out.println("  ceiling " + k + ": " + v));
        RunPlan.Jmh j = energy.baseline() == null ? plan.jmh()
                : plan.jmh().measuringAtLeast(MEASURED_SECONDS_FOR_ENERGY);
        Forks forks = new Forks(ceilings, energy.baseline(), j);
        ArrayNode jmh = ResultFiles.JSON.createArrayNode();
        List<ResultFile.Skip> skipped = new ArrayList<>();
        for (String suite : plan.suites()) {
            out.println("suite " + suite + ":");
            JmhProgress progress = new JmhProgress(out);
            Map<String, String[]> params = suiteParams(suite);
            jmh.addAll((ArrayNode) runJmh(RunPlan.includePattern(suite), params, forks, progress));
            List<RollupPlan.SuiteTrial> extra = plan.rollup() == null ? List.of()
                    : plan.rollup().trials(suite).stream().filter(t -> !SuiteAxes.covers(params, t)).toList();
            if (!extra.isEmpty()) out.println("  ops the " + plan.model() + " roll-up needs beyond the suite's axes:");
            for (RollupPlan.SuiteTrial t : extra)
                jmh.addAll((ArrayNode) runJmh(SuiteAxes.includeExactly(t.benchmark()), trialParams(t), forks, progress));
            skipped.addAll(progress.skipped());
        }
        List<Record> records = JmhRecords.from(jmh, ceilings);
        List<Rollup> rollups = plan.rollup() == null ? null : plan.rollup().rollUp(plan.suites(), records,
                energy.info().absentReason());
        Map<String, Object> jmhSettings = new LinkedHashMap<>();
        if (j.forks() != null) jmhSettings.put("forks", j.forks());
        if (j.warmupIterations() != null) jmhSettings.put("warmup", j.warmupIterations() + " x " + j.warmupTime());
        if (j.iterations() != null) jmhSettings.put("measurement", j.iterations() + " x " + j.iterationTime());
        return new ResultFile(ResultFile.SCHEMA, created, Provenance.tool(), new ResultFile.RunInfo(
                String.join(",", plan.suites()), backend.name(), plan.model(),
                plan.dtypes().stream().map(DType::id).toList(), plan.quick(), jmhSettings),
                device, Provenance.clocks(device), Provenance.host(), ceilings, energy.info(), records, skipped,
                rollups, jmh);
    }

    /**
     * Quick trials measure 2 x 0.5 s; where energy is read they measure 3 s, clear of the 2 s an energy window
     * needs (a window spans a trial's measurement iterations).
     */
    static final double MEASURED_SECONDS_FOR_ENERGY = 3;

    /** What every forked trial VM is given: the ceilings, the energy baseline (or null) and JMH's settings. */
    private record Forks(Ceilings ceilings, EnergyBaseline energy, RunPlan.Jmh jmh) {}

    /** The parameters of a suite's main run: the plan's axes for it, on this backend, model and dtypes. */
    private Map<String, String[]> suiteParams(String suite) {
        Map<String, String[]> p = new LinkedHashMap<>(plan.params().getOrDefault(suite, Map.of()));
        p.put("backend", new String[]{backend.name()});
        p.put("model", new String[]{plan.model()});
        p.put("dtype", plan.dtypes().stream().map(DType::id).toArray(String[]::new));
        return p;
    }

    /** The parameters of exactly one trial. */
    private Map<String, String[]> trialParams(RollupPlan.SuiteTrial t) {
        Map<String, String[]> p = new LinkedHashMap<>();
        p.put("backend", new String[]{backend.name()});
        t.params().forEach((k, v) -> p.put(k, new String[]{v}));
        return p;
    }

    private JsonNode runJmh(String include, Map<String, String[]> params, Forks forks, JmhProgress progress) {
        Path json = null;
        try {
            json = Files.createTempFile("tokenmill-jmh-", ".json");
            List<String> jvmArgs = new ArrayList<>(List.of("--add-modules=jdk.incubator.vector",
                    "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                    "-D" + Ceilings.PROPERTY + "=" + forks.ceilings().toProperty()));
            if (forks.energy() != null) jvmArgs.add("-D" + EnergyBaseline.PROPERTY + "=" + forks.energy().toProperty());
            ChainedOptionsBuilder o = new OptionsBuilder()
                    .include(include)
                    .addProfiler(FiguresProfiler.class)
                    .jvmArgsAppend(jvmArgs.toArray(String[]::new))
                    .shouldFailOnError(false)
                    .resultFormat(ResultFormatType.JSON)
                    .result(json.toString());
            params.forEach(o::param);
            RunPlan.Jmh j = forks.jmh();
            if (j.forks() != null) o.forks(j.forks());
            if (j.warmupIterations() != null) o.warmupIterations(j.warmupIterations()).warmupTime(TimeValue.fromString(j.warmupTime()));
            if (j.iterations() != null) o.measurementIterations(j.iterations()).measurementTime(TimeValue.fromString(j.iterationTime()));
            new Runner(o.build(), progress).run();
            return Files.size(json) == 0 ? ResultFiles.JSON.createArrayNode() : ResultFiles.JSON.readTree(json.toFile());
        } catch (RunnerException e) {
            throw new IllegalStateException("JMH could not run " + include + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read JMH's results: " + e.getMessage(), e);
        } finally {
            if (json != null) json.toFile().delete();
        }
    }
}
