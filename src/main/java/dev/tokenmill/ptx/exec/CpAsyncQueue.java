package dev.tokenmill.ptx.exec;

import java.util.Arrays;

/**
 * The cp.async operations of one warp's threads that have been issued but have not landed. Each belongs
 * to its thread's open group until cp.async.commit_group closes it; cp.async.wait_group N lands every
 * operation of that thread except those of its N most recent committed groups (and those not committed).
 * The copy happens when it lands, not at issue: the destination holds its old bytes until then.
 */
final class CpAsyncQueue {
    int n;
    long[] src = new long[64];
    int[] dst = new int[64], lane = new int[64], size = new int[64], srcSize = new int[64], group = new int[64], line = new int[64];
    /** Committed groups per lane; the open group of lane l is numbered committed[l]. */
    final int[] committed = new int[32];

    void clear() {
        n = 0;
        Arrays.fill(committed, 0);
    }

    void add(int l, int dstAddr, long srcAddr, int cpSize, int srcBytes, int atLine) {
        if (n == src.length) {
            int c = n * 2;
            src = Arrays.copyOf(src, c);
            dst = Arrays.copyOf(dst, c);
            lane = Arrays.copyOf(lane, c);
            size = Arrays.copyOf(size, c);
            srcSize = Arrays.copyOf(srcSize, c);
            group = Arrays.copyOf(group, c);
            line = Arrays.copyOf(line, c);
        }
        src[n] = srcAddr;
        dst[n] = dstAddr;
        lane[n] = l;
        size[n] = cpSize;
        srcSize[n] = srcBytes;
        group[n] = committed[l];
        line[n] = atLine;
        n++;
    }

    void commit(int lanes) {
        for (int m = lanes; m != 0; m &= m - 1) committed[Integer.numberOfTrailingZeros(m)]++;
    }

    /** Whether entry k must land for a wait by {@code lanes} that keeps {@code keep} groups (-1: wait_all). */
    boolean due(int k, int lanes, int keep) {
        int l = lane[k];
        if ((lanes >>> l & 1) == 0) return false;
        return keep < 0 || group[k] < committed[l] - keep;
    }

    /** Moves entry {@code from} to {@code to} (to <= from), to compact the queue in issue order. */
    void move(int from, int to) {
        src[to] = src[from];
        dst[to] = dst[from];
        lane[to] = lane[from];
        size[to] = size[from];
        srcSize[to] = srcSize[from];
        group[to] = group[from];
        line[to] = line[from];
    }
}
