package dev.tokenmill.tensor;

import dev.tokenmill.op.DType;

/** Scalar conversions between float and the 16-bit storage formats (round to nearest even). */
public final class Floats {
    private Floats() {}

    public static final short BF16_NAN = (short) 0x7FC0;
    public static final short F16_NAN = (short) 0x7E00;

    public static float bf16ToFloat(short bits) { return Float.intBitsToFloat((bits & 0xFFFF) << 16); }

    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return BF16_NAN;
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }

    public static float f16ToFloat(short bits) { return Float.float16ToFloat(bits); }

    public static short floatToF16(float f) { return Float.floatToFloat16(f); }

    /** {@code f} rounded to the dtype (to nearest even), as {@link HostTensor#set} stores it, widened back. */
    public static float round(DType dtype, float f) {
        return switch (dtype) {
            case F32 -> f;
            case BF16 -> bf16ToFloat(floatToBf16(f));
            case F16 -> f16ToFloat(floatToF16(f));
        };
    }
}
