package dev.tokenmill.cpu;

import dev.tokenmill.backend.DeviceInfo;
import jdk.incubator.vector.FloatVector;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The CPU's name, cores, caches and vector width, read from /proc and /sys where Linux offers them. */
public final class CpuInfo {
    private CpuInfo() {}

    public static DeviceInfo read() {
        String model = cpuinfo("model name").orElse(System.getProperty("os.arch"));
        int cores = Runtime.getRuntime().availableProcessors();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("cores", cores);
        p.put("vector_bits", FloatVector.SPECIES_PREFERRED.vectorBitSize());
        lastLevelCacheBytes().ifPresent(b -> p.put("llc_bytes", b));
        meminfo("MemTotal").ifPresent(kb -> p.put("memory_bytes", kb * 1024));
        p.put("arch", System.getProperty("os.arch"));
        String slug = model.toLowerCase().replaceAll("\\(r\\)|\\(tm\\)|processor|cpu|@.*", " ").trim()
                .replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        return new DeviceInfo("cpu", model + " (" + cores + " cores)", "cpu-" + slug + "-" + cores + "c", p);
    }

    /** The largest cache level's size per /sys (L3 usually), if Linux tells. */
    public static Optional<Long> lastLevelCacheBytes() {
        long best = -1;
        for (int i = 0; i < 8; i++) {
            Path f = Path.of("/sys/devices/system/cpu/cpu0/cache/index" + i + "/size");
            try {
                String s = Files.readString(f).trim();
                long mult = s.endsWith("K") ? 1024 : s.endsWith("M") ? 1024 * 1024 : 1;
                long v = Long.parseLong(s.replaceAll("[^0-9]", "")) * mult;
                best = Math.max(best, v);
            } catch (IOException | NumberFormatException e) {
                // level absent
            }
        }
        return best > 0 ? Optional.of(best) : Optional.empty();
    }

    /** MemAvailable from /proc/meminfo: what can be allocated without swapping, if Linux tells. */
    public static Optional<Long> availableMemoryBytes() { return meminfo("MemAvailable").map(kb -> kb * 1024); }

    private static Optional<String> cpuinfo(String key) {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith(key))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<Long> meminfo(String key) {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith(key))
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
