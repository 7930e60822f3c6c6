package dev.tokenmill.energy;

/** An open measurement window of an {@link EnergySampler}. */
public interface EnergyWindow {
    /** Stops sampling and sums the window up; {@code calls} is how many timed calls ran in it. Ends it once only. */
    EnergyReading end(long calls);
}
