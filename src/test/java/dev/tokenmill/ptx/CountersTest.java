package dev.tokenmill.ptx;

import dev.tokenmill.ptx.count.Counters;
import dev.tokenmill.ptx.count.Occupancy;
import dev.tokenmill.ptx.count.SmSpec;
import dev.tokenmill.ptx.exec.Dim3;
import dev.tokenmill.ptx.ir.Op;
import dev.tokenmill.ptx.ir.OpClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The memory-efficiency counters on access patterns whose cost is known. */
@Timeout(60)
class CountersTest {
    private static Counters run(String body) {
        Ptx.Run r = new Ptx.Run(32 * 32, new int[32 * 32]).launch(Ptx.kernel(".shared .align 16 .b8 s[4096];", """
                mov.u32 %r2, s;
                st.shared.v4.u32 [%r2+0], {0, 0, 0, 0};
                """.replace("st.shared.v4.u32 [%r2+0], {0, 0, 0, 0};", "") + body), Dim3.of(1), Dim3.of(32), 0);
        return r.report.counters();
    }

    @Test
    void coalescedFourByteLoadsTouchFourSectorsAndStridedOnesThirtyTwo() {
        Counters c = run("ld.global.u32 %r3, [%rd4];");
        assertEquals(1, c.globalLoadRequests);
        assertEquals(4, c.globalLoadSectors);
        assertEquals(128, c.globalLoadBytes);
        Counters s = run("mul.wide.u32 %rd5, %r1, 128; add.s64 %rd6, %rd1, %rd5; ld.global.u32 %r3, [%rd6];");
        assertEquals(32.0, s.globalLoadSectorsPerRequest());
        Counters v = run("mul.wide.u32 %rd5, %r1, 16; add.s64 %rd6, %rd1, %rd5; ld.global.v4.u32 {%r3,%r4,%r5,%r6}, [%rd6];");
        assertEquals(16.0, v.globalLoadSectorsPerRequest());
        Counters st = run("st.global.u32 [%rd3], %r1;");
        assertEquals(4.0, st.globalStoreSectorsPerRequest());
    }

    private static Counters shared(String address) {
        return run("""
                ADDR
                st.shared.u32 [%r4], %r1;
                ld.shared.u32 %r5, [%r4];
                """.replace("ADDR", address));
    }

    @Test
    void sharedBankConflictsFollowTheBanks() {
        Counters unit = shared("shl.b32 %r3, %r1, 2; add.u32 %r4, %r2, %r3;");
        assertEquals(1, unit.sharedLoadWavefronts);
        assertEquals(0, unit.sharedLoadBankConflicts());
        Counters stride2 = shared("shl.b32 %r3, %r1, 3; add.u32 %r4, %r2, %r3;");
        assertEquals(2, stride2.sharedLoadWavefronts);
        assertEquals(1, stride2.sharedLoadBankConflicts());
        assertEquals(2, stride2.sharedStoreWavefronts);
        Counters stride32 = shared("shl.b32 %r3, %r1, 7; add.u32 %r4, %r2, %r3;");
        assertEquals(32, stride32.sharedLoadWavefronts);
        Counters broadcast = run("ld.shared.u32 %r5, [%r2];");
        assertEquals(1, broadcast.sharedLoadWavefronts);
        Counters v4 = run("shl.b32 %r3, %r1, 4; add.u32 %r4, %r2, %r3; ld.shared.v4.u32 {%r5,%r6,%r7,%r8}, [%r4];");
        assertEquals(4, v4.sharedLoadWavefronts, "four phases of eight lanes");
        assertEquals(0, v4.sharedLoadBankConflicts());
    }

    @Test
    void cpAsyncSharedWritesArePhasedLikeSixteenByteStores() {
        String copy = """
                shl.b32 %r3, %r1, SHIFT; add.u32 %r4, %r2, %r3;
                mul.wide.u32 %rd5, %r1, 16; add.s64 %rd6, %rd1, %rd5;
                cp.async.cg.shared.global [%r4], [%rd6], 16;
                cp.async.wait_all;
                """;
        Counters packed = run(copy.replace("SHIFT", "4"));
        assertEquals(4, packed.cpAsyncSharedWavefronts, "lanes 16 bytes apart: four conflict-free phases of eight lanes");
        assertEquals(0, packed.cpAsyncSharedBankConflicts());
        Counters strided = run(copy.replace("SHIFT", "5"));
        assertEquals(8, strided.cpAsyncSharedWavefronts, "32 bytes apart: lanes j and j+4 of a phase share banks");
        assertEquals(4, strided.cpAsyncSharedBankConflicts());
        assertEquals(0, strided.sharedStoreWavefronts, "st.shared counters are not cp.async's");
    }

    @Test
    void ldmatrixRowsOnTheSameBanksConflict() {
        // eight rows 128 bytes apart sit on the same four banks: 8 wavefronts per matrix
        Counters c = run("shl.b32 %r3, %r1, 7; add.u32 %r4, %r2, %r3; ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%r5,%r6,%r7,%r8}, [%r4];");
        assertEquals(32, c.ldmatrixWavefronts);
        assertEquals(28, c.sharedLoadBankConflicts());
    }

    @Test
    void instructionClassesAndThreadInstructions() {
        Counters c = run("add.u32 %r3, %r1, 1; fma.rn.f32 %f1, %f1, %f1, %f1;");
        assertEquals(1, c.warpInstructions(Op.FMA_F32));
        assertTrue(c.warpInstructions(OpClass.INTEGER) >= 1);
        assertEquals(1, c.warpInstructions(OpClass.FP32));
        assertEquals(c.warpInstructionsTotal() * 32, c.threadInstructions, "no lane was off");
    }

    @Test
    void occupancyFromBlockAndSharedMemory() {
        // tm_linear_mma: 256 threads and 64 KiB per CTA -> shared memory allows 2 CTAs on an A100 (164 KiB)
        Occupancy o = Occupancy.of(SmSpec.A100, 256, 65536, 0);
        assertEquals(2, o.ctasPerSm());
        assertEquals("shared memory", o.limiter());
        assertEquals(16.0 / 64, o.fraction());
        Occupancy h = Occupancy.of(SmSpec.H100, 256, 65536, 124);
        assertEquals(2, h.ctasPerSm(), "registers: 124 x 32 -> 3968 per warp, 8 warps -> 2 CTAs in 64K");
        assertEquals(8, Occupancy.of(SmSpec.H100, 256, 0, 0).ctasPerSm());
    }
}
