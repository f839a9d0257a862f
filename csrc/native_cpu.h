// What the CPU running the native module has: the module is built portably, and its few
// AVX2 loops (connect_draws.h, delays.cpp, draws_fill_avx2.cpp) are chosen at run time.
// (Not for draws_fill_body.h: an inline function compiled there with -mavx2 could be the
// copy the linker keeps.)
#pragma once

namespace pyspike_native {

inline bool has_avx2() {
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
    static const bool has = (__builtin_cpu_init(), __builtin_cpu_supports("avx2"));
    return has;
#else
    return false;
#endif
}

}  // namespace pyspike_native
