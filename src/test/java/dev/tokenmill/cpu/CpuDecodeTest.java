package dev.tokenmill.cpu;

import dev.tokenmill.backend.PrepareOptions;
import dev.tokenmill.backend.PreparedOp;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.DecodeSpec;
import dev.tokenmill.op.KvCache;
import dev.tokenmill.op.KvLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuDecodeTest {
    /** Longer than {@link CpuDecode#MIN_CHUNK} twice over: split into chunks whose partials are merged. */
    private static final int LONG = 2 * CpuDecode.MIN_CHUNK + 76;

    /** Ragged lengths around a block of {@code bs} tokens and around a tile, plus a long sequence and a short one. */
    private static int[] lengths(int bs) {
        int tile = DecodeTile.TILE;
        return new int[]{1, Math.max(1, bs - 1), bs, bs + 1, tile - 1, tile + 1, LONG, 3};
    }

    private static DecodeSpec spec(int hq, int hkv, int d, int[] lens, KvLayout layout, int bs, DType t) {
        int capacity = java.util.Arrays.stream(lens).max().orElseThrow();
        return new DecodeSpec(hq, new KvCache(lens.length, hkv, d, lens, capacity, layout, bs), t);
    }

    static List<Arguments> groups() {
        List<Arguments> all = new ArrayList<>();
        for (DType t : DType.values())
            for (int d : new int[]{64, 128})
                for (int[] g : new int[][]{{4, 4}, {8, 2}, {16, 2}, {8, 1}, {7, 1}})
                    all.add(Arguments.of(t, d, g[0], g[1]));
        return all;
    }

    /** Every dtype and head dim; MHA, GQA 4:1 and 8:1, MQA (and an odd group of 7, leaving single heads). */
    @ParameterizedTest(name = "{0} D={1} Hq={2} Hkv={3}")
    @MethodSource("groups")
    void matchesTheReferenceForEveryGroupShape(DType t, int d, int hq, int hkv) {
        AttentionCheck.verify(spec(hq, hkv, d, lengths(16), KvLayout.PAGED, 16, t), hq * 31L + d);
    }

    static List<Arguments> layouts() {
        List<Arguments> all = new ArrayList<>();
        for (DType t : new DType[]{DType.F32, DType.BF16})
            for (int bs : new int[]{1, 16, 32}) all.add(Arguments.of(t, KvLayout.PAGED, bs));
        for (DType t : DType.values()) all.add(Arguments.of(t, KvLayout.CONTIGUOUS, 16));
        return all;
    }

    /** Paged caches of block sizes 1, 16, 32 (sequences scattered over the pool) and the contiguous cache. */
    @ParameterizedTest(name = "{0} {1} block={2}")
    @MethodSource("layouts")
    void matchesTheReferenceForEveryLayout(DType t, KvLayout layout, int bs) {
        AttentionCheck.verify(spec(8, 2, 128, lengths(bs), layout, bs, t), bs * 13L);
    }

    @Test
    void eachDtypeRunsItsOwnCopyOfTheTileKernel() {
        Class<?> bf16 = DecodeTile.forDtype(DType.BF16, 8, 2, 64).getClass();
        assertEquals(bf16, DecodeTile.forDtype(DType.BF16, 32, 8, 128).getClass());
        assertTrue(bf16.isHidden());
        assertTrue(bf16 != DecodeTile.forDtype(DType.F32, 8, 2, 64).getClass());
        assertTrue(bf16 != DecodeTile.forDtype(DType.F16, 8, 2, 64).getClass());
        // a copy resolves nested classes (enum switch maps, lambdas) to the original's: there must be none
        assertEquals(1, DecodeTile.class.getNestMembers().length);
    }

    @Test
    void chunksLongContextsAcrossCoresButNotShortOnes() {
        KvCache longOne = new KvCache(1, 8, 128, new int[]{65536}, 65536, KvLayout.PAGED, 16);
        int chunk = CpuDecode.chunkTokens(longOne, 2);
        assertTrue(65536 / chunk >= 2, "chunk " + chunk);
        assertEquals(0, chunk % CpuDecode.TILE);
        KvCache shortOnes = new KvCache(4, 8, 128, new int[]{1, 40, 300, 2}, 300, KvLayout.PAGED, 16);
        assertEquals(CpuDecode.MIN_CHUNK, CpuDecode.chunkTokens(shortOnes, 2));
    }

    @Test
    void verifiesThroughTheBackend() {
        DecodeSpec s = DecodeSpec.uniform(2, 8, 1, 64, 333, KvLayout.PAGED, 16, DType.BF16);
        try (PreparedOp op = new CpuBackend().prepare(s, PrepareOptions.single())) {
            assertEquals("cpu.decode.splitkv", op.variant());
            assertTrue(op.verify().passed());
        }
    }
}
