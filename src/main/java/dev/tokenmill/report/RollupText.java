package dev.tokenmill.report;

import dev.tokenmill.rollup.Rollup;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A roll-up as plain-text lines for the console, under a run's table; times and joules in the table's units. */
public final class RollupText {
    private RollupText() {}

    public static List<String> lines(Rollup r) {
        List<String> out = new ArrayList<>();
        String setting = r.phase() == Rollup.Phase.PREFILL
                ? "batch " + r.batch() + " x " + r.promptTokens() + " prompt tokens"
                : "batch " + r.batch() + ", context " + r.context();
        out.add(r.model() + " " + r.phase().id() + ", " + r.dtype() + ", " + setting + ": " + r.basis());
        if (r.complete()) {
            double pass = r.phase() == Rollup.Phase.PREFILL ? r.ttftSeconds() : r.tpotSeconds();
            String energy = r.tokensPerJoule() != null ? f("   %.3g tokens/J", r.tokensPerJoule())
                    : "   tokens/J absent: " + r.energyAbsentReason();
            out.add(f("  %s %s   %s tokens/s", r.phase() == Rollup.Phase.PREFILL ? "TTFT" : "TPOT",
                    Figures.time(pass * 1e3), perSecond(r.tokensPerSecond())) + energy);
        } else {
            out.add("  no totals: not measured: " + String.join("; ", r.missing()));
        }
        out.add(f("  %-10s %6s %10s %10s %6s %12s", "part", "calls", "time/call", "time/pass", "share", "energy/pass"));
        for (Rollup.Part p : r.parts())
            out.add(f("  %-10s %6d %10s %10s %6s %12s", p.name(), p.callsPerPass(), time(p.secondsPerCall()),
                    time(p.seconds()), p.share() == null ? "-" : f("%.1f%%", 100 * p.share()),
                    p.joules() == null ? "-" : SummaryTable.joules(p.joules())));
        out.add("  leaves out: " + String.join(", ", r.leavesOut()));
        return out;
    }

    /** Whole tokens from 1000 up ({@code 24910}), four significant digits below ({@code 74.96}). */
    public static String perSecond(double tokens) { return tokens >= 1000 ? f("%.0f", tokens) : f("%.4g", tokens); }

    private static String time(Double seconds) { return seconds == null ? "-" : Figures.time(seconds * 1e3); }

    private static String f(String pattern, Object... args) { return String.format(Locale.ROOT, pattern, args); }
}
