package dev.tokenmill.energy;

import dev.tokenmill.energy.GpuTelemetry.Reading;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The NVML binding without a GPU: against an absent library, and against a stand-in library built from
 * src/test/native/fake_nvml.c with nvml.h's signatures (skipped where no C compiler is installed).
 */
class NvmlTelemetryTest {
    @TempDir static Path dir;

    /** Builds the stand-in library with {@code defines}, once per variant for the class. */
    private static String fakeLibrary(String... defines) throws IOException, InterruptedException {
        Path so = dir.resolve("libfake-nvml" + String.join("", defines) + ".so");
        if (Files.exists(so)) return so.toString();
        List<String> cmd = new ArrayList<>(List.of("cc", "-shared", "-fPIC", "-o", so.toString()));
        cmd.addAll(List.of(defines));
        cmd.add(Path.of("src/test/native/fake_nvml.c").toAbsolutePath().toString());
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("no C compiler (cc) to build the stand-in NVML library");
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "cc failed: " + out);
        return so.toString();
    }

    @Test
    void anAbsentLibraryIsUnavailableWithTheReason() {
        NvmlTelemetry.Opened o = NvmlTelemetry.open("libnvidia-ml-absent.so.1", "0000:65:00.0", 0);
        assertFalse(o.available());
        assertEquals("NVML unavailable: libnvidia-ml-absent.so.1 could not be loaded (no NVIDIA driver on this machine?)",
                o.unavailableReason());
    }

    @Test
    void theDriversLibraryIsFoundOrItsAbsenceExplained() {
        NvmlTelemetry.Opened o = NvmlTelemetry.open(null, 0);
        if (o.available()) {
            o.telemetry().close();
            Assumptions.abort("this machine has an NVIDIA driver");
        }
        assertEquals("NVML unavailable: libnvidia-ml.so.1 could not be loaded (no NVIDIA driver on this machine?)",
                o.unavailableReason());
    }

    @Test
    void aMalformedBusIdIsRejectedInOneSentence() {
        NvmlTelemetry.Opened o = NvmlTelemetry.open("libnvidia-ml.so.1", "65:00", 0);
        assertFalse(o.available());
        assertEquals("PCI bus id must look like 0000:65:00.0 (domain:bus:device.function in hex), got '65:00'",
                o.unavailableReason());
    }

    @Test
    void readsEveryFieldThroughTheBinding() throws Exception {
        NvmlTelemetry.Opened o = NvmlTelemetry.open(fakeLibrary(), "0000:65:00.0", 0);
        assertTrue(o.available(), o.unavailableReason());
        try (GpuTelemetry gpu = o.telemetry()) {
            assertEquals("Fake H100 80GB HBM3", gpu.deviceName());
            assertEquals("PCI bus id 0000:65:00.0", gpu.match());
            assertEquals(new GpuTelemetry.ReferenceClock(1980, "max SM clock"), gpu.referenceSmClock(),
                    "no applications clocks: falls back to the max SM clock");
            assertEquals(java.util.Map.of(), gpu.unsupported());
            TelemetrySample a = gpu.read(), b = gpu.read();
            assertTrue(a.energyMillijoules() > 5_000_000_000_000L, "64-bit energy: " + a.energyMillijoules());
            assertEquals(1000, b.energyMillijoules() - a.energyMillijoules());
            assertTrue(b.nanos() >= a.nanos());
            assertEquals(350_123, a.powerMilliwatts());
            assertEquals(1755, a.smClockMhz());
            assertEquals(2619, a.memClockMhz());
            assertEquals(61, a.temperatureC());
            assertEquals(List.of("gpu_idle", "sw_power_cap", "unknown_0x10000000000"),
                    ClockEventReason.decode(a.clockEventMask()), "read through the pre-12.2 throttle-reasons name");
        }
    }

    @Test
    void anUnknownBusIdFallsBackToTheIndexAndSaysSo() throws Exception {
        NvmlTelemetry.Opened o = NvmlTelemetry.open(fakeLibrary(), "0000:17:00.0", 0);
        assertTrue(o.available(), o.unavailableReason());
        try (GpuTelemetry gpu = o.telemetry()) {
            assertEquals("NVML index 0 (PCI bus id 0000:17:00.0 not matched: "
                    + "nvmlDeviceGetHandleByPciBusId_v2: Not Found (nvmlReturn_t 6))", gpu.match());
        }
    }

    @Test
    void noSuchDeviceIsUnavailableWithNvmlsWords() throws Exception {
        NvmlTelemetry.Opened o = NvmlTelemetry.open(fakeLibrary(), null, 3);
        assertFalse(o.available());
        assertEquals("NVML has no such device: nvmlDeviceGetHandleByIndex_v2: Invalid Argument (nvmlReturn_t 2)",
                o.unavailableReason());
    }

    @Test
    void aDeviceWithoutAnEnergyCounterSaysSo() throws Exception {
        NvmlTelemetry.Opened o = NvmlTelemetry.open(fakeLibrary("-DENERGY_NOT_SUPPORTED"), "0000:65:00.0", 0);
        try (GpuTelemetry gpu = o.telemetry()) {
            assertEquals("nvmlDeviceGetTotalEnergyConsumption: Not Supported (nvmlReturn_t 3)",
                    gpu.unsupported().get(Reading.ENERGY));
            TelemetrySample s = gpu.read();
            assertFalse(s.hasEnergy());
            assertEquals(1755, s.smClockMhz());
        }
    }

    @Test
    void aLibraryMissingAFunctionIsUnavailable() throws Exception {
        String lib = fakeLibrary("-DNO_ENERGY_SYMBOL");
        NvmlTelemetry.Opened o = NvmlTelemetry.open(lib, null, 0);
        assertFalse(o.available());
        assertEquals("NVML unavailable: " + lib + " has no nvmlDeviceGetTotalEnergyConsumption (driver too old?)",
                o.unavailableReason());
        assertTrue(Files.exists(Path.of(lib)));
    }
}
