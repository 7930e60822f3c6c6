package dev.tokenmill.measure;

import dev.tokenmill.op.DType;
import dev.tokenmill.report.Record;
import dev.tokenmill.report.ResultFile;
import dev.tokenmill.report.ResultFiles;
import dev.tokenmill.testing.FakeBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code run} end to end on the fake device: ceilings, JMH, records, skips, the result file. */
class SuiteRunTest {
    @TempDir Path dir;

    @Test
    void aRunMeasuresCeilingsAndEveryTrialAndWritesAResultFile() {
        RunPlan plan = new RunPlan(List.of("decode"), "fake", "llama-3.2-1b", List.of(DType.F32), true,
                Map.of("decode", Map.of("batch", new String[]{"1", "128"}, "length", new String[]{"1024", "131072"},
                        "layout", new String[]{"paged"}, "projection", new String[]{"o"})),
                new RunPlan.Jmh(0, 0, "100ms", 1, "150ms"), null);
        StringWriter text = new StringWriter();
        ResultFile result;
        try (FakeBackend fake = new FakeBackend()) {
            result = new SuiteRun(plan, fake, new CeilingProbe(new Timer(0.1, 0.3, 3, 1000), 4096),
                    new PrintWriter(text, true)).run();
        }

        assertEquals(FakeBackend.GBS, result.ceilings().copyGbs(), FakeBackend.GBS * 0.3, text.toString());
        assertEquals(FakeBackend.TFLOPS, result.ceilings().peakTflops().get("f32"), FakeBackend.TFLOPS * 0.3);
        assertTrue(result.ceilings().notes().get("f32").startsWith("fake.roofline m=4096 n=4096 k=4096"));
        // linear at 2 batches, attention and append at 4 (batch x length) less the two that do not fit 64 GiB
        assertEquals(8, result.records().size(), text.toString());
        assertEquals(2, result.skipped().size(), text.toString());
        for (ResultFile.Skip s : result.skipped()) {
            assertEquals("131072", s.params().get("length"));
            assertTrue(s.reason().contains("GiB of operands, more than the 80% of Fake Accelerator 9000's 64.0 GiB"), s.reason());
        }
        for (Record r : result.records()) {
            assertEquals("decode", r.suite());
            assertEquals("fake.roofline", r.variant());
            assertEquals("device_p50", r.timing());
            assertNotNull(r.time().p99Ms());
            if (r.op().equals("append")) {   // cache-resident: no share of the memory ceiling
                assertNull(r.fractionOfCeiling());
            } else {                         // bandwidth-bound on the fake: at its measured copy ceiling
                assertEquals(1.0, r.fractionOfCeiling(), 0.35, r.label() + " " + r.shape());
            }
        }
        assertEquals(result.records().size(), result.jmh().size());
        assertTrue(text.toString().contains("[1 "), text.toString());

        Path file = ResultFiles.write(dir, result);
        assertTrue(file.startsWith(dir.resolve("fake-9000")));
        assertEquals(result.records(), ResultFiles.read(file).records());
    }
}
