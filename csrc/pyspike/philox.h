// Philox4x32-10, the counter-based generator of Salmon et al. (SC'11, "Random123"), and
// the conversions pyspike uses.  The same header serves C++ (g++ -std=c++17) and CUDA
// (nvcc), so that a random number depends only on (seed, step, element, stream), never on
// threads, launch shapes or the backend.  No global state, no allocation.
//
// pyspike/random.py is its NumPy twin: the integers, the uniforms and the normals agree
// bit for bit.
#pragma once
#include <math.h>
#include <stdint.h>
#include <string.h>

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

// Standard normals: Box-Muller in float32 arithmetic, the same bits on every backend.
// Only IEEE-rounded operations (+, -, *, sqrt, int-to-float; no FMA contraction: g++
// -ffp-contract=off, nvcc --fmad=false, NumPy float32), integer bit operations and our own
// polynomials for log and sin/cos (libm, libmvec, CUDA and NumPy round those differently).
// So float32 and float64 builds, the CPU, the GPU and the NumPy reference all see the same
// noise: a float64 build's normal is the float32 one, widened.  One Philox block gives
// four normals (two pairs); 32-bit uniforms reach 6.66 standard deviations.  The
// polynomials' coefficients come from scripts/fit_normal_polynomials.py.
PS_HD uint32_t ps_f32_bits(float f)
{
#if defined(__CUDA_ARCH__)
    return __float_as_uint(f);
#else
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
#endif
}

PS_HD float ps_bits_f32(uint32_t u)
{
#if defined(__CUDA_ARCH__)
    return __uint_as_float(u);
#else
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
#endif
}

// log(u) for a float u in [2^-32, 1], within 1.3 ulp (tests/pyspike/test_normals.py
// checks every 61st float there; all of them gave 1.2): u = 2^e m with m in
// [sqrt(1/2), sqrt(2)), log(1 + f) for f = m - 1 (exact) as f - f^2/2 + f^3 P(f), P a
// near-minimax fit of degree 6, and ln 2 in two parts so that e ln 2 adds no rounding.
PS_HD float ps_log_unit(float u)
{
    const uint32_t i = ps_f32_bits(u) - 0x3F3504F3u;          // the bits of sqrt(1/2)
    const float e = (float)((int32_t)i >> 23);
    const float f = ps_bits_f32((i & 0x7FFFFFu) + 0x3F3504F3u) - 1.0F;
    const float f2 = f * f;
    float p = 0.087003596F;
    p = p * f - 0.14267476F;
    p = p * f + 0.14914787F;
    p = p * f - 0.16577587F;
    p = p * f + 0.19963062F;
    p = p * f - 0.25001338F;
    p = p * f + 0.3333391F;
    const float y = (p * f) * f2 - 0.5F * f2;
    return (f + (y + e * -2.12194440e-4F)) + e * 0.693359375F;
}

struct ps_f32x2 { float c, s; };

// cos and sin of 2 pi v, v = (b >> 8) / 2^24, within 1.8 ulp: v is split exactly as
// q/4 + r with |r| <= 1/8, polynomials (near-minimax fits) give cos(2 pi r) and
// sin(2 pi r), and the quadrant q rotates them (swap for odd q, cos negative for q = 1, 2,
// sin negative for q = 2, 3).
PS_HD ps_f32x2 ps_cos_sin_turn(uint32_t b)
{
    const int32_t n = (int32_t)(b >> 8);
    const int32_t q = (n + (1 << 21)) >> 22;                               // 0 .. 4
    const float r = (float)(n - (q << 22)) * 5.9604644775e-08F;             // 2^-24
    const float r2 = r * r;
    float sr = -75.40207F;
    sr = sr * r2 + 81.59255F;
    sr = sr * r2 - 41.341663F;
    sr = sr * r2 + 6.2831855F;
    sr = sr * r;
    float cr = 59.202797F;
    cr = cr * r2 - 85.4423F;
    cr = cr * r2 + 64.93931F;
    cr = cr * r2 - 19.739208F;
    cr = cr * r2 + 1.0F;
    const float c = (q & 1) ? sr : cr, s = (q & 1) ? cr : sr;
    ps_f32x2 out;
    out.c = ps_bits_f32(ps_f32_bits(c) ^ ((uint32_t)((q + 1) & 2) << 30));
    out.s = ps_bits_f32(ps_f32_bits(s) ^ ((uint32_t)(q & 2) << 30));
    return out;
}

// The Box-Muller pair of words a (radius) and b (angle): R cos(2 pi v), R sin(2 pi v) with
// R = sqrt(-2 log u), u = ((a >> 1) + 1/2) / 2^31 in (0, 1], v = (b >> 8) / 2^24.
PS_HD ps_f32x2 ps_box_muller(uint32_t a, uint32_t b)
{
    const float u = ((float)(int32_t)(a >> 1) + 0.5F) * 4.656612873e-10F;   // 2^-31
    const float radius = sqrtf(-2.0F * ps_log_unit(u));
    const ps_f32x2 turn = ps_cos_sin_turn(b);
    ps_f32x2 out;
    out.c = radius * turn.c;
    out.s = radius * turn.s;
    return out;
}

// Which Philox block holds element e's normal: groups of 64 elements share 16 blocks,
// element 16 p + j of a group takes part p of block j (parts: cos and sin of the words
// (x, y), cos and sin of (z, w)).  So a vectorised fill stores each part contiguously.
PS_HD uint32_t ps_randn_block(uint32_t elem) { return ((elem >> 6) << 4) | (elem & 15u); }

PS_HD float ps_randn_f32(uint64_t seed, uint64_t step, uint32_t elem, uint32_t stream)
{
    const ps_u32x4 r = ps_philox_draw(seed, step, ps_randn_block(elem), stream);
    const uint32_t part = (elem >> 4) & 3u;
    const ps_f32x2 pair = ps_box_muller(part & 2u ? r.z : r.x, part & 2u ? r.w : r.y);
    return part & 1u ? pair.s : pair.c;
}

PS_HD double ps_randn_f64(uint64_t seed, uint64_t step, uint32_t elem, uint32_t stream)
{
    return (double)ps_randn_f32(seed, step, elem, stream);
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
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#if defined(__AVX512F__) || defined(__AVX2__)
// Philox rounds on the words of PS_LANES blocks at once, one block per 64-bit lane.  The
// high halves of the lanes carry garbage between rounds: the multiplies (vpmuludq) read
// only the low halves, and only low halves are stored.
#if defined(__AVX512F__)
#define PS_LANES 8
#define PS_UNROLL 4
typedef __m512i ps_lanes_t;
static inline ps_lanes_t ps_lanes_set(uint64_t v) { return _mm512_set1_epi64((int64_t)v); }
static inline ps_lanes_t ps_lanes_count(int64_t k)
{
    return _mm512_add_epi64(_mm512_set1_epi64(k), _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0));
}
static inline ps_lanes_t ps_lanes_mul(ps_lanes_t a, ps_lanes_t m) { return _mm512_mul_epu32(a, m); }
// hi(p) ^ b ^ k
static inline ps_lanes_t ps_lanes_mix(ps_lanes_t p, ps_lanes_t b, ps_lanes_t k)
{
    return _mm512_ternarylogic_epi64(_mm512_srli_epi64(p, 32), b, k, 0x96);
}
static inline void ps_lanes_store(uint32_t* out, ps_lanes_t v)
{
    _mm256_storeu_si256((__m256i*)out, _mm512_cvtepi64_epi32(v));
}
#else
#define PS_LANES 4
#define PS_UNROLL 2
typedef __m256i ps_lanes_t;
static inline ps_lanes_t ps_lanes_set(uint64_t v) { return _mm256_set1_epi64x((int64_t)v); }
static inline ps_lanes_t ps_lanes_count(int64_t k)
{
    return _mm256_add_epi64(_mm256_set1_epi64x(k), _mm256_set_epi64x(3, 2, 1, 0));
}
static inline ps_lanes_t ps_lanes_mul(ps_lanes_t a, ps_lanes_t m) { return _mm256_mul_epu32(a, m); }
static inline ps_lanes_t ps_lanes_mix(ps_lanes_t p, ps_lanes_t b, ps_lanes_t k)
{
    return _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p, 32), b), k);
}
static inline void ps_lanes_store(uint32_t* out, ps_lanes_t v)
{
    // the low halves of the four 64-bit lanes, packed into four 32-bit words
    const __m256i low = _mm256_set_epi32(7, 7, 7, 7, 6, 4, 2, 0);
    _mm_storeu_si128((__m128i*)out, _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(v, low)));
}
#endif

// Blocks j .. end - 1 (end - j a multiple of U * PS_LANES is done; returns where it
// stopped), U vectors of blocks interleaved: one chain of ten rounds is longer (latency)
// than the ports need for it, and four chains side by side make the blocks 1.7 -> 1.3 ns
// here (AVX-512).
template <int U>
static inline int32_t ps_philox_lanes(const uint32_t* key0, const uint32_t* key1, uint64_t step,
                                      uint32_t k0, uint32_t stream, int32_t j, int32_t end,
                                      uint32_t* __restrict x, uint32_t* __restrict y,
                                      uint32_t* __restrict z, uint32_t* __restrict w)
{
    const ps_lanes_t m0 = ps_lanes_set(0xD2511F53u), m1 = ps_lanes_set(0xCD9E8D57u);
    for (; j + U * PS_LANES <= end; j += U * PS_LANES) {
        ps_lanes_t a[U], b[U], c[U], d[U];
        for (int u = 0; u < U; ++u) {
            a[u] = ps_lanes_count((int64_t)k0 + j + u * PS_LANES);
            b[u] = ps_lanes_set((uint32_t)step);
            c[u] = ps_lanes_set((uint32_t)(step >> 32));
            d[u] = ps_lanes_set(stream);
        }
        for (int r = 0; r < 10; ++r) {
            const ps_lanes_t key0r = ps_lanes_set(key0[r]), key1r = ps_lanes_set(key1[r]);
            for (int u = 0; u < U; ++u) {
                const ps_lanes_t p0 = ps_lanes_mul(a[u], m0), p1 = ps_lanes_mul(c[u], m1);
                a[u] = ps_lanes_mix(p1, b[u], key0r);
                b[u] = p1;
                c[u] = ps_lanes_mix(p0, d[u], key1r);
                d[u] = p0;
            }
        }
        for (int u = 0; u < U; ++u) {
            ps_lanes_store(x + j + u * PS_LANES, a[u]);
            ps_lanes_store(y + j + u * PS_LANES, b[u]);
            ps_lanes_store(z + j + u * PS_LANES, c[u]);
            ps_lanes_store(w + j + u * PS_LANES, d[u]);
        }
    }
    return j;
}
#endif

// The blocks of counters (k0 + j, step, stream), j < n, as four word arrays x, y, z, w
// (room for n rounded up to 8).  Equal to ps_philox_draw word for word.  Why by hand: gcc
// vectorises the portable round with a 64x64-bit multiply (vpmullq, three uops) where one
// 32x32->64 lane multiply (vpmuludq) is all a round needs; with it the blocks cost 1.3
// instead of 2.8 ns here.
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
    const int32_t end = (n + PS_LANES - 1) / PS_LANES * PS_LANES;
    j = ps_philox_lanes<PS_UNROLL>(key0, key1, step, k0, stream, j, end, x, y, z, w);
    j = ps_philox_lanes<1>(key0, key1, step, k0, stream, j, end, x, y, z, w);
#endif
    for (; j < n; ++j) {
        const ps_u32x4 r = ps_philox_draw(seed, step, k0 + (uint32_t)j, stream);
        x[j] = r.x;
        y[j] = r.y;
        z[j] = r.z;
        w[j] = r.w;
    }
}

// The uniforms of elements e0 .. e0 + n - 1 (e0 even) into out[0 .. n), equal to
// ps_rand_*(seed, step, e0 + k, stream), one Philox block per pair: the CPU's fused loops
// fill a block of them before the update.  Writes out[n] if n is odd.
#define PS_PAIR_CHUNK 128
#define PS_PAIRS(REAL, SUFFIX)                                                              \
    static inline void ps_rand_pairs_##SUFFIX(uint64_t seed, uint64_t step, uint32_t e0,    \
                                              uint32_t stream, int32_t n,                   \
                                              REAL* __restrict out)                         \
    {                                                                                       \
        uint32_t x[PS_PAIR_CHUNK], y[PS_PAIR_CHUNK], z[PS_PAIR_CHUNK], w[PS_PAIR_CHUNK];   \
        const int32_t pairs = (n + 1) / 2;                                                  \
        for (int32_t k0 = 0; k0 < pairs; k0 += PS_PAIR_CHUNK) {                             \
            const int32_t m = pairs - k0 < PS_PAIR_CHUNK ? pairs - k0 : PS_PAIR_CHUNK;      \
            ps_philox_blocks(seed, step, (e0 >> 1) + (uint32_t)k0, stream, m, x, y, z, w);  \
            REAL* __restrict o = out + 2 * k0;                                              \
            for (int32_t k = 0; k < m; ++k) {                                               \
                const ps_u32x4 r = {x[k], y[k], z[k], w[k]};                                \
                o[2 * k] = ps_rand_pair_##SUFFIX(r, 0u);                                    \
                o[2 * k + 1] = ps_rand_pair_##SUFFIX(r, 1u);                                \
            }                                                                               \
        }                                                                                   \
    }
PS_PAIRS(double, f64)
PS_PAIRS(float, f32)
#undef PS_PAIRS

// The normals of elements e0 .. e0 + n - 1 (e0 a multiple of 64) into out[0 .. n), equal
// to ps_randn_*(seed, step, e0 + k, stream): 16 blocks per 64 elements, each part of the
// blocks stored contiguously (ps_randn_block), so that the loop vectorises 16 floats wide.
#define PS_NORMALS(REAL, SUFFIX)                                                            \
    static inline void ps_randn_group_##SUFFIX(const uint32_t* __restrict x,               \
                                               const uint32_t* __restrict y,               \
                                               const uint32_t* __restrict z,               \
                                               const uint32_t* __restrict w,               \
                                               REAL* __restrict o)                          \
    {                                                                                       \
        for (int32_t j = 0; j < 16; ++j) {                                                  \
            const ps_f32x2 p = ps_box_muller(x[j], y[j]), q = ps_box_muller(z[j], w[j]);    \
            o[j] = p.c;                                                                     \
            o[16 + j] = p.s;                                                                \
            o[32 + j] = q.c;                                                                \
            o[48 + j] = q.s;                                                                \
        }                                                                                   \
    }                                                                                       \
    static inline void ps_randn_fill_##SUFFIX(uint64_t seed, uint64_t step, uint32_t e0,    \
                                              uint32_t stream, int32_t n,                   \
                                              REAL* __restrict out)                         \
    {                                                                                       \
        uint32_t x[PS_PAIR_CHUNK], y[PS_PAIR_CHUNK], z[PS_PAIR_CHUNK], w[PS_PAIR_CHUNK];   \
        for (int32_t g0 = 0; g0 < n; g0 += 4 * PS_PAIR_CHUNK) {                             \
            const int32_t m = (n - g0 < 4 * PS_PAIR_CHUNK ? n - g0 : 4 * PS_PAIR_CHUNK);    \
            const int32_t blocks = (m + 63) / 64 * 16;                                      \
            ps_philox_blocks(seed, step, (e0 >> 2) + (uint32_t)g0 / 4u, stream, blocks, x, \
                             y, z, w);                                                      \
            for (int32_t g = 0; g < m; g += 64) {                                           \
                if (m - g >= 64) {                                                          \
                    ps_randn_group_##SUFFIX(x + g / 4, y + g / 4, z + g / 4, w + g / 4,     \
                                            out + g0 + g);                                  \
                } else {   /* the last, partial group of 64 */                             \
                    REAL last[64];                                                          \
                    ps_randn_group_##SUFFIX(x + g / 4, y + g / 4, z + g / 4, w + g / 4,     \
                                            last);                                          \
                    for (int32_t k = 0; k < m - g; ++k) out[g0 + g + k] = last[k];          \
                }                                                                           \
            }                                                                               \
        }                                                                                   \
    }
PS_NORMALS(double, f64)
PS_NORMALS(float, f32)
#undef PS_NORMALS
#if defined(__AVX512F__) && defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif
