package dev.tokenmill.backend;

import java.util.Map;

/**
 * What a result depends on about the device: a name, a short id for file paths (e.g. {@code h100-sxm},
 * {@code cpu-amd-epyc-2c}), and properties (cores or SMs, memory, clocks, caches, driver...).
 */
public record DeviceInfo(String backend, String name, String id, Map<String, Object> properties) {
    public DeviceInfo {
        properties = Map.copyOf(properties);
    }
}
