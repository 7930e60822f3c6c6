package dev.tokenmill.energy;

import java.lang.foreign.MemorySegment;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.ToLongFunction;
import java.util.regex.Pattern;

/**
 * One GPU read through NVML, found by the PCI bus id CUDA reports for it ({@code cuDeviceGetPCIBusId}), or by
 * NVML index when no bus id is given or NVML does not know it. Holds an NVML initialisation until closed (NVML
 * counts them, so several may be open at once).
 */
public final class NvmlTelemetry implements GpuTelemetry {
    /** "domain:bus:device.function" in hex, as CUDA and NVML print it: 0000:65:00.0 or 00000000:65:00.0. */
    private static final Pattern BUS_ID = Pattern.compile("[0-9a-fA-F]{1,8}:[0-9a-fA-F]{1,2}:[0-9a-fA-F]{1,2}\\.[0-7]");

    /** The telemetry, or (telemetry null) one sentence saying why there is none. */
    public record Opened(GpuTelemetry telemetry, String unavailableReason) {
        public boolean available() { return telemetry != null; }
    }

    private final Nvml nvml;
    private final MemorySegment device;
    private final String name, match;
    private final ReferenceClock reference;
    private final Map<Reading, String> unsupported;
    private boolean closed;

    private NvmlTelemetry(Nvml nvml, MemorySegment device, String match) {
        this.nvml = nvml;
        this.device = device;
        this.match = match;
        this.name = nvml.name(device);
        this.reference = nvml.referenceSmClock(device);
        this.unsupported = Collections.unmodifiableMap(probe());
    }

    /** Opens the device from the driver's libnvidia-ml.so.1; never throws. */
    public static Opened open(String pciBusId, int fallbackIndex) { return open(Nvml.LIBRARY, pciBusId, fallbackIndex); }

    /**
     * Opens the device from {@code library}; never throws.
     *
     * @param pciBusId      the CUDA device's bus id, or null to go by index
     * @param fallbackIndex the NVML index used when the bus id is null or unknown to NVML
     */
    static Opened open(String library, String pciBusId, int fallbackIndex) {
        if (pciBusId != null && !BUS_ID.matcher(pciBusId).matches())
            return new Opened(null, "PCI bus id must look like 0000:65:00.0 (domain:bus:device.function in hex), got '"
                    + pciBusId + "'");
        if (fallbackIndex < 0)
            return new Opened(null, "NVML device index must be >= 0, got " + fallbackIndex);
        Nvml.Loaded loaded = Nvml.load(library);
        if (loaded.nvml() == null) return new Opened(null, "NVML unavailable: " + loaded.reason());
        Nvml nvml = loaded.nvml();
        try {
            nvml.init();
        } catch (RuntimeException e) {
            return new Opened(null, "NVML unavailable: " + e.getMessage());
        }
        try {
            return new Opened(find(nvml, pciBusId, fallbackIndex), "");
        } catch (RuntimeException e) {
            shutdownQuietly(nvml);
            return new Opened(null, "NVML has no such device: " + e.getMessage());
        }
    }

    private static NvmlTelemetry find(Nvml nvml, String busId, int index) {
        if (busId == null)
            return new NvmlTelemetry(nvml, nvml.handleByIndex(index), "NVML index " + index + " (no PCI bus id given)");
        MemorySegment handle;
        String match;
        try {
            handle = nvml.handleByPciBusId(busId);
            match = "PCI bus id " + busId;
        } catch (NvmlException e) {
            handle = nvml.handleByIndex(index);
            match = "NVML index " + index + " (PCI bus id " + busId + " not matched: " + e.getMessage() + ")";
        }
        return new NvmlTelemetry(nvml, handle, match);
    }

    /** Reads everything once; what fails now is not asked for again. */
    private Map<Reading, String> probe() {
        Map<Reading, String> missing = new EnumMap<>(Reading.class);
        for (Reading r : Reading.values()) {
            try {
                reader(r).applyAsLong(device);
            } catch (NvmlException e) {
                missing.put(r, e.getMessage());
            }
        }
        return missing;
    }

    private ToLongFunction<MemorySegment> reader(Reading r) {
        return switch (r) {
            case ENERGY -> nvml::totalEnergyMillijoules;
            case POWER -> nvml::powerMilliwatts;
            case SM_CLOCK -> d -> nvml.clockMhz(d, Nvml.CLOCK_SM);
            case MEM_CLOCK -> d -> nvml.clockMhz(d, Nvml.CLOCK_MEM);
            case TEMPERATURE -> nvml::temperatureC;
            case CLOCK_EVENTS -> nvml::clockEventMask;
        };
    }

    private long readOrAbsent(Reading r) {
        if (unsupported.containsKey(r)) return TelemetrySample.ABSENT;
        try {
            return reader(r).applyAsLong(device);
        } catch (RuntimeException e) {
            return TelemetrySample.ABSENT;
        }
    }

    @Override public String deviceName() { return name; }

    @Override public String match() { return match; }

    @Override public ReferenceClock referenceSmClock() { return reference; }

    @Override public Map<Reading, String> unsupported() { return unsupported; }

    @Override public TelemetrySample read() {
        long nanos = System.nanoTime();
        return new TelemetrySample(nanos, readOrAbsent(Reading.ENERGY), readOrAbsent(Reading.POWER),
                (int) readOrAbsent(Reading.SM_CLOCK), (int) readOrAbsent(Reading.MEM_CLOCK),
                (int) readOrAbsent(Reading.TEMPERATURE), readOrAbsent(Reading.CLOCK_EVENTS));
    }

    @Override public synchronized void close() {
        if (closed) return;
        closed = true;
        shutdownQuietly(nvml);
    }

    private static void shutdownQuietly(Nvml nvml) {
        try {
            nvml.shutdown();
        } catch (RuntimeException e) {
            // nothing more to release
        }
    }
}
