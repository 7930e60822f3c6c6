package dev.tokenmill.measure;

import dev.tokenmill.op.AppendSpec;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.DecodeSpec;
import dev.tokenmill.op.KvLayout;
import dev.tokenmill.op.ModelPreset;
import dev.tokenmill.report.Ceilings;
import dev.tokenmill.report.Record;
import dev.tokenmill.report.ResultFile;
import dev.tokenmill.report.ResultFiles;
import dev.tokenmill.rollup.Rollup;
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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code run} end to end on the fake device: ceilings, JMH, records, skips, the result file. */
class SuiteRunTest {
    @TempDir Path dir;

    @Test
    void aRunMeasuresCeilingsAndEveryTrialAndWritesAResultFile() {
        RunPlan plan = new RunPlan(List.of("decode"), "fake", "llama-3.2-1b", List.of(DType.F32), RunPlan.Size.QUICK,
                Map.of("decode", Map.of("batch", new String[]{"1", "128"}, "length", new String[]{"1024", "131072"},
                        "layout", new String[]{"paged"}, "projection", new String[]{"o"})),
                new RunPlan.Jmh(0, 0, "100ms", 1, "150ms"), null);
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text, true);
        ResultFile result;
        try (FakeBackend fake = new FakeBackend() {
            @Override public void close() { out.println("fake device released"); }
        }) {
            result = new SuiteRun(plan, fake, new CeilingProbe(new Timer(0.1, 0.3, 3, 1000)), new RunStop(), dir, out).run();
        }
        assertTrue(text.toString().indexOf("fake device released") < text.toString().indexOf("suite decode:"),
                "the parent lets go of the device before the forks start:\n" + text);

        assertEquals(FakeBackend.GBS, result.ceilings().copyGbs(), FakeBackend.GBS * 0.3, text.toString());
        assertEquals(FakeBackend.TFLOPS, result.ceilings().peakTflops().get("f32"), FakeBackend.TFLOPS * 0.3);
        assertEquals(Map.of("f32", "fake.probe.fma"), result.ceilings().computeProbes(), "the peak comes from the probe, not a kernel");
        assertTrue(result.ceilings().notes().get("f32").startsWith("a busy-wait at the fake's peak"), result.ceilings().notes().toString());
        // linear at 2 batches, attention and append at 4 (batch x length) less the two that do not fit 64 GiB
        assertEquals(8, result.records().size(), text.toString());
        assertEquals(2, result.skipped().size(), text.toString());
        for (ResultFile.Skip s : result.skipped()) {
            assertEquals("131072", s.params().get("length"));
            assertTrue(s.reason().contains("GiB of operands, more than the 80% of Fake Accelerator 9000's 64.00 GiB"), s.reason());
        }
        for (Record r : result.records()) {
            assertEquals("decode", r.suite());
            assertEquals("fake.roofline", r.variant());
            assertEquals("wall_clock_p50", r.timing(), "the fake backend times with the host's clock");
            assertNotNull(r.time().p99Ms());
            if (r.op().equals("append")) {   // cache-resident: no share of the memory ceiling
                assertNull(r.fractionOfCeiling());
            } else {                         // bandwidth-bound on the fake: at its measured copy ceiling
                assertEquals(1.0, r.fractionOfCeiling(), 0.35, r.label() + " " + r.shape());
            }
        }
        assertEquals(result.records().size(), result.jmh().size());
        // trial i of N: every trial the plan listed started, measured or skipped
        int trials = result.records().size() + result.skipped().size();
        assertTrue(text.toString().contains("[1/" + trials + " 0:"), text.toString());
        assertTrue(text.toString().contains("[" + trials + "/" + trials + " "), text.toString());
        for (Record r : result.records()) {   // forks = 0, one iteration: one sample, the histogram of all calls
            assertEquals(1, r.samples().all().length, r.label());
            assertEquals(r.time().n(), r.samples().calls().getTotalCount(), r.label());
            assertEquals(r.time().p50Ms(), r.noise().medianMs(), r.time().p50Ms() * 1e-9);
        }

        Path file = ResultFiles.write(dir, result);
        assertTrue(file.startsWith(dir.resolve("fake-9000")));
        assertEquals(result.records(), ResultFiles.read(file).records());
    }

    @Test
    void aFailureOfJmhItselfEndsTheRunLikeAStopSoThatWhatWasMeasuredIsKept() {
        JmhForks forks = new JmhForks(new Ceilings("fake", null, Map.of(), Map.of(), Map.of(), null), null,
                new RunPlan.Jmh(0, 0, "100ms", 1, "100ms"), dir);
        StoppableTrials trials = new StoppableTrials(new JmhProgress(new PrintWriter(new StringWriter(), true)), new RunStop());
        var e = assertThrows(RunStop.Stopped.class, () -> forks.run("NoSuchBenchmark", Map.of(), trials));
        assertTrue(e.getMessage().startsWith("a JMH failure (JMH could not run NoSuchBenchmark: "), e.getMessage());
        assertEquals(0, trials.completedJson().size());
        assertEquals("another benchmark run on this machine holds JMH's lock /tmp/jmh.lock, and two at once would disturb"
                        + " each other's figures: run again when it has finished",
                JmhForks.failure("x", new org.openjdk.jmh.runner.RunnerException("ERROR: Unable to acquire the JMH lock"
                        + " (/tmp/jmh.lock): already taken by another JMH instance, exiting.")));
    }

    /**
     * Decode of Llama-3.2-1B (hidden 2048, 32 heads, 8 KV heads, head dim 64, FFN 8192, 16 layers, vocab 128256)
     * at batch 1 over 1024 cached tokens: the suite's axes measure the o projection, attention and append; the
     * run adds the other projections and the LM head, and rolls the step up.
     */
    @Test
    void aRunMeasuresWhatItsRollUpNeedsAndRollsItUp() {
        RollupPlan rollup = new RollupPlan(ModelPreset.LLAMA_3_2_1B, DType.BF16, 128, List.of(1), 1024);
        RunPlan plan = new RunPlan(List.of("decode"), "fake", "llama-3.2-1b", List.of(DType.BF16), RunPlan.Size.QUICK,
                Map.of("decode", Map.of("batch", new String[]{"1"}, "length", new String[]{"1024"},
                        "layout", new String[]{"paged"}, "projection", new String[]{"o"})),
                new RunPlan.Jmh(0, 0, "100ms", 1, "150ms"), rollup);
        StringWriter text = new StringWriter();
        ResultFile result;
        try (FakeBackend fake = new FakeBackend()) {
            result = new SuiteRun(plan, fake, new CeilingProbe(new Timer(0.05, 0.1, 3, 100)), new RunStop(), dir,
                    new PrintWriter(text, true)).run();
        }
        assertTrue(text.toString().contains("ops the llama-3.2-1b roll-up needs beyond the suite's axes:"), text.toString());
        assertEquals(List.of("append", "decode", "linear.o", "linear.qkv", "linear.gate_up", "linear.down", "linear.lm_head"),
                result.records().stream().map(Record::label).toList(), text.toString());
        assertEquals("the fake backend has no energy counter", result.energy().absentReason());
        assertTrue(result.records().stream().allMatch(r -> r.energy() == null), "no energy fields, not zeros");

        Rollup r = result.rollup().getFirst();
        assertEquals(1, result.rollup().size());
        assertTrue(r.complete(), r.missing().toString());
        // exactly the records' median times: 16 layers of six kernels, plus the LM head once
        double fromRecords = 0;
        for (Record rec : result.records())
            fromRecords += rec.figureSeconds() * ("lm_head".equals(rec.projection()) ? 1 : 16);
        assertEquals(fromRecords, r.tpotSeconds(), 1e-12 * fromRecords);
        // and the fake's known speed (2000 GB/s; these GEMVs are bandwidth-bound), bytes = (MK + NK + MN) x 2:
        // qkv (2048 + 3072*2048 + 3072) x 2 = 12,593,152 B = 6.296576 us; o 8,396,800 B = 4.1984 us;
        // gate_up 67,145,728 B = 33.572864 us; down 33,574,912 B = 16.787456 us; lm_head 525,597,184 B = 262.798592 us
        double linearUs = 6.296576 + 4.1984 + 33.572864 + 16.787456, headUs = 262.798592;
        double attentionS = FakeBackend.seconds(DecodeSpec.uniform(1, 32, 8, 64, 1024, KvLayout.PAGED, 16, DType.BF16));
        double appendS = FakeBackend.seconds(AppendSpec.uniform(1, 8, 64, 1024, KvLayout.PAGED, 16, DType.BF16));
        double expected = 16 * (linearUs * 1e-6 + attentionS + appendS) + headUs * 1e-6;   // about 1.25 ms
        assertEquals(expected, r.tpotSeconds(), expected * 0.1, text.toString());
        assertEquals(1 / r.tpotSeconds(), r.tokensPerSecond(), 1e-9);
        assertNull(r.tokensPerJoule());
        assertEquals("the fake backend has no energy counter", r.energyAbsentReason());

        Path file = ResultFiles.write(dir, result);
        ResultFile back = ResultFiles.read(file);
        assertEquals(result.rollup(), back.rollup());
        assertEquals(result.energy(), back.energy());
    }
}
