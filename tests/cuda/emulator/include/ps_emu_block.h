// The threads of a CUDA block as fibers on the calling OS thread (test-only emulation).
//
// A block's threads start one after another on fibers (own stacks); a thread runs until it
// must wait for others (__syncthreads, a warp intrinsic), then another one runs, and so on
// until all have returned.  The blocks of a grid run one after another, so __shared__
// (a static) is one block's at a time.  One OS thread runs everything: atomics are plain
// read-modify-writes, and the order in which threads start and resume (forward, reverse,
// or shuffled by a seed) is the only source of nondeterminism, under test control.
//
// What the hardware leaves undefined fails the launch with a message, never a hang:
// a deadlock (no thread can go on), a __syncthreads that not every thread of the block
// reaches, a warp intrinsic whose mask names a lane that returned, does not exist or
// calls another intrinsic.
//
// What it cannot catch: races that need parallel hardware (a plain += where an atomicAdd
// belongs; blocks writing the same memory: a thread runs uninterrupted up to its next
// barrier or warp intrinsic, the blocks one after another); the GPU's weak memory model
// (everything here is sequentially consistent); the device's arithmetic (no __CUDA_ARCH__
// branch is compiled, device code calls libm); resource limits (registers, shared memory
// size, occupancy); the host reading a device pointer (all memory is host memory); timing.
// __shared__ variables start each block with what the last block left (the GPU gives
// undefined values), so code that forgets to initialise them usually fails here too.
#pragma once
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <numeric>
#include <string>
#include <type_traits>
#include <vector>

struct dim3 {
    unsigned x, y, z;
    constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};

// The built-in variables, those of the thread that runs now.
inline dim3 threadIdx, blockIdx, blockDim, gridDim;
constexpr int warpSize = 32;

namespace ps_emu {

enum Schedule { FORWARD = 0, REVERSE = 1, RANDOM = 2 };
inline int schedule = RANDOM;
inline uint64_t rng_state = 1;
inline int multiprocessors = 1;

// A fiber's saved context.  On x86-64 a switch saves the callee-saved registers and the
// floating-point control words on the fiber's own stack and swaps stack pointers, in user
// space: glibc's swapcontext also saves the signal mask, a system call at every switch,
// which made the emulator spend most of its time in the kernel.  Elsewhere, ucontext.
#if defined(__x86_64__)
struct Context {
    void* sp = nullptr;
};

extern "C" void ps_emu_switch(void** from, void* to);
__asm__(R"(
    .text
    .p2align 4
    .hidden ps_emu_switch
    .globl ps_emu_switch
    .type ps_emu_switch, @function
ps_emu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size ps_emu_switch, .-ps_emu_switch
)");

inline void switch_context(Context* from, Context* to) { ps_emu_switch(&from->sp, to->sp); }

// A context that starts entry() on the stack [base, base + size) at its first switch: the
// frame ps_emu_switch pops (control words, six registers) under entry's address.
inline void start_context(Context* c, char* base, size_t size, void (*entry)())
{
    uint64_t* top = (uint64_t*)(((uintptr_t)(base + size)) & ~uintptr_t(15)) - 2;
    top[0] = (uint64_t)(uintptr_t)entry;    // ret lands here with rsp % 16 == 8, as a call
    top[1] = 0;                             // entry never returns
    uint64_t* frame = top - 7;
    for (int k = 1; k < 7; ++k) frame[k] = 0;
    uint32_t words[2] = {0, 0};
    __asm__ volatile("stmxcsr %0" : "=m"(words[0]));
    __asm__ volatile("fnstcw %0" : "=m"(words[1]));
    memcpy(frame, words, 8);
    c->sp = frame;
}
#else
struct Context {
    ucontext_t uc;
};

inline void switch_context(Context* from, Context* to) { swapcontext(&from->uc, &to->uc); }

inline void start_context(Context* c, char* base, size_t size, void (*entry)())
{
    getcontext(&c->uc);
    c->uc.uc_stack.ss_sp = base;
    c->uc.uc_stack.ss_size = size;
    c->uc.uc_link = nullptr;
    makecontext(&c->uc, entry, 0);
}
#endif

// What the emulator did: launches, blocks, threads, __syncthreads and warp intrinsics.
inline int64_t stats[5];

enum WarpOp { NO_OP, BALLOT, SHFL, SHFL_UP, SHFL_DOWN, SHFL_XOR, SYNCWARP };
inline const char* op_name(int op)
{
    static const char* names[] = {"-", "__ballot_sync", "__shfl_sync", "__shfl_up_sync",
                                  "__shfl_down_sync", "__shfl_xor_sync", "__syncwarp"};
    return names[op];
}

struct Fiber {
    Context ctx;
    char* stack;
};
constexpr size_t STACK = 256 << 10, GUARD = 4096;

struct Warp {
    unsigned present = 0, exited = 0, arrived = 0, mask = 0;   // bits of lanes
    int op = NO_OP, width = 32;
    uint64_t value[32], result[32];
    int arg[32];
};

struct Thread {
    Fiber* fiber = nullptr;      // while it runs or waits
    const char* waits = nullptr;
    bool done = false;
};

struct Block {
    const std::function<void()>* body = nullptr;
    int n = 0, done = 0, exited_at = -1;
    std::vector<Thread> threads;
    std::vector<int> unstarted;             // started from the back
    std::deque<int> ready;                  // waited, may go on (each on its fiber)
    std::vector<Warp> warps;
    std::vector<int> at_barrier;
    std::string error;
};

inline Block block;                // the block being run
inline int current = -1;           // its thread that runs now
inline Fiber* running_fiber = nullptr;
inline Context launcher;           // the context of run_grid
inline std::vector<Fiber*> free_fibers;

inline uint64_t random_number()     // splitmix64
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// Threads in schedule order.
inline void arrange(std::vector<int>& ts)
{
    if (schedule == REVERSE) std::reverse(ts.begin(), ts.end());
    if (schedule != RANDOM) return;
    for (size_t k = ts.size(); k > 1; --k) std::swap(ts[k - 1], ts[random_number() % k]);
}

inline void fiber_main();

inline void reset_fiber(Fiber* f)
{
    start_context(&f->ctx, f->stack + GUARD, STACK, fiber_main);
}

inline Fiber* take_fiber()
{
    if (!free_fibers.empty()) {
        Fiber* f = free_fibers.back();
        free_fibers.pop_back();
        return f;
    }
    Fiber* f = new Fiber;
    void* mem = mmap(nullptr, STACK + GUARD, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED) {
        fprintf(stderr, "cuda emulator: no memory for a fiber stack\n");
        abort();
    }
    mprotect(mem, GUARD, PROT_NONE);    // a stack overflow faults instead of corrupting
    f->stack = (char*)mem;
    reset_fiber(f);
    return f;
}

inline void enter(int t)
{
    current = t;
    threadIdx = dim3(t % blockDim.x, (t / blockDim.x) % blockDim.y, t / (blockDim.x * blockDim.y));
}

inline void fail(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
inline void fail(const char* fmt, ...)
{
    if (!block.error.empty()) return;
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    block.error = text;
}

inline std::string deadlock_report()
{
    // where the threads wait: each place once, with its first thread and a count
    std::vector<std::pair<std::string, std::pair<int, int>>> places;
    for (int t = 0; t < block.n; ++t) {
        if (block.threads[t].done || !block.threads[t].waits) continue;
        const std::string what = block.threads[t].waits;
        auto it = std::find_if(places.begin(), places.end(),
                               [&](const auto& p) { return p.first == what; });
        if (it == places.end()) places.push_back({what, {t, 1}});
        else ++it->second.second;
    }
    std::string out = "deadlock: no thread can go on:";
    for (const auto& p : places)
        out += " " + std::to_string(p.second.second) + " threads wait at " + p.first +
               " (the first: thread " + std::to_string(p.second.first) + "),";
    return out + " " + std::to_string(block.done) + " of " + std::to_string(block.n) +
           " returned";
}

// Hands the OS thread on from fiber `self`: to a thread that may go on, else to an
// unstarted one, else back to the launcher (the block is done, failed or deadlocked).
// `idle`: self's thread has returned and self may start an unstarted one itself.
// Returns when self is to run again: its waiting thread may go on, or (idle) it is to
// start an unstarted thread.
inline void run_elsewhere(Fiber* self, bool idle)
{
    Fiber* next = nullptr;
    if (block.error.empty()) {
        if (!block.ready.empty()) {
            next = block.threads[block.ready.front()].fiber;
            block.ready.pop_front();
        } else if (!block.unstarted.empty()) {
            if (idle) return;
            next = take_fiber();
        } else if (block.done < block.n) {
            fail("%s", deadlock_report().c_str());
        }
    }
    if (idle) free_fibers.push_back(self);
    running_fiber = next;
    switch_context(&self->ctx, next ? &next->ctx : &launcher);
}

inline void fiber_main()
{
    Fiber* const self = running_fiber;
    for (;;) {
        const int t = block.unstarted.back();
        block.unstarted.pop_back();
        block.threads[t].fiber = self;
        enter(t);
        ++stats[2];
        (*block.body)();
        // returned: a barrier or warp intrinsic that waits for this thread never completes
        Thread& me = block.threads[t];
        me.done = true;
        me.fiber = nullptr;
        ++block.done;
        if (block.exited_at < 0) block.exited_at = t;
        if (!block.at_barrier.empty())
            fail("thread %d returned while %zu threads wait at __syncthreads (divergent "
                 "barrier)", t, block.at_barrier.size());
        Warp& w = block.warps[t >> 5];
        const unsigned bit = 1u << (t & 31);
        w.exited |= bit;
        if (w.arrived && (w.mask & bit))
            fail("thread %d returned while its warp waits for it at %s", t, op_name(w.op));
        run_elsewhere(self, true);
    }
}

// The running thread waits until another one lets it go on.
inline void wait_here(const char* what)
{
    const int me = current;
    Thread& th = block.threads[me];
    th.waits = what;
    run_elsewhere(th.fiber, false);
    th.waits = nullptr;
    enter(me);
}

// A failure in the running thread: the block stops here.
[[noreturn]] inline void stop()
{
    run_elsewhere(block.threads[current].fiber, false);
    abort();    // never resumed
}

inline void wake(std::vector<int> ts)
{
    arrange(ts);
    for (int t : ts) block.ready.push_back(t);
}

inline void syncthreads()
{
    ++stats[3];
    if (block.exited_at >= 0) {
        fail("thread %d reaches __syncthreads after thread %d returned (divergent barrier)",
             current, block.exited_at);
        stop();
    }
    if ((int)block.at_barrier.size() + 1 == block.n) {
        std::vector<int> others;
        others.swap(block.at_barrier);
        wake(others);
        return;
    }
    block.at_barrier.push_back(current);
    wait_here("__syncthreads");
}

// A warp intrinsic: the lanes of `mask` meet, the last one to arrive computes every
// lane's result.  value: this lane's operand (bits); arg: source lane, delta or lane mask.
inline uint64_t warp_op(int op, unsigned mask, uint64_t value, int arg, int width)
{
    ++stats[4];
    const int t = current, lane = t & 31;
    Warp& w = block.warps[t >> 5];
    const unsigned bit = 1u << lane;
    if (!(mask & bit))
        fail("thread %d calls %s with a mask that leaves it out", t, op_name(op));
    else if (mask & ~w.present)
        fail("thread %d calls %s with mask %08x, naming lanes past the end of the block",
             t, op_name(op), mask);
    else if (mask & w.exited)
        fail("thread %d calls %s with mask %08x, naming lanes that returned", t, op_name(op),
             mask);
    else if (w.arrived && (w.op != op || w.mask != mask || w.width != width))
        fail("the lanes of warp %d meet at different warp intrinsics (%s mask %08x, and %s "
             "mask %08x in thread %d)", t >> 5, op_name(w.op), w.mask, op_name(op), mask, t);
    else if (width < 1 || width > 32 || (width & (width - 1)))
        fail("thread %d calls %s with width %d", t, op_name(op), width);
    if (!block.error.empty()) stop();
    if (!w.arrived) {
        w.op = op;
        w.mask = mask;
        w.width = width;
    }
    w.value[lane] = value;
    w.arg[lane] = arg;
    w.arrived |= bit;
    if (w.arrived != mask) {
        wait_here(op_name(op));
        return w.result[lane];
    }
    uint64_t ballot = 0;
    for (int l = 0; l < 32; ++l)
        if ((mask >> l & 1u) && w.value[l]) ballot |= 1u << l;
    std::vector<int> others;
    for (int l = 0; l < 32; ++l) {
        if (!(mask >> l & 1u)) continue;
        const int base = l & ~(width - 1), rel = l - base, a = w.arg[l];
        int src = l;
        if (op == SHFL) src = base + (a & (width - 1));
        else if (op == SHFL_UP) src = rel >= a ? l - a : l;
        else if (op == SHFL_DOWN) src = rel + a < width ? l + a : l;
        else if (op == SHFL_XOR) src = (l ^ a) < base + width ? l ^ a : l;
        if (!(mask >> src & 1u)) {
            fail("lane %d of warp %d reads lane %d, outside the mask %08x of %s", l, t >> 5,
                 src, mask, op_name(op));
            stop();
        }
        w.result[l] = op == BALLOT ? ballot : w.value[src];
        if (l != lane) others.push_back((t & ~31) + l);
    }
    w.arrived = 0;
    w.op = NO_OP;
    wake(others);
    return w.result[lane];
}

// Runs body for every thread of every block; "" or what went wrong.
inline std::string run_grid(const char* kernel, dim3 grid, dim3 threads,
                            const std::function<void()>& body)
{
    ++stats[0];
    const int n = (int)(threads.x * threads.y * threads.z);
    std::vector<int> order((size_t)grid.x * grid.y * grid.z);
    std::iota(order.begin(), order.end(), 0);
    arrange(order);
    gridDim = grid;
    blockDim = threads;
    for (int k : order) {
        ++stats[1];
        blockIdx = dim3(k % grid.x, (k / grid.x) % grid.y, k / (grid.x * grid.y));
        Block& b = block;
        b.body = &body;
        b.n = n;
        b.done = 0;
        b.exited_at = -1;
        b.threads.assign(n, Thread());
        b.unstarted.resize(n);
        std::iota(b.unstarted.begin(), b.unstarted.end(), 0);
        arrange(b.unstarted);
        std::reverse(b.unstarted.begin(), b.unstarted.end());
        b.ready.clear();
        b.at_barrier.clear();
        b.warps.assign((n + 31) / 32, Warp());
        for (int t = 0; t < n; ++t) b.warps[t >> 5].present |= 1u << (t & 31);
        b.error.clear();
        running_fiber = take_fiber();
        switch_context(&launcher, &running_fiber->ctx);
        if (!b.error.empty()) {
            // the fibers of the threads left waiting start afresh for the next launch
            for (Thread& th : b.threads)
                if (th.fiber) {
                    reset_fiber(th.fiber);
                    free_fibers.push_back(th.fiber);
                }
            char where[160];
            snprintf(where, sizeof where, "kernel %s, block (%u, %u, %u) of (%u, %u, %u), "
                     "%d threads: ", kernel, blockIdx.x, blockIdx.y, blockIdx.z, grid.x,
                     grid.y, grid.z, n);
            return where + b.error;
        }
    }
    return "";
}

template <typename T>
struct same {       // T where an argument is not to deduce it (CUDA converts the value)
    using type = T;
};

template <typename T>
inline uint64_t to_bits(T v)
{
    static_assert(sizeof(T) <= 8 && std::is_trivially_copyable<T>::value, "");
    uint64_t u = 0;
    memcpy(&u, &v, sizeof v);
    return u;
}

template <typename T>
inline T from_bits(uint64_t u)
{
    T v;
    memcpy(&v, &u, sizeof v);
    return v;
}

}  // namespace ps_emu

// ---- device functions -----------------------------------------------------------------

inline void __syncthreads() { ps_emu::syncthreads(); }
inline void __syncwarp(unsigned mask = 0xffffffffu)
{
    ps_emu::warp_op(ps_emu::SYNCWARP, mask, 0, 0, 32);
}
inline unsigned __ballot_sync(unsigned mask, int pred)
{
    return (unsigned)ps_emu::warp_op(ps_emu::BALLOT, mask, pred != 0, 0, 32);
}
inline int __any_sync(unsigned mask, int pred) { return __ballot_sync(mask, pred) != 0; }
inline int __all_sync(unsigned mask, int pred) { return __ballot_sync(mask, pred) == mask; }

namespace ps_emu {
template <typename T>
inline T shuffle(int op, unsigned mask, T var, int arg, int width)
{
    return from_bits<T>(warp_op(op, mask, to_bits(var), arg, width));
}
}  // namespace ps_emu

template <typename T>
inline T __shfl_sync(unsigned mask, T var, int src, int width = warpSize)
{
    return ps_emu::shuffle(ps_emu::SHFL, mask, var, src, width);
}
template <typename T>
inline T __shfl_up_sync(unsigned mask, T var, unsigned delta, int width = warpSize)
{
    return ps_emu::shuffle(ps_emu::SHFL_UP, mask, var, (int)delta, width);
}
template <typename T>
inline T __shfl_down_sync(unsigned mask, T var, unsigned delta, int width = warpSize)
{
    return ps_emu::shuffle(ps_emu::SHFL_DOWN, mask, var, (int)delta, width);
}
template <typename T>
inline T __shfl_xor_sync(unsigned mask, T var, int lane_mask, int width = warpSize)
{
    return ps_emu::shuffle(ps_emu::SHFL_XOR, mask, var, lane_mask, width);
}

inline int __popc(unsigned x) { return __builtin_popcount(x); }
inline int __popcll(unsigned long long x) { return __builtin_popcountll(x); }
inline int __ffs(int x) { return __builtin_ffs(x); }
inline int __ffsll(long long x) { return __builtin_ffsll(x); }
inline int __clz(int x) { return x ? __builtin_clz((unsigned)x) : 32; }

// Atomics: one OS thread runs every thread, and none is interrupted between the read and
// the write, so plain operations are atomic here.
#define PS_EMU_ATOMIC(NAME, EXPR)                                                    \
    template <typename T>                                                            \
    inline T NAME(T* p, typename ps_emu::same<T>::type v)                            \
    {                                                                                \
        static_assert(std::is_same<T, int>::value || std::is_same<T, unsigned>::value || \
                      std::is_same<T, unsigned long long>::value ||                  \
                      std::is_same<T, float>::value || std::is_same<T, double>::value, \
                      #NAME ": a type CUDA has no such atomic for");                 \
        const T old = *p;                                                            \
        *p = (EXPR);                                                                 \
        return old;                                                                  \
    }
PS_EMU_ATOMIC(atomicAdd, old + v)
PS_EMU_ATOMIC(atomicSub, old - v)
PS_EMU_ATOMIC(atomicExch, v)
PS_EMU_ATOMIC(atomicMin, v < old ? v : old)
PS_EMU_ATOMIC(atomicMax, v > old ? v : old)
PS_EMU_ATOMIC(atomicOr, old | v)
PS_EMU_ATOMIC(atomicAnd, old & v)
PS_EMU_ATOMIC(atomicXor, old ^ v)
#undef PS_EMU_ATOMIC
template <typename T>
inline T atomicCAS(T* p, typename ps_emu::same<T>::type compare,
                   typename ps_emu::same<T>::type v)
{
    const T old = *p;
    if (old == compare) *p = v;
    return old;
}
