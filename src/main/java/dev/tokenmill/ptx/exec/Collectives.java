package dev.tokenmill.ptx.exec;

import dev.tokenmill.ptx.check.FindingKind;
import dev.tokenmill.ptx.ir.Instr;

/**
 * Warp-wide register exchanges: shfl.sync. It reads every lane's source before writing any destination, so
 * a destination that is also the source is read as it was.
 */
final class Collectives {
    private Collectives() {}

    /**
     * shfl.sync.mode.b32 d[|p], a, b, c, membermask, per the ISA's pseudocode: c[4:0] is the clamp, c[12:8]
     * the segment mask; a source lane out of range yields the lane's own a and p = false.
     */
    static void shfl(Warp w, Instr in, int exec) {
        int[] r = w.r;
        int[] src = w.cta.scratchInts;
        for (int l = 0; l < 32; l++) src[l] = r[in.a + l];
        int pv = 0;
        for (int m = exec; m != 0; m &= m - 1) {
            int lane = Integer.numberOfTrailingZeros(m);
            int mask = r[in.e + lane];
            if ((mask >>> lane & 1) == 0) {
                w.cta.report(FindingKind.COLLECTIVE_MASK, in, w.index, lane, -1, null,
                        String.format("lane %d executes it but membermask is %08x", lane, mask));
            }
            int b = r[in.b + lane] & 31, c = r[in.c + lane];
            int cval = c & 31, seg = (c >>> 8) & 31;
            int maxLane = (lane & seg) | (cval & ~seg), minLane = lane & seg;
            int j;
            boolean ok;
            switch (in.mode) {
                case 0 -> { j = lane - b; ok = j >= maxLane; }
                case 1 -> { j = lane + b; ok = j <= maxLane; }
                case 2 -> { j = lane ^ b; ok = j <= maxLane; }
                default -> { j = minLane | (b & ~seg); ok = j <= maxLane; }
            }
            if (!ok) j = lane;
            if ((exec >>> j & 1) == 0) {
                w.cta.report(FindingKind.COLLECTIVE_DIVERGENCE, in, w.index, lane, -1, null,
                        "lane " + lane + " reads lane " + j + ", which does not execute this shfl (the value is undefined)");
            }
            r[in.d + lane] = src[j];
            if (ok) pv |= 1 << lane;
        }
        if (in.d2 >= 0) w.p[in.d2] = w.p[in.d2] & ~exec | pv & exec;
    }
}
