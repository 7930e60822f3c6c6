package dev.tokenmill.ptx.exec;

import java.util.Arrays;

/**
 * One CTA's shared memory (static + dynamic bytes) and its shadow state for the checks: per 4-byte word the
 * last writer and the readers of the current barrier interval (racecheck; two warps touching different
 * bytes of one word count as touching the same word), in-flight cp.async writes, and per byte whether this
 * CTA wrote it (initcheck). Reused from CTA to CTA by one worker.
 */
final class SharedMemory {
    static final int NONE = 0, RAW = 1, WAR = 2, WAW = 3;

    byte[] data = new byte[0];
    int size;
    /** Barrier interval: incremented at each completed bar.sync. */
    int epoch;
    /** The line of the other access of the last hazard found. */
    int otherLine;

    private int[] wEpoch = new int[0], wWarp = new int[0], wLine = new int[0];
    private int[] rEpoch = new int[0], rWarps = new int[0], rLine = new int[0];
    int[] cpPending = new int[0];
    private long[] init = new long[0];

    void reset(int bytes) {
        size = bytes;
        int words = (bytes + 3) >>> 2;
        if (data.length < bytes) {
            data = new byte[bytes];
            wEpoch = new int[words];
            wWarp = new int[words];
            wLine = new int[words];
            rEpoch = new int[words];
            rWarps = new int[words];
            rLine = new int[words];
            cpPending = new int[words];
            init = new long[(bytes + 63) >>> 6];
        }
        Arrays.fill(data, 0, bytes, (byte) 0);
        Arrays.fill(wEpoch, 0, words, -1);
        Arrays.fill(rEpoch, 0, words, -1);
        Arrays.fill(cpPending, 0, words, 0);
        Arrays.fill(init, 0, (bytes + 63) >>> 6, 0L);
        epoch = 0;
    }

    /** Records a read of [addr, addr+bytes) by {@code warp}; returns RAW if another warp wrote it this interval. */
    int read(int addr, int bytes, int warp, int line) {
        int hazard = NONE;
        for (int w = addr >>> 2, end = (addr + bytes - 1) >>> 2; w <= end; w++) {
            if (wEpoch[w] == epoch && wWarp[w] != warp) {
                hazard = RAW;
                otherLine = wLine[w];
            }
            if (rEpoch[w] != epoch) {
                rEpoch[w] = epoch;
                rWarps[w] = 0;
            }
            rWarps[w] |= 1 << warp;
            rLine[w] = line;
        }
        return hazard;
    }

    /** Records a write; returns WAW or WAR if another warp wrote or read it this interval. */
    int write(int addr, int bytes, int warp, int line) {
        int hazard = NONE;
        for (int w = addr >>> 2, end = (addr + bytes - 1) >>> 2; w <= end; w++) {
            if (wEpoch[w] == epoch && wWarp[w] != warp) {
                hazard = WAW;
                otherLine = wLine[w];
            } else if (rEpoch[w] == epoch && (rWarps[w] & ~(1 << warp)) != 0) {
                hazard = WAR;
                otherLine = rLine[w];
            }
            wEpoch[w] = epoch;
            wWarp[w] = warp;
            wLine[w] = line;
        }
        return hazard;
    }

    boolean initialized(int addr, int bytes) {
        for (int k = addr; k < addr + bytes; k++) {
            if ((init[k >>> 6] & (1L << (k & 63))) == 0) return false;
        }
        return true;
    }

    void markInitialized(int addr, int bytes) {
        for (int k = addr; k < addr + bytes; k++) init[k >>> 6] |= 1L << (k & 63);
    }

    boolean cpPending(int addr, int bytes) {
        for (int w = addr >>> 2, end = (addr + bytes - 1) >>> 2; w <= end; w++) if (cpPending[w] != 0) return true;
        return false;
    }

    void cpPendingAdd(int addr, int bytes, int delta) {
        for (int w = addr >>> 2, end = (addr + bytes - 1) >>> 2; w <= end; w++) cpPending[w] += delta;
    }
}
