package dev.tokenmill.reference;

import dev.tokenmill.op.DType;
import dev.tokenmill.op.KvCache;
import dev.tokenmill.op.LinearSpec;
import dev.tokenmill.op.PrefillSpec;
import dev.tokenmill.tensor.HostTensor;
import dev.tokenmill.tensor.Operands;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

/**
 * Checks a kernel's outputs (already computed into the operands) against {@link Reference}: every element within its
 * error bound, or bit for bit where the bound is zero. Every output element is checked while the reference's work
 * fits {@link #BUDGET}; beyond it, a sample in {@link Coverage}'s order (first and last rows, every tile edge, then
 * random rows), with the first and last token of every sequence always in it. Appends and copies are compared whole,
 * bit for bit: the whole KV cache, so that a stray write anywhere fails.
 */
public final class Verifier {
    /**
     * Reference multiply-adds per verification, beyond the rows that are always checked: 0.5 to 3 s on the shared
     * 2-core development machine (load average 13; decode at 8 192 tokens, prefill at 512, warm JIT). Shapes within
     * it are checked whole: the test suites' attention shapes, linear up to M·N·K = 2^28. Appends and copies are
     * always compared whole (a memory comparison, no arithmetic).
     */
    static final long BUDGET = 1L << 28;
    /** Widened X rows and results held at a time by a linear check, in elements. */
    private static final long ROW_BLOCK_ELEMENTS = 1 << 22;
    /** Elements compared per task when a cache is compared whole. */
    private static final int CHUNK = 1 << 20;

    private Verifier() {}

    public static Verification check(Operands ops) {
        return switch (ops) {
            case Operands.Linear l -> linear(l);
            case Operands.Prefill p -> prefill(p);
            case Operands.Decode d -> decode(d);
            case Operands.Append a -> append(a);
            case Operands.Copy c -> copy(c.src(), c.dst());
        };
    }

    private static Verification linear(Operands.Linear l) {
        LinearSpec s = l.spec();
        int m = s.m(), n = s.n(), k = s.k();
        int rows = m, cols = n;
        if ((long) m * n * k > BUDGET) {
            long elements = Math.max(4, BUDGET / k);
            rows = (int) Math.clamp((long) Math.sqrt(elements), Math.min(2, m), m);
            cols = (int) Math.clamp(elements / rows, Math.min(2, n), n);
            if (cols == n) rows = (int) Math.clamp(elements / n, Math.min(2, m), m);
        }
        int[] picked = Arrays.copyOf(Coverage.order(m, m), rows), colOrder = Arrays.copyOf(Coverage.order(n, n), cols);
        Arrays.sort(picked);
        Arrays.sort(colOrder);
        // rows a block at a time, so that the widened X rows and the results stay small
        int block = (int) Math.max(1, ROW_BLOCK_ELEMENTS / Math.max(k, cols));
        Errors e = new Errors(s.dtype());
        for (int from = 0; from < rows; from += block) {
            int[] some = Arrays.copyOfRange(picked, from, Math.min(rows, from + block));
            Reference.Expected[] expected = Reference.linear(l, some, colOrder);
            for (int r = 0; r < some.length; r++) e.compare(expected[r], l.y(), (long) some[r] * n, colOrder);
        }
        return e.result((long) m * n);
    }

    private static Verification prefill(Operands.Prefill p) {
        PrefillSpec s = p.spec();
        int seq = s.seq(), batch = s.batch(), hkv = s.kvHeads(), rowLen = s.heads() * s.headDim();
        int groupLen = rowLen / hkv;
        // every batch's token at each position, positions in coverage order; the first two (0 and S-1) always
        int[] positions = Coverage.order(seq, seq);
        long budget = BUDGET;
        int taken = 0;
        while (taken < seq && (taken < 2 || budget >= 0)) budget -= (long) batch * (positions[taken++] + 1) * rowLen * 2;
        int tasks = taken * batch * hkv;
        return IntStream.range(0, tasks).parallel().mapToObj(task -> {
            int g = task % hkv, b = task / hkv % batch, pos = positions[task / hkv / batch];
            Errors e = new Errors(s.dtype());
            e.compare(Reference.prefill(p, b, pos, g), p.o(), ((long) b * seq + pos) * rowLen + (long) g * groupLen, null);
            return e;
        }).reduce(Errors::merge).orElseThrow().result((long) batch * seq * rowLen);
    }

    private static Verification decode(Operands.Decode d) {
        KvCache c = d.spec().cache();
        int batch = c.batch(), hkv = c.kvHeads(), rowLen = d.spec().heads() * d.spec().headDim(), groupLen = rowLen / hkv;
        int[] order = Coverage.order(batch, batch);
        long budget = BUDGET;
        int taken = 0;
        while (taken < batch && (taken < 2 || budget >= 0)) budget -= (long) c.seqLen(order[taken++]) * rowLen * 2;
        return IntStream.range(0, taken * hkv).parallel().mapToObj(task -> {
            int g = task % hkv, b = order[task / hkv];
            Errors e = new Errors(d.spec().dtype());
            e.compare(Reference.decode(d, b, g), d.o(), (long) b * rowLen + (long) g * groupLen, null);
            return e;
        }).reduce(Errors::merge).orElseThrow().result((long) batch * rowLen);
    }

    /** The whole cache, bit for bit: the new rows where they belong, and every other element as it was created. */
    private static Verification append(Operands.Append a) {
        KvCache c = a.spec().cache();
        // where row b·Hkv + h of the new k and v (sequence b, KV head h) must land, as an element offset
        long[] target = new long[c.batch() * c.kvHeads()];
        for (int b = 0; b < c.batch(); b++)
            for (int h = 0; h < c.kvHeads(); h++) target[b * c.kvHeads() + h] = a.cache().offset(b, c.seqLen(b), h);
        Verification k = cache(a, false, target);
        if (!k.passed()) return k;
        Verification v = cache(a, true, target);
        return v.passed() ? exactPass(k.checked() + v.checked()) : v;
    }

    /** The K (or V) cache against its initial contents with the new rows written at {@code target}. */
    private static Verification cache(Operands.Append a, boolean values, long[] target) {
        HostTensor cache = values ? a.cache().v() : a.cache().k(), rows = values ? a.v() : a.k();
        int d = a.spec().cache().headDim(), bytes = cache.dtype().bytes();
        long n = cache.elements();
        long first = LongStream.range(0, (n + CHUNK - 1) / CHUNK).parallel().map(chunk -> {
            long from = chunk * CHUNK, to = Math.min(n, from + CHUNK);
            try (HostTensor expected = HostTensor.allocate(cache.dtype(), to - from)) {
                a.initialCache(values, from, expected);
                for (int r = 0; r < target.length; r++) // rows start at multiples of d, chunks too: whole rows or none
                    if (target[r] >= from && target[r] < to)
                        MemorySegment.copy(rows.segment(), (long) r * d * bytes, expected.segment(),
                                (target[r] - from) * bytes, (long) d * bytes);
                long mismatch = expected.segment().mismatch(cache.segment().asSlice(from * bytes, (to - from) * bytes));
                return mismatch < 0 ? Long.MAX_VALUE : from + mismatch / bytes;
            }
        }).min().orElse(Long.MAX_VALUE);
        if (first == Long.MAX_VALUE) return exactPass(n);

        float got = cache.get(first);
        String element = (values ? "V" : "K") + " cache element " + first + " = " + got;
        Verification.Failure failure = Float.isNaN(got) ? Verification.Failure.NOT_WRITTEN : Verification.Failure.BIT_FOR_BIT;
        for (int r = 0; r < target.length; r++)
            if (first >= target[r] && first < target[r] + d)
                return exactFail(n, element + (Float.isNaN(got) ? " (never written?)" : "") + ", expected "
                        + rows.get((long) r * d + first - target[r]), failure);
        try (HostTensor was = HostTensor.allocate(cache.dtype(), 1)) {
            a.initialCache(values, first, was);
            return exactFail(n, element + ", expected " + was.get(0) + " (outside the appended rows: a stray write)", failure);
        }
    }

    /** A copy: every byte of {@code dst} equal to {@code src}'s. */
    private static Verification copy(HostTensor src, HostTensor dst) {
        long mismatch = dst.segment().mismatch(src.segment());
        if (mismatch < 0) return exactPass(src.elements());
        long i = mismatch / src.dtype().bytes();
        return exactFail(src.elements(), "element " + i + " = " + dst.get(i) + ", expected " + src.get(i),
                Float.isNaN(dst.get(i)) ? Verification.Failure.NOT_WRITTEN : Verification.Failure.BIT_FOR_BIT);
    }

    private static Verification exactPass(long n) {
        return new Verification(true, 0, 0, n, "", 0, 0, n, n, Verification.Failure.NONE);
    }

    private static Verification exactFail(long n, String worst, Verification.Failure failure) {
        return new Verification(false, 1, 0, n, worst, Double.NaN, Double.POSITIVE_INFINITY, n, n, failure);
    }

    /** Running maxima over compared elements; one per task, merged. */
    private static final class Errors {
        final DType dtype;
        long checked, exact;
        double maxRel, maxUlp, use, tolerance;
        String worst = "";
        boolean nan, worstExact;

        Errors(DType dtype) { this.dtype = dtype; }

        /** Elements {@code offset + cols[j]} (or {@code offset + j} without cols) against {@code expected}. */
        void compare(Reference.Expected expected, HostTensor out, long offset, int[] cols) {
            double[] value = expected.value(), bound = expected.bound();
            double ss = 0;
            for (double v : value) ss += v * v;
            double rms = Math.sqrt(ss / value.length);
            for (int j = 0; j < value.length; j++) {
                long at = offset + (cols == null ? j : cols[j]);
                record(at, out.get(at), value[j], bound[j], rms);
            }
        }

        private void record(long index, double got, double expected, double bound, double rms) {
            checked++;
            if (bound == 0) exact++;
            if (Double.isNaN(got)) {
                if (!nan) worst = "element " + index + " is NaN (never written?), expected " + expected;
                nan = true;
                return;
            }
            double err = Math.abs(got - expected), scale = Math.abs(expected) + rms;
            maxRel = Math.max(maxRel, scale > 0 ? err / scale : err > 0 ? Double.POSITIVE_INFINITY : 0);
            maxUlp = Math.max(maxUlp, err / Bounds.ulp(dtype, scale));
            if (scale > 0) tolerance = Math.max(tolerance, bound / scale);
            double u = bound > 0 ? err / bound : err == 0 ? 0 : Double.POSITIVE_INFINITY;
            if (!nan && (u > use || worst.isEmpty())) {
                use = Math.max(use, u);
                worstExact = bound == 0;
                worst = "element " + index + " = " + got + ", expected " + expected
                        + (bound == 0 ? " (bit for bit)" : " ± " + String.format(Locale.ROOT, "%.3g", bound));
            }
        }

        Errors merge(Errors o) {
            checked += o.checked;
            exact += o.exact;
            maxRel = Math.max(maxRel, o.maxRel);
            maxUlp = Math.max(maxUlp, o.maxUlp);
            tolerance = Math.max(tolerance, o.tolerance);
            if (o.nan && !nan) {
                nan = true;
                worst = o.worst;
            } else if (!nan && !o.nan && o.use > use) {
                use = o.use;
                worst = o.worst;
                worstExact = o.worstExact;
            }
            return this;
        }

        Verification result(long outputs) {
            boolean passed = !nan && use <= 1;
            Verification.Failure failure = nan ? Verification.Failure.NOT_WRITTEN
                    : passed ? Verification.Failure.NONE
                    : worstExact ? Verification.Failure.BIT_FOR_BIT : Verification.Failure.ERROR_BOUND;
            return new Verification(passed, nan ? Double.NaN : maxRel, tolerance, checked, worst, nan ? Double.NaN : maxUlp,
                    nan ? Double.NaN : use, exact, outputs, failure);
        }
    }
}
