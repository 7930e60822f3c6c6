package dev.tokenmill.ptx.exec;

import java.util.Arrays;

/**
 * One CTA's shared memory (static + dynamic bytes) and its shadow state for the checks: per 4-byte word the
 * last writer and the readers of the current barrier interval (racecheck; two warps touching different
 * bytes of one word count as touching the same word), in-flight cp.async writes, and per byte whether this
 * CTA wrote it (initcheck). The racecheck fields of a word sit together (8 ints a word), so that a 16-byte
 * access touches one or two cache lines of shadow; the cp.async counts have an array of their own, so that
 * a 16-byte copy's issue, landing and the reads that check it touch 16 consecutive bytes.
 *
 * <p>Reused from CTA to CTA by one worker. Barrier intervals are numbered across CTAs, so a new CTA starts
 * in an interval no stored word belongs to and the racecheck shadow needs no clearing: clearing 8 ints per
 * word (512 KiB for tm_linear_mma's 64 KiB) was 2.5% of that kernel's time.
 */
final class SharedMemory {
    static final int NONE = 0, RAW = 1, WAR = 2, WAW = 3;
    // field offsets in a word's 8 shadow ints; epochs are stored plus one, so 0 means "never"
    private static final int W_EPOCH = 0, W_WARP = 1, W_LINE = 2, R_EPOCH = 3, R_WARPS = 4, R_LINE = 5;

    byte[] data = new byte[0];
    int size;
    /** Barrier interval: incremented at each completed bar.sync and at each new CTA. */
    int epoch;
    /** The line of the other access of the last hazard found. */
    int otherLine;

    private int[] shadow = new int[0];
    /** cp.async operations in flight per word, and their sum over all words. */
    private int[] cp = new int[0];
    private long cpWords;
    private long[] init = new long[0];

    void reset(int bytes) {
        size = bytes;
        int words = (bytes + 3) >>> 2;
        if (data.length < bytes) {
            data = new byte[bytes];
            shadow = new int[words * 8];
            cp = new int[words];
            init = new long[(bytes + 63) >>> 6];
            epoch = 0;
        } else {
            Arrays.fill(data, 0, bytes, (byte) 0);
            Arrays.fill(init, 0, (bytes + 63) >>> 6, 0L);
            if (cpWords != 0) Arrays.fill(cp, 0); // a CTA stopped with copies in flight
        }
        cpWords = 0;
        if (++epoch > Integer.MAX_VALUE / 2) { // before the numbering can wrap: forget every interval
            Arrays.fill(shadow, 0);
            epoch = 1;
        }
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
        int bit = addr & 63;
        if (bit + bytes <= 64) { // within one long: every aligned access up to 64 bytes
            long mask = (bytes == 64 ? -1L : (1L << bytes) - 1) << bit;
            return (init[addr >>> 6] & mask) == mask;
        }
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
        for (int w = addr >>> 2, end = (addr + bytes - 1) >>> 2; w <= end; w++) {
            if (cp[w] != 0) return true;
        }
        return false;
    }

    void cpPendingAdd(int addr, int bytes, int delta) {
        int first = addr >>> 2, last = (addr + bytes - 1) >>> 2;
        for (int w = first; w <= last; w++) cp[w] += delta;
        cpWords += (long) delta * (last - first + 1);
    }
}
