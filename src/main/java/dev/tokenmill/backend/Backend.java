package dev.tokenmill.backend;

import dev.tokenmill.op.DType;
import dev.tokenmill.op.OpSpec;

import java.util.List;
import java.util.Optional;

/**
 * A device that runs tokenmill's kernels: the Vector API CPU backend, the CUDA backend, or the PTX emulator that runs
 * the CUDA backend's kernels on the CPU. All implement the same op contracts (ARCHITECTURE.md, "Kernel contracts"), so every op, benchmark and test is written once against this interface.
 */
public interface Backend extends AutoCloseable {
    /** {@code cpu}, {@code cuda} or {@code emu}. */
    String name();

    /** Whether this backend works on this machine, and why not when it does not. Never throws. */
    Availability availability();

    /** The device's properties; only meaningful when available. */
    DeviceInfo device();

    /**
     * Allocates operands for {@code spec} on the device (random inputs from {@code options.seed()}), enough
     * rotating sets to exceed {@code options.minWorkingSetBytes()} so timed calls miss the caches, and picks
     * the kernel variant. Throws {@link IllegalArgumentException} for a shape this backend cannot run, and
     * {@link BackendException} for a device failure (out of memory, a launch error).
     */
    PreparedOp prepare(OpSpec spec, PrepareOptions options);

    /**
     * The compute-peak probe for {@code dtype} on this device: the run's compute ceiling. A capability beside the ops
     * rather than an op, because it has no operands, reference or working set. Throws
     * {@link UnsupportedOperationException} where the backend has none, {@link BackendException} for a device failure.
     */
    default PeakProbe preparePeak(DType dtype) {
        throw new UnsupportedOperationException("the " + name() + " backend has no compute-peak probe");
    }

    /**
     * Why this backend cannot time its kernels, or empty when it can. The PTX emulator verifies, checks and counts, and
     * measures nothing: {@code run} refuses it, and {@code op} prints its counters instead of timings.
     */
    default Optional<String> cannotTime() { return Optional.empty(); }

    /**
     * Every kernel entry point of this backend's code (the PTX emulator: every module of the PTX it runs), with its
     * launches, verified calls and findings since the backend opened; empty where the backend does not look inside
     * its kernels (the CPU, a GPU). Ask before closing.
     */
    default List<EntryTally> entryTallies() { return List.of(); }

    /**
     * Releases what the backend holds of its device (a GPU's context and loaded kernels), after its prepared ops
     * are closed. Its name, availability and device description still answer afterwards.
     */
    @Override default void close() {}
}
