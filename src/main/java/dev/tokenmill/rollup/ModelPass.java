package dev.tokenmill.rollup;

import dev.tokenmill.op.DType;
import dev.tokenmill.op.KvLayout;
import dev.tokenmill.op.ModelPreset;
import dev.tokenmill.op.OpSpec;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * One forward pass of a model as the kernels tokenmill measures: the prefill of a batch of prompts, or one decode
 * step of a batch of sequences. Each layer runs the four projections and attention (and, in decode, the KV
 * append); the LM head runs once, on the last position of each sequence only (engines compute logits for no
 * other position). {@link #ops()} lists the op specs to measure; {@link #rollUp} turns measurements into a
 * {@link Rollup}.
 */
public final class ModelPass {
    /** One kernel of the pass: its part name, its op, and how many times one pass runs it. */
    public record Part(String name, OpSpec spec, int callsPerPass) {}

    private final ModelPreset model;
    private final DType dtype;
    private final Rollup.Phase phase;
    private final int batch;
    private final Integer promptTokens, context;
    private final List<Part> parts;

    private ModelPass(ModelPreset model, DType dtype, Rollup.Phase phase, int batch, Integer promptTokens,
                      Integer context, List<Part> parts) {
        this.model = model;
        this.dtype = dtype;
        this.phase = phase;
        this.batch = batch;
        this.promptTokens = promptTokens;
        this.context = context;
        this.parts = List.copyOf(parts);
    }

    /** The prefill of {@code batch} prompts of {@code promptTokens} tokens each: its time is the TTFT. */
    public static ModelPass prefill(ModelPreset model, DType dtype, int batch, int promptTokens) {
        check(model, dtype, batch);
        if (promptTokens < 1) throw new IllegalArgumentException("prompt tokens must be >= 1, got " + promptTokens);
        int rows = Math.multiplyExact(batch, promptTokens);
        List<Part> parts = layerProjections(model, rows, dtype);
        parts.add(new Part("attention", model.prefill(batch, promptTokens, dtype), model.layers));
        parts.add(new Part("lm_head", model.lmHead(batch, dtype).spec(), 1));
        return new ModelPass(model, dtype, Rollup.Phase.PREFILL, batch, promptTokens, null, parts);
    }

    /**
     * One decode step of {@code batch} sequences with {@code context} tokens cached each: its time is the TPOT.
     * The step appends each sequence's new key and value to the cache, then attends over the {@code context}
     * cached tokens, as the measured append and decode ops do.
     */
    public static ModelPass decode(ModelPreset model, DType dtype, int batch, int context, KvLayout layout,
                                   int blockSize) {
        check(model, dtype, batch);
        if (context < 1) throw new IllegalArgumentException("context must be >= 1, got " + context);
        List<Part> parts = layerProjections(model, batch, dtype);
        parts.add(new Part("kv_append", model.append(batch, context, layout, blockSize, dtype), model.layers));
        parts.add(new Part("attention", model.decode(batch, context, layout, blockSize, dtype), model.layers));
        parts.add(new Part("lm_head", model.lmHead(batch, dtype).spec(), 1));
        return new ModelPass(model, dtype, Rollup.Phase.DECODE, batch, null, context, parts);
    }

    private static void check(ModelPreset model, DType dtype, int batch) {
        if (model == null) throw new IllegalArgumentException("model is required (one of " + ModelPreset.allowed() + ")");
        if (dtype == null) throw new IllegalArgumentException("dtype is required (one of " + DType.allowed() + ")");
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
    }

    private static List<Part> layerProjections(ModelPreset model, int rows, DType dtype) {
        List<Part> parts = new ArrayList<>();
        for (ModelPreset.Projection p : model.projections(rows, dtype))
            parts.add(new Part(p.name(), p.spec(), model.layers));
        return parts;
    }

    public List<Part> parts() { return parts; }

    /** Sequences in the pass. */
    public int batch() { return batch; }

    /** The distinct op specs this pass needs measured. */
    public List<OpSpec> ops() {
        return List.copyOf(new LinkedHashSet<>(parts.stream().map(Part::spec).toList()));
    }

    /** Tokens one pass processes (prefill: every prompt token) or produces (decode: one per sequence). */
    public long tokens() { return phase == Rollup.Phase.PREFILL ? (long) batch * promptTokens : batch; }

    /** Sums the measured parts; parts without a measurement are listed as missing and leave the totals absent. */
    public Rollup rollUp(Measurements measurements) {
        List<Rollup.Part> rows = new ArrayList<>();
        List<String> missing = new ArrayList<>(), noEnergy = new ArrayList<>();
        double seconds = 0, joules = 0;
        for (Part p : parts) {
            Measured m = measurements.find(p.spec()).orElse(null);
            if (m == null) {
                missing.add(p.name() + " (" + p.spec().op() + " " + p.spec().shapeText() + ")");
                rows.add(new Rollup.Part(p.name(), p.spec().op(), p.spec().shapeText(), p.callsPerPass(),
                        null, null, null, null, null));
                continue;
            }
            double partSeconds = m.secondsPerCall() * p.callsPerPass();
            Double partJoules = m.joulesPerCall() == null ? null : m.joulesPerCall() * p.callsPerPass();
            if (partJoules == null) noEnergy.add(p.name());
            else joules += partJoules;
            seconds += partSeconds;
            rows.add(new Rollup.Part(p.name(), p.spec().op(), p.spec().shapeText(), p.callsPerPass(),
                    m.secondsPerCall(), partSeconds, null, m.joulesPerCall(), partJoules));
        }
        boolean complete = missing.isEmpty();
        if (complete) {
            final double total = seconds;
            rows.replaceAll(r -> r.withShare(r.seconds() / total));
        }
        Double passSeconds = complete ? seconds : null;
        Double passJoules = complete && noEnergy.isEmpty() ? joules : null;
        String energyAbsent = !complete ? "not every part was measured"
                : noEnergy.isEmpty() ? null : "no energy measured for " + String.join(", ", noEnergy);
        return new Rollup(model.id(), phase, dtype.id(), batch, promptTokens, context, model.layers,
                Rollup.basis(phase), Rollup.leavesOut(phase), rows, missing,
                phase == Rollup.Phase.PREFILL ? passSeconds : null,
                phase == Rollup.Phase.DECODE ? passSeconds : null,
                passSeconds == null ? null : tokens() / passSeconds,
                passJoules, passJoules == null ? null : tokens() / passJoules, energyAbsent);
    }
}
