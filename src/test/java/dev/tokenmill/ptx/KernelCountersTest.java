package dev.tokenmill.ptx;

import dev.tokenmill.ptx.count.Counters;
import dev.tokenmill.ptx.exec.Dim3;
import dev.tokenmill.ptx.exec.GlobalMemory;
import dev.tokenmill.ptx.exec.LaunchReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Facts of the committed kernels that hold on every GPU, guarded so that a kernel edit that breaks one
 * fails here (counts from the interpreter's models: kernels/NOTES.md, "Emulator counters").
 */
@Timeout(60)
class KernelCountersTest {
    private static long zeros(GlobalMemory mem, long bytes) {
        long a = mem.alloc(bytes);
        mem.write(a, new byte[(int) bytes]);
        return a;
    }

    @Test
    void tensorCoreLinearReadsSharedMemoryWithoutBankConflicts() {
        Kernel k = Ptx.module("linear").kernel("tm_linear_mma_f16");
        GlobalMemory mem = new GlobalMemory();
        int M = 256, N = 128, K = 128;
        LaunchReport r = k.launch(Ptx.SERIAL, Dim3.of(1, 2, 1), Dim3.of(256), 65536, k.newParams()
                .set(0, zeros(mem, 2L * M * K)).set(1, zeros(mem, 2L * N * K)).set(2, mem.alloc(2L * M * N))
                .set(3, M).set(4, N).set(5, K), mem);
        Counters c = r.counters();
        assertTrue(c.ldmatrixRequests > 0);
        assertEquals(0, c.sharedLoadBankConflicts(), "the XOR swizzle makes every ldmatrix phase conflict-free");
        assertTrue(c.cpAsyncSharedWavefronts > 0);
        assertEquals(0, c.cpAsyncSharedBankConflicts(), "and every cp.async write into the tiles");
        assertEquals(2L * 16 * 8 * 16 * (M / 16) * (N / 8) * (K / 16), c.tensorFlops());
        assertEquals(2L * M * K + 2L * N * K * (M / 128), c.cpAsyncSourceBytes, "X once, W once per 128-row tile");
    }

    @Test
    void flashAttentionReadsSharedMemoryWithoutBankConflicts() {
        Kernel k = Ptx.module("prefill").kernel("tm_prefill_mma_d128_bf16");
        GlobalMemory mem = new GlobalMemory();
        int S = 128, Hq = 1, D = 128;
        long bytes = 2L * S * Hq * D;
        LaunchReport r = k.launch(Ptx.SERIAL, Dim3.of(S / 64, Hq, 1), Dim3.of(128), 3 * 64 * D * 2, k.newParams()
                .set(0, zeros(mem, bytes)).set(1, zeros(mem, bytes)).set(2, zeros(mem, bytes)).set(3, mem.alloc(bytes))
                .set(4, 1).set(5, S).set(6, Hq).set(7, 1), mem);
        assertTrue(r.clean(), r::toString);
        assertEquals(0, r.counters().sharedLoadBankConflicts());
        assertEquals(0, r.counters().cpAsyncSharedBankConflicts(), "the Q/K/V tiles' cp.async writes are conflict-free too");
    }

    @Test
    void gemvStreamsWOnceWithFullyCoalescedLoads() {
        Kernel k = Ptx.module("gemv").kernel("tm_gemv_m1_bf16");
        GlobalMemory mem = new GlobalMemory();
        int N = 32, K = 2048;
        long w = 2L * N * K, x = 2L * K;
        LaunchReport r = k.launch(Ptx.SERIAL, Dim3.of(N / 4), Dim3.of(256), 0, k.newParams()
                .set(0, zeros(mem, x)).set(1, zeros(mem, w)).set(2, mem.alloc(2L * N)).set(3, 0)
                .set(4, 1).set(5, N).set(6, K).set(7, 1), mem);
        Counters c = r.counters();
        assertEquals(16.0, c.globalLoadSectorsPerRequest(), "every load is 32 lanes x 16 contiguous bytes");
        assertEquals(w + x * (N / 4), c.globalLoadBytes, "W once; X (tiny, cached) once per CTA");
    }

    @Test
    void decodeReadsEachKvByteOnce() {
        Kernel k = Ptx.module("decode").kernel("tm_decode_split_d64_f16");
        GlobalMemory mem = new GlobalMemory();
        int B = 2, Hq = 8, Hkv = 2, G = 4, D = 64, cap = 200, chunk = 64;
        int[] lens = {200, 77};
        int chunks = 4;
        long kv = 2L * B * cap * Hkv * D;
        long lensA = mem.alloc(8);
        mem.writeInts(lensA, lens);
        int dyn = 4 * (G * D + 4 * Math.min(G, 8) * D + G * chunk + 2 * G);
        LaunchReport r = k.launch(Ptx.SERIAL, Dim3.of(chunks, Hkv, B), Dim3.of(128), dyn, k.newParams()
                .set(0, zeros(mem, 2L * B * Hq * D)).set(1, zeros(mem, kv)).set(2, zeros(mem, kv)).set(3, 0).set(4, lensA)
                .set(5, mem.alloc(4L * B * Hq * chunks * D)).set(6, mem.alloc(4L * B * Hq * chunks))
                .set(7, B).set(8, Hq).set(9, Hkv).set(10, cap).set(11, 0).set(12, 0).set(13, chunk), mem);
        assertTrue(r.clean(), r::toString);
        long kvTouched = 2L * (200 + 77) * Hkv * D * 2; // K and V rows of the real tokens
        long ctas = r.counters().ctas, q = 2L * G * D; // each CTA also reads its group's q
        long loads = r.counters().globalLoadBytes;
        assertTrue(loads >= kvTouched && loads <= kvTouched + ctas * (q + 4L * 128),
                "K/V bytes read once: " + loads + " bytes loaded for " + kvTouched + " bytes of K/V");
    }
}
