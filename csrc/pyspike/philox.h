// Philox4x32-10, the counter-based generator of Salmon et al. (SC'11, "Random123"), and
// the conversions pyspike uses.  The same header serves C++ and CUDA so that a random
// number depends only on (seed, step, element, stream), never on threads or the backend.
// pyspike/random.py is its NumPy twin; tests check that both agree bit for bit.
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

PS_HD ps_u32x4 ps_philox4x32_10(ps_u32x4 c, uint32_t k0, uint32_t k1)
{
    // The words are held in 64-bit integers: vectorised, each multiply is then one
    // 32x32->64 lane operation and no repacking between 32- and 64-bit lanes is needed.
    uint64_t x = c.x, y = c.y, z = c.z, w = c.w;
    uint64_t key0 = k0, key1 = k1;
    for (int round = 0; round < 10; ++round) {
        if (round > 0) {
            key0 = (key0 + 0x9E3779B9u) & 0xFFFFFFFFu;
            key1 = (key1 + 0xBB67AE85u) & 0xFFFFFFFFu;
        }
        const uint64_t p0 = (uint64_t)(uint32_t)x * 0xD2511F53u;
        const uint64_t p1 = (uint64_t)(uint32_t)z * 0xCD9E8D57u;
        x = (p1 >> 32) ^ y ^ key0;
        y = p1 & 0xFFFFFFFFu;
        z = (p0 >> 32) ^ w ^ key1;
        w = p0 & 0xFFFFFFFFu;
    }
    ps_u32x4 r = {(uint32_t)x, (uint32_t)y, (uint32_t)z, (uint32_t)w};
    return r;
}

// counter = (element, step low, step high, stream); key = seed.
PS_HD ps_u32x4 ps_philox_draw(uint64_t seed, uint64_t step, uint32_t elem, uint32_t stream)
{
    ps_u32x4 c = {elem, (uint32_t)step, (uint32_t)(step >> 32), stream};
    return ps_philox4x32_10(c, (uint32_t)seed, (uint32_t)(seed >> 32));
}

// Uniform in [0, 1) with 53 (double) or 24 (float) random bits.
PS_HD double ps_u01_f64(uint32_t a, uint32_t b)
{
    // via int32, whose conversion to double is one vector instruction (unsigned is not)
    return ((double)(int32_t)(a >> 5) * 67108864.0 + (double)(int32_t)(b >> 6)) *
           (1.0 / 9007199254740992.0);
}

PS_HD float ps_u01_f32(uint32_t a) { return (float)(int32_t)(a >> 8) * (1.0F / 16777216.0F); }

PS_HD double ps_rand_f64(uint64_t seed, uint64_t step, uint32_t elem, uint32_t stream)
{
    const ps_u32x4 r = ps_philox_draw(seed, step, elem, stream);
    return ps_u01_f64(r.x, r.y);
}

PS_HD float ps_rand_f32(uint64_t seed, uint64_t step, uint32_t elem, uint32_t stream)
{
    return ps_u01_f32(ps_philox_draw(seed, step, elem, stream).x);
}

// Standard normal by Box-Muller; u1 lies in (0, 1] so the logarithm is finite.
PS_HD double ps_randn_f64(uint64_t seed, uint64_t step, uint32_t elem, uint32_t stream)
{
    const ps_u32x4 r = ps_philox_draw(seed, step, elem, stream);
    const double u1 = 1.0 - ps_u01_f64(r.x, r.y);
    const double u2 = ps_u01_f64(r.z, r.w);
#if defined(__CUDA_ARCH__)
    return sqrt(-2.0 * log(u1)) * cospi(2.0 * u2);
#else
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
#endif
}

PS_HD float ps_randn_f32(uint64_t seed, uint64_t step, uint32_t elem, uint32_t stream)
{
    const ps_u32x4 r = ps_philox_draw(seed, step, elem, stream);
    // The leading bits of the float64 draw's uniforms: float32 builds see (to rounding)
    // the same random numbers as float64 builds of the same model and seed.
    const float u1 = 1.0F - ps_u01_f32(r.x);
    const float u2 = ps_u01_f32(r.z);
#if defined(__CUDA_ARCH__)
    // cospif needs no range reduction, so no double-precision fallback enters the kernel
    return sqrtf(-2.0F * logf(u1)) * cospif(2.0F * u2);
#else
    return sqrtf(-2.0F * logf(u1)) * cosf(6.2831855F * u2);
#endif
}
