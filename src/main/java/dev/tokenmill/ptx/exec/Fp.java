package dev.tokenmill.ptx.exec;

/**
 * Floating-point semantics of the PTX ISA that Java does not give directly: canonical NaN results,
 * f16/bf16 conversions with round-to-nearest-even (subnormals, overflow to infinity), min/max NaN and
 * signed-zero rules, and {@code ex2.approx}.
 */
public final class Fp {
    /** The NaN NVIDIA GPUs produce for f32 results: sign clear, all exponent and mantissa bits set. */
    public static final int CANONICAL_NAN_F32 = 0x7FFFFFFF;
    /** The NaN produced by conversions to f16 and bf16. */
    public static final int CANONICAL_NAN_16 = 0x7FFF;

    private Fp() {}

    /** Raw bits of an f32 result; any NaN becomes the canonical NaN. */
    public static int bits(float f) {
        return f != f ? CANONICAL_NAN_F32 : Float.floatToRawIntBits(f);
    }

    public static float f(int bits) {
        return Float.intBitsToFloat(bits);
    }

    /**
     * cvt.rn.f16.f32: round to nearest even; subnormal results kept; overflow to infinity; NaN canonical. Java's
     * Float.floatToFloat16 rounds the same way (an intrinsic on x86); identical to the bit-by-bit rounding it
     * replaced on all 2^32 inputs (checked exhaustively; f16ToF32IsExactForEveryPattern and the rounding tests
     * of NumericsTest still run).
     */
    public static int f32ToF16(int x) {
        if ((x & 0x7FFFFFFF) > 0x7F800000) return CANONICAL_NAN_16;
        return Float.floatToFloat16(f(x)) & 0xFFFF;
    }

    /** cvt.rn.bf16.f32: round to nearest even on the upper 16 bits; NaN canonical. */
    public static int f32ToBf16(int x) {
        if ((x & 0x7FFFFFFF) > 0x7F800000) return CANONICAL_NAN_16;
        return (x + 0x7FFF + ((x >>> 16) & 1)) >>> 16;
    }

    /** cvt.f32.f16: exact; NaN canonical. */
    public static int f16ToF32(int h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0x1F) return mant != 0 ? CANONICAL_NAN_F32 : sign | 0x7F800000;
        if (exp == 0) {
            if (mant == 0) return sign;
            int shift = Integer.numberOfLeadingZeros(mant) - 21; // normalise the subnormal
            mant = (mant << shift) & 0x3FF;
            return sign | ((113 - shift) << 23) | (mant << 13);
        }
        return sign | ((exp + 112) << 23) | (mant << 13);
    }

    /** cvt.f32.bf16: exact; NaN canonical. */
    public static int bf16ToF32(int h) {
        int x = (h & 0xFFFF) << 16;
        return (x & 0x7FFFFFFF) > 0x7F800000 ? CANONICAL_NAN_F32 : x;
    }

    /** min.f32: a NaN operand yields the other one (both NaN: canonical NaN); -0 is below +0. */
    public static int min(int ab, int bb) {
        float a = f(ab), b = f(bb);
        if (a != a) return b != b ? CANONICAL_NAN_F32 : bb;
        if (b != b) return ab;
        if (a == b) return (ab | bb); // equal values differ only in the sign of zero: the negative one
        return a < b ? ab : bb;
    }

    /** max.f32: a NaN operand yields the other one (both NaN: canonical NaN); +0 is above -0. */
    public static int max(int ab, int bb) {
        float a = f(ab), b = f(bb);
        if (a != a) return b != b ? CANONICAL_NAN_F32 : bb;
        if (b != b) return ab;
        if (a == b) return (ab & bb);
        return a > b ? ab : bb;
    }

    /** 2^x = e^(x ln 2) on |x| <= 1/2: the Taylor coefficients (ln 2)^k / k!, k = 0..11. */
    private static final double[] EX2 = new double[12];

    static {
        double c = 1;
        for (int k = 0; k < EX2.length; k++) {
            EX2[k] = c;
            c = c * Math.log(2) / (k + 1);
        }
    }

    /**
     * ex2.approx.f32: 2^a in double rounded once to f32, a faithful rounding, within the ISA's "2 ulp from
     * correctly rounded result"; subnormal results kept, +0 for -Inf, +Inf for +Inf, canonical NaN. 2^a is
     * 2^n 2^x with n = rint(a) and x = a - n (both exact) in [-1/2, 1/2], and 2^x is its Taylor polynomial,
     * whose first omitted term is below 2^-40 of it. Math.pow was 6% of tm_prefill_mma_d128_bf16's time.
     */
    public static int ex2(int ab) {
        float a = f(ab);
        if (a != a) return CANONICAL_NAN_F32;
        if (a >= 128) return 0x7F800000; // 2^128 and above overflow (+Inf too)
        if (a < -151) return 0; // below half the smallest subnormal (-Inf too)
        double n = Math.rint(a), x = a - n;
        double p = EX2[11];
        for (int k = 10; k >= 0; k--) p = Math.fma(p, x, EX2[k]);
        return Float.floatToRawIntBits((float) Math.scalb(p, (int) n));
    }
}
