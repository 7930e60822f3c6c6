package dev.tokenmill.ptx;

import dev.tokenmill.ptx.check.Finding;
import dev.tokenmill.ptx.check.FindingKind;
import dev.tokenmill.ptx.exec.Dim3;
import dev.tokenmill.ptx.exec.GlobalMemory;
import dev.tokenmill.ptx.exec.LaunchReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checks on real code: copies of committed kernels with one deliberate bug each (a barrier removed, a
 * bound off by one, two fragment registers swapped) are reported, and the originals are not.
 */
@Timeout(60)
class MutationTest {
    /** The committed module with line {@code line} (1-based) replaced. */
    private static PtxModule mutated(String family, int line, String expect, String replacement) {
        String[] lines = Ptx.committed(family).split("\n", -1);
        assertEquals(expect, lines[line - 1].trim(), "the line to mutate moved: update this test");
        lines[line - 1] = replacement;
        return PtxModule.load(family + ".mutated.ptx", String.join("\n", lines));
    }

    private static LaunchReport linearSimt(PtxModule m) {
        Kernel k = m.kernel("tm_linear_simt_f32");
        GlobalMemory mem = new GlobalMemory();
        int M = 64, N = 64, K = 48;
        long x = CommittedKernelsTest.upload(mem, new float[M * K]), w = CommittedKernelsTest.upload(mem, new float[N * K]);
        long y = mem.alloc(4L * M * N);
        return k.launch(Ptx.SERIAL, Dim3.of(1), Dim3.of(256), 0,
                k.newParams().set(0, x).set(1, w).set(2, y).set(3, M).set(4, N).set(5, K), mem);
    }

    private static Set<FindingKind> kinds(LaunchReport r) {
        return r.findings().stream().map(Finding::kind).collect(Collectors.toSet());
    }

    @Test
    void aRemovedBarrierIsReportedAsARace() {
        assertTrue(linearSimt(Ptx.module("linear")).clean());
        // the barrier after the tile is staged: readers run ahead of the writers
        LaunchReport raw = linearSimt(mutated("linear", 223, "bar.sync \t0;", "// barrier removed"));
        assertTrue(kinds(raw).contains(FindingKind.SHARED_RAW), raw::toString);
        // the barrier at the end of a K step: the next step's stores overwrite what others still read
        LaunchReport war = linearSimt(mutated("linear", 516, "bar.sync \t0;", "// barrier removed"));
        assertTrue(kinds(war).contains(FindingKind.SHARED_WAR), war::toString);
        assertTrue(war.findings().stream().anyMatch(f -> f.line() > 222 && f.line() < 515), war::toString);
    }

    @Test
    void aBoundOffByOneIsReportedAsOutOfBounds() {
        PtxModule bad = mutated("kv", 63, "setp.ge.u64 \t%p2, %rd3, %rd28;", "\tsetp.gt.u64 \t%p2, %rd3, %rd28;");
        Kernel k = bad.kernel("tm_kv_append_f32");
        int B = 3, H = 2, D = 8, cap = 4;
        GlobalMemory mem = new GlobalMemory();
        long kn = CommittedKernelsTest.upload(mem, new float[B * H * D]), vn = CommittedKernelsTest.upload(mem, new float[B * H * D]);
        long kc = CommittedKernelsTest.upload(mem, new float[B * cap * H * D]), vc = CommittedKernelsTest.upload(mem, new float[B * cap * H * D]);
        long sl = mem.alloc(B * 4);
        mem.writeInts(sl, new int[] {0, 1, 2});
        LaunchReport r = k.launch(Ptx.SERIAL, Dim3.of(1), Dim3.of(256), 0,
                k.newParams().set(0, kn).set(1, vn).set(2, kc).set(3, vc).set(4, 0).set(5, sl)
                        .set(6, B).set(7, H).set(8, D).set(9, cap).set(10, 0).set(11, 0), mem);
        assertTrue(kinds(r).contains(FindingKind.GLOBAL_OUT_OF_BOUNDS), r::toString);
        Finding f = r.findings().stream().filter(x -> x.kind() == FindingKind.GLOBAL_OUT_OF_BOUNDS).findFirst().orElseThrow();
        assertEquals(12, f.thread()[0], "thread B*H*D/4 = 12 is the one past the end");
    }

    @Test
    void swappedFragmentRegistersGiveAWrongResult() {
        int line = 0;
        String[] lines = Ptx.committed("linear").split("\n", -1);
        for (int i = 0; i < lines.length && line == 0; i++) {
            if (lines[i].contains("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32")) line = i + 1;
        }
        String orig = lines[line - 1].trim();
        // a0a1 <-> a2a3: rows g and g+8 of A trade places in one of the 16 mma per k-step
        String swapped = orig.replaceFirst("\\{(%r\\d+),(%r\\d+),", "{$2,$1,");
        PtxModule bad = mutated("linear", line, orig, "\t" + swapped);
        float[] good = linearMma(Ptx.module("linear")), wrong = linearMma(bad);
        int differ = 0;
        for (int i = 0; i < good.length; i++) if (good[i] != wrong[i]) differ++;
        assertTrue(differ > 0, "the swap must change the result");
    }

    private static float[] linearMma(PtxModule m) {
        Kernel k = m.kernel("tm_linear_mma_f16");
        int M = 32, N = 32, K = 32;
        Random rnd = new Random(4);
        float[] x = new float[M * K], w = new float[N * K];
        for (int i = 0; i < x.length; i++) x[i] = rnd.nextInt(8) - 4;
        for (int i = 0; i < w.length; i++) w[i] = rnd.nextInt(8) - 4;
        GlobalMemory mem = new GlobalMemory();
        long xa = CommittedKernelsTest.upload16(mem, x, false), wa = CommittedKernelsTest.upload16(mem, w, false);
        long ya = mem.alloc(2L * M * N);
        LaunchReport r = k.launch(Ptx.SERIAL, Dim3.of(1), Dim3.of(256), 65536,
                k.newParams().set(0, xa).set(1, wa).set(2, ya).set(3, M).set(4, N).set(5, K), mem);
        assertTrue(r.clean(), r::toString);
        return CommittedKernelsTest.download16(mem, ya, M * N, false);
    }
}
