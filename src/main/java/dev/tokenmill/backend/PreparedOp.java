package dev.tokenmill.backend;

import dev.tokenmill.op.OpSpec;
import dev.tokenmill.reference.Verification;

/**
 * An op ready to run on a device: operands allocated (possibly several rotating sets), kernel chosen.
 * Verify once, then time. Not thread-safe: one caller drives it.
 */
public interface PreparedOp extends AutoCloseable {
    OpSpec spec();

    /** The kernel that runs, e.g. {@code cpu.gemm.packed} or {@code cuda.decode.splitkv}. */
    String variant();

    /** Rotating operand sets that timed calls cycle through. */
    int sets();

    /**
     * Runs the kernel once on fresh random operands with NaN-poisoned outputs, and checks the result against
     * the float64 reference.
     */
    Verification verify();

    /** One call on the next operand set; complete when it returns. */
    void run();

    /**
     * Runs {@link #timedCalls}{@code (calls)} calls back to back (rotating sets) and returns the seconds per call
     * measured by the device's own clock: on a GPU, CUDA events around replays of a CUDA graph of many calls, so
     * launch overhead is not counted as kernel time; on the CPU, {@code System.nanoTime}.
     */
    double secondsPerCall(int calls);

    /**
     * How many calls {@code secondsPerCall(calls)} times: {@code calls}, or more where the device times whole
     * batches (a GPU replays whole graphs). A sample of {@code secondsPerCall} is the mean over that many calls.
     */
    default int timedCalls(int calls) { return calls; }

    @Override void close();
}
