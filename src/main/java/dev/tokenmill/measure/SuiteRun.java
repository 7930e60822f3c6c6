package dev.tokenmill.measure;

import com.fasterxml.jackson.databind.node.ArrayNode;
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
import java.util.Map;

/**
 * One {@code ./tokenmill run}, in three steps that each have a class: the {@link RunPreamble} (idle power and
 * ceilings), the suites through {@link JmhForks} (each suite's axes, then the trials the model roll-up needs
 * beyond them), and the {@link ResultAssembly} of the result file. A run told to stop ({@link RunStop}) starts no
 * further trial and returns what it finished, as a result marked partial.
 */
public final class SuiteRun {
    private final RunPlan plan;
    private final Backend backend;
    private final CeilingProbe probe;
    private final RunStop stop;
    private final Path scratch;
    private final PrintWriter log;

    /** A run with the probe timing {@link CeilingProbe#forRun} picks for the plan, JMH's files in the temporary directory. */
    public SuiteRun(RunPlan plan, Backend backend, RunStop stop, PrintWriter log) {
        this(plan, backend, CeilingProbe.forRun(plan.quick()), stop, Path.of(System.getProperty("java.io.tmpdir")), log);
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

    /** The run's result; partial ({@code run.partial} says why) when a stop was requested before the end. */
    public ResultFile run() {
        String created = ResultFiles.now();
        DeviceInfo device = backend.device();
        log.println("tokenmill: measuring " + device.name() + " (" + backend.name() + "), model " + plan.model()
                + ", dtypes " + plan.dtypes().stream().map(DType::id).toList() + (plan.quick() ? ", quick" : ""));
        RunPreamble preamble = RunPreamble.measure(plan, backend, probe, log);
        JmhForks forks = new JmhForks(preamble.ceilings(), preamble.energy().baseline(), preamble.jmh(), scratch);
        ArrayNode jmh = ResultFiles.JSON.createArrayNode();
        List<ResultFile.Skip> skipped = new ArrayList<>();
        String partial = null;
        try {
            for (String suite : plan.suites()) {
                stop.check();
                log.println("suite " + suite + ":");
                JmhProgress progress = new JmhProgress(log);
                try {
                    Map<String, String[]> params = suiteParams(suite);
                    run(forks, RunPlan.includePattern(suite), params, progress, jmh);
                    List<RollupPlan.SuiteTrial> extra = plan.rollup() == null ? List.of()
                            : plan.rollup().trials(suite).stream().filter(t -> !SuiteAxes.covers(params, t)).toList();
                    if (!extra.isEmpty()) log.println("  ops the " + plan.model() + " roll-up needs beyond the suite's axes:");
                    for (RollupPlan.SuiteTrial t : extra)
                        run(forks, SuiteAxes.includeExactly(t.benchmark()), trialParams(t), progress, jmh);
                } finally {
                    skipped.addAll(progress.skipped());
                }
            }
        } catch (RunStop.Stopped s) {
            partial = "stopped by " + s.getMessage() + " after " + jmh.size() + " trial(s)";
            log.println();
            log.println("tokenmill: " + partial + (stop.requested() ? "; the running trial was not finished and its"
                    + " fork was ended" : ""));
        }
        return ResultAssembly.assemble(plan, backend.name(), device, created, preamble, jmh, skipped, partial);
    }

    /** One {@link JmhForks#run} into {@code jmh}; when stopped, the trials it finished are kept before unwinding. */
    private void run(JmhForks forks, String include, Map<String, String[]> params, JmhProgress progress, ArrayNode jmh) {
        StoppableTrials trials = new StoppableTrials(progress, stop);
        try {
            jmh.addAll(forks.run(include, params, trials));
        } catch (RunStop.Stopped s) {
            jmh.addAll(trials.completedJson());
            throw s;
        }
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
}
