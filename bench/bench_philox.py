"""Cost of the random numbers alone: Philox4x32-10 uniforms and Box-Muller normals per
element in a vectorised loop, compiled with the flags of generated code.

    python bench/bench_philox.py

This is the floor under the cost of a noise term (one normal per neuron per step): one at
a time (as CUDA threads and scalar code draw them) and in fills (as the C++ update loops
draw them: two uniforms or four normals per Philox block).
"""
import os
import subprocess
import sys
import tempfile

import pyspike.codegen
from pyspike.toolchain.compile import CXXFLAGS, LIBMVEC

SOURCE = r"""
#include <stdint.h>
#include <stdio.h>
#include <chrono>
#include "pyspike/support.h"     // vector log/cos from libmvec, as in generated code
#define PS_PAIR_FILLS 1
#include "pyspike/philox.h"
template <typename F> double per_element(F fill, double* out) {
    double best = 1e300;
    for (int rep = 0; rep < 5; ++rep) {
        auto t0 = std::chrono::steady_clock::now();
        for (int s = 0; s < 2000; ++s) fill(out, s);
        auto t1 = std::chrono::steady_clock::now();
        double ns = std::chrono::duration<double>(t1 - t0).count() / (2000.0 * 4000) * 1e9;
        best = ns < best ? ns : best;
    }
    return best;
}
__attribute__((noinline)) void uniform(double* __restrict out, int64_t step) {
    for (int i = 0; i < 4000; ++i) out[i] = ps_rand_f64(1, (uint64_t)step, (uint32_t)i, 7u);
}
__attribute__((noinline)) void normal(double* __restrict out, int64_t step) {
    for (int i = 0; i < 4000; ++i) out[i] = ps_randn_f64(1, (uint64_t)step, (uint32_t)i, 7u);
}
__attribute__((noinline)) void normal32(float* __restrict out, int64_t step) {
    for (int i = 0; i < 4000; ++i) out[i] = ps_randn_f32(1, (uint64_t)step, (uint32_t)i, 7u);
}
__attribute__((noinline)) void pairs(double* __restrict out, int64_t step) {
    ps_rand_pairs_f64(1, (uint64_t)step, 0u, 7u, 4000, out);
}
__attribute__((noinline)) void fill(double* __restrict out, int64_t step) {
    ps_randn_fill_f64(1, (uint64_t)step, 0u, 7u, 4000, out);
}
__attribute__((noinline)) void fill32(float* __restrict out, int64_t step) {
    ps_randn_fill_f32(1, (uint64_t)step, 0u, 7u, 4000, out);
}
int main() {
    static double out[4000];
    static float out32[4000];
    printf("uniform float64 (Philox4x32-10 + conversion): %.2f ns/element\n",
           per_element(uniform, out));
    printf("normal float64 (Philox + Box-Muller):          %.2f ns/element\n",
           per_element(normal, out));
    printf("normal float32:                                %.2f ns/element\n",
           per_element([](double*, int64_t s) { normal32(out32, s); }, out));
    printf("uniform float64, a pair per Philox block:     %.2f ns/element\n",
           per_element(pairs, out));
    printf("normal float64, four per Philox block:        %.2f ns/element\n",
           per_element(fill, out));
    printf("normal float32, four per Philox block:        %.2f ns/element\n",
           per_element([](double*, int64_t s) { fill32(out32, s); }, out));
}
"""


def main() -> None:
    include = os.path.join(os.path.dirname(os.path.dirname(pyspike.codegen.__file__)), "csrc")
    with tempfile.TemporaryDirectory() as tmp:
        src, exe = os.path.join(tmp, "philox.cpp"), os.path.join(tmp, "philox")
        with open(src, "w") as f:
            f.write(SOURCE)
        flags = [f for f in CXXFLAGS + LIBMVEC if f not in ("-shared", "-fPIC",
                                                             "-fvisibility=hidden")]
        libs = [f for f in flags if f.startswith("-l")]
        subprocess.run(["g++", *[f for f in flags if not f.startswith("-l")], f"-I{include}",
                        src, "-o", exe, *libs], check=True)
        sys.stdout.write(subprocess.run([exe], capture_output=True, text=True,
                                        check=True).stdout)


if __name__ == "__main__":
    main()
