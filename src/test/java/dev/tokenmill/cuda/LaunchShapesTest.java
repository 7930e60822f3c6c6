package dev.tokenmill.cuda;

import dev.tokenmill.op.DType;
import dev.tokenmill.op.DecodeSpec;
import dev.tokenmill.op.KvCache;
import dev.tokenmill.op.KvLayout;
import dev.tokenmill.op.LinearSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The launch parameters chosen on the host, checked against kernels/ABI.md's preconditions (no GPU needed). */
class LaunchShapesTest {
    private static final int H100_SMS = 132, H100_SHARED = 232448;

    @Test
    void gemvSplitsKOnlyWhenNLeavesSmsIdle() {
        assertEquals(1, GemvLauncher.splits(new LinearSpec(1, 14336, 4096, DType.BF16), H100_SMS));
        for (DType t : DType.values())
            for (int k : new int[]{8, 520, 4096, 28672, 1 << 20}) {
                LinearSpec s = new LinearSpec(4, 64, k, t);
                int splits = GemvLauncher.splits(s, H100_SMS);
                int vec = CudaKernel.vec(t);
                assertTrue(splits >= 1 && splits <= 64 && splits <= (k + vec - 1) / vec, s + " -> " + splits);
            }
        assertTrue(GemvLauncher.splits(new LinearSpec(1, 64, 16384, DType.BF16), H100_SMS) > 1);
    }

    @Test
    void gemvTakesDecodeShapesWithWholeVectorRows() {
        assertTrue(GemvLauncher.handles(new LinearSpec(64, 10, 16, DType.F16)));
        assertFalse(GemvLauncher.handles(new LinearSpec(65, 10, 16, DType.F16)), "M > 64 is a prefill shape");
        assertFalse(GemvLauncher.handles(new LinearSpec(1, 10, 12, DType.BF16)), "K % 8 != 0 for 16-bit types");
        assertTrue(GemvLauncher.handles(new LinearSpec(1, 10, 12, DType.F32)));
    }

    @Test
    void decodeChunksAreWholeTilesThatFitSharedMemory() {
        for (int batch : new int[]{1, 8, 256})
            for (int context : new int[]{1, 17, 1100, 4096, 131072})
                for (int[] heads : new int[][]{{32, 8}, {64, 1}, {8, 8}}) {
                    DecodeSpec s = DecodeSpec.uniform(batch, heads[0], heads[1], 128, context, KvLayout.PAGED, 16, DType.BF16);
                    int chunk = DecodeLauncher.chunkLen(s, H100_SMS, H100_SHARED);
                    assertTrue(chunk >= 64 && chunk <= 4096 && chunk % 64 == 0, s.shapeText() + " -> " + chunk);
                    assertTrue(chunk <= Math.max(64, (context + 63) / 64 * 64), "no longer than the sequence: " + s.shapeText() + " -> " + chunk);
                    assertTrue(DecodeLauncher.sharedBytes(s, chunk) <= H100_SHARED);
                }
        DecodeSpec one = DecodeSpec.uniform(1, 32, 8, 128, 32768, KvLayout.CONTIGUOUS, 0, DType.F16);
        int chunk = DecodeLauncher.chunkLen(one, H100_SMS, H100_SHARED);
        assertTrue(8L * ((32768 + chunk - 1) / chunk) <= 4L * H100_SMS, "batch 1 still spreads over the SMs: " + chunk);
    }

    @Test
    void decodeChunksStopGrowingAtTheLongestSequence() {
        // 128 sequences x 8 KV heads = 1024 CTAs per chunk, more than 4 per SM at any chunk length: the chunk used to
        // double on to 4096, sizing shared memory for 4096 tokens where sequences hold 1024
        assertEquals(1024, DecodeLauncher.chunkLen(DecodeSpec.uniform(128, 32, 8, 128, 1024, KvLayout.PAGED, 16, DType.BF16),
                H100_SMS, H100_SHARED));
        assertEquals(1152, DecodeLauncher.chunkLen(DecodeSpec.uniform(128, 32, 8, 128, 1100, KvLayout.PAGED, 16, DType.BF16),
                H100_SMS, H100_SHARED), "1100 tokens rounded up to whole 64-token tiles");
        assertEquals(64, DecodeLauncher.chunkLen(DecodeSpec.uniform(256, 32, 8, 128, 17, KvLayout.CONTIGUOUS, 0, DType.F32),
                H100_SMS, H100_SHARED));
        DecodeSpec ragged = new DecodeSpec(32, new KvCache(128, 8, 128, raggedLengths(128, 700), 700, KvLayout.PAGED, 16), DType.F16);
        assertEquals(704, DecodeLauncher.chunkLen(ragged, H100_SMS, H100_SHARED), "the longest of ragged sequences");
    }

    /** {@code n} lengths from 1 up to {@code max}. */
    private static int[] raggedLengths(int n, int max) {
        int[] lens = new int[n];
        for (int i = 0; i < n; i++) lens[i] = 1 + (int) ((long) i * (max - 1) / (n - 1));
        return lens;
    }

    @Test
    void decodeThatCannotFitSharedMemorySaysSo() {
        DecodeSpec s = new DecodeSpec(64, new KvCache(1, 1, 128, new int[]{100}, 100, KvLayout.CONTIGUOUS, 0), DType.F32);
        var e = assertThrows(IllegalArgumentException.class, () -> DecodeLauncher.chunkLen(s, H100_SMS, 48 * 1024));
        assertTrue(e.getMessage().contains("shared memory"), e.getMessage());
    }

    @Test
    void launchExtentsOutsideCudaLimitsAreRefused() {
        assertEquals("(1,65535,2)", Dim3.of(1, 65535, 2).toString());
        assertThrows(IllegalArgumentException.class, () -> Dim3.of(1, 65536));
        assertThrows(IllegalArgumentException.class, () -> Dim3.of(0));
    }
}
