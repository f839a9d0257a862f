// The first draws of a distribution's values (csrc/draws.cpp): uniforms or normals of a run
// of elements, by the block fills of csrc/pyspike/philox.h.  Compiled twice: portably
// (draws_fill.cpp) and with AVX2 (draws_fill_avx2.cpp, where the compiler can), and chosen
// when the module runs, so that one wheel is fast on the CPUs that have AVX2 (Philox
// blocks four at a time, Box-Muller eight lanes wide: 1.6 instead of 4.4 ns per normal on
// a 2-core AMD EPYC) and still runs on those that do not.  Both give the same numbers:
// the fills equal ps_rand_f64 / ps_randn_f64 bit for bit (tests/pyspike/test_distributions.py).
#pragma once
#include <cstdint>

// uniform (normal false) or standard normal numbers of elements e0 .. e0 + m - 1 (e0 a
// multiple of 64) at counter (seed, step, stream), into v[0 .. m) (v[m] is written too).
using PsBaseFill = void (*)(bool normal, uint64_t seed, uint64_t step, uint32_t stream,
                            uint32_t e0, int32_t m, double* v);

// Delays v[0 .. m) (ms, >= 0) in whole steps of dt, floor(v / dt + 0.5) as
// pyspike/synapse_delays.py steps_of rounds them, into s; returns the largest, or -1 where
// some is not in [0, 2^32).
using PsSteps = double (*)(const double* v, int32_t m, double dt, uint32_t* s);

// The two, as one instruction set builds them.
struct PsFills {
    PsBaseFill fill;
    PsSteps steps;
};

extern const PsFills ps_fills_portable;
#if defined(PS_DRAWS_AVX2)
extern const PsFills ps_fills_avx2;
#endif
