package dev.tokenmill.backend;

import dev.tokenmill.Defaults;

import java.util.OptionalLong;


/**
 * How much memory timed calls must rotate through so that bandwidth figures are DRAM/HBM figures, not cache
 * figures: four times the largest cache the device reports (LLC on a CPU, L2 on a GPU), and never less than
 * 256 MiB (some CPUs do not say how big their caches are; some have very large ones).
 */
public final class WorkingSet {
    private WorkingSet() {}

    public static long bytes(DeviceInfo device) {
        long cache = cacheBytes(device).orElse(0);
        return Math.max(Defaults.WORKING_SET_FLOOR_BYTES, Defaults.WORKING_SET_CACHE_MULTIPLE * cache);
    }

    /** The largest cache the device reports (LLC on a CPU, L2 on a GPU), if it reports one. */
    public static OptionalLong cacheBytes(DeviceInfo device) {
        Object cache = device.properties().getOrDefault("llc_bytes", device.properties().get("l2_bytes"));
        return cache instanceof Number n && n.longValue() > 0 ? OptionalLong.of(n.longValue()) : OptionalLong.empty();
    }

    /** Prepare options that defeat the device's caches. */
    public static PrepareOptions coldCaches(DeviceInfo device) { return PrepareOptions.rotating(bytes(device)); }
}
