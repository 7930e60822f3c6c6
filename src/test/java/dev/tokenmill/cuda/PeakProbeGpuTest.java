package dev.tokenmill.cuda;

import dev.tokenmill.backend.Availability;
import dev.tokenmill.backend.PeakProbe;
import dev.tokenmill.op.DType;
import dev.tokenmill.reference.Verification;
import dev.tokenmill.report.Datasheet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * probe.cu on the device: every slot of every thread exact after a calibrated call, and a peak no higher than the
 * datasheet's (a probe above it would be counting FLOPs it did not do). Skipped, with the reason, without a GPU.
 */
@Tag("gpu")
class PeakProbeGpuTest {
    private static final CudaBackend cuda = new CudaBackend();

    @ParameterizedTest
    @EnumSource(DType.class)
    void theProbeIsExactAndBelowTheDatasheet(DType dtype) {
        Availability a = cuda.availability();
        assumeTrue(a.available(), "no working CUDA device: " + a.reason());
        try (PeakProbe probe = cuda.preparePeak(dtype)) {
            Verification v = probe.verify();
            assertTrue(v.passed(), probe.variant() + ": " + v.summary());
            double tflops = probe.flopsPerCall() / probe.secondsPerCall(20) / 1e12;
            assertTrue(tflops > 0, probe.variant() + ": " + tflops);
            Datasheet.match(cuda.device().name()).ifPresent(d -> assertTrue(tflops < 1.05 * d.tflops(dtype),
                    probe.variant() + " measured " + tflops + " TFLOP/s, above " + d.name() + "'s " + d.tflops(dtype)));
            assertTrue(probe.verify().passed(), "still exact after the timed calls");
        }
    }
}
