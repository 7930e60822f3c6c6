package dev.tokenmill.measure;

import dev.tokenmill.energy.EnergyBaseline;
import dev.tokenmill.cpu.CpuBackend;
import dev.tokenmill.energy.EnergySampler;
import dev.tokenmill.energy.SamplerSettings;
import dev.tokenmill.report.ResultFile;
import dev.tokenmill.testing.FakeBackend;
import dev.tokenmill.testing.SteadyGpu;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The run's side of energy: the reason, once, without a counter; the idle baseline and the forks' hand-over with one. */
class RunEnergyTest {
    @Test
    void theCpuBackendHasNoEnergyCounterAndSaysSoOnce() {
        List<String> log = new ArrayList<>();
        RunEnergy e;
        try (CpuBackend cpu = new CpuBackend()) {
            e = RunEnergy.measure(cpu, log::add);
        }
        assertEquals(ResultFile.Energy.absent("the CPU backend has no energy counter"), e.info());
        assertNull(e.baseline(), "the forks are given nothing to read");
        assertEquals(List.of("energy: not measured: the CPU backend has no energy counter"), log);
    }

    @Test
    void anotherBackendWithoutACounterIsNamed() {
        try (FakeBackend fake = new FakeBackend()) {
            assertEquals("the fake backend has no energy counter", RunEnergy.measure(fake, s -> {}).info().absentReason());
        }
    }

    @Test
    void withACounterTheIdleBaselineIsMeasuredAndHandedToTheForks() {
        EnergySampler sampler = EnergySampler.of(new SteadyGpu(70), new SamplerSettings(Duration.ofMillis(2), 0.2, 0.75));
        RunEnergy e = RunEnergy.measure(sampler, "0000:65:00.0", 0.3, s -> {});
        ResultFile.Energy info = e.info();
        assertEquals(70, info.idleW(), 7);
        assertEquals("Steady GPU (PCI bus id 0000:65:00.0)", info.device());
        assertEquals(RunEnergy.WINDOWS, info.windows());
        assertNull(info.absentReason());
        assertEquals("0000:65:00.0", e.baseline().pciBusId());
        assertEquals(info.idleW(), e.baseline().idleWatts());
    }

    @Test
    void anIdleWindowWithoutEnergyKeepsItsReason() {
        EnergySampler sampler = EnergySampler.of(new SteadyGpu(70), SamplerSettings.standard());
        RunEnergy e = RunEnergy.measure(sampler, null, 0.1, s -> {});
        assertNull(e.info().idleW());
        assertTrue(e.info().idleAbsentReason().contains("shorter than the 2.0 s"), e.info().idleAbsentReason());
        assertNull(e.baseline().idleWatts(), "the forks still read energy, without an idle baseline");
    }

    @Test
    void theBaselineTravelsAsAPropertyAndBadOnesAreRefusedByName() {
        var b = new EnergyBaseline("0000:65:00.0", 61.25);
        assertEquals("pci_bus_id=0000:65:00.0,idle_w=61.2500", b.toProperty());
        assertEquals(b, EnergyBaseline.fromProperty(b.toProperty()));
        var none = new EnergyBaseline(null, null);
        assertEquals(none, EnergyBaseline.fromProperty(none.toProperty()));
        assertNull(EnergyBaseline.fromProperty(" "));
        var e = assertThrows(IllegalArgumentException.class, () -> EnergyBaseline.fromProperty("idle_w=hot"));
        assertEquals("tokenmill.energy: idle_w must be a number of watts, got 'hot'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> EnergyBaseline.fromProperty("gpu=0"));
        assertEquals("tokenmill.energy keys are pci_bus_id and idle_w, got 'gpu'", e.getMessage());
    }
}
