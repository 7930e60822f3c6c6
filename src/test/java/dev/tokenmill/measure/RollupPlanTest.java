package dev.tokenmill.measure;

import dev.tokenmill.op.DType;
import dev.tokenmill.op.ModelPreset;
import dev.tokenmill.report.Record;
import dev.tokenmill.rollup.Rollup;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which trials a roll-up needs, which of them a run's axes already measure, and roll-ups from records. */
class RollupPlanTest {
    private static final RunPlan QUICK = RunPlan.of("all", "cpu", "llama-3.1-8b", RunPlan.Size.QUICK);

    /** A plan's main-run parameters for a suite, as SuiteRun gives them to JMH. */
    private static Map<String, String[]> params(RunPlan plan, String suite) {
        Map<String, String[]> p = new LinkedHashMap<>(plan.params().get(suite));
        p.put("backend", new String[]{"cpu"});
        p.put("model", new String[]{"llama-3.1-8b"});
        p.put("dtype", new String[]{"bf16"});
        return p;
    }

    private static List<String> extra(RunPlan plan, String suite) {
        return plan.rollup().trials(suite).stream().filter(t -> !SuiteAxes.covers(params(plan, suite), t))
                .map(t -> t.benchmark() + " " + t.params()).toList();
    }

    @Test
    void theQuickPlanAddsOnlyTheLmHead() {
        assertEquals(List.of("PrefillBenchmarks.linear {model=llama-3.1-8b, dtype=bf16, projection=lm_head, batch=1, length=1}"),
                extra(QUICK, "prefill"));
        assertEquals(List.of("DecodeBenchmarks.linear {model=llama-3.1-8b, dtype=bf16, projection=lm_head, batch=1}"),
                extra(QUICK, "decode"));
    }

    @Test
    void theCiPlanAddsTheLmHeadAtEachBatch() {
        RunPlan ci = RunPlan.of("all", "cpu", "llama-3.1-8b", RunPlan.Size.CI);
        assertEquals(List.of("PrefillBenchmarks.linear {model=llama-3.1-8b, dtype=bf16, projection=lm_head, batch=1, length=1}"),
                extra(ci, "prefill"));
        assertEquals(List.of("DecodeBenchmarks.linear {model=llama-3.1-8b, dtype=bf16, projection=lm_head, batch=1}",
                "DecodeBenchmarks.linear {model=llama-3.1-8b, dtype=bf16, projection=lm_head, batch=8}"), extra(ci, "decode"));
    }

    @Test
    void eachTrialMeasuresExactlyThePartsOp() {
        RollupPlan full = RunPlan.of("all", "cuda", "qwen2.5-7b", RunPlan.Size.FULL).rollup();
        for (String suite : RunPlan.SUITES) {
            var passes = full.passes(suite);
            var trials = full.trials(suite);
            var specs = trials.stream().map(RollupPlan.SuiteTrial::spec).toList();
            for (var pass : passes)
                for (var part : pass.parts()) assertTrue(specs.contains(part.spec()), part.name() + " " + part.spec());
            assertEquals(specs.size(), specs.stream().distinct().count(), "each op once");
        }
        // the full plan's axes measure everything but the LM head
        Map<String, String[]> none = Map.of("backend", new String[]{"cuda"}, "model", new String[]{"qwen2.5-7b"},
                "dtype", new String[]{"bf16", "f16", "f32"});
        for (String suite : RunPlan.SUITES)
            for (var t : full.trials(suite))
                assertEquals(!"lm_head".equals(t.params().get("projection")), SuiteAxes.covers(none, t), t.toString());
    }

    @Test
    void aTrialOfAnUnknownBenchmarkOrParameterIsRefused() {
        var bad = new RollupPlan.SuiteTrial("DecodeBenchmarks.sample", Map.of("batch", "1"));
        assertThrows(IllegalArgumentException.class, () -> SuiteAxes.covers(Map.of(), bad));
        var unknown = new RollupPlan.SuiteTrial("DecodeBenchmarks.linear", Map.of("heads", "1"));
        var e = assertThrows(IllegalArgumentException.class, () -> SuiteAxes.covers(Map.of(), unknown));
        assertEquals("Linear has no parameter 'heads'", e.getMessage());
    }

    /** A record of {@code trial} measured at {@code p50Ms} per call, with {@code joules} per call or none. */
    static Record record(String suite, RollupPlan.SuiteTrial trial, double p50Ms, Double joules) {
        var spec = trial.spec();
        Record.Energy energy = joules == null ? null
                : new Record.Energy(joules, null, 300.0, 5.0, 1700, 1755, 1800, List.of(), false, null, null);
        return new Record(suite, spec.op(), trial.benchmark(), "llama-3.2-1b", trial.params().get("projection"), "v",
                spec.dtype().id(), spec.shape(), spec.flops(), spec.minBytes(), null,
                new Record.Time(p50Ms * 1.1, null, p50Ms, p50Ms, p50Ms, 100L, 1L), "device_p50", null, null, null, null,
                new Record.Verified(1e-6), trial.params(), energy);
    }

    @Test
    void rollUpsSumEachSuitesOwnRecordsAndListWhatIsMissing() {
        RollupPlan plan = new RollupPlan(ModelPreset.LLAMA_3_2_1B, DType.BF16, 128, List.of(1), 1024);
        // every decode part at 0.1 ms and 0.02 J per call, except the LM head at 1 ms and 0.5 J
        List<Record> records = new ArrayList<>();
        for (var t : plan.trials("decode")) {
            boolean head = "lm_head".equals(t.params().get("projection"));
            records.add(record("decode", t, head ? 1.0 : 0.1, head ? 0.5 : 0.02));
        }
        // prefill: the same ops' records from the decode suite do not count; attention is not measured
        for (var t : plan.trials("prefill"))
            if (!t.benchmark().endsWith("attention")) records.add(record("prefill", t, 2.0, null));

        List<Rollup> r = plan.rollUp(RunPlan.SUITES, records, null);
        assertEquals(2, r.size());
        Rollup prefill = r.get(0), decode = r.get(1);

        assertFalse(prefill.complete());
        assertEquals(List.of("attention (prefill batch=1 seq=128 heads=32 kv_heads=8 head_dim=64)"), prefill.missing());
        assertNull(prefill.ttftSeconds());

        // 16 layers x 6 kernels x 0.1 ms + 1 ms = 10.6 ms; 16 x 6 x 0.02 J + 0.5 J = 2.42 J
        assertTrue(decode.complete());
        assertEquals(10.6e-3, decode.tpotSeconds(), 1e-12);
        assertEquals(1 / 10.6e-3, decode.tokensPerSecond(), 1e-9);
        assertEquals(2.42, decode.joules(), 1e-12);
        assertEquals(1 / 2.42, decode.tokensPerJoule(), 1e-12);
        assertEquals(1024, decode.context());
    }

    @Test
    void energyOnlyWhereEveryPartHasIt() {
        RollupPlan plan = new RollupPlan(ModelPreset.LLAMA_3_2_1B, DType.BF16, 128, List.of(4), 1024);
        List<Record> records = new ArrayList<>();
        for (var t : plan.trials("decode"))
            records.add(record("decode", t, 0.1, t.benchmark().endsWith("append") ? null : 0.01));
        Rollup decode = plan.rollUp(List.of("decode"), records, null).getFirst();
        assertEquals(4 / (16 * 6 * 0.1e-3 + 0.1e-3), decode.tokensPerSecond(), 1e-6);
        assertNull(decode.tokensPerJoule());
        assertEquals("no energy measured for kv_append", decode.energyAbsentReason());

        Rollup cpu = plan.rollUp(List.of("decode"), records, RunEnergy.CPU_REASON).getFirst();
        assertEquals(decode.tpotSeconds(), cpu.tpotSeconds());
        assertNull(cpu.joules());
        assertEquals("the CPU backend has no energy counter", cpu.energyAbsentReason());
    }

    @Test
    void jmhSettingsAreLengthenedOnlyWhenAnEnergyWindowWouldBeTooShort() {
        assertEquals(new RunPlan.Jmh(1, 2, "500ms", 6, "500ms"), QUICK.jmh().measuringAtLeast(3));
        RunPlan.Jmh annotations = new RunPlan.Jmh(null, null, null, null, null);
        assertEquals(annotations, annotations.measuringAtLeast(3));
        RunPlan.Jmh longer = new RunPlan.Jmh(1, 1, "1s", 5, "2s");
        assertEquals(longer, longer.measuringAtLeast(3));
    }
}
