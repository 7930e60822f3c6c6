package dev.tokenmill.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenmill.testing.MutatedPtx;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The emulator on the command line: {@code op} verifies and prints counters instead of timings ({@code --json}
 * carries them), {@code run} refuses it in one sentence, {@code verify} ends with every PTX entry, and
 * {@code TOKENMILL_PTX_DIR} points it at other PTX.
 */
@Tag("emu")
class EmuCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] DECODE = {"op", "decode", "--batch", "2", "--heads", "8", "--kv-heads", "2", "--head-dim",
            "128", "--seq-lens", "500,300", "--dtype", "bf16", "--backend", "emu"};

    @TempDir Path dir;

    @Test
    void opVerifiesAndPrintsCountersInsteadOfTimings() {
        Cli.Result r = Cli.run(DECODE);
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.outLines();
        assertTrue(lines.contains("backend       emu"), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("verification  ok (")), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("timing        none: the emu backend runs the PTX")), r.out());
        for (String label : List.of("launches", "warp instr", "global loads", "global stores", "global bytes", "shared loads",
                "shared stores", "barriers"))
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("  " + label + " ")), label + " in:\n" + r.out());
        assertTrue(r.out().contains("tm_decode_split_d128_bf16 grid (8,2,2) block (128,1,1)"), r.out());
        assertTrue(r.out().contains("tm_decode_merge_bf16 grid (8,2,1)"), r.out());
        assertTrue(r.out().contains("occupancy on A100 (sm_80)"), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("emulator      ")
                && l.contains("M warp instructions per CPU second: the emulator's speed, not the kernel's")), r.out());
        assertFalse(r.out().contains("latency") || r.out().contains("median"), "no timing: " + r.out());
    }

    @Test
    void jsonCarriesTheCounters() throws IOException {
        List<String> args = new ArrayList<>(List.of("op", "linear", "--m", "130", "--n", "136", "--k", "72", "--dtype", "f16",
                "--backend", "emu", "--json"));
        Cli.Result r = Cli.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals("none", j.get("timing").asText());
        assertTrue(j.get("median_ms").isNull());
        assertTrue(j.get("verified").get("passed").asBoolean());
        assertTrue(j.get("untimed").asText().contains("measures no time"));
        JsonNode c = j.get("counters");
        assertEquals("tm_linear_mma_f16", c.get("launches").get(0).get("kernel").asText());
        assertEquals(0.25, c.get("launches").get(0).get("occupancy").get("fraction").asDouble(), "64 KiB of shared memory per CTA");
        assertEquals(2L * 256 * 256 * 96, c.get("tensor_flops").asLong(), "whole 128x128 CTA tiles, K in steps of 32");
        assertTrue(c.get("warp_instructions").get("tensor").asLong() > 0);
        assertEquals(0, c.get("shared_loads").get("bank_conflicts").asLong(), "ldmatrix on the swizzled tiles");
        assertTrue(c.get("cp_async").get("global_bytes").asLong() > 0);
        assertTrue(c.get("global_bytes_over_minimum").asDouble() >= 1, c.toString());
        assertTrue(j.get("emulator").get("cpu_seconds").asDouble() > 0, "the emulator's own speed beside the counters");
        assertTrue(j.get("emulator").get("warp_instructions_per_cpu_second").asDouble() > 0);
    }

    @Test
    void runRefusesTheEmulatorInOneSentence() {
        Cli.Result r = Cli.run("run", "--backend", "emu", "--out", dir.toString());
        assertEquals(Main.USAGE, r.code());
        OpCommandErrorsTest.assertOneSentence(r, "run measures time, and the emu backend runs the PTX in tokenmill's "
                + "interpreter on the CPU: it verifies, checks and counts, and measures no time");
    }

    @Test
    void verifyEndsWithEveryPtxEntry() {
        Cli.Result r = Cli.run("verify", "--backend", "emu", "--quick");
        assertEquals(0, r.code(), r.out());
        List<String> lines = r.outLines();
        int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("module ")).findFirst().orElseThrow());
        List<String> rows = lines.subList(header + 2, lines.size() - 2);
        assertEquals(42, rows.size(), "every entry of the six modules:\n" + r.out());
        assertTrue(rows.stream().anyMatch(l -> l.matches("gemv +tm_gemv_reduce_bf16 +0 +0 +0 +0")),
                "the quick cases split no K: the reduce is listed with zeros\n" + r.out());
        assertTrue(rows.stream().anyMatch(l -> l.matches("probe +tm_probe_mma_bf16 +1 +1 +0 +0")), r.out());
        assertTrue(lines.get(lines.size() - 2).matches("emu: \\d+ of 42 entries launched, \\d+ never \\(listed with 0\\)"),
                lines.get(lines.size() - 2));
    }

    /**
     * The variable, as a kernel author sets it, in a fresh JVM (the environment cannot change in-process): a copy of
     * the committed kv module whose append writes one slot late is what runs, and fails.
     */
    @Test
    void ptxDirReplacesThePackagedKernels() throws Exception {
        MutatedPtx.copyCommitted(dir);
        MutatedPtx.edit(dir, "kv", "tm_kv_append_f16", MutatedPtx.replace("(ld\\.global\\.s32\\s+(%rd\\d+), \\[%rd\\d+\\];)",
                "$1\n\tadd.s64 \t$2, $2, 1;", 1));
        Process p = tokenmill(Map.of("TOKENMILL_PTX_DIR", dir.toString()), "op", "append", "--batch", "2", "--context", "20",
                "--kv-heads", "2", "--head-dim", "64", "--dtype", "f16", "--backend", "emu");
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, p.waitFor(), err);
        assertTrue(err.contains("tokenmill: cuda.append failed verification on the emu backend: FAILED")
                && err.contains("never written"), err);

        Process missing = tokenmill(Map.of("TOKENMILL_PTX_DIR", dir.resolve("nowhere").toString()), "op", "copy", "--bytes",
                "64", "--backend", "emu");
        String why = new String(missing.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip().lines()
                .filter(l -> !l.startsWith("WARNING: Using incubator modules")).reduce("", String::concat);
        assertEquals(1, missing.waitFor(), why);
        assertEquals("tokenmill: the emu backend does not work here: TOKENMILL_PTX_DIR=" + dir.resolve("nowhere")
                + " is not a directory (it should hold the <family>.sm_80.ptx files that kernels/build.sh writes to kernels/ptx)", why);
    }

    /** The command line in a JVM of its own, on this test's classpath, with {@code env} added. */
    private static Process tokenmill(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        b.environment().putAll(env);
        Process p = b.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("tokenmill " + String.join(" ", args) + " did not finish in 120 s");
        }
        return p;
    }
}
