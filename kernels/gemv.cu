// Decode linear (M = 1..64): Y[M,N] = X[M,K] · W[N,K]^T when reading W once is the whole cost.
// Each CTA streams ROWS rows of W over one K slice with 16-byte loads (UNROLL x ROWS loads in flight per
// thread) and applies every W chunk to MT rows of X (X is small and stays in L1/L2). Split-K (grid.y) gives
// small N enough CTAs; then fp32 partials are summed by gemv_reduce, deterministically.
#include "common.cuh"

namespace tmk {

constexpr int GEMV_THREADS = 256, GEMV_ROWS = 4, GEMV_UNROLL = 2;

template <typename T, int MT>
__device__ __forceinline__ void gemv(const T* X, const T* W, T* Y, float* partial, int M, int N, int K, int splits) {
    constexpr int V = Vec<T>::N, R = GEMV_ROWS, U = GEMV_UNROLL, WARPS = GEMV_THREADS / 32;
    __shared__ float red[WARPS][MT * R];

    const int tid = threadIdx.x, warp = tid / 32, lane = tid % 32;
    const int n0 = blockIdx.x * R, split = blockIdx.y;
    const int chunks = K / V;  // K % V == 0 (precondition)
    const int per_split = (chunks + splits - 1) / splits;
    const int cbeg = split * per_split, cend = min(chunks, cbeg + per_split);  // may be empty: writes zeros

    for (int m0 = 0; m0 < M; m0 += MT) {
        float acc[MT][R] = {};
        for (int c = cbeg + tid; c < cend; c += U * GEMV_THREADS) {
            uint4 w[U][R];
#pragma unroll
            for (int u = 0; u < U; u++) {
                int cc = c + u * GEMV_THREADS;
#pragma unroll
                for (int r = 0; r < R; r++)
                    w[u][r] = (cc < cend && n0 + r < N) ? ldg16(W + (size_t)(n0 + r) * K + (size_t)cc * V)
                                                        : make_uint4(0, 0, 0, 0);
            }
#pragma unroll
            for (int u = 0; u < U; u++) {
                int cc = c + u * GEMV_THREADS;
                if (cc >= cend) continue;  // its w[u] is zero anyway; skipping saves the X loads
                float wf[R][V];
#pragma unroll
                for (int r = 0; r < R; r++) unpack16<T>(w[u][r], wf[r]);
#pragma unroll
                for (int m = 0; m < MT; m++) {
                    if (m0 + m >= M) continue;
                    float xf[V];
                    unpack16<T>(ldg16(X + (size_t)(m0 + m) * K + (size_t)cc * V), xf);
#pragma unroll
                    for (int r = 0; r < R; r++)
#pragma unroll
                        for (int e = 0; e < V; e++) acc[m][r] = fmaf(xf[e], wf[r][e], acc[m][r]);
                }
            }
        }
        // Every thread reaches here (the loops above hold no barrier), so full-warp shuffles are safe.
#pragma unroll
        for (int m = 0; m < MT; m++)
#pragma unroll
            for (int r = 0; r < R; r++) {
                float s = warp_sum(acc[m][r]);
                if (lane == 0) red[warp][m * R + r] = s;
            }
        __syncthreads();
        if (tid < MT * R) {
            float s = 0.0f;
#pragma unroll
            for (int w = 0; w < WARPS; w++) s += red[w][tid];
            int row = m0 + tid / R, col = n0 + tid % R;
            if (row < M && col < N) {
                if (splits == 1) Y[(size_t)row * N + col] = from_float<T>(s);
                else partial[((size_t)split * M + row) * N + col] = s;
            }
        }
        __syncthreads();  // red is rewritten by the next m tile
    }
}

// Y[i] = sum over splits of partial[s][i], i over the M*N outputs.
template <typename T>
__device__ __forceinline__ void gemv_reduce(const float* partial, T* Y, int M, int N, int splits) {
    const size_t total = (size_t)M * N, stride = (size_t)gridDim.x * blockDim.x;
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < total; i += stride) {
        float s = 0.0f;
        for (int p = 0; p < splits; p++) s += partial[p * total + i];
        Y[i] = from_float<T>(s);
    }
}

}  // namespace tmk

#define TM_GEMV(NAME, T, MT)                                                                              \
    extern "C" __global__ void __launch_bounds__(tmk::GEMV_THREADS, 2)                                      \
        NAME(const T* X, const T* W, T* Y, float* partial, int M, int N, int K, int splits) {             \
        tmk::gemv<T, MT>(X, W, Y, partial, M, N, K, splits);                                              \
    }
#define TM_GEMV_ALL_MT(T, SUFFIX)              \
    TM_GEMV(tm_gemv_m1_##SUFFIX, T, 1)         \
    TM_GEMV(tm_gemv_m2_##SUFFIX, T, 2)         \
    TM_GEMV(tm_gemv_m4_##SUFFIX, T, 4)         \
    TM_GEMV(tm_gemv_m8_##SUFFIX, T, 8)         \
    extern "C" __global__ void __launch_bounds__(256)                                                     \
        tm_gemv_reduce_##SUFFIX(const float* partial, T* Y, int M, int N, int splits) {                  \
        tmk::gemv_reduce<T>(partial, Y, M, N, splits);                                                    \
    }
TM_GEMV_ALL_MT(float, f32)
TM_GEMV_ALL_MT(__half, f16)
TM_GEMV_ALL_MT(__nv_bfloat16, bf16)
