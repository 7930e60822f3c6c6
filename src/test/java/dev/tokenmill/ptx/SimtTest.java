package dev.tokenmill.ptx;

import dev.tokenmill.ptx.check.FindingKind;
import dev.tokenmill.ptx.exec.Dim3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SIMT execution: divergence and reconvergence, loops with divergent exits, exits and barriers, predication. */
@Timeout(60)
class SimtTest {
    @Test
    void nestedDivergentLoopsComputePerLaneResultsAndReconverge() {
        // sum over i < tid of (i even ? i : 3) + (inner loop over j <= i that breaks at j == tid % 3)
        PtxModule m = Ptx.kernel("", """
                mov.u32 %r2, 0;
                mov.u32 %r3, 0;
                rem.u32 %r8, %r1, 3;
                LOOP:
                setp.ge.u32 %p1, %r3, %r1;
                @%p1 bra DONE;
                and.b32 %r4, %r3, 1;
                setp.eq.u32 %p2, %r4, 0;
                @%p2 bra EVEN;
                add.u32 %r2, %r2, 3;
                bra.uni INNER;
                EVEN:
                add.u32 %r2, %r2, %r3;
                INNER:
                mov.u32 %r5, 0;
                JLOOP:
                setp.gt.u32 %p3, %r5, %r3;
                @%p3 bra NEXT;
                setp.eq.u32 %p4, %r5, %r8;
                @%p4 bra NEXT;
                add.u32 %r2, %r2, 100;
                add.u32 %r5, %r5, 1;
                bra.uni JLOOP;
                NEXT:
                add.u32 %r3, %r3, 1;
                bra.uni LOOP;
                DONE:
                shfl.sync.idx.b32 %r6, %r2, 0, 0x1f, 0xffffffff;
                st.global.u32 [%rd3], %r2;
                add.s64 %rd5, %rd3, 256;
                st.global.u32 [%rd5], %r6;
                """);
        Ptx.Run r = new Ptx.Run(128, new int[0]).launch(m, Dim3.of(1), Dim3.of(64), 0);
        assertTrue(r.report.clean(), r.report::toString);
        int[] out = r.ints(128);
        for (int t = 0; t < 64; t++) {
            int sum = 0;
            for (int i = 0; i < t; i++) {
                sum += i % 2 == 0 ? i : 3;
                for (int j = 0; j <= i && j != t % 3; j++) sum += 100;
            }
            assertEquals(sum, out[t], "thread " + t);
            assertEquals(t < 32 ? 0 : out[32], out[64 + t], "shfl after reconvergence, thread " + t);
        }
    }

    @Test
    void threadsThatReturnEarlyDoNotHoldUpTheBarrier() {
        PtxModule m = Ptx.kernel(".shared .align 4 .b8 s[256];", """
                setp.ge.u32 %p1, %r1, 40;
                @%p1 bra END;
                mov.u32 %r2, s; shl.b32 %r3, %r1, 2; add.u32 %r4, %r2, %r3;
                st.shared.u32 [%r4], %r1;
                bar.sync 0;
                add.u32 %r5, %r1, 1; rem.u32 %r5, %r5, 40; shl.b32 %r5, %r5, 2; add.u32 %r5, %r2, %r5;
                ld.shared.u32 %r6, [%r5];
                st.global.u32 [%rd3], %r6;
                END:
                """);
        Ptx.Run r = new Ptx.Run(64, new int[0]).launch(m, Dim3.of(1), Dim3.of(64), 0);
        assertTrue(r.report.clean(), r.report::toString);
        int[] out = r.ints(64);
        for (int t = 0; t < 40; t++) assertEquals((t + 1) % 40, out[t]);
        for (int t = 40; t < 64; t++) assertEquals(0, out[t]);
        assertEquals(1, r.report.counters().barriers);
    }

    @Test
    void barriersAtDifferentInstructionsAreReported() {
        PtxModule m = Ptx.kernel("", """
                setp.ge.u32 %p1, %r1, 32;
                @%p1 bra OTHER;
                bar.sync 0;
                bra.uni END;
                OTHER:
                bar.sync 0;
                END:
                """);
        Ptx.Run r = new Ptx.Run(64, new int[0]).launch(m, Dim3.of(1), Dim3.of(64), 0);
        assertEquals(FindingKind.BARRIER_DIVERGENCE, r.report.findings().getFirst().kind(), r.report::toString);
    }

    @Test
    void predicatedStoresWriteOnlyTheirLanes() {
        PtxModule m = Ptx.kernel("", """
                and.b32 %r2, %r1, 1;
                setp.eq.u32 %p1, %r2, 0;
                @%p1 st.global.u32 [%rd3], %r1;
                @!%p1 st.global.u32 [%rd3+128], %r1;
                """);
        Ptx.Run r = new Ptx.Run(64, new int[0]).launch(m, Dim3.of(1), Dim3.of(32), 0);
        int[] out = r.ints(64);
        for (int t = 0; t < 32; t++) {
            assertEquals(t % 2 == 0 ? t : 0, out[t]);
            assertEquals(t % 2 == 1 ? t : 0, out[32 + t]);
        }
        assertEquals(2, r.report.counters().globalStoreRequests);
        assertEquals(32 * 4, r.report.counters().globalStoreBytes, "each store ran on half the lanes");
    }

    @Test
    void specialRegistersFollowTheLaunchShape() {
        PtxModule m = Ptx.kernel("", """
                mov.u32 %r2, %tid.y; mov.u32 %r3, %tid.z; mov.u32 %r4, %ctaid.x; mov.u32 %r5, %ctaid.y;
                mov.u32 %r6, %ntid.x; mov.u32 %r7, %ntid.y; mov.u32 %r8, %nctaid.x; mov.u32 %r9, %laneid;
                mad.lo.u32 %r10, %r3, %r7, %r2; mad.lo.u32 %r10, %r10, %r6, %r1;
                mad.lo.u32 %r11, %r5, %r8, %r4; mul.lo.u32 %r11, %r11, 24; add.u32 %r11, %r11, %r10;
                mul.wide.u32 %rd5, %r11, 16; add.s64 %rd6, %rd0, %rd5;
                shl.b32 %r12, %r5, 8; or.b32 %r12, %r12, %r4;
                st.global.v4.u32 [%rd6], {%r1, %r2, %r3, %r12};
                """);
        Ptx.Run r = new Ptx.Run(6 * 24 * 4, new int[0]).launch(m, Dim3.of(2, 3, 1), Dim3.of(4, 2, 3), 0);
        assertTrue(r.report.clean(), r.report::toString);
        int[] out = r.ints(6 * 24 * 4);
        for (int cy = 0; cy < 3; cy++) {
            for (int cx = 0; cx < 2; cx++) {
                for (int t = 0; t < 24; t++) {
                    int at = ((cy * 2 + cx) * 24 + t) * 4;
                    assertEquals(t % 4, out[at]);
                    assertEquals(t / 4 % 2, out[at + 1]);
                    assertEquals(t / 8, out[at + 2]);
                    assertEquals(cy << 8 | cx, out[at + 3]);
                }
            }
        }
    }

    @Test
    void anEndlessLoopIsStoppedAndReported() {
        PtxModule m = Ptx.kernel("", """
                SPIN:
                add.u32 %r2, %r2, 1;
                bra.uni SPIN;
                """);
        try (var emu = new dev.tokenmill.ptx.exec.Interpreter(dev.tokenmill.ptx.exec.LaunchOptions.defaults()
                .withParallelism(1).withInstructionLimit(10_000))) {
            Ptx.Run r = new Ptx.Run(1, new int[1]);
            Kernel k = m.kernel("k");
            var report = k.launch(emu, Dim3.of(2), Dim3.of(64), 0, k.newParams().set(0, r.out).set(1, r.in), r.mem);
            assertEquals(FindingKind.INSTRUCTION_LIMIT, report.findings().getFirst().kind());
            assertEquals(2, report.findingsTotal(), "each CTA stopped once");
        }
    }

    @Test
    void resultsCountersAndFindingsDoNotDependOnTheNumberOfWorkers() {
        PtxModule m = Ptx.kernel(".shared .align 4 .b8 s[256];", """
                mov.u32 %r2, %ctaid.x; mad.lo.u32 %r3, %r2, 64, %r1;
                mov.u32 %r4, s; shl.b32 %r5, %r1, 2; add.u32 %r6, %r4, %r5;
                st.shared.u32 [%r6], %r3;
                ld.shared.u32 %r7, [%r4+128];
                mul.wide.u32 %rd5, %r3, 4; add.s64 %rd6, %rd0, %rd5;
                st.global.u32 [%rd6], %r7;
                """);
        String[] reports = new String[2];
        int[][] outs = new int[2][];
        int[] workers = {1, 3};
        for (int i = 0; i < 2; i++) {
            try (var emu = new dev.tokenmill.ptx.exec.Interpreter(dev.tokenmill.ptx.exec.LaunchOptions.defaults().withParallelism(workers[i]))) {
                Ptx.Run r = new Ptx.Run(64 * 40, new int[1]);
                Kernel k = m.kernel("k");
                reports[i] = k.launch(emu, Dim3.of(40), Dim3.of(64), 0, k.newParams().set(0, r.out).set(1, r.in), r.mem).toString();
                outs[i] = r.ints(64 * 40);
            }
        }
        assertTrue(reports[0].contains("SHARED_WAR"), reports[0]);
        assertEquals(reports[0], reports[1]);
        org.junit.jupiter.api.Assertions.assertArrayEquals(outs[0], outs[1]);
    }

    @Test
    void aLabelAfterTheLastInstructionAndAGuardedLastBranchEndTheThread() {
        PtxModule m = PtxModule.load("end.ptx", """
                .version 9.0
                .target sm_80
                .address_size 64
                .visible .entry k(.param .u64 out)
                {
                    .reg .pred %p<2>;
                    .reg .b32 %r<4>;
                    mov.u32 %r1, %tid.x;
                    setp.eq.u32 %p1, %r1, 0;
                    @%p1 bra END;
                    ret;
                    END:
                }
                .visible .entry j(.param .u64 out)
                {
                    .reg .pred %p<2>;
                    .reg .b32 %r<4>;
                    mov.u32 %r1, %tid.x;
                    mov.u32 %r2, 0;
                    LOOP:
                    add.u32 %r2, %r2, 1;
                    setp.lt.u32 %p1, %r2, %r1;
                    @%p1 bra LOOP;
                }
                """);
        for (String e : new String[] {"k", "j"}) {
            Kernel k = m.kernel(e);
            var r = k.launch(Ptx.SERIAL, Dim3.of(1), Dim3.of(32), 0, k.newParams(), new dev.tokenmill.ptx.exec.GlobalMemory());
            assertTrue(r.clean(), r::toString);
        }
    }
}
