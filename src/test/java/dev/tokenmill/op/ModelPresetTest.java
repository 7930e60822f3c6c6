package dev.tokenmill.op;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static dev.tokenmill.op.DType.BF16;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Presets state each model's config.json and give the shapes one of its layers runs. */
class ModelPresetTest {
    @Test
    void llama31_8bLayerShapes() {
        Map<String, LinearSpec> p = projections(ModelPreset.LLAMA_3_1_8B, 1);
        assertEquals(new LinearSpec(1, 6144, 4096, BF16), p.get("qkv"), "(32 + 2·8) heads x 128");
        assertEquals(new LinearSpec(1, 4096, 4096, BF16), p.get("o"));
        assertEquals(new LinearSpec(1, 28672, 4096, BF16), p.get("gate_up"));
        assertEquals(new LinearSpec(1, 4096, 14336, BF16), p.get("down"));
        assertEquals(new LinearSpec(1, 128256, 4096, BF16), ModelPreset.LLAMA_3_1_8B.lmHead(1, BF16).spec());
        assertEquals(List.of("qkv", "o", "gate_up", "down"),
                ModelPreset.LLAMA_3_1_8B.projections(1, BF16).stream().map(ModelPreset.Projection::name).toList());
    }

    @Test
    void otherPresetsQkvAndDown() {
        assertEquals(new LinearSpec(512, 10240, 8192, BF16), projections(ModelPreset.LLAMA_3_1_70B, 512).get("qkv"));
        assertEquals(new LinearSpec(512, 8192, 28672, BF16), projections(ModelPreset.LLAMA_3_1_70B, 512).get("down"));
        assertEquals(new LinearSpec(4, 3072, 2048, BF16), projections(ModelPreset.LLAMA_3_2_1B, 4).get("qkv"));
        assertEquals(new LinearSpec(4, 4608, 3584, BF16), projections(ModelPreset.QWEN_2_5_7B, 4).get("qkv"));
        assertEquals(new LinearSpec(4, 37888, 3584, BF16), projections(ModelPreset.QWEN_2_5_7B, 4).get("gate_up"));
        assertEquals(new LinearSpec(2, 32768, 4096, BF16), ModelPreset.MISTRAL_7B.lmHead(2, BF16).spec());
    }

    @Test
    void everyPresetIsConsistent() {
        for (ModelPreset p : ModelPreset.values()) {
            assertEquals(p.hidden, p.heads * p.headDim, p.id() + ": hidden = heads x head_dim");
            assertEquals(0, p.heads % p.kvHeads, p.id() + ": GQA groups whole heads");
            assertEquals(p, ModelPreset.parse(p.id().toUpperCase()));
        }
    }

    @Test
    void attentionShapesCarryTheModelsHeads() {
        ModelPreset m = ModelPreset.LLAMA_3_1_8B;
        assertEquals(new PrefillSpec(2, 512, 32, 8, 128, BF16), m.prefill(2, 512, BF16));
        assertEquals(DecodeSpec.uniform(8, 32, 8, 128, 4096, KvLayout.PAGED, 16, BF16), m.decode(8, 4096, KvLayout.PAGED, 16, BF16));
        assertEquals(AppendSpec.uniform(8, 8, 128, 4096, KvLayout.CONTIGUOUS, 0, BF16),
                m.append(8, 4096, KvLayout.CONTIGUOUS, 0, BF16));
        assertEquals(64, ModelPreset.LLAMA_3_2_1B.prefill(1, 1, BF16).headDim());
    }

    private static Map<String, LinearSpec> projections(ModelPreset p, int m) {
        return p.projections(m, BF16).stream().collect(Collectors.toMap(ModelPreset.Projection::name, ModelPreset.Projection::spec));
    }
}
