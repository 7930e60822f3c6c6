package dev.tokenmill.report;

import dev.tokenmill.op.AppendSpec;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.OpSpec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What this device can do, measured in this run by probes that are not the kernels the records time: copy bandwidth
 * (GB/s, bytes read plus bytes written, a device-to-device copy) and, per dtype, the peak TFLOP/s of a
 * register-resident FMA or MMA loop with no memory traffic (the backend's {@code PeakProbe}; {@code computeProbes}
 * names the loop of each dtype). A probe that could not run leaves its value out and says why in {@code notes}.
 * Every record reads as a fraction of the roofline these draw: the time an op would take at the ceilings,
 * {@code max(flops / peak, bytes / bandwidth)}, over the time it took; the datasheet's roofline gives a second
 * fraction ({@link #ofDatasheet}).
 * <p>
 * Result files written before the probes have no {@code compute_probes}: their {@code peak_tflops} is tokenmill's
 * best linear kernel at a large square shape, and {@link #computeSource} labels it so.
 */
public record Ceilings(String backend, Double copyGbs, Map<String, Double> peakTflops, Map<String, String> computeProbes,
                       Map<String, String> notes, Datasheet datasheet) {
    /** System property that hands measured ceilings to JMH's forked VMs. */
    public static final String PROPERTY = "tokenmill.ceilings";

    /** What measured the compute peaks of result files that have no {@code compute_probes}. */
    public static final String BEST_LINEAR = "best linear kernel";

    public Ceilings {
        peakTflops = new TreeMap<>(peakTflops == null ? Map.of() : peakTflops);
        computeProbes = computeProbes == null ? null : new TreeMap<>(computeProbes);
        notes = new TreeMap<>(notes == null ? Map.of() : notes);
    }

    /**
     * What measured {@code dtype}'s compute peak: the probe's variant (e.g. {@code cuda.probe.mma.bf16}), or
     * {@link #BEST_LINEAR} in a result file written before the probes; null when there is no peak for it.
     */
    public String computeSource(String dtype) {
        if (!peakTflops.containsKey(dtype)) return null;
        return computeProbes == null ? BEST_LINEAR : computeProbes.getOrDefault(dtype, BEST_LINEAR);
    }

    /**
     * One line for people: {@code copy 64.4 GB/s, bf16 412 GFLOP/s (cpu.probe.fma.f32)}, each compute peak with what
     * measured it ({@link #computeSource}).
     */
    public String text() {
        StringBuilder b = new StringBuilder("copy " + (copyGbs == null ? "not measured" : Figures.bandwidth(copyGbs)));
        peakTflops.forEach((dtype, tf) -> b.append(", ").append(dtype).append(' ').append(Figures.flops(tf))
                .append(" (").append(computeSource(dtype)).append(')'));
        return b.toString();
    }

    /** The datasheet's peaks as ceilings, for fractions of what the vendor promises. */
    public static Ceilings ofDatasheet(String backend, Datasheet d) {
        Map<String, Double> peaks = new TreeMap<>();
        for (DType t : DType.values()) peaks.put(t.id(), d.tflops(t));
        return new Ceilings(backend, d.memoryGbs(), peaks, null, Map.of(), d);
    }

    /**
     * Seconds one call of {@code spec} would take at the ceilings; NaN when a ceiling it needs is unknown, and for
     * a KV append, whose few written lines stay in cache between calls (its benchmark cannot rotate whole caches),
     * so a share of the memory ceiling would mislead.
     */
    public double boundSeconds(OpSpec spec) {
        if (spec instanceof AppendSpec) return Double.NaN;
        double compute = spec.flops() == 0 ? 0 : spec.flops() / (tflops(spec.dtype()) * 1e12);
        double memory = copyGbs == null ? Double.NaN : spec.minBytes() / (copyGbs * 1e9);
        return Math.max(compute, memory);
    }

    /** The fraction of the roofline a call of {@code seconds} reaches; NaN when a ceiling is unknown. */
    public double fraction(OpSpec spec, double seconds) { return boundSeconds(spec) / seconds; }

    private double tflops(DType dtype) { return peakTflops.getOrDefault(dtype.id(), Double.NaN); }

    /** {@code copy_gbs=812.5,bf16=120.1,f32=60.2}: compact enough for a -D flag. */
    public String toProperty() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("backend", backend);
        if (copyGbs != null) m.put("copy_gbs", copyGbs);
        m.putAll(peakTflops);
        StringBuilder b = new StringBuilder();
        m.forEach((k, v) -> b.append(b.isEmpty() ? "" : ",").append(k).append('=').append(v));
        return b.toString();
    }

    /** Reads {@link #toProperty()}'s form; null or blank gives null (no ceilings known). */
    public static Ceilings fromProperty(String text) {
        if (text == null || text.isBlank()) return null;
        String backend = "";
        Double copy = null;
        Map<String, Double> peaks = new TreeMap<>();
        for (String pair : text.split(",")) {
            String[] kv = pair.split("=", 2);
            if (kv.length != 2) throw new IllegalArgumentException(PROPERTY + " must be key=value pairs, got '" + text + "'");
            switch (kv[0]) {
                case "backend" -> backend = kv[1];
                case "copy_gbs" -> copy = Double.parseDouble(kv[1]);
                default -> peaks.put(DType.parse(kv[0]).id(), Double.parseDouble(kv[1]));
            }
        }
        return new Ceilings(backend, copy, peaks, null, Map.of(), null);
    }
}
