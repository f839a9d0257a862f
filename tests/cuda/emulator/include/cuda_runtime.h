// A test-only stand-in for the CUDA runtime, with which g++ compiles pyspike's generated
// CUDA source as it is and runs it on the CPU.  The source launches its kernels with
// PS_LAUNCH and gives kernels their launch bounds with PS_BOUNDED_KERNEL, macros of
// pyspike/cuda_support.cuh that this header, included before it, defines its own way: a
// launch queues the kernel's grid on its stream and checks the block against the kernel's
// bound.  g++ refuses a `<<<` or __launch_bounds__ written out: no launch escapes them.
//
// "Device" memory is host memory.  A stream queues what it is given (a launch with its
// arguments converted and copied, as CUDA copies them, at the launch) and runs it only
// when the host waits for it: cudaStreamSynchronize, cudaDeviceSynchronize, a copy to
// the host (synchronous for pageable memory, as in CUDA), a synchronous call.  So a
// missing synchronization leaves the results unwritten, as it would leave them unfinished
// on a GPU.  A copy from the host reads its source at once (CUDA stages pageable memory).
// A capturing stream records its operations into a graph instead, which cudaGraphLaunch
// queues.  Kernels run in ps_emu_block.h.  Errors follow CUDA: a bad launch configuration
// is returned by cudaGetLastError and invalidates a capture; a kernel that fails
// (deadlock, divergent barrier...) is reported by the next synchronization, and makes
// every later call fail.
//
// __CUDACC__ is defined at the end (the pyspike headers take their CUDA branches),
// __CUDA_ARCH__ is not: device code calls the host's libm, as the C++ backend does.
#pragma once
#include <stddef.h>

#include <deque>
#include <map>
#include <memory>
#include <tuple>
#include <utility>

#include "ps_emu_block.h"

#define __global__
#define __device__
#define __host__
#define __constant__
#define __forceinline__ inline
#define __noinline__ __attribute__((noinline))
#define __restrict__ __restrict
#define __shared__ static

enum cudaError_t {
    cudaSuccess = 0,
    cudaErrorInvalidValue = 1,
    cudaErrorMemoryAllocation = 2,
    cudaErrorInvalidConfiguration = 9,
    cudaErrorInvalidMemcpyDirection = 21,
    cudaErrorInvalidResourceHandle = 400,
    cudaErrorIllegalState = 401,
    cudaErrorLaunchOutOfResources = 701,
    cudaErrorLaunchFailure = 719,
    cudaErrorStreamCaptureUnsupported = 900,
    cudaErrorStreamCaptureInvalidated = 901,
};
enum cudaMemcpyKind {
    cudaMemcpyHostToHost = 0,
    cudaMemcpyHostToDevice = 1,
    cudaMemcpyDeviceToHost = 2,
    cudaMemcpyDeviceToDevice = 3,
    cudaMemcpyDefault = 4,
};
enum cudaStreamCaptureMode {
    cudaStreamCaptureModeGlobal = 0,
    cudaStreamCaptureModeThreadLocal = 1,
    cudaStreamCaptureModeRelaxed = 2,
};
enum cudaStreamCaptureStatus {
    cudaStreamCaptureStatusNone = 0,
    cudaStreamCaptureStatusActive = 1,
    cudaStreamCaptureStatusInvalidated = 2,
};
enum cudaDeviceAttr {
    cudaDevAttrMaxThreadsPerBlock = 1,
    cudaDevAttrWarpSize = 10,
    cudaDevAttrMultiProcessorCount = 16,
};
#define cudaStreamDefault 0x00
#define cudaStreamNonBlocking 0x01

namespace ps_emu {
using Op = std::function<cudaError_t()>;
}
struct CUstream_st {
    std::deque<ps_emu::Op> queued;              // not run yet
    bool capturing = false;
    cudaError_t capture_error = cudaSuccess;    // the capture was invalidated
    std::vector<ps_emu::Op> captured;
};
struct CUgraph_st {
    std::vector<ps_emu::Op> ops;
};
struct CUgraphExec_st {
    std::vector<ps_emu::Op> ops;
};
typedef CUstream_st* cudaStream_t;
typedef CUgraph_st* cudaGraph_t;
typedef CUgraphExec_st* cudaGraphExec_t;

namespace ps_emu {

inline cudaError_t last_error = cudaSuccess;   // for cudaGetLastError
inline cudaError_t sticky = cudaSuccess;       // a kernel failed: the context is unusable
inline std::map<int, std::string> detail;      // the last message of each error code
inline std::vector<cudaStream_t> capturing;
inline CUstream_st legacy_stream;              // stream 0
inline std::vector<cudaStream_t> streams = {&legacy_stream};

inline cudaError_t error(cudaError_t e, const std::string& what)
{
    last_error = e;
    detail[e] = what;
    return e;
}

// Calls that CUDA refuses while a stream captures (cudaStreamCaptureModeGlobal and
// ThreadLocal, one host thread): the captures are invalidated.
inline cudaError_t unsafe_call(const char* call)
{
    if (sticky) return sticky;
    if (capturing.empty()) return cudaSuccess;
    for (cudaStream_t s : capturing) s->capture_error = cudaErrorStreamCaptureInvalidated;
    return error(cudaErrorStreamCaptureUnsupported, std::string(call) + " while a stream captures");
}

// An operation on a stream: recorded while it captures, else queued.
inline cudaError_t enqueue(cudaStream_t s, Op op)
{
    if (sticky) return sticky;
    if (!s) s = &legacy_stream;
    if (s->capturing) s->captured.push_back(std::move(op));
    else s->queued.push_back(std::move(op));
    return cudaSuccess;
}

// The host waits for stream s: its queue runs (after a failure, is dropped).
inline cudaError_t run_queued(cudaStream_t s)
{
    if (!s) s = &legacy_stream;
    while (!s->queued.empty() && !sticky) {
        const Op op = std::move(s->queued.front());
        s->queued.pop_front();
        op();
    }
    s->queued.clear();
    return sticky;
}

inline cudaError_t run_all_queued()
{
    for (cudaStream_t s : streams) run_queued(s);
    return sticky;
}

inline cudaError_t copy(void* dst, const void* src, size_t n, cudaMemcpyKind kind,
                        cudaStream_t s)
{
    if (n && (!dst || !src)) return error(cudaErrorInvalidValue, "a copy with a null pointer");
    const bool capture = (s ? s : &legacy_stream)->capturing;
    if (kind == cudaMemcpyHostToDevice && !capture) {
        // staged: the source may change as soon as the call returns
        auto staged = std::make_shared<std::vector<char>>((const char*)src, (const char*)src + n);
        return enqueue(s, [=] {
            memcpy(dst, staged->data(), n);
            return cudaSuccess;
        });
    }
    if (kind == cudaMemcpyDeviceToHost && !capture) {
        // to pageable memory: returns when the stream's work and the copy are done
        if (const cudaError_t e = run_queued(s)) return e;
        memmove(dst, src, n);
        return cudaSuccess;
    }
    return enqueue(s, [=] {
        memmove(dst, src, n);
        return cudaSuccess;
    });
}

}  // namespace ps_emu

inline const char* cudaGetErrorName(cudaError_t e)
{
    switch (e) {
    case cudaSuccess: return "cudaSuccess";
    case cudaErrorInvalidValue: return "cudaErrorInvalidValue";
    case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
    case cudaErrorInvalidConfiguration: return "cudaErrorInvalidConfiguration";
    case cudaErrorInvalidMemcpyDirection: return "cudaErrorInvalidMemcpyDirection";
    case cudaErrorInvalidResourceHandle: return "cudaErrorInvalidResourceHandle";
    case cudaErrorIllegalState: return "cudaErrorIllegalState";
    case cudaErrorLaunchOutOfResources: return "cudaErrorLaunchOutOfResources";
    case cudaErrorLaunchFailure: return "cudaErrorLaunchFailure";
    case cudaErrorStreamCaptureUnsupported: return "cudaErrorStreamCaptureUnsupported";
    case cudaErrorStreamCaptureInvalidated: return "cudaErrorStreamCaptureInvalidated";
    }
    return "cudaErrorUnknown";
}

// The error's name and the emulator's last message for it.
inline const char* cudaGetErrorString(cudaError_t e)
{
    static std::string text;
    text = std::string(cudaGetErrorName(e)) + " (emulated";
    if (ps_emu::detail.count(e)) text += ": " + ps_emu::detail[e];
    text += ")";
    return text.c_str();
}

inline cudaError_t cudaGetLastError()
{
    const cudaError_t e = ps_emu::sticky ? ps_emu::sticky : ps_emu::last_error;
    ps_emu::last_error = cudaSuccess;
    return e;
}

inline cudaError_t cudaPeekAtLastError()
{
    return ps_emu::sticky ? ps_emu::sticky : ps_emu::last_error;
}

// ---- device and memory -----------------------------------------------------------------

inline cudaError_t cudaGetDeviceCount(int* n) { *n = 1; return cudaSuccess; }
inline cudaError_t cudaGetDevice(int* d) { *d = 0; return ps_emu::sticky; }
inline cudaError_t cudaSetDevice(int d) { return d == 0 ? ps_emu::sticky : cudaErrorInvalidValue; }

inline cudaError_t cudaDeviceGetAttribute(int* value, cudaDeviceAttr attr, int device)
{
    if (device != 0) return ps_emu::error(cudaErrorInvalidValue, "no such device");
    switch (attr) {
    case cudaDevAttrMaxThreadsPerBlock: *value = 1024; break;
    case cudaDevAttrWarpSize: *value = 32; break;
    case cudaDevAttrMultiProcessorCount: *value = ps_emu::multiprocessors; break;
    default: return ps_emu::error(cudaErrorInvalidValue, "attribute not emulated");
    }
    return ps_emu::sticky;
}

inline cudaError_t cudaDeviceSynchronize()
{
    if (const cudaError_t e = ps_emu::unsafe_call("cudaDeviceSynchronize")) return e;
    return ps_emu::run_all_queued();
}

template <typename T>
inline cudaError_t cudaMalloc(T** p, size_t n)
{
    if (const cudaError_t e = ps_emu::unsafe_call("cudaMalloc")) return e;
    const size_t size = (n + 255) / 256 * 256;
    void* mem = aligned_alloc(256, size ? size : 256);
    if (!mem) return ps_emu::error(cudaErrorMemoryAllocation, "out of memory");
    memset(mem, 0xA5, size);        // not zero, as on the device
    *p = (T*)mem;
    return cudaSuccess;
}

inline cudaError_t cudaFree(void* p)
{
    if (const cudaError_t e = ps_emu::unsafe_call("cudaFree")) return e;
    if (const cudaError_t e = ps_emu::run_all_queued()) return e;    // it synchronizes
    free(p);
    return cudaSuccess;
}

inline cudaError_t cudaMemsetAsync(void* p, int value, size_t n, cudaStream_t s = nullptr)
{
    return ps_emu::enqueue(s, [=] {
        memset(p, value, n);
        return cudaSuccess;
    });
}

inline cudaError_t cudaMemset(void* p, int value, size_t n)
{
    if (const cudaError_t e = ps_emu::unsafe_call("cudaMemset")) return e;
    cudaMemsetAsync(p, value, n, nullptr);
    return ps_emu::run_all_queued();
}

inline cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t n, cudaMemcpyKind kind,
                                   cudaStream_t s = nullptr)
{
    return ps_emu::copy(dst, src, n, kind, s);
}

inline cudaError_t cudaMemcpy(void* dst, const void* src, size_t n, cudaMemcpyKind kind)
{
    if (const cudaError_t e = ps_emu::unsafe_call("cudaMemcpy")) return e;
    cudaMemcpyAsync(dst, src, n, kind, nullptr);
    return ps_emu::run_all_queued();
}

// symbol: a __device__ variable (here an ordinary one); the copy must fit in it.
template <typename T>
inline cudaError_t cudaMemcpyToSymbolAsync(T& symbol, const void* src, size_t count,
                                           size_t offset = 0,
                                           cudaMemcpyKind kind = cudaMemcpyHostToDevice,
                                           cudaStream_t s = nullptr)
{
    if (offset + count > sizeof(T))
        return ps_emu::error(cudaErrorInvalidValue, "cudaMemcpyToSymbol past the symbol's end");
    if (kind == cudaMemcpyDeviceToHost || kind == cudaMemcpyHostToHost)
        return ps_emu::error(cudaErrorInvalidMemcpyDirection, "cudaMemcpyToSymbol");
    return ps_emu::copy((char*)&symbol + offset, src, count,
                        kind == cudaMemcpyDefault ? cudaMemcpyHostToDevice : kind, s);
}

template <typename T>
inline cudaError_t cudaMemcpyToSymbol(T& symbol, const void* src, size_t count,
                                      size_t offset = 0,
                                      cudaMemcpyKind kind = cudaMemcpyHostToDevice)
{
    if (const cudaError_t e = ps_emu::unsafe_call("cudaMemcpyToSymbol")) return e;
    cudaMemcpyToSymbolAsync(symbol, src, count, offset, kind, nullptr);
    return ps_emu::run_all_queued();
}

template <typename T>
inline cudaError_t cudaMemcpyFromSymbolAsync(void* dst, const T& symbol, size_t count,
                                             size_t offset = 0,
                                             cudaMemcpyKind kind = cudaMemcpyDeviceToHost,
                                             cudaStream_t s = nullptr)
{
    if (offset + count > sizeof(T))
        return ps_emu::error(cudaErrorInvalidValue, "cudaMemcpyFromSymbol past the symbol's end");
    if (kind == cudaMemcpyHostToDevice || kind == cudaMemcpyHostToHost)
        return ps_emu::error(cudaErrorInvalidMemcpyDirection, "cudaMemcpyFromSymbol");
    return ps_emu::copy(dst, (const char*)&symbol + offset, count,
                        kind == cudaMemcpyDefault ? cudaMemcpyDeviceToHost : kind, s);
}

// ---- streams and graphs ----------------------------------------------------------------

inline cudaError_t cudaStreamCreateWithFlags(cudaStream_t* s, unsigned)
{
    *s = new CUstream_st;
    ps_emu::streams.push_back(*s);
    return ps_emu::sticky;
}
inline cudaError_t cudaStreamCreate(cudaStream_t* s) { return cudaStreamCreateWithFlags(s, 0); }

inline cudaError_t cudaStreamDestroy(cudaStream_t s)
{
    if (!s) return ps_emu::error(cudaErrorInvalidResourceHandle, "destroying stream 0");
    if (s->capturing) return ps_emu::error(cudaErrorIllegalState, "destroying a capturing stream");
    ps_emu::run_queued(s);      // its work completes first
    auto& list = ps_emu::streams;
    list.erase(std::find(list.begin(), list.end(), s));
    delete s;
    return cudaSuccess;
}

inline cudaError_t cudaStreamSynchronize(cudaStream_t s)
{
    if (s && s->capturing) {
        s->capture_error = cudaErrorStreamCaptureInvalidated;
        return ps_emu::error(cudaErrorStreamCaptureUnsupported,
                             "cudaStreamSynchronize on a capturing stream");
    }
    return ps_emu::run_queued(s);
}

inline cudaError_t cudaStreamBeginCapture(cudaStream_t s, cudaStreamCaptureMode mode)
{
    if (!s) return ps_emu::error(cudaErrorStreamCaptureUnsupported, "capturing stream 0");
    if (s->capturing) return ps_emu::error(cudaErrorIllegalState, "capturing twice");
    if (mode == cudaStreamCaptureModeRelaxed)
        return ps_emu::error(cudaErrorInvalidValue, "relaxed capture not emulated");
    s->capturing = true;
    s->capture_error = cudaSuccess;
    s->captured.clear();
    ps_emu::capturing.push_back(s);
    return ps_emu::sticky;
}

inline cudaError_t cudaStreamIsCapturing(cudaStream_t s, cudaStreamCaptureStatus* status)
{
    *status = !s || !s->capturing ? cudaStreamCaptureStatusNone
              : s->capture_error  ? cudaStreamCaptureStatusInvalidated
                                  : cudaStreamCaptureStatusActive;
    return ps_emu::sticky;
}

inline cudaError_t cudaStreamEndCapture(cudaStream_t s, cudaGraph_t* graph)
{
    if (!s || !s->capturing) return ps_emu::error(cudaErrorIllegalState, "no capture to end");
    s->capturing = false;
    auto& list = ps_emu::capturing;
    list.erase(std::find(list.begin(), list.end(), s));
    *graph = nullptr;
    if (s->capture_error)
        return ps_emu::error(s->capture_error, "the capture was invalidated");
    *graph = new CUgraph_st{std::move(s->captured)};
    s->captured.clear();
    return ps_emu::sticky;
}

inline cudaError_t cudaGraphInstantiate(cudaGraphExec_t* exec, cudaGraph_t graph,
                                        unsigned long long flags = 0)
{
    if (!graph || flags) return ps_emu::error(cudaErrorInvalidValue, "cudaGraphInstantiate");
    *exec = new CUgraphExec_st{graph->ops};
    return ps_emu::sticky;
}

inline cudaError_t cudaGraphLaunch(cudaGraphExec_t exec, cudaStream_t s)
{
    if (!exec) return ps_emu::error(cudaErrorInvalidValue, "launching no graph");
    return ps_emu::enqueue(s, [exec] {
        for (const ps_emu::Op& op : exec->ops)
            if (const cudaError_t e = op()) return e;
        return cudaSuccess;
    });
}

inline cudaError_t cudaGraphExecDestroy(cudaGraphExec_t exec) { delete exec; return cudaSuccess; }
inline cudaError_t cudaGraphDestroy(cudaGraph_t graph) { delete graph; return cudaSuccess; }

// ---- kernel launches --------------------------------------------------------------------

struct ps_emu_config_t {
    dim3 grid, block;
    size_t smem;
    cudaStream_t stream;
};

inline ps_emu_config_t ps_emu_config(dim3 grid, dim3 block, size_t smem = 0,
                                     cudaStream_t stream = nullptr)
{
    return {grid, block, smem, stream};
}

// kernel<<<c.grid, c.block, c.smem, c.stream>>>(args...); bound: the kernel's launch
// bound (0 if none).
template <typename... P, typename... A>
inline void ps_emu_launch(void (*kernel)(P...), const char* name, unsigned bound,
                          const ps_emu_config_t& c, A&&... args)
{
    const dim3 g = c.grid, b = c.block;
    const uint64_t threads = (uint64_t)b.x * b.y * b.z;
    std::string bad;
    cudaError_t e = cudaErrorInvalidConfiguration;
    if (!g.x || !g.y || !g.z || g.x > 2147483647u || g.y > 65535 || g.z > 65535)
        bad = "grid";
    else if (!threads || threads > 1024 || b.x > 1024 || b.y > 1024 || b.z > 64)
        bad = "block";
    else if (bound && threads > bound) {
        bad = "block beyond __launch_bounds__(" + std::to_string(bound) + ")";
        e = cudaErrorLaunchOutOfResources;
    } else if (c.smem > 48 * 1024)
        bad = "dynamic shared memory";
    if (!bad.empty()) {
        char text[200];
        snprintf(text, sizeof text, "%s<<<(%u, %u, %u), (%u, %u, %u)>>>: bad %s", name, g.x,
                 g.y, g.z, b.x, b.y, b.z, bad.c_str());
        if (c.stream && c.stream->capturing)
            c.stream->capture_error = cudaErrorStreamCaptureInvalidated;
        ps_emu::error(e, text);
        return;
    }
    // The arguments, converted to the parameters' types and copied now, as CUDA does.
    std::tuple<std::decay_t<P>...> params(std::forward<A>(args)...);
    ps_emu::enqueue(c.stream, [=]() {
        const std::function<void()> body = [&] { std::apply(kernel, params); };
        const std::string failure = ps_emu::run_grid(name, g, b, body);
        if (failure.empty()) return cudaSuccess;
        fprintf(stderr, "cuda emulator: %s\n", failure.c_str());
        ps_emu::sticky = cudaErrorLaunchFailure;
        ps_emu::detail[cudaErrorLaunchFailure] = failure;
        return cudaErrorLaunchFailure;
    });
}

namespace ps_emu {

// The launch bound of every kernel that PS_BOUNDED_KERNEL defines, by the kernel's name;
// filled in as the library loads (static initialisation), before anything is launched.
inline std::map<std::string, unsigned>& bounds()
{
    static std::map<std::string, unsigned> by_name;
    return by_name;
}

inline bool set_bound(const char* kernel, unsigned max_threads)
{
    bounds()[kernel] = max_threads;
    return true;
}

inline unsigned bound_of(const char* kernel)
{
    const auto it = bounds().find(kernel);
    return it == bounds().end() ? 0 : it->second;
}

// What PS_LAUNCH calls with the kernel's arguments (none, or some: the launch's own
// parentheses, as after `>>>`).
template <typename... P>
inline auto launch(void (*kernel)(P...), const char* name, const ps_emu_config_t& c)
{
    return [=](auto&&... args) {
        ps_emu_launch(kernel, name, bound_of(name), c, std::forward<decltype(args)>(args)...);
    };
}

}  // namespace ps_emu

// pyspike/cuda_support.cuh's macros, defined here first.  PS_BOUNDED_KERNEL(k, n)(params)
// records n for k, then begins the definition of k as an ordinary function.
#define PS_LAUNCH(kernel, grid, block, smem, stream, ...) \
    ps_emu::launch(kernel, #kernel, ps_emu_config(grid, block, smem, stream))(__VA_ARGS__)
#define PS_BOUNDED_KERNEL(kernel, max_threads)                                        \
    [[maybe_unused]] const bool ps_emu_bound_##kernel =                               \
        ps_emu::set_bound(#kernel, max_threads);                                      \
    void kernel

// For the test harness: the schedule (0 forward, 1 reverse, 2 shuffled by seed), the
// number of multiprocessors reported; clears a failure of an earlier test.
extern "C" __attribute__((visibility("default"))) void ps_emu_configure(int schedule,
                                                                         uint64_t seed,
                                                                         int multiprocessors)
{
    ps_emu::schedule = schedule;
    ps_emu::rng_state = seed;
    ps_emu::multiprocessors = multiprocessors;
    ps_emu::sticky = ps_emu::last_error = cudaSuccess;
    for (cudaStream_t s : ps_emu::streams) s->queued.clear();
}

// launches, blocks, threads, __syncthreads, warp intrinsics run so far
extern "C" __attribute__((visibility("default"))) void ps_emu_stats(int64_t* out)
{
    memcpy(out, ps_emu::stats, sizeof ps_emu::stats);
}

#ifndef __CUDACC__
#define __CUDACC__ 1
#endif
