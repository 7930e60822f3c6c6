package dev.tokenmill.measure;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tokenmill.backend.Backend;
import dev.tokenmill.backend.DeviceInfo;
import dev.tokenmill.op.DType;
import dev.tokenmill.report.ResultFile;
import dev.tokenmill.report.ResultFiles;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code ./tokenmill run}, in three steps that each have a class: the {@link RunPreamble} (idle power and
 * ceilings), the suites through {@link JmhForks} (each suite's axes, then the trials the model roll-up needs
 * beyond them), and the {@link ResultAssembly} of the result file. The backend is closed (what it holds of the
 * device released) after the preamble; only its name and device description are used after that.
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
        RunPreamble preamble = RunPreamble.measure(plan, backend, probe, out);
        // The forks open the device themselves; a GPU context held here would keep them from a GPU in exclusive mode.
        backend.close();
        JmhForks forks = new JmhForks(preamble.ceilings(), preamble.energy().baseline(), preamble.jmh());
        ArrayNode jmh = ResultFiles.JSON.createArrayNode();
        List<ResultFile.Skip> skipped = new ArrayList<>();
        for (String suite : plan.suites()) {
            out.println("suite " + suite + ":");
            JmhProgress progress = new JmhProgress(out);
            Map<String, String[]> params = suiteParams(suite);
            jmh.addAll(forks.run(RunPlan.includePattern(suite), params, progress));
            List<RollupPlan.SuiteTrial> extra = plan.rollup() == null ? List.of()
                    : plan.rollup().trials(suite).stream().filter(t -> !SuiteAxes.covers(params, t)).toList();
            if (!extra.isEmpty()) out.println("  ops the " + plan.model() + " roll-up needs beyond the suite's axes:");
            for (RollupPlan.SuiteTrial t : extra)
                jmh.addAll(forks.run(SuiteAxes.includeExactly(t.benchmark()), trialParams(t), progress));
            skipped.addAll(progress.skipped());
        }
        return ResultAssembly.assemble(plan, backend.name(), device, created, preamble, jmh, skipped);
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
