package dev.tokenmill.ptx;

import dev.tokenmill.ptx.check.FindingKind;
import dev.tokenmill.ptx.exec.Dim3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * shfl.sync per the ISA: c[4:0] clamps, c[12:8] is the segment mask (CUDA's width w is c = (32-w)<<8 | 31,
 * or (32-w)<<8 for up); an out-of-range source keeps the lane's own value and clears p.
 */
@Timeout(60)
class ShflTest {
    /** out[2*lane] = value received, out[2*lane+1] = p; each lane sends 100 + lane. */
    private static int[] shfl(String mode, String b, String c, String mask) {
        PtxModule m = Ptx.kernel("", """
                add.u32 %r2, %r1, 100;
                shfl.sync.MODE.b32 %r3|%p1, %r2, B, C, MASK;
                selp.u32 %r4, 1, 0, %p1;
                mul.wide.u32 %rd5, %r1, 8; add.s64 %rd6, %rd0, %rd5;
                st.global.u32 [%rd6], %r3; st.global.u32 [%rd6+4], %r4;
                """.replace("MODE", mode).replace("B", b).replace("C", c).replace("MASK", mask));
        Ptx.Run r = new Ptx.Run(64, new int[0]).launch(m, Dim3.of(1), Dim3.of(32), 0);
        assertTrue(r.report.clean(), r.report::toString);
        return r.ints(64);
    }

    private static void expect(int[] out, int lane, int fromLane, boolean p) {
        assertEquals(100 + fromLane, out[2 * lane], "lane " + lane + " value");
        assertEquals(p ? 1 : 0, out[2 * lane + 1], "lane " + lane + " predicate");
    }

    @Test
    void bflyExchangesWithLaneXorB() {
        int[] out = shfl("bfly", "1", "0x1f", "0xffffffff");
        for (int l = 0; l < 32; l++) expect(out, l, l ^ 1, true);
        out = shfl("bfly", "16", "0x1f", "0xffffffff");
        for (int l = 0; l < 32; l++) expect(out, l, l ^ 16, true);
    }

    @Test
    void downClampsAtTheTopOfTheWarpOrSegment() {
        int[] out = shfl("down", "3", "0x1f", "0xffffffff");
        for (int l = 0; l < 32; l++) expect(out, l, l + 3 <= 31 ? l + 3 : l, l + 3 <= 31);
        // width 16: lanes 12..15 and 28..31 would cross their segment
        out = shfl("down", "4", "0x101f", "0xffffffff");
        for (int l = 0; l < 32; l++) {
            boolean in = (l & 15) + 4 <= 15;
            expect(out, l, in ? l + 4 : l, in);
        }
    }

    @Test
    void upReadsLowerLanesAndKeepsItsOwnBelowB() {
        int[] out = shfl("up", "2", "0", "0xffffffff");
        for (int l = 0; l < 32; l++) expect(out, l, l >= 2 ? l - 2 : l, l >= 2);
        // width 8: c = (32-8)<<8
        out = shfl("up", "1", "0x1800", "0xffffffff");
        for (int l = 0; l < 32; l++) expect(out, l, (l & 7) >= 1 ? l - 1 : l, (l & 7) >= 1);
    }

    @Test
    void idxBroadcastsWithinSegments() {
        int[] out = shfl("idx", "5", "0x1f", "0xffffffff");
        for (int l = 0; l < 32; l++) expect(out, l, 5, true);
        // width 8: lane l reads lane (l & ~7) | 2
        out = shfl("idx", "2", "0x181f", "0xffffffff");
        for (int l = 0; l < 32; l++) expect(out, l, (l & ~7) | 2, true);
        // b above the segment wraps into it (only b[4:0] & ~mask counts)
        out = shfl("idx", "11", "0x181f", "0xffffffff");
        for (int l = 0; l < 32; l++) expect(out, l, (l & ~7) | 3, true);
    }

    @Test
    void bflyBeyondTheClampKeepsTheOwnValue() {
        // clamp 7 (c = 7, no segments): lanes whose partner is above 7 keep their value
        int[] out = shfl("bfly", "4", "7", "0xffffffff");
        for (int l = 0; l < 32; l++) {
            int j = l ^ 4;
            expect(out, l, j <= 7 ? j : l, j <= 7);
        }
    }

    @Test
    void aLaneOutsideTheMemberMaskIsReported() {
        PtxModule m = Ptx.kernel("", """
                shfl.sync.bfly.b32 %r3, %r1, 1, 0x1f, 0xffff;
                st.global.u32 [%rd3], %r3;
                """);
        Ptx.Run r = new Ptx.Run(32, new int[0]).launch(m, Dim3.of(1), Dim3.of(32), 0);
        assertEquals(1, r.report.findings().size(), r.report::toString);
        assertEquals(FindingKind.COLLECTIVE_MASK, r.report.findings().getFirst().kind());
        assertEquals(16, r.report.findingsTotal());
    }

    @Test
    void divergentLanesMeetAtTheShflWhenTheyReachIt() {
        // odd lanes take a detour, then all 32 reach the shfl: it waits for them (rendezvous), no finding
        PtxModule m = Ptx.kernel("", """
                and.b32 %r2, %r1, 1;
                setp.eq.u32 %p1, %r2, 1;
                mov.u32 %r3, %r1;
                @%p1 bra ODD;
                add.u32 %r3, %r3, 1000;
                bra.uni JOIN;
                ODD:
                add.u32 %r3, %r3, 2000;
                JOIN:
                shfl.sync.bfly.b32 %r4, %r3, 1, 0x1f, 0xffffffff;
                st.global.u32 [%rd3], %r4;
                """);
        Ptx.Run r = new Ptx.Run(32, new int[0]).launch(m, Dim3.of(1), Dim3.of(32), 0);
        assertTrue(r.report.clean(), r.report::toString);
        int[] out = r.ints(32);
        for (int l = 0; l < 32; l++) {
            int j = l ^ 1;
            assertEquals(j + ((j & 1) == 1 ? 2000 : 1000), out[l], "lane " + l);
        }
    }

    @Test
    void aShflWhoseMembersNeverArriveIsReported() {
        // even lanes shuffle inside the branch while odd lanes wait at another shfl: neither can complete
        // (lanes that exit would not hold it up: "all non-exited threads in membermask")
        PtxModule m = Ptx.kernel("", """
                and.b32 %r2, %r1, 1;
                setp.eq.u32 %p1, %r2, 1;
                @%p1 bra SKIP;
                shfl.sync.bfly.b32 %r4, %r1, 2, 0x1f, 0xffffffff;
                st.global.u32 [%rd3], %r4;
                SKIP:
                shfl.sync.bfly.b32 %r5, %r1, 1, 0x1f, 0xffffffff;
                """);
        Ptx.Run r = new Ptx.Run(32, new int[0]).launch(m, Dim3.of(1), Dim3.of(32), 0);
        assertEquals(1, r.report.findings().size(), r.report::toString);
        assertEquals(FindingKind.COLLECTIVE_DIVERGENCE, r.report.findings().getFirst().kind());
        assertEquals(19, r.report.findings().getFirst().line());
        assertEquals(2, r.ints(32)[0], "even lanes still exchanged among themselves");
    }
}
