package dev.tokenmill.cuda;

import dev.tokenmill.backend.Availability;
import dev.tokenmill.backend.Backend;
import dev.tokenmill.backend.BackendException;
import dev.tokenmill.backend.DeviceInfo;
import dev.tokenmill.backend.EntryTally;
import dev.tokenmill.backend.PeakProbe;
import dev.tokenmill.backend.PrepareOptions;
import dev.tokenmill.backend.PreparedOp;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.OpSpec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A backend that runs tokenmill's PTX kernels through a {@link Driver}: the same launchers, operand sets and
 * verification whichever driver it is given ({@link CudaBackend}: a GPU through JCuda; {@link EmuBackend}: the PTX
 * interpreter). Available when the driver opens and can load every kernel family's PTX (from the jar, or from
 * {@link PtxLibrary#ENV}'s directory) for its device; otherwise unavailable with the reason.
 * <p>
 * The driver opens on first use (asking for availability opens it) and stays open until {@link #close()}, which
 * releases what it holds of the device (on a GPU: the kernel modules and the primary context, so another process
 * can have a GPU in exclusive mode). A closed backend still answers {@link #availability()} and {@link #device()},
 * and opens the driver again when it prepares an op. Close its prepared ops first: their memory lives in the device.
 */
public class GpuBackend implements Backend {
    private final String name;
    private final Supplier<Driver> drivers;
    private final PtxLibrary ptx;
    private Availability availability;
    private DeviceInfo info;
    private Optional<String> cannotTime = Optional.empty();
    private CudaDevice device;

    /** Kernels from the jar; see {@link #GpuBackend(String, Supplier, PtxLibrary)}. */
    GpuBackend(String name, Supplier<Driver> drivers) { this(name, drivers, PtxLibrary.packaged()); }

    /**
     * {@code drivers} opens a driver on the device, or throws a {@link BackendException} whose message says why
     * none opens here; {@code ptx} is where the kernels come from.
     */
    GpuBackend(String name, Supplier<Driver> drivers, PtxLibrary ptx) {
        this.name = name;
        this.drivers = drivers;
        this.ptx = ptx;
    }

    @Override public String name() { return name; }

    /** Opens the driver on first use; never throws. */
    @Override public synchronized Availability availability() {
        if (availability == null) {
            try {
                CudaDevice d = openDevice();
                availability = kernelsRunOn(d, ptx);
                if (availability.available()) {
                    info = withPtx(d, ptx);
                    cannotTime = d.driver().cannotTime();
                } else releaseUnusable();
            } catch (BackendException e) {
                availability = Availability.no(e.getMessage());
            } catch (RuntimeException | LinkageError e) {
                availability = Availability.no("opening the " + name + " driver failed: " + e);
            }
        }
        return availability;
    }

    /** The device's properties (name, cc, SMs, clocks, memory, l2_bytes, driver, PTX per family), or the reason there is none. */
    @Override public DeviceInfo device() {
        Availability a = availability();
        return info != null ? info : new DeviceInfo(name, "no " + name.toUpperCase(Locale.ROOT) + " device",
                name + "-none", Map.of("reason", a.reason()));
    }

    @Override public PreparedOp prepare(OpSpec spec, PrepareOptions options) {
        Availability a = availability();
        if (!a.available()) throw new BackendException("the " + name + " backend does not work here: " + a.reason());
        return CudaPreparedOp.prepare(openDevice(), spec, options);
    }

    /** probe.cu's register-resident loops: FMA for f32, mma.sync for f16 and bf16 ({@link PeakLauncher}). */
    @Override public PeakProbe preparePeak(DType dtype) {
        Availability a = availability();
        if (!a.available()) throw new BackendException("the " + name + " backend does not work here: " + a.reason());
        return PeakLauncher.prepare(openDevice(), dtype);
    }

    /** Why this backend's driver cannot time (the PTX emulator's), or empty; known once the driver opened. */
    @Override public Optional<String> cannotTime() {
        availability();
        return cannotTime;
    }

    /** Every entry of every family's PTX since the device opened, where the driver looks inside its kernels. */
    @Override public synchronized List<EntryTally> entryTallies() {
        return device == null || !device.driver().inspects() ? List.of() : device.tallies();
    }

    /** Releases the device: unloads the modules and closes the driver (a GPU's primary context is released). */
    @Override public synchronized void close() {
        if (device == null) return;
        try {
            device.close();
        } finally {
            device = null;
        }
    }

    /** Nothing will run here: hold nothing, and keep the reason why nothing runs. */
    private void releaseUnusable() {
        try {
            close();
        } catch (RuntimeException e) {
            availability = Availability.no(availability.reason() + "; releasing the device then failed: " + e.getMessage());
        }
    }

    /** The open device, opening the driver when none is. */
    private synchronized CudaDevice openDevice() {
        if (device == null) device = new CudaDevice(drivers.get(), ptx);
        return device;
    }

    /** Whether every kernel family has PTX in {@code library} for this device that its driver can load. */
    private static Availability kernelsRunOn(CudaDevice device, PtxLibrary library) {
        Optional<String> unreadable = library.problem();
        if (unreadable.isPresent()) return Availability.no(unreadable.get());
        int cc = device.computeCapability();
        for (String family : CudaKernels.FAMILIES) {
            Optional<PtxSource> ptx = library.find(family, cc);
            if (ptx.isEmpty())
                return Availability.no(library == PtxLibrary.packaged()
                        ? "this tokenmill build has no " + family + " kernels for compute capability " + cc / 10 + "."
                                + cc % 10 + " (the kernels need sm_80 or newer, and their PTX must be packaged in the jar "
                                + "from kernels/ptx)"
                        : library.where() + " has no " + family + ".sm_XX.ptx for compute capability " + cc / 10 + "."
                                + cc % 10 + " (kernels/build.sh writes every family's)");
            Optional<String> problem = device.driver().cannotLoad(ptx.get());
            if (problem.isPresent()) return Availability.no(problem.get());
        }
        return Availability.yes();
    }

    /** The device's properties, with the PTX each family runs: its target, ISA and, when not the jar's, its file. */
    private static DeviceInfo withPtx(CudaDevice device, PtxLibrary library) {
        DeviceInfo d = device.properties().info();
        Map<String, Object> p = new LinkedHashMap<>(d.properties());
        for (String family : CudaKernels.FAMILIES)
            library.find(family, device.computeCapability()).ifPresent(s -> p.put("ptx_" + family, s.target()
                    + " (ISA " + s.isa() / 10 + "." + s.isa() % 10 + ")"
                    + (library == PtxLibrary.packaged() ? "" : " from " + s.origin())));
        return new DeviceInfo(d.backend(), d.name(), d.id(), p);
    }
}
