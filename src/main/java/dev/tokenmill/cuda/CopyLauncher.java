package dev.tokenmill.cuda;

import dev.tokenmill.op.CopySpec;

/** kv.cu's copy probe: the device-to-device bandwidth ceiling, a grid-stride loop of 16-byte loads and stores. */
final class CopyLauncher implements CudaKernel {
    static final String KERNEL = "tm_copy_probe";

    private final CopySpec spec;
    private final int grid;
    private final KernelFunction function;

    CopyLauncher(CopySpec spec, CudaDevice device) {
        this.spec = spec;
        this.grid = (int) Math.min(CudaKernel.ceilDiv(spec.bytes() / 16, 1024), 8L * device.sms());
        this.function = device.module("kv").function(KERNEL);
    }

    @Override public String variant() { return "cuda.copy"; }

    @Override public void launch(DeviceOperands operands, Driver.Stream stream) {
        var o = (DeviceOperands.Copy) operands;
        function.launch(Dim3.of(grid), Dim3.of(256), 0, stream, new KernelArgs().ptr(o.src()).ptr(o.dst()).i64(spec.bytes() / 16));
    }
}
