// The body of ps_base_fill_portable and ps_base_fill_avx2 (csrc/draws_fill.h), compiled
// once per instruction set under the name PS_FILL_NAME.  It includes nothing but philox.h,
// whose functions are static: an inline function of another header compiled here with
// AVX2 could be the one the linker keeps for the whole module, and fail on older CPUs.
#define PS_PAIR_FILLS
#include "pyspike/philox.h"

void PS_FILL_NAME(bool normal, uint64_t seed, uint64_t step, uint32_t stream, uint32_t e0,
                  int32_t m, double* v) {
    if (normal)
        ps_randn_fill_f64(seed, step, e0, stream, m, v);
    else
        ps_rand_pairs_f64(seed, step, e0, stream, m, v);
}
