package dev.tokenmill.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenmill.Defaults;
import dev.tokenmill.op.Workloads;
import dev.tokenmill.op.LinearSpec;
import dev.tokenmill.op.OpSpec;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns JMH's JSON results of the tokenmill suites into {@link Record}s: the op rebuilt from the benchmark's
 * parameters ({@link Workloads}), JMH's primary score as the wall time (per call: divided by the calls an
 * invocation times), and {@code FiguresProfiler}'s secondary results as the device-time percentiles, verification error, kernel variant, and the GPU's energy and
 * clocks over the trial. JMH results are numbers, so a text (a variant, a reason, a clocks-event name) travels as
 * a label after a prefix. Each record keeps its samples: the per-iteration times from JMH's raw data, and the merged
 * per-call histogram that JMH's JSON cannot carry, which the run takes from JMH's in-memory results (see
 * {@link #trialKey}).
 */
public final class JmhRecords {
    /** Secondary result label: the calls each device-time sample (and each JMH invocation) covers. */
    public static final String CALLS_PER_SAMPLE = "lat.calls_per_sample";
    /** Secondary result labels of the trial's energy window (written by FiguresProfiler in the benchmark VM). */
    public static final String POWER_W = "energy.power_w", IDLE_W = "energy.idle_w", WINDOW_S = "energy.window_s",
            SM_MIN = "clock.sm_min_mhz",
            SM_MEDIAN = "clock.sm_median_mhz", SM_MAX = "clock.sm_max_mhz", BELOW_75PCT = "clock.below_75pct",
            CLOCKS_READ = "clock.events_read";
    /** Label prefixes: the text after them is the variant, a reason, or a clocks-event name. */
    public static final String VARIANT = "variant:", TIMING = "timing:", ENERGY_ABSENT = "energy.absent:", CLOCKS_ABSENT = "clock.absent:",
            CLOCK_EVENT = "clock.event:";

    private JmhRecords() {}

    /** Records for every entry of a JMH JSON result array; {@code measured} may be null (no fractions then). */
    public static List<Record> from(JsonNode jmh, Ceilings measured) { return from(jmh, measured, Map.of()); }

    /**
     * Records for every entry of a JMH JSON result array, each with its trial's per-call histogram from
     * {@code callHistograms} (keyed by {@link #trialKey}; encoded as {@link Record.Samples#callsHistogram}) where
     * there is one.
     */
    public static List<Record> from(JsonNode jmh, Ceilings measured, Map<String, String> callHistograms) {
        Ceilings datasheet = measured == null || measured.datasheet() == null ? null
                : Ceilings.ofDatasheet(measured.backend(), measured.datasheet());
        List<Record> out = new ArrayList<>();
        for (JsonNode entry : jmh) out.add(record(entry, measured, datasheet, callHistograms));
        return out;
    }

    /** One trial's key: its benchmark's full name and its parameters, in name order. */
    public static String trialKey(String benchmark, Map<String, String> params) {
        return benchmark + new TreeMap<>(params);
    }

    private static Record record(JsonNode e, Ceilings measured, Ceilings datasheet, Map<String, String> callHistograms) {
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
        // JMH's score is per benchmark invocation, which times one sample: that many calls.
        Double calls = score(secondary, CALLS_PER_SAMPLE);
        double perCall = calls == null ? toMs : toMs / calls;
        Record.Time time = new Record.Time(primary.path("score").asDouble() * perCall,
                Double.isFinite(error) ? error * perCall : null,
                score(secondary, "lat.p50"), score(secondary, "lat.p99"), score(secondary, "lat.p999"),
                secondary.has("lat.n") ? secondary.path("lat.n").path("score").asLong() : null,
                calls == null ? null : Math.round(calls));
        String variant = labelled(secondary, VARIANT).stream().findFirst().orElse(null);
        String clock = labelled(secondary, TIMING).stream().findFirst().orElse(null);
        String timing = time.p50Ms() == null ? "wall_mean" : clock == null ? "p50" : clock + "_p50";
        double seconds = time.figureSeconds();
        String projection = spec instanceof LinearSpec ? params.get("projection") : null;
        Record.Samples samples = samples(primary, secondary, toMs, timing, callHistograms.get(trialKey(benchmark, params)));
        return new Record(Workloads.suite(benchmark), spec.op(), benchmark.substring(benchmark.lastIndexOf('.',
                benchmark.lastIndexOf('.') - 1) + 1), params.get("model"), projection, variant, spec.dtype().id(),
                spec.shape(), spec.flops(), spec.minBytes(),
                spec.flops() > 0 ? spec.arithmeticIntensity() : null, time, timing,
                spec.flops() > 0 ? spec.flops() / seconds / 1e12 : null, spec.minBytes() / seconds / 1e9,
                finite(measured == null ? Double.NaN : measured.fraction(spec, seconds)),
                finite(datasheet == null ? Double.NaN : datasheet.fraction(spec, seconds)),
                new Record.Verified(score(secondary, "verify.max_rel_err")), params, energy(secondary, seconds),
                samples, samples == null ? null : Noise.of(samples.all(), Defaults.CONFIDENCE));
    }

    /**
     * The iteration samples of the figure's time: each measurement iteration's median device time where the
     * profiler ran (as {@code lat.p50} is the median of all calls), else JMH's own iteration scores; null when JMH
     * kept no raw data.
     */
    private static Record.Samples samples(JsonNode primary, JsonNode secondary, double primaryToMs, String timing,
                                          String histogram) {
        boolean device = secondary.has("lat.p50");
        JsonNode raw = device ? secondary.path("lat.p50").path("rawData") : primary.path("rawData");
        double toMs = device ? 1 : primaryToMs;   // lat.p50 is in ms (HistogramResult)
        List<List<Double>> forks = new ArrayList<>();
        for (JsonNode fork : raw) {
            List<Double> iterations = new ArrayList<>();
            for (JsonNode v : fork) if (v.isNumber() && Double.isFinite(v.asDouble())) iterations.add(v.asDouble() * toMs);
            if (!iterations.isEmpty()) forks.add(iterations);
        }
        return forks.isEmpty() ? null : new Record.Samples(device ? timing : "wall_mean", forks, histogram);
    }

    /**
     * The trial's energy and clocks, or null when the trial read no energy counter. Energy per call is the average
     * board power over the trial's window times the median seconds per call (see {@link Record.Energy}).
     */
    private static Record.Energy energy(JsonNode secondary, double secondsPerCall) {
        String energyAbsent = labelled(secondary, ENERGY_ABSENT).stream().findFirst().orElse(null);
        String clocksAbsent = labelled(secondary, CLOCKS_ABSENT).stream().findFirst().orElse(null);
        Double watts = score(secondary, POWER_W), idle = score(secondary, IDLE_W), median = score(secondary, SM_MEDIAN);
        if (watts == null && median == null && energyAbsent == null && clocksAbsent == null) return null;
        Double below = score(secondary, BELOW_75PCT);
        return new Record.Energy(watts == null ? null : watts * secondsPerCall,
                watts == null || idle == null ? null : (watts - idle) * secondsPerCall, watts,
                score(secondary, WINDOW_S), mhz(secondary, SM_MIN), mhz(secondary, SM_MEDIAN), mhz(secondary, SM_MAX),
                secondary.has(CLOCKS_READ) ? labelled(secondary, CLOCK_EVENT) : null,
                below == null ? null : below > 0, energyAbsent, clocksAbsent);
    }

    /** The texts after {@code prefix} of every secondary label that starts with it. */
    private static List<String> labelled(JsonNode secondary, String prefix) {
        List<String> texts = new ArrayList<>();
        for (Iterator<String> it = secondary.fieldNames(); it.hasNext(); ) {
            String label = it.next();
            if (label.startsWith(prefix)) texts.add(label.substring(prefix.length()));
        }
        return texts;
    }

    private static Integer mhz(JsonNode secondary, String label) {
        Double v = score(secondary, label);
        return v == null ? null : (int) Math.round(v);
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
