package dev.tokenmill.measure;

import dev.tokenmill.backend.Backend;
import dev.tokenmill.report.Ceilings;

import java.io.PrintWriter;

/**
 * What a run measures before its first suite, on an otherwise idle device: the idle power (where the device has an
 * energy counter, so before any load) and the ceilings every record is read against.
 *
 * @param energy   the run's energy section and the baseline its forks read energy against
 * @param ceilings the measured ceilings
 * @param jmh      the plan's JMH settings, lengthened where an energy window needs it
 */
record RunPreamble(RunEnergy energy, Ceilings ceilings, RunPlan.Jmh jmh) {
    /**
     * Where energy is read, a trial's measurement iterations last at least 3 s together, clear of the 2 s an energy
     * window needs (a window spans them); the small plans' iterations are shorter than that on their own.
     */
    static final double MEASURED_SECONDS_FOR_ENERGY = 3;

    static RunPreamble measure(RunPlan plan, Backend backend, CeilingProbe probe, PrintWriter out) {
        RunEnergy energy = RunEnergy.measure(backend, line -> out.println("  " + line));
        Ceilings ceilings = probe.measure(backend, plan.dtypes(), line -> out.println("  " + line));
        out.println("  ceilings: " + ceilings.text());
        ceilings.notes().forEach((k, v) -> out.println("  ceiling " + k + ": " + v));
        if (ceilings.datasheet() != null) out.println("  datasheet: " + ceilings.datasheet().text());
        RunPlan.Jmh jmh = energy.baseline() == null ? plan.jmh() : plan.jmh().measuringAtLeast(MEASURED_SECONDS_FOR_ENERGY);
        return new RunPreamble(energy, ceilings, jmh);
    }
}
