package dev.tokenmill.cli;

import dev.tokenmill.Defaults;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenmill.backend.DeviceInfo;
import dev.tokenmill.measure.LatencyStats;
import dev.tokenmill.measure.Timer;
import dev.tokenmill.backend.WorkingSet;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.KvLayout;
import dev.tokenmill.op.LinearSpec;
import dev.tokenmill.op.ModelPreset;
import dev.tokenmill.op.OpSpec;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Verify-then-time and the figures and output derived from it, on a backend whose behaviour is known exactly. */
class OpReportTest {
    static final List<String> JSON_KEYS = List.of("op", "backend", "device", "variant", "dtype", "shape", "median_ms",
            "p50_ms", "p90_ms", "p99_ms", "p999_ms", "mean_ms", "samples", "calls_per_sample", "steady", "unsteady", "gflops", "gbs",
            "intensity", "sets", "verified");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Timer QUICK = new Timer(0, 0, Defaults.OP_MIN_SAMPLES, 1000);
    private static final LinearSpec SPEC = new LinearSpec(4, 8, 16, DType.F32);

    @Test
    void aFailedVerificationIsNeverTimed() throws Exception {
        ScriptedBackend fake = new ScriptedBackend(ScriptedBackend.failing(), 1e-3);
        OpReport r = OpRunner.run(fake, SPEC, 1, QUICK, phase -> {});
        assertEquals(0, fake.timedCalls);

        StringWriter out = new StringWriter(), err = new StringWriter();
        assertEquals(1, r.print(true, new PrintWriter(out, true), new PrintWriter(err, true)));
        List<String> errLines = err.toString().lines().toList();
        assertEquals(1, errLines.size(), err.toString());
        assertTrue(errLines.getFirst().contains("fake.kernel gives wrong results, so it was not timed"), errLines.getFirst());
        assertTrue(errLines.getFirst().contains("worst element 17 = 0.5, expected 2.0"), errLines.getFirst());

        JsonNode j = onlyObject(out.toString());
        JSON_KEYS.forEach(k -> assertTrue(j.has(k), k));
        assertTrue(j.get("median_ms").isNull());
        assertTrue(j.get("gflops").isNull());
        assertEquals(false, j.get("verified").get("passed").asBoolean());
        assertEquals(0.75, j.get("verified").get("max_rel_err").asDouble());
        assertEquals("element 17 = 0.5, expected 2.0", j.get("verified").get("worst").asText());

        StringWriter human = new StringWriter();
        r.print(false, new PrintWriter(human, true), new PrintWriter(new StringWriter(), true));
        assertTrue(human.toString().contains("FAILED"), human.toString());
        assertTrue(!human.toString().contains("median"), human.toString());
    }

    @Test
    void figuresDeriveFromTheShapeAndTheMedian() throws Exception {
        ScriptedBackend fake = new ScriptedBackend(ScriptedBackend.passing(), 2e-3);
        OpReport r = OpRunner.run(fake, SPEC, 42, QUICK, phase -> {});
        assertTrue(fake.timedCalls >= Defaults.OP_MIN_SAMPLES);
        // Cold caches: the working set is four times the device's last-level cache, with the seed asked for.
        assertEquals(WorkingSet.bytes(fake.device()), fake.prepared.minWorkingSetBytes());
        assertEquals(4L << 30, fake.prepared.minWorkingSetBytes());
        assertEquals(42, fake.prepared.seed());

        StringWriter out = new StringWriter(), err = new StringWriter();
        assertEquals(0, r.print(true, new PrintWriter(out, true), new PrintWriter(err, true)));
        // QUICK has no warm-up: the figure is printed, and said not to be steady
        assertEquals("tokenmill: warning: the timing is not steady (no warm-up: the timed calls include the first ones);"
                + " a longer --warmup or --min-time may help\n", err.toString());
        JsonNode j = onlyObject(out.toString());
        JSON_KEYS.forEach(k -> assertTrue(j.has(k), k));
        assertEquals("linear", j.get("op").asText());
        assertEquals("fake", j.get("backend").asText());
        assertEquals("Fake Device 9000", j.get("device").asText());
        assertEquals("fake.kernel", j.get("variant").asText());
        assertEquals("f32", j.get("dtype").asText());
        assertEquals(Map.of("m", 4, "n", 8, "k", 16), JSON.convertValue(j.get("shape"), Map.class));
        double median = j.get("median_ms").asDouble();
        assertEquals(2.0, median, 2.0 * 1e-3, "HdrHistogram keeps 3 significant digits");
        assertEquals(median, j.get("p50_ms").asDouble());
        assertEquals(median, j.get("p999_ms").asDouble());
        assertEquals(median, j.get("mean_ms").asDouble(), 1e-3);
        assertEquals(1, j.get("calls_per_sample").asInt(), "a 2 ms call is a sample on its own");
        assertFalse(j.get("steady").asBoolean());
        assertEquals("no warm-up: the timed calls include the first ones", j.get("unsteady").get(0).asText());
        assertTrue(j.get("samples").asInt() >= Defaults.OP_MIN_SAMPLES);
        assertEquals(SPEC.flops() / (median / 1e3) / 1e9, j.get("gflops").asDouble(), 1e-9);
        assertEquals(SPEC.minBytes() / (median / 1e3) / 1e9, j.get("gbs").asDouble(), 1e-9);
        assertEquals(SPEC.flops() / SPEC.minBytes(), j.get("intensity").asDouble(), 1e-12);
        assertEquals(ScriptedBackend.SETS, j.get("sets").asInt());
        JsonNode v = j.get("verified");
        assertTrue(v.get("passed").asBoolean());
        assertEquals(1.5e-3, v.get("max_rel_err").asDouble());
        assertEquals(2e-2, v.get("tolerance").asDouble());
        assertEquals(1234, v.get("checked").asLong());
    }

    @Test
    void humanOutputIsAFewAlignedLines() {
        OpSpec spec = ModelPreset.LLAMA_3_1_8B.decode(8, 4096, KvLayout.PAGED, 16, DType.BF16);
        OpReport r = OpRunner.run(new ScriptedBackend(ScriptedBackend.passing(), 0.5e-3), spec, 1, QUICK, phase -> {})
                .withOrigin(Map.of("model", "llama-3.1-8b"), true);
        StringWriter out = new StringWriter();
        r.printLines(new PrintWriter(out, true));
        List<String> lines = out.toString().lines().toList();
        List<String> labels = lines.stream().map(l -> l.substring(0, 13).strip()).toList();
        assertEquals(List.of("op", "backend", "device", "variant", "verification", "latency", "samples", "steady", "compute",
                "bandwidth", "working set"), labels);
        lines.forEach(l -> assertEquals(' ', l.charAt(13), l));
        assertTrue(lines.get(0).contains("decode bf16  batch=8 heads=32 kv_heads=8 head_dim=128 context=4096"), lines.get(0));
        assertTrue(lines.get(0).contains("(model llama-3.1-8b)"), lines.get(0));
        assertTrue(lines.get(1).contains("fake (chosen by --backend auto)"), lines.get(1));
        assertTrue(lines.get(4).startsWith("verification  ok"), lines.get(4));
        // times in the summary table's units: 0.5 ms reads 500 µs
        assertTrue(lines.get(5).matches("latency +median 500 µs +p90 500 µs +p99 500 µs +p99\\.9 500 µs +mean 500 µs"), lines.get(5));
        // 8 sequences x 4096 tokens x 8 KV heads x 128 x 2 (K and V) x 2 bytes, plus q and o: ~134 MB in 0.5 ms.
        assertTrue(lines.get(7).startsWith("steady        NO: no warm-up"), lines.get(7));
        assertTrue(lines.get(9).matches("bandwidth +26\\d\\.\\d GB/s .*"), lines.get(8));
    }

    @Test
    void theWorkingSetIsTheRotationsRealSizeAndACacheResidentFigureIsMarked() throws Exception {
        OpReport r = OpRunner.run(new ScriptedBackend(ScriptedBackend.passing(), 1e-3), SPEC, 1, QUICK, phase -> {});
        JsonNode j = JSON.readTree(r.json());
        long set = SPEC.minBytes();   // (4x16 + 8x16 + 4x8) x 4 B = 896 B
        assertEquals(ScriptedBackend.SETS * set, j.get("working_set_bytes").asLong());
        assertEquals(4L << 30, j.get("working_set_target_bytes").asLong());
        assertEquals(1L << 30, j.get("cache_bytes").asLong());
        assertTrue(j.get("cache_resident").asBoolean());
        assertEquals("wall_clock", j.get("timing").asText());
        StringWriter out = new StringWriter();
        r.printLines(new PrintWriter(out, true));
        assertTrue(out.toString().contains("working set   3 rotating operand sets x 896 B = 2.63 KiB (short of the 4.00 GiB"
                + " target), within the 1.00 GiB cache: a cache figure, not a memory one\n"), out.toString());
        assertTrue(out.toString().contains("cache-resident: see the working set"), out.toString());
        assertTrue(out.toString().contains("each, timed by the host's wall clock"), out.toString());

        LatencyStats ms = new LatencyStats(10, 1, 1, 1, 1, 1, 1, 1, 1, List.of());
        OpSpec big = ModelPreset.LLAMA_3_1_8B.decode(8, 4096, KvLayout.PAGED, 16, DType.BF16);
        OpReport beyond = new OpReport(big, "gpu", new DeviceInfo("gpu", "G", "g", Map.of("l2_bytes", 50L << 20)),
                "k", "device_events", 2, 200L << 20, ScriptedBackend.passing(), ms);
        assertFalse(JSON.readTree(beyond.json()).get("cache_resident").asBoolean());
        StringWriter text = new StringWriter();
        beyond.printLines(new PrintWriter(text, true));
        assertTrue(text.toString().contains(" = 256.25 MiB, beyond the 50.00 MiB cache\n"), text.toString());
        assertTrue(text.toString().contains("timed by the device's events"), text.toString());

        OpReport unknown = new OpReport(big, "cpu", new DeviceInfo("cpu", "C", "c", Map.of()), "k", "wall_clock", 2,
                1L << 30, ScriptedBackend.passing(), ms);
        assertTrue(JSON.readTree(unknown.json()).get("cache_resident").isNull());
        StringWriter u = new StringWriter();
        unknown.printLines(new PrintWriter(u, true));
        assertTrue(u.toString().contains("the device does not report its cache size, so this may be a cache figure"), u.toString());
    }

    @Test
    void fourSignificantDigitsWithoutExponents() {
        assertEquals("0.0001235", OpReport.sig(0.00012345678));
        assertEquals("1235", OpReport.sig(1234.5));
        assertEquals("120000", OpReport.sig(120000));
        assertEquals("0", OpReport.sig(0));
    }

    private static JsonNode onlyObject(String out) throws Exception {
        assertEquals(1, out.lines().count(), out);
        JsonNode j = JSON.readTree(out);
        assertTrue(j.isObject(), out);
        return j;
    }
}
