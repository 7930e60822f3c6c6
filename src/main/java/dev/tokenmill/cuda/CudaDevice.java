package dev.tokenmill.cuda;

import dev.tokenmill.backend.BackendException;
import dev.tokenmill.backend.EntryTally;
import dev.tokenmill.backend.KernelCounters;
import dev.tokenmill.reference.Verification;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The device the launchers run on: an open {@link Driver}, its properties, the kernel modules loaded into it (once
 * per family, on first use, from its {@link PtxLibrary}), and, when the driver looks inside its kernels (the PTX
 * emulator), what it saw per entry point ({@link #judge}, {@link #tallies()}). Callers make the device current on
 * their thread ({@link #makeCurrent()}) before any driver call, since JMH may run setup and benchmark on different
 * threads. {@link #close()} unloads the modules and closes the driver; close the ops prepared on the device first
 * (their memory lives in it).
 */
final class CudaDevice implements AutoCloseable {
    private final Driver driver;
    private final PtxLibrary ptx;
    private final DeviceProperties properties;
    private final Map<String, KernelModule> modules = new HashMap<>();
    private final EntryLedger ledger = new EntryLedger();

    /** A device whose kernels come from the jar. */
    CudaDevice(Driver driver) { this(driver, PtxLibrary.packaged()); }

    CudaDevice(Driver driver, PtxLibrary ptx) {
        this.driver = driver;
        this.ptx = ptx;
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
            PtxSource source = ptx.find(family, cc).orElseThrow(() -> new BackendException(
                    ptx.where() + " has no " + family + " kernels for compute capability " + cc / 10 + "." + cc % 10
                    + " (" + family + ".sm_XX.ptx for sm_80 or newer)"));
            makeCurrent();
            m = KernelModule.load(driver, source);
            modules.put(family, m);
        }
        return m;
    }

    /**
     * Starts a call whose launches {@link #judge} will judge: launches since the last judgement that no verification
     * judged (plain runs) are counted in the ledger without a verdict.
     */
    void settle() { ledger.record(driver.takeRuns(), null); }

    /**
     * {@code values} (the host's check of the outputs of the launches since {@link #settle()}), failed by any finding
     * the driver reported inside those launches, with their counters where the driver counts; the call goes into the
     * ledger with its verdict.
     */
    Judged judge(Verification values) {
        Inspection inspection = new Inspection(driver.takeRuns());
        Verification verdict = inspection.judge(values);
        ledger.record(inspection.runs(), verdict.passed());
        return new Judged(verdict, driver.inspects() ? Optional.of(inspection.counters()) : Optional.empty());
    }

    /** A verdict and, from an inspecting driver, the counters of the call. */
    record Judged(Verification verification, Optional<KernelCounters> counters) {}

    /**
     * Every entry of every kernel family's PTX (the module loaded, or the one that would load), with what the driver
     * saw of it: all zeros for an entry never launched, and everywhere unless the driver inspects.
     */
    synchronized List<EntryTally> tallies() {
        Map<String, PtxSource> sources = new LinkedHashMap<>();
        for (String family : CudaKernels.FAMILIES) {
            KernelModule m = modules.get(family);
            Optional<PtxSource> source = m != null ? Optional.of(m.source()) : ptx.find(family, computeCapability());
            source.ifPresent(s -> sources.put(family, s));
        }
        return ledger.tallies(sources);
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
