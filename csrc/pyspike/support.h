// Small math helpers the generated kernels call; usable from C++ and CUDA.
#pragma once
#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__CUDACC__)
#define PS_FN __host__ __device__ __forceinline__
// Member functions of the generated structs that the CUDA backend also runs on the device.
#define PS_DEVICE __host__ __device__
#else
#define PS_FN static inline
#define PS_DEVICE
#endif


// c ? a : b, exact and branch-free.  Without AVX-512 as a bitwise blend of both (already
// computed) values: it keeps compilers from turning "v = c ? v_new : v; store v" into a
// masked store, which AVX2 machines do slowly (microcoded on AMD).  AVX-512 masks are cheap,
// and there the plain conditional lets gcc fold the choice into the last operation (a
// merge-masked add) instead of widening the condition into a 64-bit blend mask: the
// 4000-neuron LIF step costs 0.48 instead of 0.53 ns per neuron (bench/bench_lif.py).  On
// the GPU it is one select instruction.
#if defined(__CUDA_ARCH__) || defined(__AVX512F__)
PS_FN double ps_select(bool c, double a, double b) { return c ? a : b; }
#else
PS_FN double ps_select(bool c, double a, double b)
{
    uint64_t ua, ub;
    memcpy(&ua, &a, sizeof ua);
    memcpy(&ub, &b, sizeof ub);
    const uint64_t m = (uint64_t)0 - (uint64_t)c;
    const uint64_t r = (ua & m) | (ub & ~m);
    double out;
    memcpy(&out, &r, sizeof out);
    return out;
}
#endif

// (exp(z) - 1) / z, continuous at z = 0: the stable form of exponential Euler, as
// expm1(z) / z (accurate to about an ulp; one vectorised call where libmvec has expm1,
// glibc >= 2.35), 1 at z = 0.
PS_FN double ps_exprel(double z)
{
    return ps_select(z == 0.0, 1.0, expm1(z) / z);
}

#if defined(__CUDA_ARCH__) || defined(__AVX512F__)
PS_FN float ps_selectf(bool c, float a, float b) { return c ? a : b; }
#else
PS_FN float ps_selectf(bool c, float a, float b)
{
    uint32_t ua, ub;
    memcpy(&ua, &a, sizeof ua);
    memcpy(&ub, &b, sizeof ub);
    const uint32_t m = (uint32_t)0 - (uint32_t)c;
    const uint32_t r = (ua & m) | (ub & ~m);
    float out;
    memcpy(&out, &r, sizeof out);
    return out;
}
#endif

PS_FN float ps_exprelf(float z)
{
    return ps_selectf(z == 0.0F, 1.0F, expm1f(z) / z);
}

// Instance b's arrays table (host code): slot k at arrays[k] + b * strides[k] bytes
// (pyspike/runtime.py lays out every per-instance array as (K, length); shared ones
// have stride 0).
static inline void ps_instance_table(void** arrays, const int64_t* strides, int32_t n_slots,
                                     int32_t b, void** table)
{
    for (int32_t k = 0; k < n_slots; ++k)
        table[k] = arrays[k] ? (char*)arrays[k] + b * strides[k] : (void*)0;
}

// step - steps clamped to int32 (codegen's StepBound): a neuron whose int32 lastspike is
// at most this is no longer refractory.  Computed once per step, it saves the loop a
// subtraction per neuron.  Its width follows the build's reals (64-bit for float64 builds,
// ps_step_boundf 32-bit for float32), the fastest pairing measured for LIF, CUBA, COBA and
// COBAHH.  The clamp is one 64-bit expression, narrowed after: written with an int32 branch
// (INT32_MIN : ... (int32_t)b), it kept gcc 12 from vectorising COBA's update loop, 4x
// slower (tests/codegen/test_compile.py checks that loop).
PS_FN int64_t ps_step_bound(int64_t step, int64_t steps)
{
    const int64_t b = step - steps;
    return b < INT32_MIN ? INT32_MIN : (b > INT32_MAX ? INT32_MAX : b);
}

PS_FN int32_t ps_step_boundf(int64_t step, int64_t steps)
{
    return (int32_t)ps_step_bound(step, steps);
}

// The spike flags of a block of neurons as the CPU's update loop stores them, and those of
// 64 neurons gathered into the bits of a word (templates/cpp/group.j2).  With AVX but not
// AVX-512, a flag is 0 or -1 in an integer as wide as the reals: the loop stores the
// compare's own lane mask, and movmskpd (movmskps) gathers four (eight) flags at once.
// Packing the masks into bytes inside the vectorised loop cost gcc about 40 shuffles and
// stack spills per 32 neurons (bench/RESULTS.md: the 4000-neuron float64 LIF on an AVX2
// EPYC).  Elsewhere a byte of 0 or 1 per neuron, eight gathered by one multiply (AVX-512
// packs its mask registers into bytes cheaply).
#if !defined(__CUDACC__) && defined(__AVX__) && !defined(__AVX512F__)
template <typename R> struct PsFlags;
template <> struct PsFlags<double> {
    typedef int64_t flag;
    static inline flag of(bool spike) { return -(int64_t)spike; }
    static inline uint64_t word(const flag* f)         // the flags f[0..63]
    {
        typedef double lanes __attribute__((vector_size(32), aligned(8), may_alias));
        uint64_t bits = 0;
        for (int k = 0; k < 64; k += 4)
            bits |= (uint64_t)(uint32_t)__builtin_ia32_movmskpd256(
                *(const lanes*)(f + k)) << k;
        return bits;
    }
};
template <> struct PsFlags<float> {
    typedef int32_t flag;
    static inline flag of(bool spike) { return -(int32_t)spike; }
    static inline uint64_t word(const flag* f)
    {
        typedef float lanes __attribute__((vector_size(32), aligned(4), may_alias));
        uint64_t bits = 0;
        for (int k = 0; k < 64; k += 8)
            bits |= (uint64_t)(uint32_t)__builtin_ia32_movmskps256(
                *(const lanes*)(f + k)) << k;
        return bits;
    }
};
#elif !defined(__CUDACC__)
template <typename R> struct PsFlags {
    typedef uint8_t flag;
    static inline flag of(bool spike) { return (uint8_t)spike; }
    static inline uint64_t word(const flag* f)
    {
        uint64_t bits = 0;
        for (int k = 0; k < 64; k += 8) {
            uint64_t eight;            // eight flags of 0 or 1, one per byte
            memcpy(&eight, f + k, 8);
            // the low bit of each byte gathered into one byte, in order
            bits |= ((eight * 0x0102040810204080ull) >> 56) << k;
        }
        return bits;
    }
};
#endif

// Python's floored modulo (the sign follows the divisor), as the NumPy reference computes it.
PS_FN double ps_mod(double a, double b) { return a - b * floor(a / b); }
PS_FN float ps_modf(float a, float b) { return a - b * floorf(a / b); }

// A hint to fetch the cache line at p (host code; nothing on the GPU).
#if defined(__CUDA_ARCH__)
#define PS_PREFETCH(p) ((void)0)
#else
#define PS_PREFETCH(p) __builtin_prefetch(p)
#endif

// The entry points of a generated library (everything else in it is hidden).
#define PS_EXPORT __attribute__((visibility("default")))

// Vector versions of exp/log/sin/cos/pow from glibc's libmvec (generated code is linked with
// -lmvec on x86-64 Linux): declared "simd" so that loops calling them vectorise without
// -ffast-math, which would also reorder arithmetic and break agreement with the reference.
#if defined(__x86_64__) && defined(__GLIBC__) && !defined(__CUDACC__) && \
    !defined(__FAST_MATH__) && defined(PS_USE_LIBMVEC)
extern "C" {
#define PS_SIMD __attribute__((simd("notinbranch")))
PS_SIMD double exp(double) noexcept;
PS_SIMD double log(double) noexcept;
PS_SIMD double sin(double) noexcept;
PS_SIMD double cos(double) noexcept;
PS_SIMD double pow(double, double) noexcept;
#if __GLIBC_PREREQ(2, 35)
PS_SIMD double expm1(double) noexcept;
PS_SIMD float expm1f(float) noexcept;
#endif
PS_SIMD float expf(float) noexcept;
PS_SIMD float logf(float) noexcept;
PS_SIMD float sinf(float) noexcept;
PS_SIMD float cosf(float) noexcept;
PS_SIMD float powf(float, float) noexcept;
#undef PS_SIMD
}
#endif

// The row (presynaptic neuron) of synapse s in CSR row pointers row[0..n]: the largest r
// with row[r] <= s.  Used by on_post code, which visits synapses by postsynaptic neuron.
PS_FN int32_t ps_row_of(const int64_t* row, int32_t n, int64_t s)
{
    int32_t lo = 0, hi = n;           // row[lo] <= s < row[hi]
    while (hi - lo > 1) {
        const int32_t mid = lo + (hi - lo) / 2;
        if (row[mid] <= s) lo = mid; else hi = mid;
    }
    return lo;
}

// A TimedArray's value: row floor(t/dt) (clipped to the array, a hair of tolerance so
// that t = k*dt computed in floating point lands on row k), column col.  The time is
// double on the CPU; float32 CUDA builds pass floats (no double instruction may appear in
// their kernels).
template <typename R, typename T>
PS_FN R ps_timed(const R* values, int64_t n, int64_t m, T inv_dt, T t, int64_t col)
{
    int64_t k = (int64_t)floor(t * inv_dt + (T)1e-6);
    k = k < 0 ? 0 : (k >= n ? n - 1 : k);
    col = col < 0 ? 0 : (col >= m ? m - 1 : col);
    return values[k * m + col];
}

// A Poisson count of mean lam from one uniform u in [0, 1): inversion of the cumulative
// distribution, in double precision on the CPU (the NumPy reference does the same
// arithmetic; float only in float32 CUDA builds).  Meant for small means (a PoissonInput's
// per-step count, lam < 500; < 80 in float, where exp(-lam) must not underflow).  It stops
// where a term no longer changes the sum: a u above the sum as rounded (within a few ulps
// of 1) then gives a count in the far tail, not one where the terms underflow.
template <typename R>
PS_FN R ps_poisson(R u, R lam)
{
    R p = exp(-lam), F = p, k = 0;
    bool grew = p > (R)0;
    while (u > F && grew) {
        k += 1;
        p = p * (lam / k);
        const R sum = F + p;
        grew = sum > F;
        F = sum;
    }
    return k;
}
