package dev.tokenmill.measure;

import dev.tokenmill.report.Ceilings;
import dev.tokenmill.report.JmhRecords;
import dev.tokenmill.report.Record;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Samples across forks: what two forked JMH VMs hand back, as a record keeps it. */
class JmhForksTest {
    @TempDir Path dir;

    @Test
    void aRecordKeepsEveryForksIterationsAndOneHistogramOfAllTheirCalls() {
        Ceilings ceilings = new Ceilings("fake", FakeBackend.GBS, Map.of("bf16", FakeBackend.TFLOPS), Map.of(), Map.of(), null);
        JmhForks forks = new JmhForks(ceilings, null, new RunPlan.Jmh(2, 0, "100ms", 3, "100ms"), dir);
        JmhProgress progress = new JmhProgress(new PrintWriter(new StringWriter(), true));
        JmhForks.Results results = forks.run(SuiteAxes.includeExactly("DecodeBenchmarks.linear"),
                Map.of("backend", new String[]{"fake"}, "model", new String[]{"llama-3.2-1b"}, "dtype", new String[]{"bf16"},
                        "batch", new String[]{"1"}, "projection", new String[]{"o"}), new StoppableTrials(progress, new RunStop()));
        assertEquals(1, results.callHistograms().size(), progress.skipped().toString());

        List<Record> records = JmhRecords.from(results.json(), ceilings, results.callHistograms());
        assertEquals(1, records.size());
        Record r = records.getFirst();
        assertEquals(2, r.samples().iterationsMs().size(), "one list per fork");
        assertTrue(r.samples().iterationsMs().stream().allMatch(f -> f.size() == 3), r.samples().toString());
        var calls = r.samples().calls();
        assertNotNull(calls);
        assertEquals(r.time().n(), calls.getTotalCount(), "the histogram holds both forks' calls");
        assertEquals(r.time().p50Ms(), calls.getValueAtPercentile(50) / 1e6, 1e-9);
        assertEquals(6, r.noise().n());
        assertNotNull(r.noise().ciLowMs(), "six samples: a 95% interval");
        // the fake's GEMV takes (2048 + 2048*2048 + 2048) x 2 B at 2000 GB/s = 4.2 us; a sample is no faster than that
        assertTrue(r.noise().ciLowMs() >= 4.19e-3, r.noise().toString());
    }
}
