// The threads of a CPU library's run: the team that runs a call of pyspike_run, the share
// of a loop each of its threads takes, and the wait between two kernels of a step.
//
// Results do not depend on the number of threads, bit for bit: each thread updates its own
// blocks of neurons with the serial loop's code (random numbers are keyed by neuron, step
// and stream, not by thread); a step's spikes are gathered per thread and joined in thread
// order, so that the list ascends as on one thread; a synaptic pathway is split by
// postsynaptic neuron, every thread walking all the events in order but running only those
// onto its targets, so that each target's additions come in the serial order; what cannot
// be split so runs on thread 0 (templates/cpp/group.j2, synapses_split.j2).
//
// The threads are POSIX threads started for each call of pyspike_run (tens of
// microseconds, against the ~0.1 s a call runs) and joined before it returns: nothing
// outlives a call, so a process forked between calls runs threads as well as its parent
// (an OpenMP runtime's pool does not survive a fork), and the serial code is compiled as
// without threads (-fopenmp changes how gcc vectorises calls of libmvec's functions, and
// with them the last bits of some results).
#pragma once
#include <stdint.h>
#include <stdlib.h>
#include <atomic>
#include <climits>
#include <pthread.h>
#include <sched.h>
#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
// the builtin, not _mm_pause: <immintrin.h> alone takes g++ 0.7 s to read, as long as the
// rest of a small network's build
#define PS_PAUSE() __builtin_ia32_pause()
#else
#define PS_PAUSE() ((void)0)
#endif

// The neurons of one instance from which a run uses its threads (fewer: one thread, the
// waits between kernels costing more than the threads gain); pyspike_set_parallel_neurons
// changes it.
#define PS_PARALLEL_NEURONS 20000
// A state monitor's threads share its neurons from this many neurons on.
#define PS_RECORD_SPLIT 4096

// Where the threads of a team wait for each other: they spin a little (the others usually
// arrive within microseconds), then sleep (more threads than cores, or a machine shared
// with other work: a thread that spins there takes the core from one that works).
#define PS_SPINS 2000
struct PsBarrier {
    std::atomic<int32_t> arrived{0};
    std::atomic<int32_t> generation{0};
    std::atomic<int32_t> sleepers{0};
    int32_t n = 1;
};

static inline void ps_futex_wait(std::atomic<int32_t>* word, int32_t value) {
#if defined(__linux__)
    syscall(SYS_futex, reinterpret_cast<int32_t*>(word), FUTEX_WAIT_PRIVATE, value, nullptr,
            nullptr, 0);
#else
    (void)word; (void)value;
    sched_yield();
#endif
}

static inline void ps_futex_wake(std::atomic<int32_t>* word) {
#if defined(__linux__)
    syscall(SYS_futex, reinterpret_cast<int32_t*>(word), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr,
            nullptr, 0);
#else
    (void)word;
#endif
}

static inline void ps_barrier_wait(PsBarrier* b) {
    const int32_t generation = b->generation.load(std::memory_order_acquire);
    if (b->arrived.fetch_add(1, std::memory_order_acq_rel) == b->n - 1) {
        b->arrived.store(0, std::memory_order_relaxed);
        b->generation.fetch_add(1, std::memory_order_acq_rel);
        if (b->sleepers.load(std::memory_order_acquire) > 0) ps_futex_wake(&b->generation);
        return;
    }
    for (int32_t spin = 0; spin < PS_SPINS; ++spin) {
        if (b->generation.load(std::memory_order_acquire) != generation) return;
        PS_PAUSE();
    }
    b->sleepers.fetch_add(1, std::memory_order_acq_rel);
    while (b->generation.load(std::memory_order_acquire) == generation)
        ps_futex_wait(&b->generation, generation);
    b->sleepers.fetch_sub(1, std::memory_order_acq_rel);
}

// One thread of a team: its number, the team's size, one slot per thread that a kernel
// uses to tell thread 0 what each thread found (the number of its spikes), and the team's
// barrier.
struct PsTeam {
    int32_t id, n;
    int64_t* slots;
    PsBarrier* barrier;
};

// The start of thread t's share of [0, n) among nth threads (t = nth gives n): shares
// differ by one at most, the earlier ones the larger.
static inline int64_t ps_share(int64_t n, int32_t t, int32_t nth) {
    return n / nth * t + (t < n % nth ? t : n % nth);
}

// Every thread of the team waits here until all have arrived (nothing on one thread).
static inline void ps_sync(const PsTeam& team) {
    if (team.n > 1) ps_barrier_wait(team.barrier);
}

// Runs body(team) on up to `threads` threads, the calling one as thread 0, and returns
// what thread 0's call returned; `*used` is the size of the team (smaller where the
// system would start no more threads).  `slots` holds one int64 per thread.
template <typename Body>
int64_t ps_run_team(int32_t threads, int64_t* slots, Body& body, int32_t* used) {
    struct Start {
        std::atomic<int32_t> go{0};
        int32_t n = 1;
        PsBarrier barrier;
        int64_t* slots;
        Body* body;
    } start;
    start.slots = slots;
    start.body = &body;
    struct Worker {
        Start* start;
        int32_t id;
        static void* main(void* arg) {
            Worker* w = static_cast<Worker*>(arg);
            Start* s = w->start;
            while (s->go.load(std::memory_order_acquire) == 0) sched_yield();
            (*s->body)(PsTeam{w->id, s->n, s->slots, &s->barrier});
            return nullptr;
        }
    };
    pthread_t* ids = (pthread_t*)malloc(sizeof(pthread_t) * (threads > 1 ? threads : 1));
    Worker* workers = (Worker*)malloc(sizeof(Worker) * (threads > 1 ? threads : 1));
    int32_t n = 1;
    while (ids && workers && n < threads) {
        workers[n] = Worker{&start, n};
        if (pthread_create(&ids[n], nullptr, &Worker::main, &workers[n]) != 0) break;
        ++n;
    }
    start.n = n;
    start.barrier.n = n;
    start.go.store(1, std::memory_order_release);
    const int64_t result = body(PsTeam{0, n, slots, &start.barrier});
    for (int32_t t = 1; t < n; ++t) pthread_join(ids[t], nullptr);
    free(ids);
    free(workers);
    *used = n;
    return result;
}
