package dev.tokenmill.cuda;

import dev.tokenmill.op.DType;
import dev.tokenmill.op.LinearSpec;

import static dev.tokenmill.cuda.CudaKernel.ceilDiv;

/**
 * linear.cu: {@code Y = X·W^T} for prefill shapes. f16/bf16 run on tensor cores ({@code tm_linear_mma_<t>},
 * 128x128 tiles, a cp.async pipeline that needs 16-byte rows: K % 8 == 0); f32, and f16/bf16 with other K,
 * run the SIMT kernel (64x64 tiles).
 */
final class LinearLauncher implements CudaKernel {
    private static final int MMA_SHARED = 65536;

    private final LinearSpec spec;
    private final boolean mma;
    private final KernelFunction function;

    LinearLauncher(LinearSpec spec, CudaDevice device) {
        this.spec = spec;
        this.mma = usesTensorCores(spec);
        this.function = device.module("linear").function(kernel(spec)).allowShared(mma ? MMA_SHARED : 0);
    }

    /** Tensor cores for 16-bit types whose rows are whole 16-byte vectors (the cp.async pipeline's unit). */
    static boolean usesTensorCores(LinearSpec spec) { return spec.dtype() != DType.F32 && spec.k() % 8 == 0; }

    static String kernel(LinearSpec spec) {
        return "tm_linear_" + (usesTensorCores(spec) ? "mma_" : "simt_") + CudaKernel.suffix(spec.dtype());
    }

    @Override public String variant() { return mma ? "cuda.linear.mma" : "cuda.linear.simt"; }

    @Override public void launch(DeviceOperands operands, Driver.Stream stream) {
        var o = (DeviceOperands.Linear) operands;
        int tile = mma ? 128 : 64;
        function.launch(Dim3.of(ceilDiv(spec.n(), tile), ceilDiv(spec.m(), tile)), Dim3.of(256), mma ? MMA_SHARED : 0, stream,
                new KernelArgs().ptr(o.x()).ptr(o.w()).ptr(o.y()).i32(spec.m()).i32(spec.n()).i32(spec.k()));
    }
}
