package dev.tokenmill.cli;

import dev.tokenmill.Defaults;
import dev.tokenmill.backend.Backend;
import dev.tokenmill.backends.BackendCatalog;
import dev.tokenmill.measure.RunPlan;
import dev.tokenmill.measure.RunStop;
import dev.tokenmill.measure.SuiteRun;
import dev.tokenmill.op.ModelPreset;
import dev.tokenmill.report.ResultFile;
import dev.tokenmill.report.RollupText;
import dev.tokenmill.report.SummaryTable;
import dev.tokenmill.rollup.Rollup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/** The main job: ceilings, then the JMH suites, a summary table, the model roll-up and a result file. */
@Command(name = "run", description = "Runs the JMH prefill and decode suites and writes a result file.")
final class RunCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--suite", defaultValue = Defaults.SUITE, description = "prefill, decode or all (default: ${DEFAULT-VALUE})")
    String suite;

    @Option(names = "--backend", defaultValue = Defaults.BACKEND,
            description = "auto (the GPU when one works, else the CPU), cpu or cuda (default: ${DEFAULT-VALUE}); emu, the PTX "
                    + "emulator, measures nothing and is refused")
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

    @Option(names = "--out", defaultValue = Defaults.RESULTS_DIR,
            description = "directory for result files, checked before the first trial (default: ${DEFAULT-VALUE})")
    Path outDir;

    @Option(names = "--json", description = "print the result file's JSON on stdout instead of the table and roll-up")
    boolean json;

    /**
     * Logs (progress, the backend chosen, where the result went) go to stderr; the table or the JSON to stdout. On
     * SIGINT or SIGTERM the run stops, keeps the trials it finished in a result file marked partial, and says where.
     */
    @Override public Integer call() {
        PrintWriter out = spec.commandLine().getOut(), log = spec.commandLine().getErr();
        if (quick && full) throw new IllegalArgumentException("--quick and --full exclude each other; give one");
        if (dryRun && json) throw new IllegalArgumentException("--dry-run lists a plan and --json prints a result file; give one");
        RunPlan.suites(suite);      // bad input is refused before a backend is opened (and says which it picked)
        ModelPreset.parse(model);
        try (Backend b = open(backend, log)) {
            RunPlan plan = RunPlan.of(suite, backend, model, quick ? RunPlan.Size.QUICK : full ? RunPlan.Size.FULL
                    : RunPlan.Size.defaultFor(b.name()));
            if (dryRun) {
                new SuiteRun(plan, b, new RunStop(), log).dryRun(out);
                return 0;
            }
            ResultDestination destination = ResultDestination.check(outDir);
            RunStop stop = new RunStop();
            try (StopOnSignal signals = new StopOnSignal(stop)) {
                return run(new SuiteRun(plan, b, stop, log), stop, destination, out, log);
            }
        }
    }

    /**
     * Runs, saves and prints; returns the exit code: 0, {@link Main#INTERRUPTED} for a run stopped by {@code stop}, 1
     * for one that failed (JMH itself failed, or the result could not be written where asked).
     */
    int run(SuiteRun run, RunStop stop, ResultDestination destination, PrintWriter out, PrintWriter log) {
        ResultFile result = run.run();
        int stopped = stop.requested() ? Main.INTERRUPTED : 1;
        if (result.records().isEmpty()) {
            log.println("tokenmill: nothing was measured (" + (result.partial() ? "the run stopped before its first trial"
                    + " finished" : "the reasons are above") + "); no result file written.");
            return result.partial() ? stopped : 1;
        }
        ResultDestination.Saved saved = destination.save(result);
        print(result, saved.file(), json, out);
        if (saved.failure() != null) {
            log.println("tokenmill: " + saved.failure() + "; the result is saved as " + saved.file()
                    + " instead: move it where you keep results");
            return 1;
        }
        if (result.partial()) {
            log.println("tokenmill: the " + result.records().size() + " record(s) measured before the stop are in "
                    + saved.file() + ", marked partial (compare labels it)");
            return stopped;
        }
        log.println("tokenmill: wrote " + saved.file());
        return 0;
    }

    /**
     * What stdout gets: the result file's JSON as written ({@code json}), or the summary table, what was skipped or
     * not measured, and the model roll-up.
     */
    static void print(ResultFile result, Path file, boolean json, PrintWriter out) {
        if (json) {
            try {
                String text = Files.readString(file);
                out.print(text.endsWith("\n") ? text : text + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read back the result file " + file + ": " + e.getMessage(), e);
            }
            return;
        }
        out.println();
        out.print(SummaryTable.render(result.records(), result.ceilings()));
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
    }

    /**
     * {@code auto} says which backend it picked and why; other names must work here, and time: a run of a backend that
     * measures nothing (the PTX emulator) is bad input, refused in one sentence.
     */
    private static Backend open(String name, PrintWriter log) {
        Backend b = BackendCatalog.select(name);
        Optional<String> untimed = b.cannotTime();
        if (untimed.isPresent()) {
            b.close();
            throw new IllegalArgumentException("run measures time, and " + untimed.get() + " ('verify --backend "
                    + b.name() + "' and 'op ... --backend " + b.name() + "' give its checks and counters)");
        }
        if (name.equalsIgnoreCase(BackendCatalog.AUTO) && b.name().equals("cpu"))
            try (Backend cuda = BackendCatalog.open("cuda")) {
                log.println("tokenmill: no working GPU (" + cuda.availability().reason() + "); running on the CPU.");
            }
        return b;
    }
}
