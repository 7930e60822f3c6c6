package dev.tokenmill.cuda;

/**
 * One op's kernel launch(es) on the device for one shape, per kernels/ABI.md: the variant chosen for the shape
 * and any scratch memory it needs (shared by every operand set, since launches on one stream never overlap).
 */
interface CudaKernel extends AutoCloseable {
    /** The variant name recorded with results, e.g. {@code cuda.linear.mma}. */
    String variant();

    /** Enqueues the op on {@code stream} for one operand set (asynchronous). */
    void launch(DeviceOperands operands, Driver.Stream stream);

    /** Device bytes of scratch memory this kernel holds. */
    default long workspaceBytes() { return 0; }

    /** Frees the scratch memory. */
    @Override default void close() {}

    /** The dtype's name in kernel entry points: {@code f32}, {@code f16}, {@code bf16}. */
    static String suffix(dev.tokenmill.op.DType dtype) { return dtype.id(); }

    /** Elements per 16-byte vector: the unit of the kernels' vector loads. */
    static int vec(dev.tokenmill.op.DType dtype) { return 16 / dtype.bytes(); }

    static int ceilDiv(long a, long b) { return Math.toIntExact((a + b - 1) / b); }
}
