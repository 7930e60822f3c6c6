package dev.tokenmill.testing;

import dev.tokenmill.energy.ClockEventReason;
import dev.tokenmill.energy.GpuTelemetry;
import dev.tokenmill.energy.TelemetrySample;

import java.util.Map;

/**
 * Telemetry of a GPU that draws a steady {@code watts}: its energy counter steps every 10 ms, its SM clock sits at
 * 1755 of a 1980 MHz reference, and the driver reports a software power cap. For energy tests beyond the energy
 * package.
 */
public final class SteadyGpu implements GpuTelemetry {
    private final double watts;
    private final long start = System.nanoTime();

    public SteadyGpu(double watts) { this.watts = watts; }

    @Override public String deviceName() { return "Steady GPU"; }

    @Override public String match() { return "PCI bus id 0000:65:00.0"; }

    @Override public ReferenceClock referenceSmClock() { return new ReferenceClock(1980, "max SM clock"); }

    @Override public Map<Reading, String> unsupported() { return Map.of(); }

    @Override public TelemetrySample read() {
        long now = System.nanoTime();
        long steps = (now - start) / 10_000_000L;
        return new TelemetrySample(now, 5_000_000 + Math.round(steps * watts * 10), Math.round(watts * 1e3), 1755, 2619,
                61, ClockEventReason.SW_POWER_CAP.bit());
    }

    @Override public void close() {}
}
