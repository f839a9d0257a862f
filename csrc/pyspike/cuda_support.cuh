// Device helpers of the generated CUDA kernels: warp-aggregated appends and the step clock.
#pragma once
#include <cuda_runtime.h>
#include <stdint.h>

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
    ~ps_run_resources()
    {
        if (stream) cudaStreamSynchronize(stream);
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
