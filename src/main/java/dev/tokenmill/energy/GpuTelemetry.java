package dev.tokenmill.energy;

import java.util.Map;

/**
 * Readings of one GPU, taken on demand. {@link NvmlTelemetry} reads a real device; tests use fakes. Implementations
 * never throw from {@link #read()}: a reading that fails is {@link TelemetrySample#ABSENT} in that sample.
 */
public interface GpuTelemetry extends AutoCloseable {
    /** The kinds of reading a sample holds, for saying which of them the device does not give. */
    enum Reading { ENERGY, POWER, SM_CLOCK, MEM_CLOCK, TEMPERATURE, CLOCK_EVENTS }

    /**
     * The SM clock the device runs at when nothing holds it down, against which a measured clock is judged.
     *
     * @param source where it came from, e.g. "default applications clock" or "max SM clock"
     */
    record ReferenceClock(int mhz, String source) {}

    /** The device's name, e.g. "NVIDIA H100 80GB HBM3". */
    String deviceName();

    /** How the device was found, e.g. "PCI bus id 0000:65:00.0" or "NVML index 0 (...why)". */
    String match();

    /** The reference SM clock, or null when the device states none. */
    ReferenceClock referenceSmClock();

    /** Readings the device does not give at all, each with the reason (empty when it gives all of them). */
    Map<Reading, String> unsupported();

    /** Takes every supported reading now. */
    TelemetrySample read();

    @Override void close();
}
