package dev.tokenmill.testing;

import dev.tokenmill.backend.Availability;
import dev.tokenmill.backend.Backend;
import dev.tokenmill.backend.BackendException;
import dev.tokenmill.backend.DeviceInfo;
import dev.tokenmill.backend.PeakCheck;
import dev.tokenmill.backend.PeakProbe;
import dev.tokenmill.backend.PrepareOptions;
import dev.tokenmill.backend.PreparedOp;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.OpSpec;
import dev.tokenmill.reference.Verification;

import java.util.Map;

/**
 * A test device with known speed, so the measurement layer can be checked end to end without kernels: each call
 * busy-waits for the op's roofline time at {@link #TFLOPS} and {@link #GBS}, and its peak probe for its FLOPs at
 * {@link #TFLOPS}. Registered as a service, so
 * benchmarks find it as {@code -p backend=fake}; {@code fake-wrong} fails verification, {@code fake-offline}
 * is unavailable, {@code fake-broken} throws from verification, {@code fake-crashing} kills its VM.
 */
public class FakeBackend implements Backend {
    public static final double TFLOPS = 50, GBS = 2000;
    public static final long MEMORY_BYTES = 64L << 30;

    private final String name;
    private final boolean correct, available;

    public FakeBackend() { this("fake", true, true); }

    protected FakeBackend(String name, boolean correct, boolean available) {
        this.name = name;
        this.correct = correct;
        this.available = available;
    }

    /** Its output is wrong: every trial must be refused before timing. */
    public static final class Wrong extends FakeBackend {
        public Wrong() { super("fake-wrong", false, true); }
    }

    /** Not usable here. */
    public static final class Offline extends FakeBackend {
        public Offline() { super("fake-offline", true, false); }
    }

    /** Its device takes the whole benchmark VM down when an op is prepared, as a native fault or the OOM killer does. */
    public static final class Crashing extends FakeBackend {
        public Crashing() { super("fake-crashing", true, true); }

        @Override public PreparedOp prepare(OpSpec spec, PrepareOptions options) {
            Runtime.getRuntime().halt(137);
            throw new AssertionError("halted");
        }
    }

    /** Its kernel faults: verification throws, as a GPU's does after an illegal address. Counts its open ops. */
    public static final class Broken extends FakeBackend {
        private static int openOps;

        public Broken() { super("fake-broken", true, true); }

        /** Ops prepared on any Broken backend and not closed yet. */
        public static synchronized int openOps() { return openOps; }

        @Override public PreparedOp prepare(OpSpec spec, PrepareOptions options) {
            PreparedOp op = super.prepare(spec, options);
            synchronized (Broken.class) { openOps++; }
            return new PreparedOp() {
                @Override public OpSpec spec() { return op.spec(); }

                @Override public String variant() { return op.variant(); }

                @Override public int sets() { return op.sets(); }

                @Override public Verification verify() {
                    throw new BackendException("cuStreamSynchronize failed: CUDA_ERROR_ILLEGAL_ADDRESS (an illegal memory access)");
                }

                @Override public void run() { op.run(); }

                @Override public double secondsPerCall(int calls) { return op.secondsPerCall(calls); }

                @Override public void close() {
                    synchronized (Broken.class) { openOps--; }
                }
            };
        }
    }

    @Override public String name() { return name; }

    @Override public Availability availability() {
        return available ? Availability.yes() : Availability.no("the fake device is switched off");
    }

    @Override public DeviceInfo device() {
        return new DeviceInfo(name, "Fake Accelerator 9000", name + "-9000",
                Map.of("memory_bytes", MEMORY_BYTES, "l2_bytes", 1L << 20, "sm_clock_mhz", 1500));
    }

    /** Seconds a call of {@code spec} takes on this device. */
    public static double seconds(OpSpec spec) { return Math.max(spec.flops() / (TFLOPS * 1e12), spec.minBytes() / (GBS * 1e9)); }

    /** A millisecond of FLOPs at {@link #TFLOPS} per call; its check sees two exact slots, or a wrong one on fake-wrong. */
    @Override public PeakProbe preparePeak(DType dtype) {
        return new PeakProbe() {
            @Override public DType dtype() { return dtype; }

            @Override public String variant() { return name + ".probe.fma"; }

            @Override public String description() { return "a busy-wait at the fake's peak"; }

            @Override public double flopsPerCall() { return TFLOPS * 1e9; }

            @Override public Verification verify() {
                return PeakCheck.check(correct ? new float[]{3, 4} : new float[]{3, 5}, 2, 1, 3);
            }

            @Override public double secondsPerCall(int calls) {
                long t0 = System.nanoTime(), end = t0 + calls * 1_000_000L;
                while (System.nanoTime() < end) Thread.onSpinWait();
                return (System.nanoTime() - t0) * 1e-9 / calls;
            }

            @Override public void close() {}
        };
    }

    @Override public PreparedOp prepare(OpSpec spec, PrepareOptions options) {
        int sets = options.sets(spec.minBytes());
        return new PreparedOp() {
            @Override public OpSpec spec() { return spec; }

            @Override public String variant() { return name + ".roofline"; }

            @Override public int sets() { return sets; }

            @Override public Verification verify() {
                return correct ? new Verification(true, 1e-6, 1e-2, 100, "")
                        : new Verification(false, 0.5, 1e-2, 100, "element 7 = 1.5, expected 1.0");
            }

            @Override public void run() {
                long end = System.nanoTime() + (long) (seconds(spec) * 1e9);
                while (System.nanoTime() < end) Thread.onSpinWait();
            }

            @Override public double secondsPerCall(int calls) {
                long t0 = System.nanoTime();
                for (int i = 0; i < calls; i++) run();
                return (System.nanoTime() - t0) * 1e-9 / calls;
            }

            @Override public void close() {}
        };
    }
}
