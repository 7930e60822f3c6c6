package dev.tokenmill.cpu;

import dev.tokenmill.op.DType;
import dev.tokenmill.tensor.HostTensor;
import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.tokenmill.cpu.Widen.F;

/**
 * Moves rows between tensors (any dtype) and fp32 scratch arrays, for every CPU kernel: loads widen in registers
 * (whole vectors, then a scalar tail), stores round to the tensor's dtype.
 */
final class Rows {
    private Rows() {}

    /** {@code dst[at..at+n) = src[element..element+n)} widened to f32. */
    static void load(HostTensor src, long element, float[] dst, int at, int n) {
        MemorySegment seg = src.segment();
        int step = F.length(), whole = n - n % step, i = 0;
        switch (src.dtype()) {
            case F32 -> { for (; i < whole; i += step) Widen.f32(seg, element + i).intoArray(dst, at + i); }
            case BF16 -> { for (; i < whole; i += step) Widen.bf16(seg, element + i).intoArray(dst, at + i); }
            case F16 -> { for (; i < whole; i += step) Widen.f16(seg, element + i).intoArray(dst, at + i); }
        }
        for (; i < n; i++) dst[at + i] = src.get(element + i);
    }

    /** {@code dst[element..element+n) = src[at..at+n) * factor}, rounded to the tensor's dtype. */
    static void store(float[] src, int at, float factor, HostTensor dst, long element, int n) {
        int i = 0;
        if (dst.dtype() == DType.F32) {
            int step = F.length(), whole = n - n % step;
            for (; i < whole; i += step)
                FloatVector.fromArray(F, src, at + i).mul(factor)
                        .intoMemorySegment(dst.segment(), (element + i) * 4, ByteOrder.nativeOrder());
        }
        for (; i < n; i++) dst.set(element + i, src[at + i] * factor);
    }
}
