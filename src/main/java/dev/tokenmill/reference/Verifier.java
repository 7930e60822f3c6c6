package dev.tokenmill.reference;

import dev.tokenmill.tensor.Operands;
import dev.tokenmill.op.KvCache;
import dev.tokenmill.tensor.HostTensor;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * Checks a kernel's outputs (already computed into the operands) against {@link Reference}. Large shapes are
 * checked on a sample of output rows (always the first and the last, then random ones) within a budget of
 * multiply-adds, so verification stays well under a second whatever the shape.
 */
public final class Verifier {
    /** Reference multiply-adds per verification, beyond the first and last rows. */
    static final long MAC_BUDGET = 1L << 26;

    private Verifier() {}

    public static Verification check(Operands ops) {
        double tol = Tolerance.of(ops.spec().dtype());
        return switch (ops) {
            case Operands.Linear l -> rows(l.spec().m(), (long) l.spec().n() * l.spec().k(),
                    m -> Reference.linearRow(l, m), l.y(), l.spec().n(), tol);
            case Operands.Prefill p -> {
                int seq = p.spec().seq();
                int rowLen = p.spec().heads() * p.spec().headDim();
                long macs = (long) seq * rowLen; // a late token's cost; rows are tokens (b, s)
                yield rows(p.spec().batch() * seq, macs, r -> Reference.prefillRow(p, r / seq, r % seq), p.o(), rowLen, tol);
            }
            case Operands.Decode d -> {
                int rowLen = d.spec().heads() * d.spec().headDim();
                long macs = (long) d.spec().cache().maxSeqLen() * rowLen * 2;
                yield rows(d.spec().batch(), macs, b -> Reference.decodeRow(d, b), d.o(), rowLen, tol);
            }
            case Operands.Append a -> append(a);
            case Operands.Copy c -> exact(c.src(), c.dst());
        };
    }

    private static Verification rows(int rows, long macsPerRow, IntFunction<double[]> reference, HostTensor out,
                                     int rowLen, double tol) {
        Errors e = new Errors(tol);
        for (int r : sampleRows(rows, macsPerRow)) e.compare(reference.apply(r), out, (long) r * rowLen);
        return e.result();
    }

    static List<Integer> sampleRows(int rows, long macsPerRow) {
        LinkedHashSet<Integer> picked = new LinkedHashSet<>();
        picked.add(0);
        picked.add(rows - 1);
        long budget = MAC_BUDGET / Math.max(1, macsPerRow);
        if (budget >= rows) {
            for (int r = 0; r < rows; r++) picked.add(r);
        } else {
            SplittableRandom rnd = new SplittableRandom(rows * 31L + macsPerRow);
            for (long i = 0; i < budget; i++) picked.add(rnd.nextInt(rows));
        }
        return new ArrayList<>(picked);
    }

    private static Verification append(Operands.Append a) {
        KvCache c = a.spec().cache();
        Errors e = new Errors(0);
        int d = c.headDim();
        for (int b = 0; b < c.batch(); b++)
            for (int h = 0; h < c.kvHeads(); h++) {
                long src = ((long) b * c.kvHeads() + h) * d, dst = a.cache().offset(b, c.seqLen(b), h);
                for (int i = 0; i < d; i++) {
                    e.element(a.k().get(src + i), a.cache().k().get(dst + i), dst + i);
                    e.element(a.v().get(src + i), a.cache().v().get(dst + i), dst + i);
                }
            }
        return e.result();
    }

    private static Verification exact(HostTensor expected, HostTensor got) {
        Errors e = new Errors(0);
        long mismatch = got.segment().mismatch(expected.segment());
        e.checked = expected.elements();
        if (mismatch >= 0) {
            long i = mismatch / expected.dtype().bytes();
            e.element(expected.get(i), got.get(i), i);
        }
        return e.result();
    }

    /** Running maximum of the relative error over compared elements. */
    private static final class Errors {
        final double tol;
        double max;
        long checked;
        String worst = "";
        boolean nan;

        Errors(double tol) { this.tol = tol; }

        void compare(double[] expected, HostTensor out, long offset) {
            double ss = 0;
            for (double v : expected) ss += v * v;
            double rms = Math.sqrt(ss / expected.length);
            for (int i = 0; i < expected.length; i++) {
                double got = out.get(offset + i);
                double err = Math.abs(got - expected[i]) / (Math.abs(expected[i]) + rms);
                record(err, got, expected[i], offset + i);
            }
        }

        /** Exact comparison (copies, appends): any difference is an error of 1. */
        void element(double expected, double got, long index) {
            record(Double.compare(expected, got) == 0 ? 0 : 1, got, expected, index);
        }

        private void record(double err, double got, double expected, long index) {
            checked++;
            if (Double.isNaN(got) || Double.isNaN(err)) {
                if (!nan) worst = "element " + index + " is NaN (never written?), expected " + expected;
                nan = true;
                max = Double.NaN;
            } else if (!nan && err > max) {
                max = err;
                worst = "element " + index + " = " + got + ", expected " + expected;
            }
        }

        Verification result() {
            boolean passed = !nan && max <= tol;
            return new Verification(passed, max, tol, checked, worst);
        }
    }
}
