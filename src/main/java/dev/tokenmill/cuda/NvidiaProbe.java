package dev.tokenmill.cuda;

import dev.tokenmill.backend.Availability;
import dev.tokenmill.backend.BackendException;
import dev.tokenmill.backend.DeviceInfo;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static jcuda.driver.CUdevice_attribute.*;

/**
 * Loads JCuda and the NVIDIA driver once per JVM, finds the first visible GPU (CUDA_VISIBLE_DEVICES picks which)
 * and reads its properties; none of this needs a context, so nothing is held. Every way this can fail (another
 * OS, a JCuda library that does not load, no libcuda.so.1, a driver that does not start, no GPU) becomes one
 * sentence in {@link Probe#availability()}; nothing escapes.
 */
final class NvidiaProbe {
    /**
     * The outcome: available with the GPU's handle, its driver's version ({@code cuDriverGetVersion}, 13000 for
     * CUDA 13.0) and its properties, or not, with the reason.
     */
    record Probe(Availability availability, CUdevice device, int driverVersion, DeviceProperties properties) {}

    private static final Pattern UNDEFINED_SYMBOL = Pattern.compile("undefined symbol: (\\w+)");
    /** The dynamic loader's words when it may not map a library's code: the library's directory is group 1. */
    private static final Pattern UNMAPPABLE_LIBRARY = Pattern.compile("(/\\S*)/[^/\\s]+\\.so: failed to map segment from shared object");

    private static volatile boolean loaded;
    private static Probe probe;

    private NvidiaProbe() {}

    /** Whether JCuda's native library and libcuda.so.1 are loaded, so driver calls can be made. */
    static boolean loaded() { return loaded; }

    static synchronized Probe probe() {
        if (probe == null) probe = open();
        return probe;
    }

    private static Probe open() {
        String os = System.getProperty("os.name", ""), arch = System.getProperty("os.arch", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64")))
            return no("tokenmill's CUDA backend runs on Linux x86-64 (the JCuda natives it ships); this is " + os + " " + arch);
        int[] version = new int[1];
        try {
            JCudaDriver.setExceptionsEnabled(false); // every result is checked by CudaErrors.check instead
            CudaErrors.check(JCudaDriver.cuDriverGetVersion(version), "cuDriverGetVersion");
            loaded = true;
        } catch (LinkageError e) {
            return no(linkFailure(e));
        } catch (RuntimeException e) {
            return no("the NVIDIA driver did not answer: " + e.getMessage());
        }
        try {
            CudaErrors.check(JCudaDriver.cuInit(0), "cuInit");
            int[] count = new int[1];
            CudaErrors.check(JCudaDriver.cuDeviceGetCount(count), "cuDeviceGetCount");
            if (count[0] == 0) return no("the NVIDIA driver (CUDA " + PtxTarget.cudaVersion(version[0]) + ") sees no GPU");
            CUdevice device = new CUdevice();
            CudaErrors.check(JCudaDriver.cuDeviceGet(device, 0), "cuDeviceGet(0)");
            return new Probe(Availability.yes(), device, version[0], describe(device, version[0]));
        } catch (RuntimeException | LinkageError e) {
            return no("the NVIDIA driver (CUDA " + PtxTarget.cudaVersion(version[0]) + ") could not open a GPU: " + e.getMessage());
        }
    }

    /**
     * One sentence for a native library that failed to load; JCuda's own message holds nested stack traces. JCuda
     * tries {@code java.library.path} first, then unpacks its library from the jar into {@code java.io.tmpdir} and
     * loads it from there: a noexec mount of that directory fails the load, and so does a system without the C++
     * runtime JCuda's library links (slim containers).
     */
    static String linkFailure(Throwable e) {
        String m = String.valueOf(e.getMessage());
        Matcher unmappable = UNMAPPABLE_LIBRARY.matcher(m);
        if (unmappable.find())
            return "JCuda could not load the native library it unpacked into " + unmappable.group(1) + " (a directory mounted "
                    + "noexec does this): point java.io.tmpdir at one that allows executables "
                    + "(TOKENMILL_JAVA_OPTS=-Djava.io.tmpdir=$HOME/.cache/tokenmill)";
        if (m.contains("libstdc++.so.6: cannot open shared object"))
            return "JCuda's native library needs the C++ runtime libstdc++.so.6, which is not installed here: install it "
                    + "(apt-get install libstdc++6, dnf install libstdc++, apk add libstdc++)";
        if (m.contains("libcuda.so") && m.contains("cannot open shared object"))
            return "no NVIDIA driver here: libcuda.so.1 (the driver's CUDA library) was not found";
        Matcher symbol = UNDEFINED_SYMBOL.matcher(m);
        if (symbol.find())
            return "the NVIDIA driver lacks " + symbol.group(1) + ", which JCuda 12.6 needs: " + PtxTarget.DRIVER_ADVICE;
        String first = m.lines().findFirst().orElse(m);
        return "JCuda's native library did not load (" + e.getClass().getSimpleName() + ": " + first + ")";
    }

    private static Probe no(String reason) { return new Probe(Availability.no(reason), null, 0, null); }

    private static DeviceProperties describe(CUdevice device, int driverVersion) {
        int cc = required(device, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, "its compute capability") * 10
                + required(device, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, "its compute capability");
        byte[] raw = new byte[256];
        CudaErrors.check(JCudaDriver.cuDeviceGetName(raw, raw.length, device), "cuDeviceGetName");
        int len = 0;
        while (len < raw.length && raw[len] != 0) len++;
        String name = new String(raw, 0, len, StandardCharsets.UTF_8).trim();
        long[] memory = new long[1];
        CudaErrors.check(JCudaDriver.cuDeviceTotalMem(memory, device), "cuDeviceTotalMem");
        int sms = required(device, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, "its SM count");
        int sharedOptIn = required(device, CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, "its shared memory per block");

        Map<String, Object> p = new LinkedHashMap<>();
        p.put("cc", cc / 10 + "." + cc % 10);
        p.put("sms", sms);
        // Clock attributes are deprecated in CUDA 13 and may be absent; they are reported when the driver has them.
        attribute(device, CU_DEVICE_ATTRIBUTE_CLOCK_RATE).ifPresent(khz -> p.put("clock_mhz", khz / 1000));
        Optional<Integer> memClock = attribute(device, CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE);
        Optional<Integer> busBits = attribute(device, CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH);
        memClock.ifPresent(khz -> p.put("memory_clock_mhz", khz / 1000));
        busBits.ifPresent(b -> p.put("memory_bus_bits", b));
        p.put("memory_bytes", memory[0]);
        attribute(device, CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE).ifPresent(b -> p.put("l2_bytes", (long) b));
        p.put("shared_memory_per_block_bytes", sharedOptIn);
        attribute(device, CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR).ifPresent(b -> p.put("shared_memory_per_sm_bytes", b));
        attribute(device, CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR).ifPresent(r -> p.put("registers_per_sm", r));
        attribute(device, CU_DEVICE_ATTRIBUTE_ECC_ENABLED).ifPresent(e -> p.put("ecc", e != 0));
        if (memClock.isPresent() && busBits.isPresent()) // double data rate: two transfers per memory clock
            p.put("memory_peak_gbs", Math.round(2.0 * memClock.get() * 1e3 * busBits.get() / 8 / 1e9 * 10) / 10.0);
        pciBusId(device).ifPresent(id -> p.put("pci_bus_id", id));
        p.put("driver_cuda", PtxTarget.cudaVersion(driverVersion));
        p.put("jcuda", jcuda.JCudaVersion.get());
        String id = name.toLowerCase().replace("nvidia", "").replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        return new DeviceProperties(cc, sms, sharedOptIn, new DeviceInfo("cuda", name, id.isEmpty() ? "cuda-gpu" : id, p));
    }

    /** An attribute the launchers cannot do without. */
    private static int required(CUdevice device, int attribute, String what) {
        return attribute(device, attribute).orElseThrow(() -> new BackendException("the driver does not report " + what));
    }

    private static Optional<Integer> attribute(CUdevice device, int attribute) {
        int[] v = new int[1];
        return JCudaDriver.cuDeviceGetAttribute(v, attribute, device) == 0 ? Optional.of(v[0]) : Optional.empty();
    }

    /**
     * The GPU's PCI address as NVML matches it ({@code 0000:65:00.0}): the driver's own string, else built from the
     * domain, bus and device attributes.
     */
    private static Optional<String> pciBusId(CUdevice device) {
        String[] bus = new String[1];
        if (JCudaDriver.cuDeviceGetPCIBusId(bus, 32, device) == 0 && bus[0] != null && !bus[0].isBlank())
            return Optional.of(bus[0].trim());
        Optional<Integer> domain = attribute(device, CU_DEVICE_ATTRIBUTE_PCI_DOMAIN_ID),
                busId = attribute(device, CU_DEVICE_ATTRIBUTE_PCI_BUS_ID), dev = attribute(device, CU_DEVICE_ATTRIBUTE_PCI_DEVICE_ID);
        if (domain.isEmpty() || busId.isEmpty() || dev.isEmpty()) return Optional.empty();
        return Optional.of(String.format(Locale.ROOT, "%04x:%02x:%02x.0", domain.get(), busId.get(), dev.get()));
    }
}
