package dev.tokenmill.ptx.exec;

import dev.tokenmill.ptx.ir.Instr;

/**
 * mma.sync.aligned.m16n8k16.row.col.f32.{f16,bf16}.f32: D = A·B + C over the ISA's fragment layouts, once
 * per warp. One per CTA worker (it keeps B between the gather and the sums).
 *
 * <p>Fragments (groupID g = lane/4, t = lane%4): A a0..a7 at rows g (a0,a1,a4,a5) or g+8, columns 2t+(i&1)
 * (+8 for i >= 4); B b0..b3 at rows 2t+(i&1) (+8 for i >= 2), column g; C/D c0..c3 at rows g (i < 2) or
 * g+8, columns 2t+(i&1). So A register j of lanes 4g..4g+3 holds one row's eight consecutive columns, B
 * register j of lanes 4n..4n+3 one column's eight consecutive rows, and lane 4g+t's c0..c3 are
 * D[g][2t], D[g][2t+1], D[g+8][2t], D[g+8][2t+1]: the loops below walk the registers in that order
 * instead of scattering each element through index arithmetic.
 *
 * <p>Numerics: each product is exact in double (11 x 11 or 8 x 8 significand bits), so
 * {@code Math.fma(a, b, s)} is the double sum {@code s + a*b} rounded once; every output is
 * C + A[m][0]B[0][n] + ... + A[m][15]B[15][n] in that order, in double, rounded once to f32. The ISA leaves
 * the accumulation order, rounding and intermediate precision (at least single) unspecified.
 *
 * <p>Speed (2-core AMD EPYC, one mma on fixed registers, CPU time, median of 10 rounds of 100k): 1.25-1.36 us
 * when every element went through a 16x16 and a 16x8 double array with per-element index arithmetic; 0.49-0.52
 * us walking the registers, with rows g and g+8 in 16 local sums that share each B load; one A register
 * load for both of its halves gave another x1.03-1.06 on the tensor-core kernels. A DoubleVector version
 * of the sums measured 0.44 us: not worth making the library depend on the incubator module.
 */
final class TensorCore {
    /** B[k][n] (k-major) as doubles: the one operand read by every row. */
    private final double[] b = new double[16 * 8];
    /** Row g's and row g+8's eight sums for the masked write-back. */
    private final double[] row = new double[16];

    void mma(int[] r, Instr in, int exec, boolean bf16) {
        final double[] b = this.b;
        int b0 = in.bv[0], b1 = in.bv[1];
        for (int n = 0; n < 8; n++) {
            for (int t = 0; t < 4; t++) {
                int lo = r[b0 + 4 * n + t], hi = r[b1 + 4 * n + t];
                b[2 * t * 8 + n] = widen(lo & 0xFFFF, bf16);
                b[(2 * t + 1) * 8 + n] = widen(lo >>> 16, bf16);
                b[(2 * t + 8) * 8 + n] = widen(hi & 0xFFFF, bf16);
                b[(2 * t + 9) * 8 + n] = widen(hi >>> 16, bf16);
            }
        }
        int a0 = in.av[0], a1 = in.av[1], a2 = in.av[2], a3 = in.av[3];
        int c0 = in.cv[0], c1 = in.cv[1], c2 = in.cv[2], c3 = in.cv[3];
        for (int g = 0; g < 8; g++) {
            int q = 4 * g;
            // s: row g, u: row g+8; index n
            double s0 = Fp.f(r[c0 + q]), s1 = Fp.f(r[c1 + q]), s2 = Fp.f(r[c0 + q + 1]), s3 = Fp.f(r[c1 + q + 1]);
            double s4 = Fp.f(r[c0 + q + 2]), s5 = Fp.f(r[c1 + q + 2]), s6 = Fp.f(r[c0 + q + 3]), s7 = Fp.f(r[c1 + q + 3]);
            double u0 = Fp.f(r[c2 + q]), u1 = Fp.f(r[c3 + q]), u2 = Fp.f(r[c2 + q + 1]), u3 = Fp.f(r[c3 + q + 1]);
            double u4 = Fp.f(r[c2 + q + 2]), u5 = Fp.f(r[c3 + q + 2]), u6 = Fp.f(r[c2 + q + 3]), u7 = Fp.f(r[c3 + q + 3]);
            // k = 2j and 2j+1 are the halves of one A register: a0/a1 (rows g, g+8) for k < 8, a2/a3 after
            for (int j = 0; j < 8; j++) {
                int at = q + (j & 3);
                int va = r[(j < 4 ? a0 : a2) + at], vb = r[(j < 4 ? a1 : a3) + at];
                for (int h = 0; h < 2; h++) {
                    double x = widen(h == 0 ? va & 0xFFFF : va >>> 16, bf16);
                    double y = widen(h == 0 ? vb & 0xFFFF : vb >>> 16, bf16);
                    int bk = (2 * j + h) * 8;
                    double e0 = b[bk], e1 = b[bk + 1], e2 = b[bk + 2], e3 = b[bk + 3];
                    double e4 = b[bk + 4], e5 = b[bk + 5], e6 = b[bk + 6], e7 = b[bk + 7];
                    s0 = Math.fma(x, e0, s0);
                    s1 = Math.fma(x, e1, s1);
                    s2 = Math.fma(x, e2, s2);
                    s3 = Math.fma(x, e3, s3);
                    s4 = Math.fma(x, e4, s4);
                    s5 = Math.fma(x, e5, s5);
                    s6 = Math.fma(x, e6, s6);
                    s7 = Math.fma(x, e7, s7);
                    u0 = Math.fma(y, e0, u0);
                    u1 = Math.fma(y, e1, u1);
                    u2 = Math.fma(y, e2, u2);
                    u3 = Math.fma(y, e3, u3);
                    u4 = Math.fma(y, e4, u4);
                    u5 = Math.fma(y, e5, u5);
                    u6 = Math.fma(y, e6, u6);
                    u7 = Math.fma(y, e7, u7);
                }
            }
            double[] o = row;
            o[0] = s0; o[1] = s1; o[2] = s2; o[3] = s3; o[4] = s4; o[5] = s5; o[6] = s6; o[7] = s7;
            o[8] = u0; o[9] = u1; o[10] = u2; o[11] = u3; o[12] = u4; o[13] = u5; o[14] = u6; o[15] = u7;
            for (int t = 0; t < 4; t++) {
                int lane = q + t;
                if ((exec >>> lane & 1) == 0) continue;
                r[in.dv[0] + lane] = Fp.bits((float) o[2 * t]);
                r[in.dv[1] + lane] = Fp.bits((float) o[2 * t + 1]);
                r[in.dv[2] + lane] = Fp.bits((float) o[8 + 2 * t]);
                r[in.dv[3] + lane] = Fp.bits((float) o[9 + 2 * t]);
            }
        }
    }

    /** An f16 or bf16 operand, exactly (a NaN stays a NaN; the result is made canonical by Fp.bits). */
    private static double widen(int h, boolean bf16) {
        return bf16 ? Fp.f(h << 16) : Float.float16ToFloat((short) h);
    }
}
