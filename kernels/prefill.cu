// Causal attention over a prompt (flash-attention style): Q [B,S,Hq,D], K/V [B,S,Hkv,D], O [B,S,Hq,D].
// A CTA keeps a tile of query rows resident and streams K/V tiles up to the diagonal (tiles wholly above it
// are never visited), keeping a running max and sum per row (online softmax, base-2 exponentials with the
// scale folded in). Query head h reads KV head h / (Hq/Hkv). Scale 1/sqrt(D).
//  - prefill_mma:  f16/bf16, mma.sync m16n8k16 for Q·K^T and P·V, fp32 accumulation.
//  - prefill_simt: f32 on CUDA cores.
#include "common.cuh"

namespace tmk {

// log2(e) / sqrt(D): scores are kept in log2 units so exp2f is the only exponential.
template <int D> __device__ constexpr float softmax_scale_log2() {
    return 1.4426950408889634f / (D == 64 ? 8.0f : 11.313708498984761f);
}

// 64 query rows per 128-thread CTA (one m16 row block per warp), K/V tiles of 64 keys. Shared memory: Q, K
// and V tiles of [64][D] 16-bit elements (rows of D/8 swizzled 16-byte chunks), 3*64*D*2 bytes.
// V of tile j loads while Q·K_j^T runs; K of tile j+1 loads while P·V_j runs.
constexpr int PF_BQ = 64, PF_BKV = 64, PF_THREADS = 128;

template <typename T, int D>
__device__ __forceinline__ void prefill_mma(const T* Q, const T* K, const T* V, T* O, int B, int S, int Hq, int Hkv) {
    constexpr int CH = D / 8, KT = D / 16, NT_S = PF_BKV / 8, NT_O = D / 8;
    static_assert(3 * PF_BQ * D * 2 == (D == 64 ? 24576 : 49152), "ABI.md: dynamic shared memory 3*64*D*2");
    extern __shared__ __align__(128) unsigned char smem[];
    T* sQ = reinterpret_cast<T*>(smem);
    T* sK = sQ + PF_BQ * D;
    T* sV = sK + PF_BKV * D;

    const int tid = threadIdx.x, warp = tid / 32, lane = tid % 32, g = lane / 4, q4 = lane % 4;
    const int q0 = (gridDim.x - 1 - blockIdx.x) * PF_BQ;  // the longest rows (most tiles) start first
    const int h = blockIdx.y, b = blockIdx.z, hk = h / (Hq / Hkv);
    const size_t q_stride = (size_t)Hq * D, kv_stride = (size_t)Hkv * D;  // elements between tokens
    const T* Qb = Q + ((size_t)b * S * Hq + h) * D;
    const T* Kb = K + ((size_t)b * S * Hkv + hk) * D;
    const T* Vb = V + ((size_t)b * S * Hkv + hk) * D;
    T* Ob = O + ((size_t)b * S * Hq + h) * D;

    // Rows t0..t0+63 of a [S, stride] operand into a [64][D] tile; rows past S are zero-filled (a zero V row
    // times a zero probability stays 0, where uninitialised memory could hold NaN).
    auto load_tile = [&](T* dst, const T* src, size_t stride, int t0) {
#pragma unroll
        for (int i = tid; i < 64 * CH; i += PF_THREADS) {
            int row = i / CH, c = i % CH, t = t0 + row;
            bool valid = t < S;
            cp_async16(dst + swz<CH>(row, c), valid ? src + (size_t)t * stride + c * 8 : src, valid);
        }
    };

    load_tile(sQ, Qb, q_stride, q0);
    load_tile(sK, Kb, kv_stride, 0);
    cp_async_commit();

    const float sl2 = softmax_scale_log2<D>();
    const int kv_tiles = (min(q0 + PF_BQ, S) + PF_BKV - 1) / PF_BKV;  // keys 0 .. min(q0+63, S-1)
    float o[NT_O][4] = {};
    float row_max[2] = {-INFINITY, -INFINITY}, row_sum[2] = {0.0f, 0.0f};  // rows g and g+8 (thread-partial sum)

    for (int j = 0; j < kv_tiles; j++) {
        cp_async_wait<0>();  // K_j (and Q at j = 0) landed
        __syncthreads();     // ... for every thread; and every warp is done reading V_{j-1}
        load_tile(sV, Vb, kv_stride, j * PF_BKV);
        cp_async_commit();

        // s = Q K_j^T for this warp's 16 rows x 64 keys.
        float s[NT_S][4] = {};
        const int jj = lane >> 3;
#pragma unroll
        for (int kk = 0; kk < KT; kk++) {
            // Q fragments are re-read from shared memory (1 ldmatrix per 4 of K) rather than held: holding
            // all D/16 of them costs 32 registers at D = 128 and pushes the kernel into spills.
            uint32_t qf[4];
            ldmatrix_x4(qf, sQ + swz<CH>(warp * 16 + (lane & 15), kk * 2 + (lane >> 4)));
#pragma unroll
            for (int nj = 0; nj < NT_S / 2; nj++) {  // matrices: (keys 0-7,d lo), (keys 0-7,d hi), (keys 8-15, ...)
                uint32_t kf[4];
                ldmatrix_x4(kf, sK + swz<CH>(nj * 16 + (jj >> 1) * 8 + (lane & 7), kk * 2 + (jj & 1)));
                Mma<T>::run(s[2 * nj], qf, kf[0], kf[1]);
                Mma<T>::run(s[2 * nj + 1], qf, kf[2], kf[3]);
            }
        }

        // Causal and sequence-end masks: only the diagonal tile and the tile holding key S-1 need them.
        const int k0 = j * PF_BKV;
        if (k0 + PF_BKV - 1 > q0 || k0 + PF_BKV > S) {
#pragma unroll
            for (int nt = 0; nt < NT_S; nt++)
#pragma unroll
                for (int e = 0; e < 4; e++) {
                    int key = k0 + nt * 8 + q4 * 2 + (e & 1), qi = q0 + warp * 16 + g + (e >> 1) * 8;
                    if (key > qi || key >= S) s[nt][e] = -INFINITY;
                }
        }

        // Online softmax; the four lanes of a quad share rows g and g+8.
#pragma unroll
        for (int r = 0; r < 2; r++) {
            float mx = -INFINITY;
#pragma unroll
            for (int nt = 0; nt < NT_S; nt++) mx = fmaxf(mx, fmaxf(s[nt][2 * r], s[nt][2 * r + 1]));
            mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
            mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 2));
            float m_new = fmaxf(row_max[r], mx * sl2);
            float m_use = m_new == -INFINITY ? 0.0f : m_new;  // a fully masked row so far: keep exp2 finite
            float alpha = exp2f(row_max[r] - m_use);
            float sum = 0.0f;
#pragma unroll
            for (int nt = 0; nt < NT_S; nt++)
#pragma unroll
                for (int e = 2 * r; e < 2 * r + 2; e++) {
                    float p = exp2f(s[nt][e] * sl2 - m_use);
                    s[nt][e] = p;
                    sum += p;
                }
            row_sum[r] = row_sum[r] * alpha + sum;
            row_max[r] = m_new;
#pragma unroll
            for (int dt = 0; dt < NT_O; dt++) o[dt][2 * r] *= alpha, o[dt][2 * r + 1] *= alpha;
        }

        cp_async_wait<0>();  // V_j landed
        __syncthreads();     // ... for every thread; and every warp is done reading K_j
        if (j + 1 < kv_tiles) load_tile(sK, Kb, kv_stride, (j + 1) * PF_BKV);
        cp_async_commit();

        // o += P V_j: the score accumulators of key tiles 2kk and 2kk+1 are the A fragment of keys 16kk..16kk+15.
#pragma unroll
        for (int kk = 0; kk < PF_BKV / 16; kk++) {
            uint32_t pa[4] = {pack2<T>(s[2 * kk][0], s[2 * kk][1]), pack2<T>(s[2 * kk][2], s[2 * kk][3]),
                              pack2<T>(s[2 * kk + 1][0], s[2 * kk + 1][1]), pack2<T>(s[2 * kk + 1][2], s[2 * kk + 1][3])};
#pragma unroll
            for (int dp = 0; dp < D / 16; dp++) {  // matrices: (keys 0-7,d lo), (keys 8-15,d lo), (keys 0-7,d hi), ...
                uint32_t vf[4];
                ldmatrix_x4_trans(vf, sV + swz<CH>(kk * 16 + (jj & 1) * 8 + (lane & 7), dp * 2 + (jj >> 1)));
                Mma<T>::run(o[2 * dp], pa, vf[0], vf[1]);
                Mma<T>::run(o[2 * dp + 1], pa, vf[2], vf[3]);
            }
        }
    }
    cp_async_wait<0>();

#pragma unroll
    for (int r = 0; r < 2; r++) {
        float l = row_sum[r];
        l += __shfl_xor_sync(0xffffffffu, l, 1);
        l += __shfl_xor_sync(0xffffffffu, l, 2);
        float inv = 1.0f / l;
        int qi = q0 + warp * 16 + g + r * 8;
        if (qi < S) {
            T* dst = Ob + (size_t)qi * q_stride + q4 * 2;
#pragma unroll
            for (int dt = 0; dt < NT_O; dt++)
                *reinterpret_cast<uint32_t*>(dst + dt * 8) = pack2<T>(o[dt][2 * r] * inv, o[dt][2 * r + 1] * inv);
        }
    }
}

// f32 on CUDA cores: 16 query rows per 128-thread CTA (4 per warp), K/V tiles of 32 keys in shared memory.
// Lane l scores key l of the tile for the warp's 4 rows; P·V gives each lane dims l, l+32, ...
constexpr int PFS_BQ = 16, PFS_BKV = 32, PFS_THREADS = 128, PFS_ROWS = PFS_BQ / (PFS_THREADS / 32);

template <int D>
__device__ __forceinline__ void prefill_simt(const float* Q, const float* K, const float* V, float* O, int B, int S,
                                             int Hq, int Hkv) {
    constexpr int DL = D / 32;  // output dims per lane
    __shared__ __align__(16) float sQ[PFS_BQ][D];
    __shared__ float sK[PFS_BKV][D + 1];  // +1: lanes read different rows of one column without bank conflicts
    __shared__ __align__(16) float sV[PFS_BKV][D];

    const int tid = threadIdx.x, warp = tid / 32, lane = tid % 32;
    const int q0 = (gridDim.x - 1 - blockIdx.x) * PFS_BQ;
    const int h = blockIdx.y, b = blockIdx.z, hk = h / (Hq / Hkv);
    const size_t q_stride = (size_t)Hq * D, kv_stride = (size_t)Hkv * D;
    const float* Qb = Q + ((size_t)b * S * Hq + h) * D;
    const float* Kb = K + ((size_t)b * S * Hkv + hk) * D;
    const float* Vb = V + ((size_t)b * S * Hkv + hk) * D;
    float* Ob = O + ((size_t)b * S * Hq + h) * D;
    const float sl2 = softmax_scale_log2<D>();

    for (int i = tid; i < PFS_BQ * D / 4; i += PFS_THREADS) {
        int row = i / (D / 4), c = i % (D / 4), t = q0 + row;
        float4 v = t < S ? __ldg(reinterpret_cast<const float4*>(Qb + (size_t)t * q_stride) + c) : make_float4(0, 0, 0, 0);
        *reinterpret_cast<float4*>(&sQ[row][c * 4]) = make_float4(v.x * sl2, v.y * sl2, v.z * sl2, v.w * sl2);
    }

    float o[PFS_ROWS][DL] = {}, row_max[PFS_ROWS], row_sum[PFS_ROWS] = {};
#pragma unroll
    for (int i = 0; i < PFS_ROWS; i++) row_max[i] = -INFINITY;

    const int kv_end = min(q0 + PFS_BQ, S);  // keys 0 .. kv_end-1
    for (int k0 = 0; k0 < kv_end; k0 += PFS_BKV) {
        __syncthreads();  // previous tile consumed (and, the first time, sQ written)
        for (int i = tid; i < PFS_BKV * D / 4; i += PFS_THREADS) {
            int row = i / (D / 4), c = i % (D / 4), t = k0 + row;
            float4 kv = make_float4(0, 0, 0, 0), vv = kv;
            if (t < S) {
                kv = __ldg(reinterpret_cast<const float4*>(Kb + (size_t)t * kv_stride) + c);
                vv = __ldg(reinterpret_cast<const float4*>(Vb + (size_t)t * kv_stride) + c);
            }
            sK[row][c * 4] = kv.x, sK[row][c * 4 + 1] = kv.y, sK[row][c * 4 + 2] = kv.z, sK[row][c * 4 + 3] = kv.w;
            *reinterpret_cast<float4*>(&sV[row][c * 4]) = vv;
        }
        __syncthreads();

        float s[PFS_ROWS] = {};
#pragma unroll 8
        for (int d = 0; d < D; d++) {
            float kd = sK[lane][d];
#pragma unroll
            for (int i = 0; i < PFS_ROWS; i++) s[i] = fmaf(sQ[warp * PFS_ROWS + i][d], kd, s[i]);
        }
        const int key = k0 + lane;
#pragma unroll
        for (int i = 0; i < PFS_ROWS; i++) {
            int qi = q0 + warp * PFS_ROWS + i;
            if (key > qi || key >= S) s[i] = -INFINITY;
            float m_new = fmaxf(row_max[i], warp_max(s[i]));
            float m_use = m_new == -INFINITY ? 0.0f : m_new;
            float alpha = exp2f(row_max[i] - m_use);
            s[i] = exp2f(s[i] - m_use);
            row_sum[i] = row_sum[i] * alpha + warp_sum(s[i]);
            row_max[i] = m_new;
#pragma unroll
            for (int e = 0; e < DL; e++) o[i][e] *= alpha;
        }
#pragma unroll 4
        for (int jk = 0; jk < PFS_BKV; jk++) {
            float vd[DL];
#pragma unroll
            for (int e = 0; e < DL; e++) vd[e] = sV[jk][lane + 32 * e];
#pragma unroll
            for (int i = 0; i < PFS_ROWS; i++) {
                float p = __shfl_sync(0xffffffffu, s[i], jk);
#pragma unroll
                for (int e = 0; e < DL; e++) o[i][e] = fmaf(p, vd[e], o[i][e]);
            }
        }
    }
#pragma unroll
    for (int i = 0; i < PFS_ROWS; i++) {
        int qi = q0 + warp * PFS_ROWS + i;
        if (qi >= S) continue;
        float inv = 1.0f / row_sum[i];
#pragma unroll
        for (int e = 0; e < DL; e++) Ob[(size_t)qi * q_stride + lane + 32 * e] = o[i][e] * inv;
    }
}

}  // namespace tmk

#define TM_PREFILL_MMA(NAME, T, D)                                                                    \
    extern "C" __global__ void __launch_bounds__(tmk::PF_THREADS, 2)                                    \
        NAME(const T* Q, const T* K, const T* V, T* O, int B, int S, int Hq, int Hkv) {               \
        tmk::prefill_mma<T, D>(Q, K, V, O, B, S, Hq, Hkv);                                            \
    }
TM_PREFILL_MMA(tm_prefill_mma_d64_f16, __half, 64)
TM_PREFILL_MMA(tm_prefill_mma_d128_f16, __half, 128)
TM_PREFILL_MMA(tm_prefill_mma_d64_bf16, __nv_bfloat16, 64)
TM_PREFILL_MMA(tm_prefill_mma_d128_bf16, __nv_bfloat16, 128)

#define TM_PREFILL_SIMT(NAME, D)                                                                                \
    extern "C" __global__ void __launch_bounds__(tmk::PFS_THREADS)                                             \
        NAME(const float* Q, const float* K, const float* V, float* O, int B, int S, int Hq, int Hkv) {         \
        tmk::prefill_simt<D>(Q, K, V, O, B, S, Hq, Hkv);                                                        \
    }
TM_PREFILL_SIMT(tm_prefill_simt_d64_f32, 64)
TM_PREFILL_SIMT(tm_prefill_simt_d128_f32, 128)
