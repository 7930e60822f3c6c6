package dev.tokenmill.ptx.exec;

import java.util.Arrays;

/**
 * One CTA's shared memory (static + dynamic bytes) and its shadow state for the checks: per 4-byte word the
 * last writer and the readers of the current barrier interval (racecheck; two warps touching different
 * bytes of one word count as touching the same word), in-flight cp.async writes, and per byte whether this
 * CTA wrote it (initcheck). The per-word fields sit together in one array (8 ints a word), so that a
 * 16-byte access touches one or two cache lines of shadow. Reused from CTA to CTA by one worker.
 */
final class SharedMemory {
    static final int NONE = 0, RAW = 1, WAR = 2, WAW = 3;
    // field offsets in a word's 8 shadow ints; epochs are stored plus one, so 0 means "never"
    private static final int W_EPOCH = 0, W_WARP = 1, W_LINE = 2, R_EPOCH = 3, R_WARPS = 4, R_LINE = 5, CP = 6;

    byte[] data = new byte[0];
    int size;
    /** Barrier interval: incremented at each completed bar.sync. */
    int epoch;
    /** The line of the other access of the last hazard found. */
    int otherLine;

    private int[] shadow = new int[0];
    private long[] init = new long[0];

    void reset(int bytes) {
        size = bytes;
        int words = (bytes + 3) >>> 2;
        if (data.length < bytes) {
            data = new byte[bytes];
            shadow = new int[words * 8];
            init = new long[(bytes + 63) >>> 6];
        }
        Arrays.fill(data, 0, bytes, (byte) 0);
        Arrays.fill(shadow, 0, words * 8, 0);
        Arrays.fill(init, 0, (bytes + 63) >>> 6, 0L);
        epoch = 0;
    }

    /** Records a read of [addr, addr+bytes) by {@code warp}; returns RAW if another warp wrote it this interval. */
    int read(int addr, int bytes, int warp, int line) {
        int hazard = NONE;
        int e = epoch + 1;
        for (int w = (addr >>> 2) * 8, end = ((addr + bytes - 1) >>> 2) * 8; w <= end; w += 8) {
            if (shadow[w + W_EPOCH] == e && shadow[w + W_WARP] != warp) {
                hazard = RAW;
                otherLine = shadow[w + W_LINE];
            }
            if (shadow[w + R_EPOCH] != e) {
                shadow[w + R_EPOCH] = e;
                shadow[w + R_WARPS] = 0;
            }
            shadow[w + R_WARPS] |= 1 << warp;
            shadow[w + R_LINE] = line;
        }
        return hazard;
    }

    /** Records a write; returns WAW or WAR if another warp wrote or read it this interval. */
    int write(int addr, int bytes, int warp, int line) {
        int hazard = NONE;
        int e = epoch + 1;
        for (int w = (addr >>> 2) * 8, end = ((addr + bytes - 1) >>> 2) * 8; w <= end; w += 8) {
            if (shadow[w + W_EPOCH] == e && shadow[w + W_WARP] != warp) {
                hazard = WAW;
                otherLine = shadow[w + W_LINE];
            } else if (shadow[w + R_EPOCH] == e && (shadow[w + R_WARPS] & ~(1 << warp)) != 0) {
                hazard = WAR;
                otherLine = shadow[w + R_LINE];
            }
            shadow[w + W_EPOCH] = e;
            shadow[w + W_WARP] = warp;
            shadow[w + W_LINE] = line;
        }
        return hazard;
    }

    boolean initialized(int addr, int bytes) {
        for (int k = addr, end = addr + bytes; k < end; ) {
            int n = Math.min(end - k, 64 - (k & 63));
            long mask = (n == 64 ? -1L : (1L << n) - 1) << (k & 63);
            if ((init[k >>> 6] & mask) != mask) return false;
            k += n;
        }
        return true;
    }

    void markInitialized(int addr, int bytes) {
        for (int k = addr, end = addr + bytes; k < end; ) {
            int n = Math.min(end - k, 64 - (k & 63));
            init[k >>> 6] |= (n == 64 ? -1L : (1L << n) - 1) << (k & 63);
            k += n;
        }
    }

    boolean cpPending(int addr, int bytes) {
        for (int w = (addr >>> 2) * 8, end = ((addr + bytes - 1) >>> 2) * 8; w <= end; w += 8) {
            if (shadow[w + CP] != 0) return true;
        }
        return false;
    }

    void cpPendingAdd(int addr, int bytes, int delta) {
        for (int w = (addr >>> 2) * 8, end = ((addr + bytes - 1) >>> 2) * 8; w <= end; w += 8) shadow[w + CP] += delta;
    }
}
