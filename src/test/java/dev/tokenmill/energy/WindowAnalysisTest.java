package dev.tokenmill.energy;

import dev.tokenmill.energy.GpuTelemetry.Reading;
import dev.tokenmill.energy.GpuTelemetry.ReferenceClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntToLongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The windowing arithmetic on synthetic counters: samples every 10 ms, times in ms from the window's start. */
class WindowAnalysisTest {
    private static final ReferenceClock REFERENCE = new ReferenceClock(2000, "default applications clock");
    private final WindowAnalysis analysis = new WindowAnalysis(new SamplerSettings(Duration.ofMillis(10), 2.0, 0.75));
    private final GpuTelemetry device = new FakeTelemetry(t -> null, REFERENCE, Map.of());

    private static TelemetrySample at(long ms, long energyMj, int smMhz) {
        return new TelemetrySample(ms * 1_000_000L, energyMj, 300_000, smMhz, 2619, 55, 0);
    }

    /** Samples at 0, 10, ... {@code ms}, the counter given per sample index, the SM clock fixed. */
    private static List<TelemetrySample> window(long ms, IntToLongFunction energyAt) {
        List<TelemetrySample> s = new ArrayList<>();
        for (int i = 0; i <= ms / 10; i++) s.add(at(i * 10L, energyAt.applyAsLong(i), 1800));
        return s;
    }

    @Test
    void steadyPowerGivesEnergyFromTheCounterSteps() {
        // 300 W = 3000 mJ per 10 ms, counter stepping every 10 ms, 3 s window, 1500 calls.
        EnergyReading r = analysis.analyse(device, window(3000, i -> 7_000_000 + 3000L * i), 1500, null);
        assertNotNull(r.energy(), r.energyAbsentReason());
        assertEquals(3.0, r.seconds(), 1e-12);
        assertEquals(300.0, r.energy().averageWatts(), 1e-9);
        assertEquals(900.0, r.energy().joules(), 1e-9);
        assertEquals(0.6, r.energy().joulesPerCall(), 1e-12);
        assertEquals(300.0, r.energy().reportedWatts(), 1e-9);
        assertNull(r.energy().idleWatts());
        assertNull(r.energy().joulesPerCallAboveIdle());
        assertEquals(301, r.samples());
    }

    @Test
    void coarseCounterStepsStillGiveTheTrueAverage() {
        // The counter moves every 100 ms (10 samples) by 30 J at 300 W; the window is 2.55 s long.
        EnergyReading r = analysis.analyse(device, window(2550, i -> 30_000L * (i / 10)), 10, null);
        assertEquals(300.0, r.energy().averageWatts(), 1e-9);
        assertEquals(300.0 * 2.55, r.energy().joules(), 1e-9);
    }

    @Test
    void idleBaselineIsTakenOutPerCall() {
        EnergyReading r = analysis.analyse(device, window(3000, i -> 3000L * i), 1000, 60.0);
        assertEquals(60.0, r.energy().idleWatts());
        assertEquals((300.0 - 60.0) * 3.0 / 1000, r.energy().joulesPerCallAboveIdle(), 1e-12);
    }

    @Test
    void idleWindowHasEnergyButNoPerCallFigure() {
        EnergyReading r = analysis.analyse(device, window(2000, i -> 600L * i), 0, null);
        assertEquals(60.0, r.energy().averageWatts(), 1e-9);
        assertNull(r.energy().joulesPerCall());
    }

    @Test
    void counterThatDoesNotAdvanceGivesNoEnergy() {
        EnergyReading r = analysis.analyse(device, window(3000, i -> 42_000), 100, null);
        assertNull(r.energy());
        assertTrue(r.energyAbsentReason().contains("did not advance during the 3.00 s window"), r.energyAbsentReason());
        assertNotNull(r.clocks(), "clocks stand without energy");
    }

    @Test
    void counterThatAdvancesOnceGivesNoEnergy() {
        EnergyReading r = analysis.analyse(device, window(3000, i -> i < 150 ? 0 : 5000), 100, null);
        assertNull(r.energy());
        assertTrue(r.energyAbsentReason().contains("advanced only once"), r.energyAbsentReason());
    }

    @Test
    void counterThatStallsPartWayGivesNoEnergy() {
        // Steps for the first 0.5 s of a 3 s window, then nothing.
        EnergyReading r = analysis.analyse(device, window(3000, i -> 3000L * Math.min(i, 50)), 100, null);
        assertNull(r.energy());
        assertTrue(r.energyAbsentReason().contains("only over 0.49 s of the 3.00 s window"), r.energyAbsentReason());
    }

    @Test
    void counterGoingBackwardsGivesNoEnergy() {
        EnergyReading r = analysis.analyse(device, window(3000, i -> i == 200 ? 0 : 3000L * i), 100, null);
        assertNull(r.energy());
        assertTrue(r.energyAbsentReason().contains("went backwards"), r.energyAbsentReason());
    }

    @Test
    void shortWindowIsFlaggedNotGivenANoisyFigure() {
        EnergyReading r = analysis.analyse(device, window(1500, i -> 3000L * i), 100, null);
        assertNull(r.energy());
        assertEquals("the 1.50 s window is shorter than the 2.0 s an energy figure needs", r.energyAbsentReason());
        assertEquals(1800, r.clocks().smMedianMhz());
    }

    @Test
    void samplesWithoutAnEnergyReadingAreSkipped() {
        List<TelemetrySample> s = window(3000, i -> i % 7 == 3 ? TelemetrySample.ABSENT : 3000L * i);
        EnergyReading r = analysis.analyse(device, s, 1, null);
        assertEquals(300.0, r.energy().averageWatts(), 1e-9);
    }

    @Test
    void clockStatisticsAndTheSeventyFivePercentFlag() {
        // Reference 2000 MHz: the floor is 1500. One sample of five at 1400 MHz is below it.
        int[] mhz = {1980, 1400, 1755, 1600, 1900};
        List<TelemetrySample> s = new ArrayList<>();
        for (int i = 0; i < mhz.length; i++) s.add(at(i * 10L, 1000L * i, mhz[i]));
        EnergyReading.Clocks c = analysis.analyse(device, s, 1, null).clocks();
        assertEquals(1400, c.smMinMhz());
        assertEquals(1755, c.smMedianMhz());
        assertEquals(1980, c.smMaxMhz());
        assertEquals(2619, c.memMedianMhz());
        assertEquals(2000, c.referenceSmMhz());
        assertEquals("default applications clock", c.referenceSource());
        assertTrue(c.belowFloor());
        assertEquals(0.2, c.fractionBelowFloor(), 1e-12);
        assertEquals(55, c.maxTemperatureC());

        s.set(1, at(10, 1000, 1500));   // exactly at the floor is not below it
        c = analysis.analyse(device, s, 1, null).clocks();
        assertFalse(c.belowFloor());
        assertEquals(0.0, c.fractionBelowFloor());
    }

    @Test
    void medianOfAnEvenCountIsTheLowerMiddleClock() {
        List<TelemetrySample> s = List.of(at(0, 0, 1000), at(10, 1, 1200), at(20, 2, 1400), at(30, 3, 1600));
        assertEquals(1200, analysis.analyse(device, s, 1, null).clocks().smMedianMhz());
    }

    @Test
    void clockEventReasonsAreTheUnionOverTheWindow() {
        List<TelemetrySample> s = List.of(
                new TelemetrySample(0, 0, 1, 1800, 2619, 50, ClockEventReason.SW_POWER_CAP.bit()),
                new TelemetrySample(10_000_000, 1, 1, 1800, 2619, 70, 0),
                new TelemetrySample(20_000_000, 2, 1, 1800, 2619, 65,
                        ClockEventReason.GPU_IDLE.bit() | ClockEventReason.SW_THERMAL.bit()),
                new TelemetrySample(30_000_000, 3, 1, 1800, 2619, 60, TelemetrySample.ABSENT));
        EnergyReading.Clocks c = analysis.analyse(device, s, 1, null).clocks();
        assertEquals(List.of("gpu_idle", "sw_power_cap", "sw_thermal"), c.clockEvents());
        assertEquals(70, c.maxTemperatureC());
    }

    @Test
    void everyReasonBitDecodesToItsName() {
        assertEquals(List.of("gpu_idle", "applications_clocks_setting", "sw_power_cap", "hw_slowdown", "sync_boost",
                        "sw_thermal", "hw_thermal", "hw_power_brake", "display_clocks"),
                ClockEventReason.decode(0x1FF));
        assertEquals(List.of("hw_slowdown", "unknown_0x200", "unknown_0x8000000000000000"),
                ClockEventReason.decode(0x8L | 0x200L | Long.MIN_VALUE));
        assertEquals(List.of(), ClockEventReason.decode(0));
    }

    @Test
    void readingsTheDeviceDoesNotGiveAreAbsentWithTheReason() {
        GpuTelemetry old = new FakeTelemetry(t -> null, null,
                Map.of(Reading.ENERGY, "nvmlDeviceGetTotalEnergyConsumption: Not Supported (nvmlReturn_t 3)"));
        List<TelemetrySample> s = new ArrayList<>();
        for (int i = 0; i <= 300; i++)
            s.add(new TelemetrySample(i * 10_000_000L, TelemetrySample.ABSENT, TelemetrySample.ABSENT, 1500,
                    TelemetrySample.ABSENT, TelemetrySample.ABSENT, TelemetrySample.ABSENT));
        EnergyReading r = analysis.analyse(old, s, 10, null);
        assertNull(r.energy());
        assertTrue(r.energyAbsentReason().startsWith("the device gives no energy counter: nvmlDeviceGetTotal"));
        assertNull(r.clocks().referenceSmMhz());
        assertNull(r.clocks().belowFloor(), "no reference clock, no verdict");
        assertNull(r.clocks().memMedianMhz());
        assertNull(r.clocks().maxTemperatureC());
        assertNull(r.clocks().clockEvents());
    }

    @Test
    void anAbsentFigureIsLeftOutOfTheJsonAndItsReasonKept() {
        EnergyReading r = analysis.analyse(device, window(1500, i -> 3000L * i), 100, null);
        var json = new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(r);
        assertFalse(json.has("energy"), "never written as null or zero");
        assertTrue(json.get("energyAbsentReason").asText().contains("shorter than"));
        assertEquals(1800, json.get("clocks").get("smMedianMhz").asInt());
        assertFalse(json.has("clocksAbsentReason"));
    }
}
