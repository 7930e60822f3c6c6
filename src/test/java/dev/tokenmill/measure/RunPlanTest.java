package dev.tokenmill.measure;

import dev.tokenmill.Defaults;
import dev.tokenmill.cpu.CpuBackend;
import dev.tokenmill.report.Noise;
import dev.tokenmill.testing.FakeBackend;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The three plan sizes: what they measure, how many samples they take, how long they should take. */
class RunPlanTest {
    private static List<SuiteRun.PlannedTrial> trials(RunPlan.Size size) {
        try (CpuBackend cpu = new CpuBackend()) {
            return new SuiteRun(RunPlan.of("all", "cpu", "llama-3.1-8b", size), cpu, new RunStop(), new PrintWriter(new StringWriter())).trials();
        }
    }

    @Test
    void theDefaultIsTheCiPlanOnTheCpuAndTheFullSuiteElsewhere() {
        assertEquals(RunPlan.Size.CI, RunPlan.Size.defaultFor("cpu"));
        assertEquals(RunPlan.Size.FULL, RunPlan.Size.defaultFor("cuda"));
        assertEquals(RunPlan.Size.FULL, RunPlan.Size.defaultFor("fake"));
    }

    @Test
    void theCiPlanCoversEveryOpFamilyAndFitsTenMinutesOnTwoCores() {
        List<SuiteRun.PlannedTrial> ci = trials(RunPlan.Size.CI);
        Set<String> families = ci.stream().map(t -> t.trial().benchmark()).collect(Collectors.toSet());
        assertEquals(Set.of("PrefillBenchmarks.attention", "PrefillBenchmarks.linear", "DecodeBenchmarks.attention",
                "DecodeBenchmarks.linear", "DecodeBenchmarks.append"), families);
        Set<String> layouts = ci.stream().map(t -> t.trial().params().get("layout")).filter(l -> l != null).collect(Collectors.toSet());
        assertEquals(Set.of("paged", "contiguous"), layouts, "both KV layouts");
        // prefill: attention + 4 projections at 512 tokens, + the LM head; decode at batch 1 and 8 over 8192 tokens:
        // 8 projections, 2 x 2 attention and append (both layouts), + the LM head at each batch
        assertEquals(6, ci.stream().filter(t -> t.suite().equals("prefill")).count());
        assertEquals(18, ci.stream().filter(t -> t.suite().equals("decode")).count());
        double seconds = ci.stream().mapToDouble(SuiteRun.PlannedTrial::estimatedSeconds).sum();
        assertTrue(seconds < 7 * 60, "planned " + seconds + " s: room for slow trials within ten minutes");
        assertTrue(ci.stream().allMatch(t -> t.trial().params().get("dtype").equals("bf16")));
    }

    @Test
    void everyPlanTakesEnoughSamplesForAnIntervalOfTheMedian() {
        for (RunPlan.Size size : RunPlan.Size.values()) {
            RunPlan.Jmh jmh = RunPlan.of("all", "cpu", "llama-3.1-8b", size).jmh().orElse(SuiteAxes.annotated("decode"));
            int samples = jmh.forks() * jmh.iterations();
            double[] x = java.util.stream.IntStream.range(0, samples).asDoubleStream().toArray();
            assertTrue(Noise.of(x, Defaults.CONFIDENCE).ciLowMs() != null, size + ": " + samples + " samples");
        }
        assertTrue(trials(RunPlan.Size.QUICK).size() < trials(RunPlan.Size.CI).size());
        assertTrue(trials(RunPlan.Size.CI).size() < trials(RunPlan.Size.FULL).size());
    }

    @Test
    void theTrialListExpandsParametersAsJmhDoes() {
        var trials = SuiteAxes.trials("decode", Map.of("backend", new String[]{"cpu"}, "dtype", new String[]{"bf16"},
                "batch", new String[]{"1", "8"}, "length", new String[]{"1024"}));
        assertEquals("DecodeBenchmarks.append", trials.getFirst().benchmark());
        assertEquals("{backend=cpu, batch=1, dtype=bf16, layout=paged, length=1024, model=llama-3.1-8b}",
                trials.getFirst().params().toString());
        assertEquals(2 * 2 + 2 * 2 + 2 * 4, trials.size());   // append, attention: batch x layout; linear: batch x projection
        assertEquals(new RunPlan.Jmh(1, 3, "1000ms", 5, "1000ms"), SuiteAxes.annotated("prefill"));
    }

    @Test
    void aDryRunListsTheTrialsAndTheirTimeWithoutMeasuring() {
        StringWriter text = new StringWriter();
        try (FakeBackend fake = new FakeBackend()) {
            new SuiteRun(RunPlan.of("prefill", "fake", "llama-3.2-1b", RunPlan.Size.QUICK), fake, new RunStop(), new PrintWriter(new StringWriter())).dryRun(new PrintWriter(text, true));
        }
        String s = text.toString();
        assertTrue(s.contains("suite prefill, JMH 1 fork x (2 x 500ms warm-up + 6 x 100ms measured):"), s);
        assertTrue(s.contains("[1/6] PrefillBenchmarks.attention batch=1 dtype=bf16 length=512\n"), s);
        assertTrue(s.contains("[6/6] PrefillBenchmarks.linear batch=1 dtype=bf16 length=1 projection=lm_head\n"), s);
        // 6 trials x (5 s to start + 1 s warm-up + 0.6 s measured) = 39.6 s
        assertTrue(s.contains("6 trials, about 0:40 (an estimate: 0:07 a trial"), s);
        assertTrue(!s.contains("ceilings:"), "nothing measured");
    }
}
