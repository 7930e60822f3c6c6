package dev.tokenmill.ptx.exec;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The most frequent ALU instructions over a warp's 32 lanes as 256-bit vectors (AVX2 and up): eight int or
 * float lanes, four long lanes at a time, each store masked by the executing lanes, so a whole warp and a
 * diverged one take one path. {@code r} and {@code d} are the 32- and 64-bit register files, {@code dst},
 * {@code a}, {@code b}, {@code c} register offsets, {@code exec} the lane mask.
 *
 * <p>Speed (2-core AMD EPYC): an unmasked trial, timed per instruction in tm_prefill_mma_d128_bf16, took
 * add.s32 from about 42 ns a warp instruction (a scalar loop over the lanes) to 4, mul.f32 from 42 to 6; with
 * these masked methods {@code Warp.execute}'s share of that kernel's profile fell from 30% to 12%, and a
 * launch from 11.5 to 9.4 ms. One small method per instruction: the vectors never cross a call, so C2 keeps
 * them in registers whether or not it inlines the method into {@code Warp.execute}.
 */
final class Lanes {
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorSpecies<Long> L = LongVector.SPECIES_256;
    /** The int lanes that widen into {@link #L}'s four longs. */
    private static final VectorSpecies<Integer> I4 = IntVector.SPECIES_128;

    private Lanes() {}

    private static IntVector ints(int[] r, int at) {
        return IntVector.fromArray(I, r, at);
    }

    private static FloatVector floats(int[] r, int at) {
        return IntVector.fromArray(I, r, at).reinterpretAsFloats();
    }

    private static VectorMask<Integer> lanes(int exec, int l) {
        return VectorMask.fromLong(I, exec >>> l);
    }

    /** An f32 result's bits, any NaN canonical (as {@link Fp#bits}). */
    private static IntVector bits(FloatVector x) {
        return x.reinterpretAsInts().blend(Fp.CANONICAL_NAN_F32, x.test(VectorOperators.IS_NAN).cast(I));
    }

    static void add(int[] r, int dst, int a, int b, int exec) {
        for (int l = 0; l < 32; l += 8) ints(r, a + l).add(ints(r, b + l)).intoArray(r, dst + l, lanes(exec, l));
    }

    static void sub(int[] r, int dst, int a, int b, int exec) {
        for (int l = 0; l < 32; l += 8) ints(r, a + l).sub(ints(r, b + l)).intoArray(r, dst + l, lanes(exec, l));
    }

    static void mulLo(int[] r, int dst, int a, int b, int exec) {
        for (int l = 0; l < 32; l += 8) ints(r, a + l).mul(ints(r, b + l)).intoArray(r, dst + l, lanes(exec, l));
    }

    static void madLo(int[] r, int dst, int a, int b, int c, int exec) {
        for (int l = 0; l < 32; l += 8) ints(r, a + l).mul(ints(r, b + l)).add(ints(r, c + l)).intoArray(r, dst + l, lanes(exec, l));
    }

    static void and(int[] r, int dst, int a, int b, int exec) {
        for (int l = 0; l < 32; l += 8) ints(r, a + l).and(ints(r, b + l)).intoArray(r, dst + l, lanes(exec, l));
    }

    static void or(int[] r, int dst, int a, int b, int exec) {
        for (int l = 0; l < 32; l += 8) ints(r, a + l).or(ints(r, b + l)).intoArray(r, dst + l, lanes(exec, l));
    }

    static void xor(int[] r, int dst, int a, int b, int exec) {
        for (int l = 0; l < 32; l += 8) ints(r, a + l).lanewise(VectorOperators.XOR, ints(r, b + l)).intoArray(r, dst + l, lanes(exec, l));
    }

    /** shl.b32: a shift amount above 31 (unsigned) gives 0. */
    static void shl(int[] r, int dst, int a, int b, int exec) {
        for (int l = 0; l < 32; l += 8) {
            IntVector s = ints(r, b + l);
            ints(r, a + l).lanewise(VectorOperators.LSHL, s).blend(0, s.compare(VectorOperators.UGT, 31))
                    .intoArray(r, dst + l, lanes(exec, l));
        }
    }

    /** shr.u32: a shift amount above 31 (unsigned) gives 0. */
    static void shrU(int[] r, int dst, int a, int b, int exec) {
        for (int l = 0; l < 32; l += 8) {
            IntVector s = ints(r, b + l);
            ints(r, a + l).lanewise(VectorOperators.LSHR, s).blend(0, s.compare(VectorOperators.UGT, 31))
                    .intoArray(r, dst + l, lanes(exec, l));
        }
    }

    /** shr.s32: a shift amount above 31 (unsigned) shifts by 31, leaving the sign. */
    static void shrS(int[] r, int dst, int a, int b, int exec) {
        for (int l = 0; l < 32; l += 8) {
            IntVector s = ints(r, b + l);
            ints(r, a + l).lanewise(VectorOperators.ASHR, s.blend(31, s.compare(VectorOperators.UGT, 31)))
                    .intoArray(r, dst + l, lanes(exec, l));
        }
    }

    static void mov(int[] r, int dst, int a, int exec) {
        for (int l = 0; l < 32; l += 8) ints(r, a + l).intoArray(r, dst + l, lanes(exec, l));
    }

    /** selp.b32: a where predicate {@code pred}'s lane is set, b elsewhere. */
    static void selp(int[] r, int dst, int a, int b, int pred, int exec) {
        for (int l = 0; l < 32; l += 8) {
            ints(r, b + l).blend(ints(r, a + l), VectorMask.fromLong(I, pred >>> l)).intoArray(r, dst + l, lanes(exec, l));
        }
    }

    static void addF(int[] r, int dst, int a, int b, int exec) {
        for (int l = 0; l < 32; l += 8) bits(floats(r, a + l).add(floats(r, b + l))).intoArray(r, dst + l, lanes(exec, l));
    }

    static void subF(int[] r, int dst, int a, int b, int exec) {
        for (int l = 0; l < 32; l += 8) bits(floats(r, a + l).sub(floats(r, b + l))).intoArray(r, dst + l, lanes(exec, l));
    }

    static void mulF(int[] r, int dst, int a, int b, int exec) {
        for (int l = 0; l < 32; l += 8) bits(floats(r, a + l).mul(floats(r, b + l))).intoArray(r, dst + l, lanes(exec, l));
    }

    /** fma.rn.f32: one rounding. */
    static void fmaF(int[] r, int dst, int a, int b, int c, int exec) {
        for (int l = 0; l < 32; l += 8) bits(floats(r, a + l).fma(floats(r, b + l), floats(r, c + l))).intoArray(r, dst + l, lanes(exec, l));
    }

    private static VectorMask<Long> longLanes(int exec, int l) {
        return VectorMask.fromLong(L, exec >>> l);
    }

    static void add64(long[] d, int dst, int a, int b, int exec) {
        for (int l = 0; l < 32; l += 4) LongVector.fromArray(L, d, a + l).add(LongVector.fromArray(L, d, b + l)).intoArray(d, dst + l, longLanes(exec, l));
    }

    static void mov64(long[] d, int dst, int a, int exec) {
        for (int l = 0; l < 32; l += 4) LongVector.fromArray(L, d, a + l).intoArray(d, dst + l, longLanes(exec, l));
    }

    /** cvt.s64.s32: sign-extends the 32-bit register {@code a} into the 64-bit {@code dst}. */
    static void widenS32(int[] r, long[] d, int dst, int a, int exec) {
        for (int l = 0; l < 32; l += 4) {
            ((LongVector) IntVector.fromArray(I4, r, a + l).convertShape(VectorOperators.I2L, L, 0)).intoArray(d, dst + l, longLanes(exec, l));
        }
    }
}
