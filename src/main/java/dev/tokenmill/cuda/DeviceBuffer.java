package dev.tokenmill.cuda;

import dev.tokenmill.backend.Bytes;
import dev.tokenmill.tensor.HostTensor;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

import java.lang.foreign.MemorySegment;

/**
 * Device memory that frees itself (try-with-resources). Copies are synchronous and go through the legacy
 * stream, so callers synchronize their own stream before reading results back.
 */
final class DeviceBuffer implements AutoCloseable {
    /** Host segments are copied in slices: a ByteBuffer view holds at most 2 GiB. */
    private static final long CHUNK = 1L << 30;

    private final CUdeviceptr pointer = new CUdeviceptr();
    private final long bytes;
    private boolean freed;

    private DeviceBuffer(long bytes) {
        this.bytes = bytes;
        CudaErrors.check(JCudaDriver.cuMemAlloc(pointer, Math.max(1, bytes)), "cuMemAlloc(" + Bytes.text(bytes) + ")");
    }

    static DeviceBuffer allocate(long bytes) { return new DeviceBuffer(bytes); }

    /** A device copy of a host tensor. */
    static DeviceBuffer of(HostTensor t) {
        DeviceBuffer b = new DeviceBuffer(t.bytes());
        b.upload(t.segment());
        return b;
    }

    /** A device copy of an int32 array (block tables, sequence lengths). */
    static DeviceBuffer of(int[] values) {
        DeviceBuffer b = new DeviceBuffer((long) values.length * Integer.BYTES);
        if (values.length > 0)
            CudaErrors.check(JCudaDriver.cuMemcpyHtoD(b.pointer, Pointer.to(values), b.bytes), "cuMemcpyHtoD(int32[" + values.length + "])");
        return b;
    }

    CUdeviceptr pointer() { return pointer; }

    long bytes() { return bytes; }

    void upload(MemorySegment src) {
        requireSize(src);
        for (long off = 0; off < bytes; off += CHUNK) {
            long n = Math.min(CHUNK, bytes - off);
            CudaErrors.check(JCudaDriver.cuMemcpyHtoD(pointer.withByteOffset(off), Pointer.to(src.asSlice(off, n).asByteBuffer()), n),
                    "cuMemcpyHtoD(" + Bytes.text(n) + ")");
        }
    }

    void download(MemorySegment dst) {
        requireSize(dst);
        for (long off = 0; off < bytes; off += CHUNK) {
            long n = Math.min(CHUNK, bytes - off);
            CudaErrors.check(JCudaDriver.cuMemcpyDtoH(Pointer.to(dst.asSlice(off, n).asByteBuffer()), pointer.withByteOffset(off), n),
                    "cuMemcpyDtoH(" + Bytes.text(n) + ")");
        }
    }

    private void requireSize(MemorySegment host) {
        if (host.byteSize() != bytes)
            throw new IllegalArgumentException("host segment of " + host.byteSize() + " bytes for a device buffer of " + bytes);
    }

    @Override public void close() {
        if (freed) return;
        freed = true;
        CudaErrors.check(JCudaDriver.cuMemFree(pointer), "cuMemFree(" + Bytes.text(bytes) + ")");
    }
}
