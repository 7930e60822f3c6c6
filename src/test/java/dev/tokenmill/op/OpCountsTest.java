package dev.tokenmill.op;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.tokenmill.op.DType.BF16;
import static dev.tokenmill.op.DType.F16;
import static dev.tokenmill.op.DType.F32;
import static dev.tokenmill.op.KvLayout.CONTIGUOUS;
import static dev.tokenmill.op.KvLayout.PAGED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** FLOPs, minimum bytes and derived layout sizes follow the kernel contracts of ARCHITECTURE.md. */
class OpCountsTest {
    @Test
    void prefillCountsTheCausalTriangle() {
        PrefillSpec s = new PrefillSpec(2, 5, 8, 2, 64, F16);
        assertEquals(4.0 * 2 * 8 * 64 * (5 * 6 / 2.0), s.flops());
        assertEquals((2L * 10 * 8 * 64 + 2L * 10 * 2 * 64) * 2, s.minBytes());
        assertEquals(List.of("batch", "seq", "heads", "kv_heads", "head_dim"), List.copyOf(s.shape().keySet()));
    }

    @Test
    void decodeReadsEveryCachedTokenOnce() {
        KvCache c = new KvCache(3, 2, 128, new int[]{1, 17, 5}, 17, PAGED, 16);
        DecodeSpec s = new DecodeSpec(8, c, BF16);
        assertEquals(23, c.totalTokens());
        assertEquals(4.0 * 23 * 8 * 128, s.flops());
        assertEquals((2L * 23 * 2 * 128 + 2L * 3 * 8 * 128) * 2, s.minBytes());
        assertEquals(23L, s.shape().get("total_tokens"), "ragged shapes say how many tokens they hold");
        assertEquals(16, s.shape().get("block_size"));
        assertFalse(DecodeSpec.uniform(2, 8, 2, 64, 9, CONTIGUOUS, 16, F32).shape().containsKey("block_size"));
    }

    @Test
    void appendAndCopyMoveBytesButDoNoArithmetic() {
        AppendSpec a = AppendSpec.uniform(4, 8, 128, 15, PAGED, 16, BF16);
        assertEquals(0, a.flops());
        assertEquals(4L * 4 * 8 * 128 * 2, a.minBytes());
        assertEquals(16, a.cache().capacity(), "room for the new token");
        CopySpec c = new CopySpec(1 << 20);
        assertEquals(0, c.flops());
        assertEquals(2L << 20, c.minBytes());
        assertEquals((1 << 20) / 4, c.elements());
        assertEquals(0, c.arithmeticIntensity());
    }

    @Test
    void pagedCachesOwnWholeBlocksContiguousOnesForgetTheBlockSize() {
        KvCache paged = new KvCache(3, 2, 64, new int[]{15, 16, 17}, 17, PAGED, 16);
        assertEquals(2, paged.maxBlocks());
        assertEquals(6, paged.poolBlocks());
        assertEquals(6L * 16 * 2 * 64, paged.cacheElements());
        assertEquals(17, paged.maxSeqLen());

        KvCache contiguous = new KvCache(3, 2, 64, new int[]{15, 16, 17}, 17, CONTIGUOUS, 16);
        assertEquals(0, contiguous.blockSize());
        assertEquals(0, contiguous.maxBlocks());
        assertEquals(3L * 17 * 2 * 64, contiguous.cacheElements());
        assertEquals(contiguous, new KvCache(3, 2, 64, new int[]{15, 16, 17}, 17, CONTIGUOUS, 64));
    }

    @Test
    void cachesKeepTheirOwnCopyOfTheLengths() {
        int[] lens = {3, 4};
        KvCache c = new KvCache(2, 1, 64, lens, 8, PAGED, 16);
        lens[0] = 99;
        assertEquals(3, c.seqLen(0));
        c.seqLens()[1] = 99;
        assertArrayEquals(new int[]{3, 4}, c.seqLens());
        assertTrue(new KvCache(2, 1, 64, new int[]{5, 5}, 8, PAGED, 16).isUniform());
    }

    @Test
    void dtypesParseAnyCaseAndKnowTheirSize() {
        assertEquals(BF16, DType.parse("BF16"));
        assertEquals(F16, DType.parse("f16"));
        assertEquals(4, F32.bytes());
        assertEquals(2, BF16.bytes());
        assertEquals(2, F16.bytes());
        assertEquals("bf16", BF16.id());
    }

    @Test
    void shapeTextListsTheShapeInOrder() {
        assertEquals("m=1 n=4096 k=4096", new LinearSpec(1, 4096, 4096, BF16).shapeText());
        assertEquals(Map.of("bytes", 4096L), new CopySpec(4096).shape());
    }
}
