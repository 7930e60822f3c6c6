package dev.tokenmill.cpu;

import dev.tokenmill.tensor.Operands;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.LinearSpec;
import dev.tokenmill.reference.Verification;
import dev.tokenmill.reference.Verifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both linear kernels against the float64 reference, on awkward shapes, in every dtype. */
class CpuLinearTest {
    /** M on both sides of the decode/prefill switch (64); N and K off every vector, tile and panel width. */
    static Stream<Arguments> awkwardShapes() {
        int[][] nk = {{1, 1}, {15, 17}, {17, 15}, {33, 1000}, {1000, 33}};
        List<Arguments> out = new ArrayList<>();
        for (DType t : DType.values())
            for (int m : new int[]{1, 2, 7, 64, 65, 100})
                for (int[] s : nk) out.add(Arguments.of(m, s[0], s[1], t));
        return out.stream();
    }

    /**
     * Shapes that cross every block boundary: several row blocks (MC = 128), K slices (KC = 256) and packed W
     * blocks (1000-deep K packs 1024 columns at a time) for the GEMM; several K tiles (KB = 1024) for the GEMV.
     */
    static Stream<Arguments> multiBlockShapes() {
        List<Arguments> out = new ArrayList<>();
        for (DType t : DType.values()) {
            out.add(Arguments.of(140, 1100, 1000, t));
            out.add(Arguments.of(64, 100, 2100, t));
            out.add(Arguments.of(1, 3, 5000, t));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "M={0} N={1} K={2} {3}")
    @MethodSource({"awkwardShapes", "multiBlockShapes"})
    void matchesTheFloat64Reference(int m, int n, int k, DType dtype) {
        LinearSpec spec = new LinearSpec(m, n, k, dtype);
        try (Operands.Linear ops = (Operands.Linear) Operands.create(spec, 7L * m + 31L * n + k)) {
            CpuLinear.of(spec, Mutant.NONE).run(ops);
            Verification v = Verifier.check(ops);
            assertTrue(v.passed(), spec + ": " + v.summary());
            // Every output element is checked here, not a sample: Y starts NaN-poisoned, so a missed write fails.
            for (long i = 0; i < ops.y().elements(); i++) assertTrue(!Float.isNaN(ops.y().get(i)), "Y[" + i + "] not written");
        }
    }

    @Test
    void aKernelGivesTheSameResultWhenRunAgainOnOtherOperands() {
        LinearSpec spec = new LinearSpec(70, 40, 300, DType.BF16);
        CpuKernel kernel = CpuLinear.of(spec, Mutant.NONE);
        for (long seed = 1; seed <= 2; seed++) {
            try (Operands ops = Operands.create(spec, seed)) {
                kernel.run(ops);
                assertTrue(Verifier.check(ops).passed(), "seed " + seed);
            }
        }
    }

    @Test
    void aTooDeepKIsRefusedWithTheFieldNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> CpuLinear.of(new LinearSpec(65, 1, CpuLinear.MAX_K + 1, DType.F32), Mutant.NONE));
        assertTrue(e.getMessage().startsWith("k must be at most"), e.getMessage());
    }

    @Test
    void decodeShapesStreamAndPrefillShapesPack() {
        assertEquals("cpu.gemv.stream", CpuLinear.of(new LinearSpec(1, 8, 8, DType.BF16), Mutant.NONE).variant());
        assertEquals("cpu.gemv.stream", CpuLinear.of(new LinearSpec(LinearSpec.DECODE_MAX_M, 8, 8, DType.F32), Mutant.NONE).variant());
        assertEquals("cpu.gemm.packed", CpuLinear.of(new LinearSpec(LinearSpec.DECODE_MAX_M + 1, 8, 8, DType.F16), Mutant.NONE).variant());
    }
}
