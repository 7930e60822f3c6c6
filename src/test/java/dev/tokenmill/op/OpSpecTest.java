package dev.tokenmill.op;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpSpecTest {
    @Test
    void linearCountsFlopsAndBytesFromTheShape() {
        LinearSpec s = new LinearSpec(2, 3, 5, DType.BF16);
        assertEquals(2.0 * 2 * 3 * 5, s.flops());
        assertEquals((2 * 5 + 3 * 5 + 2 * 3) * 2, s.minBytes());
    }

    @Test
    void invalidShapesNameTheField() {
        var e = assertThrows(IllegalArgumentException.class, () -> new LinearSpec(0, 3, 5, DType.F32));
        assertTrue(e.getMessage().startsWith("m must be"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new PrefillSpec(1, 8, 32, 6, 128, DType.F16));
        assertTrue(e.getMessage().contains("multiple of kv-heads"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new PrefillSpec(1, 8, 32, 8, 96, DType.F16));
        assertTrue(e.getMessage().contains("head-dim must be 64 or 128"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DType.parse("fp8"));
        assertTrue(e.getMessage().contains("f32, f16, bf16"), e.getMessage());
    }
}
