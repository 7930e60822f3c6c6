package dev.tokenmill.rollup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenmill.op.AppendSpec;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.DecodeSpec;
import dev.tokenmill.op.KvLayout;
import dev.tokenmill.op.LinearSpec;
import dev.tokenmill.op.ModelPreset;
import dev.tokenmill.op.OpSpec;
import dev.tokenmill.op.PrefillSpec;
import dev.tokenmill.report.RollupText;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The roll-up arithmetic for Llama-3.1-8B (hidden 4096, 32 heads, 8 KV heads, head dim 128, FFN 14336, 32 layers,
 * vocab 128256) against sums done by hand. The op specs are written out here, not taken from the preset, so the
 * preset's shapes are checked too; the times are made up.
 */
class ModelPassTest {
    private static final ModelPreset LLAMA = ModelPreset.LLAMA_3_1_8B;
    private static final DType BF16 = DType.BF16;

    private static Measured us(double micros, Double joules) { return new Measured(micros * 1e-6, joules); }

    /** Decode at batch {@code b}, context 4096, paged blocks of 16: the seven kernels of a step. */
    private static Map<OpSpec, Measured> decode(int b, double[] micros, double[] joules) {
        OpSpec[] specs = {
                new LinearSpec(b, (32 + 2 * 8) * 128, 4096, BF16),       // qkv: n = 6144
                new LinearSpec(b, 4096, 4096, BF16),                     // o
                new LinearSpec(b, 2 * 14336, 4096, BF16),                // gate_up: n = 28672
                new LinearSpec(b, 4096, 14336, BF16),                    // down
                AppendSpec.uniform(b, 8, 128, 4096, KvLayout.PAGED, 16, BF16),
                DecodeSpec.uniform(b, 32, 8, 128, 4096, KvLayout.PAGED, 16, BF16),
                new LinearSpec(b, 128256, 4096, BF16)};                  // lm_head
        Map<OpSpec, Measured> m = new HashMap<>();
        for (int i = 0; i < specs.length; i++) m.put(specs[i], us(micros[i], joules == null ? null : Double.valueOf(joules[i])));
        return m;
    }

    private static final double[] B1_US = {40, 30, 200, 100, 5, 20, 700};
    private static final double[] B1_J = {0.02, 0.015, 0.1, 0.05, 0.002, 0.01, 0.35};

    @Test
    void decodeAtBatchOneSumsLayersAndTheLmHead() {
        ModelPass pass = ModelPass.decode(LLAMA, BF16, 1, 4096, KvLayout.PAGED, 16);
        Rollup r = pass.rollUp(Measurements.of(decode(1, B1_US, B1_J)));
        // per layer 40+30+200+100+5+20 = 395 us; x 32 = 12640 us; + 700 us LM head = 13340 us
        assertTrue(r.complete());
        assertEquals(13340e-6, r.tpotSeconds(), 1e-12);
        assertNull(r.ttftSeconds());
        assertEquals(1 / 13340e-6, r.tokensPerSecond(), 1e-9);        // 74.96 tokens/s
        // per layer 0.197 J; x 32 = 6.304 J; + 0.35 J = 6.654 J per token
        assertEquals(6.654, r.joules(), 1e-9);
        assertEquals(1 / 6.654, r.tokensPerJoule(), 1e-12);           // 0.1503 tokens/J
        assertNull(r.energyAbsentReason());

        Rollup.Part gateUp = r.parts().get(2);
        assertEquals("gate_up", gateUp.name());
        assertEquals(32, gateUp.callsPerPass());
        assertEquals(6400e-6, gateUp.seconds(), 1e-12);
        assertEquals(6400.0 / 13340, gateUp.share(), 1e-12);
        assertEquals(3.2, gateUp.joules(), 1e-12);
        Rollup.Part head = r.parts().getLast();
        assertEquals("lm_head", head.name());
        assertEquals(1, head.callsPerPass());
        assertEquals("m=1 n=128256 k=4096", head.shape());
        assertEquals(1.0, r.parts().stream().mapToDouble(Rollup.Part::share).sum(), 1e-12);
    }

    @Test
    void decodeAtBatchThirtyTwoCountsThirtyTwoTokensPerStep() {
        double[] micros = {60, 40, 260, 130, 8, 400, 900};
        Rollup r = ModelPass.decode(LLAMA, BF16, 32, 4096, KvLayout.PAGED, 16)
                .rollUp(Measurements.of(decode(32, micros, null)));
        // per layer 898 us; x 32 = 28736 us; + 900 us = 29636 us per step of 32 tokens
        assertEquals(29636e-6, r.tpotSeconds(), 1e-12);
        assertEquals(32 / 29636e-6, r.tokensPerSecond(), 1e-9);       // 1079.8 tokens/s
        assertNull(r.tokensPerJoule());
        assertEquals("no energy measured for qkv, o, gate_up, down, kv_append, attention, lm_head",
                r.energyAbsentReason());
        assertEquals(12800.0 / 29636, r.parts().get(5).share(), 1e-12, "attention: 32 x 400 us");
    }

    @Test
    void prefillIsTtftWithTheLmHeadOnTheLastPositionOnly() {
        Map<OpSpec, Measured> m = Map.of(
                new LinearSpec(2048, 6144, 4096, BF16), us(2000, 1.0),
                new LinearSpec(2048, 4096, 4096, BF16), us(700, 0.35),
                new LinearSpec(2048, 28672, 4096, BF16), us(4600, 2.3),
                new LinearSpec(2048, 4096, 14336, BF16), us(2300, 1.15),
                new PrefillSpec(1, 2048, 32, 8, 128, BF16), us(1500, 0.6),
                new LinearSpec(1, 128256, 4096, BF16), us(700, 0.35));
        ModelPass pass = ModelPass.prefill(LLAMA, BF16, 1, 2048);
        assertEquals(6, pass.ops().size());
        assertEquals(2048, pass.tokens());
        Rollup r = pass.rollUp(Measurements.of(m));
        // per layer 2000+700+4600+2300+1500 = 11100 us; x 32 = 355200 us; + 700 us = 355900 us
        assertEquals(0.3559, r.ttftSeconds(), 1e-12);
        assertNull(r.tpotSeconds());
        assertEquals(2048 / 0.3559, r.tokensPerSecond(), 1e-9);       // 5754 tokens/s
        // per layer 5.4 J; x 32 = 172.8 J; + 0.35 J = 173.15 J
        assertEquals(173.15, r.joules(), 1e-9);
        assertEquals(2048 / 173.15, r.tokensPerJoule(), 1e-12);
        assertEquals(2048, r.promptTokens());
        assertNull(r.context());
        assertTrue(r.leavesOut().contains("writing the prompt's keys and values into the KV cache"));
    }

    @Test
    void missingOpsAreListedAndLeaveTheTotalsAbsent() {
        Map<OpSpec, Measured> m = decode(1, B1_US, B1_J);
        m.remove(DecodeSpec.uniform(1, 32, 8, 128, 4096, KvLayout.PAGED, 16, BF16));
        m.remove(new LinearSpec(1, 128256, 4096, BF16));
        Rollup r = ModelPass.decode(LLAMA, BF16, 1, 4096, KvLayout.PAGED, 16).rollUp(Measurements.of(m));
        assertFalse(r.complete());
        assertEquals(List.of(
                "attention (decode batch=1 heads=32 kv_heads=8 head_dim=128 context=4096 layout=paged block_size=16)",
                "lm_head (linear m=1 n=128256 k=4096)"), r.missing());
        assertNull(r.tpotSeconds());
        assertNull(r.tokensPerSecond());
        assertNull(r.tokensPerJoule());
        assertNull(r.parts().get(5).seconds());
        assertEquals(200e-6 * 32, r.parts().get(2).seconds(), 1e-12, "measured parts still show");
        assertNull(r.parts().get(2).share(), "no share of an unknown total");
    }

    @Test
    void aContiguousCacheIsADifferentOpFromAPagedOne() {
        Rollup r = ModelPass.decode(LLAMA, BF16, 1, 4096, KvLayout.CONTIGUOUS, 0)
                .rollUp(Measurements.of(decode(1, B1_US, B1_J)));
        assertEquals(2, r.missing().size(), r.missing().toString());
    }

    @Test
    void badInputNamesTheField() {
        var e = assertThrows(IllegalArgumentException.class, () -> ModelPass.decode(LLAMA, BF16, 0, 4096, KvLayout.PAGED, 16));
        assertEquals("batch must be >= 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelPass.prefill(LLAMA, BF16, 1, 0));
        assertEquals("prompt tokens must be >= 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Measured(0, null));
        assertTrue(e.getMessage().startsWith("seconds per call must be a positive number"));
        assertThrows(IllegalArgumentException.class, () -> new Measured(1e-3, -1.0));
    }

    @Test
    void theRollupIsPlainJsonAndText() throws Exception {
        Rollup r = ModelPass.decode(LLAMA, BF16, 1, 4096, KvLayout.PAGED, 16).rollUp(Measurements.of(decode(1, B1_US, B1_J)));
        JsonNode json = new ObjectMapper().valueToTree(r);
        assertEquals("decode", json.get("phase").asText());
        assertEquals(13340e-6, json.get("tpotSeconds").asDouble(), 1e-12);
        assertFalse(json.has("ttftSeconds"), "absent figures are left out, not written as null or zero");
        assertTrue(json.get("basis").asText().contains("not an end-to-end server figure"));
        assertEquals(7, json.get("parts").size());

        List<String> text = RollupText.lines(r);
        assertTrue(text.get(0).startsWith("llama-3.1-8b decode, bf16, batch 1, context 4096: roll-up of measured kernels"));
        assertEquals("  TPOT 13.3 ms   74.96 tokens/s   0.150 tokens/J", text.get(1));
        assertEquals("  part        calls  time/call  time/pass  share  energy/pass", text.get(2));
        assertTrue(text.get(3).matches("  \\S+ +\\d+ +[\\d.]+ (ns|µs|ms|s) +[\\d.]+ (ns|µs|ms|s) +[\\d.]+% +[\\d.]+ (µJ|mJ|J)"), text.get(3));
        assertTrue(text.getLast().startsWith("  leaves out: RMSNorm"));
    }
}
