package dev.tokenmill.op;

import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static dev.tokenmill.op.DType.BF16;
import static dev.tokenmill.op.DType.F16;
import static dev.tokenmill.op.DType.F32;
import static dev.tokenmill.op.KvLayout.CONTIGUOUS;
import static dev.tokenmill.op.KvLayout.PAGED;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every validation of the op contracts rejects its input with a message that starts by naming the field. */
class OpValidationTest {
    private static final int[] ONE = {1};

    static Stream<Arguments> rejected() {
        return Stream.of(
                // LinearSpec
                bad("m must be >= 1, got 0", () -> new LinearSpec(0, 3, 5, F32)),
                bad("n must be >= 1, got -2", () -> new LinearSpec(1, -2, 5, F32)),
                bad("k must be >= 1, got 0", () -> new LinearSpec(1, 3, 0, F32)),
                bad("dtype is required", () -> new LinearSpec(1, 3, 5, null)),
                bad("X has 2199023255552 elements; at most 2^40", () -> new LinearSpec(1 << 21, 1, 1 << 20, F32)),
                bad("W has 2199023255552 elements", () -> new LinearSpec(1, 1 << 21, 1 << 20, F32)),
                bad("Y has 2199023255552 elements", () -> new LinearSpec(1 << 21, 1 << 20, 1, F32)),
                // PrefillSpec
                bad("batch must be >= 1, got 0", () -> new PrefillSpec(0, 8, 8, 8, 64, F16)),
                bad("seq must be >= 1, got 0", () -> new PrefillSpec(1, 0, 8, 8, 64, F16)),
                bad("heads must be >= 1, got 0", () -> new PrefillSpec(1, 8, 0, 8, 64, F16)),
                bad("kv-heads must be >= 1, got 0", () -> new PrefillSpec(1, 8, 8, 0, 64, F16)),
                bad("heads (32) must be a multiple of kv-heads (6)", () -> new PrefillSpec(1, 8, 32, 6, 128, F16)),
                bad("heads (4) must be a multiple of kv-heads (8)", () -> new PrefillSpec(1, 8, 4, 8, 128, F16)),
                bad("head-dim must be 64 or 128, got 96", () -> new PrefillSpec(1, 8, 32, 8, 96, F16)),
                bad("dtype is required", () -> new PrefillSpec(1, 8, 8, 8, 64, null)),
                bad("Q has", () -> new PrefillSpec(1 << 14, 1 << 16, 16, 16, 128, F16)),
                // KvCache
                bad("batch must be >= 1, got 0", () -> new KvCache(0, 1, 64, new int[0], 1, PAGED, 16)),
                bad("kv-heads must be >= 1, got 0", () -> new KvCache(1, 0, 64, ONE, 1, PAGED, 16)),
                bad("head-dim must be 64 or 128, got 32", () -> new KvCache(1, 1, 32, ONE, 1, PAGED, 16)),
                bad("seq_lens is required", () -> new KvCache(1, 1, 64, null, 1, PAGED, 16)),
                bad("layout is required", () -> new KvCache(1, 1, 64, ONE, 1, null, 16)),
                bad("seq_lens has 1 entries, batch is 2", () -> new KvCache(2, 1, 64, ONE, 1, PAGED, 16)),
                bad("seq_lens[1] must be in 0..8, got 9", () -> new KvCache(2, 1, 64, new int[]{8, 9}, 8, PAGED, 16)),
                bad("seq_lens[0] must be in 0..8, got -1", () -> new KvCache(1, 1, 64, new int[]{-1}, 8, PAGED, 16)),
                bad("capacity must be >= 1, got 0", () -> new KvCache(1, 1, 64, new int[]{0}, 0, PAGED, 16)),
                bad("block-size must be a power of two in 1..256, got 12", () -> new KvCache(1, 1, 64, ONE, 1, PAGED, 12)),
                bad("block-size must be a power of two in 1..256, got 0", () -> new KvCache(1, 1, 64, ONE, 1, PAGED, 0)),
                bad("block-size must be a power of two in 1..256, got 512", () -> new KvCache(1, 1, 64, ONE, 1, PAGED, 512)),
                bad("KV cache has", () -> new KvCache(1, 1 << 20, 128, ONE, 1 << 20, CONTIGUOUS, 0)),
                bad("KV cache has more than 2^63 elements",
                        () -> new KvCache(1 << 20, Integer.MAX_VALUE, 128, new int[1 << 20], Integer.MAX_VALUE, CONTIGUOUS, 0)),
                bad("batch must be at most 1048576 sequences, got 1048577",
                        () -> DecodeSpec.uniform((1 << 20) + 1, 8, 8, 64, 8, PAGED, 16, BF16)),
                bad("the paged cache would need", () -> AppendSpec.uniform(1 << 20, 1, 64, (1 << 12) - 1, PAGED, 1, BF16)),
                // DecodeSpec
                bad("cache is required", () -> new DecodeSpec(8, null, BF16)),
                bad("dtype is required", () -> new DecodeSpec(8, cache(ONE, 1), null)),
                bad("heads (6) must be a multiple of kv-heads (4)", () -> new DecodeSpec(6, cache4(ONE), BF16)),
                bad("heads must be >= 1, got 0", () -> new DecodeSpec(0, cache(ONE, 1), BF16)),
                bad("seq_lens[1] must be >= 1 for decode, got 0", () -> new DecodeSpec(8, cache(new int[]{3, 0}, 4), BF16)),
                bad("batch must be >= 1, got 0", () -> DecodeSpec.uniform(0, 8, 8, 64, 8, PAGED, 16, BF16)),
                bad("context must be >= 1, got 0", () -> DecodeSpec.uniform(1, 8, 8, 64, 0, PAGED, 16, BF16)),
                // AppendSpec
                bad("cache is required", () -> new AppendSpec(null, BF16)),
                bad("dtype is required", () -> new AppendSpec(cache(new int[]{0}, 1), null)),
                bad("seq_lens[1] = 4 leaves no room to append in a cache of capacity 4",
                        () -> new AppendSpec(cache(new int[]{3, 4}, 4), BF16)),
                bad("batch must be >= 1, got 0", () -> AppendSpec.uniform(0, 8, 64, 8, PAGED, 16, BF16)),
                bad("context must be in 0..2147483646, got -1", () -> AppendSpec.uniform(1, 8, 64, -1, PAGED, 16, BF16)),
                bad("context must be in 0..2147483646, got 2147483647",
                        () -> AppendSpec.uniform(1, 8, 64, Integer.MAX_VALUE, PAGED, 16, BF16)),
                // CopySpec
                bad("bytes must be a multiple of 16 in 16..2^36, got 0", () -> new CopySpec(0)),
                bad("bytes must be a multiple of 16 in 16..2^36, got 8", () -> new CopySpec(8)),
                bad("bytes must be a multiple of 16 in 16..2^36, got 1000", () -> new CopySpec(1000)),
                bad("bytes must be a multiple of 16 in 16..2^36, got 68719476752", () -> new CopySpec((1L << 36) + 16)),
                // DType, ModelPreset
                bad("dtype must be one of f32, f16, bf16, got 'fp8'", () -> DType.parse("fp8")),
                bad("dtype must be one of f32, f16, bf16, got ''", () -> DType.parse("")),
                bad("model must be one of llama-3.1-8b, llama-3.1-70b, llama-3.2-1b, mistral-7b, qwen2.5-7b, got 'llama'",
                        () -> ModelPreset.parse("llama")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void rejectedInputNamesTheField(String expected, Executable construct) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, construct);
        assertTrue(e.getMessage().startsWith(expected), () -> "expected '" + expected + "...', got: " + e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void aCacheAtTheLargestCapacityCountsItsBlocksWithoutOverflow() {
        KvCache c = new KvCache(1, 1, 64, ONE, Integer.MAX_VALUE, PAGED, 16);
        org.junit.jupiter.api.Assertions.assertEquals(134_217_728, c.maxBlocks());
        org.junit.jupiter.api.Assertions.assertEquals(134_217_728L * 16 * 64, c.cacheElements());
    }

    private static Arguments bad(String expected, Executable construct) { return Arguments.of(expected, construct); }

    private static KvCache cache(int[] lens, int capacity) {
        return new KvCache(lens.length, 8, 64, lens, capacity, PAGED, 16);
    }

    private static KvCache cache4(int[] lens) { return new KvCache(lens.length, 4, 64, lens, 1, PAGED, 16); }
}
