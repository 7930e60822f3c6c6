package dev.tokenmill.backend;

import dev.tokenmill.op.DType;
import dev.tokenmill.op.OpSpec;

/**
 * A device that runs tokenmill's kernels: the Vector API CPU backend or the CUDA backend. Both implement the
 * same op contracts (ARCHITECTURE.md, "Kernel contracts"), so every op, benchmark and test is written once against this interface.
 */
public interface Backend extends AutoCloseable {
    /** {@code cpu} or {@code cuda}. */
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
     * Releases what the backend holds of its device (a GPU's context and loaded kernels), after its prepared ops
     * are closed. Its name, availability and device description still answer afterwards.
     */
    @Override default void close() {}
}
