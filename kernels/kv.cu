// KV append (the new token's k and v into the cache at seq_lens[b]) and the copy probe (the bandwidth ceiling).
#include "common.cuh"

namespace tmk {

// One thread per 16-byte chunk of the [B, Hkv, D] new k (and the same chunk of v).
template <typename T>
__device__ __forceinline__ void kv_append(const T* k_new, const T* v_new, T* k_cache, T* v_cache,
                                          const int* block_table, const int* seq_lens, int B, int Hkv, int D,
                                          int capacity, int max_blocks, int block_size) {
    constexpr int V = Vec<T>::N;
    const int chunks_per_row = D / V;
    const size_t total = (size_t)B * Hkv * chunks_per_row;
    const size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= total) return;
    const int c = (int)(i % chunks_per_row);
    const size_t bh = i / chunks_per_row;  // b * Hkv + h
    const int h = (int)(bh % Hkv), b = (int)(bh / Hkv);
    const KvRows rows(block_table, max_blocks, block_size, capacity);
    const size_t dst = (rows.row(b, seq_lens[b]) * Hkv + h) * D + (size_t)c * V;
    const size_t src = bh * D + (size_t)c * V;
    *reinterpret_cast<uint4*>(k_cache + dst) = ldg16(k_new + src);
    *reinterpret_cast<uint4*>(v_cache + dst) = ldg16(v_new + src);
}

// Grid-stride copy of n16 16-byte units, 4 independent loads in flight per thread before their stores.
__device__ __forceinline__ void copy_probe(const uint4* src, uint4* dst, long long n16) {
    constexpr int U = 4;
    const size_t n = (size_t)n16, stride = (size_t)gridDim.x * blockDim.x;
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    for (; i + (U - 1) * stride < n; i += U * stride) {
        uint4 v[U];
#pragma unroll
        for (int u = 0; u < U; u++) v[u] = __ldg(src + i + u * stride);
#pragma unroll
        for (int u = 0; u < U; u++) dst[i + u * stride] = v[u];
    }
    for (; i < n; i += stride) dst[i] = __ldg(src + i);
}

}  // namespace tmk

#define TM_KV_APPEND(NAME, T)                                                                                  \
    extern "C" __global__ void __launch_bounds__(256)                                                          \
        NAME(const T* k_new, const T* v_new, T* k_cache, T* v_cache, const int* block_table, const int* seq_lens, \
             int B, int Hkv, int D, int capacity, int max_blocks, int block_size) {                            \
        tmk::kv_append<T>(k_new, v_new, k_cache, v_cache, block_table, seq_lens, B, Hkv, D, capacity,        \
                          max_blocks, block_size);                                                             \
    }
TM_KV_APPEND(tm_kv_append_f32, float)
TM_KV_APPEND(tm_kv_append_f16, __half)
TM_KV_APPEND(tm_kv_append_bf16, __nv_bfloat16)

extern "C" __global__ void __launch_bounds__(256) tm_copy_probe(const uint4* src, uint4* dst, long long n16) {
    tmk::copy_probe(src, dst, n16);
}
