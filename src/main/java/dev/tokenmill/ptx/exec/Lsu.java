package dev.tokenmill.ptx.exec;

import dev.tokenmill.ptx.check.FindingKind;
import dev.tokenmill.ptx.count.Coalescing;
import dev.tokenmill.ptx.count.Counters;
import dev.tokenmill.ptx.ir.Instr;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The load/store unit of one CTA: ld/st on param, global and shared memory, cp.async and ldmatrix. Every
 * access is checked before it is performed (an access that fails memcheck is reported and not done: loads
 * give 0, stores are dropped, so another allocation is never corrupted); racecheck, initcheck and the
 * cp.async checks look at the shadow state; the counters see each warp-level request.
 */
final class Lsu {
    private static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final Cta cta;
    private final long[] sectors = new long[128];
    private final int[] laneAddr = new int[32];
    /** ldmatrix's four matrices for every lane, when only some lanes take them. */
    private final int[] matrixScratch = new int[4 * 32];
    private final Coalescing.Phase phase = new Coalescing.Phase();
    /** Shared addresses whose read checks found nothing, per ld.shared (see ldShared). */
    private final int[] checkedAddr = new int[64], checkedStamp = new int[64];
    private int checkStamp;
    /** Phases with at least one lane in the last {@link #wavefronts} call: the conflict-free wavefront count. */
    private int ideal;

    Lsu(Cta cta) {
        this.cta = cta;
    }

    static long read(byte[] a, int off, int size, boolean signed) {
        return switch (size) {
            case 1 -> signed ? a[off] : a[off] & 0xFFL;
            case 2 -> signed ? (short) I16.get(a, off) : (short) I16.get(a, off) & 0xFFFFL;
            case 4 -> signed ? (int) I32.get(a, off) : (int) I32.get(a, off) & 0xFFFFFFFFL;
            default -> (long) I64.get(a, off);
        };
    }

    static void write(byte[] a, int off, int size, long v) {
        switch (size) {
            case 1 -> a[off] = (byte) v;
            case 2 -> I16.set(a, off, (short) v);
            case 4 -> I32.set(a, off, (int) v);
            default -> I64.set(a, off, v);
        }
    }

    // ---- param ------------------------------------------------------------------------------------------

    void ldParam(Warp w, Instr in, int exec) {
        byte[] params = cta.launch.params();
        for (int k = 0; k < in.vec; k++) {
            long v = read(params, (int) in.imm + k * in.size, in.size, in.signed);
            int dst = in.dv[k];
            for (int m = exec; m != 0; m &= m - 1) {
                int l = Integer.numberOfTrailingZeros(m);
                if (in.wideReg) w.d[dst + l] = v;
                else w.r[dst + l] = (int) v;
            }
        }
    }

    // ---- global -----------------------------------------------------------------------------------------

    /** Whether {@code a}, the allocation an earlier lane hit, holds this aligned access as well: nothing to check. */
    private static boolean covers(GlobalMemory.Allocation a, long addr, int bytes) {
        return a != null && addr >= a.base && addr + bytes <= a.base + a.size && (addr & (bytes - 1)) == 0 && !a.freed;
    }

    /**
     * Adds the 32-byte sectors of a lane's access (one, or two where it straddles a boundary: accesses are at most
     * 16 bytes) to {@link #sectors} after its first {@code ns}; returns the new count.
     */
    private int addSectors(long addr, int bytes, int ns) {
        sectors[ns++] = addr >>> 5;
        if (((addr + bytes - 1) >>> 5) != addr >>> 5) sectors[ns++] = (addr + bytes - 1) >>> 5;
        return ns;
    }

    void ldGlobal(Warp w, Instr in, int exec) {
        if (exec == 0) return;
        Counters k = cta.counters;
        int bytes = in.size * in.vec;
        GlobalMemory.Allocation a = null;
        int ns = 0;
        for (int m = exec; m != 0; m &= m - 1) {
            int l = Integer.numberOfTrailingZeros(m);
            long addr = w.d[in.a + l] + in.imm;
            if (!covers(a, addr, bytes)) {
                a = globalCheck(w, in, l, addr, bytes, bytes);
                if (a == null) {
                    for (int e = 0; e < in.vec; e++) {
                        if (in.wideReg) w.d[in.dv[e] + l] = 0;
                        else w.r[in.dv[e] + l] = 0;
                    }
                    continue;
                }
            }
            int off = (int) (addr - a.base);
            if (cta.initcheck && !a.initialized(off, bytes)) {
                cta.report(FindingKind.UNINITIALIZED_GLOBAL, in, w.index, l, addr, cta.launch.memory().describe(addr),
                        "load of " + bytes + " bytes that no host copy or kernel store wrote");
            }
            for (int e = 0; e < in.vec; e++) {
                long v = read(a.data, off + e * in.size, in.size, in.signed);
                if (in.wideReg) w.d[in.dv[e] + l] = v;
                else w.r[in.dv[e] + l] = (int) v;
            }
            ns = addSectors(addr, bytes, ns);
            k.globalLoadBytes += bytes;
        }
        k.globalLoadRequests++;
        k.globalLoadSectors += Coalescing.distinct(sectors, ns);
    }

    void stGlobal(Warp w, Instr in, int exec) {
        if (exec == 0) return;
        Counters k = cta.counters;
        int bytes = in.size * in.vec;
        GlobalMemory.Allocation a = null;
        int ns = 0;
        for (int m = exec; m != 0; m &= m - 1) {
            int l = Integer.numberOfTrailingZeros(m);
            long addr = w.d[in.a + l] + in.imm;
            if (!covers(a, addr, bytes)) {
                a = globalCheck(w, in, l, addr, bytes, bytes);
                if (a == null) continue;
            }
            int off = (int) (addr - a.base);
            for (int e = 0; e < in.vec; e++) {
                long v = in.wideReg ? w.d[in.av[e] + l] : w.r[in.av[e] + l];
                write(a.data, off + e * in.size, in.size, v);
            }
            a.markInitialized(off, bytes);
            ns = addSectors(addr, bytes, ns);
            k.globalStoreBytes += bytes;
        }
        k.globalStoreRequests++;
        k.globalStoreSectors += Coalescing.distinct(sectors, ns);
    }

    /** The allocation that holds [addr, addr+bytes), or null after reporting why the access cannot be done. */
    private GlobalMemory.Allocation globalCheck(Warp w, Instr in, int l, long addr, int bytes, int align) {
        GlobalMemory mem = cta.launch.memory();
        GlobalMemory.Allocation a = mem.find(addr);
        FindingKind kind;
        String detail;
        if (a == null && addr >= 0 && addr < 0x10000) {
            kind = FindingKind.NULL_POINTER;
            detail = bytes + "-byte access at " + addr + " bytes from a null pointer";
        } else if ((addr & (align - 1)) != 0) {
            kind = FindingKind.MISALIGNED;
            detail = bytes + "-byte access needs " + align + "-byte alignment";
        } else if (a == null || addr < a.base || addr - a.base >= a.size) {
            kind = FindingKind.GLOBAL_OUT_OF_BOUNDS;
            detail = bytes + "-byte access outside every allocation";
        } else if (a.freed) {
            kind = FindingKind.USE_AFTER_FREE;
            detail = bytes + "-byte access to freed memory";
        } else if (addr - a.base + bytes > a.size) {
            kind = FindingKind.GLOBAL_CROSSES_END;
            detail = bytes + "-byte access runs " + (addr - a.base + bytes - a.size) + " bytes past the end";
        } else {
            return a;
        }
        cta.report(kind, in, w.index, l, addr, mem.describe(addr), detail + " (not performed)");
        return null;
    }

    // ---- shared -----------------------------------------------------------------------------------------

    private int sharedAddr(Warp w, Instr in, int l) {
        return (in.wideAddr ? (int) w.d[in.a + l] : w.r[in.a + l]) + (int) in.imm;
    }

    /** Bounds and alignment; false (reported) when the access cannot be done. */
    private boolean sharedOk(Warp w, Instr in, int l, int addr, int bytes, int align) {
        SharedMemory sm = cta.shared;
        if (addr < 0 || (long) addr + bytes > sm.size) {
            cta.report(FindingKind.SHARED_OUT_OF_BOUNDS, in, w.index, l, Integer.toUnsignedLong(addr), cta.sharedWindow(),
                    bytes + "-byte shared access past the CTA's " + sm.size + " bytes (not performed)");
            return false;
        }
        if ((addr & (align - 1)) != 0) {
            cta.report(FindingKind.MISALIGNED, in, w.index, l, addr, cta.sharedWindow(),
                    bytes + "-byte shared access needs " + align + "-byte alignment (not performed)");
            return false;
        }
        return true;
    }

    /**
     * The checks of a shared read that is performed: racecheck, initcheck, cp.async in flight. Returns true
     * when none found anything. They are idempotent for one warp and one instruction (a read only adds this
     * warp to the words' readers), so a lane that reads the bytes the lane before it read cleanly can skip
     * them and gets the same findings, none.
     */
    private boolean sharedRead(Warp w, Instr in, int l, int addr, int bytes) {
        SharedMemory sm = cta.shared;
        boolean clean = true;
        if (cta.racecheck && sm.read(addr, bytes, w.index, in.line) != SharedMemory.NONE) {
            cta.report(FindingKind.SHARED_RAW, in, w.index, l, addr, cta.sharedWindow(),
                    "another warp wrote these bytes at line " + sm.otherLine + " in the same barrier interval");
            clean = false;
        }
        if (cta.initcheck && !sm.initialized(addr, bytes)) {
            cta.report(FindingKind.UNINITIALIZED_SHARED, in, w.index, l, addr, cta.sharedWindow(),
                    bytes + "-byte read of shared memory that this CTA has not written");
            clean = false;
        }
        if (cta.cpInFlight > 0 && sm.cpPending(addr, bytes)) {
            cta.report(FindingKind.CP_ASYNC_READ_BEFORE_WAIT, in, w.index, l, addr, cta.sharedWindow(),
                    "a cp.async to these bytes has not been waited for (cp.async.wait_group) by its thread");
            clean = false;
        }
        return clean;
    }

    private void sharedWrite(Warp w, Instr in, int l, int addr, int bytes, int line) {
        SharedMemory sm = cta.shared;
        if (cta.racecheck) {
            int hz = sm.write(addr, bytes, w.index, line);
            if (hz != SharedMemory.NONE) {
                cta.report(hz == SharedMemory.WAW ? FindingKind.SHARED_WAW : FindingKind.SHARED_WAR, in, w.index, l, addr,
                        cta.sharedWindow(), "another warp " + (hz == SharedMemory.WAW ? "wrote" : "read")
                                + " these bytes at line " + sm.otherLine + " in the same barrier interval");
            }
        }
        sm.markInitialized(addr, bytes);
    }

    void ldShared(Warp w, Instr in, int exec) {
        if (exec == 0) return;
        SharedMemory sm = cta.shared;
        int bytes = in.size * in.vec;
        int ok = 0;
        // addresses read with no finding by earlier lanes of this instruction, in a small table stamped with
        // the instruction's number: broadcasts (many lanes, one address) check once
        int stamp = ++checkStamp;
        if (stamp == 0) { // wrapped: no entry may look current
            Arrays.fill(checkedStamp, 0);
            stamp = checkStamp = 1;
        }
        for (int m = exec; m != 0; m &= m - 1) {
            int l = Integer.numberOfTrailingZeros(m);
            int addr = sharedAddr(w, in, l);
            int slot = (addr >>> 4 ^ addr >>> 9) & 63;
            if (checkedStamp[slot] != stamp || checkedAddr[slot] != addr) {
                if (!sharedOk(w, in, l, addr, bytes, bytes)) {
                    for (int e = 0; e < in.vec; e++) {
                        if (in.wideReg) w.d[in.dv[e] + l] = 0;
                        else w.r[in.dv[e] + l] = 0;
                    }
                    continue;
                }
                if (sharedRead(w, in, l, addr, bytes)) {
                    checkedStamp[slot] = stamp;
                    checkedAddr[slot] = addr;
                }
            }
            for (int e = 0; e < in.vec; e++) {
                long v = read(sm.data, addr + e * in.size, in.size, in.signed);
                if (in.wideReg) w.d[in.dv[e] + l] = v;
                else w.r[in.dv[e] + l] = (int) v;
            }
            laneAddr[l] = addr;
            ok |= 1 << l;
        }
        Counters k = cta.counters;
        k.sharedLoadRequests++;
        k.sharedLoadWavefronts += wavefronts(ok, bytes);
        k.sharedLoadIdealWavefronts += ideal;
        k.sharedLoadBytes += (long) Integer.bitCount(ok) * bytes;
    }

    void stShared(Warp w, Instr in, int exec) {
        if (exec == 0) return;
        SharedMemory sm = cta.shared;
        int bytes = in.size * in.vec;
        int ok = 0;
        for (int m = exec; m != 0; m &= m - 1) {
            int l = Integer.numberOfTrailingZeros(m);
            int addr = sharedAddr(w, in, l);
            if (!sharedOk(w, in, l, addr, bytes, bytes)) continue;
            if (cta.cpInFlight > 0 && sm.cpPending(addr, bytes)) {
                cta.report(FindingKind.CP_ASYNC_WRITE_BEFORE_WAIT, in, w.index, l, addr, cta.sharedWindow(),
                        "a cp.async to these bytes is still in flight");
            }
            sharedWrite(w, in, l, addr, bytes, in.line);
            for (int e = 0; e < in.vec; e++) {
                long v = in.wideReg ? w.d[in.av[e] + l] : w.r[in.av[e] + l];
                write(sm.data, addr + e * in.size, in.size, v);
            }
            laneAddr[l] = addr;
            ok |= 1 << l;
        }
        Counters k = cta.counters;
        k.sharedStoreRequests++;
        k.sharedStoreWavefronts += wavefronts(ok, bytes);
        k.sharedStoreIdealWavefronts += ideal;
        k.sharedStoreBytes += (long) Integer.bitCount(ok) * bytes;
    }

    /** Phases of 128 bytes of lanes (32, 16 or 8 lanes), each costing its worst bank's distinct words. */
    private int wavefronts(int lanes, int bytes) {
        int perPhase = bytes >= 16 ? 8 : bytes == 8 ? 16 : 32;
        int total = 0;
        ideal = 0;
        for (int base = 0; base < 32; base += perPhase) {
            int inPhase = perPhase == 32 ? lanes : lanes >>> base & ((1 << perPhase) - 1);
            if (inPhase == 0) continue;
            ideal++;
            phase.clear();
            for (int m = inPhase; m != 0; m &= m - 1) {
                int a = laneAddr[base + Integer.numberOfTrailingZeros(m)];
                phase.add(a >>> 2, ((a + bytes - 1) >>> 2) - (a >>> 2) + 1);
            }
            total += phase.wavefronts();
        }
        return total;
    }

    // ---- cp.async ---------------------------------------------------------------------------------------

    void cpAsync(Warp w, Instr in, int exec) {
        if (exec == 0) return;
        Counters k = cta.counters;
        int size = in.size;
        int ns = 0, issued = 0;
        GlobalMemory.Allocation a = null;
        for (int m = exec; m != 0; m &= m - 1) {
            int l = Integer.numberOfTrailingZeros(m);
            int dst = sharedAddr(w, in, l);
            long src = w.d[in.b + l] + in.imm2;
            int srcSize = w.r[in.c + l];
            if (Integer.compareUnsigned(srcSize, size) > 0) {
                cta.report(FindingKind.CP_ASYNC_BAD_SIZE, in, w.index, l, src, null,
                        "src-size " + Integer.toUnsignedString(srcSize) + " > cp-size " + size + "; copying cp-size bytes");
                srcSize = size;
            }
            if (!sharedOk(w, in, l, dst, size, size)) continue;
            if (srcSize > 0) {
                if (!covers(a, src, srcSize) || (src & (size - 1)) != 0) {
                    a = globalCheck(w, in, l, src, srcSize, size);
                    if (a == null) continue;
                }
                if (cta.initcheck && !a.initialized((int) (src - a.base), srcSize)) {
                    cta.report(FindingKind.UNINITIALIZED_GLOBAL, in, w.index, l, src, cta.launch.memory().describe(src),
                            "cp.async reads " + srcSize + " bytes that no host copy or kernel store wrote");
                }
                ns = addSectors(src, srcSize, ns);
            }
            w.cp.add(l, dst, src, size, srcSize, in.line);
            laneAddr[l] = dst;
            issued |= 1 << l;
            cta.shared.cpPendingAdd(dst, size, 1);
            cta.cpInFlight++;
            k.cpAsyncBytes += size;
            k.cpAsyncSourceBytes += srcSize;
        }
        k.cpAsyncRequests++;
        k.cpAsyncSectors += Coalescing.distinct(sectors, ns);
        // the shared side: each issued lane writes cp-size bytes (zero fill included), phased as a store is
        k.cpAsyncSharedWavefronts += wavefronts(issued, size);
        k.cpAsyncSharedIdealWavefronts += ideal;
    }

    /** cp.async.wait_group keep (-1: wait_all, and thread exit): lands the due copies of {@code lanes}, in issue order. */
    void cpWait(Warp w, int keep, int lanes) {
        CpAsyncQueue q = w.cp;
        if (q.n == 0) return;
        SharedMemory sm = cta.shared;
        GlobalMemory mem = cta.launch.memory();
        int j = 0;
        for (int e = 0; e < q.n; e++) {
            if (!q.due(e, lanes, keep)) {
                q.move(e, j++);
                continue;
            }
            int dst = q.dst[e], size = q.size[e], srcSize = q.srcSize[e];
            if (srcSize > 0) {
                GlobalMemory.Allocation a = mem.find(q.src[e]);
                int from = (int) (q.src[e] - a.base);
                if (srcSize == 16) { // the usual copy: two longs, not a call of the arraycopy stub
                    I64.set(sm.data, dst, (long) I64.get(a.data, from));
                    I64.set(sm.data, dst + 8, (long) I64.get(a.data, from + 8));
                } else {
                    System.arraycopy(a.data, from, sm.data, dst, srcSize);
                }
            }
            if (srcSize < size) Arrays.fill(sm.data, dst + srcSize, dst + size, (byte) 0);
            sm.cpPendingAdd(dst, size, -1);
            cta.cpInFlight--;
            if (cta.racecheck && sm.write(dst, size, w.index, q.line[e]) != SharedMemory.NONE) {
                cta.reportAt(FindingKind.SHARED_WAW, q.line[e], w.index, q.lane[e], dst,
                        "cp.async landed on bytes another warp accessed at line " + sm.otherLine + " in the same barrier interval");
            }
            sm.markInitialized(dst, size);
        }
        q.n = j;
    }

    // ---- ldmatrix ---------------------------------------------------------------------------------------

    /**
     * ldmatrix.sync.aligned.m8n8.xN[.trans].shared.b16: lane 8i+j gives the address of row j of matrix i
     * (16 bytes). Without .trans lane t receives, for each matrix, row t/4 elements 2(t%4) and 2(t%4)+1;
     * with .trans it receives column t/4 rows 2(t%4) and 2(t%4)+1. Each matrix is one phase of the
     * bank-conflict model.
     */
    void ldmatrix(Warp w, Instr in, int exec) {
        SharedMemory sm = cta.shared;
        int num = in.vec;
        Counters k = cta.counters;
        int wave = 0;
        int[] rowAddr = laneAddr; // row l's address, or -1 where it failed memcheck (it gives zeros)
        for (int i = 0; i < num; i++) {
            for (int j = 0; j < 8; j++) {
                int l = i * 8 + j;
                int addr = sharedAddr(w, in, l);
                if (!sharedOk(w, in, l, addr, 16, 16)) {
                    rowAddr[l] = -1;
                    continue;
                }
                sharedRead(w, in, l, addr, 16);
                rowAddr[l] = addr;
            }
            wave += Coalescing.rowWavefronts(rowAddr, i * 8);
        }
        // lane t's register i: without .trans, row t/4's word t%4 (elements 2(t%4), 2(t%4)+1), so lanes 4j..4j+3
        // take row j's four words; with .trans, element t/4 of rows 2(t%4) and 2(t%4)+1. Every lane's value is
        // worked out; a warp that is not whole (already reported) keeps them in a scratch first.
        byte[] data = sm.data;
        boolean whole = exec == -1;
        int[] out = whole ? w.r : matrixScratch;
        for (int i = 0; i < num; i++) {
            int dst = whole ? in.dv[i] : 32 * i;
            if (in.mode != 1) {
                for (int j = 0; j < 8; j++) {
                    int a = rowAddr[i * 8 + j], o = dst + 4 * j;
                    if (a >= 0) {
                        out[o] = (int) I32.get(data, a);
                        out[o + 1] = (int) I32.get(data, a + 4);
                        out[o + 2] = (int) I32.get(data, a + 8);
                        out[o + 3] = (int) I32.get(data, a + 12);
                    } else {
                        out[o] = out[o + 1] = out[o + 2] = out[o + 3] = 0;
                    }
                }
            } else { // lane 4c+p: element c of rows 2p and 2p+1, each row read as two longs
                for (int p = 0; p < 4; p++) {
                    int a0 = rowAddr[i * 8 + 2 * p], a1 = rowAddr[i * 8 + 2 * p + 1];
                    long lo0 = a0 < 0 ? 0 : (long) I64.get(data, a0), lo1 = a0 < 0 ? 0 : (long) I64.get(data, a0 + 8);
                    long hi0 = a1 < 0 ? 0 : (long) I64.get(data, a1), hi1 = a1 < 0 ? 0 : (long) I64.get(data, a1 + 8);
                    for (int c = 0; c < 4; c++) {
                        out[dst + 4 * c + p] = (int) (lo0 >>> 16 * c) & 0xFFFF | (int) (hi0 >>> 16 * c) << 16;
                        out[dst + 4 * (c + 4) + p] = (int) (lo1 >>> 16 * c) & 0xFFFF | (int) (hi1 >>> 16 * c) << 16;
                    }
                }
            }
        }
        if (!whole) {
            for (int i = 0; i < num; i++) {
                for (int m = exec; m != 0; m &= m - 1) {
                    int t = Integer.numberOfTrailingZeros(m);
                    w.r[in.dv[i] + t] = matrixScratch[32 * i + t];
                }
            }
        }
        k.sharedLoadRequests++;
        k.sharedLoadWavefronts += wave;
        k.sharedLoadIdealWavefronts += num;
        k.sharedLoadBytes += num * 128L;
        k.ldmatrixRequests++;
        k.ldmatrixWavefronts += wave;
    }
}
