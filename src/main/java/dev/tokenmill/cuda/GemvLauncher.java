package dev.tokenmill.cuda;

import dev.tokenmill.op.LinearSpec;

import static dev.tokenmill.cuda.CudaKernel.ceilDiv;

/**
 * gemv.cu: {@code Y = X·W^T} for decode shapes (M ≤ 64), bandwidth-bound: each CTA streams 4 rows of W once
 * with 16-byte loads. When N gives too few CTAs to fill the device, K is split and a second kernel sums the
 * fp32 partials ({@code tm_gemv_reduce_<t>}).
 */
final class GemvLauncher implements CudaKernel {
    private final LinearSpec spec;
    private final int rowsPerPass, splits;
    private final KernelFunction gemv, reduce;
    private final DeviceBuffer partial;

    /** Whether this launcher runs {@code spec}: a decode shape whose rows are whole 16-byte vectors. */
    static boolean handles(LinearSpec spec) {
        return spec.isDecodeShape() && spec.k() % CudaKernel.vec(spec.dtype()) == 0;
    }

    GemvLauncher(LinearSpec spec, CudaDevice device) {
        if (!handles(spec)) throw new IllegalArgumentException("gemv needs M <= 64 and K a multiple of 16 bytes: " + spec);
        this.spec = spec;
        this.rowsPerPass = rowsPerPass(spec);
        this.splits = splits(spec, device.sms());
        KernelModule module = device.module("gemv");
        this.gemv = module.function(kernel(spec));
        this.reduce = splits > 1 ? module.function(reduceKernel(spec)) : null;
        this.partial = splits > 1 ? DeviceBuffer.allocate(device.driver(), 4L * splits * spec.m() * spec.n()) : null;
    }

    /** Rows of X applied per pass over W: 1, 2, 4, 8 for M = 1, 2, 3..4, >= 5. */
    static int rowsPerPass(LinearSpec spec) { return Math.min(8, Integer.highestOneBit(spec.m() * 2 - 1)); }

    static String kernel(LinearSpec spec) { return "tm_gemv_m" + rowsPerPass(spec) + "_" + CudaKernel.suffix(spec.dtype()); }

    static String reduceKernel(LinearSpec spec) { return "tm_gemv_reduce_" + CudaKernel.suffix(spec.dtype()); }

    /** Split-K only when N alone leaves the SMs idle (ABI.md's rule: at least two CTAs per SM). */
    static int splits(LinearSpec spec, int sms) {
        int ctas = ceilDiv(spec.n(), 4);
        if (ctas >= 2 * sms) return 1;
        int vec = CudaKernel.vec(spec.dtype());
        return Math.min(Math.min(ceilDiv(2L * sms, ctas), Math.max(1, spec.k() / (vec * 512))), 64);
    }

    @Override public String variant() { return "cuda.gemv.m" + rowsPerPass + (splits > 1 ? ".splitk" + splits : ""); }

    @Override public long workspaceBytes() { return partial == null ? 0 : partial.bytes(); }

    @Override public void launch(DeviceOperands operands, Driver.Stream stream) {
        var o = (DeviceOperands.Linear) operands;
        gemv.launch(Dim3.of(ceilDiv(spec.n(), 4), splits), Dim3.of(256), 0, stream, new KernelArgs()
                .ptr(o.x()).ptr(o.w()).ptr(o.y()).ptr(partial).i32(spec.m()).i32(spec.n()).i32(spec.k()).i32(splits));
        if (splits > 1) {
            int grid = (int) Math.min(ceilDiv((long) spec.m() * spec.n(), 256), 65535L * 32);
            reduce.launch(Dim3.of(grid), Dim3.of(256), 0, stream,
                    new KernelArgs().ptr(partial).ptr(o.y()).i32(spec.m()).i32(spec.n()).i32(splits));
        }
    }

    @Override public void close() { if (partial != null) partial.close(); }
}
