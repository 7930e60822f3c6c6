package dev.tokenmill.cuda;

import dev.tokenmill.backend.BackendException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The device the launchers run on: an open {@link Driver}, its properties, and the kernel modules loaded into it
 * (once per family, on first use). Callers make the device current on their thread ({@link #makeCurrent()})
 * before any driver call, since JMH may run setup and benchmark on different threads. {@link #close()} unloads
 * the modules and closes the driver; close the ops prepared on the device first (their memory lives in it).
 */
final class CudaDevice implements AutoCloseable {
    private final Driver driver;
    private final DeviceProperties properties;
    private final Map<String, KernelModule> modules = new HashMap<>();

    CudaDevice(Driver driver) {
        this.driver = driver;
        this.properties = driver.properties();
    }

    Driver driver() { return driver; }

    void makeCurrent() { driver.makeCurrent(); }

    DeviceProperties properties() { return properties; }

    /** Compute capability as one number: 90 for 9.0. */
    int computeCapability() { return properties.computeCapability(); }

    /** Streaming multiprocessors: launchers size their grids (split-K, split-KV) to fill them. */
    int sms() { return properties.sms(); }

    /** The most shared memory one block may opt into. */
    int sharedMemoryPerBlock() { return properties.sharedMemoryPerBlock(); }

    /** Free device memory now, in bytes. */
    long freeMemory() { return driver.freeMemory(); }

    /** Waits for all work on the device (after synchronous copies, before launches on another stream). */
    void synchronize() { driver.synchronize(); }

    /** The family's kernels for this device, loaded on first use. */
    synchronized KernelModule module(String family) {
        KernelModule m = modules.get(family);
        if (m == null) {
            int cc = computeCapability();
            PtxSource ptx = PtxSource.find(family, cc).orElseThrow(() -> new BackendException(
                    "this build has no " + family + " kernels for compute capability " + cc / 10 + "." + cc % 10
                    + " (" + PtxTarget.resource(family, "sm_XX") + " for sm_80 or newer)"));
            makeCurrent();
            m = KernelModule.load(driver, ptx);
            modules.put(family, m);
        }
        return m;
    }

    @Override public synchronized void close() {
        makeCurrent();
        RuntimeException failure = Resources.closeAll(List.copyOf(modules.values()));
        modules.clear();
        try {
            driver.close();
        } catch (RuntimeException e) {
            if (failure == null) failure = e;
            else failure.addSuppressed(e);
        }
        if (failure != null) throw failure;
    }
}
