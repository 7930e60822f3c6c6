package dev.tokenmill.cli;

import dev.tokenmill.report.ResultFile;
import dev.tokenmill.report.ResultFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code run --out}: refused before measuring when it cannot be written; never the reason a run is lost. */
class ResultDestinationTest {
    @TempDir Path dir;

    @Test
    void runRefusesAFileOrAKernelFilesystemBeforeMeasuringAnything() throws Exception {
        Path file = Files.writeString(dir.resolve("README.md"), "mine");
        Cli.Result r = Cli.run("run", "--backend", "fake", "--out", file.toString());
        assertEquals(Main.USAGE, r.code(), r.err());
        OpCommandErrorsTest.assertOneSentence(r, "--out " + file + " is a file, not a directory");
        assertEquals("mine", Files.readString(file));

        Cli.Result proc = Cli.run("run", "--backend", "fake", "--out", "/proc/tokenmill-results");
        assertEquals(Main.USAGE, proc.code(), proc.err());
        OpCommandErrorsTest.assertOneSentence(proc, "cannot write into --out /proc/tokenmill-results: /proc is on a proc filesystem");
    }

    @Test
    void aResultThatCannotBeWrittenWhereAskedIsRescued() throws Exception {
        ResultFile result = ResultFiles.read(Path.of("src/test/resources/results/fake-9000.json"));
        Path out = dir.resolve("results"), rescue = dir.resolve("rescue");
        ResultDestination destination = new ResultDestination(OutputDirectory.prepare("--out", out), List.of(rescue));
        Files.delete(out);
        Files.writeString(out, "the directory went away and a file took its place");

        ResultDestination.Saved saved = destination.save(result);
        assertTrue(saved.file().startsWith(rescue.resolve("fake-9000")), saved.file().toString());
        assertEquals(result.records(), ResultFiles.read(saved.file()).records());
        assertEquals("cannot write the result file into " + out + ": " + out + " is a file, not a directory", saved.failure());

        Files.delete(out);
        ResultDestination.Saved normal = destination.save(result);
        assertNull(normal.failure());
        assertTrue(normal.file().startsWith(out), normal.file().toString());
    }
}
