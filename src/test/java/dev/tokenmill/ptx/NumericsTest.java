package dev.tokenmill.ptx;

import dev.tokenmill.ptx.check.FindingKind;
import dev.tokenmill.ptx.exec.Dim3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Instruction semantics worked out from the ISA: conversions, integer corner cases, comparisons, NaN, -0. */
@Timeout(60)
class NumericsTest {
    private static final int QNAN = 0x7FFFFFFF;

    /** Runs {@code body} in one thread; it stores results with st.global.u32 [%rd0+4k]. */
    private static int[] one(String body, int outs) {
        Ptx.Run r = new Ptx.Run(outs, new int[] {0}).launch(Ptx.kernel("", body), Dim3.of(1), Dim3.of(1), 0);
        assertTrue(r.report.clean(), r.report::toString);
        return r.ints(outs);
    }

    /** Applies a one-input kernel (32-bit in, 32-bit out) to every input. */
    private static Ptx.Run map(String body, int[] inputs) {
        int n = (inputs.length + 255) / 256 * 256;
        int[] in = java.util.Arrays.copyOf(inputs, n);
        PtxModule m = Ptx.kernel("", """
                mov.u32 %r20, %ctaid.x; mad.lo.u32 %r21, %r20, 256, %r1;
                mul.wide.u32 %rd10, %r21, 4; add.s64 %rd11, %rd1, %rd10; add.s64 %rd12, %rd0, %rd10;
                ld.global.u32 %r2, [%rd11];
                BODY
                st.global.u32 [%rd12], %r3;
                """.replace("BODY", body));
        return new Ptx.Run(n, in).launch(m, Dim3.of(n / 256), Dim3.of(256), 0);
    }

    /** Shift amounts above the width clamp to it (ISA 9.7.8.7-8): shl and shr.u give 0, shr.s the sign. */
    @Test
    void shiftsClampAtTheWidth() {
        int[] s = {0, 1, 5, 31, 32, 33, 63, 64, 100, -1, 0x80000000, 7};
        int x = 0x80000101;
        int[] shl = map("mov.u32 %r4, 0x80000101; shl.b32 %r3, %r4, %r2;", s).ints(s.length);
        int[] shr = map("mov.u32 %r4, 0x80000101; shr.u32 %r3, %r4, %r2;", s).ints(s.length);
        int[] sar = map("mov.u32 %r4, 0x80000101; shr.s32 %r3, %r4, %r2;", s).ints(s.length);
        for (int k = 0; k < s.length; k++) {
            boolean over = Integer.compareUnsigned(s[k], 31) > 0;
            assertEquals(over ? 0 : x << s[k], shl[k], "shl by " + s[k]);
            assertEquals(over ? 0 : x >>> s[k], shr[k], "shr.u32 by " + s[k]);
            assertEquals(x >> (over ? 31 : s[k]), sar[k], "shr.s32 by " + s[k]);
        }
    }

    /** 64-bit moves, adds and sign extensions under a guard write only the lanes whose predicate is set. */
    @Test
    void guardedSixtyFourBitResultsLeaveTheOtherLanes() {
        int[] in = new java.util.SplittableRandom(9).ints(512).toArray();
        String odd = "and.b32 %r5, %r1, 1; setp.eq.u32 %p1, %r5, 1; mov.u64 %rd21, 7; cvt.s64.s32 %rd20, %r2;\n";
        String fold = "\nshr.u64 %rd22, %rd21, 32; xor.b64 %rd23, %rd21, %rd22; cvt.u32.u64 %r3, %rd23;";
        int[] cvt = map(odd + "@%p1 cvt.s64.s32 %rd21, %r2;" + fold, in).ints(in.length);
        int[] add = map(odd + "@%p1 add.s64 %rd21, %rd20, %rd20;" + fold, in).ints(in.length);
        int[] mov = map(odd + "@%p1 mov.b64 %rd21, %rd20;" + fold, in).ints(in.length);
        for (int k = 0; k < in.length; k++) {
            long v = in[k], twice = 2 * v;
            boolean taken = k % 2 == 1;
            assertEquals(taken ? (int) (v ^ v >>> 32) : 7, cvt[k], "cvt.s64.s32, lane " + k % 32);
            assertEquals(taken ? (int) (twice ^ twice >>> 32) : 7, add[k], "add.s64, lane " + k % 32);
            assertEquals(taken ? (int) (v ^ v >>> 32) : 7, mov[k], "mov.b64, lane " + k % 32);
        }
    }

    @Test
    void f16ToF32IsExactForEveryPattern() {
        int[] in = new int[65536];
        for (int h = 0; h < in.length; h++) in[h] = h;
        Ptx.Run r = map("cvt.u16.u32 %rs1, %r2; cvt.f32.f16 %f1, %rs1; mov.b32 %r3, %f1;", in);
        int[] out = r.ints(65536);
        for (int h = 0; h < 65536; h++) {
            float expect = Float.float16ToFloat((short) h);
            int want = Float.isNaN(expect) ? QNAN : Float.floatToRawIntBits(expect);
            final int hh = h;
            assertEquals(want, out[h], () -> String.format("f16 %04x", hh));
        }
    }

    @Test
    void f32ToF16RoundsToNearestEvenWithSubnormalsAndOverflow() {
        // every f16 value, the f32 midpoint to its successor, and the f32 values either side of it
        int[] in = new int[65536 * 4];
        int n = 0;
        for (int h = 0; h < 65536; h++) {
            float v = Float.float16ToFloat((short) h);
            float next = Float.float16ToFloat((short) (h + 1));
            in[n++] = Float.floatToRawIntBits(v);
            if ((h & 0x7C00) == 0x7C00 || (h & 0x7FFF) == 0x7BFF) { // NaN/Inf, or the largest finite (successor is Inf)
                float mid = Math.copySign(65520f, v); // halfway to 2^16: rounds to Inf (even)
                in[n++] = Float.floatToRawIntBits(mid);
                in[n++] = Float.floatToRawIntBits(Math.nextDown(Math.abs(mid)) * Math.signum(mid));
                in[n++] = Float.floatToRawIntBits(Math.nextUp(Math.abs(mid)) * Math.signum(mid));
                continue;
            }
            float mid = (v + next) / 2; // exact: f16 has 11 significant bits
            in[n++] = Float.floatToRawIntBits(mid);
            in[n++] = Float.floatToRawIntBits(Math.nextDown(mid));
            in[n++] = Float.floatToRawIntBits(Math.nextUp(mid));
        }
        Ptx.Run r = map("mov.b32 %f1, %r2; cvt.rn.f16.f32 %rs1, %f1; cvt.u32.u16 %r3, %rs1;", in);
        int[] out = r.ints(n);
        for (int k = 0; k < n; k++) {
            float f = Float.intBitsToFloat(in[k]);
            int want = Float.isNaN(f) ? 0x7FFF : Float.floatToFloat16(f) & 0xFFFF; // IEEE roundTiesToEven
            final int kk = k;
            assertEquals(want, out[k], () -> String.format("f32 %08x", in[kk]));
        }
        assertTrue(r.report.clean(), r.report::toString);
    }

    /** The nearest bf16 (ties to the even one, overflow to infinity), worked out on values, not bits. */
    private static int bf16Nearest(float f) {
        if (Float.isNaN(f)) return 0x7FFF;
        int bits = Float.floatToRawIntBits(f);
        int lo = bits >>> 16;
        if ((bits & 0xFFFF) == 0) return lo;
        double x = Math.abs((double) f);
        double a = Math.abs((double) Float.intBitsToFloat(lo << 16));
        int hi = lo + 1;
        double b = (hi & 0x7FFF) == 0x7F80 ? 0x1p128 : Math.abs((double) Float.intBitsToFloat(hi << 16));
        if (x - a < b - x) return lo;
        if (x - a > b - x) return hi;
        return (lo & 1) == 0 ? lo : hi;
    }

    @Test
    void f32ToBf16RoundsToNearestEven() {
        Random rnd = new Random(9);
        int[] in = new int[1 << 16];
        for (int k = 0; k < in.length; k++) {
            int b = rnd.nextInt();
            in[k] = switch (k % 4) {
                case 0 -> b;
                case 1 -> (b & 0xFFFF0000) | 0x8000; // exact ties
                case 2 -> (b & 0x807F0000) | 0x8000 | (k % 2 == 0 ? 0x7F000000 : 0); // ties near the top and in subnormals
                default -> b & 0x80FFFFFF; // small and subnormal
            };
        }
        in[0] = 0x7F7FFFFF; // rounds up to infinity
        in[1] = 0xFF7F8000; // tie between -max and -2^128: even is infinity
        in[2] = 0x7FC00001; // NaN
        in[3] = 0x80000000; // -0
        Ptx.Run r = map("mov.b32 %f1, %r2; cvt.rn.bf16.f32 %rs1, %f1; cvt.u32.u16 %r3, %rs1;", in);
        int[] out = r.ints(in.length);
        for (int k = 0; k < in.length; k++) {
            final int kk = k;
            assertEquals(bf16Nearest(Float.intBitsToFloat(in[k])), out[k], () -> String.format("f32 %08x", in[kk]));
        }
    }

    @Test
    void packedConversionsPutTheFirstSourceInTheUpperHalf() {
        int[] out = one("""
                mov.f32 %f1, 0f3F800000; mov.f32 %f2, 0fC0000000;
                cvt.rn.f16x2.f32 %r2, %f1, %f2; st.global.u32 [%rd0], %r2;
                cvt.rn.bf16x2.f32 %r3, %f1, %f2; st.global.u32 [%rd0+4], %r3;
                mov.b32 {%rs1, %rs2}, %r2; cvt.u32.u16 %r4, %rs1; st.global.u32 [%rd0+8], %r4;
                mov.b32 %f3, {0, %rs2}; mov.b32 %r5, %f3; st.global.u32 [%rd0+12], %r5;
                """, 4);
        assertEquals(0x3C00C000, out[0], "f16x2: 1.0 high, -2.0 low");
        assertEquals(0x3F80C000, out[1], "bf16x2: 1.0 high, -2.0 low");
        assertEquals(0xC000, out[2], "unpack: low half first");
        assertEquals(0x3C000000, out[3], "pack: {0, h} puts h in the upper half");
    }

    @Test
    void integerCornerCases() {
        int[] out = one("""
                mov.u32 %r2, -7; mov.u32 %r3, 2; mov.u32 %r4, 0x80000000; mov.u32 %r5, -1;
                div.s32 %r6, %r2, %r3; st.global.u32 [%rd0], %r6;
                rem.s32 %r6, %r2, %r3; st.global.u32 [%rd0+4], %r6;
                div.u32 %r6, %r2, %r3; st.global.u32 [%rd0+8], %r6;
                div.s32 %r6, %r4, %r5; st.global.u32 [%rd0+12], %r6;
                shl.b32 %r6, %r5, 33; st.global.u32 [%rd0+16], %r6;
                shr.s32 %r6, %r4, 255; st.global.u32 [%rd0+20], %r6;
                shr.u32 %r6, %r4, 32; st.global.u32 [%rd0+24], %r6;
                mul.hi.s32 %r6, %r4, %r3; st.global.u32 [%rd0+28], %r6;
                mul.hi.u32 %r6, %r4, %r3; st.global.u32 [%rd0+32], %r6;
                mul.wide.s32 %rd5, %r4, %r3; mov.b64 {%r7, %r8}, %rd5; st.global.u32 [%rd0+36], %r7; st.global.u32 [%rd0+40], %r8;
                bfind.u32 %r6, %r4; st.global.u32 [%rd0+44], %r6;
                bfind.shiftamt.u32 %r6, 1; st.global.u32 [%rd0+48], %r6;
                bfind.u32 %r6, 0; st.global.u32 [%rd0+52], %r6;
                bfind.s32 %r6, %r5; st.global.u32 [%rd0+56], %r6;
                bfind.s32 %r6, -8; st.global.u32 [%rd0+60], %r6;
                brev.b32 %r6, 1; st.global.u32 [%rd0+64], %r6;
                bfi.b32 %r6, 0xF, 0, 4, 4; st.global.u32 [%rd0+68], %r6;
                bfi.b32 %r6, -1, 0, 30, 8; st.global.u32 [%rd0+72], %r6;
                bfi.b32 %r6, -1, 5, 0, 0; st.global.u32 [%rd0+76], %r6;
                bfi.b32 %r6, -1, 5, 32, 4; st.global.u32 [%rd0+80], %r6;
                min.u32 %r6, %r5, 3; st.global.u32 [%rd0+84], %r6;
                min.s32 %r6, %r5, 3; st.global.u32 [%rd0+88], %r6;
                mad.lo.s32 %r6, %r2, %r3, 100; st.global.u32 [%rd0+92], %r6;
                cvt.s64.s32 %rd6, %r2; st.global.u64 [%rd0+96], %rd6;
                cvt.u64.u32 %rd6, %r2; st.global.u64 [%rd0+104], %rd6;
                cvt.s16.s64 %rs1, 0x123458765; cvt.s32.s16 %r6, %rs1; st.global.u32 [%rd0+112], %r6;
                """, 29);
        assertEquals(-3, out[0], "div.s32 truncates toward zero");
        assertEquals(-1, out[1], "rem.s32 has the dividend's sign");
        assertEquals(0x7FFFFFFC, out[2], "div.u32 of 0xFFFFFFF9 by 2");
        assertEquals(0x80000000, out[3], "INT_MIN / -1 wraps");
        assertEquals(0, out[4], "shl by more than 31 clamps: 0");
        assertEquals(-1, out[5], "shr.s32 by more than 31: sign fill");
        assertEquals(0, out[6], "shr.u32 by 32: 0");
        assertEquals(-1, out[7], "mul.hi.s32 of INT_MIN * 2");
        assertEquals(1, out[8], "mul.hi.u32 of 2^31 * 2");
        assertEquals(0xFFFFFFFF00000000L, (long) out[10] << 32 | (out[9] & 0xFFFFFFFFL), "mul.wide.s32 of INT_MIN * 2");
        assertEquals(31, out[11], "bfind.u32 of 2^31");
        assertEquals(31, out[12], "bfind.shiftamt of 1 is 31");
        assertEquals(-1, out[13], "bfind of 0 is 0xffffffff");
        assertEquals(-1, out[14], "bfind.s32 of -1: no non-sign bit");
        assertEquals(2, out[15], "bfind.s32 of -8 (...11111000): most significant 0 is bit 2");
        assertEquals(0x80000000, out[16], "brev of 1");
        assertEquals(0xF0, out[17], "bfi: 4 bits at 4");
        assertEquals(0xC0000000, out[18], "bfi: bits past 31 dropped");
        assertEquals(5, out[19], "bfi with length 0 returns b");
        assertEquals(5, out[20], "bfi at position 32 returns b");
        assertEquals(3, out[21], "min.u32 of 0xffffffff and 3");
        assertEquals(-1, out[22], "min.s32 of -1 and 3");
        assertEquals(86, out[23], "mad.lo");
        assertEquals(-7L, (long) out[25] << 32 | (out[24] & 0xFFFFFFFFL), "cvt.s64.s32 sign-extends");
        assertEquals(0xFFFFFFF9L, (long) out[27] << 32 | (out[26] & 0xFFFFFFFFL), "cvt.u64.u32 zero-extends");
        assertEquals(0xFFFF8765, out[28], "cvt.s16.s64 of a 64-bit immediate: its low 16 bits, then sign-extended");
    }

    @Test
    void divisionByZeroIsReported() {
        Ptx.Run r = new Ptx.Run(1, new int[] {0}).launch(Ptx.kernel("", """
                div.u32 %r2, 5, %r0; st.global.u32 [%rd0], %r2;
                """), Dim3.of(1), Dim3.of(1), 0);
        assertEquals(FindingKind.DIVIDE_BY_ZERO, r.report.findings().getFirst().kind());
        assertEquals(-1, r.ints(1)[0]);
    }

    @Test
    void comparisonsWithNaNAndPredicateLogic() {
        int[] out = one("""
                mov.f32 %f1, 0f7FC00000; mov.f32 %f2, 0f3F800000;
                setp.lt.f32 %p1, %f1, %f2; selp.u32 %r2, 1, 0, %p1; st.global.u32 [%rd0], %r2;
                setp.ltu.f32 %p1, %f1, %f2; selp.u32 %r2, 1, 0, %p1; st.global.u32 [%rd0+4], %r2;
                setp.ne.f32 %p1, %f1, %f2; selp.u32 %r2, 1, 0, %p1; st.global.u32 [%rd0+8], %r2;
                setp.neu.f32 %p1, %f1, %f2; selp.u32 %r2, 1, 0, %p1; st.global.u32 [%rd0+12], %r2;
                setp.num.f32 %p1, %f1, %f2; selp.u32 %r2, 1, 0, %p1; st.global.u32 [%rd0+16], %r2;
                setp.nan.f32 %p1, %f1, %f2; selp.u32 %r2, 1, 0, %p1; st.global.u32 [%rd0+20], %r2;
                setp.eq.f32 %p1, 0f80000000, 0f00000000; selp.u32 %r2, 1, 0, %p1; st.global.u32 [%rd0+24], %r2;
                setp.lt.s32 %p2, -1, 0; setp.lt.u32 %p3, -1, 0;
                selp.u32 %r2, 1, 0, %p2; st.global.u32 [%rd0+28], %r2;
                selp.u32 %r2, 1, 0, %p3; st.global.u32 [%rd0+32], %r2;
                setp.gt.and.s32 %p4|%p5, 5, 3, !%p3; selp.u32 %r2, 1, 0, %p4; st.global.u32 [%rd0+36], %r2;
                selp.u32 %r2, 1, 0, %p5; st.global.u32 [%rd0+40], %r2;
                setp.gt.or.s32 %p4, 1, 3, %p3; selp.u32 %r2, 1, 0, %p4; st.global.u32 [%rd0+44], %r2;
                xor.pred %p6, %p2, %p3; not.pred %p7, %p6; selp.u32 %r2, 1, 0, %p7; st.global.u32 [%rd0+48], %r2;
                """, 13);
        assertEquals(0, out[0], "lt with NaN is false");
        assertEquals(1, out[1], "ltu with NaN is true");
        assertEquals(0, out[2], "ne is ordered: false with NaN");
        assertEquals(1, out[3], "neu with NaN is true");
        assertEquals(0, out[4]);
        assertEquals(1, out[5]);
        assertEquals(1, out[6], "-0 == +0");
        assertEquals(1, out[7], "signed -1 < 0");
        assertEquals(0, out[8], "unsigned 0xffffffff < 0 is false");
        assertEquals(1, out[9], "p = (5 > 3) and !false");
        assertEquals(0, out[10], "q = !(5 > 3) and !false");
        assertEquals(0, out[11], "(1 > 3) or false");
        assertEquals(0, out[12], "not (true xor false)");
    }

    @Test
    void floatArithmeticNaNMinMaxAndSignedZero() {
        int[] out = one("""
                mov.f32 %f1, 0f7FC00001; mov.f32 %f2, 0f3F800000; mov.f32 %f3, 0f80000000; mov.f32 %f4, 0f00000000;
                add.f32 %f5, %f1, %f2; mov.b32 %r2, %f5; st.global.u32 [%rd0], %r2;
                min.f32 %f5, %f1, %f2; mov.b32 %r2, %f5; st.global.u32 [%rd0+4], %r2;
                max.f32 %f5, %f2, %f1; mov.b32 %r2, %f5; st.global.u32 [%rd0+8], %r2;
                max.f32 %f5, %f1, %f1; mov.b32 %r2, %f5; st.global.u32 [%rd0+12], %r2;
                min.f32 %f5, %f4, %f3; mov.b32 %r2, %f5; st.global.u32 [%rd0+16], %r2;
                max.f32 %f5, %f3, %f4; mov.b32 %r2, %f5; st.global.u32 [%rd0+20], %r2;
                mul.f32 %f5, %f3, %f2; mov.b32 %r2, %f5; st.global.u32 [%rd0+24], %r2;
                neg.f32 %f5, %f4; mov.b32 %r2, %f5; st.global.u32 [%rd0+28], %r2;
                mov.f32 %f6, 0f3F800001; mov.f32 %f7, 0fBF800002;
                fma.rn.f32 %f5, %f6, %f6, %f7; mov.b32 %r2, %f5; st.global.u32 [%rd0+32], %r2;
                mov.f32 %f8, 0f40400000;
                div.rn.f32 %f5, %f2, %f8; mov.b32 %r2, %f5; st.global.u32 [%rd0+36], %r2;
                rcp.rn.f32 %f5, %f8; mov.b32 %r2, %f5; st.global.u32 [%rd0+40], %r2;
                rcp.rn.f32 %f5, %f3; mov.b32 %r2, %f5; st.global.u32 [%rd0+44], %r2;
                mov.f32 %f9, 0fFF800000; ex2.approx.f32 %f5, %f9; mov.b32 %r2, %f5; st.global.u32 [%rd0+48], %r2;
                cvt.rn.f32.s32 %f5, 16777217; mov.b32 %r2, %f5; st.global.u32 [%rd0+52], %r2;
                """, 14);
        assertEquals(QNAN, out[0], "NaN results are the canonical NaN");
        assertEquals(0x3F800000, out[1], "min with one NaN returns the other");
        assertEquals(0x3F800000, out[2], "max with one NaN returns the other");
        assertEquals(QNAN, out[3], "max of two NaNs is the canonical NaN");
        assertEquals(0x80000000, out[4], "min(+0, -0) = -0");
        assertEquals(0x00000000, out[5], "max(-0, +0) = +0");
        assertEquals(0x80000000, out[6], "-0 * 1 = -0");
        assertEquals(0x80000000, out[7], "neg(+0) = -0");
        // (1+2^-23)^2 - (1+2^-22) = 2^-46 exactly with one rounding; mul then add would give 0
        assertEquals(Float.floatToRawIntBits(0x1p-46f), out[8], "fma rounds once");
        assertEquals(Float.floatToRawIntBits(1f / 3f), out[9], "div.rn is correctly rounded");
        assertEquals(Float.floatToRawIntBits(1f / 3f), out[10], "rcp.rn is correctly rounded");
        assertEquals(0xFF800000, out[11], "rcp(-0) = -Inf");
        assertEquals(0, out[12], "ex2(-Inf) = +0");
        assertEquals(Float.floatToRawIntBits(16777216f), out[13], "cvt.rn.f32.s32 ties to even");
    }

    /**
     * ex2.approx.f32 against the PTX ISA's bound (9.7.3.21: "The maximum ulp error is 2 ulp from correctly
     * rounded result across the full range of inputs", -Inf gives +0, +-0 give 1, +Inf gives +Inf, NaN gives
     * NaN; subnormals are supported without .ftz) over a dense sweep: every 8191st bit pattern of the 32-bit
     * space (every sign, exponent and NaN payload, inputs far below -150 and above 128) and every 13th
     * pattern where the result is subnormal (-150 < x < -126) or near overflow (120 < x < 130). The
     * correctly rounded value comes from StrictMath.pow (fdlibm, within one double ulp), so it is one of
     * the two floats nearest [pow - ulp, pow + ulp]: the result must be within 2 ulp of both. The
     * interpreter's own model (package-info) is tighter, a faithful rounding: within 1 ulp of both.
     */
    @Test
    void ex2StaysWithinTheIsaBoundOnADenseSweep() {
        java.util.List<Integer> xs = new java.util.ArrayList<>();
        for (long b = 0; b <= 0xFFFFFFFFL; b += 8191) xs.add((int) b);
        for (int b = Float.floatToRawIntBits(-126f); b <= Float.floatToRawIntBits(-150.5f); b += 13) xs.add(b);
        for (int b = Float.floatToRawIntBits(120f); b <= Float.floatToRawIntBits(130f); b += 13) xs.add(b);
        for (float x : new float[] {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN, -0f, 0f, Float.MIN_VALUE,
                -Float.MIN_VALUE, Float.MIN_NORMAL, -Float.MAX_VALUE, Float.MAX_VALUE, -1e30f, -149f, -149.5f, -150f,
                -126f, 127f, 127.99999f, 128f, 1f, -1f, 0.5f}) {
            xs.add(Float.floatToRawIntBits(x));
        }
        xs.add(0xFFC00001); // a negative NaN with a payload
        int[] in = xs.stream().mapToInt(Integer::intValue).toArray();
        int[] out = map("mov.b32 %f1, %r2; ex2.approx.f32 %f2, %f1; mov.b32 %r3, %f2;", in).ints(in.length);
        int subnormal = 0;
        for (int k = 0; k < in.length; k++) {
            float x = Float.intBitsToFloat(in[k]);
            int got = out[k];
            String what = "ex2(" + x + " = 0x" + Integer.toHexString(in[k]) + ") = " + Float.intBitsToFloat(got);
            if (x != x) {
                assertEquals(QNAN, got, what + ": NaN gives the canonical NaN");
                continue;
            }
            double pow = StrictMath.pow(2, x);
            int lo = Float.floatToRawIntBits((float) Math.nextDown(pow)), hi = Float.floatToRawIntBits((float) Math.nextUp(pow));
            if (x == Float.NEGATIVE_INFINITY) lo = hi = 0; // nextDown(0) would be negative
            assertTrue(got >= 0, what + ": 2^x is never negative");
            // results are non-negative floats, whose bit patterns are in value order: a difference of bits is ulps
            assertTrue(Math.abs(got - lo) <= 2 && Math.abs(got - hi) <= 2, what + ": more than 2 ulp from correctly rounded");
            assertTrue(Math.abs(got - lo) <= 1 && Math.abs(got - hi) <= 1, what + ": not a faithful rounding");
            if (got > 0 && got < 0x00800000) subnormal++;
        }
        assertTrue(subnormal > 50_000, "the sweep has " + subnormal + " subnormal results");
        int[] table = map("mov.b32 %f1, %r2; ex2.approx.f32 %f2, %f1; mov.b32 %r3, %f2;", new int[] {
                0xFF800000, 0x80000000, 0, 0x7F800000, Float.floatToRawIntBits(-1e30f), Float.floatToRawIntBits(200f)}).ints(6);
        assertEquals(0, table[0], "-Inf gives +0");
        assertEquals(Float.floatToRawIntBits(1f), table[1], "-0 gives 1");
        assertEquals(Float.floatToRawIntBits(1f), table[2], "+0 gives 1");
        assertEquals(0x7F800000, table[3], "+Inf gives +Inf");
        assertEquals(0, table[4], "a large negative input gives +0");
        assertEquals(0x7F800000, table[5], "2^200 overflows to +Inf");
    }
}
