package dev.tokenmill.cuda;

import dev.tokenmill.op.DType;
import dev.tokenmill.op.PrefillSpec;

import static dev.tokenmill.cuda.CudaKernel.ceilDiv;

/**
 * prefill.cu: causal flash attention, one CTA per (query tile, query head, sequence). f16/bf16 run on tensor
 * cores with 64-query tiles and K/V tiles staged in shared memory; f32 runs the SIMT kernel with 16-query tiles.
 */
final class PrefillLauncher implements CudaKernel {
    private final PrefillSpec spec;
    private final boolean mma;
    private final KernelFunction function;

    PrefillLauncher(PrefillSpec spec, CudaDevice device) {
        this.spec = spec;
        this.mma = spec.dtype() != DType.F32;
        this.function = device.module("prefill").function(kernel(spec)).allowShared(sharedBytes(spec));
    }

    static String kernel(PrefillSpec spec) {
        return "tm_prefill_" + (spec.dtype() != DType.F32 ? "mma" : "simt") + "_d" + spec.headDim() + "_" + CudaKernel.suffix(spec.dtype());
    }

    /** The tensor-core kernel stages Q, K and V tiles of 64 rows of 16-bit elements; the SIMT one uses static memory. */
    static int sharedBytes(PrefillSpec spec) { return spec.dtype() != DType.F32 ? 3 * 64 * spec.headDim() * 2 : 0; }

    @Override public String variant() { return mma ? "cuda.prefill.mma" : "cuda.prefill.simt"; }

    @Override public void launch(DeviceOperands operands, Driver.Stream stream) {
        var o = (DeviceOperands.Prefill) operands;
        int tile = mma ? 64 : 16;
        function.launch(Dim3.of(ceilDiv(spec.seq(), tile), spec.heads(), spec.batch()), Dim3.of(128), sharedBytes(spec), stream,
                new KernelArgs().ptr(o.q()).ptr(o.k()).ptr(o.v()).ptr(o.o())
                        .i32(spec.batch()).i32(spec.seq()).i32(spec.heads()).i32(spec.kvHeads()));
    }
}
