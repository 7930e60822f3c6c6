package dev.tokenmill.jmh;

import dev.tokenmill.energy.EnergyReading;
import dev.tokenmill.energy.EnergySampler;
import dev.tokenmill.energy.EnergyWindow;
import dev.tokenmill.energy.EnergyBaseline;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.runner.IterationType;

import java.util.ArrayList;
import java.util.List;

import static dev.tokenmill.report.JmhRecords.*;

/**
 * The GPU's energy and clocks over one trial, in the benchmark VM: one window from the start of the first
 * measurement iteration to the end of the last, over every call timed in between. Per trial rather than per
 * iteration because iterations (at most 500 ms in every plan) are shorter than the 2 s an energy figure needs;
 * warmup is left out. The window gives the average board power; the result file's reader turns it into energy
 * per call with the median device time per call ({@code JmhRecords}). Dividing the window's energy by the timed
 * calls would overcount: a GPU backend replays untimed filler graphs before timed ones to keep the device busy.
 * The figures come back as {@link TrialResult}s.
 */
final class TrialEnergy {
    private final EnergySampler sampler;
    private EnergyWindow window;
    private long calls;
    private int measured;
    private boolean finished;

    TrialEnergy(EnergySampler sampler) { this.sampler = sampler; }

    /** A sampler for the GPU the run named in {@code baseline}, carrying its idle baseline. */
    static TrialEnergy open(EnergyBaseline baseline) {
        EnergySampler sampler = EnergySampler.open(baseline.pciBusId(), 0);
        if (baseline.idleWatts() != null && sampler.available()) sampler.useIdleWatts(baseline.idleWatts());
        return new TrialEnergy(sampler);
    }

    /** Opens the window as the first measurement iteration starts. */
    void beforeIteration(IterationParams iteration) {
        if (iteration.getType() == IterationType.MEASUREMENT && window == null && measured == 0) window = sampler.begin();
    }

    /**
     * Counts the iteration's calls; after the last measurement iteration, closes the window and returns its
     * figures (nothing before then).
     */
    List<TrialResult> afterIteration(IterationParams iteration, long callsInIteration) {
        if (iteration.getType() != IterationType.MEASUREMENT || window == null) return List.of();
        calls += callsInIteration;
        if (++measured < iteration.getCount()) return List.of();
        finished = true;
        try {
            return calls == 0 ? List.of(TrialResult.flag(ENERGY_ABSENT + "no timed call finished in the window"))
                    : results(window.end(calls));
        } finally {
            window = null;
            sampler.close();
        }
    }

    /** Whether the trial's window has closed (its figures returned, the sampler released). */
    boolean finished() { return finished; }

    private static List<TrialResult> results(EnergyReading r) {
        List<TrialResult> out = new ArrayList<>();
        EnergyReading.Energy e = r.energy();
        if (e == null) {
            out.add(TrialResult.flag(ENERGY_ABSENT + r.energyAbsentReason()));
        } else {
            out.add(TrialResult.of(POWER_W, e.averageWatts(), "W", AggregationPolicy.AVG));
            if (e.idleWatts() != null) out.add(TrialResult.of(IDLE_W, e.idleWatts(), "W", AggregationPolicy.AVG));
            out.add(TrialResult.of(WINDOW_S, r.seconds(), "s", AggregationPolicy.AVG));
        }
        EnergyReading.Clocks c = r.clocks();
        if (c == null) {
            out.add(TrialResult.flag(CLOCKS_ABSENT + r.clocksAbsentReason()));
            return out;
        }
        out.add(TrialResult.of(SM_MIN, c.smMinMhz(), "MHz", AggregationPolicy.MIN));
        out.add(TrialResult.of(SM_MEDIAN, c.smMedianMhz(), "MHz", AggregationPolicy.AVG));
        out.add(TrialResult.of(SM_MAX, c.smMaxMhz(), "MHz", AggregationPolicy.MAX));
        if (c.belowFloor() != null) out.add(TrialResult.of(BELOW_75PCT, c.belowFloor() ? 1 : 0, "", AggregationPolicy.MAX));
        if (c.clockEvents() != null) {
            out.add(TrialResult.flag(CLOCKS_READ));
            for (String event : c.clockEvents()) out.add(TrialResult.flag(CLOCK_EVENT + event));
        }
        return out;
    }
}
