"""The standard normals: Box-Muller in float32 arithmetic, the same bits on every backend.

What is checked here against exact (float64) mathematics; that the C++ header computes the
same bits as this NumPy twin is checked in test_random.py.
"""
import math
import os
import re
import shutil
import subprocess

import numpy as np
import pytest

import pyspike.codegen
from pyspike import random as ps_random
from pyspike.toolchain.compile_cuda import NVCC_FLAGS

INCLUDE = os.path.join(os.path.dirname(os.path.dirname(pyspike.codegen.__file__)), "csrc")
needs_nvcc = pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc is not on the PATH")


def _ulps(approx: np.ndarray, exact: np.ndarray) -> np.ndarray:
    """|approx - exact| in float32 ulps of the exact value (float64)."""
    spacing = np.spacing(np.abs(exact).astype(np.float32)).astype(np.float64)
    return np.abs(approx.astype(np.float64) - exact) / spacing


def test_log_is_within_1_3_ulp_over_the_unit_interval():
    # every 61st float from 2**-32 (the smallest uniform) to 1, and the edges: 4.4 million
    # values, 1.2 ulp at worst (every float, checked once by hand, gives the same bound)
    lo, hi = np.float32(2.0 ** -32).view(np.uint32), np.float32(1.0).view(np.uint32)
    bits = np.concatenate([np.arange(lo, hi + 1, 61, dtype=np.uint32),
                           np.array([lo, lo + 1, hi - 1, hi], dtype=np.uint32)])
    u = bits.view(np.float32)
    err = _ulps(ps_random._log_unit(u), np.log(u.astype(np.float64)))
    assert err.max() < 1.3
    assert ps_random._log_unit(np.array([1.0], np.float32))[0] == 0.0


def test_cos_and_sin_are_within_1_8_ulp_for_every_angle():
    # every angle v = n / 2**24 (Box-Muller's angle has 24 bits); the exact values from
    # the quarter turn q nearest to v and the remainder r (exact in float64), so that the
    # reference does not lose digits near the zeros of cos and sin
    n = np.arange(2 ** 24, dtype=np.int64)
    c, s = ps_random._cos_sin_turn(np.left_shift(n.astype(np.uint32), np.uint32(8)))
    q = (n + 2 ** 21) >> 22
    r = (n - (q << 22)) / 2 ** 24
    cr, sr = np.cos(2 * np.pi * r), np.sin(2 * np.pi * r)
    quarter = q % 4
    cos_exact = np.choose(quarter, [cr, -sr, -cr, sr])
    sin_exact = np.choose(quarter, [sr, cr, -sr, -cr])
    zero = cos_exact == 0
    assert (c[zero] == 0).all() and (s[sin_exact == 0] == 0).all()
    assert _ulps(c[~zero], cos_exact[~zero]).max() < 1.8
    assert _ulps(s[sin_exact != 0], sin_exact[sin_exact != 0]).max() < 1.8


def test_the_quadrants_rotate_cos_and_sin_exactly():
    # the same remainder in the four quadrants: (c, s), (-s, c), (-c, -s), (s, -c)
    m = np.array([0, 1, 12345, 2 ** 21 - 1, -1, -2 ** 21], dtype=np.int64)
    turns = [ps_random._cos_sin_turn((((m + q * 2 ** 22) % 2 ** 24) << 8).astype(np.uint32))
             for q in range(4)]
    (c0, s0), (c1, s1), (c2, s2), (c3, s3) = turns
    for got, want in [(c1, -s0), (s1, c0), (c2, -c0), (s2, -s0), (c3, s0), (s3, -c0)]:
        np.testing.assert_array_equal(got, want)


def test_the_radius_reaches_6_66_standard_deviations_and_never_overflows():
    words = np.array([0, 1, 2, 0xFFFFFFFE, 0xFFFFFFFF], dtype=np.uint32)
    c, _ = ps_random._box_muller(words, np.zeros_like(words))   # angle 0: c is the radius
    assert np.isfinite(c).all() and (c >= 0).all()
    # u = (0 + 1/2) / 2**31 = 2**-32: sqrt(-2 log 2**-32) = 6.660...
    assert c[0] == pytest.approx(math.sqrt(64 * math.log(2)), rel=1e-6)
    assert c[-1] == 0.0                                           # u = 1


def _normal_cdf(x):
    return 0.5 * math.erfc(-x / math.sqrt(2))


def test_normals_follow_the_standard_normal_distribution():
    n = 1_000_000
    z = ps_random.randn(12, 34, np.arange(n), 5).astype(np.float64)
    # chi-square over 40 equiprobable-ish bins plus the two tails beyond 4 sd
    edges = np.concatenate([[-np.inf], np.linspace(-4, 4, 41), [np.inf]])
    expected = n * np.diff([_normal_cdf(e) if np.isfinite(e) else float(e > 0) for e in edges])
    observed = np.histogram(z, bins=edges)[0]
    chi2 = float(np.sum((observed - expected) ** 2 / expected))
    # 41 degrees of freedom: mean 41, sd 9; 5 sd above the mean fails
    assert chi2 < 41 + 5 * math.sqrt(2 * 41), chi2
    assert np.abs(z).max() <= 6.67


def test_moments_of_float32_normals_over_a_million_draws():
    n = 1_000_000
    z = ps_random.randn(3, 4, np.arange(n), 1, dtype=np.float32).astype(np.float64)
    # standard errors: mean 1/sqrt(n), variance sqrt(2/n), third moment sqrt(15/n),
    # fourth moment sqrt(96/n); 5 of them each
    assert abs(z.mean()) < 5 / math.sqrt(n)
    assert abs((z ** 2).mean() - 1) < 5 * math.sqrt(2 / n)
    assert abs((z ** 3).mean()) < 5 * math.sqrt(15 / n)
    assert abs((z ** 4).mean() - 3) < 5 * math.sqrt(96 / n)


def test_64_elements_take_the_four_parts_of_16_blocks():
    seed, step, stream = 9, 8, 7
    x, y, z, w = ps_random.philox_draw(seed, step, np.arange(16, 32), stream)  # group 1
    c_xy, s_xy = ps_random._box_muller(x, y)
    c_zw, s_zw = ps_random._box_muller(z, w)
    got = ps_random.randn(seed, step, np.arange(64, 128), stream, dtype=np.float32)
    np.testing.assert_array_equal(got, np.concatenate([c_xy, s_xy, c_zw, s_zw]))


KERNEL = r"""
#include "pyspike/philox.h"
__global__ void normals(float* out, double* out64, unsigned long long seed) {
    unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
    out[i] = ps_randn_f32(seed, 3, i, 1u);
    out64[i] = ps_randn_f64(seed, 3, i, 2u);
}
"""


@needs_nvcc
def test_the_gpu_computes_normals_without_fused_multiply_adds(tmp_path):
    # with the backend's flags (--fmad=false) every product and sum rounds on its own, as
    # on the CPU and in NumPy: the GPU's normals are the same bits
    (tmp_path / "k.cu").write_text(KERNEL)
    flags = [f for f in NVCC_FLAGS if f != "-shared"]
    subprocess.run(["nvcc", *flags, "-arch=sm_80", f"-I{INCLUDE}", "-ptx",
                    str(tmp_path / "k.cu"), "-o", str(tmp_path / "k.ptx")], check=True)
    ptx = (tmp_path / "k.ptx").read_text()
    assert re.search(r"\bmul\.rn\.f32\b", ptx) and re.search(r"\bsqrt\.rn\.f32\b", ptx)
    assert not re.search(r"\bfma\.", ptx)
    assert not re.search(r"\b(lg2|ex2|sin|cos)\.approx", ptx)      # no library math
