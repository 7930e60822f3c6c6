package dev.tokenmill.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code compare --out}: where it may write, what it may replace, and what it leaves behind. */
class CompareOutTest {
    private static final String NINE = "src/test/resources/results/fake-9000.json", FOUR = "src/test/resources/results/fake-4500.json";

    @TempDir Path dir;

    @Test
    void anEmptyOutIsRefusedRatherThanWritingIntoTheCurrentDirectory() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        Cli.Result r = Cli.run("compare", NINE, "--out=");
        assertEquals(Main.USAGE, r.code(), r.err());
        OpCommandErrorsTest.assertOneSentence(r, "--out needs a directory: an empty path would mean the current directory");
        assertEquals(readme, Files.readString(Path.of("README.md")), "the project's README is untouched");
        assertFalse(Files.exists(Path.of("prefill-vs-decode.png")));
    }

    @Test
    void theFilesystemRootAndAFileAreRefusedSayingWhy() throws Exception {
        Cli.Result root = Cli.run("compare", NINE, "--out", "/");
        assertEquals(Main.USAGE, root.code(), root.err());
        OpCommandErrorsTest.assertOneSentence(root, "--out / is the filesystem root: give a directory of its own");
        assertFalse(Files.exists(Path.of("/README.md")) && Files.readString(Path.of("/README.md")).contains("tokenmill compare"));

        Path file = Files.writeString(dir.resolve("notes.txt"), "mine");
        Cli.Result f = Cli.run("compare", NINE, "--out", file.toString());
        assertEquals(Main.USAGE, f.code(), f.err());
        OpCommandErrorsTest.assertOneSentence(f, "--out " + file + " is a file, not a directory");
        assertEquals("mine", Files.readString(file));
    }

    @Test
    void aDirectoryGivenAsAFileIsSaidToBeADirectory() {
        Cli.Result r = Cli.run("compare", "src/test/resources/results");
        assertEquals(Main.USAGE, r.code(), r.err());
        OpCommandErrorsTest.assertOneSentence(r, "src/test/resources/results is a directory, not a result file: give the"
                + " files in it (e.g. src/test/resources/results/*/*.json)");
    }

    @Test
    void aMissingDirectoryIsCreated() {
        Path nested = dir.resolve("a/b");
        Cli.Result r = Cli.run("compare", NINE, "--out", nested.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(nested.resolve("README.md")));
        assertTrue(r.out().startsWith("wrote " + nested.resolve("README.md") + " and roofline-fake-9000.png"), r.out());
    }

    @Test
    void aReadmeCompareDidNotWriteIsNeverReplaced() throws Exception {
        Path readme = Files.writeString(dir.resolve("README.md"), "# My project\n\nHand-written.\n");
        Cli.Result r = Cli.run("compare", NINE, "--out", dir.toString());
        assertEquals(Main.USAGE, r.code(), r.err());
        OpCommandErrorsTest.assertOneSentence(r, readme + " was not written by tokenmill compare");
        assertTrue(r.err().contains("give another --out directory"), r.err());
        assertEquals("# My project\n\nHand-written.\n", Files.readString(readme));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(readme), files.toList(), "no chart, no temporary directory");
        }
    }

    @Test
    void theNextSetReplacesItsOwnReadmeAndRemovesItsStaleChartsOnly() throws Exception {
        assertEquals(0, Cli.run("compare", NINE, FOUR, "--out", dir.toString()).code());
        assertTrue(Files.exists(dir.resolve("roofline-fake-4500.png")));
        Path mine = Files.writeString(dir.resolve("photo.png"), "not a chart of compare's");

        Cli.Result r = Cli.run("compare", NINE, "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertFalse(Files.exists(dir.resolve("roofline-fake-4500.png")), "stale: the new set has no such device");
        assertTrue(Files.exists(dir.resolve("roofline-fake-9000.png")));
        assertTrue(Files.exists(mine), "a file the previous README.md did not link stays");
        assertFalse(Files.readString(dir.resolve("README.md")).contains("fake-4500"));
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".tokenmill")), "no temporary left");
        }
    }
}
