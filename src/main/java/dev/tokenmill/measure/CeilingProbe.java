package dev.tokenmill.measure;

import dev.tokenmill.backend.Backend;
import dev.tokenmill.backend.DeviceInfo;
import dev.tokenmill.backend.PeakProbe;
import dev.tokenmill.backend.PrepareOptions;
import dev.tokenmill.backend.PreparedOp;
import dev.tokenmill.backend.WorkingSet;
import dev.tokenmill.op.CopySpec;
import dev.tokenmill.op.DType;
import dev.tokenmill.reference.Verification;
import dev.tokenmill.report.Ceilings;
import dev.tokenmill.report.Datasheet;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Measures a backend's {@link Ceilings} on its device with probes that are not the kernels the run's records time:
 * a copy larger than the caches (bandwidth) and, per dtype, the backend's compute-peak probe (a register-resident
 * FMA or MMA loop, {@link PeakProbe}). Each probe is verified before it is timed; one that cannot run is noted, not
 * fatal. The median time per call gives the figure. Dtypes whose probes share a loop share its measurement.
 */
public final class CeilingProbe {
    private final Timer timer;

    public CeilingProbe(Timer timer) { this.timer = timer; }

    /**
     * The timer a run uses. The warm-up is long enough for the JIT to compile a CPU probe fully (a cold probe would
     * read low and fractions above 100%).
     */
    public static CeilingProbe forRun(boolean quick) {
        return new CeilingProbe(quick ? new Timer(1.5, 1.5, 5, 10_000) : new Timer(3.0, 3.0, 10, 100_000));
    }

    public Ceilings measure(Backend backend, List<DType> dtypes, Consumer<String> progress) {
        DeviceInfo device = backend.device();
        Map<String, String> notes = new LinkedHashMap<>(), probes = new LinkedHashMap<>();
        Map<String, Double> peaks = new LinkedHashMap<>(), byVariant = new LinkedHashMap<>();
        long copyBytes = Math.min(1L << 36, WorkingSet.bytes(device) / 16 * 16);
        Double copyGbs = copy(backend, new CopySpec(copyBytes), notes, progress);
        for (DType t : dtypes) {
            try (PeakProbe probe = backend.preparePeak(t)) {
                String variant = probe.variant();
                Double tf = byVariant.containsKey(variant) ? byVariant.get(variant) : peak(probe, notes, progress);
                byVariant.put(variant, tf);
                if (tf != null) {
                    peaks.put(t.id(), tf);
                    probes.put(t.id(), variant);
                    notes.put(t.id(), probe.description() + "; median of timed calls");
                } else {
                    notes.putIfAbsent(t.id(), variant + " not measured (the note of the dtype that ran it first says why)");
                }
            } catch (RuntimeException e) {
                notes.put(t.id(), "not measured: " + e.getMessage());
            }
        }
        return new Ceilings(backend.name(), copyGbs, peaks, probes, notes, Datasheet.match(device.name()).orElse(null));
    }

    /** GB/s of a device-to-device copy; null (with a note) when it cannot run or fails its check. */
    private Double copy(Backend backend, CopySpec spec, Map<String, String> notes, Consumer<String> progress) {
        progress.accept("ceiling copy: " + spec.op() + " " + spec.shapeText() + " ...");
        try (PreparedOp op = backend.prepare(spec, PrepareOptions.single())) {
            Verification v = op.verify();
            if (!v.passed()) {
                notes.put("copy", "the probe's output failed verification: " + v.summary());
                return null;
            }
            double seconds = timer.time(op).p50Ms() / 1e3;
            notes.put("copy", op.variant() + " " + spec.shapeText() + ", median of timed calls");
            return spec.minBytes() / seconds / 1e9;
        } catch (RuntimeException e) {
            notes.put("copy", "not measured: " + e.getMessage());
            return null;
        }
    }

    /** TFLOP/s of a compute-peak probe; null (with a note) when its arithmetic check fails. */
    private Double peak(PeakProbe probe, Map<String, String> notes, Consumer<String> progress) {
        String key = probe.dtype().id();
        progress.accept("ceiling " + key + ": " + probe.variant() + " ...");
        Verification v = probe.verify();
        if (!v.passed()) {
            notes.put(key, probe.variant() + ": the probe's arithmetic failed its check: " + v.summary());
            return null;
        }
        double seconds = timer.time(probe).p50Ms() / 1e3;
        return probe.flopsPerCall() / seconds / 1e12;
    }
}
