// The random numbers of the connectivity builders' rows (connect.cpp): row r reads Philox
// with counter (elem = r, step = 0, 1, 2, ..., stream) and key = seed, two 53-bit uniforms
// per block.  Rows of a fixed degree, whose number of draws is known beforehand, are drawn
// eight blocks at a time where the CPU has AVX2: the same integers and the same double
// arithmetic as one at a time, so the same numbers on every machine.
#pragma once
#include <cstdint>

#include "connect_builders.h"
#include "native_cpu.h"
#include "pyspike/philox.h"

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
// Compiled for AVX2 whatever the build's flags (a portable module), used where the CPU has it.
#define CONNECT_AVX2 __attribute__((target("avx2")))
#endif

namespace pyspike_connect {

// Uniform integer in [0, n) for 0 < n < 2^31, as floor(u n): its bias (below n / 2^53)
// is far under anything a network could show.  The guard catches u n rounding up to n.
inline uint32_t below(double u, uint32_t n) {
    const auto v = static_cast<uint32_t>(u * n);
    return v < n ? v : n - 1;
}

// The uniforms of one row, in order, drawn one block at a time (fixed_probability's rows
// take a number of them known only once drawn).
class RowUniforms {
public:
    RowUniforms(Key key, int64_t row) : key_(key), row_(static_cast<uint32_t>(row)) {}

    // Uniform in [0, 1) with 53 random bits.
    double next() {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        const ps_u32x4 r = ps_philox_draw(key_.seed, step_++, row_, key_.stream);
        spare_ = ps_u01_f64(r.z, r.w);
        has_spare_ = true;
        return ps_u01_f64(r.x, r.y);
    }

private:
    Key key_;
    uint32_t row_;
    uint64_t step_ = 0;
    double spare_ = 0.0;
    bool has_spare_ = false;
};

#ifdef CONNECT_AVX2
// Four Philox blocks, one per 64-bit lane: only the low halves are words (vpmuludq reads no
// more), the high halves carry garbage.
struct Lanes {
    __m256i x, y, z, w;
};

// Round r of ps_philox4x32_10 on four blocks.
CONNECT_AVX2 inline void philox_round(Lanes& v, uint64_t seed, uint32_t r) {
    const __m256i p0 = _mm256_mul_epu32(v.x, _mm256_set1_epi64x(0xD2511F53));
    const __m256i p1 = _mm256_mul_epu32(v.z, _mm256_set1_epi64x(0xCD9E8D57));
    const __m256i k0 = _mm256_set1_epi64x(uint32_t(seed) + r * 0x9E3779B9u);
    const __m256i k1 = _mm256_set1_epi64x(uint32_t(seed >> 32) + r * 0xBB67AE85u);
    v.x = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1, 32), v.y), k0);
    v.y = p1;
    v.z = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0, 32), v.w), k1);
    v.w = p0;
}

// below(u, n) of the uniforms ps_u01_f64(a, b) of four lanes, n whole doubles: u is
// ((a >> 5) 2^26 + (b >> 6)) 2^-53, exact, u n rounds once, and the guard comes before the
// truncation (for u n in [n - 1, n], both give n - 1).
CONNECT_AVX2 inline __m128i below4(__m256i a, __m256i b, __m256d n) {
    const __m256i low_words = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6);
    const __m256i hi = _mm256_permutevar8x32_epi32(_mm256_srli_epi32(a, 5), low_words);
    const __m256i lo = _mm256_permutevar8x32_epi32(_mm256_srli_epi32(b, 6), low_words);
    const __m256d a26 = _mm256_mul_pd(_mm256_cvtepi32_pd(_mm256_castsi256_si128(hi)),
                                      _mm256_set1_pd(67108864.0));
    const __m256d u53 = _mm256_add_pd(a26, _mm256_cvtepi32_pd(_mm256_castsi256_si128(lo)));
    const __m256d un = _mm256_mul_pd(_mm256_mul_pd(u53, _mm256_set1_pd(0x1p-53)), n);
    return _mm256_cvttpd_epi32(_mm256_min_pd(un, _mm256_sub_pd(n, _mm256_set1_pd(1.0))));
}

// Writes below(u, n) of the eight uniforms of four blocks v, in order, to out: the first
// of each block with n, the second with n + dn.  n then moves on to the next eight.
CONNECT_AVX2 inline void put8(const Lanes& v, __m256d& n, double dn, int32_t* out) {
    const __m128i a = below4(v.x, v.y, n);
    const __m128i b = below4(v.z, v.w, _mm256_add_pd(n, _mm256_set1_pd(dn)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm_unpacklo_epi32(a, b));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 4), _mm_unpackhi_epi32(a, b));
    n = _mm256_add_pd(n, _mm256_set1_pd(8 * dn));
}

// row_draws for blocks [0, blocks) rounded down to eights, two chains of four blocks side
// by side (one leaves the multiplier idle on its latency); returns where it stopped.  Steps
// stay below 2^32 (k < 2^31), so counter word z is 0.
CONNECT_AVX2 inline int64_t draw_avx2(Key key, int64_t row, int64_t blocks, double n0,
                                      double dn, int32_t* out) {
    const __m256i rows = _mm256_set1_epi64x(row), stream = _mm256_set1_epi64x(key.stream);
    const __m256i zero = _mm256_setzero_si256(), lane = _mm256_setr_epi64x(0, 1, 2, 3);
    // the n of the uniforms 2s, 2s + 2, 2s + 4, 2s + 6 (the first of each block)
    __m256d n = _mm256_add_pd(_mm256_set1_pd(n0), _mm256_setr_pd(0, 2 * dn, 4 * dn, 6 * dn));
    int64_t s = 0;
    for (; s + 8 <= blocks; s += 8) {
        const __m256i steps = _mm256_add_epi64(_mm256_set1_epi64x(s), lane);
        Lanes a{rows, steps, zero, stream};
        Lanes b{rows, _mm256_add_epi64(steps, _mm256_set1_epi64x(4)), zero, stream};
#pragma GCC unroll 10
        for (uint32_t r = 0; r < 10; ++r) {
            philox_round(a, key.seed, r);
            philox_round(b, key.seed, r);
        }
        put8(a, n, dn, out + 2 * s);
        put8(b, n, dn, out + 2 * s + 8);
    }
    return s;
}
#endif

// The k draws of a row whose k is known beforehand (a fixed degree): below(u_c, n0 + dn c)
// of its uniforms u_c, c < k, in order (dn = 0: k from [0, n0); dn = 1: Floyd's algorithm).
inline void row_draws(Key key, int64_t row, int64_t k, int64_t n0, int64_t dn, int32_t* out) {
    int64_t s = 0;
#ifdef CONNECT_AVX2
    if (pyspike_native::has_avx2()) s = draw_avx2(key, row, k / 2, double(n0), double(dn), out);
#endif
    for (; 2 * s < k; ++s) {
        const ps_u32x4 r = ps_philox_draw(key.seed, s, static_cast<uint32_t>(row), key.stream);
        out[2 * s] = int32_t(below(ps_u01_f64(r.x, r.y), uint32_t(n0 + dn * 2 * s)));
        if (2 * s + 1 < k)
            out[2 * s + 1] = int32_t(below(ps_u01_f64(r.z, r.w), uint32_t(n0 + dn * (2 * s + 1))));
    }
}

}  // namespace pyspike_connect
