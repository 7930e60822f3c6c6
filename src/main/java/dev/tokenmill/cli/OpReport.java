package dev.tokenmill.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenmill.backend.Bytes;
import dev.tokenmill.backend.DeviceInfo;
import dev.tokenmill.backend.KernelCounters;
import dev.tokenmill.backend.WorkingSet;
import dev.tokenmill.measure.LatencyStats;
import dev.tokenmill.op.OpSpec;
import dev.tokenmill.report.Figures;
import dev.tokenmill.reference.Verification;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What {@code op} found: the verification and, when it passed, the latency distribution and the figures derived
 * from the op's FLOP and byte counts at the median. {@code latency} is null when the op was not timed.
 * {@code clock} says what timed it ({@link dev.tokenmill.backend.PreparedOp#clock}); the timed calls rotated through
 * {@code sets} operand sets towards a working set of {@code targetBytes}. {@code origin} records where the shape came
 * from (model, projection); {@code auto} that --backend auto chose. A backend that cannot time (the PTX emulator)
 * gives {@code untimed}, why, and {@code counters}, what its kernels did in the verified call (else both null).
 */
record OpReport(OpSpec spec, String backend, DeviceInfo device, String variant, String clock, int sets,
                long targetBytes, Verification verification, LatencyStats latency, Map<String, Object> origin,
                boolean auto, String untimed, KernelCounters counters) {
    private static final ObjectMapper JSON = new ObjectMapper();

    OpReport(OpSpec spec, String backend, DeviceInfo device, String variant, String clock, int sets, long targetBytes,
             Verification verification, LatencyStats latency) {
        this(spec, backend, device, variant, clock, sets, targetBytes, verification, latency, Map.of(), false, null, null);
    }

    OpReport withOrigin(Map<String, Object> origin, boolean auto) {
        return new OpReport(spec, backend, device, variant, clock, sets, targetBytes, verification, latency, origin, auto,
                untimed, counters);
    }

    boolean timed() { return latency != null; }

    /** The bytes the timed calls cycle through: each set's traffic (the op's minimum bytes) times the sets. */
    long workingSetBytes() { return sets * spec.minBytes(); }

    /** Whether that working set fits in the device's largest cache; null when the device does not report one. */
    Boolean cacheResident() {
        OptionalLong cache = WorkingSet.cacheBytes(device);
        return cache.isPresent() ? workingSetBytes() <= cache.getAsLong() : null;
    }

    /** GFLOP/s at the median; 0 for ops without arithmetic. */
    double gflops() { return spec.flops() / medianSeconds() / 1e9; }

    /** GB/s of the op's minimum traffic at the median. */
    double gbs() { return spec.minBytes() / medianSeconds() / 1e9; }

    private double medianSeconds() {
        if (latency == null) throw new IllegalStateException("not timed");
        return latency.p50Ms() / 1e3;
    }

    /** One JSON object; timing keys are present but null when the op failed verification and was not timed. */
    String json() {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("op", spec.op());
        j.put("backend", backend);
        j.put("device", device.name());
        j.put("device_id", device.id());
        j.put("variant", variant);
        j.put("dtype", spec.dtype().id());
        j.put("shape", spec.shape());
        j.putAll(origin);
        j.put("median_ms", timed() ? latency.p50Ms() : null);
        j.put("p50_ms", timed() ? latency.p50Ms() : null);
        j.put("p90_ms", timed() ? latency.p90Ms() : null);
        j.put("p99_ms", timed() ? latency.p99Ms() : null);
        j.put("p999_ms", timed() ? latency.p999Ms() : null);
        j.put("mean_ms", timed() ? latency.meanMs() : null);
        j.put("min_ms", timed() ? latency.minMs() : null);
        j.put("max_ms", timed() ? latency.maxMs() : null);
        j.put("samples", timed() ? latency.samples() : null);
        j.put("calls_per_sample", timed() ? latency.callsPerSample() : null);
        j.put("steady", timed() ? latency.steady() : null);
        j.put("unsteady", timed() ? latency.unsteady() : null);
        j.put("flops", spec.flops());
        j.put("bytes", spec.minBytes());
        j.put("gflops", timed() ? gflops() : null);
        j.put("gbs", timed() ? gbs() : null);
        j.put("intensity", spec.arithmeticIntensity());
        j.put("timing", clock);
        j.put("sets", sets);
        j.put("working_set_bytes", workingSetBytes());
        j.put("working_set_target_bytes", targetBytes);
        OptionalLong cache = WorkingSet.cacheBytes(device);
        j.put("cache_bytes", cache.isPresent() ? cache.getAsLong() : null);
        j.put("cache_resident", cacheResident());
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("passed", verification.passed());
        v.put("max_rel_err", Double.isFinite(verification.maxRelErr()) ? verification.maxRelErr() : null);
        v.put("tolerance", verification.tolerance());
        v.put("checked", verification.checked());
        if (!verification.passed()) v.put("worst", verification.worst());
        v.put("failure", verification.failure().toString());
        j.put("verified", v);
        j.put("untimed", untimed);
        j.put("counters", counters == null ? null : CounterReport.json(counters, spec));
        j.put("emulator", counters == null ? null : CounterReport.emulatorJson(counters));
        try {
            return JSON.writeValueAsString(j);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Prints the report (JSON or lines) on {@code out}; a failed verification also gets one sentence on {@code err},
     * and so does a timing the timer does not trust to be steady (as a warning: the figure is still printed).
     * Returns the exit code: 0, or 1 when the kernel gave wrong results (and so was not timed).
     */
    int print(boolean asJson, PrintWriter out, PrintWriter err) {
        if (asJson) out.println(json());
        else printLines(out);
        if (timed() && !latency.steady())
            err.println("tokenmill: warning: the timing is not steady (" + String.join("; ", latency.unsteady())
                    + "); a longer --warmup or --min-time may help");
        if (verification.passed()) return 0;
        err.println("tokenmill: " + variant + (untimed == null ? " gives wrong results, so it was not timed: "
                : " failed verification on the " + backend + " backend: ") + verification.summary());
        return 1;
    }

    /** A few aligned lines for people. */
    void printLines(PrintWriter out) {
        String from = origin.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(java.util.stream.Collectors.joining(", ", "  (", ")"));
        line(out, "op", spec.op() + " " + spec.dtype().id() + "  " + spec.shapeText() + (origin.isEmpty() ? "" : from));
        line(out, "backend", backend + (auto ? " (chosen by --backend auto)" : ""));
        line(out, "device", device.name());
        line(out, "variant", variant);
        line(out, "verification", verification.summary());
        if (untimed != null) line(out, "timing", "none: " + untimed);
        if (counters != null) {
            out.println("counters      (what the kernels did in the verified call, summed over its launches: facts of the "
                    + "PTX on this shape, not timings)");
            for (Map.Entry<String, String> l : CounterReport.lines(counters, spec))
                out.println(String.format(Locale.ROOT, "  %-13s %s", l.getKey(), l.getValue()));
            String emulator = CounterReport.emulatorLine(counters);
            if (emulator != null) line(out, "emulator", emulator);
        }
        if (!timed()) return;
        line(out, "latency", "median " + Figures.time(latency.p50Ms()) + "   p90 " + Figures.time(latency.p90Ms())
                + "   p99 " + Figures.time(latency.p99Ms()) + "   p99.9 " + Figures.time(latency.p999Ms())
                + "   mean " + Figures.time(latency.meanMs()));
        line(out, "samples", latency.samples() + " samples of " + latency.callsPerSample() + " call"
                + (latency.callsPerSample() == 1 ? "" : "s") + " each, timed by "
                + (clock.equals("device_events") ? "the device's events" : "the host's wall clock"));
        line(out, "steady", latency.steady() ? "yes" : "NO: " + String.join("; ", latency.unsteady()));
        if (spec.flops() > 0)
            line(out, "compute", Figures.flops(gflops() / 1000)
                    + "   intensity " + sig(spec.arithmeticIntensity()) + " FLOP/byte");
        line(out, "bandwidth", sig(gbs()) + " GB/s   (" + sig(spec.minBytes() / 1e6) + " MB moved per call)"
                + (Boolean.TRUE.equals(cacheResident()) ? "   cache-resident: see the working set" : ""));
        line(out, "working set", workingSetText());
    }

    /** The rotation and where it sits against the device's cache, e.g. {@code 2 sets x 134 MiB = 268 MiB, beyond ...}. */
    private String workingSetText() {
        String text = sets + " rotating operand set" + (sets == 1 ? "" : "s") + " x " + Bytes.text(spec.minBytes())
                + " = " + Bytes.text(workingSetBytes());
        if (workingSetBytes() < targetBytes) text += " (short of the " + Bytes.text(targetBytes) + " target)";
        OptionalLong cache = WorkingSet.cacheBytes(device);
        if (cache.isEmpty())
            return text + "; the device does not report its cache size" + (workingSetBytes() < targetBytes
                    ? ", so this may be a cache figure" : "");
        return text + (workingSetBytes() <= cache.getAsLong()
                ? ", within the " + Bytes.text(cache.getAsLong()) + " cache: a cache figure, not a memory one"
                : ", beyond the " + Bytes.text(cache.getAsLong()) + " cache");
    }

    private static void line(PrintWriter out, String label, String value) {
        out.println(String.format(Locale.ROOT, "%-13s %s", label, value));
    }

    /** Four significant digits, never in exponent form. */
    static String sig(double v) {
        if (!Double.isFinite(v)) return String.valueOf(v);
        return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }
}
