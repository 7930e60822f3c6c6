package dev.tokenmill.energy;

import java.time.Duration;

/**
 * How the energy sampler reads and judges a window.
 *
 * @param period           time between samples; NVML's energy counter moves about every 10 ms
 * @param minWindowSeconds windows shorter than this get no energy figure: a counter step or two of error, and
 *                         power that has not settled, would dominate it
 * @param clockFloor       a window is flagged when its SM clock fell below this fraction of the device's reference
 *                         clock (nvbench flags below 0.75 of the default clock)
 */
public record SamplerSettings(Duration period, double minWindowSeconds, double clockFloor) {
    public SamplerSettings {
        if (period == null || period.toNanos() < 1_000_000 || period.toMillis() > 1_000)
            throw new IllegalArgumentException("sampling period must be in 1..1000 ms, got " + period);
        if (!(minWindowSeconds >= 0))
            throw new IllegalArgumentException("minimum window must be >= 0 s, got " + minWindowSeconds);
        if (!(clockFloor > 0 && clockFloor <= 1))
            throw new IllegalArgumentException("clock floor must be a fraction in (0, 1], got " + clockFloor);
    }

    /** Every 10 ms, windows of at least 2 s, flagged below 75% of the reference SM clock. */
    public static SamplerSettings standard() { return new SamplerSettings(Duration.ofMillis(10), 2.0, 0.75); }
}
