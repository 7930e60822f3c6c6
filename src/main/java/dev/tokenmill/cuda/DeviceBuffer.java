package dev.tokenmill.cuda;

import dev.tokenmill.tensor.HostTensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Device memory that frees itself (try-with-resources). Copies are ordered after earlier work on the device, not on
 * the caller's stream: callers synchronize the device after uploads and their stream before downloads
 * ({@link Driver#copyToDevice}).
 */
final class DeviceBuffer implements AutoCloseable {
    private final Driver driver;
    private final long address;
    private final long bytes;
    private boolean freed;

    private DeviceBuffer(Driver driver, long bytes) {
        this.driver = driver;
        this.bytes = bytes;
        this.address = driver.allocate(bytes);
    }

    static DeviceBuffer allocate(Driver driver, long bytes) { return new DeviceBuffer(driver, bytes); }

    /** A device copy of a host tensor. */
    static DeviceBuffer of(Driver driver, HostTensor t) {
        DeviceBuffer b = new DeviceBuffer(driver, t.bytes());
        b.upload(t.segment());
        return b;
    }

    /** A device copy of an int32 array (block tables, sequence lengths). */
    static DeviceBuffer of(Driver driver, int[] values) {
        DeviceBuffer b = new DeviceBuffer(driver, (long) values.length * Integer.BYTES);
        if (values.length > 0)
            try (Arena arena = Arena.ofConfined()) { // drivers copy from native memory
                b.upload(arena.allocateFrom(ValueLayout.JAVA_INT, values));
            }
        return b;
    }

    /** The device address, as kernels receive it. */
    long address() { return address; }

    long bytes() { return bytes; }

    void upload(MemorySegment src) {
        requireSize(src);
        driver.copyToDevice(address, src);
    }

    void download(MemorySegment dst) {
        requireSize(dst);
        driver.copyToHost(dst, address);
    }

    private void requireSize(MemorySegment host) {
        if (host.byteSize() != bytes)
            throw new IllegalArgumentException("host segment of " + host.byteSize() + " bytes for a device buffer of " + bytes);
    }

    @Override public void close() {
        if (freed) return;
        freed = true;
        driver.free(address);
    }
}
