package dev.tokenmill.measure;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tokenmill.Defaults;
import dev.tokenmill.backend.Backend;
import dev.tokenmill.backend.DeviceInfo;
import dev.tokenmill.op.DType;
import dev.tokenmill.report.ResultFile;
import dev.tokenmill.report.ResultFiles;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One {@code ./tokenmill run}, in three steps that each have a class: the {@link RunPreamble} (idle power and
 * ceilings), the suites through {@link JmhForks} (each suite's axes, then the trials the model roll-up needs
 * beyond them), and the {@link ResultAssembly} of the result file. Its trials are known before it starts
 * ({@link #trials()}), so the progress line counts them down and {@code run --dry-run} lists them. A run told to
 * stop ({@link RunStop}) starts no further trial and returns what it finished, as a result marked partial. The
 * backend is closed (what it holds of the device released) after the preamble; only its name and device description
 * are used after that.
 */
public final class SuiteRun {
    private final RunPlan plan;
    private final Backend backend;
    private final CeilingProbe probe;
    private final RunStop stop;
    private final Path scratch;
    private final PrintWriter log;

    /** One trial the run starts: its suite, benchmark and parameters, whether the roll-up added it, its estimate. */
    public record PlannedTrial(String suite, RollupPlan.SuiteTrial trial, boolean forRollup, double estimatedSeconds) {}

    /**
     * A run with the probe timing {@link CeilingProbe#forRun} picks for the plan (the short one unless it is full), JMH's
     * files in the temporary directory.
     */
    public SuiteRun(RunPlan plan, Backend backend, RunStop stop, PrintWriter log) {
        this(plan, backend, CeilingProbe.forRun(plan.size() != RunPlan.Size.FULL), stop,
                Path.of(System.getProperty("java.io.tmpdir")), log);
    }

    /** {@code log} hears the progress; JMH writes its results into {@code scratch} (and they are removed). */
    public SuiteRun(RunPlan plan, Backend backend, CeilingProbe probe, RunStop stop, Path scratch, PrintWriter log) {
        this.plan = plan;
        this.backend = backend;
        this.probe = probe;
        this.stop = stop;
        this.scratch = scratch;
        this.log = log;
    }

    /** Every trial this run starts, in order: each suite's axes, then the trials its roll-up needs beyond them. */
    public List<PlannedTrial> trials() {
        return trials(plan.jmh());
    }

    /** The same, their times estimated with {@code jmh} (the preamble lengthens the plan's for an energy window). */
    private List<PlannedTrial> trials(RunPlan.Jmh jmh) {
        List<PlannedTrial> out = new ArrayList<>();
        for (String suite : plan.suites()) {
            double each = jmh.orElse(SuiteAxes.annotated(suite)).estimatedSeconds();
            Map<String, String[]> params = suiteParams(suite);
            for (RollupPlan.SuiteTrial t : SuiteAxes.trials(suite, params)) out.add(new PlannedTrial(suite, t, false, each));
            for (RollupPlan.SuiteTrial t : rollupExtras(suite, params)) out.add(new PlannedTrial(suite, t, true, each));
        }
        return out;
    }

    /** Lists the trials and the time they should take on {@code out}, measuring nothing. */
    public void dryRun(PrintWriter out) {
        List<PlannedTrial> trials = trials();
        out.println("tokenmill: the " + plan.size().id() + " plan on " + backend.device().name() + " (" + backend.name()
                + "), model " + plan.model() + ", dtypes " + plan.dtypes().stream().map(DType::id).toList()
                + "; measuring nothing (--dry-run)");
        String suite = null;
        boolean extras = false;
        for (int i = 0; i < trials.size(); i++) {
            PlannedTrial t = trials.get(i);
            if (!t.suite().equals(suite)) {
                suite = t.suite();
                extras = false;
                out.println("suite " + suite + ", JMH " + plan.jmh().orElse(SuiteAxes.annotated(suite)).describe() + ":");
            }
            if (t.forRollup() && !extras) {
                extras = true;
                out.println("  ops the " + plan.model() + " roll-up needs beyond the suite's axes:");
            }
            out.printf("[%d/%d] %s %s%n", i + 1, trials.size(), t.trial().benchmark(), describe(t.trial().params()));
        }
        double seconds = trials.stream().mapToDouble(PlannedTrial::estimatedSeconds).sum();
        out.println(trials.size() + " trials, about " + Eta.clock(seconds) + " (an estimate: "
                + Eta.clock(seconds / Math.max(1, trials.size())) + " a trial, counting "
                + String.format(Locale.ROOT, "%.0f", Defaults.FORK_START_SECONDS)
                + " s to start each fork; the ceiling probes come before them)");
    }

    /** The run's result; partial ({@code run.partial} says why) when a stop was requested before the end. */
    public ResultFile run() {
        String created = ResultFiles.now();
        DeviceInfo device = backend.device();
        List<PlannedTrial> planned = trials();
        log.println("tokenmill: measuring " + device.name() + " (" + backend.name() + "), model " + plan.model()
                + ", dtypes " + plan.dtypes().stream().map(DType::id).toList() + ", the " + plan.size().id() + " plan, "
                + planned.size() + " trials");
        RunPreamble preamble = RunPreamble.measure(plan, backend, probe, log);
        // The forks open the device themselves; a GPU context held here would keep them from a GPU in exclusive mode.
        backend.close();
        JmhForks forks = new JmhForks(preamble.ceilings(), preamble.energy().baseline(), preamble.jmh(), scratch);
        ArrayNode jmh = ResultFiles.JSON.createArrayNode();
        Map<String, String> histograms = new LinkedHashMap<>();
        JmhProgress progress = new JmhProgress(log,
                new Eta(trials(preamble.jmh()).stream().mapToDouble(PlannedTrial::estimatedSeconds).toArray()),
                System::nanoTime);
        String partial = null;
        try {
            for (String suite : plan.suites()) {
                stop.check();
                log.println("suite " + suite + ":");
                Map<String, String[]> params = suiteParams(suite);
                run(forks, RunPlan.includePattern(suite), params, progress, jmh, histograms);
                List<RollupPlan.SuiteTrial> extra = rollupExtras(suite, params);
                if (!extra.isEmpty()) log.println("  ops the " + plan.model() + " roll-up needs beyond the suite's axes:");
                for (RollupPlan.SuiteTrial t : extra)
                    run(forks, SuiteAxes.includeExactly(t.benchmark()), trialParams(t), progress, jmh, histograms);
            }
            stop.check();   // a stop during the last trial ended its fork, which JMH reports as a failed trial, not a stop
            progress.finishTrial();
            log.println("measured " + planned.size() + " trials in " + progress.elapsed());
        } catch (RunStop.Stopped s) {
            partial = "stopped by " + s.getMessage() + " after " + jmh.size() + " trial(s)";
            log.println();
            log.println("tokenmill: " + partial + (stop.requested() ? "; the running trial was not finished and its"
                    + " fork was ended" : ""));
        }
        return ResultAssembly.assemble(plan, backend.name(), device, created, preamble, jmh, histograms,
                progress.skipped(), partial);
    }

    /** One {@link JmhForks#run} into {@code jmh}; when stopped, the trials it finished are kept before unwinding. */
    private void run(JmhForks forks, String include, Map<String, String[]> params, JmhProgress progress, ArrayNode jmh,
                     Map<String, String> histograms) {
        StoppableTrials trials = new StoppableTrials(progress, stop);
        try {
            collect(forks.run(include, params, trials), jmh, histograms);
        } catch (RunStop.Stopped s) {
            collect(trials.completed(), jmh, histograms);
            throw s;
        }
    }

    private static void collect(JmhForks.Results results, ArrayNode jmh, Map<String, String> histograms) {
        jmh.addAll(results.json());
        histograms.putAll(results.callHistograms());
    }

    /** The trials {@code suite}'s roll-up passes need that its main run (with {@code params}) does not measure. */
    private List<RollupPlan.SuiteTrial> rollupExtras(String suite, Map<String, String[]> params) {
        return plan.rollup() == null ? List.of()
                : plan.rollup().trials(suite).stream().filter(t -> !SuiteAxes.covers(params, t)).toList();
    }

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

    /** {@code batch=1 dtype=bf16 length=512}: the parameters but the backend and model, which every trial shares. */
    private static String describe(Map<String, String> params) {
        StringBuilder b = new StringBuilder();
        new TreeMap<>(params).forEach((k, v) -> {
            if (!k.equals("backend") && !k.equals("model")) b.append(b.isEmpty() ? "" : " ").append(k).append('=').append(v);
        });
        return b.toString();
    }
}
