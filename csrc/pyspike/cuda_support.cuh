// Launch macros and device helpers of the generated CUDA kernels (warp appends, step clock).
#pragma once
#include <cuda_runtime.h>
#include <stdint.h>

// Every launch and every kernel with a launch bound goes through these two macros, never
// `<<<` or __launch_bounds__ written out: the test emulator (tests/cuda/emulator), which
// compiles the generated source unchanged with g++, defines its own in its
// <cuda_runtime.h>, included above, so that a launch runs the kernel on the CPU and a
// block larger than the kernel's bound fails there as it fails on the GPU.
//   PS_LAUNCH(k, grid, block, smem, stream, args...): k<<<grid, block, smem, stream>>>(args...)
//   PS_BOUNDED_KERNEL(k, n)(params) {...}: __global__ void __launch_bounds__(n) k(params) {...}
// An argument with a comma is a call or goes in parentheses (dim3(blocks(N), K)); a kernel
// of no parameter is launched with an empty last argument: PS_LAUNCH(k, g, b, 0, s, ).
#ifndef PS_LAUNCH
#define PS_LAUNCH(kernel, grid, block, smem, stream, ...) \
    kernel<<<grid, block, smem, stream>>>(__VA_ARGS__)
#endif
#ifndef PS_BOUNDED_KERNEL
#define PS_BOUNDED_KERNEL(kernel, max_threads) \
    __global__ void __launch_bounds__(max_threads) kernel
#endif

// The position of this lane's element in a list that the lanes of `ballot` (the lanes
// with an element, the same value in every lane that calls this) append to at once: one
// atomic per warp instead of one per element.  Every lane of the warp must call it.
__device__ __forceinline__ int64_t ps_warp_append(int64_t* count, unsigned ballot)
{
    const unsigned lane = threadIdx.x & 31u;
    const int leader = __ffs(ballot) - 1;
    unsigned long long base = 0;
    if ((int)lane == leader)
        base = atomicAdd((unsigned long long*)count, (unsigned long long)__popc(ballot));
    base = __shfl_sync(0xffffffffu, base, leader);
    return (int64_t)base + __popc(ballot & ((1u << lane) - 1u));
}

// This thread's element of a kernel over n elements, or n for the threads past the end (in
// 64 bits first: near 2**31 elements the padding threads would wrap to negative indices).
__device__ __forceinline__ int32_t ps_thread_index(int64_t n)
{
    const int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    return (int32_t)(i < n ? i : n);
}

// Puts the n distinct neuron indices of list in ascending order, as the C++ backend lists
// a step's spikes, in one block (blockDim.x a multiple of 32, at most 1024): each index
// sets its bit in bits (words of 32 neurons, zero on entry), then the block reads the
// words in order, writes the indices of their set bits back to list and clears the words.
// O(n + words) work; every thread of the block must call it.
__device__ inline void ps_order_spikes(int32_t* list, const int64_t n, uint32_t* bits,
                                       const int64_t words)
{
    if (n < 2) return;                  // the same n in every thread
    for (int64_t q = threadIdx.x; q < n; q += blockDim.x)
        atomicOr(&bits[list[q] >> 5], 1u << (list[q] & 31));
    __syncthreads();
    __shared__ int32_t warp_total[32];
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    int64_t base = 0;                   // indices written in earlier rounds
    for (int64_t w0 = 0; w0 < words; w0 += blockDim.x) {
        const int64_t w = w0 + threadIdx.x;
        uint32_t word = w < words ? bits[w] : 0u;
        const int c = __popc(word);
        int x = c;                      // inclusive sum over the lanes up to this one
        for (int d = 1; d < 32; d <<= 1) {
            const int y = __shfl_up_sync(0xffffffffu, x, d);
            if (lane >= d) x += y;
        }
        if (lane == 31) warp_total[warp] = x;
        __syncthreads();
        int64_t pos = base + x - c, round = 0;
        for (int k = 0; k < warps; ++k) {
            if (k < warp) pos += warp_total[k];
            round += warp_total[k];
        }
        if (word) bits[w] = 0u;
        while (word) {
            list[pos++] = (int32_t)(w * 32 + __ffs(word) - 1);
            word &= word - 1u;
        }
        base += round;
        __syncthreads();                // warp_total is written again in the next round
    }
}

// The first position q in the ascending list[0..n) with list[q] >= value (n if none).
__device__ inline int64_t ps_lower_bound(const int32_t* list, int64_t n, int64_t value)
{
    int64_t lo = 0;
    while (n > 0) {
        const int64_t half = n / 2;
        if (list[lo + half] < value) {
            lo += half + 1;
            n -= half + 1;
        } else {
            n = half;
        }
    }
    return lo;
}

// The time of a step, as the C++ backend computes it: (real_t)(step * dt) in double for
// float64 builds; in float arithmetic only for float32 builds (whose kernels may hold no
// double instruction), where it can differ from the C++ backend's by one rounding.
__device__ __forceinline__ double ps_step_time(int64_t step, double dt)
{
    return (double)step * dt;
}

__device__ __forceinline__ float ps_step_time(int64_t step, float dt)
{
    return (float)step * dt;
}

// The stream and step graph of one run, released on every way out of it (errors too).
struct ps_run_resources {
    cudaStream_t stream = nullptr;
    cudaGraph_t graph = nullptr;
    cudaGraphExec_t exec = nullptr;
    uint32_t* scratch = nullptr;        // the bitmaps of ps_order_spikes
    ~ps_run_resources()
    {
        if (stream) cudaStreamSynchronize(stream);
        if (scratch) cudaFree(scratch);
        if (exec) cudaGraphExecDestroy(exec);
        if (graph) cudaGraphDestroy(graph);
        if (stream) cudaStreamDestroy(stream);
    }
};

// The number of multiprocessors of the current device: grid-stride kernels launch a few
// blocks per multiprocessor, a fixed grid that a CUDA graph can hold.
static inline int ps_multiprocessors()
{
    int device = 0, n = 0;
    if (cudaGetDevice(&device) != cudaSuccess) return 1;
    if (cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, device) != cudaSuccess)
        return 1;
    return n > 0 ? n : 1;
}
