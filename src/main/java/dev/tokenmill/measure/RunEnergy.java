package dev.tokenmill.measure;

import dev.tokenmill.energy.EnergyBaseline;
import dev.tokenmill.backend.Backend;
import dev.tokenmill.energy.EnergyReading;
import dev.tokenmill.energy.EnergySampler;
import dev.tokenmill.report.Figures;
import dev.tokenmill.report.ResultFile;

import java.util.function.Consumer;

/**
 * A run's side of energy: before the first suite it opens the GPU's energy counter once (NVML, matched to the
 * CUDA device by PCI bus id), measures the idle baseline, and closes it again; the benchmark VMs then read the
 * same counter around each trial (see {@code FiguresProfiler}), given the {@link EnergyBaseline}. A backend
 * without a counter gets its reason once, in the result file's run-level {@code energy} section.
 *
 * @param info     the result file's {@code energy} section
 * @param baseline what the forks need to read energy, or null when there is none to read
 */
public record RunEnergy(ResultFile.Energy info, EnergyBaseline baseline) {
    /** Long enough for several steps of the counter and for a ~1 s power average to settle. */
    public static final double IDLE_SECONDS = 3;

    /**
     * How windows are cut. Per trial, not per iteration: JMH iterations last 1 s (0.5 s in quick runs), shorter
     * than the 2 s an energy figure needs, and a record holds one figure per trial anyway.
     */
    public static final String WINDOWS = "one window per trial, over all its measurement iterations";

    public static final String CPU_REASON = "the CPU backend has no energy counter";

    /** Opens the backend's energy counter and measures the idle baseline; never throws for a missing counter. */
    public static RunEnergy measure(Backend backend, Consumer<String> log) {
        String busId = busId(backend);
        try (EnergySampler sampler = samplerFor(backend, busId)) {
            return measure(sampler, busId, IDLE_SECONDS, log);
        }
    }

    static EnergySampler samplerFor(Backend backend, String busId) {
        return switch (backend.name()) {
            case "cuda" -> EnergySampler.open(busId, 0);
            case "cpu" -> EnergySampler.unavailable(CPU_REASON);
            default -> EnergySampler.unavailable("the " + backend.name() + " backend has no energy counter");
        };
    }

    /** The idle baseline from {@code sampler}, with nothing running on the device for {@code idleSeconds}. */
    static RunEnergy measure(EnergySampler sampler, String busId, double idleSeconds, Consumer<String> log) {
        if (!sampler.available()) {
            log.accept("energy: not measured: " + sampler.unavailableReason());
            return new RunEnergy(ResultFile.Energy.absent(sampler.unavailableReason()), null);
        }
        log.accept("energy: " + sampler.device() + "; idle baseline over " + Figures.time(idleSeconds * 1e3) + " ...");
        EnergyReading idle = sampler.measureIdle(idleSeconds);
        Double watts = idle.energy() == null ? null : idle.energy().averageWatts();
        log.accept(watts == null ? "energy: no idle baseline: " + idle.energyAbsentReason()
                : String.format(java.util.Locale.ROOT, "energy: idle %.1f W", watts));
        return new RunEnergy(new ResultFile.Energy(sampler.device(), WINDOWS, watts,
                watts == null ? idle.energyAbsentReason() : null, null), new EnergyBaseline(busId, watts));
    }

    private static String busId(Backend backend) {
        Object id = backend.device().properties().get("pci_bus_id");
        return id == null ? null : id.toString();
    }
}
