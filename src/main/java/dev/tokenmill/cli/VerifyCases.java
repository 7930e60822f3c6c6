package dev.tokenmill.cli;

import dev.tokenmill.op.AppendSpec;
import dev.tokenmill.op.CopySpec;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.DecodeSpec;
import dev.tokenmill.op.KvCache;
import dev.tokenmill.op.KvLayout;
import dev.tokenmill.op.LinearSpec;
import dev.tokenmill.op.OpSpec;
import dev.tokenmill.op.PrefillSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The shapes {@code verify} checks: small, awkward on purpose (M = 1, sizes off the vector width 16 and tile
 * widths, lengths 1 and block size ± 1, GQA 1:1, 4:1, 8:1, MQA, both cache layouts, ragged lengths), plus
 * random ones from a seed. Every op kind in every dtype, and on a GPU (or the PTX emulator) every kernel entry point;
 * {@code quick} keeps the first few awkward shapes of each.
 */
final class VerifyCases {
    private static final int QUICK_PER_KIND = 3;
    private static final int[] GROUPS = {1, 2, 4, 8};

    private VerifyCases() {}

    static List<OpSpec> of(boolean quick, long seed) {
        List<OpSpec> cases = new ArrayList<>();
        for (DType t : DType.values()) {
            SplittableRandom rnd = new SplittableRandom(seed + t.ordinal());
            cases.addAll(pick(quick, linear(t, rnd)));
            cases.addAll(pick(quick, prefill(t, rnd)));
            cases.addAll(pick(quick, decode(t, rnd)));
            cases.addAll(pick(quick, append(t, rnd)));
        }
        cases.addAll(pick(quick, copy(new SplittableRandom(seed))));
        return cases;
    }

    private static List<OpSpec> pick(boolean quick, List<? extends OpSpec> shapes) {
        return List.copyOf(quick ? shapes.subList(0, Math.min(QUICK_PER_KIND, shapes.size())) : shapes);
    }

    private static List<LinearSpec> linear(DType t, SplittableRandom rnd) {
        List<LinearSpec> s = new ArrayList<>(List.of(
                new LinearSpec(1, 17, 33, t),      // GEMV, nothing a multiple of 16
                new LinearSpec(17, 31, 257, t),    // tails in every dim
                new LinearSpec(65, 33, 47, t),     // just past the decode (skinny) path
                new LinearSpec(1, 1, 1, t),
                new LinearSpec(3, 64, 100, t),
                new LinearSpec(16, 16, 16, t),     // exact vector widths
                new LinearSpec(64, 48, 80, t),     // the largest skinny M
                new LinearSpec(128, 130, 100, t),
                // every GPU path: GEMV one row at a time, two rows with K split (N gives too few blocks), four rows
                // with N off the 4-row block; tensor cores (16-bit, K % 8 == 0) with M and N past a 128 tile, K off
                // the 32-wide step
                new LinearSpec(1, 70, 264, t),
                new LinearSpec(2, 40, 8200, t),
                new LinearSpec(4, 33, 96, t),
                new LinearSpec(130, 136, 72, t)));
        for (int i = 0; i < 2; i++) s.add(new LinearSpec(1 + rnd.nextInt(150), 1 + rnd.nextInt(200), 1 + rnd.nextInt(300), t));
        return s;
    }

    private static List<PrefillSpec> prefill(DType t, SplittableRandom rnd) {
        List<PrefillSpec> s = new ArrayList<>(List.of(
                new PrefillSpec(1, 17, 4, 4, 64, t),    // MHA (1:1)
                new PrefillSpec(2, 33, 8, 2, 128, t),   // GQA 4:1, two sequences
                new PrefillSpec(1, 65, 8, 1, 64, t),    // MQA
                new PrefillSpec(1, 1, 1, 1, 64, t),     // one token
                new PrefillSpec(1, 100, 16, 2, 128, t))); // GQA 8:1
        for (int i = 0; i < 2; i++) {
            int kv = 1 + rnd.nextInt(2);
            s.add(new PrefillSpec(1 + rnd.nextInt(2), 1 + rnd.nextInt(80), kv * GROUPS[rnd.nextInt(GROUPS.length)], kv,
                    headDim(rnd), t));
        }
        return s;
    }

    private static List<DecodeSpec> decode(DType t, SplittableRandom rnd) {
        List<DecodeSpec> s = new ArrayList<>(List.of(
                decode(8, 8, 64, new int[]{15, 16, 17}, 17, KvLayout.PAGED, 16, t),        // block size ± 1, MHA
                decode(32, 4, 128, new int[]{1, 33, 100, 64}, 100, KvLayout.CONTIGUOUS, 0, t), // GQA 8:1, ragged
                decode(8, 1, 128, new int[]{31, 257}, 257, KvLayout.PAGED, 32, t),         // MQA
                decode(1, 1, 64, new int[]{1}, 1, KvLayout.PAGED, 16, t),                   // one cached token
                decode(8, 2, 64, new int[]{16, 16}, 16, KvLayout.PAGED, 1, t)));            // one token per block
        for (int i = 0; i < 2; i++) {
            int kv = 1 + rnd.nextInt(2), batch = 1 + rnd.nextInt(5);
            int[] lens = rnd.ints(batch, 1, 301).toArray();
            boolean paged = rnd.nextBoolean();
            s.add(decode(kv * GROUPS[rnd.nextInt(GROUPS.length)], kv, headDim(rnd), lens,
                    java.util.Arrays.stream(lens).max().orElseThrow(), paged ? KvLayout.PAGED : KvLayout.CONTIGUOUS,
                    8 << rnd.nextInt(4), t));
        }
        return s;
    }

    private static List<AppendSpec> append(DType t, SplittableRandom rnd) {
        List<AppendSpec> s = new ArrayList<>(List.of(
                append(2, 128, new int[]{15, 16, 17}, 18, KvLayout.PAGED, 16, t), // last slot of a block, first of the next
                append(8, 64, new int[]{0, 5}, 6, KvLayout.CONTIGUOUS, 0, t),     // an empty cache, the last slot
                append(1, 128, new int[]{31, 1, 64, 2}, 65, KvLayout.PAGED, 32, t),
                append(1, 64, new int[]{0}, 1, KvLayout.PAGED, 16, t)));
        for (int i = 0; i < 2; i++) {
            int batch = 1 + rnd.nextInt(5);
            int[] lens = rnd.ints(batch, 0, 300).toArray();
            s.add(append(1 + rnd.nextInt(8), headDim(rnd), lens, java.util.Arrays.stream(lens).max().orElseThrow() + 1,
                    rnd.nextBoolean() ? KvLayout.PAGED : KvLayout.CONTIGUOUS, 8 << rnd.nextInt(4), t));
        }
        return s;
    }

    private static List<CopySpec> copy(SplittableRandom rnd) {
        return List.of(new CopySpec(1040), new CopySpec((1 << 20) + 48), new CopySpec(16),
                new CopySpec(16L * (1 + rnd.nextInt(1 << 18))));
    }

    private static DecodeSpec decode(int heads, int kvHeads, int headDim, int[] lens, int capacity, KvLayout layout,
                                     int blockSize, DType t) {
        return new DecodeSpec(heads, new KvCache(lens.length, kvHeads, headDim, lens, capacity, layout, blockSize), t);
    }

    private static AppendSpec append(int kvHeads, int headDim, int[] lens, int capacity, KvLayout layout, int blockSize,
                                     DType t) {
        return new AppendSpec(new KvCache(lens.length, kvHeads, headDim, lens, capacity, layout, blockSize), t);
    }

    private static int headDim(SplittableRandom rnd) { return rnd.nextBoolean() ? 64 : 128; }
}
