// Compute-peak probes: register-resident loops with no memory traffic, as mixbench measures a GPU's arithmetic
// ceiling, so that the ceilings tokenmill reports are not the kernels its records measure. One loop, two steps:
// an f32 FMA (the CUDA cores) and an m16n8k16 mma.sync with fp32 accumulators (the tensor cores, as the linear
// and prefill kernels use them).
//
// Every thread keeps 32 fp32 accumulators in independent chains, so no step waits for the one before it, and
// every iteration adds exactly 16·a·b to each of them with 1024 FLOP per thread (kernels/ABI.md): slot s of a
// thread starts at s, so after `iters` iterations it holds s + 16·a·b·iters, exact in fp32 while that stays
// below 2^24 (the launcher bounds iters). The loop writes all 32 slots once at the end: the compiler cannot drop
// it, and the host checks every slot of every thread against that value before a probe is timed.
#include "common.cuh"

namespace tmk {

// One probe step on one chain of ACC accumulators, with K multiply-adds into each.
// f32 FMA: one accumulator, one multiply-add.
struct FmaStep {
    static constexpr int ACC = 1, K = 1;
    float a, b;
    __device__ __forceinline__ FmaStep(int a, int b) : a((float)a), b((float)b) {}
    __device__ __forceinline__ void run(float (&acc)[ACC]) const { acc[0] = fmaf(a, b, acc[0]); }
};

// One warp-wide m16n8k16 MMA: each lane holds 4 accumulators of the 16x8 tile, each gaining a 16-long dot
// product. Every element of A is a and every element of B is b, so each accumulator gains 16·a·b whatever the
// fragment layout.
template <typename T> struct MmaStep {
    static constexpr int ACC = 4, K = 16;
    uint32_t a[4], b;
    __device__ __forceinline__ MmaStep(int av, int bv) {
        const uint32_t pa = pack2<T>((float)av, (float)av);
        a[0] = a[1] = a[2] = a[3] = pa;
        b = pack2<T>((float)bv, (float)bv);
    }
    __device__ __forceinline__ void run(float (&acc)[ACC]) const { Mma<T>::run(acc, a, b, b); }
};

constexpr int PROBE_THREADS = 256, PROBE_SLOTS = 32, PROBE_GAIN = 16;

// CHAINS independent accumulator chains of Step, UNROLL steps of each per iteration.
template <typename Step, int CHAINS, int UNROLL>
__device__ __forceinline__ void probe(float* out, int iters, int a, int b) {
    static_assert(CHAINS * Step::ACC == PROBE_SLOTS, "every probe keeps 32 accumulators per thread (ABI.md)");
    static_assert(UNROLL * Step::K == PROBE_GAIN, "every probe adds 16·a·b per slot per iteration (ABI.md)");
    const Step step(a, b);
    float acc[CHAINS][Step::ACC];
#pragma unroll
    for (int c = 0; c < CHAINS; c++)
#pragma unroll
        for (int j = 0; j < Step::ACC; j++) acc[c][j] = (float)(c * Step::ACC + j);
    for (int i = 0; i < iters; i++) {
#pragma unroll
        for (int u = 0; u < UNROLL; u++)
#pragma unroll
            for (int c = 0; c < CHAINS; c++) step.run(acc[c]);
    }
    // Slot-major, so each store instruction writes one contiguous run across the grid's threads.
    const size_t threads = (size_t)gridDim.x * PROBE_THREADS, t = (size_t)blockIdx.x * PROBE_THREADS + threadIdx.x;
#pragma unroll
    for (int c = 0; c < CHAINS; c++)
#pragma unroll
        for (int j = 0; j < Step::ACC; j++) out[(size_t)(c * Step::ACC + j) * threads + t] = acc[c][j];
}

}  // namespace tmk

// 4 blocks of 256 threads fit on one SM of every sm_80+ GPU (1536 or 2048 threads, 64 K registers), which caps
// registers at 64: the launcher runs one wave of 4 blocks per SM, 8 warps per scheduler.
#define TM_PROBE(NAME, STEP, CHAINS, UNROLL)                                                                   \
    extern "C" __global__ void __launch_bounds__(tmk::PROBE_THREADS, 4) NAME(float* out, int iters, int a, int b) { \
        tmk::probe<STEP, CHAINS, UNROLL>(out, iters, a, b);                                                    \
    }
TM_PROBE(tm_probe_fma_f32, tmk::FmaStep, 32, 16)
TM_PROBE(tm_probe_mma_f16, tmk::MmaStep<__half>, 8, 1)
TM_PROBE(tm_probe_mma_bf16, tmk::MmaStep<__nv_bfloat16>, 8, 1)
