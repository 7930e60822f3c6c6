package dev.tokenmill.measure;

import dev.tokenmill.op.Workloads;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.KvLayout;
import dev.tokenmill.op.ModelPreset;
import dev.tokenmill.op.OpSpec;
import dev.tokenmill.report.Record;
import dev.tokenmill.rollup.Measured;
import dev.tokenmill.rollup.Measurements;
import dev.tokenmill.rollup.ModelPass;
import dev.tokenmill.rollup.Rollup;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The model passes a run rolls up ({@link ModelPass}), the suite trials that measure their ops, and the roll-ups
 * from the records those trials give. Prefill: one batch-1 prompt of {@code promptTokens} (TTFT); decode: one step
 * at each of {@code decodeBatches} with {@code context} tokens cached in a paged cache, as serving engines keep
 * it (TPOT). Each suite's passes are rolled up from that suite's records only, so a run of one suite rolls up its
 * own phase.
 */
public record RollupPlan(ModelPreset model, DType dtype, int promptTokens, List<Integer> decodeBatches, int context) {
    /** The prefill suite measures batch 1. */
    public static final int PREFILL_BATCH = 1;
    public static final KvLayout LAYOUT = KvLayout.PAGED;

    /**
     * One JMH trial of a suite benchmark.
     *
     * @param benchmark its short name, e.g. {@code DecodeBenchmarks.linear}
     * @param params    every parameter that picks its op (model and dtype included)
     */
    public record SuiteTrial(String benchmark, Map<String, String> params) {
        public SuiteTrial {
            params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
        }

        public OpSpec spec() { return Workloads.of(benchmark, params); }
    }

    public RollupPlan {
        if (model == null || dtype == null) throw new IllegalArgumentException("a roll-up needs a model and a dtype");
        decodeBatches = List.copyOf(decodeBatches);
    }

    public List<ModelPass> passes(String suite) {
        return switch (suite) {
            case "prefill" -> List.of(ModelPass.prefill(model, dtype, PREFILL_BATCH, promptTokens));
            case "decode" -> decodeBatches.stream()
                    .map(b -> ModelPass.decode(model, dtype, b, context, LAYOUT, Workloads.BLOCK_SIZE)).toList();
            default -> throw new IllegalArgumentException("suite must be prefill or decode, got '" + suite + "'");
        };
    }

    /** Every trial the suite's passes need, once each, in the passes' order. */
    public List<SuiteTrial> trials(String suite) {
        LinkedHashSet<SuiteTrial> trials = new LinkedHashSet<>();
        for (ModelPass pass : passes(suite))
            for (ModelPass.Part part : pass.parts()) {
                SuiteTrial t = trial(suite, pass, part);
                if (!t.spec().equals(part.spec()))   // the benchmark must measure exactly the op the pass runs
                    throw new IllegalStateException("roll-up part " + part.name() + " (" + part.spec().shapeText()
                            + ") maps to " + t + ", which measures " + t.spec().shapeText());
                trials.add(t);
            }
        return List.copyOf(trials);
    }

    private SuiteTrial trial(String suite, ModelPass pass, ModelPass.Part part) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("model", model.id());
        p.put("dtype", dtype.id());
        String batch = String.valueOf(pass.batch());
        boolean prefill = suite.equals("prefill");
        String benchmark;
        switch (part.name()) {
            case "attention", "kv_append" -> {
                benchmark = prefill ? "PrefillBenchmarks.attention"
                        : part.name().equals("attention") ? "DecodeBenchmarks.attention" : "DecodeBenchmarks.append";
                p.put("batch", batch);
                p.put("length", String.valueOf(prefill ? promptTokens : context));
                if (!prefill) p.put("layout", LAYOUT.id());
            }
            default -> {   // a projection; the LM head reads the last position of each sequence only
                benchmark = prefill ? "PrefillBenchmarks.linear" : "DecodeBenchmarks.linear";
                p.put("projection", part.name());
                p.put("batch", batch);
                if (prefill) p.put("length", part.name().equals("lm_head") ? "1" : String.valueOf(promptTokens));
            }
        }
        return new SuiteTrial(benchmark, p);
    }

    /**
     * The passes of {@code suites} rolled up from {@code records}: each part's median device time per call and,
     * where the trial read it, its energy per call. Parts no record measured are listed as missing.
     *
     * @param noEnergyReason why the run read no energy at all (then every roll-up's tokens/J is absent for it), or null
     */
    public List<Rollup> rollUp(List<String> suites, List<Record> records, String noEnergyReason) {
        List<Rollup> out = new ArrayList<>();
        for (String suite : suites) {
            Map<OpSpec, Measured> measured = new LinkedHashMap<>();
            for (Record r : records)
                if (r.suite().equals(suite)) measured.putIfAbsent(r.spec(), measured(r));
            Measurements m = Measurements.of(measured);
            for (ModelPass pass : passes(suite)) {
                Rollup r = pass.rollUp(m);
                out.add(noEnergyReason == null || !r.complete() ? r : withoutEnergy(r, noEnergyReason));
            }
        }
        return out;
    }

    /** {@code r} with its tokens/J absent for the run's reason rather than a list of every part. */
    private static Rollup withoutEnergy(Rollup r, String reason) {
        return new Rollup(r.model(), r.phase(), r.dtype(), r.batch(), r.promptTokens(), r.context(), r.layers(),
                r.basis(), r.leavesOut(), r.parts(), r.missing(), r.ttftSeconds(), r.tpotSeconds(),
                r.tokensPerSecond(), null, null, reason);
    }

    private static Measured measured(Record r) {
        Double joules = r.energy() == null ? null : r.energy().energyJ();
        return new Measured(r.figureSeconds(), joules != null && joules > 0 ? joules : null);
    }
}
