package dev.tokenmill.ptx;

import dev.tokenmill.ptx.exec.Dim3;
import dev.tokenmill.ptx.ir.Program;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Registers share slots of the warp's file only where their live ranges allow it (parse.RegisterPacking):
 * values that live across loops, branches and guarded writes survive the temporaries around them, a
 * register read before any write still reads 0, and the committed kernels pack into a few hundred slots.
 */
@Timeout(60)
class RegisterPackingTest {
    @Test
    void valuesLiveAcrossALoopSurviveItsTemporaries() {
        // %r2 is set before the loop and read after it; the loop body's temporaries die every iteration
        PtxModule m = Ptx.kernel("", """
                add.u32 %r2, %r1, 1000;
                mov.u32 %r3, 0;
                mov.u32 %r4, 0;
                LOOP:
                mul.lo.u32 %r10, %r3, 3; add.u32 %r11, %r10, %r1; xor.b32 %r12, %r11, 5; add.u32 %r4, %r4, %r12;
                add.u32 %r3, %r3, 1;
                setp.lt.u32 %p1, %r3, %r1;
                @%p1 bra LOOP;
                add.u32 %r5, %r4, %r2;
                st.global.u32 [%rd3], %r5;
                """);
        Ptx.Run r = new Ptx.Run(32, new int[0]).launch(m, Dim3.of(1), Dim3.of(32), 0);
        assertTrue(r.report.clean(), r.report::toString);
        int[] out = r.ints(32);
        for (int t = 0; t < 32; t++) {
            int sum = 0;
            for (int i = 0; i < Math.max(t, 1); i++) sum += (i * 3 + t) ^ 5;
            assertEquals(sum + t + 1000, out[t], "thread " + t);
        }
    }

    @Test
    void aValueReadAtTheTopOfALoopLivesThroughTheWholeLoop() {
        // in instruction order %r2's last read comes before the loop's temporaries, but the back edge reads it again
        PtxModule m = Ptx.kernel("", """
                mul.lo.u32 %r2, %r1, 3;
                mov.u32 %r3, 0;
                mov.u32 %r4, 0;
                LOOP:
                add.u32 %r4, %r4, %r2;
                mul.lo.u32 %r10, %r3, 7; add.u32 %r11, %r10, 1; add.u32 %r4, %r4, %r11;
                add.u32 %r3, %r3, 1;
                setp.lt.u32 %p1, %r3, 4;
                @%p1 bra LOOP;
                st.global.u32 [%rd3], %r4;
                """);
        Ptx.Run r = new Ptx.Run(32, new int[0]).launch(m, Dim3.of(1), Dim3.of(32), 0);
        assertTrue(r.report.clean(), r.report::toString);
        int[] out = r.ints(32);
        for (int t = 0; t < 32; t++) assertEquals(4 * 3 * t + (0 + 7 + 14 + 21) + 4, out[t], "thread " + t);
    }

    @Test
    void aGuardedWriteKeepsTheOldValueAliveForLanesWithTheGuardFalse() {
        PtxModule m = Ptx.kernel("", """
                mov.u32 %r2, 7;
                and.b32 %r3, %r1, 1;
                setp.eq.u32 %p1, %r3, 0;
                add.u32 %r10, %r1, 40; mul.lo.u32 %r11, %r10, %r10;
                @%p1 mov.u32 %r2, %r11;
                add.u32 %r12, %r1, 1; add.u32 %r13, %r12, %r12;
                add.u32 %r4, %r2, %r13;
                st.global.u32 [%rd3], %r4;
                """);
        Ptx.Run r = new Ptx.Run(32, new int[0]).launch(m, Dim3.of(1), Dim3.of(32), 0);
        assertTrue(r.report.clean(), r.report::toString);
        int[] out = r.ints(32);
        for (int t = 0; t < 32; t++) assertEquals((t % 2 == 0 ? (t + 40) * (t + 40) : 7) + 2 * (t + 1), out[t], "thread " + t);
    }

    @Test
    void divergentPathsKeepEachOthersValues() {
        // odd lanes compute in %r10-%r12, even lanes in %r20-%r22; both need %r2 after they meet again
        PtxModule m = Ptx.kernel("", """
                mul.lo.u32 %r2, %r1, 11;
                and.b32 %r3, %r1, 1;
                setp.eq.u32 %p1, %r3, 0;
                @%p1 bra EVEN;
                add.u32 %r10, %r1, 1; mul.lo.u32 %r11, %r10, 3; add.u32 %r5, %r11, 1;
                bra.uni JOIN;
                EVEN:
                add.u32 %r20, %r1, 2; mul.lo.u32 %r21, %r20, 5; add.u32 %r5, %r21, 2;
                JOIN:
                add.u32 %r6, %r5, %r2;
                st.global.u32 [%rd3], %r6;
                """);
        Ptx.Run r = new Ptx.Run(32, new int[0]).launch(m, Dim3.of(1), Dim3.of(32), 0);
        assertTrue(r.report.clean(), r.report::toString);
        int[] out = r.ints(32);
        for (int t = 0; t < 32; t++) assertEquals((t % 2 == 0 ? (t + 2) * 5 + 2 : (t + 1) * 3 + 1) + 11 * t, out[t], "thread " + t);
    }

    @Test
    void aRegisterReadBeforeAnyWriteStillReadsZero() {
        // PTX leaves it undefined; the interpreter starts every register at 0 and keeps it so, even with
        // registers that die before the read
        PtxModule m = Ptx.kernel("", """
                add.u32 %r10, %r1, 5; mul.lo.u32 %r11, %r10, %r10; add.u32 %r12, %r11, 1; st.global.u32 [%rd3], %r12;
                add.u32 %r13, %r40, %r41;
                add.s64 %rd5, %rd3, 128;
                st.global.u32 [%rd5], %r13;
                """);
        Ptx.Run r = new Ptx.Run(64, new int[0]).launch(m, Dim3.of(1), Dim3.of(32), 0);
        int[] out = r.ints(64);
        for (int t = 0; t < 32; t++) {
            assertEquals((t + 5) * (t + 5) + 1, out[t]);
            assertEquals(0, out[32 + t], "thread " + t);
        }
    }

    @Test
    void aGuardedFirstWriteLeavesZeroForLanesWithTheGuardFalse() {
        // %r2's first write is guarded, so lanes with the guard false read what the slot held before: 0, never
        // %r10, a temporary that died before it (a guarded write that ended %r2's life would let them share a slot)
        PtxModule m = Ptx.kernel("", """
                mul.lo.u32 %r10, %r1, 77; add.u32 %r4, %r10, 1;
                setp.lt.u32 %p1, %r1, 16;
                @%p1 mov.u32 %r2, 9;
                add.u32 %r5, %r2, %r4;
                st.global.u32 [%rd3], %r5;
                """);
        Ptx.Run r = new Ptx.Run(32, new int[0]).launch(m, Dim3.of(1), Dim3.of(32), 0);
        int[] out = r.ints(32);
        for (int t = 0; t < 32; t++) assertEquals((t < 16 ? 9 : 0) + 77 * t + 1, out[t], "thread " + t);
    }

    @Test
    void committedEntriesPackIntoAFewHundredSlots() {
        for (String family : Ptx.FAMILIES) {
            PtxModule m = Ptx.module(family);
            for (String name : m.kernelNames()) {
                Program p = m.kernel(name).program();
                // ptxas allocates at most 230 registers for these entries (kernels/ptx/*.ptxas.txt); constants take slots too
                assertTrue(p.regs32() <= 300, name + " packs into " + p.regs32() + " 32-bit slots");
                assertTrue(p.regs64() <= 40, name + " packs into " + p.regs64() + " 64-bit slots");
            }
        }
    }
}
