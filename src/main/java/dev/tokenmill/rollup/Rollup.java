package dev.tokenmill.rollup;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.List;

/**
 * A kernel-bound estimate of a model's prefill or decode, rolled up from measured kernels: per-layer op times ×
 * layers, plus the LM head. Not an end-to-end server figure: {@link #leavesOut()} says what it does not count.
 * Totals are absent (null) when any part was not measured; tokens per joule is absent unless every part's energy
 * was measured.
 *
 * @param promptTokens   prompt length per sequence (prefill only)
 * @param context        tokens cached per sequence (decode only)
 * @param ttftSeconds    prefill: time to first token of the whole batch
 * @param tpotSeconds    decode: time per output token (one step of the batch)
 * @param tokensPerSecond prefill: batch · promptTokens / TTFT; decode: batch / TPOT
 * @param joules         energy of one pass (the board's, idle included, as measured)
 * @param tokensPerJoule the same tokens / joules
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Rollup(String model, Phase phase, String dtype, int batch, Integer promptTokens, Integer context,
                     int layers, String basis, List<String> leavesOut, List<Part> parts, List<String> missing,
                     Double ttftSeconds, Double tpotSeconds, Double tokensPerSecond, Double joules,
                     Double tokensPerJoule, String energyAbsentReason) {

    /** What every roll-up is, in one line, for headings above them. */
    public static final String LABEL = "kernel-bound estimates summed from the measured kernels, not end-to-end"
            + " server figures (norms, activations, sampling, scheduling and communication are left out)";

    public enum Phase {
        PREFILL, DECODE;

        @JsonValue public String id() { return name().toLowerCase(); }
    }

    /**
     * One kernel's share of the pass.
     *
     * @param callsPerPass layers for per-layer ops, 1 for the LM head
     * @param share        of the pass's time, when every part was measured
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Part(String name, String op, String shape, int callsPerPass, Double secondsPerCall, Double seconds,
                       Double share, Double joulesPerCall, Double joules) {
        Part withShare(double s) {
            return new Part(name, op, shape, callsPerPass, secondsPerCall, seconds, s, joulesPerCall, joules);
        }
    }

    public Rollup {
        leavesOut = List.copyOf(leavesOut);
        parts = List.copyOf(parts);
        missing = List.copyOf(missing);
    }

    /** Whether every part was measured, so that the totals stand. */
    public boolean complete() { return missing.isEmpty(); }

    static String basis(Phase phase) {
        return "roll-up of measured kernels (projections, attention" + (phase == Phase.DECODE ? ", KV append" : "")
                + " x layers, plus the LM head): a kernel-bound estimate, not an end-to-end server figure";
    }

    static List<String> leavesOut(Phase phase) {
        List<String> common = List.of("RMSNorm", "SiLU activation and gating", "RoPE", "residual adds",
                "embedding lookup", "sampling", "multi-GPU communication", "scheduler and batching",
                "launch gaps between kernels");
        if (phase == Phase.DECODE) return common;
        List<String> prefill = new java.util.ArrayList<>(common);
        prefill.add("writing the prompt's keys and values into the KV cache");
        return List.copyOf(prefill);
    }
}
