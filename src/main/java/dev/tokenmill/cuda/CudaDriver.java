package dev.tokenmill.cuda;

import dev.tokenmill.backend.Availability;
import jcuda.driver.JCudaDriver;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads JCuda and the NVIDIA driver once per JVM and opens the first visible GPU (CUDA_VISIBLE_DEVICES picks
 * which). Every way this can fail (another OS, no libcuda.so.1, a driver that does not start, no GPU) becomes
 * one sentence in {@link Probe#availability()}; nothing escapes.
 */
final class CudaDriver {
    /** The outcome of the probe: available with a device, or not with the reason. */
    record Probe(Availability availability, CudaDevice device) {}

    private static final Pattern UNDEFINED_SYMBOL = Pattern.compile("undefined symbol: (\\w+)");

    private static volatile boolean loaded;
    private static Probe probe;

    private CudaDriver() {}

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
            return new Probe(Availability.yes(), CudaDevice.open(0, version[0]));
        } catch (RuntimeException | LinkageError e) {
            return no("the NVIDIA driver (CUDA " + PtxTarget.cudaVersion(version[0]) + ") could not open a GPU: " + e.getMessage());
        }
    }

    /** One sentence for a native library that failed to load; JCuda's own message holds nested stack traces. */
    static String linkFailure(Throwable e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("libcuda.so") && m.contains("cannot open shared object"))
            return "no NVIDIA driver here: libcuda.so.1 (the driver's CUDA library) was not found";
        Matcher symbol = UNDEFINED_SYMBOL.matcher(m);
        if (symbol.find())
            return "the NVIDIA driver lacks " + symbol.group(1) + ", which JCuda 12.6 needs: " + PtxTarget.DRIVER_ADVICE;
        String first = m.lines().findFirst().orElse(m);
        return "JCuda's native library did not load (" + e.getClass().getSimpleName() + ": " + first + ")";
    }

    private static Probe no(String reason) { return new Probe(Availability.no(reason), null); }
}
