package dev.tokenmill.tensor;

import dev.tokenmill.op.AppendSpec;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.DecodeSpec;
import dev.tokenmill.op.KvCache;
import dev.tokenmill.op.KvLayout;
import dev.tokenmill.op.LinearSpec;
import dev.tokenmill.op.PrefillSpec;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The inputs exercise the numerics they are meant to: properties of the operands themselves, from a fixed seed. */
class OperandsTest {
    private static final long SEED = 20261125L;
    private static final int HQ = 8, HKV = 2, D = 128;
    private static final int[] LENS = {2048, 3000, 77};

    /** Logits {@code q·k/√D} of query head h of sequence b over its first n cache slots. */
    private static double[] logits(Operands.Decode ops, int b, int h, int n) {
        double[] z = new double[n];
        for (int t = 0; t < n; t++) {
            long k = ops.cache().offset(b, t, h / (HQ / HKV)), q = ((long) b * HQ + h) * D;
            double dot = 0;
            for (int i = 0; i < D; i++) dot += (double) ops.q().get(q + i) * ops.cache().k().get(k + i);
            z[t] = dot / Math.sqrt(D);
        }
        return z;
    }

    private static Operands.Decode decode() {
        DecodeSpec spec = new DecodeSpec(HQ, new KvCache(LENS.length, HKV, D, LENS, 3100, KvLayout.PAGED, 16), DType.F32);
        return (Operands.Decode) Operands.create(spec, SEED);
    }

    @Test
    void attentionLogitsSpreadOverSeveralUnitsWithSinkHeadsAndRecencyHeads() {
        try (Operands.Decode ops = decode()) {
            int sinkHeld = 0, spread = 0, maxMovesLate = 0;
            for (int b = 0; b < LENS.length; b++)
                for (int h = 0; h < HQ; h++) {
                    int n = LENS[b];
                    double[] z = logits(ops, b, h, n);
                    double mean = Arrays.stream(z).average().orElseThrow();
                    double sd = Math.sqrt(Arrays.stream(z).map(x -> (x - mean) * (x - mean)).average().orElseThrow());
                    assertTrue(sd > 2, "logits of sequence " + b + " head " + h + " have sd " + sd);
                    double max = Arrays.stream(z).max().orElseThrow(), total = 0;
                    double[] w = new double[n];
                    for (int t = 0; t < n; t++) total += w[t] = Math.exp(z[t] - max);
                    double[] sorted = w.clone();
                    Arrays.sort(sorted);
                    double top3 = (sorted[n - 1] + sorted[n - 2] + sorted[n - 3]) / total;
                    if (top3 > 0.5) sinkHeld++;
                    if (top3 < 0.4) spread++;
                    // the running max over 64-key tiles (a decode tile): how often it moves, and whether late
                    int moves = 0;
                    boolean late = false;
                    double run = Double.NEGATIVE_INFINITY;
                    for (int t0 = 0; t0 < n; t0 += 64) {
                        double m = Arrays.stream(z, t0, Math.min(n, t0 + 64)).max().orElseThrow();
                        if (m > run && t0 > 0) {
                            moves++;
                            late |= t0 >= n * 3 / 4;
                        }
                        run = Math.max(run, m);
                    }
                    if (n >= 2048 && moves >= 5 && late) maxMovesLate++;
                }
            assertTrue(sinkHeld >= 4, sinkHeld + " heads where three keys hold half the weight");
            assertTrue(spread >= 3, spread + " heads where no three keys hold 40 % of it");
            assertTrue(maxMovesLate >= 3, maxMovesLate + " long sequences' heads whose max moves 5 times and late");
        }
    }

    @Test
    void cacheSlotsPastTheEndWouldTakeAllTheWeight() {
        try (Operands.Decode ops = decode()) {
            for (int h = 0; h < HQ; h++) {
                double[] z = logits(ops, 2, h, 100); // sequence 2 holds 77 tokens
                double real = Arrays.stream(z, 0, 77).max().orElseThrow();
                double past = Arrays.stream(z, 77, 100).min().orElseThrow();
                assertTrue(past > real + 10, "head " + h + ": past the end " + past + ", real keys up to " + real);
            }
        }
    }

    @Test
    void attentionValuesFitF16AndNoExponentialUnderflows() {
        try (Operands.Decode ops = decode()) {
            assertTrue(maxAbs(ops.q()) < 8 && maxAbs(ops.cache().k()) < 128 && maxAbs(ops.cache().v()) < 32);
            for (int h = 0; h < HQ; h++) {
                double[] z = logits(ops, 1, h, 3000);
                double range = Arrays.stream(z).max().orElseThrow() - Arrays.stream(z).min().orElseThrow();
                assertTrue(range < 80, "logit range " + range + ": exp(-range) would be an fp32 subnormal");
            }
        }
        try (Operands.Prefill p = (Operands.Prefill) Operands.create(new PrefillSpec(2, 300, HQ, HKV, D, DType.F16), SEED)) {
            for (HostTensor t : new HostTensor[]{p.q(), p.k(), p.v()})
                for (long i = 0; i < t.elements(); i++) assertTrue(Float.isFinite(t.get(i)));
        }
    }

    @Test
    void linearRowsAlternateSmallIntegersAndScaledFloats() {
        LinearSpec spec = new LinearSpec(6, 5, 300, DType.BF16);
        try (Operands.Linear ops = (Operands.Linear) Operands.create(spec, SEED)) {
            for (HostTensor t : new HostTensor[]{ops.x(), ops.w()})
                for (int r = 0; r < t.shape()[0]; r++) {
                    boolean integers = true;
                    for (int i = 0; i < 300; i++) {
                        float x = t.get((long) r * 300 + i);
                        assertTrue(Math.abs(x) <= 4, "row " + r + ": " + x);
                        integers &= x == Math.rint(x);
                    }
                    assertEquals(r % 2 == 0, integers, "row " + r);
                }
            for (long i = 0; i < ops.y().elements(); i++) assertTrue(Float.isNaN(ops.y().get(i)));
        }
    }

    @Test
    void theSameSeedGivesTheSameOperands() {
        PrefillSpec spec = new PrefillSpec(1, 70, 4, 2, 64, DType.BF16);
        try (Operands.Prefill a = (Operands.Prefill) Operands.create(spec, SEED);
             Operands.Prefill b = (Operands.Prefill) Operands.create(spec, SEED);
             Operands.Prefill c = (Operands.Prefill) Operands.create(spec, SEED + 1)) {
            assertEquals(-1, a.k().segment().mismatch(b.k().segment()));
            assertTrue(a.k().segment().mismatch(c.k().segment()) >= 0);
        }
    }

    @Test
    void anAppendsCacheCanBeRegeneratedPieceByPiece() {
        AppendSpec spec = new AppendSpec(new KvCache(2, 3, 64, new int[]{5, 17}, 40, KvLayout.PAGED, 16), DType.F16);
        try (Operands.Append a = (Operands.Append) Operands.create(spec, SEED);
             HostTensor slice = HostTensor.allocate(DType.F16, 1000)) {
            a.initialCache(true, 2000, slice);
            for (int i = 0; i < 1000; i++) {
                float was = a.cache().v().get(2000 + i);
                assertTrue(Float.isNaN(was) || was == slice.get(i), "element " + (2000 + i));
            }
            long poisoned = 0;
            for (long i = 0; i < a.cache().v().elements(); i++) if (Float.isNaN(a.cache().v().get(i))) poisoned++;
            assertEquals(2 * 3 * 64, poisoned, "exactly the slots to be written start as NaN");
        }
    }

    private static float maxAbs(HostTensor t) {
        float m = 0;
        for (long i = 0; i < t.elements(); i++) m = Math.max(m, Math.abs(t.get(i)));
        return m;
    }
}
