package dev.tokenmill.cpu;

import dev.tokenmill.op.DType;
import dev.tokenmill.op.LinearSpec;
import dev.tokenmill.tensor.HostTensor;
import jdk.incubator.vector.FloatVector;

import java.util.Arrays;

/**
 * The CPU linear kernels {@code Y = X·W^T}: {@link PackedGemm} for prefill shapes (compute-bound), {@link StreamGemv}
 * for decode shapes (M ≤ {@link LinearSpec#DECODE_MAX_M}, bandwidth-bound); and the row conversions both share.
 */
final class CpuLinear {
    private CpuLinear() {}

    /** Largest K: f32 panels of NR×K (GEMM) and 64 widened rows of X (GEMV) are indexed by int. */
    static final int MAX_K = 1 << 24;

    static CpuKernel of(LinearSpec spec) {
        if (spec.k() > MAX_K)
            throw new IllegalArgumentException("k must be at most " + MAX_K + " on the CPU backend, got " + spec.k());
        return spec.isDecodeShape() ? new StreamGemv(spec) : new PackedGemm(spec);
    }

    /** {@code len} elements of {@code src} from {@code from}, widened to f32 into {@code dst}, then zeros up to {@code padded}. */
    static void widenRow(HostTensor src, long from, int len, float[] dst, int to, int padded) {
        int lanes = Widen.F.length(), i = 0;
        for (; i <= len - lanes; i += lanes) Widen.load(src.segment(), src.dtype(), from + i).intoArray(dst, to + i);
        for (; i < len; i++) dst[to + i] = src.get(from + i);
        Arrays.fill(dst, to + len, to + padded, 0f);
    }

    /** {@code len} f32 values from {@code src} stored into {@code dst} from element {@code to}, rounded to its dtype. */
    static void storeRow(float[] src, int from, HostTensor dst, long to, int len) {
        if (dst.dtype() == DType.F32) {
            int lanes = Widen.F.length(), i = 0;
            for (; i <= len - lanes; i += lanes)
                FloatVector.fromArray(Widen.F, src, from + i).intoMemorySegment(dst.segment(), (to + i) * 4, java.nio.ByteOrder.nativeOrder());
            for (; i < len; i++) dst.set(to + i, src[from + i]);
        } else {
            for (int i = 0; i < len; i++) dst.set(to + i, src[from + i]);
        }
    }
}
