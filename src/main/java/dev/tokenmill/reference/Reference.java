package dev.tokenmill.reference;

import dev.tokenmill.op.DType;
import dev.tokenmill.op.DecodeSpec;
import dev.tokenmill.op.PrefillSpec;
import dev.tokenmill.tensor.Floats;
import dev.tokenmill.tensor.HostTensor;
import dev.tokenmill.tensor.Operands;

import java.util.function.LongUnaryOperator;
import java.util.stream.IntStream;

/**
 * Plain float64 loops over the (dtype-rounded) inputs: the ground truth, each value with the error bound a correct
 * fp32-accumulating kernel stays within ({@link Bounds}, derived in BOUNDS.md). Each method computes one output row
 * (or some of its elements), so verification of large shapes can check a sample at bounded cost.
 */
public final class Reference {
    /** No set bit: the grain of an all-zero row (its products are all zero, so any sum of them is exact). */
    private static final int NO_BITS = Integer.MAX_VALUE / 4;
    /** Keys widened at a time: 512 KiB of f32 at D = 128. */
    private static final int KEY_BLOCK = 1024;

    private Reference() {}

    /**
     * Expected values of some output elements and their error bounds. A bound of 0 means bit for bit: the value is
     * then the exact result already rounded to the output dtype, and a correct kernel produces exactly it.
     */
    public record Expected(double[] value, double[] bound) {
        Expected(int n) { this(new double[n], new double[n]); }
    }

    /**
     * Elements {@code (m, n)} of {@code Y = X·W^T} for every {@code m} in {@code rows} and {@code n} in {@code cols}:
     * one {@link Expected} per row, over {@code cols}. Columns are computed in parallel; X's rows are widened once, so
     * callers keep {@code rows.length · K} moderate.
     */
    public static Expected[] linear(Operands.Linear ops, int[] rows, int[] cols) {
        int k = ops.spec().k();
        DType t = ops.spec().dtype();
        float[][] x = new float[rows.length][];
        int[] gx = new int[rows.length];
        for (int r = 0; r < rows.length; r++) {
            x[r] = widen(ops.x(), (long) rows[r] * k, k, new float[k]);
            gx[r] = grain(x[r]);
        }
        Expected[] out = new Expected[rows.length];
        for (int r = 0; r < rows.length; r++) out[r] = new Expected(cols.length);
        IntStream.range(0, cols.length).parallel().forEach(j -> {
            float[] w = widen(ops.w(), (long) cols[j] * k, k, new float[k]);
            int gw = grain(w);
            for (int r = 0; r < rows.length; r++) dot(x[r], gx[r], w, gw, t, out[r], j);
        });
        return out;
    }

    /** Element {@code at} of {@code out}: {@code Σ x_i·w_i}, exact (and rounded to the dtype) or with its bound. */
    private static void dot(float[] x, int gx, float[] w, int gw, DType t, Expected out, int at) {
        int k = x.length;
        // four partial sums: a float64 sum in any order is exact to far below any fp32 bound, and exact outright
        // when the terms are the small integers of the exact rows
        double y0 = 0, y1 = 0, y2 = 0, y3 = 0, a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        int i = 0;
        for (; i + 4 <= k; i += 4) {
            double p0 = (double) x[i] * w[i], p1 = (double) x[i + 1] * w[i + 1];
            double p2 = (double) x[i + 2] * w[i + 2], p3 = (double) x[i + 3] * w[i + 3];
            y0 += p0; y1 += p1; y2 += p2; y3 += p3;
            a0 += Math.abs(p0); a1 += Math.abs(p1); a2 += Math.abs(p2); a3 += Math.abs(p3);
        }
        for (; i < k; i++) {
            double p = (double) x[i] * w[i];
            y0 += p;
            a0 += Math.abs(p);
        }
        double y = (y0 + y1) + (y2 + y3), abs = (a0 + a1) + (a2 + a3);
        if (gx == NO_BITS || gw == NO_BITS || Bounds.exactInFp32(abs, gx + gw)) {
            out.value[at] = Floats.round(t, (float) y);
        } else {
            out.value[at] = y;
            out.bound[at] = Bounds.linear(t, k, y, abs);
        }
    }

    /**
     * Token {@code (b, s)} of causal prefill attention, the query heads of KV head {@code g}: {@code (Hq/Hkv)·D}
     * values, heads outer.
     */
    public static Expected prefill(Operands.Prefill ops, int b, int s, int g) {
        PrefillSpec p = ops.spec();
        int hq = p.heads(), hkv = p.kvHeads(), d = p.headDim(), group = hq / hkv;
        long tokens = (long) b * p.seq();
        // tensor-core kernels round the weights P to the input dtype for the P·V product
        return attend(ops.q(), h -> ((tokens + s) * hq + h) * d, g * group, group, ops.k(), ops.v(),
                t -> ((tokens + t) * hkv + g) * d, s + 1, d, p.dtype(), p.dtype() != DType.F32);
    }

    /** Sequence {@code b} of decode attention, the query heads of KV head {@code g}: {@code (Hq/Hkv)·D} values, heads outer. */
    public static Expected decode(Operands.Decode ops, int b, int g) {
        DecodeSpec p = ops.spec();
        int hq = p.heads(), d = p.headDim(), group = hq / p.kvHeads();
        Operands.Cache c = ops.cache();
        // no decode kernel rounds P: it is an fp32 product with the widened V
        return attend(ops.q(), h -> ((long) b * hq + h) * d, g * group, group, c.k(), c.v(), t -> c.offset(b, t, g),
                p.cache().seqLen(b), d, p.dtype(), false);
    }

    /**
     * {@code Σ_t softmax(q_h·k_t / sqrt(d))_t · v_t} over keys {@code 0..n-1} for query heads {@code h0..h0+heads}
     * (which share the keys), with each element's bound: from the statistics of the scores ({@link Bounds.Softmax}),
     * {@code Σ π_t|v_t|} and {@code Σ |v_t|}. K and V are widened a block of keys at a time, once for all the heads.
     */
    private static Expected attend(HostTensor q, LongUnaryOperator queryAt, int h0, int heads, HostTensor k, HostTensor v,
                                   KeyRows rows, int n, int d, DType t, boolean pRounded) {
        double scale = 1.0 / Math.sqrt(d);
        double[][] qd = new double[heads][d], z = new double[heads][n];
        double[] max = new double[heads], min = new double[heads], maxAbsDot = new double[heads];
        for (int hh = 0; hh < heads; hh++) {
            for (int i = 0; i < d; i++) qd[hh][i] = q.get(queryAt.applyAsLong(h0 + hh) + i);
            max[hh] = Double.NEGATIVE_INFINITY;
            min[hh] = Double.POSITIVE_INFINITY;
        }
        float[] block = new float[Math.min(n, KEY_BLOCK) * d];
        for (int t0 = 0; t0 < n; t0 += KEY_BLOCK) {
            int keys = Math.min(KEY_BLOCK, n - t0);
            widenRows(k, rows, t0, keys, d, block);
            for (int hh = 0; hh < heads; hh++) {
                double[] qh = qd[hh];
                for (int j = 0; j < keys; j++) {
                    double dot0 = 0, dot1 = 0, abs0 = 0, abs1 = 0;
                    for (int i = 0, at = j * d; i < d; i += 2, at += 2) {
                        double p0 = qh[i] * block[at], p1 = qh[i + 1] * block[at + 1];
                        dot0 += p0; dot1 += p1;
                        abs0 += Math.abs(p0); abs1 += Math.abs(p1);
                    }
                    double score = (dot0 + dot1) * scale;
                    z[hh][t0 + j] = score;
                    max[hh] = Math.max(max[hh], score);
                    min[hh] = Math.min(min[hh], score);
                    maxAbsDot[hh] = Math.max(maxAbsDot[hh], (abs0 + abs1) * scale);
                }
            }
        }
        double[][] acc = new double[heads][d], absAcc = new double[heads][d];
        double[] vAbs = new double[d], l = new double[heads];
        for (int t0 = 0; t0 < n; t0 += KEY_BLOCK) {
            int keys = Math.min(KEY_BLOCK, n - t0);
            widenRows(v, rows, t0, keys, d, block);
            for (int j = 0; j < keys; j++)
                for (int i = 0; i < d; i++) vAbs[i] += Math.abs(block[j * d + i]);
            for (int hh = 0; hh < heads; hh++) {
                double[] a = acc[hh], aa = absAcc[hh];
                for (int j = 0; j < keys; j++) {
                    double w = Math.exp(z[hh][t0 + j] - max[hh]);
                    l[hh] += w;
                    for (int i = 0, at = j * d; i < d; i++, at++) {
                        a[i] += w * block[at];
                        aa[i] += w * Math.abs(block[at]);
                    }
                }
            }
        }
        Expected out = new Expected(heads * d);
        for (int hh = 0; hh < heads; hh++) {
            Bounds.Softmax sm = new Bounds.Softmax(n, Bounds.gamma(d + 3) * maxAbsDot[hh], max[hh] - min[hh],
                    Math.max(Math.abs(max[hh]), Math.abs(min[hh])));
            for (int i = 0; i < d; i++) {
                double o = acc[hh][i] / l[hh];
                out.value[hh * d + i] = o;
                out.bound[hh * d + i] = Bounds.attention(t, pRounded, sm, o, absAcc[hh][i] / l[hh], vAbs[i]);
            }
        }
        return out;
    }

    /** Element offset of key (and value) row {@code t}. */
    private interface KeyRows { long at(int t); }

    /** Rows {@code t0..t0+keys} of {@code src}, widened into {@code into} ({@code [keys][d]}). */
    private static void widenRows(HostTensor src, KeyRows rows, int t0, int keys, int d, float[] into) {
        for (int j = 0; j < keys; j++) {
            long at = rows.at(t0 + j);
            for (int i = 0; i < d; i++) into[j * d + i] = src.get(at + i);
        }
    }

    private static float[] widen(HostTensor t, long from, int n, float[] into) {
        for (int i = 0; i < n; i++) into[i] = t.get(from + i);
        return into;
    }

    /** The exponent of the lowest set bit over a row's non-zero values: every product of two rows is a multiple of 2^(gx+gw). */
    static int grain(float[] row) {
        int g = NO_BITS;
        for (float f : row) if (f != 0) g = Math.min(g, lowestBit(f));
        return g;
    }

    /** {@code f = odd · 2^lowestBit(f)} for a non-zero, finite f. */
    static int lowestBit(float f) {
        int bits = Float.floatToRawIntBits(f), exponent = (bits >>> 23) & 0xFF, mantissa = bits & 0x7FFFFF;
        return exponent == 0 ? -149 + Integer.numberOfTrailingZeros(mantissa)
                             : exponent - 150 + Integer.numberOfTrailingZeros(mantissa | 0x800000);
    }
}
