package dev.tokenmill.energy;

import java.util.Map;
import java.util.function.LongFunction;

/** Telemetry whose samples are a function of the time they are read; fixed facts for the rest. */
final class FakeTelemetry implements GpuTelemetry {
    private final LongFunction<TelemetrySample> at;
    private final ReferenceClock reference;
    private final Map<Reading, String> unsupported;
    boolean closed;

    FakeTelemetry(LongFunction<TelemetrySample> at, ReferenceClock reference, Map<Reading, String> unsupported) {
        this.at = at;
        this.reference = reference;
        this.unsupported = unsupported;
    }

    /** A device that draws {@code watts} steadily, its counter stepping every 10 ms, at 1755 MHz. */
    static FakeTelemetry steady(double watts) {
        long t0 = System.nanoTime();
        return new FakeTelemetry(now -> {
            long steps = (now - t0) / 10_000_000L;
            return new TelemetrySample(now, 1_000_000 + Math.round(steps * watts * 10), Math.round(watts * 1e3),
                    1755, 2619, 60, ClockEventReason.SW_POWER_CAP.bit());
        }, new ReferenceClock(1980, "max SM clock"), Map.of());
    }

    @Override public String deviceName() { return "Fake GPU"; }

    @Override public String match() { return "test"; }

    @Override public ReferenceClock referenceSmClock() { return reference; }

    @Override public Map<Reading, String> unsupported() { return unsupported; }

    @Override public TelemetrySample read() { return at.apply(System.nanoTime()); }

    @Override public void close() { closed = true; }
}
