package dev.tokenmill.report;

import java.util.Locale;
import java.util.Map;

/** How records read in tables: the headline figure of each suite, short shapes, units scaled to the number. */
public final class Figures {
    private Figures() {}

    /**
     * The figure a record is judged by: FLOP/s for prefill (compute-bound), bytes/s for decode (bandwidth-bound).
     * Null when the record has no such figure.
     */
    public static Double headline(Record r) { return r.suite().equals("prefill") ? r.tflops() : r.gbs(); }

    public static String headlineText(Record r) {
        Double v = headline(r);
        if (v == null) return "-";
        return r.suite().equals("prefill") ? flops(v) : bandwidth(v);
    }

    /** TFLOP/s as {@code 1.23 TFLOP/s}, or {@code 45.6 GFLOP/s} below one TFLOP/s. */
    public static String flops(double tflops) {
        if (tflops >= 100) return String.format(Locale.ROOT, "%.0f TFLOP/s", tflops);
        return tflops >= 1 ? String.format(Locale.ROOT, "%.2f TFLOP/s", tflops)
                : String.format(Locale.ROOT, "%.1f GFLOP/s", tflops * 1e3);
    }

    /** GB/s as {@code 812 GB/s}, or {@code 1.23 TB/s} from one TB/s. */
    public static String bandwidth(double gbs) {
        return gbs >= 1000 ? String.format(Locale.ROOT, "%.2f TB/s", gbs / 1e3)
                : String.format(Locale.ROOT, gbs >= 100 ? "%.0f GB/s" : "%.1f GB/s", gbs);
    }

    public static String percent(Double fraction) {
        return fraction == null ? "-" : String.format(Locale.ROOT, "%.1f%%", fraction * 100);
    }

    /** Milliseconds with three significant digits. */
    public static String ms(Double v) {
        if (v == null) return "-";
        if (v >= 100) return String.format(Locale.ROOT, "%.0f", v);
        if (v >= 10) return String.format(Locale.ROOT, "%.1f", v);
        if (v >= 1) return String.format(Locale.ROOT, "%.2f", v);
        return String.format(Locale.ROOT, "%.3g", v);
    }

    /** A short shape: {@code m=512 n=6144 k=4096}, {@code b=1 s=2048}, {@code b=8 ctx=8192 paged}. */
    public static String shape(Record r) {
        Map<String, Object> s = r.shape();
        return switch (r.op()) {
            case "linear" -> "m=" + s.get("m") + " n=" + s.get("n") + " k=" + s.get("k");
            case "prefill" -> "b=" + s.get("batch") + " s=" + s.get("seq");
            case "decode", "append" -> "b=" + s.get("batch") + " ctx=" + s.get("context") + " " + s.get("layout");
            default -> r.shape().toString();
        };
    }
}
