package dev.tokenmill.ptx.count;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The wavefront model against its definition, on random phases shaped like real accesses and on worst cases. */
class CoalescingTest {
    /** The definition: the most distinct words any one bank (word mod 32) serves. */
    private static int definition(int[] words, int n) {
        @SuppressWarnings("unchecked")
        Set<Integer>[] perBank = new Set[32];
        for (int b = 0; b < 32; b++) perBank[b] = new HashSet<>();
        for (int k = 0; k < n; k++) perBank[words[k] & 31].add(words[k]);
        int max = 0;
        for (Set<Integer> s : perBank) max = Math.max(max, s.size());
        return max;
    }

    private static final Coalescing.Phase PHASE = new Coalescing.Phase();

    /** Lanes of {@code size} words each (1, 2 or 4, aligned as the interpreter requires). */
    private static int phase(int[] first, int size) {
        PHASE.clear();
        for (int w : first) PHASE.add(w, size);
        return PHASE.wavefronts();
    }

    private static int[] words(int[] first, int size) {
        int[] out = new int[first.length * size];
        for (int k = 0; k < out.length; k++) out[k] = first[k / size] + k % size;
        return out;
    }

    @Test
    void wavefrontsMatchTheDefinition() {
        SplittableRandom rnd = new SplittableRandom(14);
        for (int trial = 0; trial < 200_000; trial++) {
            int size = new int[] {1, 2, 4}[rnd.nextInt(3)];
            int lanes = 1 + rnd.nextInt(32 / size);
            // lanes at a random stride (0 = broadcast) from a random base, some lanes off to random words,
            // all within a shared window of 56K words
            int base = rnd.nextInt(1 << 14), stride = rnd.nextInt(0, 70);
            int window = trial % 3 == 0 ? 128 : 56 * 1024; // every third phase within 4 blocks: many repeats and splits
            int[] first = new int[lanes];
            for (int k = 0; k < lanes; k++) {
                first[k] = (rnd.nextInt(8) == 0 || window == 128 ? rnd.nextInt(window) : base + stride * k) / size * size;
            }
            int want = definition(words(first, size), lanes * size);
            assertEquals(want, phase(first, size), () -> size + "-word lanes at " + java.util.Arrays.toString(first));
        }
    }

    @Test
    void ldmatrixRowsCountAsTheirWords() {
        SplittableRandom rnd = new SplittableRandom(15);
        int[] rows = new int[16];
        for (int trial = 0; trial < 100_000; trial++) {
            int from = rnd.nextInt(9), stride = 16 * rnd.nextInt(0, 20), base = 16 * rnd.nextInt(4096);
            int window = trial % 2 == 0 ? 512 : 65536; // half the phases within 4 blocks: repeats and shared groups
            PHASE.clear();
            for (int j = from; j < from + 8; j++) {
                int pick = rnd.nextInt(10);
                rows[j] = pick == 0 ? -1 : pick < 4 ? rnd.nextInt(window / 16) * 16 : base + stride * (j - from);
                if (rows[j] >= 0) PHASE.add(rows[j] >>> 2, 4);
            }
            int[] phase = rows.clone();
            assertEquals(PHASE.wavefronts(), Coalescing.rowWavefronts(rows, from),
                    () -> java.util.Arrays.toString(java.util.Arrays.copyOfRange(phase, from, from + 8)));
        }
    }

    @Test
    void extremes() {
        assertEquals(0, phase(new int[0], 1));
        int[] same = new int[32];
        assertEquals(1, phase(same, 1), "one word for every lane: a broadcast");
        int[] column = new int[32];
        for (int k = 0; k < 32; k++) column[k] = 32 * k + 5;
        assertEquals(32, phase(column, 1), "32 blocks on one bank");
        int[] sixteen = new int[32];
        for (int k = 0; k < 32; k++) sixteen[k] = 32 * (k % 16) + k / 16;
        assertEquals(16, phase(sixteen, 1), "16 blocks, each on banks 0 and 1");
        int[] rows = new int[32];
        for (int k = 0; k < 32; k++) rows[k] = 32 * (k % 16) + k;
        assertEquals(1, phase(rows, 1), "16 blocks on 32 different banks");
        PHASE.clear();
        PHASE.add(0, 4096);
        for (int k = 0; k < 40; k++) PHASE.add(32 * k + 7, 1);
        assertEquals(128, PHASE.wavefronts(), "4096 consecutive words are 128 per bank; words added again are broadcasts");
    }
}
