package dev.tokenmill.cli;

import dev.tokenmill.Defaults;
import dev.tokenmill.backend.Backend;
import dev.tokenmill.backends.BackendCatalog;
import dev.tokenmill.measure.RunPlan;
import dev.tokenmill.measure.SuiteRun;
import dev.tokenmill.report.ResultFile;
import dev.tokenmill.report.ResultFiles;
import dev.tokenmill.report.SummaryTable;
import dev.tokenmill.rollup.Rollup;
import dev.tokenmill.rollup.RollupText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** The main job: ceilings, then the JMH suites, a summary table, the model roll-up and a result file. */
@Command(name = "run", description = "Runs the JMH prefill and decode suites and writes a result file.")
final class RunCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--suite", defaultValue = Defaults.SUITE, description = "prefill, decode or all (default: ${DEFAULT-VALUE})")
    String suite;

    @Option(names = "--backend", defaultValue = Defaults.BACKEND,
            description = "auto (the GPU when one works, else the CPU), cpu or cuda (default: ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--model", defaultValue = Defaults.MODEL,
            description = "model preset whose shapes to measure and roll up into TTFT, TPOT, tokens/s and tokens/J (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--quick", description = "a smoke run: one shape per op, bf16, one fork: a minute or two on a small CPU")
    boolean quick;

    @Option(names = "--full", description = "every shape and dtype of the suites (the default on a GPU; hours on a small CPU,"
            + " where the default is the CI-sized plan: every op family, bf16, under ten minutes on 2 cores)")
    boolean full;

    @Option(names = "--dry-run", description = "list the trials and the time they should take, measuring nothing")
    boolean dryRun;

    @Option(names = "--out", defaultValue = Defaults.RESULTS_DIR, description = "directory for result files (default: ${DEFAULT-VALUE})")
    Path outDir;

    @Override public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (quick && full) throw new IllegalArgumentException("--quick and --full exclude each other; give one");
        try (Backend b = open(backend, out)) {
            RunPlan plan = RunPlan.of(suite, backend, model, quick ? RunPlan.Size.QUICK : full ? RunPlan.Size.FULL
                    : RunPlan.Size.defaultFor(b.name()));
            if (dryRun) {
                new SuiteRun(plan, b, out).dryRun();
                return 0;
            }
            ResultFile result = new SuiteRun(plan, b, out).run();
            out.println();
            out.print(SummaryTable.render(result.records()));
            if (!result.skipped().isEmpty())
                out.println(result.skipped().size() + " trial(s) skipped; the result file lists them with their reasons.");
            if (result.energy() != null && result.energy().absentReason() != null)
                out.println("energy: not measured: " + result.energy().absentReason());
            if (result.rollup() != null && !result.rollup().isEmpty()) {
                out.println();
                out.println("Model roll-up: " + Rollup.LABEL);
                for (Rollup r : result.rollup()) {
                    out.println();
                    RollupText.lines(r).forEach(out::println);
                }
            }
            if (result.records().isEmpty()) {
                spec.commandLine().getErr().println("tokenmill: nothing was measured (the reasons are above); no result file written.");
                return 1;
            }
            out.println("wrote " + ResultFiles.write(outDir, result));
            return 0;
        }
    }

    /** {@code auto} says which backend it picked and why; other names must work here. */
    private static Backend open(String name, PrintWriter out) {
        Backend b = BackendCatalog.select(name);
        if (name.equalsIgnoreCase(BackendCatalog.AUTO) && b.name().equals("cpu"))
            try (Backend cuda = BackendCatalog.open("cuda")) {
                out.println("tokenmill: no working GPU (" + cuda.availability().reason() + "); running on the CPU.");
            }
        return b;
    }
}
