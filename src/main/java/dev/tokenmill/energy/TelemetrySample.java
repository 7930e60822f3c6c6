package dev.tokenmill.energy;

/**
 * One instant's readings of a GPU. A reading the device did not give is {@link #ABSENT} (never zero), so that a
 * missing counter cannot pass for an idle one.
 *
 * @param nanos            {@link System#nanoTime()} when the readings were taken
 * @param energyMillijoules total energy since the driver loaded (a counter that only grows), mJ
 * @param powerMilliwatts  board power as the driver reports it (a ~1 s average on recent GPUs), mW
 * @param smClockMhz       current SM clock, MHz
 * @param memClockMhz      current memory clock, MHz
 * @param temperatureC     GPU die temperature, degrees C
 * @param clockEventMask   the {@link ClockEventReason} bits set at this instant
 */
public record TelemetrySample(long nanos, long energyMillijoules, long powerMilliwatts, int smClockMhz,
                              int memClockMhz, int temperatureC, long clockEventMask) {
    public static final int ABSENT = -1;

    public boolean hasEnergy() { return energyMillijoules != ABSENT; }

    public boolean hasPower() { return powerMilliwatts != ABSENT; }

    public boolean hasSmClock() { return smClockMhz != ABSENT; }

    public boolean hasMemClock() { return memClockMhz != ABSENT; }

    public boolean hasTemperature() { return temperatureC != ABSENT; }

    public boolean hasClockEvents() { return clockEventMask != ABSENT; }
}
