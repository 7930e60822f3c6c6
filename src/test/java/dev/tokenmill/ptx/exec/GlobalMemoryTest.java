package dev.tokenmill.ptx.exec;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Device memory as cuMemAlloc gives it: aligned non-null addresses, O(1) lookup, initialized bytes tracked. */
class GlobalMemoryTest {
    @Test
    void addressesAreAlignedDistinctAndFoundInConstantTime() {
        GlobalMemory mem = new GlobalMemory();
        long a = mem.alloc(100), b = mem.alloc(1);
        assertNotEquals(0, a);
        assertEquals(0, a % 256);
        assertEquals(0, b % 256);
        assertSame(mem.find(a + 99), mem.find(a));
        assertNotEquals(mem.find(a), mem.find(b));
        assertNull(mem.find(0));
        assertTrue(mem.describe(a + 100).contains("0 bytes past its end"), mem.describe(a + 100));
        assertEquals("null", mem.describe(0));
    }

    @Test
    void hostCopiesRoundTripAndRefuseOutOfRange() {
        GlobalMemory mem = new GlobalMemory();
        long a = mem.alloc(16);
        mem.writeFloats(a, new float[] {1, 2, 3, 4});
        assertArrayEquals(new float[] {1, 2, 3, 4}, mem.readFloats(a, 4));
        assertThrows(IllegalArgumentException.class, () -> mem.read(a + 8, 16));
        assertThrows(IllegalArgumentException.class, () -> mem.alloc(0));
        mem.free(a);
        assertThrows(IllegalArgumentException.class, () -> mem.read(a, 4));
        assertThrows(IllegalArgumentException.class, () -> mem.free(a));
        assertTrue(mem.describe(a).contains("freed"));
    }

    @Test
    void initializedBytesFollowWritesAndCopies() {
        GlobalMemory mem = new GlobalMemory();
        long a = mem.alloc(128), b = mem.alloc(128);
        GlobalMemory.Allocation aa = mem.find(a), bb = mem.find(b);
        assertFalse(aa.initialized(0, 1));
        mem.write(a + 4, new byte[8]);
        assertTrue(aa.initialized(4, 8));
        assertFalse(aa.initialized(3, 2));
        mem.memset(b, (byte) 7, 128);
        mem.copy(b, a, 128); // uninitialized source bytes make the destination's uninitialized again
        assertTrue(bb.initialized(4, 8));
        assertFalse(bb.initialized(0, 4));
        assertFalse(bb.initialized(12, 100));
    }

    /**
     * A driver's memory lives as long as its backend (verify runs a hundred ops on one): freeing must give the bytes
     * back to the heap, while the slot stays to tell a later access that it touches freed memory.
     */
    @Test
    void freeingReleasesTheBytesAndKeepsTheSlot() {
        GlobalMemory mem = new GlobalMemory();
        long a = mem.alloc(1 << 20);
        GlobalMemory.Allocation slot = mem.find(a);
        mem.free(a);
        assertSame(slot, mem.find(a));
        assertTrue(slot.data == null && slot.init == null, "a freed allocation still holds its bytes");
        assertTrue(mem.describe(a + 8).contains("freed"), mem.describe(a + 8));
    }
}
