package dev.tokenmill.reference;

import dev.tokenmill.op.DType;
import dev.tokenmill.op.DecodeSpec;
import dev.tokenmill.op.KvCache;
import dev.tokenmill.op.KvLayout;
import dev.tokenmill.op.PrefillSpec;
import dev.tokenmill.tensor.Floats;
import dev.tokenmill.tensor.HostTensor;
import dev.tokenmill.tensor.Operands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bounds hold for fp32 kernels that sum in any order, tile and split differently from the CPU backend: simulated
 * here in plain float arithmetic (sequential with and without FMA, 16-lane partial sums, pairwise; online softmax
 * over tiles of 8 and 64 keys, split into chunks merged by log-sum-exp, P rounded to the dtype or not).
 */
class BoundsTest {
    @Test
    void ulpOfEachDtype() {
        assertEquals(0x1p-23, Bounds.ulp(DType.F32, 1.0));
        assertEquals(0x1p-10, Bounds.ulp(DType.F16, 1.5));
        assertEquals(0x1p-6, Bounds.ulp(DType.BF16, 3.0));
        assertEquals(0x1p-24, Bounds.ulp(DType.F16, 0.0), "f16's subnormal spacing");
        assertEquals(0x1p-24, Bounds.ulp(DType.F16, 1e-6));
    }

    @Test
    void exactSumsAreThoseFp32HoldsInEveryPartialSum() {
        assertTrue(Bounds.exactInFp32(1 << 24, 0));
        assertFalse(Bounds.exactInFp32((1 << 24) + 1, 0));
        assertTrue(Bounds.exactInFp32(1 << 21, -3));
        assertFalse(Bounds.exactInFp32(1 << 22, -3));
        // 2^24 + 1 is the first integer fp32 cannot hold: a sum that reaches it is not exact
        assertEquals(0x1p24f, (float) ((1 << 24) + 1));
    }

    /** Dot products of several lengths, with cancellation, summed in four orders: every result within its bound. */
    @ParameterizedTest
    @EnumSource(DType.class)
    void theLinearBoundHoldsForEverySummationOrder(DType t) {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int k : new int[]{1, 7, 100, 1000, 5000})
            for (int trial = 0; trial < 20; trial++) {
                float[] x = new float[k], w = new float[k];
                double y = 0, abs = 0;
                for (int i = 0; i < k; i++) {
                    x[i] = Floats.round(t, (float) Math.scalb(rnd.nextDouble(-1, 1), rnd.nextInt(-3, 3)));
                    w[i] = Floats.round(t, (float) rnd.nextDouble(-1, 1));
                    y += (double) x[i] * w[i];
                    abs += Math.abs((double) x[i] * w[i]);
                }
                double bound = Bounds.linear(t, k, y, abs);
                for (float got : new float[]{sequential(x, w, true), sequential(x, w, false), lanes(x, w), pairwise(x, w, 0, k)}) {
                    double err = Math.abs(Floats.round(t, got) - y);
                    assertTrue(err <= bound, t + " K=" + k + ": error " + err + " beyond bound " + bound);
                }
            }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void theDecodeBoundHoldsForOtherTilingsAndSplits(DType t) {
        int[] lens = {1, 63, 700, 2000};
        DecodeSpec spec = new DecodeSpec(4, new KvCache(lens.length, 2, 64, lens, 2000, KvLayout.PAGED, 16), t);
        try (Operands.Decode ops = (Operands.Decode) Operands.create(spec, 3)) {
            for (int b = 0; b < lens.length; b++)
                for (int g = 0; g < 2; g++) {
                    Reference.Expected e = Reference.decode(ops, b, g);
                    for (int hh = 0; hh < 2; hh++) {
                        int h = g * 2 + hh, gg = g, bb = b;
                        long q = ((long) b * 4 + h) * 64;
                        for (int[] tiling : new int[][]{{Bounds.MIN_RESCALE_TILE, 1 << 20}, {64, 512}, {Bounds.MIN_RESCALE_TILE, 100}})
                            assertWithin(e, hh * 64, t, attend(ops.q(), q, ops.cache().k(), ops.cache().v(),
                                    j -> ops.cache().offset(bb, j, gg), lens[b], 64, tiling[0], tiling[1], null));
                    }
                }
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void thePrefillBoundHoldsWithWeightsRoundedToTheDtype(DType t) {
        PrefillSpec spec = new PrefillSpec(1, 200, 4, 2, 64, t);
        try (Operands.Prefill ops = (Operands.Prefill) Operands.create(spec, 5)) {
            for (int s : new int[]{0, 1, 63, 64, 150, 199})
                for (int g = 0; g < 2; g++) {
                    Reference.Expected e = Reference.prefill(ops, 0, s, g);
                    for (int hh = 0; hh < 2; hh++) {
                        int h = g * 2 + hh, gg = g;
                        long q = ((long) s * 4 + h) * 64;
                        assertWithin(e, hh * 64, t, attend(ops.q(), q, ops.k(), ops.v(), j -> ((long) j * 2 + gg) * 64,
                                s + 1, 64, 64, 1 << 20, t == DType.F32 ? null : t));
                    }
                }
        }
    }

    private static void assertWithin(Reference.Expected e, int at, DType t, float[] got) {
        for (int i = 0; i < got.length; i++) {
            double err = Math.abs(Floats.round(t, got[i]) - e.value()[at + i]);
            assertTrue(err <= e.bound()[at + i], t + " element " + i + ": error " + err + " beyond bound " + e.bound()[at + i]);
        }
    }

    private static float sequential(float[] x, float[] w, boolean fma) {
        float acc = 0;
        for (int i = 0; i < x.length; i++) acc = fma ? Math.fma(x[i], w[i], acc) : acc + x[i] * w[i];
        return acc;
    }

    /** 16 partial sums, as a vector kernel keeps, reduced pairwise at the end. */
    private static float lanes(float[] x, float[] w) {
        float[] acc = new float[16];
        for (int i = 0; i < x.length; i++) acc[i % 16] = Math.fma(x[i], w[i], acc[i % 16]);
        for (int width = 8; width >= 1; width /= 2)
            for (int i = 0; i < width; i++) acc[i] += acc[i + width];
        return acc[0];
    }

    private static float pairwise(float[] x, float[] w, int from, int to) {
        if (to - from == 1) return x[from] * w[from];
        int mid = (from + to) >>> 1;
        return pairwise(x, w, from, mid) + pairwise(x, w, mid, to);
    }

    private interface Rows { long at(int j); }

    /**
     * A float flash-attention: q pre-scaled, online softmax over tiles of {@code tile} keys, chunks of {@code chunk}
     * keys merged by log-sum-exp; {@code roundP}: the weights rounded to that dtype for P·V (the sums keep them fp32).
     */
    private static float[] attend(HostTensor qt, long qAt, HostTensor k, HostTensor v, Rows rows, int n, int d, int tile,
                                  int chunk, DType roundP) {
        float scale = (float) (1 / Math.sqrt(d));
        float[] q = new float[d];
        for (int i = 0; i < d; i++) q[i] = qt.get(qAt + i) * scale;
        int chunks = (n + chunk - 1) / chunk;
        float[][] partial = new float[chunks][d];
        float[] lse = new float[chunks];
        for (int c = 0; c < chunks; c++) {
            float m = Float.NEGATIVE_INFINITY, l = 0;
            float[] acc = new float[d];
            for (int t0 = c * chunk; t0 < Math.min(n, (c + 1) * chunk); t0 += tile) {
                int t1 = Math.min(Math.min(n, (c + 1) * chunk), t0 + tile);
                float[] s = new float[t1 - t0];
                float mt = Float.NEGATIVE_INFINITY;
                for (int j = t0; j < t1; j++) {
                    float dot = 0;
                    for (int i = 0; i < d; i++) dot = Math.fma(q[i], k.get(rows.at(j) + i), dot);
                    s[j - t0] = dot;
                    mt = Math.max(mt, dot);
                }
                float mNew = Math.max(m, mt), alpha = (float) Math.exp(m - mNew);
                l *= alpha;
                for (int i = 0; i < d; i++) acc[i] *= alpha;
                for (int j = t0; j < t1; j++) {
                    float p = (float) Math.exp(s[j - t0] - mNew), pv = roundP == null ? p : Floats.round(roundP, p);
                    l += p;
                    for (int i = 0; i < d; i++) acc[i] = Math.fma(pv, v.get(rows.at(j) + i), acc[i]);
                }
                m = mNew;
            }
            for (int i = 0; i < d; i++) partial[c][i] = acc[i] / l;
            lse[c] = m + (float) Math.log(l);
        }
        float max = Float.NEGATIVE_INFINITY, total = 0;
        for (float x : lse) max = Math.max(max, x);
        float[] out = new float[d];
        for (int c = 0; c < chunks; c++) {
            float weight = (float) Math.exp(lse[c] - max);
            total += weight;
            for (int i = 0; i < d; i++) out[i] = Math.fma(weight, partial[c][i], out[i]);
        }
        for (int i = 0; i < d; i++) out[i] /= total;
        return out;
    }
}
