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
     * Wavefronts one phase of a shared-memory access needs: the largest number of distinct 4-byte words that
     * one of the 32 banks must serve ({@code words[0..n)} are word addresses, sorted in place; equal words
     * are one broadcast). {@code perBank} is 32 ints of scratch.
     */
    public static int wavefronts(int[] words, int n, int[] perBank) {
        if (n == 0) return 0;
        // fast path: every bank sees at most one distinct word (conflict-free or broadcast)
        Arrays.fill(perBank, -1);
        boolean conflict = false;
        for (int k = 0; k < n && !conflict; k++) {
            int b = words[k] & 31;
            if (perBank[b] == -1) perBank[b] = words[k];
            else conflict = perBank[b] != words[k];
        }
        if (!conflict) return 1;
        Arrays.sort(words, 0, n);
        Arrays.fill(perBank, 0);
        int max = 0;
        for (int k = 0; k < n; k++) {
            if (k > 0 && words[k] == words[k - 1]) continue;
            int c = ++perBank[words[k] & 31];
            if (c > max) max = c;
        }
        return max;
    }
}
