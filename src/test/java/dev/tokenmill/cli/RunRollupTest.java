package dev.tokenmill.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenmill.report.ResultFile;
import dev.tokenmill.report.ResultFiles;
import dev.tokenmill.rollup.Rollup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code run --quick} end to end on the fake device (50 TFLOP/s, 2000 GB/s): the suite, the LM head the roll-up
 * adds, the roll-up printed under the table and stored in the result file. The prefill suite only, for time:
 * each trial is a forked JMH VM (about 20 s in all).
 */
class RunRollupTest {
    @TempDir Path dir;

    @Test
    void runJsonPrintsTheResultFileAsWritten() throws Exception {
        Path file = ResultFiles.write(dir, ResultFiles.read(Path.of("src/test/resources/results/fake-9000.json")));
        StringWriter out = new StringWriter();
        RunCommand.print(ResultFiles.read(file), file, true, new PrintWriter(out, true));
        assertEquals(Files.readString(file) + "\n", out.toString());
        assertEquals("tokenmill/1", ResultFiles.JSON.readTree(out.toString()).path("schema").asText());
    }

    @Test
    void runQuickRollsTheModelUpIntoTheResultFile() throws Exception {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(new String[]{"run", "--quick", "--suite", "prefill", "--backend", "fake",
                "--model", "llama-3.2-1b", "--out", dir.toString()}, new PrintWriter(out, true), new PrintWriter(err, true));
        String text = out.toString();
        assertEquals(0, code, text + err);

        Path file;
        try (Stream<Path> files = Files.walk(dir)) {
            file = files.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
        }
        ResultFile result = ResultFiles.read(file);
        assertEquals("the fake backend has no energy counter", result.energy().absentReason());
        assertEquals(1, result.rollup().size());
        Rollup r = result.rollup().getFirst();
        assertEquals(Rollup.Phase.PREFILL, r.phase());
        assertEquals(512, r.promptTokens());
        assertTrue(r.complete(), r.missing().toString());
        // Llama-3.2-1B over 512 prompt tokens, each projection compute-bound on the fake at 50 TFLOP/s:
        // qkv 2*512*3072*2048 = 6,442,450,944 FLOP = 128.849 us; o 2*512*2048*2048 = 85.899 us;
        // gate_up 2*512*16384*2048 = 687.195 us; down 2*512*2048*8192 = 343.597 us;
        // attention 4*32*64*(512*513/2) = 1,075,838,976 FLOP = 21.517 us; x 16 layers = 20272.9 us;
        // LM head on the last token, bandwidth-bound: (2048 + 128256*2048 + 128256) x 2 B at 2000 GB/s = 262.799 us
        double perLayerUs = 128.849 + 85.899 + 687.195 + 343.597 + 21.517, headUs = 262.799;
        double ttft = (16 * perLayerUs + headUs) * 1e-6;   // 20.536 ms
        assertEquals(ttft, r.ttftSeconds(), ttft * 0.05, text);
        assertEquals(512 / r.ttftSeconds(), r.tokensPerSecond(), 1e-9);
        assertNull(r.tokensPerJoule());
        assertEquals("the fake backend has no energy counter", r.energyAbsentReason());
        assertEquals("m=1 n=128256 k=2048", r.parts().getLast().shape());

        // progress is a log on stderr; stdout has the table and the roll-up only
        String log = err.toString();
        assertTrue(log.contains("PrefillBenchmarks.linear batch=1 dtype=bf16 length=1 projection=lm_head"), log);
        assertTrue(log.contains("tokenmill: measuring Fake Accelerator 9000"), log);
        assertTrue(log.contains("tokenmill: wrote " + file), log);
        assertFalse(text.contains("PrefillBenchmarks") || text.contains("ceilings:") || text.contains("wrote"), text);
        assertTrue(text.startsWith("\nsuite    op"), text);
        assertTrue(text.contains("energy: not measured: the fake backend has no energy counter"), text);
        int table = text.indexOf("suite    op"), rollup = text.indexOf("Model roll-up: " + Rollup.LABEL);
        assertTrue(table > 0 && rollup > table, "the roll-up is printed under the table:\n" + text);
        assertTrue(text.contains("llama-3.2-1b prefill, bf16, batch 1 x 512 prompt tokens"), text);
        assertTrue(text.matches("(?s).*\n  TTFT (19|20|21)\\.\\d ms   .*"), text);

        JsonNode json = ResultFiles.JSON.readTree(file.toFile());
        assertTrue(json.path("rollup").get(0).path("ttft_seconds").isNumber(), "snake_case like the rest");
        assertEquals("tokenmill/2", json.path("schema").asText());
        for (JsonNode rec : json.path("records")) assertFalse(rec.has("energy"), "absent, never zero: " + rec);
        assertEquals(List.of("the fake backend has no energy counter"), json.path("energy").findValuesAsText("absent_reason"));
    }
}
