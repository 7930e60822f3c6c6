package dev.tokenmill.cuda;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;

/**
 * The CUDA driver API as tokenmill's launchers use it, and nothing more: device memory, modules of PTX, kernel
 * launches with typed arguments, one stream's ordering, timing events and graphs. Everything above it
 * ({@link CudaDevice}, the launchers, {@link KernelFunction}, {@link DeviceBuffer}, {@link DeviceOperands},
 * {@link CudaPreparedOp}) is written against this interface only, so the same launchers run on every
 * implementation:
 * <ul>
 *   <li>{@link NvidiaDriver}: the NVIDIA driver through JCuda, on a real GPU;</li>
 *   <li>{@link EmuDriver}: tokenmill's PTX interpreter ({@code dev.tokenmill.ptx}), which runs the same PTX on the
 *   CPU, looks inside every launch ({@link #inspects()}) and measures no time ({@link #cannotTime()}).</li>
 * </ul>
 * An open driver holds the device (a GPU's primary context); {@link #close()} releases it. Device addresses are
 * plain {@code long}s, so an implementation chooses its own address space. Calls come from one thread at a time;
 * a caller on a new thread calls {@link #makeCurrent()} first (JMH runs setup and benchmark on different threads).
 * Failures are {@link dev.tokenmill.backend.BackendException}s whose message says what to do.
 */
interface Driver extends AutoCloseable {

    /** The device's properties: what launchers size their grids by, and what {@code devices} reports. */
    DeviceProperties properties();

    /** Why this driver cannot load {@code ptx} (e.g. a PTX ISA newer than a GPU driver compiles), or empty. */
    Optional<String> cannotLoad(PtxSource ptx);

    /** Binds the device to the calling thread; every other call assumes it. */
    void makeCurrent();

    /** Allocates {@code bytes} of device memory (at least 256-byte aligned, contents undefined); its address. */
    long allocate(long bytes);

    /** Frees memory {@link #allocate} returned. */
    void free(long address);

    /**
     * Copies all of {@code src} (native memory) to {@code address}, after all earlier work on the device. {@code src}
     * may be reused when this returns, but the device may still be writing: {@link #synchronize()} before a launch
     * on a stream of one's own reads it (CUDA's rule for copies from pageable memory).
     */
    void copyToDevice(long address, MemorySegment src);

    /** Fills all of {@code dst} (native memory) from {@code address}, after all earlier work; complete when it returns. */
    void copyToHost(MemorySegment dst, long address);

    /** Device memory free now, in bytes. */
    long freeMemory();

    /** Waits for all work on the device. */
    void synchronize();

    /** Loads (on a GPU: JIT-compiles) a kernel family's PTX; a module that fails to load says why. */
    Module load(PtxSource ptx);

    /** A stream of its own (never the legacy default stream, so that it can be captured into a graph). */
    Stream createStream();

    /** A timing event. */
    Event createEvent();

    /**
     * Captures what {@code launches} enqueues on {@code stream} into a graph, ready to replay; nothing runs during
     * the capture. A launch that throws ends the capture and the exception propagates.
     */
    Graph capture(Stream stream, Runnable launches);

    /**
     * Why this driver's events cannot time work, or empty when {@link Event#millisSince} gives device time. The PTX
     * emulator executes kernels instruction by instruction on the CPU: its time says nothing about a GPU's.
     */
    default Optional<String> cannotTime() { return Optional.empty(); }

    /**
     * Whether this driver looks inside the kernels it runs ({@link #takeRuns()}): the PTX emulator checks every access,
     * barrier and collective as compute-sanitizer does and counts as Nsight Compute does; a GPU's driver does neither.
     */
    default boolean inspects() { return false; }

    /**
     * The launches this driver ran since the last call, oldest first, each with its findings and counters; always
     * empty unless {@link #inspects()}.
     */
    default List<KernelRun> takeRuns() { return List.of(); }

    /** Releases the device: what the driver holds of it (a GPU's primary context). Memory not freed is lost. */
    @Override void close();

    /** A loaded module of PTX. */
    interface Module extends AutoCloseable {
        /** The entry point called {@code name}, or empty when the module has none. */
        Optional<Function> function(String name);

        /** Unloads the module; its functions are invalid afterwards. */
        @Override void close();
    }

    /** One entry point of a module. */
    interface Function {
        /** Lets launches use up to {@code bytes} of dynamic shared memory (above 48 KiB a GPU wants this opt-in). */
        void setMaxDynamicSharedBytes(int bytes);

        /**
         * Enqueues one launch on {@code stream} (asynchronous: errors inside the kernel surface at the next
         * synchronization). The arguments are copied, so {@code args} may be reused; callers check them against
         * the PTX declaration first ({@link KernelFunction}).
         */
        void launch(Dim3 grid, Dim3 block, int sharedBytes, Stream stream, KernelArgs args);
    }

    /** An ordered queue of work on the device. */
    interface Stream extends AutoCloseable {
        /** Waits for all work on the stream; a failed kernel's error surfaces here. */
        void synchronize();

        @Override void close();
    }

    /** A timing event: recorded into a stream, stamped by the device when the work before it is done. */
    interface Event extends AutoCloseable {
        void record(Stream stream);

        /** Device milliseconds from {@code start} to this event, waiting for this one to be stamped first. */
        float millisSince(Event start);

        @Override void close();
    }

    /** A captured sequence of launches, replayed with one call: the device runs them back to back. */
    interface Graph extends AutoCloseable {
        /** Enqueues one replay on {@code stream}. */
        void launch(Stream stream);

        @Override void close();
    }
}
