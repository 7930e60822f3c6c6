package dev.tokenmill.measure;

import dev.tokenmill.backend.PeakProbe;
import dev.tokenmill.op.DType;
import dev.tokenmill.reference.Verification;
import dev.tokenmill.report.Ceilings;
import dev.tokenmill.testing.FakeBackend;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CeilingProbeTest {
    private final CeilingProbe probe = new CeilingProbe(new Timer(0.02, 0.05, 3, 100));

    @Test
    void computePeaksComeFromThePeakProbeAndDtypesSharingALoopShareItsMeasurement() {
        List<DType> verified = new ArrayList<>();
        FakeBackend counting = new FakeBackend() {
            @Override public PeakProbe preparePeak(DType dtype) {
                PeakProbe p = super.preparePeak(dtype);
                return new PeakProbe() {
                    @Override public DType dtype() { return p.dtype(); }
                    @Override public String variant() { return p.variant(); }
                    @Override public String description() { return p.description(); }
                    @Override public double flopsPerCall() { return p.flopsPerCall(); }
                    @Override public Verification verify() { verified.add(dtype); return p.verify(); }
                    @Override public double secondsPerCall(int calls) { return p.secondsPerCall(calls); }
                    @Override public void close() {}
                };
            }
        };
        Ceilings c = probe.measure(counting, List.of(DType.BF16, DType.F16, DType.F32), line -> {});
        assertEquals(List.of(DType.BF16), verified, "one loop, verified and timed once");
        assertEquals(Map.of("bf16", "fake.probe.fma", "f16", "fake.probe.fma", "f32", "fake.probe.fma"), c.computeProbes());
        assertEquals(c.peakTflops().get("bf16"), c.peakTflops().get("f32"));
        assertEquals(FakeBackend.TFLOPS, c.peakTflops().get("bf16"), FakeBackend.TFLOPS * 0.3);
    }

    @Test
    void aProbeWhoseArithmeticIsWrongIsNotTimedAndSaysWhy() {
        Ceilings c = probe.measure(new FakeBackend.Wrong(), List.of(DType.F32, DType.BF16), line -> {});
        assertTrue(c.peakTflops().isEmpty(), c.toString());
        assertTrue(c.notes().get("f32").startsWith("fake-wrong.probe.fma: the probe's arithmetic failed its check: FAILED"),
                c.notes().get("f32"));
        assertTrue(c.notes().get("f32").contains("slot 1 of thread 0 = 5.0, expected 4.0"), c.notes().get("f32"));
        assertTrue(c.notes().get("bf16").startsWith("fake-wrong.probe.fma not measured"), c.notes().get("bf16"));
        assertNull(c.computeSource("f32"));
    }
}
