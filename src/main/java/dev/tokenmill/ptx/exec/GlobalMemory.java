package dev.tokenmill.ptx.exec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Locale;

/**
 * Device global memory, owned by the caller (as a CUDA context owns its allocations). Addresses look like
 * cuMemAlloc's: never 0, 256-byte aligned, and each allocation has its own 4 GiB slot
 * ({@code BASE + slot << 32}), so finding the allocation of an address is a shift and an array read.
 * Slots are never reused, so an access to freed memory is told apart from one past the end.
 *
 * <p>Every byte carries an "initialized" bit (initcheck): allocations start uninitialized; host writes,
 * memsets, copies and kernel stores set it. Host calls must not run concurrently with a launch that uses the
 * same memory, as with a CUDA stream.
 */
public final class GlobalMemory {
    /** The address of slot 0; slot k starts at {@code BASE + (k << 32)}. */
    public static final long BASE = 0x7F00_0000_0000L;

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    /**
     * One allocation: its bytes and one initialized bit per byte. Freeing drops both (the heap gets them back) and keeps
     * the slot, so that a later access is still told to be to freed memory; nothing reads them once {@code freed} is set.
     */
    public static final class Allocation {
        final int slot;
        final long base;
        final int size;
        byte[] data;
        long[] init;
        volatile boolean freed;

        Allocation(int slot, int size) {
            this.slot = slot;
            this.base = BASE + ((long) slot << 32);
            this.size = size;
            this.data = new byte[size];
            this.init = new long[(size + 63) >>> 6];
        }

        public long base() {
            return base;
        }

        public int size() {
            return size;
        }

        /** Whether every byte of [offset, offset+len) is initialized; len <= 64 and within one bitmap word pair. */
        boolean initialized(int offset, int len) {
            for (int k = offset; k < offset + len; ) {
                int w = k >>> 6, bit = k & 63;
                int n = Math.min(len - (k - offset), 64 - bit);
                long mask = (n == 64 ? -1L : (1L << n) - 1) << bit;
                if ((init[w] & mask) != mask) return false;
                k += n;
            }
            return true;
        }

        /** Marks [offset, offset+len) initialized; safe against concurrent CTAs marking the same word. */
        void markInitialized(int offset, int len) {
            for (int k = offset; k < offset + len; ) {
                int w = k >>> 6, bit = k & 63;
                int n = Math.min(len - (k - offset), 64 - bit);
                long mask = (n == 64 ? -1L : (1L << n) - 1) << bit;
                if ((init[w] & mask) != mask) LONGS.getAndBitwiseOr(init, w, mask);
                k += n;
            }
        }
    }

    private Allocation[] slots = new Allocation[16];
    private int next;

    /** Allocates {@code bytes} (1 .. 2^31-1) of uninitialized memory and returns its device address. */
    public synchronized long alloc(long bytes) {
        if (bytes < 1 || bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("allocation size must be 1 .. " + Integer.MAX_VALUE + " bytes, got " + bytes);
        }
        if (next == slots.length) slots = Arrays.copyOf(slots, slots.length * 2);
        Allocation a = new Allocation(next, (int) bytes);
        slots[next++] = a;
        return a.base;
    }

    /** Frees the allocation that starts at {@code address}. */
    public synchronized void free(long address) {
        Allocation a = find(address);
        if (a == null || a.freed || a.base != address) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "0x%x is not the start of a live allocation", address));
        }
        a.freed = true;
        a.data = null;
        a.init = null;
    }

    /** The allocation whose slot holds {@code address} (live or freed), or null. O(1). */
    public Allocation find(long address) {
        long rel = address - BASE;
        if (rel < 0) return null;
        long slot = rel >>> 32;
        Allocation[] s = slots;
        return slot < s.length ? s[(int) slot] : null;
    }

    public void write(long address, byte[] src) {
        write(address, src, 0, src.length);
    }

    public void write(long address, byte[] src, int offset, int length) {
        Allocation a = range(address, length);
        int off = (int) (address - a.base);
        System.arraycopy(src, offset, a.data, off, length);
        a.markInitialized(off, length);
    }

    public byte[] read(long address, int length) {
        Allocation a = range(address, length);
        int off = (int) (address - a.base);
        return Arrays.copyOfRange(a.data, off, off + length);
    }

    public void memset(long address, byte value, int length) {
        Allocation a = range(address, length);
        int off = (int) (address - a.base);
        Arrays.fill(a.data, off, off + length, value);
        a.markInitialized(off, length);
    }

    /** Device-to-device copy; the destination's bytes are initialized where the source's were. */
    public void copy(long dst, long src, int length) {
        Allocation s = range(src, length), d = range(dst, length);
        int so = (int) (src - s.base), dof = (int) (dst - d.base);
        System.arraycopy(s.data, so, d.data, dof, length);
        for (int k = 0; k < length; k++) {
            int from = so + k, to = dof + k;
            if ((s.init[from >>> 6] & 1L << (from & 63)) != 0) d.init[to >>> 6] |= 1L << (to & 63);
            else d.init[to >>> 6] &= ~(1L << (to & 63));
        }
    }

    public void writeFloats(long address, float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        write(address, b.array());
    }

    public float[] readFloats(long address, int count) {
        float[] out = new float[count];
        ByteBuffer.wrap(read(address, count * 4)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    public void writeInts(long address, int[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(v);
        write(address, b.array());
    }

    public int[] readInts(long address, int count) {
        int[] out = new int[count];
        ByteBuffer.wrap(read(address, count * 4)).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
        return out;
    }

    public void writeShorts(long address, short[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.asShortBuffer().put(v);
        write(address, b.array());
    }

    public short[] readShorts(long address, int count) {
        short[] out = new short[count];
        ByteBuffer.wrap(read(address, count * 2)).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(out);
        return out;
    }

    /** Where an address falls, for findings: "allocation #3 (4096 bytes at 0x...) + 12", or the nearest one. */
    public String describe(long address) {
        if (address == 0) return "null";
        Allocation a = find(address);
        if (a == null) return "outside every allocation";
        long off = address - a.base;
        String what = String.format(Locale.ROOT, "allocation #%d (%d bytes at 0x%x%s)", a.slot, a.size, a.base,
                a.freed ? ", freed" : "");
        return off < a.size ? what + " + " + off : what + ", " + (off - a.size) + " bytes past its end";
    }

    private Allocation range(long address, long length) {
        Allocation a = find(address);
        if (a == null || a.freed || length < 0 || address - a.base + length > a.size) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "host access of %d bytes at 0x%x is outside every live allocation (%s)", length, address, describe(address)));
        }
        return a;
    }
}
