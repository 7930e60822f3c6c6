package dev.tokenmill.measure;

import dev.tokenmill.report.Ceilings;
import dev.tokenmill.report.Datasheet;
import dev.tokenmill.backend.WorkingSet;
import dev.tokenmill.backend.Backend;
import dev.tokenmill.backend.DeviceInfo;
import dev.tokenmill.backend.PrepareOptions;
import dev.tokenmill.backend.PreparedOp;
import dev.tokenmill.op.CopySpec;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.LinearSpec;
import dev.tokenmill.op.OpSpec;
import dev.tokenmill.reference.Verification;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Measures a backend's {@link Ceilings} on its device: a copy larger than the caches (bandwidth) and a large
 * square linear (compute, per dtype; the backend picks its best kernel for the shape). Each probe is verified
 * before it is timed; one that cannot run is noted, not fatal. The median time per call gives the figure.
 */
public final class CeilingProbe {
    private final Timer timer;
    private final int squareSize;

    /** {@code squareSize}: M = N = K of the compute probe; large enough to be compute-bound on the device. */
    public CeilingProbe(Timer timer, int squareSize) {
        this.timer = timer;
        this.squareSize = squareSize;
    }

    /**
     * The probe sizes a run uses: 8192² on a GPU; 4096² on a CPU, or 2048² for a quick run. The warm-up is long
     * enough for the JIT to compile a CPU kernel fully (a cold probe would read low and fractions above 100%).
     */
    public static CeilingProbe forRun(Backend backend, boolean quick) {
        boolean gpu = !backend.name().equals("cpu");
        Timer timer = quick ? new Timer(1.5, 1.5, 5, 10_000) : new Timer(3.0, 3.0, 10, 100_000);
        return new CeilingProbe(timer, gpu ? 8192 : quick ? 2048 : 4096);
    }

    public Ceilings measure(Backend backend, List<DType> dtypes, Consumer<String> progress) {
        DeviceInfo device = backend.device();
        Map<String, String> notes = new LinkedHashMap<>();
        Map<String, Double> peaks = new LinkedHashMap<>();
        long copyBytes = Math.min(1L << 36, WorkingSet.bytes(device) / 16 * 16);
        Double copyGbs = probe(backend, new CopySpec(copyBytes), "copy", notes, progress);
        for (DType t : dtypes) {
            Double tf = probe(backend, new LinearSpec(squareSize, squareSize, squareSize, t), t.id(), notes, progress);
            if (tf != null) peaks.put(t.id(), tf);
        }
        return new Ceilings(backend.name(), copyGbs, peaks, notes, Datasheet.match(device.name()).orElse(null));
    }

    /** GB/s for a copy, TFLOP/s for a linear; null (with a note) when the probe cannot run or fails its check. */
    private Double probe(Backend backend, OpSpec spec, String key, Map<String, String> notes, Consumer<String> progress) {
        progress.accept("ceiling " + key + ": " + spec.op() + " " + spec.shapeText() + " ...");
        try (PreparedOp op = backend.prepare(spec, PrepareOptions.single())) {
            Verification v = op.verify();
            if (!v.passed()) {
                notes.put(key, "the probe's output failed verification: " + v.summary());
                return null;
            }
            double seconds = timer.time(op).p50Ms() / 1e3;
            double figure = spec.flops() > 0 ? spec.flops() / seconds / 1e12 : spec.minBytes() / seconds / 1e9;
            notes.put(key, op.variant() + " " + spec.shapeText() + ", median of timed calls");
            return figure;
        } catch (RuntimeException e) {
            notes.put(key, "not measured: " + e.getMessage());
            return null;
        }
    }
}
