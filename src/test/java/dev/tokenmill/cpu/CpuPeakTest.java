package dev.tokenmill.cpu;

import dev.tokenmill.backend.PeakCheck;
import dev.tokenmill.backend.PeakProbe;
import dev.tokenmill.op.DType;
import dev.tokenmill.reference.Verification;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuPeakTest {
    private final CpuBackend cpu = new CpuBackend();

    @Test
    void theProbeComputesWhatTheHostExpectsAndGivesAPositivePeak() {
        try (PeakProbe probe = cpu.preparePeak(DType.F32)) {
            Verification v = probe.verify();
            assertTrue(v.passed(), v.summary());
            assertEquals(0, v.maxRelErr());
            assertEquals((long) CpuPeak.CHAINS * jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length() * Parallel.threads(),
                    v.checked(), "every lane of every chain of every thread");
            double tflops = probe.flopsPerCall() / probe.secondsPerCall(2) / 1e12;
            assertTrue(tflops > 0 && tflops < 100, "a CPU's f32 FMA peak, got " + tflops + " TFLOP/s");
        }
    }

    @Test
    void itsCheckCatchesAWrongResult() {
        CpuPeak probe = new CpuPeak(DType.F32);
        int slots = CpuPeak.CHAINS * jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length(), threads = Parallel.threads();
        double gain = (double) CpuPeak.STEPS * CpuPeak.A * CpuPeak.B;
        float[] out = probe.call().clone();
        assertTrue(PeakCheck.check(out, slots, threads, gain).passed());

        out[5 * threads] += 2;   // one FMA too many on slot 5 of thread 0
        Verification wrong = PeakCheck.check(out, slots, threads, gain);
        assertFalse(wrong.passed());
        assertTrue(wrong.worst().startsWith("slot 5 of thread 0 = ") && wrong.worst().endsWith("(1 wrong)"), wrong.worst());

        Verification cutShort = PeakCheck.check(probe.call().clone(), slots, threads, gain + CpuPeak.A * CpuPeak.B);
        assertFalse(cutShort.passed(), "a loop that ran one step fewer than the host counts fails");
        assertEquals(slots * threads + " wrong)", cutShort.worst().substring(cutShort.worst().lastIndexOf('(') + 1));
    }

    @Test
    void halfPrecisionSharesTheF32LoopAndSaysWhy() {
        try (PeakProbe bf16 = cpu.preparePeak(DType.BF16); PeakProbe f32 = cpu.preparePeak(DType.F32)) {
            assertEquals(f32.variant(), bf16.variant(), "one loop, measured once per run");
            assertEquals("cpu.probe.fma.f32", bf16.variant());
            assertTrue(bf16.description().contains("the CPU kernels widen bf16 to f32, so its peak is the f32 FMA peak"),
                    bf16.description());
            assertFalse(f32.description().contains("widen"), f32.description());
        }
    }
}
