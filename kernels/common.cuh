// Shared pieces of every tokenmill kernel family: element types, 16-byte vectors, and thin wrappers over the
// sm_80 instructions (cp.async, ldmatrix, mma.sync) so the kernels read as algorithms, not asm.
#pragma once

#include <cuda_fp16.h>
#include <cuda_bf16.h>
#include <stdint.h>

namespace tmk {

// ---- element types --------------------------------------------------------------------------------------

template <typename T> __device__ __forceinline__ float to_float(T v);
template <> __device__ __forceinline__ float to_float<float>(float v) { return v; }
template <> __device__ __forceinline__ float to_float<__half>(__half v) { return __half2float(v); }
template <> __device__ __forceinline__ float to_float<__nv_bfloat16>(__nv_bfloat16 v) { return __bfloat162float(v); }

template <typename T> __device__ __forceinline__ T from_float(float v);
template <> __device__ __forceinline__ float from_float<float>(float v) { return v; }
template <> __device__ __forceinline__ __half from_float<__half>(float v) { return __float2half_rn(v); }
template <> __device__ __forceinline__ __nv_bfloat16 from_float<__nv_bfloat16>(float v) { return __float2bfloat16_rn(v); }

// Two floats packed into one 32-bit register of a 16-bit type (the mma A/B operand format).
template <typename T> __device__ __forceinline__ uint32_t pack2(float lo, float hi);
template <> __device__ __forceinline__ uint32_t pack2<__half>(float lo, float hi) {
    __half2 h = __floats2half2_rn(lo, hi);
    return *reinterpret_cast<uint32_t*>(&h);
}
template <> __device__ __forceinline__ uint32_t pack2<__nv_bfloat16>(float lo, float hi) {
    __nv_bfloat162 h = __floats2bfloat162_rn(lo, hi);
    return *reinterpret_cast<uint32_t*>(&h);
}

// Elements per 16-byte vector.
template <typename T> struct Vec { static constexpr int N = 16 / sizeof(T); };

// Widens the VEC elements held in a 16-byte vector to floats.
template <typename T> __device__ __forceinline__ void unpack16(const uint4& u, float* out) {
    const T* e = reinterpret_cast<const T*>(&u);
#pragma unroll
    for (int i = 0; i < Vec<T>::N; i++) out[i] = to_float<T>(e[i]);
}

// Loads 16 bytes through the read-only path (operands are never written by the kernel that reads them).
__device__ __forceinline__ uint4 ldg16(const void* p) { return __ldg(reinterpret_cast<const uint4*>(p)); }

// ---- reductions ---------------------------------------------------------------------------------------

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// ---- sm_80 async copies -----------------------------------------------------------------------------------

__device__ __forceinline__ uint32_t smem_addr(const void* p) {
    return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}

// 16-byte global->shared copy, bypassing L1. When !valid, nothing is read and the 16 bytes are zero-filled
// (src-size 0); src must still be a mapped address, so callers pass a base pointer then.
__device__ __forceinline__ void cp_async16(void* smem, const void* gmem, bool valid) {
    int src_bytes = valid ? 16 : 0;
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(smem_addr(smem)), "l"(gmem), "r"(src_bytes));
}

__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }

template <int N> __device__ __forceinline__ void cp_async_wait() {
    asm volatile("cp.async.wait_group %0;\n" ::"n"(N));
}

// ---- ldmatrix / mma ---------------------------------------------------------------------------------------

// Four 8x8 b16 matrices; lane l supplies the row address for matrix l/8, row l%8.
__device__ __forceinline__ void ldmatrix_x4(uint32_t (&r)[4], const void* smem) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(smem_addr(smem)));
}

__device__ __forceinline__ void ldmatrix_x4_trans(uint32_t (&r)[4], const void* smem) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(smem_addr(smem)));
}

// D[16x8] += A[16x16] (row) · B[16x8] (col), fp32 accumulators. Fragment layouts (g = lane/4, q = lane%4):
// A: a0 (g, 2q..), a1 (g+8, 2q..), a2 (g, 8+2q..), a3 (g+8, 8+2q..); B: b0 (k 2q.., n g), b1 (k 8+2q.., n g);
// C: c0,c1 (g, 2q, 2q+1), c2,c3 (g+8, 2q, 2q+1).
template <typename T> struct Mma;
template <> struct Mma<__half> {
    static __device__ __forceinline__ void run(float (&c)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
        asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
                     "{%0,%1,%2,%3};\n"
                     : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                     : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    }
};
template <> struct Mma<__nv_bfloat16> {
    static __device__ __forceinline__ void run(float (&c)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
        asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
                     "{%0,%1,%2,%3};\n"
                     : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                     : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    }
};

// Offset (in elements) of 16-byte chunk `chunk` of row `row` in a shared tile of 16-bit elements whose rows
// are `row_chunks` chunks long. XOR-swizzling the low three chunk bits with the row spreads the 8 rows an
// ldmatrix phase reads over all 32 banks. Rows of 4 chunks (64 bytes) pair up rows first.
template <int ROW_CHUNKS> __device__ __forceinline__ int swz(int row, int chunk) {
    static_assert(ROW_CHUNKS == 4 || ROW_CHUNKS % 8 == 0, "swizzle supports rows of 64 bytes or multiples of 128");
    int x = ROW_CHUNKS == 4 ? ((row >> 1) & 3) : (row & 7);
    return (row * ROW_CHUNKS + (chunk ^ x)) * 8;
}

// Where token t of sequence b lives in a KV cache, as a row index of a [rows, Hkv, D] array. Paged: pools of
// block_size-token blocks reached through block_table[b, max_blocks] (block_size a power of two); contiguous
// (table == nullptr): [B, capacity] rows.
struct KvRows {
    const int* table;
    int max_blocks, block_size, capacity, shift;

    __device__ __forceinline__ KvRows(const int* table, int max_blocks, int block_size, int capacity)
        : table(table), max_blocks(max_blocks), block_size(block_size), capacity(capacity),
          shift(table ? __ffs(block_size) - 1 : 0) {}

    __device__ __forceinline__ size_t row(int b, int t) const {
        if (table == nullptr) return (size_t)b * capacity + t;
        int block = __ldg(table + (size_t)b * max_blocks + (t >> shift));
        return (size_t)block * block_size + (t & (block_size - 1));
    }
};

}  // namespace tmk
