"""Philox4x32-10: known answers, the C++ header equals its NumPy twin, statistics."""
import os
import shutil
import subprocess

import numpy as np
import pytest

import pyspike
from pyspike import random as ps_random

INCLUDE = os.path.join(os.path.dirname(pyspike.__file__), "csrc")


@pytest.mark.parametrize("counter,key,expected", [
    ((0, 0, 0, 0), (0, 0), (0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8)),
    ((0xffffffff,) * 4, (0xffffffff, 0xffffffff),
     (0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd)),
    ((0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344), (0xa4093822, 0x299f31d0),
     (0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1)),
])
def test_philox_reproduces_the_random123_known_answers(counter, key, expected):
    assert tuple(int(w) for w in ps_random.philox4x32_10(*counter, *key)) == expected


GRID = [(seed, step, elem, stream)
        for seed in (0, 1, 2 ** 40 + 7) for step in (0, 5, 2 ** 33 + 1)
        for elem in (0, 3, 4000) for stream in (0, 65537)]

PROGRAM = r"""
#include <stdio.h>
#include "pyspike/philox.h"
int main() {
    unsigned long long seed, step; unsigned elem, stream;
    while (scanf("%llu %llu %u %u", &seed, &step, &elem, &stream) == 4) {
        ps_u32x4 r = ps_philox_draw(seed, step, elem, stream);
        printf("%u %u %u %u %a %a %a %a\n", r.x, r.y, r.z, r.w,
               ps_rand_f64(seed, step, elem, stream), (double)ps_rand_f32(seed, step, elem, stream),
               ps_randn_f64(seed, step, elem, stream), (double)ps_randn_f32(seed, step, elem, stream));
    }
}
"""


@pytest.fixture(scope="module")
def cpp_draws(tmp_path_factory):
    folder = tmp_path_factory.mktemp("philox")
    (folder / "p.cpp").write_text(PROGRAM)
    subprocess.run(["g++", "-O2", "-std=c++17", f"-I{INCLUDE}", str(folder / "p.cpp"), "-o",
                    str(folder / "p")], check=True)
    stdin = "\n".join(" ".join(map(str, g)) for g in GRID)
    out = subprocess.run([str(folder / "p")], input=stdin, capture_output=True, text=True,
                         check=True).stdout.split("\n")
    return [line.split() for line in out if line]


def test_cpp_header_and_numpy_give_the_same_words_and_uniforms(cpp_draws):
    for (seed, step, elem, stream), row in zip(GRID, cpp_draws):
        words = [int(w[0]) for w in ps_random.philox_draw(seed, step, [elem], stream)]
        assert words == [int(x) for x in row[:4]]
        assert ps_random.rand(seed, step, [elem], stream)[0] == float.fromhex(row[4])
        assert ps_random.rand(seed, step, [elem], stream, np.float32)[0] == \
            np.float32(float.fromhex(row[5]))


def test_cpp_header_and_numpy_give_the_same_normals_to_an_ulp(cpp_draws):
    for (seed, step, elem, stream), row in zip(GRID, cpp_draws):
        # Box-Muller calls log and cos: libm and NumPy may differ in the last ulp
        assert ps_random.randn(seed, step, [elem], stream)[0] == \
            pytest.approx(float.fromhex(row[6]), rel=1e-15, abs=1e-15)
        assert ps_random.randn(seed, step, [elem], stream, np.float32)[0] == \
            pytest.approx(float.fromhex(row[7]), rel=3e-7, abs=3e-7)


def test_float32_normals_track_the_float64_normals():
    elem = np.arange(10000)
    a = ps_random.randn(3, 9, elem, 1)
    b = ps_random.randn(3, 9, elem, 1, np.float32)
    # the float32 path uses the leading 24 bits of the same uniforms
    np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-4)


def test_uniforms_and_normals_have_the_right_moments():
    n = 100_000
    u = ps_random.rand(11, 0, np.arange(n), 0)
    z = ps_random.randn(11, 1, np.arange(n), 0)
    assert u.min() >= 0.0 and u.max() < 1.0 and np.isfinite(z).all()
    # 5 standard errors: mean of U(0,1) has sd 0.289/sqrt(n), its variance sd ~0.0745/sqrt(n)
    assert abs(u.mean() - 0.5) < 5 * 0.2887 / np.sqrt(n)
    assert abs(u.var() - 1 / 12) < 5 * 0.0745 / np.sqrt(n)
    assert abs(z.mean()) < 5 / np.sqrt(n)
    assert abs(z.std() - 1.0) < 5 * np.sqrt(0.5 / n)


def test_streams_steps_and_seeds_are_independent_and_repeatable():
    elem = np.arange(1000)
    base = ps_random.rand(1, 2, elem, 3)
    np.testing.assert_array_equal(base, ps_random.rand(1, 2, elem, 3))
    for other in (ps_random.rand(1, 2, elem, 4), ps_random.rand(1, 3, elem, 3),
                  ps_random.rand(2, 2, elem, 3)):
        assert abs(np.corrcoef(base, other)[0, 1]) < 0.15


KERNEL = r"""
#include "pyspike/philox.h"
__global__ void draw(float* out, double* out64, unsigned long long seed, unsigned long long step) {
    unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
    out[i] = ps_randn_f32(seed, step, i, 1u) + ps_rand_f32(seed, step, i, 2u);
#ifdef WITH_F64
    out64[i] = ps_rand_f64(seed, step, i, 3u) + ps_randn_f64(seed, step, i, 4u);
#endif
}
"""


@pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc is not on the PATH")
def test_the_header_compiles_for_the_gpu_and_float32_draws_use_no_double(tmp_path):
    (tmp_path / "k.cu").write_text(KERNEL)
    subprocess.run(["nvcc", "-std=c++17", "-arch=sm_80", f"-I{INCLUDE}", "-DWITH_F64", "-c",
                    str(tmp_path / "k.cu"), "-o", str(tmp_path / "k.o")], check=True)
    subprocess.run(["nvcc", "-std=c++17", "-arch=sm_80", f"-I{INCLUDE}", "-ptx",
                    str(tmp_path / "k.cu"), "-o", str(tmp_path / "k.ptx")], check=True)
    ptx = (tmp_path / "k.ptx").read_text()
    assert "ld.param.u64" in ptx or "ld.param.b64" in ptx      # the kernel is there
    assert ".f64" not in ptx
