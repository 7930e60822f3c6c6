package dev.tokenmill.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenmill.measure.Ceilings;
import dev.tokenmill.measure.Workloads;
import dev.tokenmill.op.LinearSpec;
import dev.tokenmill.op.OpSpec;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns JMH's JSON results of the tokenmill suites into {@link Record}s: the op rebuilt from the benchmark's
 * parameters ({@link Workloads}), JMH's primary score as the wall time, and {@code FiguresProfiler}'s secondary
 * results as the per-call device-time percentiles, verification error and kernel variant.
 */
public final class JmhRecords {
    private JmhRecords() {}

    /** Records for every entry of a JMH JSON result array; {@code measured} may be null (no fractions then). */
    public static List<Record> from(JsonNode jmh, Ceilings measured) {
        Ceilings datasheet = measured == null || measured.datasheet() == null ? null
                : Ceilings.ofDatasheet(measured.backend(), measured.datasheet());
        List<Record> out = new ArrayList<>();
        for (JsonNode entry : jmh) out.add(record(entry, measured, datasheet));
        return out;
    }

    private static Record record(JsonNode e, Ceilings measured, Ceilings datasheet) {
        String benchmark = e.path("benchmark").asText();
        Map<String, String> params = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = e.path("params").fields(); it.hasNext(); ) {
            var p = it.next();
            params.put(p.getKey(), p.getValue().asText());
        }
        OpSpec spec = Workloads.of(benchmark, params);
        JsonNode primary = e.path("primaryMetric");
        double toMs = msPer(primary.path("scoreUnit").asText());
        double error = primary.path("scoreError").asDouble(Double.NaN);
        JsonNode secondary = e.path("secondaryMetrics");
        Record.Time time = new Record.Time(primary.path("score").asDouble() * toMs,
                Double.isFinite(error) ? error * toMs : null,
                score(secondary, "lat.p50"), score(secondary, "lat.p99"), score(secondary, "lat.p999"),
                secondary.has("lat.n") ? secondary.path("lat.n").path("score").asLong() : null);
        String variant = null;
        for (Iterator<String> it = secondary.fieldNames(); it.hasNext(); ) {
            String label = it.next();
            if (label.startsWith("variant:")) variant = label.substring("variant:".length());
        }
        double seconds = (time.p50Ms() != null ? time.p50Ms() : time.wallMeanMs()) / 1e3;
        String projection = spec instanceof LinearSpec ? params.get("projection") : null;
        return new Record(Workloads.suite(benchmark), spec.op(), benchmark.substring(benchmark.lastIndexOf('.',
                benchmark.lastIndexOf('.') - 1) + 1), params.get("model"), projection, variant, spec.dtype().id(),
                spec.shape(), spec.flops(), spec.minBytes(),
                spec.flops() > 0 ? spec.arithmeticIntensity() : null, time,
                time.p50Ms() != null ? "device_p50" : "wall_mean",
                spec.flops() > 0 ? spec.flops() / seconds / 1e12 : null, spec.minBytes() / seconds / 1e9,
                finite(measured == null ? Double.NaN : measured.fraction(spec, seconds)),
                finite(datasheet == null ? Double.NaN : datasheet.fraction(spec, seconds)),
                new Record.Verified(score(secondary, "verify.max_rel_err")), params);
    }

    private static Double score(JsonNode secondary, String label) {
        JsonNode n = secondary.path(label).path("score");
        return n.isNumber() ? n.asDouble() : null;
    }

    private static Double finite(double v) { return Double.isFinite(v) ? v : null; }

    /** Milliseconds per unit of JMH's average-time units ({@code ms/op}, {@code us/op}, ...). */
    public static double msPer(String unit) {
        return switch (unit) {
            case "s/op" -> 1e3;
            case "ms/op" -> 1;
            case "us/op" -> 1e-3;
            case "ns/op" -> 1e-6;
            default -> throw new IllegalArgumentException("JMH score unit must be a time per op (average-time mode), got '"
                    + unit + "'");
        };
    }
}
