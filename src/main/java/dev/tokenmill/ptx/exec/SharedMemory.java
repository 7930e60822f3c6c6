package dev.tokenmill.ptx.exec;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * One CTA's shared memory (static + dynamic bytes) and its shadow state for the checks: per 4-byte word the
 * last writer and the readers of the current barrier interval (racecheck; two warps touching different
 * bytes of one word count as touching the same word), in-flight cp.async writes, and per byte whether this
 * CTA wrote it (initcheck). A word's writer is one long (interval, warp) and its readers another (interval,
 * mask of warps), so that checking and recording an access is a load and a store of each; the lines of the
 * last accesses, needed only to report a hazard, sit in arrays of their own.
 *
 * <p>Reused from CTA to CTA by one worker. Barrier intervals are numbered across CTAs, so a new CTA starts
 * in an interval no stored word belongs to and the racecheck shadow needs no clearing: clearing it per CTA
 * was 2.5% of tm_linear_mma's time.
 */
final class SharedMemory {
    static final int NONE = 0, RAW = 1, WAR = 2, WAW = 3;
    /** The interval half of a writer or readers long; intervals are stored plus one, so 0 means "never". */
    private static final VectorSpecies<Long> L4 = LongVector.SPECIES_256;
    private static final VectorSpecies<Integer> I4 = IntVector.SPECIES_128;
    private static final long INTERVAL = 0xFFFF_FFFF_0000_0000L, LOW = 0xFFFF_FFFFL;

    byte[] data = new byte[0];
    int size;
    /** Barrier interval: incremented at each completed bar.sync and at each new CTA. */
    int epoch;
    /** The line of the other access of the last hazard found. */
    int otherLine;

    /** Per word: (interval << 32 | warp) of the last write, (interval << 32 | warp mask) of this interval's reads. */
    private long[] writer = new long[0], readers = new long[0];
    private int[] writeLine = new int[0], readLine = new int[0];
    /** cp.async operations in flight per word, and their sum over all words. */
    private int[] cp = new int[0];
    private long cpWords;
    private long[] init = new long[0];

    void reset(int bytes) {
        size = bytes;
        int words = (bytes + 3) >>> 2;
        if (data.length < bytes) {
            data = new byte[bytes];
            writer = new long[words];
            readers = new long[words];
            writeLine = new int[words];
            readLine = new int[words];
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
            Arrays.fill(writer, 0);
            Arrays.fill(readers, 0);
            epoch = 1;
        }
    }

    /** Whether a word's writer long says another warp wrote it in interval {@code now}. */
    private static boolean writtenByAnother(long writer, long now, int warp) {
        return (writer & INTERVAL) == now && (int) writer != warp;
    }

    /** Records a read of [addr, addr+bytes) by {@code warp}; returns RAW if another warp wrote it this interval. */
    int read(int addr, int bytes, int warp, int line) {
        return bytes == 16 && (addr & 15) == 0 ? read16(addr, warp, line) : readWords(addr, bytes, warp, line);
    }

    /** {@link #read}, word by word. */
    int readWords(int addr, int bytes, int warp, int line) {
        int hazard = NONE;
        long now = (long) (epoch + 1) << 32, bit = 1L << warp;
        for (int w = addr >>> 2, end = (addr + bytes - 1) >>> 2; w <= end; w++) {
            if (writtenByAnother(writer[w], now, warp)) {
                hazard = RAW;
                otherLine = writeLine[w];
            }
            long rd = readers[w];
            readers[w] = ((rd & INTERVAL) == now ? rd : now) | bit;
            readLine[w] = line;
        }
        return hazard;
    }

    /**
     * {@link #read} of an aligned 16-byte access (ldmatrix rows, v4 loads): its four words' writers and readers as
     * one vector each, about three times faster than word by word.
     */
    int read16(int addr, int warp, int line) {
        int w = addr >>> 2;
        long now = (long) (epoch + 1) << 32;
        LongVector wr = LongVector.fromArray(L4, writer, w), rd = LongVector.fromArray(L4, readers, w);
        VectorMask<Long> raw = wr.and(INTERVAL).eq(now).and(wr.and(LOW).compare(VectorOperators.NE, warp));
        rd.blend(now, rd.and(INTERVAL).compare(VectorOperators.NE, now)).or(1L << warp).intoArray(readers, w);
        IntVector.broadcast(I4, line).intoArray(readLine, w);
        if (!raw.anyTrue()) return NONE;
        otherLine = writeLine[w + raw.lastTrue()]; // as read(): the last word with a hazard
        return RAW;
    }

    /** Records a write; returns WAW or WAR if another warp wrote or read it this interval. */
    int write(int addr, int bytes, int warp, int line) {
        return bytes == 16 && (addr & 15) == 0 ? write16(addr, warp, line) : writeWords(addr, bytes, warp, line);
    }

    /** {@link #write}, word by word. */
    int writeWords(int addr, int bytes, int warp, int line) {
        int hazard = NONE;
        long now = (long) (epoch + 1) << 32, others = ~(1L << warp) & LOW;
        for (int w = addr >>> 2, end = (addr + bytes - 1) >>> 2; w <= end; w++) {
            long rd = readers[w];
            if (writtenByAnother(writer[w], now, warp)) {
                hazard = WAW;
                otherLine = writeLine[w];
            } else if ((rd & INTERVAL) == now && (rd & others) != 0) {
                hazard = WAR;
                otherLine = readLine[w];
            }
            writer[w] = now | warp;
            writeLine[w] = line;
        }
        return hazard;
    }

    /** {@link #write} of an aligned 16-byte access (cp.async landings, v4 stores), as {@link #read16}. */
    int write16(int addr, int warp, int line) {
        int w = addr >>> 2;
        long now = (long) (epoch + 1) << 32;
        LongVector wr = LongVector.fromArray(L4, writer, w), rd = LongVector.fromArray(L4, readers, w);
        VectorMask<Long> waw = wr.and(INTERVAL).eq(now).and(wr.and(LOW).compare(VectorOperators.NE, warp));
        VectorMask<Long> war = rd.and(INTERVAL).eq(now).and(rd.and(~(1L << warp) & LOW).compare(VectorOperators.NE, 0L));
        VectorMask<Long> any = waw.or(war);
        int hazard = NONE;
        if (any.anyTrue()) { // as write(): the last word with a hazard, WAW before WAR
            int last = any.lastTrue();
            hazard = waw.laneIsSet(last) ? WAW : WAR;
            otherLine = hazard == WAW ? writeLine[w + last] : readLine[w + last];
        }
        LongVector.broadcast(L4, now | warp).intoArray(writer, w);
        IntVector.broadcast(I4, line).intoArray(writeLine, w);
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
        int bit = addr & 63;
        if (bit + bytes <= 64) { // within one long, as initialized()
            init[addr >>> 6] |= (bytes == 64 ? -1L : (1L << bytes) - 1) << bit;
            return;
        }
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
