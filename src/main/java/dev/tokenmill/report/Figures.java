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

    /** A time given in ms, in the unit that suits it, three significant digits: {@code 80.0 ns}, {@code 1.23 ms}. */
    public static String time(Double ms) {
        if (ms == null) return "-";
        double ns = ms * 1e6;
        if (ns < 1e3) return sig(ns) + " ns";
        if (ns < 1e6) return sig(ns / 1e3) + " µs";
        if (ns < 1e9) return sig(ns / 1e6) + " ms";
        return sig(ns / 1e9) + " s";
    }

    private static String sig(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
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
