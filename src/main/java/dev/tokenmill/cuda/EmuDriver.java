package dev.tokenmill.cuda;

import dev.tokenmill.backend.BackendException;
import dev.tokenmill.backend.Bytes;
import dev.tokenmill.backend.DeviceInfo;
import dev.tokenmill.ptx.Kernel;
import dev.tokenmill.ptx.KernelParams;
import dev.tokenmill.ptx.PtxModule;
import dev.tokenmill.ptx.exec.GlobalMemory;
import dev.tokenmill.ptx.exec.Interpreter;
import dev.tokenmill.ptx.exec.LaunchOptions;
import dev.tokenmill.ptx.exec.LaunchReport;
import dev.tokenmill.ptx.parse.PtxLoadException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link Driver} of the PTX emulator: the same PTX, launched by the same launchers, executed by tokenmill's
 * interpreter ({@code dev.tokenmill.ptx}) on the CPU. Device memory is one {@link GlobalMemory} (host copies mark
 * their bytes initialized, so initcheck sees what no one wrote); modules are {@link PtxModule}s; a launch runs when it
 * is enqueued, CTAs in parallel on the interpreter's workers, so a stream is an in-order queue that is always drained
 * and synchronizing waits for nothing. Graphs record their launches and replay them. Events exist, so that code
 * written for a GPU runs, but refuse to time ({@link #cannotTime()}): the emulator measures nothing.
 *
 * <p>Every launch's report (its counters and its findings) is kept until {@link #takeRuns()} hands it over, which
 * is how findings fail an op's verification and counters reach {@code op}.
 */
final class EmuDriver implements Driver {
    /**
     * The SM count launchers size their grids by. Eight, as a small sm_80-class part (Jetson AGX Orin's GPU has 16,
     * an A100 108): on the small shapes the emulator runs, the launchers then take every path a real GPU takes at
     * model shapes (gemv splits K when N <= 60 and K holds at least 1024 vectors; decode cuts sequences into chunks
     * of 64 to 1024 tokens while batch x KV heads x chunks stays within 32; the copy probe's grid, capped at 64
     * CTAs, loops over buffers beyond 1 MiB), while grids stay at tens of CTAs. With an A100's 108 SMs every small
     * decode would be cut into 64-token chunks, and a peak probe would run 432 blocks.
     */
    static final int SMS = 8;
    /** Compute capability: the packaged PTX targets sm_80, and the interpreter executes its instruction set. */
    static final int CC = 80;
    /**
     * Warp instructions one CTA may execute before the interpreter stops it as a runaway: about a minute of
     * interpretation, over a hundred times what the largest CTA of any kernel at model shapes executes (a linear
     * CTA at K = 28672 runs about 1.4 million).
     */
    static final long MAX_WARP_INSTRUCTIONS_PER_CTA = 1L << 28;
    /** Host copies go through the interpreter's memory in slices of this many bytes (each a temporary array). */
    private static final int COPY_SLICE = 1 << 24;
    /** Parsed modules by text, shared by every emulator in the JVM (a module is immutable; parsing takes ~0.1 s). */
    private static final Map<String, PtxModule> PARSED = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override protected boolean removeEldestEntry(Map.Entry<String, PtxModule> eldest) { return size() > 32; }
    });

    private final Interpreter interpreter;
    private final GlobalMemory memory = new GlobalMemory();
    /** Bytes the emulated device holds: its allocations live on the Java heap. */
    private final long capacity;
    private final DeviceProperties properties;
    private final Map<Long, Long> allocations = new HashMap<>();
    private final List<KernelRun> runs = new ArrayList<>();
    private long allocated;
    private boolean closed;

    private EmuDriver(LaunchOptions options, long capacity) {
        this.interpreter = new Interpreter(options);
        this.capacity = capacity;
        this.properties = describe(options, capacity);
    }

    /**
     * An emulated device whose memory may take half the Java heap (the interpreter keeps each allocation in a byte
     * array with an initialized bit per byte; the other half is for the host's operands and the reference).
     */
    static EmuDriver open() {
        return new EmuDriver(LaunchOptions.defaults().withInstructionLimit(MAX_WARP_INSTRUCTIONS_PER_CTA),
                Runtime.getRuntime().maxMemory() / 2);
    }

    private static DeviceProperties describe(LaunchOptions options, long capacity) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("what", "tokenmill's PTX interpreter on this CPU: runs the packaged PTX through the CUDA launchers, "
                + "checks every access, barrier and warp collective like compute-sanitizer and counts like Nsight "
                + "Compute; correctness and counters, never timings");
        p.put("cc", CC / 10 + "." + CC % 10);
        p.put("sms", SMS);
        p.put("memory_bytes", capacity);
        p.put("shared_memory_per_block_bytes", Inspection.OCCUPANCY_SM.maxSharedPerCta());
        p.put("occupancy_model", Inspection.OCCUPANCY_SM.name());
        p.put("interpreter_threads", options.parallelism());
        p.put("checks", "memcheck, racecheck (shared memory, between warps), synccheck, cp.async, initcheck"
                + (options.racecheck() && options.initcheck() ? "" : " (some off)"));
        return new DeviceProperties(CC, SMS, Inspection.OCCUPANCY_SM.maxSharedPerCta(),
                new DeviceInfo("emu", "tokenmill PTX emulator (sm_80, " + SMS + " SMs)", "emu-sm80", p));
    }

    @Override public DeviceProperties properties() { return properties; }

    /** Whether the interpreter can execute every statement of {@code ptx} (an unsupported one names itself). */
    @Override public Optional<String> cannotLoad(PtxSource ptx) {
        try {
            parse(ptx);
            return Optional.empty();
        } catch (PtxLoadException e) {
            return Optional.of("the PTX emulator cannot run " + ptx.origin() + ": " + e.getMessage());
        }
    }

    @Override public void makeCurrent() {}

    @Override public synchronized long allocate(long bytes) {
        if (bytes > Integer.MAX_VALUE)
            throw new BackendException("the PTX emulator allocates at most 2 GiB at a time, and " + Bytes.text(bytes)
                    + " were asked for: emulate a smaller shape");
        if (allocated + bytes > capacity)
            throw new BackendException("the PTX emulator's device memory (half the Java heap, " + Bytes.text(capacity)
                    + ") cannot take " + Bytes.text(bytes) + " more: emulate a smaller shape, or give Java more heap ("
                    + "TOKENMILL_JAVA_OPTS=-Xmx...)");
        long address = memory.alloc(Math.max(1, bytes));
        allocations.put(address, bytes);
        allocated += bytes;
        return address;
    }

    @Override public synchronized void free(long address) {
        Long bytes = allocations.remove(address);
        if (bytes == null)
            throw new IllegalStateException("freeing device address 0x" + Long.toHexString(address) + ", which is not allocated");
        memory.free(address);
        allocated -= bytes;
    }

    /** Marks the bytes initialized (initcheck): the host wrote them. */
    @Override public void copyToDevice(long address, MemorySegment src) {
        for (long off = 0; off < src.byteSize(); off += COPY_SLICE) {
            int n = (int) Math.min(COPY_SLICE, src.byteSize() - off);
            byte[] slice = src.asSlice(off, n).toArray(ValueLayout.JAVA_BYTE);
            long at = address + off;
            hostAccess(() -> memory.write(at, slice));
        }
    }

    @Override public void copyToHost(MemorySegment dst, long address) {
        for (long off = 0; off < dst.byteSize(); off += COPY_SLICE) {
            int n = (int) Math.min(COPY_SLICE, dst.byteSize() - off);
            long at = off;
            hostAccess(() -> MemorySegment.copy(memory.read(address + at, n), 0, dst, ValueLayout.JAVA_BYTE, at, n));
        }
    }

    @Override public synchronized long freeMemory() { return capacity - allocated; }

    /** Launches ran when they were enqueued: nothing is pending. */
    @Override public void synchronize() {}

    @Override public Module load(PtxSource ptx) {
        try {
            return new EmuModule(ptx.family(), parse(ptx));
        } catch (PtxLoadException e) {
            throw new BackendException("the PTX emulator cannot run " + ptx.origin() + ": " + e.getMessage());
        }
    }

    @Override public Stream createStream() { return new EmuStream(); }

    @Override public Event createEvent() { return new EmuEvent(); }

    /** Records the launches {@code launches} enqueues on {@code stream}; the graph replays them in order. */
    @Override public Graph capture(Stream stream, Runnable launches) {
        EmuStream s = (EmuStream) stream;
        List<Runnable> recorded = new ArrayList<>();
        s.capturing = recorded;
        try {
            launches.run();
        } finally {
            s.capturing = null;
        }
        return new EmuGraph(List.copyOf(recorded));
    }

    @Override public Optional<String> cannotTime() {
        return Optional.of("the emu backend runs the PTX in tokenmill's interpreter on the CPU: it verifies, checks and "
                + "counts, and measures no time");
    }

    @Override public boolean inspects() { return true; }

    @Override public synchronized List<KernelRun> takeRuns() {
        List<KernelRun> taken = List.copyOf(runs);
        runs.clear();
        return taken;
    }

    /** Stops the interpreter's workers; the emulated memory goes with this driver. */
    @Override public synchronized void close() {
        if (closed) return;
        closed = true;
        interpreter.close();
    }

    private static PtxModule parse(PtxSource ptx) {
        PtxModule m = PARSED.get(ptx.text());
        if (m == null) {
            m = PtxModule.load(ptx.origin(), ptx.text());
            PARSED.put(ptx.text(), m);
        }
        return m;
    }

    /** A host copy outside the allocations is a bug of the caller, reported as the driver would report it. */
    private static void hostAccess(Runnable copy) {
        try {
            copy.run();
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("an emulated memory copy failed: " + e.getMessage(), e);
        }
    }

    private synchronized void ran(KernelRun run) { runs.add(run); }

    private final class EmuModule implements Module {
        private final String family;
        private final PtxModule module;

        EmuModule(String family, PtxModule module) {
            this.family = family;
            this.module = module;
        }

        @Override public Optional<Function> function(String name) {
            if (!module.kernelNames().contains(name)) return Optional.empty();
            return Optional.of(new EmuFunction(family, module.kernel(name)));
        }

        @Override public void close() {}
    }

    private final class EmuFunction implements Function {
        /** Dynamic shared memory a launch may use without opting in, as on a GPU. */
        private static final int DEFAULT_DYNAMIC_SHARED = 48 * 1024;

        private final String family;
        private final Kernel kernel;
        private int sharedLimit = DEFAULT_DYNAMIC_SHARED;

        EmuFunction(String family, Kernel kernel) {
            this.family = family;
            this.kernel = kernel;
        }

        @Override public void setMaxDynamicSharedBytes(int bytes) {
            int most = properties.sharedMemoryPerBlock() - kernel.staticShared();
            if (bytes > most)
                throw new BackendException("allowing " + kernel.name() + " " + bytes + " bytes of dynamic shared memory: "
                        + "the emulated sm_80 allows " + most + " beside its " + kernel.staticShared() + " static bytes");
            sharedLimit = bytes;
        }

        /** Runs now (or, while its stream is captured, records the launch): a stream's work never waits. */
        @Override public void launch(Dim3 grid, Dim3 block, int sharedBytes, Stream stream, KernelArgs args) {
            byte[] params = params(args);
            Runnable run = () -> run(grid, block, sharedBytes, params);
            EmuStream s = (EmuStream) stream;
            if (s.capturing != null) s.capturing.add(run);
            else run.run();
        }

        private void run(Dim3 grid, Dim3 block, int sharedBytes, byte[] params) {
            if (sharedBytes > sharedLimit)
                throw new BackendException("launching " + kernel.name() + " with " + sharedBytes + " bytes of dynamic "
                        + "shared memory, above the " + sharedLimit + " it was allowed (CUDA_ERROR_INVALID_VALUE on a GPU)");
            LaunchReport report;
            try {
                report = kernel.launch(interpreter, ptx(grid), ptx(block), sharedBytes, params, memory);
            } catch (IllegalArgumentException e) {
                throw new BackendException("launching " + kernel.name() + " grid " + grid + " block " + block + " shared "
                        + sharedBytes + " B failed as on a GPU: " + e.getMessage());
            }
            ran(new KernelRun(family, report));
        }

        /** The typed arguments laid out as the entry's parameter space, as cuLaunchKernel lays them out. */
        private byte[] params(KernelArgs args) {
            KernelParams p = kernel.newParams();
            List<KernelArgs.Value> values = args.values();
            if (values.size() != kernel.params().size())
                throw new BackendException(kernel.name() + " declares " + kernel.params().size() + " parameters, the "
                        + "launcher passes " + values.size());
            for (int i = 0; i < values.size(); i++) {
                if (values.get(i).bytes() != kernel.params().get(i).size())
                    throw new BackendException(kernel.name() + " parameter " + i + " is " + kernel.params().get(i).size()
                            + " bytes, the launcher passes " + values.get(i).bytes());
                p.set(i, switch (values.get(i)) {
                    case KernelArgs.Address a -> a.value();
                    case KernelArgs.I32 v -> v.value();
                    case KernelArgs.I64 v -> v.value();
                });
            }
            return p.bytes();
        }

        private static dev.tokenmill.ptx.exec.Dim3 ptx(Dim3 d) {
            return dev.tokenmill.ptx.exec.Dim3.of(d.x(), d.y(), d.z());
        }
    }

    private static final class EmuStream implements Stream {
        /** The launches of a capture in progress, or null. */
        private List<Runnable> capturing;

        @Override public void synchronize() {}

        @Override public void close() {}
    }

    /** An event exists and can be recorded, so that GPU code runs; asked for a time, it says why there is none. */
    private final class EmuEvent implements Event {
        @Override public void record(Stream stream) {}

        @Override public float millisSince(Event start) { throw new BackendException(cannotTime().orElseThrow()); }

        @Override public void close() {}
    }

    private record EmuGraph(List<Runnable> launches) implements Graph {
        @Override public void launch(Stream stream) { launches.forEach(Runnable::run); }

        @Override public void close() {}
    }
}
