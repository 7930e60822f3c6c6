package dev.tokenmill.energy;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * What the GPU did during one measured window: energy (from the total-energy counter) and clocks. Either part is
 * null when it could not be had, and its reason then says why in one sentence; a missing figure is never zero.
 * Energy is the whole board's, idle power included; {@link Energy#joulesPerCallAboveIdle()} takes idle out.
 *
 * @param device  the GPU's name, or null without telemetry
 * @param seconds the window's length
 * @param calls   timed calls in the window (0 for an idle baseline)
 * @param samples telemetry samples taken in it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EnergyReading(String device, double seconds, long calls, int samples,
                            Energy energy, String energyAbsentReason,
                            Clocks clocks, String clocksAbsentReason) {

    /**
     * @param joules                 energy over the window
     * @param joulesPerCall          joules / calls (null for an idle window)
     * @param averageWatts           from the energy counter: joules / seconds
     * @param reportedWatts          the mean of the driver's power readings, a cross-check only (they are ~1 s
     *                               averages on recent GPUs and lag the load); null when the device gives none
     * @param idleWatts              the idle baseline measured before the first window, when there was one
     * @param joulesPerCallAboveIdle (averageWatts - idleWatts) · seconds / calls, when both are known
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Energy(double joules, Double joulesPerCall, double averageWatts, Double reportedWatts,
                         Double idleWatts, Double joulesPerCallAboveIdle) {}

    /**
     * The SM clock over the window's samples, the memory clock, the hottest temperature and every reason the
     * driver gave for holding clocks down (gpu_idle among them means the GPU waited between calls).
     *
     * @param smMedianMhz        the median SM clock (the lower middle value for an even count)
     * @param referenceSmMhz     the device's reference SM clock (see {@code referenceSource}), null if unknown
     * @param belowFloor         whether any sample's SM clock fell below the floor fraction of the reference;
     *                           null when the reference is unknown
     * @param fractionBelowFloor the share of samples below that floor
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Clocks(int smMinMhz, int smMedianMhz, int smMaxMhz, Integer memMedianMhz,
                         Integer referenceSmMhz, String referenceSource, Boolean belowFloor, Double fractionBelowFloor,
                         Integer maxTemperatureC, List<String> clockEvents) {
        public Clocks {
            clockEvents = clockEvents == null ? null : List.copyOf(clockEvents);
        }
    }

    /** A window with no telemetry at all: both parts absent for the same reason. */
    static EnergyReading unavailable(double seconds, long calls, String reason) {
        return new EnergyReading(null, seconds, calls, 0, null, reason, null, reason);
    }
}
