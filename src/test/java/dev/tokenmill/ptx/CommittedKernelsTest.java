package dev.tokenmill.ptx;

import dev.tokenmill.ptx.count.Counters;
import dev.tokenmill.ptx.exec.Dim3;
import dev.tokenmill.ptx.exec.GlobalMemory;
import dev.tokenmill.ptx.exec.Interpreter;
import dev.tokenmill.ptx.exec.LaunchReport;
import dev.tokenmill.ptx.ir.Op;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real entries of the committed PTX, end to end on tiny shapes, against plain Java. */
@Timeout(60)
class CommittedKernelsTest {
    private static final Interpreter EMU = new Interpreter();

    @AfterAll
    static void close() {
        EMU.close();
    }

    private static void assertClean(LaunchReport r) {
        assertTrue(r.clean(), r::toString);
    }

    @Test
    void copyProbeCopiesEveryByteWithFullyCoalescedRequests() {
        PtxModule kv = Ptx.module("kv");
        GlobalMemory mem = new GlobalMemory();
        int n16 = 1000;
        byte[] data = new byte[n16 * 16];
        new Random(1).nextBytes(data);
        long src = mem.alloc(data.length), dst = mem.alloc(data.length);
        mem.write(src, data);
        Kernel k = kv.kernel("tm_copy_probe");
        LaunchReport r = k.launch(EMU, Dim3.of(3), Dim3.of(256), 0, k.newParams().set(0, src).set(1, dst).set(2, n16), mem);
        assertClean(r);
        assertArrayEquals(data, mem.read(dst, data.length));
        Counters c = r.counters();
        assertEquals(n16 * 16L, c.globalLoadBytes);
        assertEquals(n16 * 16L, c.globalStoreBytes);
        // 32 lanes x 16 bytes = 512 contiguous bytes = 16 sectors, except the tail requests
        assertTrue(c.globalLoadSectorsPerRequest() > 15 && c.globalLoadSectorsPerRequest() <= 16, c::toString);
        assertEquals(3, c.ctas);
    }

    @Test
    void kvAppendF32WritesTheNewTokenContiguousAndPaged() {
        Kernel k = Ptx.module("kv").kernel("tm_kv_append_f32");
        int B = 3, H = 2, D = 8;
        float[] kNew = new float[B * H * D], vNew = new float[B * H * D];
        for (int i = 0; i < kNew.length; i++) {
            kNew[i] = i + 0.5f;
            vNew[i] = -i - 0.25f;
        }
        int[] seqLens = {0, 2, 4};
        // contiguous: [B, capacity, H, D]
        int cap = 5;
        GlobalMemory mem = new GlobalMemory();
        long kn = upload(mem, kNew), vn = upload(mem, vNew);
        float[] poison = new float[B * cap * H * D];
        Arrays.fill(poison, Float.NaN);
        long kc = upload(mem, poison), vc = upload(mem, poison);
        long sl = mem.alloc(B * 4);
        mem.writeInts(sl, seqLens);
        LaunchReport r = k.launch(EMU, Dim3.of(1), Dim3.of(256), 0,
                k.newParams().set(0, kn).set(1, vn).set(2, kc).set(3, vc).set(4, 0).set(5, sl)
                        .set(6, B).set(7, H).set(8, D).set(9, cap).set(10, 0).set(11, 0), mem);
        assertClean(r);
        float[] kOut = mem.readFloats(kc, poison.length), vOut = mem.readFloats(vc, poison.length);
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < cap; t++) {
                for (int h = 0; h < H; h++) {
                    for (int d = 0; d < D; d++) {
                        int at = ((b * cap + t) * H + h) * D + d;
                        if (t == seqLens[b]) {
                            assertEquals(kNew[(b * H + h) * D + d], kOut[at]);
                            assertEquals(vNew[(b * H + h) * D + d], vOut[at]);
                        } else {
                            assertTrue(Float.isNaN(kOut[at]) && Float.isNaN(vOut[at]), "untouched row " + b + "," + t);
                        }
                    }
                }
            }
        }
        // paged: pools [blocks, block_size, H, D], table [B, max_blocks]
        int bs = 2, maxBlocks = 3, blocks = 9;
        int[] table = {4, 0, 8, 1, 7, 2, 6, 3, 5};
        float[] pool = new float[blocks * bs * H * D];
        Arrays.fill(pool, Float.NaN);
        long kp = upload(mem, pool), vp = upload(mem, pool);
        long tb = mem.alloc(table.length * 4L);
        mem.writeInts(tb, table);
        r = k.launch(EMU, Dim3.of(1), Dim3.of(256), 0,
                k.newParams().set(0, kn).set(1, vn).set(2, kp).set(3, vp).set(4, tb).set(5, sl)
                        .set(6, B).set(7, H).set(8, D).set(9, 0).set(10, maxBlocks).set(11, bs), mem);
        assertClean(r);
        float[] kPool = mem.readFloats(kp, pool.length);
        int written = 0;
        for (int b = 0; b < B; b++) {
            int t = seqLens[b];
            int row = table[b * maxBlocks + t / bs] * bs + t % bs;
            for (int h = 0; h < H; h++) {
                for (int d = 0; d < D; d++) {
                    assertEquals(kNew[(b * H + h) * D + d], kPool[(row * H + h) * D + d]);
                    written++;
                }
            }
        }
        int nan = 0;
        for (float v : kPool) if (Float.isNaN(v)) nan++;
        assertEquals(written, pool.length - nan);
    }

    @Test
    void gemvM1F32MatchesAPlainDotProduct() {
        Kernel k = Ptx.module("gemv").kernel("tm_gemv_m1_f32");
        int M = 1, N = 6, K = 72;
        Random rnd = new Random(7);
        float[] x = new float[M * K], w = new float[N * K];
        for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat() - 0.5f;
        for (int i = 0; i < w.length; i++) w[i] = rnd.nextFloat() - 0.5f;
        GlobalMemory mem = new GlobalMemory();
        long xa = upload(mem, x), wa = upload(mem, w);
        float[] poison = new float[M * N];
        Arrays.fill(poison, Float.NaN);
        long ya = upload(mem, poison);
        LaunchReport r = k.launch(EMU, Dim3.of((N + 3) / 4), Dim3.of(256), 0,
                k.newParams().set(0, xa).set(1, wa).set(2, ya).set(3, 0).set(4, M).set(5, N).set(6, K).set(7, 1), mem);
        assertClean(r);
        float[] y = mem.readFloats(ya, M * N);
        for (int n = 0; n < N; n++) {
            double ref = 0;
            for (int kk = 0; kk < K; kk++) ref += (double) x[kk] * w[n * K + kk];
            assertEquals(ref, y[n], 1e-5, "y[" + n + "]");
        }
        assertTrue(r.counters().warpInstructions(Op.SHFL) > 0);
        assertTrue(r.counters().warpInstructions(Op.BAR_SYNC) > 0);
    }

    static long upload(GlobalMemory mem, float[] v) {
        long a = mem.alloc(v.length * 4L);
        mem.writeFloats(a, v);
        return a;
    }
}
