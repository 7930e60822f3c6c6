package dev.tokenmill.cpu;

import dev.tokenmill.op.DType;
import dev.tokenmill.tensor.HostTensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WidenTest {
    /** Every 16-bit pattern widens exactly as the scalar conversion does (NaNs stay NaN). */
    @Test
    void widensEveryBitPatternLikeTheScalarConversion() {
        for (DType t : new DType[]{DType.BF16, DType.F16}) {
            try (HostTensor h = HostTensor.allocate(t, 65536)) {
                for (int i = 0; i < 65536; i++) h.segment().setAtIndex(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) i);
                for (int i = 0; i < 65536; i += Widen.F.length()) {
                    float[] lanes = Widen.load(h.segment(), t, i).toArray();
                    for (int l = 0; l < lanes.length; l++) {
                        float want = h.get(i + l);
                        if (Float.isNaN(want)) assertEquals(Float.NaN, lanes[l], t + " bits " + (i + l));
                        else assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(lanes[l]), t + " bits " + Integer.toHexString(i + l));
                    }
                }
            }
        }
    }
}
