package dev.tokenmill.energy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Samples a GPU's energy counter, clocks, temperature and clock-event reasons on a daemon thread while a measured
 * window is open, and sums each window up as an {@link EnergyReading}:
 * <pre>{@code
 * try (EnergySampler sampler = EnergySampler.open(busId, 0)) {
 *     sampler.measureIdle(2.0);                  // before the first window
 *     EnergyWindow w = sampler.begin();
 *     ... timed calls ...
 *     EnergyReading r = w.end(calls);            // r.energy().joulesPerCall(), r.clocks() ...
 * }
 * }</pre>
 * Without telemetry (no NVML, a CPU backend) the same calls work and every reading is absent with the reason.
 * One window is open at a time; windows must be long (see {@link SamplerSettings#minWindowSeconds()}).
 */
public final class EnergySampler implements AutoCloseable {
    private final GpuTelemetry telemetry;      // null when unavailable
    private final String unavailableReason;
    private final SamplerSettings settings;
    private final WindowAnalysis analysis;
    private EnergyReading idle;
    private Double idleWatts;
    private Window open;

    private EnergySampler(GpuTelemetry telemetry, String unavailableReason, SamplerSettings settings) {
        this.telemetry = telemetry;
        this.unavailableReason = unavailableReason;
        this.settings = settings;
        this.analysis = new WindowAnalysis(settings);
    }

    /**
     * A sampler for the GPU at {@code pciBusId} (as CUDA reports it; null to go by index), read through NVML.
     * Never throws: without NVML or the device, the sampler is unavailable and says why.
     */
    public static EnergySampler open(String pciBusId, int fallbackIndex) {
        NvmlTelemetry.Opened opened = NvmlTelemetry.open(pciBusId, fallbackIndex);
        return opened.available() ? of(opened.telemetry(), SamplerSettings.standard())
                : unavailable(opened.unavailableReason());
    }

    public static EnergySampler of(GpuTelemetry telemetry, SamplerSettings settings) {
        if (telemetry == null || settings == null) throw new IllegalArgumentException("telemetry and settings are required");
        return new EnergySampler(telemetry, "", settings);
    }

    /** A sampler with nothing to read (e.g. the CPU backend): every reading is absent for {@code reason}. */
    public static EnergySampler unavailable(String reason) {
        return new EnergySampler(null, reason, SamplerSettings.standard());
    }

    public boolean available() { return telemetry != null; }

    /** Why there is no telemetry; empty when there is. */
    public String unavailableReason() { return unavailableReason; }

    /** The telemetry's device name and how it was matched, for the result file; null when unavailable. */
    public String device() { return telemetry == null ? null : telemetry.deviceName() + " (" + telemetry.match() + ")"; }

    /**
     * Records the idle baseline: a window of {@code seconds} in which the caller runs nothing on the GPU. Later
     * readings carry it and the energy above it. Call it before the first measured window.
     */
    public EnergyReading measureIdle(double seconds) {
        if (!(seconds > 0)) throw new IllegalArgumentException("idle seconds must be > 0, got " + seconds);
        Window w = (Window) begin();
        long deadline = w.beganNanos + (long) (seconds * 1e9);
        while (System.nanoTime() < deadline) LockSupport.parkNanos(deadline - System.nanoTime());
        EnergyReading reading = w.finish(0);
        idle = reading;
        idleWatts = reading.energy() == null ? null : reading.energy().averageWatts();
        return reading;
    }

    /**
     * Takes an idle baseline measured elsewhere instead of measuring one: a benchmark VM forked by a run uses the
     * baseline the run measured once before its first suite.
     */
    public void useIdleWatts(double watts) {
        if (!(watts >= 0) || Double.isInfinite(watts)) throw new IllegalArgumentException("idle watts must be >= 0, got " + watts);
        idleWatts = watts;
    }

    /** The idle baseline, or null before {@link #measureIdle} (or when it gave no energy figure). */
    public EnergyReading idle() { return idle; }

    /** Opens a window and starts sampling. */
    public synchronized EnergyWindow begin() {
        if (open != null) throw new IllegalStateException("a window is already open: end it before beginning another");
        open = new Window();
        return open;
    }

    @Override public synchronized void close() {
        if (open != null) open.stopSampling();
        open = null;
        if (telemetry != null) telemetry.close();
    }

    private synchronized void closed(Window w) {
        if (open == w) open = null;
    }

    private final class Window implements EnergyWindow, Runnable {
        private final long beganNanos = System.nanoTime();
        private final List<TelemetrySample> samples = new ArrayList<>();
        private final Thread thread;
        private volatile boolean stop;
        private boolean ended;

        Window() {
            if (telemetry == null) {
                thread = null;
                return;
            }
            samples.add(telemetry.read());
            thread = Thread.ofPlatform().daemon().name("tokenmill-energy-sampler").start(this);
        }

        /** The sampling thread: owns {@link #samples} until it is joined. */
        @Override public void run() {
            long period = settings.period().toNanos();
            while (!stop) {
                LockSupport.parkNanos(period);
                if (!stop) samples.add(telemetry.read());
            }
        }

        void stopSampling() {
            if (thread == null) return;
            stop = true;
            LockSupport.unpark(thread);
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override public EnergyReading end(long calls) {
            if (calls < 1) throw new IllegalArgumentException("calls must be >= 1, got " + calls);
            return finish(calls);
        }

        synchronized EnergyReading finish(long calls) {
            if (ended) throw new IllegalStateException("this window has already ended");
            ended = true;
            stopSampling();
            closed(this);
            if (telemetry == null)
                return EnergyReading.unavailable((System.nanoTime() - beganNanos) / 1e9, calls, unavailableReason);
            samples.add(telemetry.read());
            return analysis.analyse(telemetry, samples, calls, idleWatts);
        }
    }
}
