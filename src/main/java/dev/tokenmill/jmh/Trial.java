package dev.tokenmill.jmh;

import dev.tokenmill.backend.Availability;
import dev.tokenmill.backend.Backend;
import dev.tokenmill.backend.BackendException;
import dev.tokenmill.backend.PrepareOptions;
import dev.tokenmill.backend.PreparedOp;
import dev.tokenmill.backends.BackendCatalog;
import dev.tokenmill.report.Ceilings;
import dev.tokenmill.report.Datasheet;
import dev.tokenmill.backend.MemoryGuard;
import dev.tokenmill.backend.WorkingSet;
import dev.tokenmill.op.OpSpec;
import dev.tokenmill.reference.Verification;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.function.Supplier;

/**
 * One JMH trial of one op: the backend opened, operands prepared (rotating past the caches for bandwidth-bound
 * ops), the kernel verified once before the first timed call, and every call's device time recorded. The trial
 * running in this VM is published for {@link FiguresProfiler}, which turns its recordings into JMH results.
 */
public final class Trial implements AutoCloseable {
    private static volatile Trial current;

    private final Backend backend;
    private final PreparedOp op;
    private final OpSpec spec;
    private final String variant;
    private final Verification verification;
    private final Ceilings ceilings, datasheet;
    /** Device time per call in ns, one value per sample; HdrHistogram's Recorder lets the profiler take interval snapshots safely. */
    private final Recorder latencies = new Recorder(3);
    /** Set by the benchmark thread, read by the profiler's. */
    private volatile int callsPerSample;

    private Trial(Backend backend, PreparedOp op, Verification verification, Ceilings ceilings, Ceilings datasheet) {
        this.backend = backend;
        this.op = op;
        this.spec = op.spec();
        this.variant = op.variant();
        this.verification = verification;
        this.ceilings = ceilings;
        this.datasheet = datasheet;
    }

    /**
     * A trial whose operands rotate among sets larger than the device's caches ({@link WorkingSet}): the figure is a
     * DRAM/HBM figure. For bandwidth-bound ops.
     */
    public static Trial coldCaches(String backendName, Supplier<OpSpec> workload) {
        return start(backendName, workload, true);
    }

    /**
     * A trial on one operand set: for compute-bound ops, whose operands would stay cache-resident anyway, and for ops
     * too small to rotate (a KV append touches a few lines of a whole cache).
     */
    public static Trial oneSet(String backendName, Supplier<OpSpec> workload) {
        return start(backendName, workload, false);
    }

    /**
     * Prepares and verifies the op {@code workload} builds from the benchmark's parameters, on the backend called
     * {@code backendName}; throws {@link SkippedTrial} with the reason when a parameter is invalid, the op cannot
     * run here, or its output is wrong.
     */
    private static Trial start(String backendName, Supplier<OpSpec> workload, boolean coldCaches) {
        OpSpec spec;
        Backend backend;
        try {
            spec = workload.get();
            backend = BackendCatalog.open(backendName);
        } catch (IllegalArgumentException e) {
            throw new SkippedTrial("invalid parameter: " + e.getMessage());
        }
        try {
            Availability a = backend.availability();
            if (!a.available()) throw new SkippedTrial("the " + backend.name() + " backend does not work here: " + a.reason());
            PrepareOptions options = coldCaches ? WorkingSet.coldCaches(backend.device()) : PrepareOptions.single();
            MemoryGuard.check(spec, options, backend.device()).ifPresent(reason -> { throw new SkippedTrial(reason); });
            PreparedOp op = prepare(backend, spec, options);
            try {
                Trial t = verified(backend, op);
                current = t;
                return t;
            } catch (RuntimeException e) { // a wrong output, or a device failure while verifying: free the operands
                try {
                    op.close();
                } catch (RuntimeException closing) {
                    e.addSuppressed(closing);
                }
                throw e;
            }
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    /** The trial of {@code op} once it passed verification; a {@link SkippedTrial} when it did not. */
    private static Trial verified(Backend backend, PreparedOp op) {
        OpSpec spec = op.spec();
        Verification v = op.verify();
        if (!v.passed())
            throw new SkippedTrial("verification failed, not timed: " + spec.op() + " " + spec.shapeText() + " "
                    + spec.dtype().id() + " on " + op.variant() + ": " + v.summary());
        Ceilings c = Ceilings.fromProperty(System.getProperty(Ceilings.PROPERTY));
        Ceilings sheet = Datasheet.match(backend.device().name())
                .map(d -> Ceilings.ofDatasheet(backend.name(), d)).orElse(null);
        return new Trial(backend, op, v, c != null && c.backend().equals(backend.name()) ? c : null, sheet);
    }

    private static PreparedOp prepare(Backend backend, OpSpec spec, PrepareOptions options) {
        try {
            return backend.prepare(spec, options);
        } catch (IllegalArgumentException | UnsupportedOperationException | BackendException e) {
            throw new SkippedTrial(backend.name() + " cannot run " + spec.op() + " " + spec.shapeText()
                    + ": " + e.getMessage());
        }
    }

    /** The trial running (or last run) in this VM, or null. */
    static Trial current() { return current; }

    /**
     * One benchmark invocation: one device-timed sample of the fewest calls the backend times together (one call on
     * the CPU; on a GPU one replay of a CUDA graph of many calls), recorded as the mean time per call.
     */
    public void call() {
        latencies.recordValue(Math.max(1, Math.round(op.secondsPerCall(1) * 1e9)));
        if (callsPerSample == 0) callsPerSample = op.timedCalls(1);
    }

    /** Samples recorded since the last snapshot (ns per call, each the mean over {@link #callsPerSample()} calls). */
    Histogram takeLatencies() { return latencies.getIntervalHistogram(); }

    /** The calls each sample (and each benchmark invocation) covers; 0 before the first. */
    int callsPerSample() { return callsPerSample; }

    OpSpec spec() { return spec; }

    String variant() { return variant; }

    /** What timed the calls: {@code wall_clock} or {@code device_events} ({@link PreparedOp#clock}). */
    String clock() { return op.clock(); }

    Verification verification() { return verification; }

    /** Ceilings measured for this backend by the run that launched this VM, or null. */
    Ceilings ceilings() { return ceilings; }

    /** The device's datasheet peaks as ceilings, or null for a device without a known datasheet. */
    Ceilings datasheet() { return datasheet; }

    /** Stays {@link #current()} after closing: JMH tears a trial down before the profiler reads its last iteration. */
    @Override public void close() {
        try {
            op.close();
        } finally {
            backend.close();
        }
    }
}
