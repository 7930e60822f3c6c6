package dev.tokenmill.report;

import dev.tokenmill.op.DType;
import dev.tokenmill.op.LinearSpec;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CeilingsTest {
    private final Ceilings c = new Ceilings("cuda", 3000.0, Map.of("bf16", 600.0, "f32", 50.0),
            Map.of("bf16", "cuda.probe.mma.bf16", "f32", "cuda.probe.fma.f32"), Map.of(), null);

    @Test
    void theBoundIsTheRooflineTimeOfTheOp() {
        LinearSpec gemm = new LinearSpec(4096, 4096, 4096, DType.BF16);   // compute-bound
        assertEquals(gemm.flops() / 600e12, c.boundSeconds(gemm), 1e-15);
        LinearSpec gemv = new LinearSpec(1, 4096, 4096, DType.BF16);      // bandwidth-bound
        assertEquals(gemv.minBytes() / 3000e9, c.boundSeconds(gemv), 1e-15);
        assertEquals(0.5, c.fraction(gemv, 2 * c.boundSeconds(gemv)), 1e-12);
    }

    @Test
    void aMissingCeilingGivesNoFraction() {
        assertTrue(Double.isNaN(c.fraction(new LinearSpec(4096, 4096, 4096, DType.F16), 1)));
        assertTrue(Double.isNaN(new Ceilings("cpu", null, Map.of(), Map.of(), Map.of(), null).fraction(new LinearSpec(1, 64, 64, DType.F32), 1)));
    }

    @Test
    void ceilingsTravelToForkedVmsAsAProperty() {
        Ceilings back = Ceilings.fromProperty(c.toProperty());
        assertEquals(c.backend(), back.backend());
        assertEquals(c.copyGbs(), back.copyGbs());
        assertEquals(c.peakTflops(), back.peakTflops());
        assertEquals(null, Ceilings.fromProperty(""));
        var e = assertThrows(IllegalArgumentException.class, () -> Ceilings.fromProperty("copy_gbs"));
        assertTrue(e.getMessage().startsWith("tokenmill.ceilings must be key=value pairs"), e.getMessage());
    }

    @Test
    void eachPeakIsLabelledWithWhatMeasuredIt() {
        assertEquals("cuda.probe.mma.bf16", c.computeSource("bf16"));
        assertEquals(null, c.computeSource("f16"), "no peak, no source");
        Ceilings before = new Ceilings("cpu", 64.4, Map.of("bf16", 0.257), null, Map.of(), null);
        assertEquals(Ceilings.BEST_LINEAR, before.computeSource("bf16"), "files from before the probes");
        assertEquals("copy 64.4 GB/s, bf16 257.0 GFLOP/s (best linear kernel)", before.text());
        assertEquals("copy 3.00 TB/s, bf16 600 TFLOP/s (cuda.probe.mma.bf16), f32 50.00 TFLOP/s (cuda.probe.fma.f32)", c.text());
    }

    @Test
    void datasheetsMatchTheNamesDriversReport() {
        assertEquals("NVIDIA H100 SXM", Datasheet.match("NVIDIA H100 80GB HBM3").orElseThrow().name());
        assertEquals("NVIDIA H100 PCIe", Datasheet.match("NVIDIA H100 PCIe").orElseThrow().name());
        assertEquals("NVIDIA H200 SXM", Datasheet.match("NVIDIA H200").orElseThrow().name());
        assertEquals("NVIDIA A100 40GB", Datasheet.match("NVIDIA A100-SXM4-40GB").orElseThrow().name());
        assertEquals("NVIDIA A100 80GB SXM", Datasheet.match("NVIDIA A100-SXM4-80GB").orElseThrow().name());
        assertEquals("NVIDIA A100 80GB PCIe", Datasheet.match("NVIDIA A100 80GB PCIe").orElseThrow().name());
        assertEquals("NVIDIA L40S", Datasheet.match("NVIDIA L40S").orElseThrow().name());
        assertEquals("NVIDIA GeForce RTX 4090", Datasheet.match("NVIDIA GeForce RTX 4090").orElseThrow().name());
        assertEquals("NVIDIA GeForce RTX 5090", Datasheet.match("NVIDIA GeForce RTX 5090").orElseThrow().name());
        assertEquals("NVIDIA B200", Datasheet.match("NVIDIA B200").orElseThrow().name());
        assertTrue(Datasheet.match("AMD EPYC (2 cores)").isEmpty());
        assertEquals(3350, Datasheet.match("NVIDIA H100 80GB HBM3").orElseThrow().memoryGbs());
    }
}
