package dev.tokenmill.ptx;

import dev.tokenmill.ptx.check.Finding;
import dev.tokenmill.ptx.check.FindingKind;
import dev.tokenmill.ptx.exec.Dim3;
import dev.tokenmill.ptx.exec.GlobalMemory;
import dev.tokenmill.ptx.exec.LaunchReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each sanitizer-style check, triggered by a small kernel; and the same kernels made correct are clean. */
@Timeout(60)
class ChecksTest {
    private static Set<FindingKind> kinds(LaunchReport r) {
        return r.findings().stream().map(Finding::kind).collect(Collectors.toSet());
    }

    private static LaunchReport run(String decls, String body, int threads, int[] input) {
        return new Ptx.Run(64, input).launch(Ptx.kernel(decls, body), Dim3.of(1), Dim3.of(threads), 0).report;
    }

    @Test
    void readsPastTheEndAreReportedAndReturnZero() {
        Ptx.Run r = new Ptx.Run(8, new int[] {1, 2, 3, 4}).launch(Ptx.kernel("", """
                ld.global.u32 %r2, [%rd4];
                st.global.u32 [%rd3], %r2;
                """), Dim3.of(1), Dim3.of(8), 0);
        Finding f = r.report.findings().getFirst();
        assertEquals(FindingKind.GLOBAL_OUT_OF_BOUNDS, f.kind());
        assertEquals(4, r.report.findingsTotal());
        assertEquals(16, f.line());
        assertArrayEquals(new int[] {0, 0, 0}, f.block());
        assertArrayEquals(new int[] {4, 0, 0}, f.thread());
        assertEquals(r.in + 16, f.address());
        assertTrue(f.where().contains("0 bytes past its end"), f.where());
        assertArrayEquals(new int[] {1, 2, 3, 4, 0, 0, 0, 0}, r.ints(8));
        assertTrue(f.toString().startsWith("memcheck: GLOBAL_OUT_OF_BOUNDS in k at PTX line 16 `ld.global.u32 %r2, [%rd4];`"), f.toString());
    }

    @Test
    void outOfBoundsStoresDoNotCorruptTheNextAllocation() {
        Ptx.Run r = new Ptx.Run(4, new int[] {7, 7, 7, 7, 7, 7, 7, 7}).launch(Ptx.kernel("", """
                st.global.u32 [%rd3], %r1;
                """), Dim3.of(1), Dim3.of(16), 0);
        assertEquals(Set.of(FindingKind.GLOBAL_OUT_OF_BOUNDS), kinds(r.report));
        assertEquals(12, r.report.findingsTotal());
        assertArrayEquals(new int[] {7, 7, 7, 7, 7, 7, 7, 7}, r.mem.readInts(r.in, 8));
    }

    @Test
    void vectorAccessCrossingTheEndIsReported() {
        assertEquals(Set.of(FindingKind.GLOBAL_CROSSES_END), kinds(run("", """
                ld.global.v4.u32 {%r2, %r3, %r4, %r5}, [%rd1+16];
                """, 1, new int[] {1, 2, 3, 4, 5})));
    }

    @Test
    void nullAndMisalignedAccessesAreReported() {
        assertEquals(Set.of(FindingKind.NULL_POINTER), kinds(run("", """
                mov.u64 %rd5, 0;
                ld.global.u32 %r2, [%rd5+8];
                """, 1, new int[4])));
        assertEquals(Set.of(FindingKind.MISALIGNED), kinds(run("", """
                ld.global.v2.u32 {%r2, %r3}, [%rd1+4];
                """, 1, new int[4])));
    }

    @Test
    void freedMemoryIsReported() {
        Ptx.Run r = new Ptx.Run(4, new int[] {1});
        r.mem.free(r.in);
        r.launch(Ptx.kernel("", "ld.global.u32 %r2, [%rd1];"), Dim3.of(1), Dim3.of(1), 0);
        assertEquals(Set.of(FindingKind.USE_AFTER_FREE), kinds(r.report));
    }

    @Test
    void sharedAccessPastTheCtaWindowIsReported() {
        LaunchReport r = run(".shared .align 4 .b8 s[64];", """
                mov.u32 %r2, s; shl.b32 %r3, %r1, 2; add.u32 %r4, %r2, %r3;
                st.shared.u32 [%r4], %r1;
                """, 32, new int[1]);
        assertEquals(Set.of(FindingKind.SHARED_OUT_OF_BOUNDS), kinds(r));
        assertEquals(16, r.findingsTotal());
    }

    private static final String EXCHANGE = """
            mov.u32 %r2, s; shl.b32 %r3, %r1, 2; add.u32 %r4, %r2, %r3;
            st.shared.u32 [%r4], %r1;
            BARRIER
            add.u32 %r5, %r1, 32; and.b32 %r5, %r5, 63; shl.b32 %r5, %r5, 2; add.u32 %r5, %r2, %r5;
            ld.shared.u32 %r6, [%r5];
            st.global.u32 [%rd3], %r6;
            """;

    @Test
    void sharedHazardsBetweenWarpsWithoutABarrierAreReported() {
        LaunchReport r = run(".shared .align 4 .b8 s[256];", EXCHANGE.replace("BARRIER", ""), 64, new int[1]);
        Set<FindingKind> k = kinds(r);
        assertTrue(k.contains(FindingKind.SHARED_RAW), r::toString);
        assertTrue(k.contains(FindingKind.SHARED_WAR), r::toString);
        LaunchReport waw = run(".shared .align 4 .b8 s[256];", """
                mov.u32 %r2, s;
                st.shared.u32 [%r2], %r1;
                """, 64, new int[1]);
        assertEquals(Set.of(FindingKind.SHARED_WAW), kinds(waw));
    }

    @Test
    void theSameExchangeWithABarrierIsClean() {
        Ptx.Run r = new Ptx.Run(64, new int[1]).launch(Ptx.kernel(".shared .align 4 .b8 s[256];",
                EXCHANGE.replace("BARRIER", "bar.sync 0;")), Dim3.of(1), Dim3.of(64), 0);
        assertTrue(r.report.clean(), r.report::toString);
        int[] out = r.ints(64);
        for (int t = 0; t < 64; t++) assertEquals((t + 32) % 64, out[t]);
    }

    @Test
    void readsOfMemoryNobodyWroteAreReported() {
        GlobalMemory mem = new GlobalMemory();
        long out = mem.alloc(4), in = mem.alloc(8);
        mem.write(in, new byte[] {1, 2, 3, 4}); // only the first 4 of 8 bytes
        Kernel k = Ptx.kernel("", "ld.global.u32 %r2, [%rd4];").kernel("k");
        LaunchReport r = k.launch(Ptx.SERIAL, Dim3.of(1), Dim3.of(2), 0, k.newParams().set(0, out).set(1, in), mem);
        assertEquals(Set.of(FindingKind.UNINITIALIZED_GLOBAL), kinds(r));
        assertEquals(1, r.findingsTotal(), "thread 0's bytes were written, thread 1's were not");
        assertEquals(Set.of(FindingKind.UNINITIALIZED_SHARED), kinds(run(".shared .align 4 .b8 s[64];", """
                mov.u32 %r2, s;
                ld.shared.u32 %r3, [%r2+8];
                """, 1, new int[1])));
    }

    @Test
    void kernelStoresInitializeMemory() {
        assertTrue(run("", """
                st.global.u32 [%rd3], %r1;
                ld.global.u32 %r2, [%rd3];
                """, 32, new int[1]).clean());
    }

    @Test
    void aWriteToACpAsyncDestinationInFlightIsReported() {
        LaunchReport r = run(".shared .align 16 .b8 s[512];", """
                mov.u32 %r2, s; shl.b32 %r3, %r1, 4; add.u32 %r4, %r2, %r3;
                mov.u64 %rd5, %rd1;
                cp.async.cg.shared.global [%r4], [%rd5], 16;
                cp.async.commit_group;
                st.shared.u32 [%r4], %r1;
                cp.async.wait_group 0;
                """, 32, new int[4]);
        assertEquals(Set.of(FindingKind.CP_ASYNC_WRITE_BEFORE_WAIT), kinds(r));
    }

    @Test
    void anAlignedCollectiveAfterLanesExitedIsReported() {
        LaunchReport r = run("", """
                setp.ge.u32 %p1, %r1, 16;
                @%p1 bra END;
                mov.f32 %f1, 0f00000000;
                mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%f1,%f2,%f3,%f4}, {%r1,%r1,%r1,%r1}, {%r1,%r1}, {%f1,%f1,%f1,%f1};
                END:
                """, 32, new int[1]);
        assertTrue(kinds(r).contains(FindingKind.COLLECTIVE_EXITED), r::toString);
    }

    @Test
    void findingsAreCappedButCounted() {
        Ptx.Run r = new Ptx.Run(1, new int[1]).launch(Ptx.kernel("", """
                ld.global.u32 %r2, [%rd4];
                ld.global.u32 %r3, [%rd4+4];
                """), Dim3.of(64), Dim3.of(256), 0);
        assertEquals(2, r.report.findings().size(), "one per kind and line");
        assertEquals(64 * (255 + 256), r.report.findingsTotal(), "every CTA: threads 1..255 on the first load, all on the second");
    }

    @Test
    void anAlignedCollectiveReachedByADivergedWarpIsReported() {
        LaunchReport r = run("", """
                setp.ge.u32 %p1, %r1, 16;
                @%p1 bra LATE;
                ldmatrix.sync.aligned.m8n8.x1.shared.b16 {%r3}, [%r5];
                bra.uni END;
                LATE:
                ldmatrix.sync.aligned.m8n8.x1.shared.b16 {%r3}, [%r5];
                END:
                """.replace("ldmatrix.sync.aligned.m8n8.x1.shared.b16 {%r3}, [%r5];",
                "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%f1,%f2,%f3,%f4}, {%r1,%r1,%r1,%r1}, {%r1,%r1}, {%f1,%f1,%f1,%f1};"),
                32, new int[1]);
        assertTrue(kinds(r).contains(FindingKind.COLLECTIVE_DIVERGENCE), r::toString);
    }
}
