package dev.tokenmill.cpu;

import dev.tokenmill.op.DType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Loads of {@link #F}{@code .length()} consecutive elements widened to f32 in registers: bf16 by a 16-bit left
 * shift; f16 bit by bit (JDK 25 has no Float16Vector): exponent and mantissa shifted into place and rescaled by
 * 2^112, which also normalises subnormals, then Inf/NaN restored and the sign put back.
 */
public final class Widen {
    /** The float species every CPU kernel uses: the widest the CPU supports. */
    public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Ints with as many lanes as {@link #F}. */
    public static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** Shorts with as many lanes as {@link #F} (half its width). */
    public static final VectorSpecies<Short> S =
            ShortVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(F.vectorBitSize() / 2));

    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final FloatVector F16_SCALE = FloatVector.broadcast(F, 0x1p112f);
    // f16 masks as vector constants: broadcasting them in place costs C2 nodes at every inlined load (see f16)
    private static final IntVector MAGNITUDE = IntVector.broadcast(I, 0x7FFF), EXPONENT = IntVector.broadcast(I, 0x7C00),
            SIGN = IntVector.broadcast(I, 0x8000), F32_INF = IntVector.broadcast(I, 0x7F800000);

    private Widen() {}

    public static FloatVector f32(MemorySegment seg, long element) {
        return FloatVector.fromMemorySegment(F, seg, element * 4, ORDER);
    }

    public static FloatVector bf16(MemorySegment seg, long element) {
        IntVector bits = (IntVector) ShortVector.fromMemorySegment(S, seg, element * 2, ORDER)
                .convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 0);
        return bits.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    public static FloatVector f16(MemorySegment seg, long element) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S, seg, element * 2, ORDER)
                .convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 0);
        IntVector magnitude = h.and(MAGNITUDE).lanewise(VectorOperators.LSHL, 13);
        FloatVector value = magnitude.reinterpretAsFloats().mul(F16_SCALE);
        VectorMask<Integer> special = h.and(EXPONENT).compare(VectorOperators.EQ, EXPONENT);
        IntVector bits = value.reinterpretAsInts().blend(magnitude.or(F32_INF), special);
        return bits.or(h.and(SIGN).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }

    /** Dispatching load; kernels that care about the last cycle pick the typed method once, outside the loop. */
    public static FloatVector load(MemorySegment seg, DType dtype, long element) {
        return switch (dtype) {
            case F32 -> f32(seg, element);
            case BF16 -> bf16(seg, element);
            case F16 -> f16(seg, element);
        };
    }
}
