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

    /** Values k/8 in [-2, 2): exact in f16 and bf16, so products and short sums are exact too. */
    private static float[] eighths(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (rnd.nextInt(32) - 16) / 8f;
        return v;
    }

    static long upload16(GlobalMemory mem, float[] v, boolean bf16) {
        short[] h = new short[v.length];
        for (int i = 0; i < v.length; i++) h[i] = bf16 ? (short) (Float.floatToRawIntBits(v[i]) >>> 16) : Float.floatToFloat16(v[i]);
        long a = mem.alloc(v.length * 2L);
        mem.writeShorts(a, h);
        return a;
    }

    static float[] download16(GlobalMemory mem, long a, int n, boolean bf16) {
        short[] h = mem.readShorts(a, n);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = bf16 ? Float.intBitsToFloat(h[i] << 16) : Float.float16ToFloat(h[i]);
        return v;
    }

    @Test
    void linearMmaF16AndBf16MatchExactProductsOnRaggedTiles() {
        for (String t : new String[] {"f16", "bf16"}) {
            boolean bf16 = t.equals("bf16");
            Kernel k = Ptx.module("linear").kernel("tm_linear_mma_" + t);
            int M = 20, N = 136, K = 40;
            Random rnd = new Random(3);
            float[] x = eighths(rnd, M * K), w = eighths(rnd, N * K);
            GlobalMemory mem = new GlobalMemory();
            long xa = upload16(mem, x, bf16), wa = upload16(mem, w, bf16);
            float[] poison = new float[M * N];
            Arrays.fill(poison, Float.NaN);
            long ya = upload16(mem, poison, bf16);
            LaunchReport r = k.launch(EMU, Dim3.of((N + 127) / 128, (M + 127) / 128, 1), Dim3.of(256), 65536,
                    k.newParams().set(0, xa).set(1, wa).set(2, ya).set(3, M).set(4, N).set(5, K), mem);
            assertClean(r);
            float[] y = download16(mem, ya, M * N, bf16);
            for (int m = 0; m < M; m++) {
                for (int n = 0; n < N; n++) {
                    double ref = 0;
                    for (int kk = 0; kk < K; kk++) ref += (double) x[m * K + kk] * w[n * K + kk];
                    assertEquals(ref, y[m * N + n], Math.abs(ref) * (bf16 ? 8e-3 : 1e-3), t + " y[" + m + "," + n + "]");
                }
            }
            assertTrue(r.counters().tensorFlops() > 0);
        }
    }

    private static float[] uniform(Random rnd, int n, boolean bf16) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            float f = rnd.nextFloat() * 2 - 1;
            v[i] = bf16 ? Float.intBitsToFloat(Float.floatToRawIntBits(f) & 0xFFFF0000) : Float.float16ToFloat(Float.floatToFloat16(f));
        }
        return v;
    }

    /** Causal attention for one (b, query head h, query i) over [B,S,H,D] layouts, in double. */
    private static double[] attention(float[] q, float[] kk, float[] v, int S, int Hq, int Hkv, int D, int b, int h, int i) {
        int hk = h / (Hq / Hkv);
        double[] s = new double[i + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j <= i; j++) {
            double dot = 0;
            for (int d = 0; d < D; d++) dot += (double) q[((b * S + i) * Hq + h) * D + d] * kk[((b * S + j) * Hkv + hk) * D + d];
            s[j] = dot / Math.sqrt(D);
            max = Math.max(max, s[j]);
        }
        double sum = 0;
        for (int j = 0; j <= i; j++) sum += s[j] = Math.exp(s[j] - max);
        double[] o = new double[D];
        for (int j = 0; j <= i; j++) for (int d = 0; d < D; d++) o[d] += s[j] / sum * v[((b * S + j) * Hkv + hk) * D + d];
        return o;
    }

    @Test
    void prefillMmaD64MatchesCausalAttention() {
        for (String t : new String[] {"f16", "bf16"}) {
            boolean bf16 = t.equals("bf16");
            Kernel k = Ptx.module("prefill").kernel("tm_prefill_mma_d64_" + t);
            int B = 1, S = 70, Hq = 2, Hkv = 1, D = 64;
            Random rnd = new Random(11);
            float[] q = uniform(rnd, B * S * Hq * D, bf16), kk = uniform(rnd, B * S * Hkv * D, bf16), v = uniform(rnd, B * S * Hkv * D, bf16);
            GlobalMemory mem = new GlobalMemory();
            long qa = upload16(mem, q, bf16), ka = upload16(mem, kk, bf16), va = upload16(mem, v, bf16);
            float[] poison = new float[q.length];
            Arrays.fill(poison, Float.NaN);
            long oa = upload16(mem, poison, bf16);
            LaunchReport r = k.launch(EMU, Dim3.of((S + 63) / 64, Hq, B), Dim3.of(128), 3 * 64 * D * 2,
                    k.newParams().set(0, qa).set(1, ka).set(2, va).set(3, oa).set(4, B).set(5, S).set(6, Hq).set(7, Hkv), mem);
            assertClean(r);
            float[] o = download16(mem, oa, q.length, bf16);
            for (int h = 0; h < Hq; h++) {
                for (int i = 0; i < S; i++) {
                    double[] ref = attention(q, kk, v, S, Hq, Hkv, D, 0, h, i);
                    for (int d = 0; d < D; d++) {
                        assertEquals(ref[d], o[(i * Hq + h) * D + d], bf16 ? 3e-2 : 4e-3, t + " o[" + i + "," + h + "," + d + "]");
                    }
                }
            }
        }
    }

    @Test
    void decodeSplitAndMergeF32MatchAttentionOverARaggedContiguousCache() {
        PtxModule dec = Ptx.module("decode");
        Kernel split = dec.kernel("tm_decode_split_d64_f32"), merge = dec.kernel("tm_decode_merge_f32");
        int B = 2, Hq = 4, Hkv = 2, D = 64, cap = 40, chunk = 16, G = Hq / Hkv;
        int[] lens = {5, 37};
        int chunks = (37 + chunk - 1) / chunk;
        Random rnd = new Random(5);
        float[] q = uniform(rnd, B * Hq * D, false), kc = uniform(rnd, B * cap * Hkv * D, false), vc = uniform(rnd, B * cap * Hkv * D, false);
        GlobalMemory mem = new GlobalMemory();
        long qa = upload(mem, q), ka = upload(mem, kc), va = upload(mem, vc);
        long la = mem.alloc(B * 4);
        mem.writeInts(la, lens);
        long po = mem.alloc(4L * B * Hq * chunks * D), pl = mem.alloc(4L * B * Hq * chunks);
        float[] poison = new float[B * Hq * D];
        Arrays.fill(poison, Float.NaN);
        long oa = upload(mem, poison);
        int dyn = 4 * (G * D + 4 * Math.min(G, 8) * D + G * chunk + 2 * G);
        LaunchReport r1 = split.launch(EMU, Dim3.of(chunks, Hkv, B), Dim3.of(128), dyn,
                split.newParams().set(0, qa).set(1, ka).set(2, va).set(3, 0).set(4, la).set(5, po).set(6, pl)
                        .set(7, B).set(8, Hq).set(9, Hkv).set(10, cap).set(11, 0).set(12, 0).set(13, chunk), mem);
        assertClean(r1);
        LaunchReport r2 = merge.launch(EMU, Dim3.of(Hq, B, 1), Dim3.of(128), 0,
                merge.newParams().set(0, po).set(1, pl).set(2, la).set(3, oa).set(4, B).set(5, Hq).set(6, D).set(7, chunks).set(8, chunk), mem);
        assertClean(r2);
        float[] o = mem.readFloats(oa, B * Hq * D);
        for (int b = 0; b < B; b++) {
            for (int h = 0; h < Hq; h++) {
                int hk = h / G;
                double[] s = new double[lens[b]];
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j = 0; j < lens[b]; j++) {
                    double dot = 0;
                    for (int d = 0; d < D; d++) dot += (double) q[(b * Hq + h) * D + d] * kc[((b * cap + j) * Hkv + hk) * D + d];
                    s[j] = dot / Math.sqrt(D);
                    max = Math.max(max, s[j]);
                }
                for (int j = 0; j < lens[b]; j++) sum += s[j] = Math.exp(s[j] - max);
                for (int d = 0; d < D; d++) {
                    double ref = 0;
                    for (int j = 0; j < lens[b]; j++) ref += s[j] / sum * vc[((b * cap + j) * Hkv + hk) * D + d];
                    assertEquals(ref, o[(b * Hq + h) * D + d], 2e-5, "o[" + b + "," + h + "," + d + "]");
                }
            }
        }
    }

    static long upload(GlobalMemory mem, float[] v) {
        long a = mem.alloc(v.length * 4L);
        mem.writeFloats(a, v);
        return a;
    }
}
