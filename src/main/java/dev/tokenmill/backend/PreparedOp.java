package dev.tokenmill.backend;

import dev.tokenmill.op.OpSpec;
import dev.tokenmill.reference.Verification;

import java.util.Optional;

/**
 * An op ready to run on a device: operands allocated (possibly several rotating sets), kernel chosen.
 * Verify once, then time. Not thread-safe: one caller drives it.
 */
public interface PreparedOp extends Timed, AutoCloseable {
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

    /**
     * What the kernels of the last {@link #verify()} call did, counted inside them; empty where the backend does not
     * look inside its kernels (only the PTX emulator does).
     */
    default Optional<KernelCounters> counters() { return Optional.empty(); }

    /** One call on the next operand set; complete when it returns. */
    void run();

    /** {@inheritDoc} Calls rotate through the operand sets. */
    @Override double secondsPerCall(int calls);

    /**
     * What {@link #secondsPerCall} reads, as result files name it: {@code wall_clock}, the host's clock around the
     * calls (the CPU backend), or {@code device_events}, the device's own timestamps (CUDA events).
     */
    default String clock() { return "wall_clock"; }

    @Override void close();
}
