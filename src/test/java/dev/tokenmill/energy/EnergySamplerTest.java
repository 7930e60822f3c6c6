package dev.tokenmill.energy;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sampling thread and the window lifecycle, on fake telemetry with short windows. */
class EnergySamplerTest {
    private static final SamplerSettings FAST = new SamplerSettings(Duration.ofMillis(2), 0.2, 0.75);

    private static void busy(long millis) {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < end) Thread.onSpinWait();
    }

    @Test
    void aWindowSamplesOnItsOwnThreadAndMeasuresTheEnergy() {
        FakeTelemetry gpu = FakeTelemetry.steady(250);
        try (EnergySampler sampler = EnergySampler.of(gpu, FAST)) {
            assertTrue(sampler.available());
            EnergyWindow w = sampler.begin();
            busy(400);
            EnergyReading r = w.end(200);
            assertNotNull(r.energy(), r.energyAbsentReason());
            assertEquals(250.0, r.energy().averageWatts(), 250.0 * 0.1, "counter steps give the fake's power");
            assertEquals(r.energy().joules() / 200, r.energy().joulesPerCall(), 1e-12);
            assertTrue(r.samples() > 20, "sampled on its own thread: " + r.samples());
            assertEquals(1755, r.clocks().smMedianMhz());
            assertFalse(r.clocks().belowFloor());
            assertEquals(java.util.List.of("sw_power_cap"), r.clocks().clockEvents());
            assertEquals("Fake GPU", r.device());
        }
        assertTrue(gpu.closed, "closing the sampler closes the telemetry");
    }

    @Test
    void theIdleBaselineIsCarriedIntoLaterWindows() {
        try (EnergySampler sampler = EnergySampler.of(FakeTelemetry.steady(100), FAST)) {
            EnergyReading idle = sampler.measureIdle(0.25);
            assertTrue(idle.seconds() >= 0.25);
            assertEquals(0, idle.calls());
            assertNotNull(idle.energy(), idle.energyAbsentReason());
            EnergyWindow w = sampler.begin();
            busy(250);
            EnergyReading r = w.end(10);
            assertEquals(idle.energy().averageWatts(), r.energy().idleWatts());
            assertNotNull(r.energy().joulesPerCallAboveIdle());
        }
    }

    @Test
    void shortWindowsAreFlagged() {
        try (EnergySampler sampler = EnergySampler.of(FakeTelemetry.steady(100), FAST)) {
            EnergyReading r = sampler.begin().end(1);
            assertNull(r.energy());
            assertTrue(r.energyAbsentReason().contains("shorter than the 0.2 s"), r.energyAbsentReason());
        }
    }

    @Test
    void oneWindowAtATimeEachEndedOnce() {
        try (EnergySampler sampler = EnergySampler.of(FakeTelemetry.steady(100), FAST)) {
            EnergyWindow w = sampler.begin();
            assertThrows(IllegalStateException.class, sampler::begin);
            assertThrows(IllegalArgumentException.class, () -> w.end(0));
            w.end(1);
            assertThrows(IllegalStateException.class, () -> w.end(1));
            sampler.begin().end(1);   // the next window opens once the last has ended
        }
    }

    @Test
    void withoutTelemetryEveryReadingIsAbsentWithTheReason() {
        try (EnergySampler sampler = EnergySampler.unavailable("the CPU backend has no energy counter")) {
            assertFalse(sampler.available());
            assertNull(sampler.device());
            EnergyReading idle = sampler.measureIdle(0.01);
            assertNull(idle.energy());
            EnergyReading r = sampler.begin().end(5);
            assertNull(r.energy());
            assertNull(r.clocks());
            assertEquals("the CPU backend has no energy counter", r.energyAbsentReason());
            assertEquals("the CPU backend has no energy counter", r.clocksAbsentReason());
            assertEquals(5, r.calls());
            assertEquals(0, r.samples());
        }
    }

    @Test
    void openingNvmlNeverThrows() {
        // With a driver (a GPU machine) this opens device 0; without one it is unavailable and says why.
        try (EnergySampler sampler = EnergySampler.open(null, 0)) {
            if (sampler.available()) assertNotNull(sampler.device());
            else assertTrue(sampler.unavailableReason().startsWith("NVML unavailable: "), sampler.unavailableReason());
        }
    }

    @Test
    void settingsAreChecked() {
        var e = assertThrows(IllegalArgumentException.class, () -> new SamplerSettings(Duration.ZERO, 2, 0.75));
        assertTrue(e.getMessage().startsWith("sampling period must be in 1..1000 ms"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SamplerSettings(Duration.ofMillis(10), 2, 1.5));
        assertThrows(IllegalArgumentException.class, () -> new SamplerSettings(Duration.ofMillis(10), Double.NaN, 0.75));
    }
}
