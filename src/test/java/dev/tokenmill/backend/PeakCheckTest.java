package dev.tokenmill.backend;

import dev.tokenmill.reference.Verification;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeakCheckTest {
    @Test
    void everySlotOfEveryThreadMustHoldItsExactValue() {
        // 2 slots x 3 threads, slot-major; slot s holds s + 10
        assertTrue(PeakCheck.check(new float[]{10, 10, 10, 11, 11, 11}, 2, 3, 10).passed());
        Verification nan = PeakCheck.check(new float[]{10, 10, 10, 11, Float.NaN, 11}, 2, 3, 10);
        assertFalse(nan.passed(), "an unwritten (NaN-poisoned) slot fails");
        assertEquals("slot 1 of thread 1 = NaN, expected 11.0 (1 wrong)", nan.worst());
        Verification off = PeakCheck.check(new float[]{10, 10, 10, 11, 11, 12}, 2, 3, 10);
        assertEquals(1.0 / 11, off.maxRelErr(), 1e-12);
    }

    @Test
    void stepsAreBoundedSoThatFp32StaysExact() {
        assertEquals((16777216 - 32) / 32, PeakCheck.maxSteps(32, 32));
        assertThrows(IllegalArgumentException.class, () -> PeakCheck.check(new float[2], 2, 1, 1 << 24));
        assertThrows(IllegalArgumentException.class, () -> PeakCheck.check(new float[3], 2, 1, 1));
        // and why: above 2^24 fp32 cannot tell one step more from none
        assertEquals((float) (1 << 24), (float) (1 << 24) + 1f);
    }
}
