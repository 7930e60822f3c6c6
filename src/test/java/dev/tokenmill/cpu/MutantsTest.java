package dev.tokenmill.cpu;

import dev.tokenmill.op.AppendSpec;
import dev.tokenmill.op.CopySpec;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.DecodeSpec;
import dev.tokenmill.op.KvCache;
import dev.tokenmill.op.KvLayout;
import dev.tokenmill.op.LinearSpec;
import dev.tokenmill.op.OpSpec;
import dev.tokenmill.op.PrefillSpec;
import dev.tokenmill.reference.Verification;
import dev.tokenmill.reference.Verification.Failure;
import dev.tokenmill.reference.Verifier;
import dev.tokenmill.tensor.Operands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deliberately broken kernels ({@link Mutant}) that verification must refuse, each on a shape where the bug is live,
 * with the check that catches it: an element beyond its error bound, an exact element off by any amount (bit for
 * bit), or an element never written (still NaN). The issue's example comes first: a decode kernel whose online
 * softmax rescale is 3 % off passed on uniform inputs in [-1, 1] with a 2 % tolerance.
 */
class MutantsTest {
    private static final long SEED = 20261125L;
    /** A mutant must be off by at least this many times its error bound: caught with room to spare, not by luck. */
    private static final double MARGIN = 5;

    /** Decode, ragged lengths ending mid-tile (64); two of them long enough to be split into chunks (512). */
    private static DecodeSpec decode(DType t) {
        int[] lens = {600, 77, 1100};
        return new DecodeSpec(8, new KvCache(lens.length, 2, 128, lens, 1100, KvLayout.PAGED, 16), t);
    }

    /** Several query tiles and key blocks, so the online softmax rescales many times. */
    private static PrefillSpec prefill(DType t) { return new PrefillSpec(1, 300, 8, 2, 64, t); }

    /** M above the decode threshold (GEMM), K over two slices of 256 with a ragged third. */
    private static LinearSpec gemm(DType t) { return new LinearSpec(70, 40, 600, t); }

    /** M = 3 (GEMV), K off every vector width, so there is a scalar tail. */
    private static LinearSpec gemv(DType t) { return new LinearSpec(3, 40, 1001, t); }

    /** Room for one slot past every new token; one sequence appends into a fresh block. */
    private static AppendSpec append(DType t) {
        int[] lens = {5, 16, 30};
        return new AppendSpec(new KvCache(lens.length, 2, 64, lens, 40, KvLayout.PAGED, 16), t);
    }

    /** Each mutant, a spec where it is live, and the check that must catch it. */
    static List<Arguments> mutants() {
        List<Arguments> all = new ArrayList<>();
        for (DType t : DType.values()) {
            all.add(Arguments.of(Mutant.RESCALE_3_PERCENT_OFF, decode(t), Failure.ERROR_BOUND));
            all.add(Arguments.of(Mutant.RESCALE_3_PERCENT_OFF, prefill(t), Failure.ERROR_BOUND));
            all.add(Arguments.of(Mutant.CAUSAL_MASK_OFF_BY_ONE, prefill(t), Failure.ERROR_BOUND));
            all.add(Arguments.of(Mutant.WRONG_KV_HEAD, decode(t), Failure.ERROR_BOUND));
            all.add(Arguments.of(Mutant.WRONG_KV_HEAD, prefill(t), Failure.ERROR_BOUND));
            all.add(Arguments.of(Mutant.BLOCK_TABLE_OFF_BY_ONE, decode(t), Failure.ERROR_BOUND));
            all.add(Arguments.of(Mutant.LAST_K_OF_BLOCK_SKIPPED, gemm(t), Failure.BIT_FOR_BIT));
            all.add(Arguments.of(Mutant.TAIL_LANE_DROPPED, gemv(t), Failure.BIT_FOR_BIT));
            all.add(Arguments.of(Mutant.TAIL_LANE_DROPPED, decode(t), Failure.ERROR_BOUND));
            all.add(Arguments.of(Mutant.APPEND_ONE_SLOT_LATE, append(t), Failure.NOT_WRITTEN));
            all.add(Arguments.of(Mutant.APPEND_STRAY_WRITE, append(t), Failure.BIT_FOR_BIT));
        }
        all.add(Arguments.of(Mutant.TAIL_LANE_DROPPED, new CopySpec(4096 + 48), Failure.NOT_WRITTEN));
        return all;
    }

    @ParameterizedTest(name = "{0} on {1} is caught by the {2} check")
    @MethodSource("mutants")
    void everyMutantFailsVerification(Mutant mutant, OpSpec spec, Failure caughtBy) {
        Verification v = verify(spec, mutant);
        assertFalse(v.passed(), () -> mutant + " passed: " + v.summary());
        assertEquals(caughtBy, v.failure(), v::summary);
        assertTrue(v.boundUse() > MARGIN, () -> "caught, but narrowly: " + v.summary());
    }

    /** The same shapes pass unbroken: what the mutants fail is the bug, not the shape. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void theUnbrokenKernelsPassOnTheSameShapes(OpSpec spec) {
        Verification v = verify(spec, Mutant.NONE);
        assertTrue(v.passed(), v::summary);
    }

    static List<OpSpec> shapes() {
        return mutants().stream().map(a -> (OpSpec) a.get()[1]).distinct().toList();
    }

    /** The issue's shape and flags: {@code op decode --batch 2 --heads 8 --kv-heads 2 --head-dim 128 --context 3000 --dtype bf16}. */
    @Test
    void theIssuesRescaleMutantIsRefused() {
        DecodeSpec spec = DecodeSpec.uniform(2, 8, 2, 128, 3000, KvLayout.PAGED, KvCache.DEFAULT_BLOCK_SIZE, DType.BF16);
        Verification v = verify(spec, Mutant.RESCALE_3_PERCENT_OFF);
        assertFalse(v.passed(), v::summary);
        assertTrue(v.boundUse() > MARGIN, () -> "caught, but narrowly: " + v.summary());
    }

    @Test
    void everyMutantIsTested() {
        Set<Mutant> tested = EnumSet.noneOf(Mutant.class);
        for (Arguments a : mutants()) tested.add((Mutant) a.get()[0]);
        assertEquals(EnumSet.complementOf(EnumSet.of(Mutant.NONE)), tested);
    }

    private static Verification verify(OpSpec spec, Mutant mutant) {
        try (Operands ops = Operands.create(spec, SEED)) {
            CpuBackend.kernel(spec, mutant).run(ops);
            return Verifier.check(ops);
        }
    }
}
