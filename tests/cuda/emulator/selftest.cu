// Checks of the emulator itself (tests/cuda/test_emulated.py compiles this with g++ against
// include/, whose <cuda_runtime.h> defines PS_LAUNCH and PS_BOUNDED_KERNEL as for the
// generated sources, and runs it): warp intrinsics and barriers compute what
// CUDA computes; what CUDA leaves undefined fails the launch, never hangs; graphs hold the
// arguments of their launches; streams run their work only when the host waits for it;
// CUDA's rules on launches and captures hold.
#include <cuda_runtime.h>
#include <stdio.h>
#include <string.h>

static int checks = 0, failures = 0;
#define CHECK(cond)                                                                \
    do {                                                                           \
        ++checks;                                                                  \
        if (!(cond)) {                                                             \
            ++failures;                                                            \
            fprintf(stderr, "selftest.cu:%d: CHECK(%s) failed\n", __LINE__, #cond); \
        }                                                                          \
    } while (0)

// Per thread: its warp's ballot of t % 3 == 0, an inclusive prefix sum of ones over the
// lanes (shuffles up), lane 0's index, the block's total (shared memory and a barrier).
PS_BOUNDED_KERNEL(warps, 256)(int* out, int stride)
{
    __shared__ int total[8];
    const int t = threadIdx.x, lane = t & 31, warp = t >> 5;
    const unsigned ballot = __ballot_sync(0xffffffffu, t % 3 == 0);
    int x = 1;
    for (int d = 1; d < 32; d <<= 1) {
        const int y = __shfl_up_sync(0xffffffffu, x, d);
        if (lane >= d) x += y;
    }
    const long long first = __shfl_sync(0xffffffffu, (long long)t, 0);
    if (lane == 31) total[warp] = x;
    __syncthreads();
    int sum = 0;
    for (int k = 0; k < (int)blockDim.x / 32; ++k) sum += total[k];
    int* o = out + (blockIdx.x * blockDim.x + t) * 4;
    o[0] = (int)ballot;
    o[1] = x;
    o[2] = (int)first;
    o[3] = sum * stride;
}

__global__ void add(int* p, int v) { atomicAdd(p, v); }

__global__ void divergent_barrier() { if (threadIdx.x < 10) __syncthreads(); }

__global__ void deadlock()
{
    // warp 0 and lane 0 of warp 1 wait at the barrier, the other lanes of warp 1 for lane 0
    if (threadIdx.x <= 32) __syncthreads();
    else __ballot_sync(0xffffffffu, 1);
}

__global__ void mixed_intrinsics()
{
    if (threadIdx.x & 1) __ballot_sync(0xffffffffu, 1);
    else __shfl_sync(0xffffffffu, 1, 0);
}

__global__ void partial_warp() { __ballot_sync(0xffffffffu, 1); }

__device__ int symbol[4];

static bool failed_with(cudaError_t e, const char* words)
{
    return e == cudaErrorLaunchFailure && strstr(cudaGetErrorString(e), words) != nullptr;
}

int main()
{
    for (int schedule = 0; schedule < 3; ++schedule) {
        ps_emu_configure(schedule, 7, 1);
        static int out[3 * 256 * 4];
        PS_LAUNCH(warps, 3, 256, 0, 0, out, 1);
        CHECK(cudaGetLastError() == cudaSuccess && cudaDeviceSynchronize() == cudaSuccess);
        bool ok = true;
        for (int t = 0; t < 3 * 256; ++t) {
            const int w = (t % 256) / 32, lane = t % 32;
            unsigned ballot = 0;
            for (int l = 0; l < 32; ++l)
                if ((w * 32 + l) % 3 == 0) ballot |= 1u << l;
            ok &= out[t * 4] == (int)ballot && out[t * 4 + 1] == lane + 1 &&
                  out[t * 4 + 2] == w * 32 && out[t * 4 + 3] == 256;
        }
        CHECK(ok);
    }

    // what CUDA leaves undefined: the launch fails, and so does every later call
    ps_emu_configure(2, 1, 1);
    PS_LAUNCH(divergent_barrier, 1, 64, 0, 0, );
    CHECK(cudaGetLastError() == cudaSuccess);         // not run yet
    CHECK(failed_with(cudaDeviceSynchronize(), "divergent barrier"));
    CHECK(failed_with(cudaGetLastError(), "divergent barrier"));
    CHECK(cudaStreamSynchronize(nullptr) == cudaErrorLaunchFailure);
    ps_emu_configure(2, 1, 1);
    PS_LAUNCH(deadlock, 1, 64, 0, 0, );
    CHECK(failed_with(cudaDeviceSynchronize(), "deadlock"));
    ps_emu_configure(2, 1, 1);
    PS_LAUNCH(mixed_intrinsics, 1, 32, 0, 0, );
    CHECK(failed_with(cudaDeviceSynchronize(), "different warp intrinsics"));
    ps_emu_configure(2, 1, 1);
    PS_LAUNCH(partial_warp, 1, 16, 0, 0, );
    CHECK(failed_with(cudaDeviceSynchronize(), "past the end of the block"));

    // bad configurations: an error for cudaGetLastError, nothing run, nothing sticky
    ps_emu_configure(2, 1, 1);
    static int out[512 * 4];
    PS_LAUNCH(warps, 1, 512, 0, 0, out, 1);
    CHECK(cudaGetLastError() == cudaErrorLaunchOutOfResources);
    PS_LAUNCH(add, 0, 32, 0, 0, out, 1);
    CHECK(cudaGetLastError() == cudaErrorInvalidConfiguration);
    PS_LAUNCH(add, 1, 2048, 0, 0, out, 1);
    CHECK(cudaGetLastError() == cudaErrorInvalidConfiguration);
    CHECK(cudaGetLastError() == cudaSuccess);
    int n = 4;
    CHECK(cudaMemcpyToSymbolAsync(symbol, &n, sizeof n, 3 * sizeof n) == cudaSuccess);
    n = 5;                                  // staged: the copy still writes 4
    CHECK(symbol[3] == 0 && cudaDeviceSynchronize() == cudaSuccess && symbol[3] == 4);
    CHECK(cudaMemcpyToSymbolAsync(symbol, &n, sizeof n, 4 * sizeof n) == cudaErrorInvalidValue);

    // a stream runs its work when the host waits for it
    cudaStream_t s;
    CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking) == cudaSuccess);
    int* counter = nullptr;
    CHECK(cudaMalloc((void**)&counter, sizeof(int)) == cudaSuccess);
    CHECK(cudaMemsetAsync(counter, 0, sizeof(int), s) == cudaSuccess);
    PS_LAUNCH(add, 1, 1, 0, s, counter, 5);
    CHECK(*counter != 5);                   // queued, not run
    int host = 0;
    CHECK(cudaMemcpyAsync(&host, counter, sizeof host, cudaMemcpyDeviceToHost, s) == cudaSuccess);
    CHECK(host == 5);                       // a copy to the host waits for the stream

    // a graph replays its launches with the arguments they had when captured
    CHECK(cudaMemsetAsync(counter, 0, sizeof(int), s) == cudaSuccess);
    CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal) == cudaSuccess);
    int v = 1;
    PS_LAUNCH(add, 2, 32, 0, s, counter, v);
    v = 100;
    cudaGraph_t graph;
    cudaGraphExec_t exec;
    CHECK(cudaStreamEndCapture(s, &graph) == cudaSuccess);
    CHECK(cudaGraphInstantiate(&exec, graph, 0) == cudaSuccess);
    CHECK(cudaStreamSynchronize(s) == cudaSuccess && *counter == 0);   // captured, not run
    CHECK(cudaGraphLaunch(exec, s) == cudaSuccess && cudaGraphLaunch(exec, s) == cudaSuccess);
    CHECK(cudaStreamSynchronize(s) == cudaSuccess);
    CHECK(*counter == 2 * 64);

    // what a capture forbids invalidates it
    cudaGraph_t none;
    CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal) == cudaSuccess);
    CHECK(cudaStreamSynchronize(s) == cudaErrorStreamCaptureUnsupported);
    CHECK(cudaStreamEndCapture(s, &none) == cudaErrorStreamCaptureInvalidated && !none);
    CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal) == cudaSuccess);
    int* more = nullptr;
    CHECK(cudaMalloc((void**)&more, 4) == cudaErrorStreamCaptureUnsupported);
    CHECK(cudaStreamEndCapture(s, &none) == cudaErrorStreamCaptureInvalidated);
    CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal) == cudaSuccess);
    PS_LAUNCH(add, 1, 2048, 0, s, counter, 1);
    CHECK(cudaStreamEndCapture(s, &none) == cudaErrorStreamCaptureInvalidated);
    CHECK(cudaGraphExecDestroy(exec) == cudaSuccess && cudaGraphDestroy(graph) == cudaSuccess);
    CHECK(cudaFree(counter) == cudaSuccess && cudaStreamDestroy(s) == cudaSuccess);

    printf("%d checks, %d failed\n", checks, failures);
    return failures != 0;
}
