package dev.tokenmill.cuda;

import dev.tokenmill.backend.KernelCounters;
import dev.tokenmill.tensor.Operands;
import dev.tokenmill.backend.PrepareOptions;
import dev.tokenmill.backend.PreparedOp;
import dev.tokenmill.op.OpSpec;
import dev.tokenmill.reference.Verification;
import dev.tokenmill.reference.Verifier;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * An op ready on the device: rotating operand sets in device memory (seeded as the CPU backend seeds them), one
 * kernel launcher, a stream and two timing events.
 *
 * <p>Timing ({@link #secondsPerCall}) is device time between two events around replays of one CUDA graph of whole
 * rotations through the sets: time per call = replay time / calls in the replays. Host launch overhead (several
 * microseconds per launch through JNI, more than short kernels take) stays out of it in two ways: inside a graph
 * the device runs the calls back to back however slow the host is; and untimed filler work runs first, long enough
 * that the host has enqueued the start event, every timed replay and the stop event before the device reaches the
 * start (an idle device would stamp the start event and then wait for the host). Fillers are sized from the
 * previous timing (the device time of a replay, the host time the timed section took to enqueue), so the first
 * timing after preparing is the least exact; callers warm up. The graph is captured at the first timing and sized
 * then: whole rotations, at least {@link #MIN_REPLAY_SECONDS} of device time.
 */
final class CudaPreparedOp implements PreparedOp {
    /**
     * The share of the device's free memory the rotating sets may take. The rest stays for verification's fresh set
     * (never larger than the rotation), kernel workspaces, the driver and other processes on the device; and more
     * sets than this only lengthen set-up, since the working-set goal is a few times the L2.
     */
    static final double ROTATION_SHARE_OF_FREE_MEMORY = 0.5;
    /**
     * Device time of one graph replay at the least: far above a graph launch's host cost and the events' resolution
     * (about 0.5 us), and short enough that one JMH invocation (one replay) stays short.
     */
    static final double MIN_REPLAY_SECONDS = 100e-6;
    /** Device time the fillers cover at the least: more than the host takes to enqueue one event and one replay. */
    private static final double FILLER_SECONDS = 20e-6;
    /** The fillers cover this many times the host time the previous timed section took to enqueue. */
    private static final double ENQUEUE_MARGIN = 2;
    /**
     * No fillers when the timed section lasts this many times what they would cover: an idle gap of the host's
     * enqueue time would then be under 0.1% of the timing, and a filler of a slow kernel would double its cost.
     */
    private static final double NO_FILLERS_RATIO = 1000;
    /** Bounds on filler replays and on a graph's calls, for an estimate gone wrong (a replay timed as 0 ms). */
    private static final int MAX_FILLER_REPLAYS = 4096, MAX_GRAPH_CALLS = 1 << 16;

    private final CudaDevice device;
    private final OpSpec spec;
    private final CudaKernel kernel;
    private final long verificationSeed;
    private final Driver.Stream stream;
    private final Driver.Event start, stop;
    private final List<DeviceOperands> sets;
    /** The host's clock, to see how long enqueueing a timed section took; tests pass a fake device's. */
    private final LongSupplier hostNanos;
    private Driver.Graph graph;
    private int graphCalls, next;
    /** What an inspecting driver counted in the last verification. */
    private Optional<KernelCounters> counters = Optional.empty();
    /** Device seconds of one replay, and host seconds the last timed section took to enqueue. */
    private double replaySeconds = Double.NaN, enqueueSeconds;

    private CudaPreparedOp(CudaDevice device, OpSpec spec, CudaKernel kernel, long verificationSeed, Driver.Stream stream,
                           Driver.Event start, Driver.Event stop, List<DeviceOperands> sets, LongSupplier hostNanos) {
        this.device = device;
        this.spec = spec;
        this.kernel = kernel;
        this.verificationSeed = verificationSeed;
        this.stream = stream;
        this.start = start;
        this.stop = stop;
        this.sets = sets;
        this.hostNanos = hostNanos;
    }

    static CudaPreparedOp prepare(CudaDevice device, OpSpec spec, PrepareOptions options) {
        return prepare(device, spec, options, System::nanoTime);
    }

    /**
     * Uploads as many operand sets as {@code options} asks for (seeded by {@link PrepareOptions#setSeed}, as on the
     * CPU), fewer when they would take more than {@link #ROTATION_SHARE_OF_FREE_MEMORY} of the free device memory
     * (one at the least); frees everything when any step fails.
     */
    static CudaPreparedOp prepare(CudaDevice device, OpSpec spec, PrepareOptions options, LongSupplier hostNanos) {
        device.makeCurrent();
        List<AutoCloseable> made = new ArrayList<>();
        try {
            CudaKernel kernel = keep(made, CudaKernels.of(spec, device));
            Driver driver = device.driver();
            Driver.Stream stream = keep(made, driver.createStream());
            Driver.Event start = keep(made, driver.createEvent()), stop = keep(made, driver.createEvent());
            long rotationBudget = (long) (device.freeMemory() * ROTATION_SHARE_OF_FREE_MEMORY);
            List<DeviceOperands> sets = new ArrayList<>();
            sets.add(keep(made, uploadSet(driver, spec, options.setSeed(0))));
            long setBytes = sets.getFirst().bytes();
            int count = (int) Math.max(1, Math.min(options.sets(setBytes), rotationBudget / setBytes));
            for (int i = 1; i < count; i++) sets.add(keep(made, uploadSet(driver, spec, options.setSeed(i))));
            device.synchronize(); // the copies may still be landing; launches go to our own stream
            return new CudaPreparedOp(device, spec, kernel, options.verificationSeed(), stream, start, stop, sets, hostNanos);
        } catch (RuntimeException e) {
            RuntimeException cleanup = Resources.closeAll(made.reversed());
            if (cleanup != null) e.addSuppressed(cleanup);
            throw e;
        }
    }

    private static DeviceOperands uploadSet(Driver driver, OpSpec spec, long seed) {
        try (Operands host = Operands.create(spec, seed)) {
            return DeviceOperands.upload(driver, host);
        }
    }

    @Override public OpSpec spec() { return spec; }

    @Override public String variant() { return kernel.variant(); }

    @Override public int sets() { return sets.size(); }

    /** The outputs against the reference; on an inspecting driver (the PTX emulator) any finding fails it too. */
    @Override public Verification verify() {
        device.makeCurrent();
        try (Operands host = Operands.create(spec, verificationSeed); DeviceOperands d = DeviceOperands.upload(device.driver(), host)) {
            device.synchronize();
            device.settle();
            kernel.launch(d, stream);
            stream.synchronize();
            d.downloadOutputs(host);
            CudaDevice.Judged judged = device.judge(Verifier.check(host));
            counters = judged.counters();
            return judged.verification();
        }
    }

    @Override public Optional<KernelCounters> counters() { return counters; }

    @Override public void run() {
        device.makeCurrent();
        launchNext();
        stream.synchronize();
    }

    /**
     * Device time between two CUDA events, never the host's clock (see the class comment); {@code none} on a driver
     * whose events cannot time (the PTX emulator).
     */
    @Override public String clock() { return device.driver().cannotTime().isPresent() ? "none" : "device_events"; }

    /** Whole graph replays: {@code calls} rounded up to a multiple of the graph's calls (captured here if not yet). */
    @Override public int timedCalls(int calls) {
        if (calls < 1) throw new IllegalArgumentException("calls must be >= 1, got " + calls);
        device.makeCurrent();
        rotations();
        return Math.multiplyExact(CudaKernel.ceilDiv(calls, graphCalls), graphCalls);
    }

    /** Device seconds per call over {@link #timedCalls}{@code (calls)} calls: whole replays of the graph. */
    @Override public double secondsPerCall(int calls) {
        int replays = timedCalls(calls) / graphCalls;
        Driver.Graph rotations = rotations();
        fill(replays);
        long enqueueStart = hostNanos.getAsLong();
        start.record(stream);
        for (int i = 0; i < replays; i++) rotations.launch(stream);
        stop.record(stream);
        enqueueSeconds = (hostNanos.getAsLong() - enqueueStart) * 1e-9;
        double seconds = stop.millisSince(start) * 1e-3;
        replaySeconds = seconds / replays;
        return seconds / ((long) replays * graphCalls);
    }

    /**
     * Enqueues untimed work that keeps the device busy while the host enqueues the timed section of {@code replays}
     * replays (see the class comment): one call when a call outlasts what is to be covered, else whole replays.
     */
    private void fill(int replays) {
        double cover = Math.max(FILLER_SECONDS, ENQUEUE_MARGIN * enqueueSeconds);
        if (replays * replaySeconds >= NO_FILLERS_RATIO * cover) return;
        if (replaySeconds / graphCalls >= cover) {
            kernel.launch(sets.getLast(), stream); // the set before the first timed call's, so the rotation goes on
            return;
        }
        int fillers = (int) Math.clamp(Math.ceil(cover / replaySeconds), 1, MAX_FILLER_REPLAYS);
        for (int i = 0; i < fillers; i++) graph.launch(stream);
    }

    private void launchNext() {
        kernel.launch(sets.get(next), stream);
        next = (next + 1) % sets.size();
    }

    /**
     * The graph of whole rotations through the sets, captured once for all timings. It is sized first: starting
     * from one rotation, a graph is captured and one replay timed, and the graph grows until a replay lasts
     * {@link #MIN_REPLAY_SECONDS}, so that a replay outlasts its own launch and untimed replays can run ahead of the
     * host. Those first replays run on an idle device, so they are timed with the launch gap and their length is
     * an upper bound: the graph grows at least twofold each time, the gap shrinks against it.
     */
    private Driver.Graph rotations() {
        if (graph != null) return graph;
        int calls = sets.size(), maxCalls = Math.max(1, MAX_GRAPH_CALLS / sets.size()) * sets.size();
        while (true) {
            Driver.Graph g = capture(calls);
            double seconds;
            try {
                start.record(stream);
                g.launch(stream);
                stop.record(stream);
                seconds = stop.millisSince(start) * 1e-3;
            } catch (RuntimeException e) { // a faulted kernel, or events that cannot time (the emulator's)
                RuntimeException cleanup = Resources.closeAll(List.of(g));
                if (cleanup != null) e.addSuppressed(cleanup);
                throw e;
            }
            if (seconds >= MIN_REPLAY_SECONDS || calls >= maxCalls) {
                graph = g;
                graphCalls = calls;
                replaySeconds = seconds;
                return graph;
            }
            g.close();
            double grow = Math.max(2, Math.ceil(MIN_REPLAY_SECONDS / Math.max(seconds, 1e-9)));
            calls = (int) Math.min(Math.ceil(grow * calls / sets.size()) * sets.size(), maxCalls);
        }
    }

    private Driver.Graph capture(int calls) {
        return device.driver().capture(stream, () -> {
            for (int i = 0; i < calls; i++) kernel.launch(sets.get(i % sets.size()), stream);
        });
    }

    @Override public void close() {
        device.makeCurrent();
        List<AutoCloseable> all = new ArrayList<>(sets);
        if (graph != null) all.add(graph);
        all.addAll(List.of(start, stop, stream, kernel));
        RuntimeException failure = Resources.closeAll(all.reversed());
        if (failure != null) throw failure;
    }

    private static <T extends AutoCloseable> T keep(List<AutoCloseable> made, T resource) {
        made.add(resource);
        return resource;
    }
}
