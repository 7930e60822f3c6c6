package dev.tokenmill.cuda;

import dev.tokenmill.backend.DeviceInfo;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * A GPU for tests of the timing and resource logic above the {@link Driver}: it keeps a host clock and a device
 * timeline in simulated nanoseconds, so timings are exact and repeatable. The host clock moves only by the
 * scripted cost of each call that enqueues work (a launch, a graph replay, an event record) and by waiting for the
 * device. The device runs what is enqueued in order on one timeline, each kernel for its scripted time, starting
 * when the device is free and the host has submitted it; an event is stamped when the device reaches it; a graph
 * replay runs its captured kernels back to back. Memory is counted, not stored (no kernel runs), and the
 * driver's opens and closes (a GPU's primary-context retains and releases) are counted too.
 */
final class FakeGpu {
    /** Host cost of enqueueing one kernel launch, one graph replay, one event record. */
    long launchNanos = 5_000, graphLaunchNanos = 5_000, recordNanos = 1_000;
    /** Device time of each kernel, by entry-point name. */
    ToLongFunction<String> kernelNanos = name -> 1_000;
    long memoryBytes = 80L << 30;
    /** Why the driver cannot load the packaged PTX (say, too old a driver), or null when it can. */
    String ptxRefusal;
    /** The error a timing event reports (say, a kernel that faulted before it), or null when events time. */
    String eventFailure;

    private long host, deviceFreeAt, deviceBusy;
    private final Map<Long, Long> allocations = new HashMap<>();
    private long nextAddress = 1L << 40, allocated;
    private int opens, closes, modulesLoaded, modulesUnloaded, graphsCaptured, graphsClosed;

    /** The host clock, as {@link System#nanoTime()} would read it. */
    long hostNanos() { return host; }

    /** Opens a driver on this GPU (retains its context). */
    Driver open() {
        opens++;
        return new FakeDriver();
    }

    int opens() { return opens; }

    int closes() { return closes; }

    int modulesLoaded() { return modulesLoaded; }

    int modulesUnloaded() { return modulesUnloaded; }

    int graphsCaptured() { return graphsCaptured; }

    int graphsClosed() { return graphsClosed; }

    /** Nanoseconds of kernels the device has been given (timed or not). */
    long deviceBusyNanos() { return deviceBusy; }

    /** Device bytes allocated and not freed. */
    long allocatedBytes() { return allocated; }

    int liveAllocations() { return allocations.size(); }

    /** Runs {@code nanos} of kernels on the device once the host has submitted them. */
    private void enqueue(long nanos) {
        deviceFreeAt = Math.max(deviceFreeAt, host) + nanos;
        deviceBusy += nanos;
    }

    private void waitForDevice() { host = Math.max(host, deviceFreeAt); }

    private final class FakeDriver implements Driver {
        private boolean closed;

        @Override public DeviceProperties properties() {
            return new DeviceProperties(90, 132, 232448, new DeviceInfo("fake-gpu", "Fake GPU", "fake-gpu",
                    Map.of("memory_bytes", memoryBytes, "l2_bytes", 50L << 20, "sms", 132)));
        }

        @Override public Optional<String> cannotLoad(PtxSource ptx) { return Optional.ofNullable(ptxRefusal); }

        @Override public void makeCurrent() {}

        @Override public long allocate(long bytes) {
            if (allocated + bytes > memoryBytes) throw new CudaException(2, "cuMemAlloc failed: CUDA_ERROR_OUT_OF_MEMORY");
            long address = nextAddress;
            nextAddress += (Math.max(1, bytes) + 255) / 256 * 256;
            allocations.put(address, bytes);
            allocated += bytes;
            return address;
        }

        @Override public void free(long address) {
            Long bytes = allocations.remove(address);
            if (bytes == null) throw new IllegalStateException("double free of " + address);
            allocated -= bytes;
        }

        @Override public void copyToDevice(long address, MemorySegment src) { waitForDevice(); }

        @Override public void copyToHost(MemorySegment dst, long address) { waitForDevice(); }

        @Override public long freeMemory() { return memoryBytes - allocated; }

        @Override public void synchronize() { waitForDevice(); }

        @Override public Module load(PtxSource ptx) {
            modulesLoaded++;
            return new Module() {
                @Override public Optional<Function> function(String name) {
                    return ptx.entry(name).map(e -> new FakeFunction(name));
                }

                @Override public void close() { modulesUnloaded++; }
            };
        }

        @Override public Stream createStream() { return new FakeStream(); }

        @Override public Event createEvent() { return new FakeEvent(); }

        @Override public Graph capture(Stream stream, Runnable launches) {
            FakeStream s = (FakeStream) stream;
            List<String> kernels = new ArrayList<>();
            s.capturing = kernels;
            try {
                launches.run();
            } finally {
                s.capturing = null;
            }
            graphsCaptured++;
            long nanos = kernels.stream().mapToLong(kernelNanos).sum();
            return new Graph() {
                @Override public void launch(Stream on) {
                    host += graphLaunchNanos;
                    enqueue(nanos);
                }

                @Override public void close() { graphsClosed++; }
            };
        }

        @Override public void close() {
            if (closed) throw new IllegalStateException("driver closed twice");
            closed = true;
            closes++;
        }
    }

    private final class FakeFunction implements Driver.Function {
        private final String name;

        FakeFunction(String name) { this.name = name; }

        @Override public void setMaxDynamicSharedBytes(int bytes) {}

        @Override public void launch(Dim3 grid, Dim3 block, int sharedBytes, Driver.Stream stream, KernelArgs args) {
            FakeStream s = (FakeStream) stream;
            if (s.capturing != null) {
                s.capturing.add(name);
                return;
            }
            host += launchNanos;
            enqueue(kernelNanos.applyAsLong(name));
        }
    }

    private final class FakeStream implements Driver.Stream {
        private List<String> capturing;

        @Override public void synchronize() { waitForDevice(); }

        @Override public void close() {}
    }

    private final class FakeEvent implements Driver.Event {
        private long stamp = -1;

        @Override public void record(Driver.Stream stream) {
            host += recordNanos;
            enqueue(0);
            stamp = deviceFreeAt;
        }

        @Override public float millisSince(Driver.Event start) {
            if (eventFailure != null) throw new CudaException(719, eventFailure);
            host = Math.max(host, stamp);
            return (stamp - ((FakeEvent) start).stamp) / 1e6f;
        }

        @Override public void close() {}
    }
}
