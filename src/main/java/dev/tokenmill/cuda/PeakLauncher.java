package dev.tokenmill.cuda;

import dev.tokenmill.backend.PeakCheck;
import dev.tokenmill.backend.PeakProbe;
import dev.tokenmill.op.DType;
import dev.tokenmill.reference.Verification;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * probe.cu's compute-peak loops (kernels/ABI.md): f32 FMA on the CUDA cores, mma.sync m16n8k16 with fp32
 * accumulators on the tensor cores for f16 and bf16, as the linear and prefill kernels use them. One wave of
 * {@link #BLOCKS_PER_SM} blocks on every SM; the iteration count is calibrated so that a call lasts
 * {@link #CALL_SECONDS}, and calls are timed with events around back-to-back launches: the host enqueues a launch
 * in microseconds, so the device runs them without gaps and launch overhead stays out of the figure.
 */
final class PeakLauncher implements PeakProbe {
    static final String FAMILY = "probe";
    /** The ABI of every probe kernel: block size, fp32 slots per thread, gain per slot and FLOPs per thread per iteration. */
    static final int THREADS = 256, SLOTS = 32, GAIN = 16, FLOPS_PER_ITERATION = 1024;
    /** Resident on every sm_80+ SM (1536 or 2048 threads each; the kernels are built for 4 blocks of 64 registers). */
    static final int BLOCKS_PER_SM = 4;
    /** The probe's operands: each iteration adds 16·A·B to every slot. */
    static final int A = 1, B = 2;
    /** Device time per call: long enough that a microsecond of launch gap is noise, short enough to sample often. */
    static final double CALL_SECONDS = 2e-3;
    /**
     * Iterations per call on a driver that cannot time (the PTX emulator), where nothing calibrates them: one trip of
     * the loop that nvcc unrolled four times in the mma probes' PTX and three of its remainder loop, so both run.
     */
    static final int UNTIMED_ITERATIONS = 7;

    private final CudaDevice device;
    private final DType dtype;
    private final KernelFunction function;
    private final int blocks;
    private final DeviceBuffer out;
    private final Driver.Stream stream;
    private final Driver.Event start, stop;
    private int iters = 256;

    private PeakLauncher(CudaDevice device, DType dtype, KernelFunction function, DeviceBuffer out, Driver.Stream stream,
                         Driver.Event start, Driver.Event stop) {
        this.device = device;
        this.dtype = dtype;
        this.function = function;
        this.blocks = BLOCKS_PER_SM * device.sms();
        this.out = out;
        this.stream = stream;
        this.start = start;
        this.stop = stop;
    }

    /** The entry point for {@code dtype}. */
    static String kernel(DType dtype) {
        return switch (dtype) {
            case F32 -> "tm_probe_fma_f32";
            case F16 -> "tm_probe_mma_f16";
            case BF16 -> "tm_probe_mma_bf16";
        };
    }

    /**
     * Allocates the output, then calibrates the iteration count where the driver times; frees everything when a step
     * fails.
     */
    static PeakLauncher prepare(CudaDevice device, DType dtype) {
        device.makeCurrent();
        List<AutoCloseable> made = new ArrayList<>();
        try {
            KernelFunction f = device.module(FAMILY).function(kernel(dtype));
            long bytes = (long) Float.BYTES * SLOTS * THREADS * BLOCKS_PER_SM * device.sms();
            Driver driver = device.driver();
            DeviceBuffer out = keep(made, DeviceBuffer.allocate(driver, bytes));
            Driver.Stream stream = keep(made, driver.createStream());
            Driver.Event start = keep(made, driver.createEvent()), stop = keep(made, driver.createEvent());
            PeakLauncher p = new PeakLauncher(device, dtype, f, out, stream, start, stop);
            if (driver.cannotTime().isEmpty()) p.calibrate();
            else p.iters = UNTIMED_ITERATIONS;
            return p;
        } catch (RuntimeException e) {
            RuntimeException cleanup = Resources.closeAll(made.reversed());
            if (cleanup != null) e.addSuppressed(cleanup);
            throw e;
        }
    }

    /** Scales the iteration count to {@link #CALL_SECONDS}, within what keeps every slot exact. */
    private void calibrate() {
        secondsPerCall(1); // the first launch also pays for the module's first use
        double seconds = secondsPerCall(2);
        long want = (long) Math.ceil(iters * CALL_SECONDS / Math.max(seconds, 1e-7));
        iters = (int) Math.clamp(want, 1, PeakCheck.maxSteps(SLOTS, (double) GAIN * A * B));
    }

    @Override public DType dtype() { return dtype; }

    @Override public String variant() { return dtype == DType.F32 ? "cuda.probe.fma.f32" : "cuda.probe.mma." + dtype.id(); }

    @Override public String description() {
        String loop = dtype == DType.F32 ? "f32 FMA on the CUDA cores, 32 independent chains per thread"
                : "mma.sync m16n8k16 " + dtype.id() + " with fp32 accumulators on the tensor cores, 8 independent tiles per warp";
        return loop + ", " + BLOCKS_PER_SM * THREADS + " threads on each of " + device.sms() + " SMs, registers only";
    }

    @Override public double flopsPerCall() { return (double) FLOPS_PER_ITERATION * iters * THREADS * blocks; }

    /**
     * One call on outputs poisoned with NaN, then every slot of every thread against its exact value; on an inspecting
     * driver (the PTX emulator) any finding fails it too.
     */
    @Override public Verification verify() {
        device.makeCurrent();
        int threads = THREADS * blocks;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(out.bytes(), Float.BYTES);
            host.fill((byte) 0xFF); // 0xFFFFFFFF is a NaN: a slot the kernel does not write fails
            out.upload(host);
            device.synchronize();
            device.settle();
            launch();
            stream.synchronize();
            out.download(host);
            return device.judge(PeakCheck.check(host.toArray(ValueLayout.JAVA_FLOAT), SLOTS, threads,
                    (double) GAIN * A * B * iters)).verification();
        }
    }

    @Override public double secondsPerCall(int calls) {
        if (calls < 1) throw new IllegalArgumentException("calls must be >= 1, got " + calls);
        device.makeCurrent();
        launch(); // untimed: the device is busy when the start event is enqueued, so the event does not wait for the host
        start.record(stream);
        for (int i = 0; i < calls; i++) launch();
        stop.record(stream);
        return stop.millisSince(start) * 1e-3 / calls;
    }

    private void launch() {
        function.launch(Dim3.of(blocks), Dim3.of(THREADS), 0, stream, new KernelArgs().ptr(out).i32(iters).i32(A).i32(B));
    }

    @Override public void close() {
        device.makeCurrent();
        RuntimeException failure = Resources.closeAll(List.of(stop, start, stream, out));
        if (failure != null) throw failure;
    }

    private static <T extends AutoCloseable> T keep(List<AutoCloseable> made, T resource) {
        made.add(resource);
        return resource;
    }
}
