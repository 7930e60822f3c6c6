package dev.tokenmill.cuda;

import dev.tokenmill.backend.BackendException;
import dev.tokenmill.backend.DeviceInfo;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static jcuda.driver.CUdevice_attribute.*;

/**
 * The GPU tokenmill runs on: its primary context (shared with any other CUDA user in the process), its
 * properties, and the kernel modules JIT-compiled into it. Callers make the context current on their thread
 * ({@link #makeCurrent()}) before any driver call, since JMH may run setup and benchmark on different threads.
 */
final class CudaDevice {
    private final CUdevice device;
    private final CUcontext context;
    private final int driverVersion;
    private final int cc;
    private final DeviceInfo info;
    private final Map<String, KernelModule> modules = new HashMap<>();

    private CudaDevice(CUdevice device, CUcontext context, int driverVersion) {
        this.device = device;
        this.context = context;
        this.driverVersion = driverVersion;
        this.cc = attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR).orElseThrow() * 10
                + attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR).orElseThrow();
        this.info = describe();
    }

    static CudaDevice open(int ordinal, int driverVersion) {
        CUdevice device = new CUdevice();
        CudaErrors.check(JCudaDriver.cuDeviceGet(device, ordinal), "cuDeviceGet(" + ordinal + ")");
        CUcontext context = new CUcontext();
        CudaErrors.check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        CudaErrors.check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
        return new CudaDevice(device, context, driverVersion);
    }

    void makeCurrent() { CudaErrors.check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent"); }

    /** Compute capability as one number: 90 for 9.0. */
    int computeCapability() { return cc; }

    /** {@code cuDriverGetVersion}: 13000 for CUDA 13.0. */
    int driverVersion() { return driverVersion; }

    DeviceInfo info() { return info; }

    /** Streaming multiprocessors: launchers size their grids (split-K, split-KV) to fill them. */
    int sms() { return ((Number) info.properties().get("sms")).intValue(); }

    /** The most shared memory one block may opt into. */
    int sharedMemoryPerBlock() { return ((Number) info.properties().get("shared_memory_per_block_bytes")).intValue(); }

    /** Free device memory now, in bytes. */
    long freeMemory() {
        long[] free = new long[1], total = new long[1];
        makeCurrent();
        CudaErrors.check(JCudaDriver.cuMemGetInfo(free, total), "cuMemGetInfo");
        return free[0];
    }

    /** Waits for all work in the context (after synchronous copies from pageable memory, before launches). */
    void synchronize() { CudaErrors.check(JCudaDriver.cuCtxSynchronize(), "cuCtxSynchronize (waiting for the device)"); }

    /** The family's kernels for this device, JIT-compiled on first use. */
    synchronized KernelModule module(String family) {
        KernelModule m = modules.get(family);
        if (m == null) {
            PtxSource ptx = PtxSource.find(family, cc).orElseThrow(() -> new BackendException(
                    "this build has no " + family + " kernels for compute capability " + cc / 10 + "." + cc % 10
                    + " (" + PtxTarget.resource(family, "sm_XX") + " for sm_80 or newer)"));
            makeCurrent();
            m = KernelModule.load(ptx, driverVersion);
            modules.put(family, m);
        }
        return m;
    }

    private Optional<Integer> attribute(int attribute) {
        int[] v = new int[1];
        return JCudaDriver.cuDeviceGetAttribute(v, attribute, device) == 0 ? Optional.of(v[0]) : Optional.empty();
    }

    /**
     * The GPU's PCI address as NVML matches it ({@code 0000:65:00.0}): the driver's own string, else built from the
     * domain, bus and device attributes.
     */
    private Optional<String> pciBusId() {
        String[] bus = new String[1];
        if (JCudaDriver.cuDeviceGetPCIBusId(bus, 32, device) == 0 && bus[0] != null && !bus[0].isBlank())
            return Optional.of(bus[0].trim());
        Optional<Integer> domain = attribute(CU_DEVICE_ATTRIBUTE_PCI_DOMAIN_ID), busId = attribute(CU_DEVICE_ATTRIBUTE_PCI_BUS_ID),
                dev = attribute(CU_DEVICE_ATTRIBUTE_PCI_DEVICE_ID);
        if (domain.isEmpty() || busId.isEmpty() || dev.isEmpty()) return Optional.empty();
        return Optional.of(String.format(java.util.Locale.ROOT, "%04x:%02x:%02x.0", domain.get(), busId.get(), dev.get()));
    }

    private DeviceInfo describe() {
        byte[] raw = new byte[256];
        CudaErrors.check(JCudaDriver.cuDeviceGetName(raw, raw.length, device), "cuDeviceGetName");
        int len = 0;
        while (len < raw.length && raw[len] != 0) len++;
        String name = new String(raw, 0, len, StandardCharsets.UTF_8).trim();
        long[] memory = new long[1];
        CudaErrors.check(JCudaDriver.cuDeviceTotalMem(memory, device), "cuDeviceTotalMem");

        Map<String, Object> p = new LinkedHashMap<>();
        p.put("cc", cc / 10 + "." + cc % 10);
        attribute(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT).ifPresent(v -> p.put("sms", v));
        // Clock attributes are deprecated in CUDA 13 and may be absent; they are reported when the driver has them.
        attribute(CU_DEVICE_ATTRIBUTE_CLOCK_RATE).ifPresent(khz -> p.put("clock_mhz", khz / 1000));
        Optional<Integer> memClock = attribute(CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE);
        Optional<Integer> busBits = attribute(CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH);
        memClock.ifPresent(khz -> p.put("memory_clock_mhz", khz / 1000));
        busBits.ifPresent(b -> p.put("memory_bus_bits", b));
        p.put("memory_bytes", memory[0]);
        attribute(CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE).ifPresent(b -> p.put("l2_bytes", (long) b));
        attribute(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN).ifPresent(b -> p.put("shared_memory_per_block_bytes", b));
        attribute(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR).ifPresent(b -> p.put("shared_memory_per_sm_bytes", b));
        attribute(CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR).ifPresent(r -> p.put("registers_per_sm", r));
        attribute(CU_DEVICE_ATTRIBUTE_ECC_ENABLED).ifPresent(e -> p.put("ecc", e != 0));
        if (memClock.isPresent() && busBits.isPresent()) // double data rate: two transfers per memory clock
            p.put("memory_peak_gbs", Math.round(2.0 * memClock.get() * 1e3 * busBits.get() / 8 / 1e9 * 10) / 10.0);
        pciBusId().ifPresent(id -> p.put("pci_bus_id", id));
        p.put("driver_cuda", PtxTarget.cudaVersion(driverVersion));
        p.put("jcuda", jcuda.JCudaVersion.get());
        String id = name.toLowerCase().replace("nvidia", "").replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        return new DeviceInfo("cuda", name, id.isEmpty() ? "cuda-gpu" : id, p);
    }
}
