// linear: Y[M,N] = X[M,K] · W[N,K]^T, fp32 accumulation, Y in the input dtype.
//  - linear_simt: CUDA-core baseline (f32; also the f16/bf16 fallback when K % 8 != 0).
//  - linear_mma:  f16/bf16 on tensor cores (mma.sync m16n8k16, ldmatrix, 4-stage cp.async pipeline).
#include "common.cuh"

namespace tmk {

// Four consecutive elements of row `row`, columns k..k+3, of a [rows, K] matrix, widened; zero outside it.
// `vec` (K % 4 == 0) allows one 16-byte (f32) or 8-byte (f16/bf16) load.
template <typename T>
__device__ __forceinline__ void load4(const T* P, int row, int rows, int k, int K, bool vec, float (&v)[4]) {
    const T* p = P + (size_t)row * K + k;
    if (vec && row < rows && k < K) {
        if constexpr (sizeof(T) == 4) {
            float4 f = __ldg(reinterpret_cast<const float4*>(p));
            v[0] = f.x, v[1] = f.y, v[2] = f.z, v[3] = f.w;
        } else {
            uint2 u = __ldg(reinterpret_cast<const uint2*>(p));
            const T* e = reinterpret_cast<const T*>(&u);
#pragma unroll
            for (int i = 0; i < 4; i++) v[i] = to_float<T>(e[i]);
        }
    } else {
#pragma unroll
        for (int i = 0; i < 4; i++) v[i] = (row < rows && k + i < K) ? to_float<T>(p[i]) : 0.0f;
    }
}

// 64x64 output tile per 256-thread CTA, 4x4 outputs per thread, K in steps of 16 staged k-major in shared
// memory as fp32 (so the inner loop reads float4 of X rows and of W rows).
template <typename T>
__device__ __forceinline__ void linear_simt(const T* X, const T* W, T* Y, int M, int N, int K) {
    constexpr int BM = 64, BN = 64, BK = 16, PAD = 4;
    __shared__ __align__(16) float As[BK][BM + PAD];
    __shared__ __align__(16) float Bs[BK][BN + PAD];

    const int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
    const int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;
    const int load_row = tid / 4, load_k = (tid % 4) * 4;  // 64 rows x 16 k, 4 elements per thread
    const bool vec = (K % 4) == 0;

    float acc[4][4] = {};
    for (int k0 = 0; k0 < K; k0 += BK) {
        float a[4], b[4];
        load4(X, m0 + load_row, M, k0 + load_k, K, vec, a);
        load4(W, n0 + load_row, N, k0 + load_k, K, vec, b);
#pragma unroll
        for (int i = 0; i < 4; i++) {
            As[load_k + i][load_row] = a[i];
            Bs[load_k + i][load_row] = b[i];
        }
        __syncthreads();
#pragma unroll
        for (int k = 0; k < BK; k++) {
            float4 av = *reinterpret_cast<const float4*>(&As[k][ty * 4]);
            float4 bv = *reinterpret_cast<const float4*>(&Bs[k][tx * 4]);
            float ar[4] = {av.x, av.y, av.z, av.w}, br[4] = {bv.x, bv.y, bv.z, bv.w};
#pragma unroll
            for (int i = 0; i < 4; i++)
#pragma unroll
                for (int j = 0; j < 4; j++) acc[i][j] = fmaf(ar[i], br[j], acc[i][j]);
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < 4; i++) {
        int row = m0 + ty * 4 + i;
        if (row >= M) continue;
#pragma unroll
        for (int j = 0; j < 4; j++) {
            int col = n0 + tx * 4 + j;
            if (col < N) Y[(size_t)row * N + col] = from_float<T>(acc[i][j]);
        }
    }
}

// Stores two adjacent outputs (row, col) and (row, col+1), predicated on the matrix edge; one 4-byte store
// when N is even (then row*N + col is even, so the pair is 4-byte aligned).
template <typename T>
__device__ __forceinline__ void store_pair(T* Y, int M, int N, int row, int col, float v0, float v1) {
    if (row >= M) return;
    T* p = Y + (size_t)row * N + col;
    if ((N % 2) == 0 && col + 1 < N) {
        *reinterpret_cast<uint32_t*>(p) = pack2<T>(v0, v1);
    } else {
        if (col < N) p[0] = from_float<T>(v0);
        if (col + 1 < N) p[1] = from_float<T>(v1);
    }
}

// 128x128 output tile per 256-thread CTA (8 warps as 2x4, each warp 64x32 = 4x4 mma tiles), K in steps of 32.
// Shared memory per stage: X tile [128][32] and W tile [128][32], 16-bit, rows of 4 swizzled 16-byte chunks.
// W[N,K] row-major is exactly the "col" B operand of mma.row.col, so both tiles use non-transposed ldmatrix.
constexpr int MMA_BM = 128, MMA_BN = 128, MMA_BK = 32, MMA_STAGES = 4, MMA_THREADS = 256;
static_assert(MMA_STAGES * (MMA_BM + MMA_BN) * MMA_BK * 2 == 65536, "ABI.md: dynamic shared memory 65536");

template <typename T>
__device__ __forceinline__ void linear_mma(const T* X, const T* W, T* Y, int M, int N, int K) {
    constexpr int BM = MMA_BM, BN = MMA_BN, BK = MMA_BK, STAGES = MMA_STAGES, CHUNKS = BK / 8;
    extern __shared__ __align__(128) unsigned char smem[];
    T* sA = reinterpret_cast<T*>(smem);
    T* sB = sA + STAGES * BM * BK;

    const int tid = threadIdx.x, warp = tid / 32, lane = tid % 32;
    const int wm = warp / 4, wn = warp % 4;  // warp tile origin: rows wm*64, cols wn*32
    const int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;
    const int ktiles = (K + BK - 1) / BK;

    // Each thread copies 2 chunks of the X tile and 2 of the W tile (128 rows x 4 chunks = 512 each).
    // K % 8 == 0, so a chunk is either wholly inside K or wholly past it (zero-filled, like rows past M/N).
    auto load_tile = [&](int stage, int kt) {
        T* a = sA + stage * BM * BK;
        T* b = sB + stage * BN * BK;
#pragma unroll
        for (int i = 0; i < 2; i++) {
            int id = tid + i * MMA_THREADS, row = id / CHUNKS, c = id % CHUNKS;
            int k = kt * BK + c * 8;
            bool va = m0 + row < M && k < K, vb = n0 + row < N && k < K;
            cp_async16(a + swz<CHUNKS>(row, c), va ? X + (size_t)(m0 + row) * K + k : X, va);
            cp_async16(b + swz<CHUNKS>(row, c), vb ? W + (size_t)(n0 + row) * K + k : W, vb);
        }
    };

    float acc[4][4][4] = {};
#pragma unroll
    for (int s = 0; s < STAGES - 1; s++) {
        if (s < ktiles) load_tile(s, s);
        cp_async_commit();  // always commit, so group i holds tile i and the wait count below stays exact
    }
    for (int kt = 0; kt < ktiles; kt++) {
        // Groups committed so far: tiles 0 .. kt+STAGES-2; allowing STAGES-2 pending means tile kt landed.
        cp_async_wait<STAGES - 2>();
        // Makes every thread's copies of tile kt visible, and proves all warps finished tile kt-1, whose
        // stage the next load overwrites.
        __syncthreads();
        int next = kt + STAGES - 1;
        if (next < ktiles) load_tile(next % STAGES, next);
        cp_async_commit();

        const T* a = sA + (kt % STAGES) * BM * BK;
        const T* b = sB + (kt % STAGES) * BN * BK;
#pragma unroll
        for (int kk = 0; kk < BK / 16; kk++) {
            uint32_t af[4][4], bf[2][4];
#pragma unroll
            for (int mi = 0; mi < 4; mi++)  // matrices: rows 0-7|8-15 x k 0-7|8-15 -> a0..a3
                ldmatrix_x4(af[mi], a + swz<CHUNKS>(wm * 64 + mi * 16 + (lane & 15), kk * 2 + (lane >> 4)));
#pragma unroll
            for (int nj = 0; nj < 2; nj++) {  // matrices: (n 0-7,k lo), (n 0-7,k hi), (n 8-15,k lo), (n 8-15,k hi)
                int j = lane >> 3;
                ldmatrix_x4(bf[nj], b + swz<CHUNKS>(wn * 32 + nj * 16 + (j >> 1) * 8 + (lane & 7), kk * 2 + (j & 1)));
            }
#pragma unroll
            for (int mi = 0; mi < 4; mi++)
#pragma unroll
                for (int ni = 0; ni < 4; ni++)
                    Mma<T>::run(acc[mi][ni], af[mi], bf[ni / 2][(ni % 2) * 2], bf[ni / 2][(ni % 2) * 2 + 1]);
        }
    }
    cp_async_wait<0>();

    const int g = lane / 4, q = lane % 4;
#pragma unroll
    for (int mi = 0; mi < 4; mi++)
#pragma unroll
        for (int ni = 0; ni < 4; ni++) {
            int row = m0 + wm * 64 + mi * 16 + g, col = n0 + wn * 32 + ni * 8 + q * 2;
            store_pair(Y, M, N, row, col, acc[mi][ni][0], acc[mi][ni][1]);
            store_pair(Y, M, N, row + 8, col, acc[mi][ni][2], acc[mi][ni][3]);
        }
}

}  // namespace tmk

#define TM_LINEAR_SIMT(NAME, T)                                                                 \
    extern "C" __global__ void __launch_bounds__(256) NAME(const T* X, const T* W, T* Y, int M, int N, int K) { \
        tmk::linear_simt<T>(X, W, Y, M, N, K);                                                   \
    }
TM_LINEAR_SIMT(tm_linear_simt_f32, float)
TM_LINEAR_SIMT(tm_linear_simt_f16, __half)
TM_LINEAR_SIMT(tm_linear_simt_bf16, __nv_bfloat16)

#define TM_LINEAR_MMA(NAME, T)                                                                  \
    extern "C" __global__ void __launch_bounds__(tmk::MMA_THREADS)                               \
        NAME(const T* X, const T* W, T* Y, int M, int N, int K) {                               \
        tmk::linear_mma<T>(X, W, Y, M, N, K);                                                    \
    }
TM_LINEAR_MMA(tm_linear_mma_f16, __half)
TM_LINEAR_MMA(tm_linear_mma_bf16, __nv_bfloat16)
