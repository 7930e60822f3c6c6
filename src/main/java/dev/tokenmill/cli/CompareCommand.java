package dev.tokenmill.cli;

import dev.tokenmill.report.Comparison;
import dev.tokenmill.report.ComparisonFiles;
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
 * Devices side by side from result files: markdown tables on stdout, or with {@code --out DIR} a README.md and
 * PNG charts (a roofline per device, prefill-vs-decode bars) in DIR.
 */
@Command(name = "compare", description = "Puts result files from several devices side by side.")
final class CompareCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "result files; ratios are to the first")
    List<Path> files;

    @Option(names = "--out", paramLabel = "DIR", description = "write README.md and charts into this directory (created"
            + " if missing) instead of printing; a README.md that compare did not write is never replaced")
    Path outDir;

    @Override public Integer call() {
        List<ResultFile> results = files.stream().map(ResultFiles::read).toList();
        Comparison comparison = new Comparison(results);
        if (outDir == null) {
            spec.commandLine().getOut().print(comparison.markdown(List.of()));
            return 0;
        }
        Path dir = OutputDirectory.prepare("--out", outDir);
        String command = "./tokenmill compare " + files.stream().map(Path::toString).collect(Collectors.joining(" "))
                + " --out " + outDir;
        List<String> written = ComparisonFiles.write(dir, command, results, comparison);
        spec.commandLine().getOut().println("wrote " + dir.resolve(written.getFirst()) + " and "
                + String.join(", ", written.subList(1, written.size())));
        return 0;
    }
}
