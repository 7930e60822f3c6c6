package dev.tokenmill.reference;

import dev.tokenmill.op.AppendSpec;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.DecodeSpec;
import dev.tokenmill.op.KvCache;
import dev.tokenmill.op.KvLayout;
import dev.tokenmill.op.LinearSpec;
import dev.tokenmill.reference.Verification.Failure;
import dev.tokenmill.tensor.HostTensor;
import dev.tokenmill.tensor.Operands;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the Verifier refuses, with outputs written by the test itself (no kernel involved). */
class VerifierTest {
    private static final long SEED = 11;

    /** Writes the reference's values into Y, rounded to its dtype: what a perfect kernel would leave. */
    private static Operands.Linear perfectLinear(LinearSpec spec) {
        Operands.Linear ops = (Operands.Linear) Operands.create(spec, SEED);
        int[] rows = IntStream.range(0, spec.m()).toArray(), cols = IntStream.range(0, spec.n()).toArray();
        Reference.Expected[] e = Reference.linear(ops, rows, cols);
        for (int m = 0; m < spec.m(); m++)
            for (int n = 0; n < spec.n(); n++) ops.y().set((long) m * spec.n() + n, (float) e[m].value()[n]);
        return ops;
    }

    @Test
    void exactLinearOutputsMustMatchBitForBit() {
        try (Operands.Linear ops = perfectLinear(new LinearSpec(20, 24, 100, DType.F16))) {
            Verification ok = Verifier.check(ops);
            assertTrue(ok.passed(), ok::summary);
            // even rows by even columns at least (at this K, f16's short significands make more sums exact)
            assertTrue(ok.exact() >= 10 * 12, ok::summary);
            // (0, 0) sums integer products: one ulp off is wrong, however small relative to the tolerance of old
            float y = ops.y().get(0);
            ops.y().set(0, (float) (y + Bounds.ulp(DType.F16, y)));
            Verification off = Verifier.check(ops);
            assertFalse(off.passed(), off::summary);
            assertEquals(Failure.BIT_FOR_BIT, off.failure());
            assertTrue(off.maxRelErr() < 1e-2, "the old 1e-2 relative tolerance would have passed it: " + off.summary());
        }
    }

    @Test
    void otherOutputsMustStayWithinTheirBound() {
        LinearSpec spec = new LinearSpec(5, 6, 300, DType.F32);
        try (Operands.Linear ops = perfectLinear(spec)) {
            long at = spec.n() + 1; // row 1, column 1: float rows, so a bound, not bit for bit
            Reference.Expected e = Reference.linear(ops, new int[]{1}, new int[]{1})[0];
            double bound = e.bound()[0];
            assertTrue(bound > 0);
            ops.y().set(at, (float) (e.value()[0] + 0.5 * bound));
            assertTrue(Verifier.check(ops).passed(), Verifier.check(ops)::summary);
            ops.y().set(at, (float) (e.value()[0] + 2 * bound));
            Verification v = Verifier.check(ops);
            assertFalse(v.passed());
            assertEquals(Failure.ERROR_BOUND, v.failure());
            assertTrue(v.worst().startsWith("element " + at + " = "), v.worst());
        }
    }

    @Test
    void anUnwrittenOutputFails() {
        try (Operands.Linear ops = perfectLinear(new LinearSpec(3, 4, 10, DType.BF16))) {
            ops.y().set(5, Float.NaN);
            Verification v = Verifier.check(ops);
            assertEquals(Failure.NOT_WRITTEN, v.failure(), v::summary);
        }
    }

    /** The new rows copied where they belong, as a correct append does. */
    private static Operands.Append appended(AppendSpec spec) {
        Operands.Append a = (Operands.Append) Operands.create(spec, SEED);
        KvCache c = spec.cache();
        long row = (long) c.headDim() * spec.dtype().bytes();
        for (int b = 0; b < c.batch(); b++)
            for (int h = 0; h < c.kvHeads(); h++) {
                long src = ((long) b * c.kvHeads() + h) * row, dst = a.cache().offset(b, c.seqLen(b), h) * spec.dtype().bytes();
                MemorySegment.copy(a.k().segment(), src, a.cache().k().segment(), dst, row);
                MemorySegment.copy(a.v().segment(), src, a.cache().v().segment(), dst, row);
            }
        return a;
    }

    private static final AppendSpec APPEND = new AppendSpec(
            new KvCache(3, 2, 64, new int[]{0, 15, 33}, 1200, KvLayout.PAGED, 16), DType.BF16);

    @Test
    void aStrayWriteAnywhereInTheCacheFails() {
        try (Operands.Append a = appended(APPEND)) {
            Verification ok = Verifier.check(a);
            assertTrue(ok.passed(), ok::summary);
            assertEquals(2 * APPEND.cache().cacheElements(), ok.checked(), "the whole of both caches");
            // far from every appended row: in a block no sequence has reached yet
            long far = a.cache().v().elements() - 3;
            a.cache().v().set(far, a.cache().v().get(far) + 1);
            Verification v = Verifier.check(a);
            assertFalse(v.passed(), v::summary);
            assertEquals(Failure.BIT_FOR_BIT, v.failure());
            assertTrue(v.worst().contains("V cache element " + far) && v.worst().contains("stray write"), v.worst());
        }
    }

    @Test
    void aSlotLeftUnwrittenFails() {
        try (Operands.Append a = (Operands.Append) Operands.create(APPEND, SEED)) {
            Verification v = Verifier.check(a);
            assertEquals(Failure.NOT_WRITTEN, v.failure(), v::summary);
            assertTrue(v.worst().contains("never written"), v.worst());
        }
    }

    @Test
    void smallShapesAreCheckedWhole() {
        DecodeSpec spec = new DecodeSpec(8, new KvCache(3, 2, 64, new int[]{1, 100, 700}, 700, KvLayout.CONTIGUOUS, 0), DType.F32);
        try (Operands.Decode ops = (Operands.Decode) Operands.create(spec, SEED)) {
            Verification v = Verifier.check(ops); // never written: every element is NaN
            assertEquals(v.outputs(), v.checked(), v.summary());
            assertEquals(Failure.NOT_WRITTEN, v.failure());
        }
    }

    @Test
    void largeShapesAreSampledAndSaySo() {
        LinearSpec spec = new LinearSpec(1024, 1100, 512, DType.BF16);
        assertTrue((long) spec.m() * spec.n() * spec.k() > Verifier.BUDGET);
        try (Operands ops = Operands.create(spec, SEED)) {
            Verification v = Verifier.check(ops);
            assertTrue(v.checked() < v.outputs() && v.checked() >= Verifier.BUDGET / spec.k() / 2, v.summary());
            assertTrue(v.summary().contains("of " + v.outputs() + " elements checked (sampled)"), v.summary());
        }
    }

    @Test
    void samplesTakeTheEndsAndTileEdgesFirst() {
        int[] order = Coverage.order(1000, 1);
        assertEquals(1000, Arrays.stream(order).distinct().count(), "every index once");
        assertEquals(0, order[0]);
        assertEquals(999, order[1]);
        int[] edges = Arrays.copyOfRange(order, 2, 2 + 21);  // 127..129, 255..257, ..., 895..897
        for (int j = 1; j <= 7; j++)
            for (int i = 128 * j - 1; i <= 128 * j + 1; i++) {
                int index = i;
                assertTrue(Arrays.stream(edges).anyMatch(x -> x == index), "edge " + i + " among the first");
            }
        int firstNonEdge = Arrays.stream(order).boxed().toList().indexOf(
                Arrays.stream(order).filter(i -> i % 8 > 1 && i % 8 < 7).findFirst().orElseThrow());
        assertEquals(2 + 3 * (999 / 8), firstNonEdge, "every multiple of 8, ±1, before any other row");
    }

    @Test
    void outcomesWithoutBoundsReadAsBefore() {
        Verification old = new Verification(false, 0.5, 0.01, 100, "element 7 = 1.5, expected 1.0");
        assertEquals("FAILED (max_rel_err 0.500, tolerance 0.01, 100 elements checked; worst element 7 = 1.5, expected 1.0)",
                old.summary());
    }
}
