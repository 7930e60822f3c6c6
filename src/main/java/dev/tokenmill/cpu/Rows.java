package dev.tokenmill.cpu;

import dev.tokenmill.op.DType;
import dev.tokenmill.tensor.HostTensor;

import java.lang.foreign.MemorySegment;

import static dev.tokenmill.cpu.Widen.F;

/**
 * Moves attention rows between tensors (any dtype) and fp32 scratch arrays: loads widen in registers, stores round
 * to the tensor's dtype. Row lengths are head dims (64 or 128), multiples of every vector width.
 */
final class Rows {
    private Rows() {}

    /** {@code dst[at..at+n) = seg[element..element+n)} widened to f32. */
    static void load(MemorySegment seg, DType dtype, long element, float[] dst, int at, int n) {
        int step = F.length();
        switch (dtype) {
            case F32 -> { for (int i = 0; i < n; i += step) Widen.f32(seg, element + i).intoArray(dst, at + i); }
            case BF16 -> { for (int i = 0; i < n; i += step) Widen.bf16(seg, element + i).intoArray(dst, at + i); }
            case F16 -> { for (int i = 0; i < n; i += step) Widen.f16(seg, element + i).intoArray(dst, at + i); }
        }
    }

    /** {@code dst[element..element+n) = src[at..at+n) * factor}, rounded to the tensor's dtype. */
    static void store(float[] src, int at, float factor, HostTensor dst, long element, int n) {
        for (int i = 0; i < n; i++) dst.set(element + i, src[at + i] * factor);
    }
}
