// Philox4x32-10, the counter-based generator of Salmon et al. (SC'11, "Random123"), and
// the conversions pyspike uses.  The same header serves C++ (g++ -std=c++17) and CUDA
// (nvcc), so that a random number depends only on (seed, step, element, stream), never on
// threads, launch shapes or the backend.  No global state, no allocation.
//
// pyspike/random.py is its NumPy twin: the integers agree bit for bit, the uniforms
// exactly, the normals to the last ulp or so (libm and NumPy may round log/cos differently).
#pragma once
#include <math.h>
#include <stdint.h>

#ifndef PS_HD
#if defined(__CUDACC__)
#define PS_HD __host__ __device__ __forceinline__
#else
#define PS_HD static inline
#endif
#endif

struct ps_u32x4 { uint32_t x, y, z, w; };

// Ten rounds of Philox4x32 on counter c with key (k0, k1), as Random123's philox4x32_R(10).
// Known answers: c = 0, k = 0 -> (6627e8d5 e169c58d bc57ac4c 9b00dbd8).
PS_HD ps_u32x4 ps_philox4x32_10(ps_u32x4 c, uint32_t k0, uint32_t k1)
{
    // The words are held in 64-bit integers: vectorised, each multiply is then one
    // 32x32->64 lane operation and no repacking between 32- and 64-bit lanes is needed.
    // (On the GPU, (uint64_t)(uint32_t)a * b is a single mul.wide.u32; the result is the
    // same as __umulhi/plain multiply.)
    uint64_t x = c.x, y = c.y, z = c.z, w = c.w;
    uint64_t key0 = k0, key1 = k1;
#if defined(__CUDA_ARCH__)
#pragma unroll
#endif
    for (int round = 0; round < 10; ++round) {
        if (round > 0) {   // key bump between rounds: 9 bumps for 10 rounds
            key0 = (key0 + 0x9E3779B9u) & 0xFFFFFFFFu;
            key1 = (key1 + 0xBB67AE85u) & 0xFFFFFFFFu;
        }
        const uint64_t p0 = (uint64_t)(uint32_t)x * 0xD2511F53u;   // hi0:lo0 = M0 * x
        const uint64_t p1 = (uint64_t)(uint32_t)z * 0xCD9E8D57u;   // hi1:lo1 = M1 * z
        x = (p1 >> 32) ^ y ^ key0;
        y = p1 & 0xFFFFFFFFu;
        z = (p0 >> 32) ^ w ^ key1;
        w = p0 & 0xFFFFFFFFu;
    }
    ps_u32x4 r = {(uint32_t)x, (uint32_t)y, (uint32_t)z, (uint32_t)w};
    return r;
}

// counter = (element, step low, step high, stream); key = (seed low, seed high).
PS_HD ps_u32x4 ps_philox_draw(uint64_t seed, uint64_t step, uint32_t elem, uint32_t stream)
{
    ps_u32x4 c = {elem, (uint32_t)step, (uint32_t)(step >> 32), stream};
    return ps_philox4x32_10(c, (uint32_t)seed, (uint32_t)(seed >> 32));
}

// Uniform in [0, 1) with 53 random bits: ((a>>5) * 2^26 + (b>>6)) / 2^53, exact.
PS_HD double ps_u01_f64(uint32_t a, uint32_t b)
{
    // via int32 (the shifted words are < 2^27, so the value is the same), whose conversion
    // to double is one vector instruction (unsigned is not)
    return ((double)(int32_t)(a >> 5) * 67108864.0 + (double)(int32_t)(b >> 6)) *
           (1.0 / 9007199254740992.0);
}

// Uniform in [0, 1) with 24 random bits: (a>>8) / 2^24, exact; float arithmetic only.
PS_HD float ps_u01_f32(uint32_t a) { return (float)(int32_t)(a >> 8) * (1.0F / 16777216.0F); }

// Uniforms in pairs too: elements 2k and 2k + 1 take the words (x, y) and (z, w) of the
// block of counter k (float32: x and z, the leading bits of the float64 uniforms).
PS_HD double ps_rand_pair_f64(ps_u32x4 r, uint32_t odd)
{
    return odd ? ps_u01_f64(r.z, r.w) : ps_u01_f64(r.x, r.y);
}

PS_HD float ps_rand_pair_f32(ps_u32x4 r, uint32_t odd)
{
    return ps_u01_f32(odd ? r.z : r.x);
}

PS_HD double ps_rand_f64(uint64_t seed, uint64_t step, uint32_t elem, uint32_t stream)
{
    return ps_rand_pair_f64(ps_philox_draw(seed, step, elem >> 1, stream), elem & 1u);
}

PS_HD float ps_rand_f32(uint64_t seed, uint64_t step, uint32_t elem, uint32_t stream)
{
    return ps_rand_pair_f32(ps_philox_draw(seed, step, elem >> 1, stream), elem & 1u);
}

// Standard normals by Box-Muller, both of each pair: elements 2k and 2k + 1 share the
// Philox block of counter k (u1 in (0, 1], so the logarithm is finite, and u2) and are
// R cos(2 pi u2) and R cos(2 pi (u2 - 1/4)), i.e. R sin(2 pi u2) (written as a cosine:
// compilers vectorise cos, not a sin-cos pair).  u2 - 1/4 is exact.
PS_HD double ps_randn_pair_f64(ps_u32x4 r, uint32_t odd)
{
    const double u1 = 1.0 - ps_u01_f64(r.x, r.y);
    const double u2 = ps_u01_f64(r.z, r.w);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * (u2 - 0.25 * (double)odd));
}

PS_HD double ps_randn_f64(uint64_t seed, uint64_t step, uint32_t elem, uint32_t stream)
{
    return ps_randn_pair_f64(ps_philox_draw(seed, step, elem >> 1, stream), elem & 1u);
}

PS_HD float ps_randn_pair_f32(ps_u32x4 r, uint32_t odd)
{
    const float u1 = 1.0F - ps_u01_f32(r.x);
    // the leading bits of the float64 draw's uniforms: float32 builds see, to rounding,
    // the same noise as float64 builds of the same model and seed
    const float u2 = ps_u01_f32(r.z) - 0.25F * (float)odd;
#if defined(__CUDA_ARCH__)
    // CUDA's cosf carries a Payne-Hanek slow path for huge arguments written in double
    // precision, which would put .f64 instructions into every float32 kernel.  cospif needs
    // no range reduction; cospif(2 u2) is cos(2 pi u2) with the exact argument, within a
    // few float ulps of cosf(6.2831855f * u2).
    return sqrtf(-2.0F * logf(u1)) * cospif(2.0F * u2);
#else
    return sqrtf(-2.0F * logf(u1)) * cosf(6.2831855F * u2);
#endif
}

PS_HD float ps_randn_f32(uint64_t seed, uint64_t step, uint32_t elem, uint32_t stream)
{
    return ps_randn_pair_f32(ps_philox_draw(seed, step, elem >> 1, stream), elem & 1u);
}

// The block fills of the CPU's loops, for code that defines PS_PAIR_FILLS before it
// includes this header (generated code whose loops draw; reading <immintrin.h> alone takes
// g++ 0.2 s, half the build of a small network).
#if !defined(__CUDACC__) && defined(PS_PAIR_FILLS)
#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif
#if defined(__AVX512F__) && defined(__GNUC__) && !defined(__clang__)
// gcc 12 warns inside its own avx512fintrin.h (an "undefined" pass-through operand; gcc
// bug 105593) when a program is built with -Wall
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

// The blocks of counters (k0 + j, step, stream), j < n, as four word arrays x, y, z, w
// (room for n rounded up to 8).  Equal to ps_philox_draw word for word.  Why by hand: gcc
// vectorises the portable round with a 64x64-bit multiply (vpmullq, three uops) where one
// 32x32->64 lane multiply (vpmuludq) is all a round needs; with it the blocks cost 1.7
// instead of 2.8 ns here (bench/bench_philox.py).  The high halves of the 64-bit lanes
// carry garbage between rounds: the multiplies read only the low halves, and only low
// halves are stored.
static inline void ps_philox_blocks(uint64_t seed, uint64_t step, uint32_t k0, uint32_t stream,
                                    int32_t n, uint32_t* __restrict x, uint32_t* __restrict y,
                                    uint32_t* __restrict z, uint32_t* __restrict w)
{
    int32_t j = 0;
#if defined(__AVX512F__) || defined(__AVX2__)
    uint32_t key0[10], key1[10];
    key0[0] = (uint32_t)seed;
    key1[0] = (uint32_t)(seed >> 32);
    for (int r = 1; r < 10; ++r) {
        key0[r] = key0[r - 1] + 0x9E3779B9u;
        key1[r] = key1[r - 1] + 0xBB67AE85u;
    }
#endif
#if defined(__AVX512F__)
    const __m512i m0 = _mm512_set1_epi64(0xD2511F53u), m1 = _mm512_set1_epi64(0xCD9E8D57u);
    const __m512i lane = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
    for (; j < n; j += 8) {
        __m512i a = _mm512_add_epi64(_mm512_set1_epi64((int64_t)k0 + j), lane);
        __m512i b = _mm512_set1_epi64((uint32_t)step);
        __m512i c = _mm512_set1_epi64((uint32_t)(step >> 32));
        __m512i d = _mm512_set1_epi64(stream);
        for (int r = 0; r < 10; ++r) {
            const __m512i p0 = _mm512_mul_epu32(a, m0), p1 = _mm512_mul_epu32(c, m1);
            a = _mm512_ternarylogic_epi64(_mm512_srli_epi64(p1, 32), b,
                                          _mm512_set1_epi64(key0[r]), 0x96);   // a^b^c
            b = p1;
            c = _mm512_ternarylogic_epi64(_mm512_srli_epi64(p0, 32), d,
                                          _mm512_set1_epi64(key1[r]), 0x96);
            d = p0;
        }
        _mm256_storeu_si256((__m256i*)(x + j), _mm512_cvtepi64_epi32(a));
        _mm256_storeu_si256((__m256i*)(y + j), _mm512_cvtepi64_epi32(b));
        _mm256_storeu_si256((__m256i*)(z + j), _mm512_cvtepi64_epi32(c));
        _mm256_storeu_si256((__m256i*)(w + j), _mm512_cvtepi64_epi32(d));
    }
#elif defined(__AVX2__)
    const __m256i m0 = _mm256_set1_epi64x(0xD2511F53u), m1 = _mm256_set1_epi64x(0xCD9E8D57u);
    const __m256i lane = _mm256_set_epi64x(3, 2, 1, 0);
    // the low halves of four 64-bit lanes, packed into four 32-bit words
    const __m256i low = _mm256_set_epi32(7, 7, 7, 7, 6, 4, 2, 0);
    for (; j < n; j += 4) {
        __m256i a = _mm256_add_epi64(_mm256_set1_epi64x((int64_t)k0 + j), lane);
        __m256i b = _mm256_set1_epi64x((uint32_t)step);
        __m256i c = _mm256_set1_epi64x((uint32_t)(step >> 32));
        __m256i d = _mm256_set1_epi64x(stream);
        for (int r = 0; r < 10; ++r) {
            const __m256i p0 = _mm256_mul_epu32(a, m0), p1 = _mm256_mul_epu32(c, m1);
            a = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1, 32), b),
                                 _mm256_set1_epi64x(key0[r]));
            b = p1;
            c = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0, 32), d),
                                 _mm256_set1_epi64x(key1[r]));
            d = p0;
        }
        _mm_storeu_si128((__m128i*)(x + j),
                         _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(a, low)));
        _mm_storeu_si128((__m128i*)(y + j),
                         _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(b, low)));
        _mm_storeu_si128((__m128i*)(z + j),
                         _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(c, low)));
        _mm_storeu_si128((__m128i*)(w + j),
                         _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(d, low)));
    }
#endif
    for (; j < n; ++j) {
        const ps_u32x4 r = ps_philox_draw(seed, step, k0 + (uint32_t)j, stream);
        x[j] = r.x;
        y[j] = r.y;
        z[j] = r.z;
        w[j] = r.w;
    }
}

// The draws of elements e0 .. e0 + n - 1 (e0 even) into out[0 .. n), equal to
// ps_rand(n)_*(seed, step, e0 + k, stream), one Philox block (and logarithm) per pair:
// the CPU's fused loops fill a block of them before the update.  Writes out[n] if n is odd.
#define PS_PAIR_CHUNK 128
#define PS_PAIRS(NAME, REAL, SUFFIX)                                                        \
    static inline void ps_##NAME##_pairs_##SUFFIX(uint64_t seed, uint64_t step, uint32_t e0, \
                                                  uint32_t stream, int32_t n,               \
                                                  REAL* __restrict out)                     \
    {                                                                                       \
        uint32_t x[PS_PAIR_CHUNK], y[PS_PAIR_CHUNK], z[PS_PAIR_CHUNK], w[PS_PAIR_CHUNK];   \
        const int32_t pairs = (n + 1) / 2;                                                  \
        for (int32_t k0 = 0; k0 < pairs; k0 += PS_PAIR_CHUNK) {                             \
            const int32_t m = pairs - k0 < PS_PAIR_CHUNK ? pairs - k0 : PS_PAIR_CHUNK;      \
            ps_philox_blocks(seed, step, (e0 >> 1) + (uint32_t)k0, stream, m, x, y, z, w);  \
            REAL* __restrict o = out + 2 * k0;                                              \
            for (int32_t k = 0; k < m; ++k) {                                               \
                const ps_u32x4 r = {x[k], y[k], z[k], w[k]};                                \
                o[2 * k] = ps_##NAME##_pair_##SUFFIX(r, 0u);                                \
                o[2 * k + 1] = ps_##NAME##_pair_##SUFFIX(r, 1u);                            \
            }                                                                               \
        }                                                                                   \
    }
PS_PAIRS(randn, double, f64)
PS_PAIRS(randn, float, f32)
PS_PAIRS(rand, double, f64)
PS_PAIRS(rand, float, f32)
#undef PS_PAIRS
#if defined(__AVX512F__) && defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif
