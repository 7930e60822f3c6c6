// Attention decode (flash-decoding): one query token per sequence over its KV cache, ragged lengths.
// decode_split: CTA (c, hk, b) reads chunk c of sequence b's K and V for KV head hk exactly once and serves
// all G = Hq/Hkv query heads of that head's group from it, in three phases:
//   1. scores: 4 threads per token, 16-byte loads, dot with every head's q (from shared memory), kept in
//      shared memory in log2 units;
//   2. softmax statistics per head over the chunk (max, sum; scores become probabilities);
//   3. P·V: one 16-byte chunk of a V row per thread, several tokens in flight, heads in passes of 8,
//      reduced across threads; writes the chunk's normalised output and log2-sum-exp, in fp32.
// decode_merge: combines a sequence's chunks, weighting each by exp2(lse_c - max lse).
#include "common.cuh"

namespace tmk {

constexpr int DEC_THREADS = 128, DEC_WARPS = DEC_THREADS / 32, DEC_HEADS_PER_PASS = 8;

template <typename T, int D>
__device__ __forceinline__ void decode_split(const T* q, const T* k_cache, const T* v_cache, const int* block_table,
                                             const int* seq_lens, float* part_o, float* part_lse, int B, int Hq,
                                             int Hkv, int capacity, int max_blocks, int block_size, int chunk_len) {
    constexpr int V = Vec<T>::N;              // elements per 16-byte chunk
    constexpr int CH = D / V;                 // chunks per K/V row: 8, 16 or 32
    constexpr int TPT = 4, CPT = CH / TPT;    // phase 1: threads per token, chunks per thread
    constexpr int U1 = CPT >= 8 ? 1 : 8 / CPT;  // phase 1: tokens per thread in flight (8 loads)
    constexpr int TOK1 = DEC_THREADS / TPT;   // phase 1: tokens per pass (32)
    constexpr int TL = DEC_THREADS / CH;      // phase 3: token lanes (4, 8 or 16)
    constexpr int U3 = 4;                     // phase 3: tokens per thread in flight
    constexpr int HP = DEC_HEADS_PER_PASS;
    static_assert(CH % TPT == 0 && CH <= 32, "D/VEC chunks must split over 4 threads and fit a warp");

    const int c = blockIdx.x, hk = blockIdx.y, b = blockIdx.z;
    const int len = seq_lens[b], t0 = c * chunk_len;
    if (t0 >= len) return;  // uniform over the CTA, before any barrier
    const int n = min(chunk_len, len - t0);
    const int G = Hq / Hkv, GT = min(G, HP);
    const int tid = threadIdx.x, warp = tid / 32, lane = tid % 32;
    const KvRows rows(block_table, max_blocks, block_size, capacity);
    const size_t head_off = (size_t)hk * D, row_stride = (size_t)Hkv * D;

    extern __shared__ __align__(16) float dsm[];
    float* sq = dsm;                          // [G][D] queries, pre-scaled by log2(e)/sqrt(D)
    float* sred = sq + G * D;                 // [DEC_WARPS][GT][D] phase-3 partial sums
    float* ss = sred + DEC_WARPS * GT * D;    // [G][chunk_len] scores, then probabilities
    float* smax = ss + (size_t)G * chunk_len; // [G]
    float* ssum = smax + G;                   // [G]

    const float sl2 = 1.4426950408889634f / (D == 64 ? 8.0f : 11.313708498984761f);
    const T* qg = q + ((size_t)b * Hq + (size_t)hk * G) * D;  // the group's G heads are contiguous
    for (int i = tid; i < G * D; i += DEC_THREADS) sq[i] = to_float<T>(qg[i]) * sl2;
    __syncthreads();

    // Phase 1. Thread (token lane tid/4, sub tid%4) reads chunks sub, sub+4, ... of its token's K row, so the
    // 4 threads of a token cover 64 contiguous bytes per load. Loops are uniform over the warp (shuffles).
    {
        const int tl = tid / TPT, sub = tid % TPT;
        for (int base = 0; base < n; base += TOK1 * U1) {
            float kf[U1][CPT * V];
#pragma unroll
            for (int u = 0; u < U1; u++) {
                int i = base + u * TOK1 + tl;
                uint4 raw[CPT];
                if (i < n) {
                    const T* krow = k_cache + rows.row(b, t0 + i) * row_stride + head_off;
#pragma unroll
                    for (int x = 0; x < CPT; x++) raw[x] = ldg16(krow + (sub + TPT * x) * V);
                } else {
#pragma unroll
                    for (int x = 0; x < CPT; x++) raw[x] = make_uint4(0, 0, 0, 0);
                }
#pragma unroll
                for (int x = 0; x < CPT; x++) unpack16<T>(raw[x], &kf[u][x * V]);
            }
            for (int hh = 0; hh < G; hh++) {
                const float* qh = sq + hh * D;
#pragma unroll
                for (int u = 0; u < U1; u++) {
                    float dot = 0.0f;
#pragma unroll
                    for (int x = 0; x < CPT; x++)
#pragma unroll
                        for (int e = 0; e < V; e += 4) {
                            float4 qv = *reinterpret_cast<const float4*>(qh + (sub + TPT * x) * V + e);
                            dot = fmaf(qv.x, kf[u][x * V + e], dot);
                            dot = fmaf(qv.y, kf[u][x * V + e + 1], dot);
                            dot = fmaf(qv.z, kf[u][x * V + e + 2], dot);
                            dot = fmaf(qv.w, kf[u][x * V + e + 3], dot);
                        }
                    dot += __shfl_xor_sync(0xffffffffu, dot, 1);
                    dot += __shfl_xor_sync(0xffffffffu, dot, 2);
                    int i = base + u * TOK1 + tl;
                    if (sub == 0 && i < n) ss[(size_t)hh * chunk_len + i] = dot;
                }
            }
        }
    }
    __syncthreads();

    // Phase 2: one warp per head.
    for (int hh = warp; hh < G; hh += DEC_WARPS) {
        float* sh = ss + (size_t)hh * chunk_len;
        float mx = -INFINITY;
        for (int i = lane; i < n; i += 32) mx = fmaxf(mx, sh[i]);
        mx = warp_max(mx);  // finite: n >= 1
        float sum = 0.0f;
        for (int i = lane; i < n; i += 32) {
            float p = exp2f(sh[i] - mx);
            sh[i] = p;
            sum += p;
        }
        sum = warp_sum(sum);
        if (lane == 0) smax[hh] = mx, ssum[hh] = sum;
    }
    __syncthreads();

    // Phase 3. Thread owns chunk tid%CH of the V row (dims chunk*V ..), token lane tid/CH.
    const int chunk = tid % CH, tl = tid / CH;
    for (int h0 = 0; h0 < G; h0 += HP) {
        const int hn = min(HP, G - h0);
        float acc[HP][V] = {};
        for (int base = 0; base < n; base += TL * U3) {
            uint4 raw[U3];
#pragma unroll
            for (int u = 0; u < U3; u++) {
                int i = base + u * TL + tl;
                raw[u] = i < n ? ldg16(v_cache + rows.row(b, t0 + i) * row_stride + head_off + chunk * V)
                               : make_uint4(0, 0, 0, 0);
            }
#pragma unroll
            for (int u = 0; u < U3; u++) {
                int i = base + u * TL + tl;
                if (i >= n) continue;
                float vf[V];
                unpack16<T>(raw[u], vf);
#pragma unroll
                for (int hh = 0; hh < HP; hh++) {
                    if (hh >= hn) continue;
                    float p = ss[(size_t)(h0 + hh) * chunk_len + i];
#pragma unroll
                    for (int e = 0; e < V; e++) acc[hh][e] = fmaf(p, vf[e], acc[hh][e]);
                }
            }
        }
        // Reduce over the token lanes of a warp (lanes chunk, chunk+CH, ...), then over warps in shared memory.
#pragma unroll
        for (int hh = 0; hh < HP; hh++)
#pragma unroll
            for (int e = 0; e < V; e++)
#pragma unroll
                for (int off = CH; off < 32; off <<= 1) acc[hh][e] += __shfl_xor_sync(0xffffffffu, acc[hh][e], off);
        if (lane < CH) {
#pragma unroll
            for (int hh = 0; hh < HP; hh++)
                if (hh < hn) {
#pragma unroll
                    for (int e = 0; e < V; e++) sred[(warp * GT + hh) * D + chunk * V + e] = acc[hh][e];
                }
        }
        __syncthreads();
        for (int i = tid; i < hn * D; i += DEC_THREADS) {
            int hh = i / D, d = i % D, head = h0 + hh;
            float s = 0.0f;
#pragma unroll
            for (int w = 0; w < DEC_WARPS; w++) s += sred[(w * GT + hh) * D + d];
            size_t slot = ((size_t)b * Hq + (size_t)hk * G + head) * gridDim.x + c;
            part_o[slot * D + d] = s / ssum[head];
            if (d == 0) part_lse[slot] = smax[head] + log2f(ssum[head]);
        }
        __syncthreads();  // sred is rewritten by the next pass of heads
    }
}

// o[b, h, :] = sum_c w_c part_o[b, h, c, :] / sum_c w_c, w_c = exp2(lse_c - max lse), over sequence b's chunks.
template <typename T>
__device__ __forceinline__ void decode_merge(const float* part_o, const float* part_lse, const int* seq_lens, T* o,
                                             int B, int Hq, int D, int num_chunks, int chunk_len) {
    const int h = blockIdx.x, b = blockIdx.y;
    const int chunks = (seq_lens[b] + chunk_len - 1) / chunk_len;  // >= 1, <= num_chunks
    const size_t slot0 = ((size_t)b * Hq + h) * num_chunks;
    const float* lse = part_lse + slot0;
    float mx = -INFINITY;
    for (int c = 0; c < chunks; c++) mx = fmaxf(mx, lse[c]);
    for (int d = threadIdx.x; d < D; d += blockDim.x) {
        float acc = 0.0f, wsum = 0.0f;
        for (int c = 0; c < chunks; c++) {
            float w = exp2f(lse[c] - mx);
            acc = fmaf(w, part_o[(slot0 + c) * D + d], acc);
            wsum += w;
        }
        o[((size_t)b * Hq + h) * D + d] = from_float<T>(acc / wsum);
    }
}

}  // namespace tmk

#define TM_DECODE_SPLIT(NAME, T, D)                                                                            \
    extern "C" __global__ void __launch_bounds__(tmk::DEC_THREADS, 4)                                         \
        NAME(const T* q, const T* k_cache, const T* v_cache, const int* block_table, const int* seq_lens,      \
             float* part_o, float* part_lse, int B, int Hq, int Hkv, int capacity, int max_blocks,             \
             int block_size, int chunk_len) {                                                                  \
        tmk::decode_split<T, D>(q, k_cache, v_cache, block_table, seq_lens, part_o, part_lse, B, Hq, Hkv,     \
                                capacity, max_blocks, block_size, chunk_len);                                  \
    }
#define TM_DECODE(T, SUFFIX)                                                                                   \
    TM_DECODE_SPLIT(tm_decode_split_d64_##SUFFIX, T, 64)                                                       \
    TM_DECODE_SPLIT(tm_decode_split_d128_##SUFFIX, T, 128)                                                     \
    extern "C" __global__ void __launch_bounds__(128)                                                          \
        tm_decode_merge_##SUFFIX(const float* part_o, const float* part_lse, const int* seq_lens, T* o, int B,  \
                                 int Hq, int D, int num_chunks, int chunk_len) {                               \
        tmk::decode_merge<T>(part_o, part_lse, seq_lens, o, B, Hq, D, num_chunks, chunk_len);                 \
    }
TM_DECODE(float, f32)
TM_DECODE(__half, f16)
TM_DECODE(__nv_bfloat16, bf16)
