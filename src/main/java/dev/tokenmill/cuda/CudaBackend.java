package dev.tokenmill.cuda;

import dev.tokenmill.backend.Availability;
import dev.tokenmill.backend.Backend;
import dev.tokenmill.backend.BackendException;
import dev.tokenmill.backend.DeviceInfo;
import dev.tokenmill.backend.PeakProbe;
import dev.tokenmill.backend.PrepareOptions;
import dev.tokenmill.backend.PreparedOp;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.OpSpec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The GPU backend: tokenmill's PTX kernels (kernels/, packaged in the jar) JIT-compiled by the NVIDIA driver and
 * launched through JCuda's driver API on the first visible GPU. Available when the driver loads, a GPU is
 * there, and every kernel family has PTX that this GPU and driver can run; otherwise unavailable with the reason.
 */
public final class CudaBackend implements Backend {
    private static Availability availability;
    private static DeviceInfo info;

    @Override public String name() { return "cuda"; }

    @Override public Availability availability() {
        check();
        return availability;
    }

    /** The GPU's properties (name, cc, SMs, clocks, memory, bus width, l2_bytes, driver, PTX per family). */
    @Override public DeviceInfo device() {
        check();
        return info != null ? info : new DeviceInfo("cuda", "no CUDA device", "cuda-none", Map.of("reason", availability.reason()));
    }

    @Override public PreparedOp prepare(OpSpec spec, PrepareOptions options) {
        Availability a = availability();
        if (!a.available()) throw new BackendException("the cuda backend does not work here: " + a.reason());
        return CudaPreparedOp.prepare(CudaDriver.probe().device(), spec, options);
    }

    /** probe.cu's register-resident loops: FMA for f32, mma.sync for f16 and bf16 ({@link PeakLauncher}). */
    @Override public PeakProbe preparePeak(DType dtype) {
        Availability a = availability();
        if (!a.available()) throw new BackendException("the cuda backend does not work here: " + a.reason());
        return PeakLauncher.prepare(CudaDriver.probe().device(), dtype);
    }

    /** Probes once per JVM; never throws. */
    private static synchronized void check() {
        if (availability != null) return;
        try {
            CudaDriver.Probe probe = CudaDriver.probe();
            availability = probe.availability().available() ? kernelsRunOn(probe.device()) : probe.availability();
            if (availability.available()) info = withPtx(probe.device());
        } catch (RuntimeException | LinkageError e) {
            availability = Availability.no("probing the CUDA backend failed: " + e);
        }
    }

    /** Whether every kernel family has PTX for this GPU that this driver can JIT-compile. */
    private static Availability kernelsRunOn(CudaDevice device) {
        int cc = device.computeCapability();
        for (String family : CudaKernels.FAMILIES) {
            Optional<PtxSource> ptx = PtxSource.find(family, cc);
            if (ptx.isEmpty())
                return Availability.no("this tokenmill build has no " + family + " kernels for compute capability "
                        + cc / 10 + "." + cc % 10 + " (the kernels need sm_80 or newer, and their PTX must be packaged "
                        + "in the jar from kernels/ptx)");
            Optional<String> problem = PtxTarget.driverProblem(ptx.get().isa(), device.driverVersion());
            if (problem.isPresent()) return Availability.no(problem.get());
        }
        return Availability.yes();
    }

    private static DeviceInfo withPtx(CudaDevice device) {
        DeviceInfo d = device.info();
        Map<String, Object> p = new LinkedHashMap<>(d.properties());
        for (String family : CudaKernels.FAMILIES)
            PtxSource.find(family, device.computeCapability()).ifPresent(s -> p.put("ptx_" + family, s.target()
                    + " (ISA " + s.isa() / 10 + "." + s.isa() % 10 + ")"));
        return new DeviceInfo(d.backend(), d.name(), d.id(), p);
    }
}
