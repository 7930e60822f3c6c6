package dev.tokenmill.ptx.exec;

import dev.tokenmill.ptx.ir.Instr;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * mma.sync.aligned.m16n8k16.row.col.f32.{f16,bf16}.f32: D = A·B + C over the ISA's fragment layouts, once
 * per warp. One per CTA worker (it keeps widened fragments from one mma to the next).
 *
 * <p>Fragments (groupID g = lane/4, t = lane%4): A a0..a7 at rows g (a0,a1,a4,a5) or g+8, columns 2t+(i&1)
 * (+8 for i >= 4); B b0..b3 at rows 2t+(i&1) (+8 for i >= 2), column g; C/D c0..c3 at rows g (i < 2) or
 * g+8, columns 2t+(i&1). Read as registers: the 64 halves of A register 0 (lane by lane, low half first) are
 * rows 0..7's columns 0..7, row by row, and registers 1, 2, 3 are rows 8..15's, rows 0..7's columns 8..15,
 * rows 8..15's; lanes 4g..4g+3 of C register 0 are row g's even columns, of register 1 its odd columns
 * (registers 2 and 3: row g+8). So each row's accumulators are two 4-lane vectors loaded straight from the
 * registers, and the sums run four columns at a time.
 *
 * <p>Numerics: each product is exact in double (11 x 11 or 8 x 8 significand bits), so a lane of
 * {@code fma} is the double sum {@code s + a*b} rounded once; every output is C + A[m][0]B[0][n] + ... +
 * A[m][15]B[15][n] in that order, in double, rounded once to f32 (NaN canonical). The ISA leaves the
 * accumulation order, rounding and intermediate precision (at least single) unspecified.
 *
 * <p>Widened A and B fragments are kept, with the register lanes they came from: a warp tile feeds each A
 * fragment to several mmas (tm_linear_mma_f16: four), so a fragment whose registers still hold the same bits
 * is not widened again. The bits are compared in full, so a register written in between (or read as the
 * other type) is widened afresh.
 *
 * <p>Speed (2-core AMD EPYC, linear's pattern of 4 A x 4 B fragments per k step, new fragments each step,
 * CPU time per mma): 470-500 ns scalar (16 double FMA chains, every operand widened per mma); 225-235 ns
 * with 256-bit DoubleVector sums, vector C loads and D stores and the kept fragments. Widening through a
 * small helper method was not inlined by C2 (22% of the time in a call per element), nor was a store helper
 * taking vectors (boxed): keep the vector code in one method.
 */
final class TensorCore {
    private static final VectorSpecies<Double> D4 = DoubleVector.SPECIES_256;
    private static final VectorSpecies<Float> F4 = FloatVector.SPECIES_128;
    private static final VectorSpecies<Integer> I4 = IntVector.SPECIES_128;
    private static final VectorSpecies<Integer> I8 = IntVector.SPECIES_256;
    /** Fragments kept per operand: a warp tile's four A (or B) fragments of one k step. */
    private static final int KEPT = 4;

    /** One widened fragment and the register lanes it was widened from. */
    private static final class Fragment {
        final int[] bits;
        final double[] wide;
        /** Offset of the first register, -1 while empty. */
        int first = -1;
        boolean bf16;

        Fragment(int registers) {
            bits = new int[registers * 32];
            wide = new double[registers * 64];
        }

        /** Whether this holds {@code regs}' current bits, read as bf16 or f16. */
        boolean holds(int[] r, int[] regs, boolean bf16) {
            if (first != regs[0] || this.bf16 != bf16) return false;
            for (int i = 0; i < regs.length; i++) if (!sameLanes(r, regs[i], bits, 32 * i)) return false;
            return true;
        }

        void fill(int[] r, int[] regs, boolean bf16) {
            for (int i = 0; i < regs.length; i++) System.arraycopy(r, regs[i], bits, 32 * i, 32);
            first = regs[0];
            this.bf16 = bf16;
        }
    }

    /** The last {@link #KEPT} widened fragments of one operand (A: four registers, B: two), the oldest replaced first. */
    private static final class Kept {
        private final Fragment[] fragments = new Fragment[KEPT];
        private final boolean isA;
        private int next;

        Kept(int registers) {
            for (int i = 0; i < KEPT; i++) fragments[i] = new Fragment(registers);
            isA = registers == 4;
        }

        /** {@code regs}' elements, widened now unless a kept fragment holds their current bits. */
        double[] widened(int[] r, int[] regs, boolean bf16) {
            for (Fragment f : fragments) if (f.holds(r, regs, bf16)) return f.wide;
            Fragment f = fragments[next];
            next = (next + 1) % KEPT;
            f.fill(r, regs, bf16);
            if (isA) widenA(f.bits, f.wide, bf16);
            else widenB(f.bits, f.wide, bf16);
            return f.wide;
        }
    }

    private final Kept a = new Kept(4), b = new Kept(2);

    private static boolean sameLanes(int[] r, int at, int[] bits, int from) {
        IntVector x = IntVector.fromArray(I8, r, at).lanewise(VectorOperators.XOR, IntVector.fromArray(I8, bits, from));
        for (int l = 8; l < 32; l += 8) {
            x = x.or(IntVector.fromArray(I8, r, at + l).lanewise(VectorOperators.XOR, IntVector.fromArray(I8, bits, from + l)));
        }
        return x.reduceLanes(VectorOperators.OR) == 0;
    }

    /** A's 256 elements, register by register, each register's 64 halves in lane order (see the class comment). */
    private static void widenA(int[] bits, double[] w, boolean bf16) {
        if (bf16) {
            for (int i = 0; i < 128; i++) {
                w[2 * i] = Fp.f(bits[i] << 16);
                w[2 * i + 1] = Fp.f(bits[i] & 0xFFFF0000);
            }
        } else {
            for (int i = 0; i < 128; i++) {
                w[2 * i] = Float.float16ToFloat((short) bits[i]);
                w[2 * i + 1] = Float.float16ToFloat((short) (bits[i] >>> 16));
            }
        }
    }

    /**
     * B[k][n] with each row's columns in the order 0 2 4 6 1 3 5 7, to meet the even and odd column vectors of
     * the accumulators. Lane 4n+t of register 0 holds rows 2t and 2t+1 of column n; register 1, rows 2t+8, 2t+9.
     */
    private static void widenB(int[] bits, double[] w, boolean bf16) {
        for (int l = 0; l < 32; l++) {
            int n = l >>> 2, at = 2 * (l & 3) * 8 + (n & 1) * 4 + (n >>> 1);
            int lo = bits[l], hi = bits[32 + l];
            if (bf16) {
                w[at] = Fp.f(lo << 16);
                w[at + 8] = Fp.f(lo & 0xFFFF0000);
                w[at + 64] = Fp.f(hi << 16);
                w[at + 72] = Fp.f(hi & 0xFFFF0000);
            } else {
                w[at] = Float.float16ToFloat((short) lo);
                w[at + 8] = Float.float16ToFloat((short) (lo >>> 16));
                w[at + 64] = Float.float16ToFloat((short) hi);
                w[at + 72] = Float.float16ToFloat((short) (hi >>> 16));
            }
        }
    }

    void mma(int[] r, Instr in, int exec, boolean bf16) {
        final double[] wb = b.widened(r, in.bv, bf16);
        final double[] wa = a.widened(r, in.av, bf16);
        int c0 = in.cv[0], c1 = in.cv[1], c2 = in.cv[2], c3 = in.cv[3];
        int d0 = in.dv[0], d1 = in.dv[1], d2 = in.dv[2], d3 = in.dv[3];
        // NaN once any output may be NaN (an infinite one counts too): then the outputs are made canonical
        DoubleVector nan = DoubleVector.zero(D4);
        for (int g = 0; g < 8; g++) {
            int q = 4 * g;
            // row g's even and odd columns (s), row g+8's (u): lanes q..q+3 of c0, c1, c2, c3
            DoubleVector se = (DoubleVector) IntVector.fromArray(I4, r, c0 + q).reinterpretAsFloats().convertShape(VectorOperators.F2D, D4, 0);
            DoubleVector so = (DoubleVector) IntVector.fromArray(I4, r, c1 + q).reinterpretAsFloats().convertShape(VectorOperators.F2D, D4, 0);
            DoubleVector ue = (DoubleVector) IntVector.fromArray(I4, r, c2 + q).reinterpretAsFloats().convertShape(VectorOperators.F2D, D4, 0);
            DoubleVector uo = (DoubleVector) IntVector.fromArray(I4, r, c3 + q).reinterpretAsFloats().convertShape(VectorOperators.F2D, D4, 0);
            for (int k = 0; k < 16; k++) {
                int at = (k < 8 ? 0 : 120) + 8 * g + k; // row g: register a0 (k < 8) or a2; row g+8: 64 further, a1 or a3
                DoubleVector x = DoubleVector.broadcast(D4, wa[at]), y = DoubleVector.broadcast(D4, wa[at + 64]);
                DoubleVector be = DoubleVector.fromArray(D4, wb, k * 8), bo = DoubleVector.fromArray(D4, wb, k * 8 + 4);
                se = x.fma(be, se);
                so = x.fma(bo, so);
                ue = y.fma(be, ue);
                uo = y.fma(bo, uo);
            }
            nan = nan.add(se).add(so).add(ue).add(uo).mul(0.0);
            IntVector fe = ((FloatVector) se.convertShape(VectorOperators.D2F, F4, 0)).reinterpretAsInts();
            IntVector fo = ((FloatVector) so.convertShape(VectorOperators.D2F, F4, 0)).reinterpretAsInts();
            IntVector he = ((FloatVector) ue.convertShape(VectorOperators.D2F, F4, 0)).reinterpretAsInts();
            IntVector ho = ((FloatVector) uo.convertShape(VectorOperators.D2F, F4, 0)).reinterpretAsInts();
            if (exec == -1) {
                fe.intoArray(r, d0 + q);
                fo.intoArray(r, d1 + q);
                he.intoArray(r, d2 + q);
                ho.intoArray(r, d3 + q);
            } else {
                VectorMask<Integer> m = VectorMask.fromLong(I4, exec >>> q & 0xF);
                fe.intoArray(r, d0 + q, m);
                fo.intoArray(r, d1 + q, m);
                he.intoArray(r, d2 + q, m);
                ho.intoArray(r, d3 + q, m);
            }
        }
        if (Double.isNaN(nan.reduceLanes(VectorOperators.ADD))) canonicalNaNs(r, in.dv, exec);
    }

    /** The NaN outputs of the lanes in {@code exec} made canonical, as every f32 result is. */
    private static void canonicalNaNs(int[] r, int[] dv, int exec) {
        for (int d : dv) {
            for (int l = 0; l < 32; l++) if ((exec >>> l & 1) != 0) r[d + l] = Fp.bits(Fp.f(r[d + l]));
        }
    }
}
