package dev.tokenmill.reference;

import dev.tokenmill.tensor.Operands;
import dev.tokenmill.op.DecodeSpec;
import dev.tokenmill.op.LinearSpec;
import dev.tokenmill.op.PrefillSpec;
import dev.tokenmill.tensor.HostTensor;

/**
 * Plain float64 loops over the (dtype-rounded) inputs: the ground truth. Each method computes one output row,
 * so verification of large shapes can check a sample of rows at bounded cost.
 */
public final class Reference {
    private Reference() {}

    /** Row {@code m} of {@code Y = X · W^T}: N values. */
    public static double[] linearRow(Operands.Linear ops, int m) {
        LinearSpec s = ops.spec();
        double[] y = new double[s.n()];
        long xBase = (long) m * s.k();
        for (int n = 0; n < s.n(); n++) {
            long wBase = (long) n * s.k();
            double acc = 0;
            for (int k = 0; k < s.k(); k++) acc += (double) ops.x().get(xBase + k) * ops.w().get(wBase + k);
            y[n] = acc;
        }
        return y;
    }

    /** Token {@code (b, s)} of causal prefill attention: {@code Hq·D} values, heads outer. */
    public static double[] prefillRow(Operands.Prefill ops, int b, int s) {
        PrefillSpec p = ops.spec();
        int hq = p.heads(), hkv = p.kvHeads(), d = p.headDim(), group = hq / hkv;
        double[] out = new double[hq * d];
        double[] scores = new double[s + 1];
        for (int h = 0; h < hq; h++) {
            int g = h / group;
            long qBase = (((long) b * p.seq() + s) * hq + h) * d;
            for (int t = 0; t <= s; t++) {
                long kBase = (((long) b * p.seq() + t) * hkv + g) * d;
                scores[t] = dot(ops.q(), qBase, ops.k(), kBase, d);
            }
            int finalH = h;
            softmaxWeighted(scores, s + 1, d, (t, acc, w) -> {
                long vBase = (((long) b * p.seq() + t) * hkv + g) * d;
                for (int i = 0; i < d; i++) acc[i] += w * ops.v().get(vBase + i);
            }, out, finalH * d);
        }
        return out;
    }

    /** Sequence {@code b} of decode attention over its cache: {@code Hq·D} values, heads outer. */
    public static double[] decodeRow(Operands.Decode ops, int b) {
        DecodeSpec p = ops.spec();
        int hq = p.heads(), d = p.headDim(), group = hq / p.kvHeads(), len = p.cache().seqLen(b);
        Operands.Cache c = ops.cache();
        double[] out = new double[hq * d];
        double[] scores = new double[len];
        for (int h = 0; h < hq; h++) {
            int g = h / group;
            long qBase = ((long) b * hq + h) * d;
            for (int t = 0; t < len; t++) scores[t] = dot(ops.q(), qBase, c.k(), c.offset(b, t, g), d);
            softmaxWeighted(scores, len, d, (t, acc, w) -> {
                long vBase = c.offset(b, t, g);
                for (int i = 0; i < d; i++) acc[i] += w * c.v().get(vBase + i);
            }, out, h * d);
        }
        return out;
    }

    private interface Accumulate { void add(int t, double[] acc, double weight); }

    private static double dot(HostTensor a, long aBase, HostTensor b, long bBase, int d) {
        double acc = 0;
        for (int i = 0; i < d; i++) acc += (double) a.get(aBase + i) * b.get(bBase + i);
        return acc;
    }

    /** {@code out[at..at+d) = Σ_t softmax(scores·scale)_t · v_t} with {@code scale = 1/sqrt(d)}. */
    private static void softmaxWeighted(double[] scores, int n, int d, Accumulate v, double[] out, int at) {
        double scale = 1.0 / Math.sqrt(d), max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int t = 0; t < n; t++) max = Math.max(max, scores[t] * scale);
        double[] acc = new double[d];
        for (int t = 0; t < n; t++) {
            double w = Math.exp(scores[t] * scale - max);
            sum += w;
            v.add(t, acc, w);
        }
        for (int i = 0; i < d; i++) out[at + i] = acc[i] / sum;
    }
}
