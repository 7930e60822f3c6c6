package dev.tokenmill.cuda;

import dev.tokenmill.op.AppendSpec;
import dev.tokenmill.op.KvCache;
import dev.tokenmill.op.KvLayout;

import static dev.tokenmill.cuda.CudaKernel.ceilDiv;

/** kv.cu: writes each sequence's new k and v at position {@code seq_lens[b]}, one 16-byte vector per thread. */
final class AppendLauncher implements CudaKernel {
    private final AppendSpec spec;
    private final KernelFunction function;

    AppendLauncher(AppendSpec spec, CudaDevice device) {
        this.spec = spec;
        this.function = device.module("kv").function(kernel(spec));
    }

    static String kernel(AppendSpec spec) { return "tm_kv_append_" + CudaKernel.suffix(spec.dtype()); }

    @Override public String variant() { return "cuda.append"; }

    @Override public void launch(DeviceOperands operands, Driver.Stream stream) {
        var o = (DeviceOperands.Append) operands;
        KvCache c = spec.cache();
        boolean paged = c.layout() == KvLayout.PAGED; // the other layout's fields pass 0 (block size: 1)
        long vectors = (long) c.batch() * c.kvHeads() * c.headDim() / CudaKernel.vec(spec.dtype());
        function.launch(Dim3.of(ceilDiv(vectors, 256)), Dim3.of(256), 0, stream, new KernelArgs()
                .ptr(o.k()).ptr(o.v()).ptr(o.cache().k()).ptr(o.cache().v()).ptr(o.cache().blockTable()).ptr(o.cache().seqLens())
                .i32(c.batch()).i32(c.kvHeads()).i32(c.headDim())
                .i32(paged ? 0 : c.capacity()).i32(paged ? c.maxBlocks() : 0).i32(paged ? c.blockSize() : 1));
    }
}
