package dev.tokenmill.measure;

import dev.tokenmill.backend.DeviceInfo;
import dev.tokenmill.backend.PrepareOptions;

/**
 * How much memory timed calls must rotate through so that bandwidth figures are DRAM/HBM figures, not cache
 * figures: four times the largest cache the device reports (LLC on a CPU, L2 on a GPU), and never less than
 * 256 MiB (some CPUs do not say how big their caches are; some have very large ones).
 */
public final class WorkingSet {
    public static final long FLOOR_BYTES = 256L << 20;

    private WorkingSet() {}

    public static long bytes(DeviceInfo device) {
        Object cache = device.properties().getOrDefault("llc_bytes", device.properties().get("l2_bytes"));
        long c = cache instanceof Number n ? n.longValue() : 0;
        return Math.max(FLOOR_BYTES, 4 * c);
    }

    /** Prepare options that defeat the device's caches. */
    public static PrepareOptions coldCaches(DeviceInfo device) { return PrepareOptions.rotating(bytes(device)); }
}
