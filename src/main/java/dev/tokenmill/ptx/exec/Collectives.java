package dev.tokenmill.ptx.exec;

import dev.tokenmill.ptx.check.FindingKind;
import dev.tokenmill.ptx.ir.Instr;
import dev.tokenmill.ptx.ir.Op;

/**
 * Warp-wide register exchanges: shfl.sync and mma.sync. Each reads every lane's sources before writing
 * any destination, so a destination that is also a source is read as it was.
 */
final class Collectives {
    private Collectives() {}

    /**
     * shfl.sync.mode.b32 d[|p], a, b, c, membermask, per the ISA's pseudocode: c[4:0] is the clamp, c[12:8]
     * the segment mask; a source lane out of range yields the lane's own a and p = false.
     */
    static void shfl(Warp w, Instr in, int exec) {
        int[] r = w.r;
        int[] src = w.cta.scratchInts;
        for (int l = 0; l < 32; l++) src[l] = r[in.a + l];
        int pv = 0;
        for (int m = exec; m != 0; m &= m - 1) {
            int lane = Integer.numberOfTrailingZeros(m);
            int mask = r[in.e + lane];
            if ((mask >>> lane & 1) == 0) {
                w.cta.report(FindingKind.COLLECTIVE_MASK, in, w.index, lane, -1, null,
                        String.format("lane %d executes it but membermask is %08x", lane, mask));
            }
            int b = r[in.b + lane] & 31, c = r[in.c + lane];
            int cval = c & 31, seg = (c >>> 8) & 31;
            int maxLane = (lane & seg) | (cval & ~seg), minLane = lane & seg;
            int j;
            boolean ok;
            switch (in.mode) {
                case 0 -> { j = lane - b; ok = j >= maxLane; }
                case 1 -> { j = lane + b; ok = j <= maxLane; }
                case 2 -> { j = lane ^ b; ok = j <= maxLane; }
                default -> { j = minLane | (b & ~seg); ok = j <= maxLane; }
            }
            if (!ok) j = lane;
            if ((exec >>> j & 1) == 0) {
                w.cta.report(FindingKind.COLLECTIVE_DIVERGENCE, in, w.index, lane, -1, null,
                        "lane " + lane + " reads lane " + j + ", which does not execute this shfl (the value is undefined)");
            }
            r[in.d + lane] = src[j];
            if (ok) pv |= 1 << lane;
        }
        if (in.d2 >= 0) w.p[in.d2] = w.p[in.d2] & ~exec | pv & exec;
    }

    /**
     * mma.sync.aligned.m16n8k16.row.col.f32.{f16,bf16}: D = A·B + C with the fragment layouts of the ISA
     * (groupID g = lane/4, t = lane%4): A a0..a7 at rows g (a0,a1,a4,a5) or g+8, columns 2t+(i&1) (+8 for
     * i >= 4); B b0..b3 at rows 2t+(i&1) (+8 for i >= 2), column g; C/D c0..c3 at rows g (i < 2) or g+8,
     * columns 2t+(i&1). Each output sums its 16 products (exact in double) and C in double precision and
     * rounds once to f32: the ISA does not fix an accumulation order or intermediate precision.
     */
    static void mma(Warp w, Instr in, int exec) {
        int[] r = w.r;
        double[] a = w.cta.mmaA, b = w.cta.mmaB, acc = w.cta.mmaAcc;
        boolean bf16 = in.op == Op.MMA_BF16;
        for (int lane = 0; lane < 32; lane++) {
            int g = lane >>> 2, t = lane & 3;
            for (int i = 0; i < 8; i++) {
                int reg = r[in.av[i >>> 1] + lane];
                int h = (i & 1) == 0 ? reg & 0xFFFF : reg >>> 16;
                int row = (i < 2 || i >= 4 && i < 6) ? g : g + 8;
                int col = 2 * t + (i & 1) + (i >= 4 ? 8 : 0);
                a[row * 16 + col] = widen(h, bf16);
            }
            for (int i = 0; i < 4; i++) {
                int reg = r[in.bv[i >>> 1] + lane];
                int h = (i & 1) == 0 ? reg & 0xFFFF : reg >>> 16;
                int k = 2 * t + (i & 1) + (i >= 2 ? 8 : 0);
                b[k * 8 + g] = widen(h, bf16);
            }
            for (int i = 0; i < 4; i++) {
                acc[(i < 2 ? g : g + 8) * 8 + 2 * t + (i & 1)] = Fp.f(r[in.cv[i] + lane]);
            }
        }
        // D[m][n] = C[m][n] + A[m][0]B[0][n] + ... + A[m][15]B[15][n], in this order for every output; a
        // row's eight sums live in locals so that they stay in registers, eight independent chains
        for (int m = 0; m < 16; m++) {
            int o = m * 8;
            double s0 = acc[o], s1 = acc[o + 1], s2 = acc[o + 2], s3 = acc[o + 3];
            double s4 = acc[o + 4], s5 = acc[o + 5], s6 = acc[o + 6], s7 = acc[o + 7];
            for (int k = 0; k < 16; k++) {
                double x = a[m * 16 + k];
                int bk = k * 8;
                s0 += x * b[bk];
                s1 += x * b[bk + 1];
                s2 += x * b[bk + 2];
                s3 += x * b[bk + 3];
                s4 += x * b[bk + 4];
                s5 += x * b[bk + 5];
                s6 += x * b[bk + 6];
                s7 += x * b[bk + 7];
            }
            acc[o] = s0;
            acc[o + 1] = s1;
            acc[o + 2] = s2;
            acc[o + 3] = s3;
            acc[o + 4] = s4;
            acc[o + 5] = s5;
            acc[o + 6] = s6;
            acc[o + 7] = s7;
        }
        for (int mk = exec; mk != 0; mk &= mk - 1) {
            int lane = Integer.numberOfTrailingZeros(mk);
            int g = lane >>> 2, t = lane & 3;
            for (int i = 0; i < 4; i++) {
                r[in.dv[i] + lane] = Fp.bits((float) acc[(i < 2 ? g : g + 8) * 8 + 2 * t + (i & 1)]);
            }
        }
    }

    /** Every f16 value as f32, so that gathering 512 operands per mma is a table read each. */
    private static final float[] F16 = new float[65536];

    static {
        for (int h = 0; h < 65536; h++) F16[h] = Fp.f(Fp.f16ToF32(h));
    }

    private static float widen(int h, boolean bf16) {
        return bf16 ? Fp.f(Fp.bf16ToF32(h)) : F16[h];
    }
}
