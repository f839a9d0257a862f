// The fills of csrc/draws_fill.h, compiled once per instruction set into the table
// PS_FILLS_NAME.  It includes nothing but philox.h, whose functions are static: an inline
// function of another header compiled here with AVX2 could be the one the linker keeps
// for the whole module, and fail on older CPUs.
#define PS_PAIR_FILLS
#include "pyspike/philox.h"

static void fill(bool normal, uint64_t seed, uint64_t step, uint32_t stream, uint32_t e0,
                  int32_t m, double* v) {
    if (normal)
        ps_randn_fill_f64(seed, step, e0, stream, m, v);
    else
        ps_rand_pairs_f64(seed, step, e0, stream, m, v);
}

static double steps_of(const double* v, int32_t m, double dt, uint32_t* s) {
    double top = 0.0;
    bool inside = true;
    for (int32_t k = 0; k < m; ++k) {  // (floor is one instruction with SSE4.1 / AVX)
        const double steps = __builtin_floor(v[k] / dt + 0.5);
        inside &= steps >= 0.0 && steps <= 4294967295.0;
        top = steps > top ? steps : top;
        s[k] = inside ? (uint32_t)steps : 0u;
    }
    return inside ? top : -1.0;
}

extern const PsFills PS_FILLS_NAME = {fill, steps_of};
