package dev.tokenmill.cuda;

import dev.tokenmill.tensor.Operands;
import dev.tokenmill.backend.PrepareOptions;
import dev.tokenmill.backend.PreparedOp;
import dev.tokenmill.op.OpSpec;
import dev.tokenmill.reference.Verification;
import dev.tokenmill.reference.Verifier;

import java.util.ArrayList;
import java.util.List;

/**
 * An op ready on the GPU: rotating operand sets in device memory (seeded as the CPU backend seeds them), one
 * kernel launcher, a stream and two timing events.
 *
 * <p>Timing ({@link #secondsPerCall}) is device time between two events. Two things keep host launch overhead
 * out of it: untimed filler calls run first, so the device is busy while the start event and the timed work are
 * enqueued (an idle device would stamp the start event and then wait for the launch); and whole rotations of
 * calls are replayed as one CUDA graph, so the device runs them back to back however slow the host is.
 */
final class CudaPreparedOp implements PreparedOp {
    /** Free memory left for verification's fresh operand set beyond the rotating sets, and for the driver. */
    private static final long MEMORY_MARGIN = 256L << 20;
    /** Launches per graph replay at the least; the graph is whole rotations through the sets. */
    private static final int MIN_GRAPH_CALLS = 8;
    /** Device time the filler calls should cover: more than it takes the host to enqueue event and launch. */
    private static final double FILLER_SECONDS = 20e-6;

    private final CudaDevice device;
    private final OpSpec spec;
    private final CudaKernel kernel;
    private final long verificationSeed;
    private final Driver.Stream stream;
    private final Driver.Event start, stop;
    private final List<DeviceOperands> sets;
    private Driver.Graph graph;
    private int next;
    private double lastSecondsPerCall = Double.NaN;

    private CudaPreparedOp(CudaDevice device, OpSpec spec, CudaKernel kernel, long verificationSeed, Driver.Stream stream,
                           Driver.Event start, Driver.Event stop, List<DeviceOperands> sets) {
        this.device = device;
        this.spec = spec;
        this.kernel = kernel;
        this.verificationSeed = verificationSeed;
        this.stream = stream;
        this.start = start;
        this.stop = stop;
        this.sets = sets;
    }

    /**
     * Uploads as many operand sets as {@code options} asks for (seeded by {@link PrepareOptions#setSeed}, as on the CPU), fewer when
     * free device memory would not hold them; frees everything when any step fails.
     */
    static CudaPreparedOp prepare(CudaDevice device, OpSpec spec, PrepareOptions options) {
        device.makeCurrent();
        List<AutoCloseable> made = new ArrayList<>();
        try {
            CudaKernel kernel = keep(made, CudaKernels.of(spec, device));
            Driver driver = device.driver();
            Driver.Stream stream = keep(made, driver.createStream());
            Driver.Event start = keep(made, driver.createEvent()), stop = keep(made, driver.createEvent());
            List<DeviceOperands> sets = new ArrayList<>();
            sets.add(keep(made, uploadSet(driver, spec, options.setSeed(0))));
            long setBytes = sets.getFirst().bytes();
            long room = device.freeMemory() - setBytes - MEMORY_MARGIN; // verify() needs one more set
            int count = (int) Math.max(1, Math.min(options.sets(setBytes), 1 + Math.max(0, room) / setBytes));
            for (int i = 1; i < count; i++) sets.add(keep(made, uploadSet(driver, spec, options.setSeed(i))));
            device.synchronize(); // the copies are ordered on the device, not on our stream
            return new CudaPreparedOp(device, spec, kernel, options.verificationSeed(), stream, start, stop, sets);
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

    @Override public Verification verify() {
        device.makeCurrent();
        try (Operands host = Operands.create(spec, verificationSeed); DeviceOperands d = DeviceOperands.upload(device.driver(), host)) {
            device.synchronize();
            kernel.launch(d, stream);
            stream.synchronize();
            d.downloadOutputs(host);
            return Verifier.check(host);
        }
    }

    @Override public void run() {
        device.makeCurrent();
        launchNext();
        stream.synchronize();
    }

    @Override public double secondsPerCall(int calls) {
        if (calls < 1) throw new IllegalArgumentException("calls must be >= 1, got " + calls);
        device.makeCurrent();
        int graphCalls = sets.size() * CudaKernel.ceilDiv(MIN_GRAPH_CALLS, sets.size());
        int replays = calls / graphCalls;
        Driver.Graph rotations = replays > 0 ? graph(graphCalls) : null; // captured before timing starts
        int fillers = Double.isNaN(lastSecondsPerCall) ? 4
                : (int) Math.clamp(Math.ceil(FILLER_SECONDS / lastSecondsPerCall), 1, 64);
        for (int i = 0; i < fillers; i++) launchNext();
        start.record(stream);
        for (int i = 0; i < replays; i++) rotations.launch(stream);
        for (int i = replays * graphCalls; i < calls; i++) launchNext();
        stop.record(stream);
        lastSecondsPerCall = stop.millisSince(start) * 1e-3 / calls;
        return lastSecondsPerCall;
    }

    private void launchNext() {
        kernel.launch(sets.get(next), stream);
        next = (next + 1) % sets.size();
    }

    /** Whole rotations through the sets, captured once. */
    private Driver.Graph graph(int calls) {
        if (graph == null) graph = device.driver().capture(stream, () -> {
            for (int i = 0; i < calls; i++) kernel.launch(sets.get(i % sets.size()), stream);
        });
        return graph;
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
