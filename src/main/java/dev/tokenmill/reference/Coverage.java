package dev.tokenmill.reference;

import java.util.LinkedHashSet;
import java.util.SplittableRandom;

/**
 * The order in which verification takes the rows (or columns) of an output when it cannot afford all of them: first
 * the first and the last, then both sides of every tile edge, coarse tiles first ({@code j·tile − 1, j·tile, j·tile + 1}
 * for tiles of 128, 64, 32, 16 and 8: the block sizes of the CPU and GPU kernels), then the rest in a random order
 * from a seed. A prefix of it is the sample.
 */
final class Coverage {
    /** Tile sizes whose edges come before random rows, coarsest first. */
    static final int[] TILES = {128, 64, 32, 16, 8};

    private Coverage() {}

    /** Every index of {@code [0, n)} once, in priority order. */
    static int[] order(int n, long seed) {
        LinkedHashSet<Integer> picked = new LinkedHashSet<>();
        picked.add(0);
        picked.add(n - 1);
        for (int tile : TILES)
            for (int edge = tile; edge < n; edge += tile)
                for (int i = edge - 1; i <= edge + 1; i++)
                    if (i < n) picked.add(i);
        int[] rest = new int[n - picked.size()];
        for (int i = 0, r = 0; i < n; i++) if (!picked.contains(i)) rest[r++] = i;
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = rest.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1), tmp = rest[i];
            rest[i] = rest[j];
            rest[j] = tmp;
        }
        int[] out = new int[n];
        int o = 0;
        for (int i : picked) out[o++] = i;
        System.arraycopy(rest, 0, out, o, rest.length);
        return out;
    }
}
