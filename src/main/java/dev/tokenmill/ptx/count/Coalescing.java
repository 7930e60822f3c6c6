package dev.tokenmill.ptx.count;

import java.util.Arrays;

/** The two memory-efficiency models of {@link Counters}: distinct 32-byte sectors and shared-memory wavefronts. */
public final class Coalescing {
    private Coalescing() {}

    /** Distinct values among {@code sectors[0..n)} (sorted in place). */
    public static int distinct(long[] sectors, int n) {
        if (n <= 1) return n;
        boolean ascending = true;
        for (int k = 1; k < n && ascending; k++) ascending = sectors[k] >= sectors[k - 1];
        if (!ascending) Arrays.sort(sectors, 0, n); // lanes usually walk memory upwards: no sort then
        int d = 1;
        for (int k = 1; k < n; k++) if (sectors[k] != sectors[k - 1]) d++;
        return d;
    }

    /**
     * The wavefronts of eight 16-byte rows (one ldmatrix matrix), each at a 16-byte aligned byte address, or
     * skipped where negative: as {@link Phase}, but a row fills one of the eight groups of four banks, so the
     * count is the most distinct rows that share a group. A row is compared with the ones before it only
     * when its group already has one: the swizzled tiles of the kernels put each row in its own group.
     */
    public static int rowWavefronts(int[] rowAddr, int from) {
        int counts = 0, max = 0; // 4 bits per group: at most 8 rows
        for (int j = from; j < from + 8; j++) {
            int a = rowAddr[j];
            if (a < 0) continue;
            int shift = (a >>> 2 & 4 * 7); // group (a / 16) % 8, times 4 bits
            if ((counts >>> shift & 15) != 0 && repeats(rowAddr, from, j)) continue; // a broadcast
            counts += 1 << shift;
            max = Math.max(max, counts >>> shift & 15);
        }
        return max;
    }

    private static boolean repeats(int[] rowAddr, int from, int j) {
        for (int k = from; k < j; k++) if (rowAddr[k] == rowAddr[j]) return true;
        return false;
    }

    /**
     * One phase of a shared-memory access (the lanes of 128 bytes, or one 8x8 matrix of ldmatrix) and the
     * wavefronts it needs: the largest number of distinct 4-byte words that one of the 32 banks must serve
     * (equal words are one broadcast). Reused: {@link #clear()}, {@link #add} each lane's words, then
     * {@link #wavefronts()}.
     *
     * <p>A 32-word block of shared memory holds one word per bank, so the phase is kept as the bank mask of
     * each block it touches, and bank b serves one word per block whose mask has bit b. Lanes of one phase
     * mostly share one or two blocks, so a lane costs a compare with the block of the lane before it; the
     * counts are bit-sliced over the masks. The per-word version (clear a 32-bank table, sort on a conflict)
     * spent 15-18% of the interpreter's time in tm_linear_simt_f32's shared loads.
     */
    public static final class Phase {
        private int[] blocks = new int[32], masks = new int[32];
        private int n, last;

        public void clear() {
            n = 0;
            last = 0;
        }

        /** Adds {@code count} consecutive words from word address {@code word}. */
        public void add(int word, int count) {
            while (count > 0) {
                int bank = word & 31, here = Math.min(count, 32 - bank);
                int mask = (here == 32 ? -1 : (1 << here) - 1) << bank;
                int block = word >>> 5;
                if (n == 0 || blocks[last] != block) last = find(block);
                masks[last] |= mask;
                word += here;
                count -= here;
            }
        }

        private int find(int block) {
            for (int j = 0; j < n; j++) if (blocks[j] == block) return j;
            if (n == blocks.length) { // more than 32 blocks: only an add() of more than 32 lanes' words
                blocks = Arrays.copyOf(blocks, 2 * n);
                masks = Arrays.copyOf(masks, 2 * n);
            }
            blocks[n] = block;
            masks[n] = 0;
            return n++;
        }

        public int wavefronts() {
            if (n <= 1) return n;
            if (n > 31) { // bank by bank (the planes below count to 31)
                int max = 0;
                for (int b = 0; b < 32; b++) {
                    int c = 0;
                    for (int j = 0; j < n; j++) c += masks[j] >>> b & 1;
                    max = Math.max(max, c);
                }
                return max;
            }
            int c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0; // plane p: banks whose count has bit p set
            for (int j = 0; j < n; j++) {
                int carry = masks[j], next;
                next = c0 & carry; c0 ^= carry; carry = next;
                next = c1 & carry; c1 ^= carry; carry = next;
                next = c2 & carry; c2 ^= carry; carry = next;
                next = c3 & carry; c3 ^= carry; carry = next;
                c4 ^= carry;
            }
            // the largest count, plane by plane from the top: keep the banks that have each bit, if any do
            int banks = -1, max = 0;
            if ((banks & c4) != 0) { banks &= c4; max |= 16; }
            if ((banks & c3) != 0) { banks &= c3; max |= 8; }
            if ((banks & c2) != 0) { banks &= c2; max |= 4; }
            if ((banks & c1) != 0) { banks &= c1; max |= 2; }
            if ((banks & c0) != 0) max |= 1;
            return max;
        }
    }
}
