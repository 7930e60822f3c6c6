package dev.tokenmill.ptx.exec;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The racecheck shadow: the 16-byte vector paths against the word-by-word ones, and the hazards themselves. */
class SharedMemoryTest {
    @Test
    void sixteenBytePathsAgreeWithTheWordByWordOnesOnRandomAccesses() {
        SplittableRandom rnd = new SplittableRandom(5);
        SharedMemory words = new SharedMemory(), vectors = new SharedMemory();
        words.reset(1024);
        vectors.reset(1024);
        int[] kinds = new int[4];
        for (int step = 0; step < 200_000; step++) {
            if (rnd.nextInt(64) == 0) { // a barrier: a new interval
                words.epoch++;
                vectors.epoch++;
            }
            int addr = rnd.nextInt(64) * 16, warp = rnd.nextInt(32), line = step;
            boolean write = rnd.nextBoolean();
            int want = write ? words.writeWords(addr, 16, warp, line) : words.readWords(addr, 16, warp, line);
            int got = write ? vectors.write16(addr, warp, line) : vectors.read16(addr, warp, line);
            assertEquals(want, got, "step " + step);
            if (want != SharedMemory.NONE) {
                assertEquals(words.otherLine, vectors.otherLine, "step " + step + ": the other access's line");
                kinds[want]++;
            }
            // accesses of other sizes, the same in both, so that words of one row differ in state
            if (rnd.nextInt(4) == 0) {
                int size = rnd.nextBoolean() ? 4 : 8, a = rnd.nextInt(1024 / size) * size, wp = rnd.nextInt(32);
                boolean wr = rnd.nextBoolean();
                assertEquals(wr ? words.writeWords(a, size, wp, -step) : words.readWords(a, size, wp, -step),
                        wr ? vectors.write(a, size, wp, -step) : vectors.read(a, size, wp, -step));
            }
        }
        for (int kind : new int[] {SharedMemory.RAW, SharedMemory.WAR, SharedMemory.WAW}) {
            assertEquals(true, kinds[kind] > 1000, "hazards of kind " + kind + ": " + kinds[kind]);
        }
    }

    @Test
    void eachHazardKindIsFoundAndNamesTheOtherAccess() {
        SharedMemory sm = new SharedMemory();
        sm.reset(256);
        assertEquals(SharedMemory.NONE, sm.write16(0, 1, 10));
        assertEquals(SharedMemory.NONE, sm.read16(0, 1, 11), "the writer itself");
        assertEquals(SharedMemory.RAW, sm.read16(0, 2, 12));
        assertEquals(10, sm.otherLine);
        assertEquals(SharedMemory.WAW, sm.write16(0, 3, 13));
        assertEquals(10, sm.otherLine);
        assertEquals(SharedMemory.NONE, sm.read16(16, 4, 14));
        assertEquals(SharedMemory.WAR, sm.write(20, 4, 5, 15), "one word of a row another warp read");
        assertEquals(14, sm.otherLine);
        sm.epoch++; // bar.sync
        assertEquals(SharedMemory.NONE, sm.write16(16, 6, 16));
        assertEquals(SharedMemory.NONE, sm.read16(0, 7, 17));
    }
}
