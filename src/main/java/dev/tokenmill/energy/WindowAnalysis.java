package dev.tokenmill.energy;

import dev.tokenmill.energy.GpuTelemetry.Reading;
import dev.tokenmill.energy.GpuTelemetry.ReferenceClock;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Turns the samples of one window into an {@link EnergyReading}. Pure: no clock, no thread, no device.
 *
 * <p>Energy comes from the total-energy counter, which moves in steps (about every 10 ms). The window's energy is
 * the average power between the first and the last step seen, times the window's length: the steps' times are
 * known to within one sampling period, and that error is the same at both ends, so it cancels. A counter that
 * did not step at least twice, or whose steps cover less than half the window, has stalled or is not updated
 * often enough to be trusted, and gives no figure.
 */
final class WindowAnalysis {
    private final SamplerSettings settings;

    WindowAnalysis(SamplerSettings settings) { this.settings = settings; }

    /**
     * @param samples   in time order; the first taken when the window opened, the last when it closed
     * @param calls     timed calls in the window, 0 for an idle window
     * @param idleWatts the idle baseline, or null
     */
    EnergyReading analyse(GpuTelemetry device, List<TelemetrySample> samples, long calls, Double idleWatts) {
        if (samples.size() < 2) throw new IllegalArgumentException("a window needs its opening and closing samples");
        double seconds = (samples.getLast().nanos() - samples.getFirst().nanos()) / 1e9;
        Part<EnergyReading.Energy> energy = energy(device, samples, seconds, calls, idleWatts);
        Part<EnergyReading.Clocks> clocks = clocks(device, samples);
        return new EnergyReading(device.deviceName(), seconds, calls, samples.size(),
                energy.value, energy.absentReason, clocks.value, clocks.absentReason);
    }

    /** A figure, or (value null) why there is none. */
    private record Part<T>(T value, String absentReason) {
        static <T> Part<T> absent(String reason) { return new Part<>(null, reason); }
    }

    private Part<EnergyReading.Energy> energy(GpuTelemetry device, List<TelemetrySample> samples, double seconds,
                                              long calls, Double idleWatts) {
        String unsupported = device.unsupported().get(Reading.ENERGY);
        if (unsupported != null) return Part.absent("the device gives no energy counter: " + unsupported);
        if (seconds < settings.minWindowSeconds())
            return Part.absent(format("the %.2f s window is shorter than the %.1f s an energy figure needs",
                    seconds, settings.minWindowSeconds()));
        List<TelemetrySample> e = samples.stream().filter(TelemetrySample::hasEnergy).toList();
        int firstStep = -1, lastStep = -1, steps = 0;
        for (int i = 1; i < e.size(); i++) {
            long before = e.get(i - 1).energyMillijoules(), now = e.get(i).energyMillijoules();
            if (now < before) return Part.absent("the energy counter went backwards (was the driver reloaded?)");
            if (now > before) {
                steps++;
                if (firstStep < 0) firstStep = i;
                lastStep = i;
            }
        }
        if (steps < 2)
            return Part.absent(format("the energy counter %s during the %.2f s window",
                    steps == 0 ? "did not advance" : "advanced only once", seconds));
        TelemetrySample first = e.get(firstStep), last = e.get(lastStep);
        double span = (last.nanos() - first.nanos()) / 1e9;
        if (span < seconds / 2)
            return Part.absent(format("the energy counter advanced only over %.2f s of the %.2f s window (stalled?)",
                    span, seconds));
        double watts = (last.energyMillijoules() - first.energyMillijoules()) / 1e3 / span;
        double joules = watts * seconds;
        Double perCall = calls > 0 ? joules / calls : null;
        Double aboveIdle = calls > 0 && idleWatts != null ? (watts - idleWatts) * seconds / calls : null;
        return new Part<>(new EnergyReading.Energy(joules, perCall, watts, reportedWatts(samples), idleWatts, aboveIdle), null);
    }

    private static Double reportedWatts(List<TelemetrySample> samples) {
        var mw = samples.stream().filter(TelemetrySample::hasPower).mapToLong(TelemetrySample::powerMilliwatts).average();
        return mw.isPresent() ? mw.getAsDouble() / 1e3 : null;
    }

    private Part<EnergyReading.Clocks> clocks(GpuTelemetry device, List<TelemetrySample> samples) {
        int[] sm = samples.stream().filter(TelemetrySample::hasSmClock).mapToInt(TelemetrySample::smClockMhz).sorted().toArray();
        if (sm.length == 0) {
            String unsupported = device.unsupported().get(Reading.SM_CLOCK);
            return Part.absent(unsupported != null ? "the device gives no SM clock: " + unsupported
                    : "no SM clock reading succeeded during the window");
        }
        int[] mem = samples.stream().filter(TelemetrySample::hasMemClock).mapToInt(TelemetrySample::memClockMhz).sorted().toArray();
        var temperature = samples.stream().filter(TelemetrySample::hasTemperature).mapToInt(TelemetrySample::temperatureC).max();
        List<TelemetrySample> withEvents = samples.stream().filter(TelemetrySample::hasClockEvents).toList();
        long events = withEvents.stream().mapToLong(TelemetrySample::clockEventMask).reduce(0, (a, b) -> a | b);

        ReferenceClock reference = device.referenceSmClock();
        Boolean belowFloor = null;
        Double fractionBelow = null;
        if (reference != null) {
            double floor = settings.clockFloor() * reference.mhz();
            long below = Arrays.stream(sm).filter(mhz -> mhz < floor).count();
            belowFloor = below > 0;
            fractionBelow = (double) below / sm.length;
        }
        return new Part<>(new EnergyReading.Clocks(sm[0], median(sm), sm[sm.length - 1],
                mem.length == 0 ? null : median(mem),
                reference == null ? null : reference.mhz(), reference == null ? null : reference.source(),
                belowFloor, fractionBelow,
                temperature.isPresent() ? temperature.getAsInt() : null,
                withEvents.isEmpty() ? null : ClockEventReason.decode(events)), null);
    }

    /** The middle of sorted values; the lower middle for an even count, so it is always a clock that was seen. */
    private static int median(int[] sorted) { return sorted[(sorted.length - 1) / 2]; }

    private static String format(String pattern, Object... args) { return String.format(Locale.ROOT, pattern, args); }
}
