package dev.tokenmill.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code run}'s plan sizes from the command line: the default per device, --quick, --full, --dry-run. */
class RunSizeTest {
    @TempDir Path dir;

    @Test
    void onTheCpuTheDefaultIsTheCiPlanAndADryRunMeasuresNothing() throws Exception {
        Cli.Result r = Cli.run("run", "--backend", "cpu", "--dry-run", "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("tokenmill: the ci plan on "), r.out());
        assertTrue(r.out().contains("[24/24] DecodeBenchmarks.linear batch=8 dtype=bf16 projection=lm_head\n"), r.out());
        assertTrue(r.out().contains("24 trials, about "), r.out());
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "no result file");
        }
    }

    @Test
    void elsewhereTheDefaultIsTheFullSuiteAndFlagsChooseOtherwise() {
        Cli.Result full = Cli.run("run", "--backend", "fake", "--dry-run", "--suite", "prefill");
        assertTrue(full.out().startsWith("tokenmill: the full plan on Fake Accelerator 9000"), full.out());
        assertTrue(full.out().contains("dtype=f32"), "every dtype");
        Cli.Result quick = Cli.run("run", "--backend", "fake", "--dry-run", "--quick", "--suite", "prefill");
        assertTrue(quick.out().startsWith("tokenmill: the quick plan"), quick.out());
        assertFalse(quick.out().contains("dtype=f32"));
        Cli.Result cpuFull = Cli.run("run", "--backend", "cpu", "--dry-run", "--full", "--suite", "decode");
        assertTrue(cpuFull.out().startsWith("tokenmill: the full plan"), cpuFull.out());
        Cli.Result both = Cli.run("run", "--backend", "cpu", "--dry-run", "--json");
        assertEquals(2, both.code());
        assertEquals("tokenmill: --dry-run lists a plan and --json prints a result file; give one\n", both.err());
    }

    @Test
    void quickAndFullExcludeEachOther() {
        Cli.Result r = Cli.run("run", "--quick", "--full", "--dry-run");
        assertEquals(Main.USAGE, r.code());
        assertEquals("tokenmill: --quick and --full exclude each other; give one\n", r.err());
    }
}
