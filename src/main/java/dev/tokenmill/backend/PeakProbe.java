package dev.tokenmill.backend;

import dev.tokenmill.op.DType;
import dev.tokenmill.reference.Verification;

/**
 * A compute-peak probe ready on a device: a loop of one dtype's multiply-adds in registers, with no memory traffic,
 * over many independent accumulator chains so that no step waits for the one before it (as mixbench measures a
 * device's arithmetic peak). It gives a run's compute ceiling without timing any kernel the run's records time, so
 * no record reads 100% of its ceiling by construction. Verify once, then time; not thread-safe.
 */
public interface PeakProbe extends Timed, AutoCloseable {
    /** The dtype whose peak this measures (the probe may compute in another: {@link #description()} says so). */
    DType dtype();

    /**
     * The loop that runs, e.g. {@code cuda.probe.mma.bf16} or {@code cpu.probe.fma.f32}; dtypes that share a loop
     * share a variant, so a run measures it once.
     */
    String variant();

    /** What the loop computes, on how many chains and threads, and why it is this dtype's peak: the ceiling's label. */
    String description();

    /** Floating-point operations per call (a multiply-add counts two). */
    double flopsPerCall();

    /**
     * Runs one call and checks every accumulator against the value the host computes exactly from the step count
     * and the operands ({@link PeakCheck}): a loop that was cut short, dropped or computed wrongly fails.
     */
    Verification verify();

    @Override void close();
}
