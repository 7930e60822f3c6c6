package dev.tokenmill.cli;

import dev.tokenmill.Defaults;
import dev.tokenmill.report.Comparison;
import dev.tokenmill.report.ComparisonFiles;
import dev.tokenmill.report.Gate;
import dev.tokenmill.report.ResultFile;
import dev.tokenmill.report.ResultFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * Result files compared: what changed and what is noise for runs on one device, devices side by side otherwise;
 * markdown on stdout, one JSON object with {@code --json}, or with {@code --out DIR} a README.md and PNG charts (a
 * roofline per device, prefill-vs-decode bars) in DIR. With {@code --max-regression}, the CI gate: exit 3 when a
 * record of NEW is significantly slower than BASE by more than the share given.
 */
@Command(name = "compare", description = "Compares result files: what changed and what is noise on one device,"
        + " devices side by side otherwise; with --max-regression, a CI gate (exit 3 on a regression).")
final class CompareCommand implements Callable<Integer> {
    /** Exit code of a failed gate: a significant regression beyond --max-regression. */
    static final int REGRESSION = 3;

    @Spec CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "result files; ratios are to the first")
    List<Path> files;

    @Option(names = "--out", paramLabel = "DIR", description = "write README.md and charts into this directory (created"
            + " if missing) instead of printing; a README.md that compare did not write is never replaced")
    Path outDir;

    @Option(names = "--max-regression", paramLabel = "PCT", description = "the gate: with two files BASE NEW, exit 3 when"
            + " a record of NEW is significantly slower than BASE by more than PCT (e.g. 5%%), naming the records")
    String maxRegression;

    @Option(names = "--alpha", defaultValue = "" + Defaults.ALPHA,
            description = "a change is significant when the Mann-Whitney U p-value is below this (default: ${DEFAULT-VALUE})")
    double alpha;

    @Option(names = "--json", description = "print the comparison as one JSON object instead of markdown")
    boolean json;

    @Override public Integer call() {
        Double max = maxRegression == null ? null : Gate.parsePercent(maxRegression);
        if (max != null && files.size() != 2)
            throw new IllegalArgumentException("--max-regression compares two files, BASE and NEW; got " + files.size());
        if (json && outDir != null) throw new IllegalArgumentException("--json and --out exclude each other; give one");
        List<ResultFile> results = files.stream().map(ResultFiles::read).toList();
        Comparison comparison = new Comparison(results, alpha);
        Gate gate = null;
        if (max != null) {
            for (int i = 0; i < 2; i++)
                if (results.get(i).records().stream().allMatch(r -> r.samples() == null))
                    throw new IllegalArgumentException(files.get(i) + " has no samples (schema " + results.get(i).schema()
                            + "), so no change against it can be tested; measure it again with this tokenmill");
            gate = Gate.of(comparison.changes(1), max);
        }
        int code = gate == null || gate.passed() ? 0 : REGRESSION;
        if (gate != null && !gate.passed()) spec.commandLine().getErr().println("tokenmill: " + gate.sentence(files.get(0).toString()));
        if (json) {
            spec.commandLine().getOut().println(comparison.json(files.stream().map(Path::toString).toList(), gate).toPrettyString());
            return code;
        }
        if (outDir == null) {
            spec.commandLine().getOut().print(comparison.markdown(List.of(), gate));
            return code;
        }
        Path dir = OutputDirectory.prepare("--out", outDir);
        String command = "./tokenmill compare " + files.stream().map(Path::toString).collect(Collectors.joining(" "))
                + " --out " + outDir;
        List<String> written = ComparisonFiles.write(dir, command, results, comparison, gate);
        spec.commandLine().getOut().println("wrote " + dir.resolve(written.getFirst()) + " and "
                + String.join(", ", written.subList(1, written.size())));
        return code;
    }
}
