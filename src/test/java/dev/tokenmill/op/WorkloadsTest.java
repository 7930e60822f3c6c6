package dev.tokenmill.op;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WorkloadsTest {
    @Test
    void benchmarkParametersRebuildTheOpTheBenchmarkRan() {
        assertEquals(new LinearSpec(2048, 2 * 14336, 4096, DType.BF16), Workloads.of(
                "dev.tokenmill.bench.PrefillBenchmarks.linear", Map.of("model", "llama-3.1-8b", "dtype", "bf16",
                        "projection", "gate_up", "batch", "1", "length", "2048", "backend", "cpu")));
        assertEquals(ModelPreset.MISTRAL_7B.decode(8, 1024, KvLayout.CONTIGUOUS, 16, DType.F16), Workloads.of(
                "DecodeBenchmarks.attention", Map.of("model", "mistral-7b", "dtype", "f16", "batch", "8",
                        "length", "1024", "layout", "contiguous")));
        assertEquals(new LinearSpec(32, 4096, 14336, DType.F32), Workloads.of("DecodeBenchmarks.linear",
                Map.of("model", "llama-3.1-8b", "dtype", "f32", "projection", "down", "batch", "32")));
        assertEquals(new LinearSpec(4, 128256, 4096, DType.BF16), Workloads.of("DecodeBenchmarks.linear",
                Map.of("model", "llama-3.1-8b", "dtype", "bf16", "projection", "lm_head", "batch", "4")));
        assertEquals("decode", Workloads.suite("dev.tokenmill.bench.DecodeBenchmarks.append"));
    }

    @Test
    void badParametersNameTheFieldAndTheAllowedValues() {
        var e = assertThrows(IllegalArgumentException.class, () -> Workloads.of("DecodeBenchmarks.linear",
                Map.of("model", "llama-3.1-8b", "dtype", "f32", "projection", "lm", "batch", "1")));
        assertEquals("projection must be one of qkv, o, gate_up, down, lm_head, got 'lm'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Workloads.of("DecodeBenchmarks.append",
                Map.of("model", "llama-3.1-8b", "dtype", "f32", "batch", "x", "length", "1", "layout", "paged")));
        assertEquals("batch must be a whole number, got 'x'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Workloads.decodeAttention("llama-3.1-8b", 1, 8, "ring", DType.F32));
        assertEquals("layout must be paged or contiguous, got 'ring'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Workloads.of("Foo.bar", Map.of("model", "llama-3.1-8b", "dtype", "f32")));
        assertEquals("'Foo.bar' is not a tokenmill suite benchmark", e.getMessage());
    }
}
