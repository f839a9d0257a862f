"""Philox4x32-10: known answers, the C++/CUDA header equals its NumPy twin, statistics."""
import os
import re
import shutil
import subprocess

import numpy as np
import pytest

import pyspike
import pyspike.codegen
from pyspike import random as ps_random

#: Where the installed package keeps the headers the generated code includes.
# the headers sit beside codegen/ both in the source tree and once installed
INCLUDE = os.path.join(os.path.dirname(os.path.dirname(pyspike.codegen.__file__)), "csrc")

needs_gxx = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is not on the PATH")
needs_nvcc = pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc is not on the PATH")

KNOWN_ANSWERS = [  # Random123's kat_vectors for philox4x32_10
    ((0, 0, 0, 0), (0, 0), (0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8)),
    ((0xffffffff,) * 4, (0xffffffff, 0xffffffff),
     (0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd)),
    ((0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344), (0xa4093822, 0x299f31d0),
     (0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1)),
]

#: (seed, step, elem, stream), 64-bit seeds and steps on both sides of 2**32.
GRID = [(seed, step, elem, stream)
        for seed in (0, 1, 0xFFFFFFFF, 2 ** 32 + 5, 2 ** 64 - 1)
        for step in (0, 7, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 3)
        for elem in (0, 1, 12345, 2 ** 32 - 1)
        for stream in (0, 1, 2 ** 16 + 3, 2 ** 32 - 1)]

#: Words at the edges of the uniform conversions (0, all ones, the bits that are dropped).
EDGE_WORDS = [(0, 0), (0, 63), (0, 64), (31, 0), (32, 0), (255, 0), (256, 0),
              (0xFFFFFFFF, 0xFFFFFFFF), (0x80000000, 0), (0xFFFFFFE0, 0xFFFFFFC0)]

#: One run of consecutive elements, to compare the normals over many values.
RUN = (2 ** 33 + 17, 2 ** 35 + 1, 20000, 9)   # seed, step, n, stream

#: (seed, step, first element, count, stream) of the pair fills the C++ loops use.
# (seed, step, e0, n, stream): one chunk of blocks and several (more than 256 draws), odd
# counts, a start that is no multiple of the vector width
PAIR_FILLS = [(1, 0, 0, 256, 7), (2 ** 40 + 3, 2 ** 33, 512, 255, 2 ** 20), (5, 9, 2, 1, 0),
              (6, 1, 10, 1000, 3), (7, 2, 4006, 517, 1)]
#: The same for the normals' fills, which start at multiples of 64: whole chunks (512),
# several, partial groups of 64, a single element.
NORMAL_FILLS = [(1, 0, 0, 512, 7), (2 ** 40 + 3, 2 ** 33, 512, 255, 2 ** 20), (5, 9, 64, 1, 0),
                (6, 1, 128, 1000, 3), (7, 2, 4032, 517, 1), (8, 3, 2 ** 32 - 1024, 1000, 2)]

PROGRAM = r"""
#include <stdio.h>
#define PS_PAIR_FILLS 1            /* the fills of the CPU loops too */
#include "pyspike/philox.h"
#include "pyspike/philox.h"   /* #pragma once: a second include is harmless */

static void row(unsigned long long seed, unsigned long long step, unsigned elem, unsigned stream)
{
    ps_u32x4 r = ps_philox_draw(seed, step, elem, stream);
    printf("%u %u %u %u %a %a %a %a\n", r.x, r.y, r.z, r.w,
           ps_rand_f64(seed, step, elem, stream), (double)ps_rand_f32(seed, step, elem, stream),
           ps_randn_f64(seed, step, elem, stream), (double)ps_randn_f32(seed, step, elem, stream));
}

int main() {
    char mode;
    while (scanf(" %c", &mode) == 1) {
        if (mode == 'K') {          /* K c0 c1 c2 c3 k0 k1: the bare generator */
            unsigned c0, c1, c2, c3, k0, k1;
            if (scanf("%u %u %u %u %u %u", &c0, &c1, &c2, &c3, &k0, &k1) != 6) return 1;
            ps_u32x4 c = {c0, c1, c2, c3};
            ps_u32x4 r = ps_philox4x32_10(c, k0, k1);
            printf("%u %u %u %u\n", r.x, r.y, r.z, r.w);
        } else if (mode == 'U') {   /* U a b: the conversions to uniforms */
            unsigned a, b;
            if (scanf("%u %u", &a, &b) != 2) return 1;
            printf("%a %a\n", ps_u01_f64(a, b), (double)ps_u01_f32(a));
        } else if (mode == 'D') {   /* D seed step elem stream: one draw of everything */
            unsigned long long seed, step; unsigned elem, stream;
            if (scanf("%llu %llu %u %u", &seed, &step, &elem, &stream) != 4) return 1;
            row(seed, step, elem, stream);
        } else if (mode == 'P' || mode == 'N') {
            /* P|N seed step e0 n stream: uniforms' pair fills | normals' fills vs one by one */
            unsigned long long seed, step; unsigned e0, stream; int n;
            if (scanf("%llu %llu %u %d %u", &seed, &step, &e0, &n, &stream) != 5) return 1;
            double d[1025]; float f[1025];
            d[n] = f[n] = -1;   /* the normals' fills must leave out[n] alone */
            if (mode == 'P') {
                ps_rand_pairs_f64(seed, step, e0, stream, n, d);
                ps_rand_pairs_f32(seed, step, e0, stream, n, f);
            } else {
                ps_randn_fill_f64(seed, step, e0, stream, n, d);
                ps_randn_fill_f32(seed, step, e0, stream, n, f);
            }
            int same = mode == 'P' || (d[n] == -1 && f[n] == -1);
            for (int k = 0; k < n; ++k)
                same &= mode == 'P' ? d[k] == ps_rand_f64(seed, step, e0 + k, stream) &&
                                      f[k] == ps_rand_f32(seed, step, e0 + k, stream)
                                    : d[k] == ps_randn_f64(seed, step, e0 + k, stream) &&
                                      f[k] == ps_randn_f32(seed, step, e0 + k, stream);
            printf("%s\n", same ? "same" : "different");
        } else if (mode == 'R') {   /* R seed step n stream: elements 0..n-1 */
            unsigned long long seed, step; unsigned n, stream;
            if (scanf("%llu %llu %u %u", &seed, &step, &n, &stream) != 4) return 1;
            for (unsigned i = 0; i < n; ++i) row(seed, step, i, stream);
        } else {
            return 2;
        }
    }
    return 0;
}
"""


def _run_cpp(folder, stdin, flags=()):
    (folder / "p.cpp").write_text(PROGRAM)
    subprocess.run(["g++", "-O2", "-std=c++17", "-Wall", "-Wextra", "-Werror", *flags,
                    f"-I{INCLUDE}",
                    str(folder / "p.cpp"), "-o", str(folder / "p")], check=True)
    out = subprocess.run([str(folder / "p")], input=stdin, capture_output=True, text=True,
                         check=True).stdout
    return [line.split() for line in out.splitlines() if line]


@pytest.fixture(scope="module")
def cpp(tmp_path_factory):
    """The C++ header's answers: known answers, uniform edges, the grid, then one run."""
    lines = [f"K {' '.join(map(str, c + k))}" for c, k, _ in KNOWN_ANSWERS]
    lines += [f"U {a} {b}" for a, b in EDGE_WORDS]
    lines += [f"D {' '.join(map(str, g))}" for g in GRID]
    lines.append(f"R {' '.join(map(str, RUN))}")
    rows = _run_cpp(tmp_path_factory.mktemp("philox"), "\n".join(lines) + "\n")
    a, b, c, d = len(KNOWN_ANSWERS), len(EDGE_WORDS), len(GRID), RUN[2]
    assert len(rows) == a + b + c + d
    return {"kat": rows[:a], "edges": rows[a:a + b], "grid": rows[a + b:a + b + c],
            "run": rows[a + b + c:a + b + c + d]}


# the pair fills have a path per instruction set: portable (any CPU), AVX2, AVX-512
ISA_FLAGS = {"portable": (), "avx2": ("-mavx2",), "avx512": ("-mavx512f",)}


def _cpu_has(isa):
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line for line in f if line.startswith("flags")), "").split()
    except OSError:
        return False
    return {"avx2": "avx2", "avx512": "avx512f"}[isa] in flags


def _f32(hex_text):
    return np.float32(float.fromhex(hex_text))


# --- the generator ----------------------------------------------------------------------------

@pytest.mark.parametrize("counter,key,expected", KNOWN_ANSWERS)
def test_numpy_philox_reproduces_the_random123_known_answers(counter, key, expected):
    words = ps_random.philox4x32_10(*counter, *key)
    assert all(w.dtype == np.uint32 for w in words)
    assert tuple(int(w) for w in words) == expected


@needs_gxx
def test_cpp_philox_reproduces_the_random123_known_answers(cpp):
    assert [tuple(int(w) for w in row) for row in cpp["kat"]] == \
        [expected for _, _, expected in KNOWN_ANSWERS]


def test_philox_broadcasts_counters_and_keys_and_matches_one_at_a_time():
    elem = np.arange(6, dtype=np.uint32)
    keys = np.array([0, 1, 2 ** 32 - 1, 7, 7, 123456789], dtype=np.uint64)
    words = ps_random.philox4x32_10(elem, 5, 0, 3, keys, 2 ** 31)
    assert all(w.shape == (6,) and w.dtype == np.uint32 for w in words)
    for i in range(6):
        one = ps_random.philox4x32_10(int(elem[i]), 5, 0, 3, int(keys[i]), 2 ** 31)
        assert [int(w[i]) for w in words] == [int(w) for w in one]


def test_draw_puts_element_step_and_stream_in_the_counter_and_the_seed_in_the_key():
    seed, step, stream = 2 ** 40 + 99, 2 ** 36 + 5, 77
    expected = ps_random.philox4x32_10(
        np.arange(4), step & 0xFFFFFFFF, step >> 32, stream, seed & 0xFFFFFFFF, seed >> 32)
    got = ps_random.philox_draw(seed, step, np.arange(4), stream)
    for e, g in zip(expected, got):
        np.testing.assert_array_equal(g, e)


# --- the C++ header equals the NumPy twin --------------------------------------------------------

@needs_gxx
def test_cpp_and_numpy_convert_words_to_the_same_uniforms(cpp):
    for (a, b), (f64, f32) in zip(EDGE_WORDS, cpp["edges"]):
        wa, wb = np.array([a], np.uint32), np.array([b], np.uint32)
        u64, u32 = ps_random.u01_f64(wa, wb)[0], ps_random.u01_f32(wa)[0]
        assert u64.hex() == float.fromhex(f64).hex()
        assert u32 == _f32(f32) and u32.dtype == np.float32
        assert 0.0 <= u64 < 1.0 and 0.0 <= u32 < 1.0
    assert ps_random.u01_f64(np.uint32(0xFFFFFFFF), np.uint32(0xFFFFFFFF)) == 1 - 2.0 ** -53
    assert ps_random.u01_f32(np.uint32(0xFFFFFFFF)) == np.float32(1 - 2.0 ** -24)


@needs_gxx
def test_cpp_and_numpy_give_the_same_words_and_bitwise_the_same_uniforms(cpp):
    for (seed, step, elem, stream), row in zip(GRID, cpp["grid"]):
        words = [int(w[0]) for w in ps_random.philox_draw(seed, step, [elem], stream)]
        assert words == [int(x) for x in row[:4]], (seed, step, elem, stream)
        u64 = ps_random.rand(seed, step, [elem], stream)[0]
        u32 = ps_random.rand(seed, step, [elem], stream, dtype=np.float32)[0]
        assert float(u64).hex() == float.fromhex(row[4]).hex()
        assert u32.dtype == np.float32 and float(u32).hex() == float.fromhex(row[5]).hex()


def _assert_normals_agree(n64, n32, rows):
    # bit for bit: Box-Muller uses only IEEE-rounded operations and our own polynomials
    c64 = np.array([float.fromhex(r[6]) for r in rows])
    c32 = np.array([_f32(r[7]) for r in rows], dtype=np.float32)
    np.testing.assert_array_equal(n64, c64)
    np.testing.assert_array_equal(n32, c32)
    np.testing.assert_array_equal(c64, c32.astype(np.float64))


@needs_gxx
def test_cpp_and_numpy_give_bitwise_the_same_normals_over_the_grid(cpp):
    n64 = np.array([ps_random.randn(s, t, [e], c)[0] for s, t, e, c in GRID])
    n32 = np.array([ps_random.randn(s, t, [e], c, dtype=np.float32)[0] for s, t, e, c in GRID])
    assert n32.dtype == np.float32
    _assert_normals_agree(n64, n32, cpp["grid"])


@needs_gxx
def test_cpp_and_numpy_agree_on_a_long_run_of_elements(cpp):
    seed, step, n, stream = RUN
    elem = np.arange(n)
    rows = cpp["run"]
    words = ps_random.philox_draw(seed, step, elem, stream)
    for k in range(4):
        np.testing.assert_array_equal(words[k], np.array([int(r[k]) for r in rows], np.uint32))
    np.testing.assert_array_equal(ps_random.rand(seed, step, elem, stream),
                                  [float.fromhex(r[4]) for r in rows])
    np.testing.assert_array_equal(ps_random.rand(seed, step, elem, stream, dtype=np.float32),
                                  np.array([_f32(r[5]) for r in rows], dtype=np.float32))
    _assert_normals_agree(ps_random.randn(seed, step, elem, stream),
                          ps_random.randn(seed, step, elem, stream, dtype=np.float32), rows)


@needs_gxx
def test_the_header_links_into_several_translation_units(tmp_path):
    # static inline functions and no global state: two objects including it link together
    for name in ("a", "b"):
        (tmp_path / f"{name}.cpp").write_text(
            '#include "pyspike/philox.h"\n'
            f"double draw_{name}(unsigned i) {{ return ps_randn_f64(1, 2, i, 3); }}\n"
            + ("double draw_b(unsigned);\nint main() { return draw_a(0) == draw_b(0) ? 0 : 1; }\n"
               if name == "a" else ""))
    subprocess.run(["g++", "-O2", "-std=c++17", f"-I{INCLUDE}", str(tmp_path / "a.cpp"),
                    str(tmp_path / "b.cpp"), "-o", str(tmp_path / "ab")], check=True)
    subprocess.run([str(tmp_path / "ab")], check=True)


# --- CUDA ------------------------------------------------------------------------------------

KERNEL = r"""
#include "pyspike/philox.h"
__global__ void draw_mixed(float* out, double* out64, unsigned long long seed,
                           unsigned long long step) {
    unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
    out[i] = ps_randn_f32(seed, step, i, 1u);
    out64[i] = ps_rand_f64(seed, step, i, 2u) + ps_randn_f64(seed, step, i, 3u);
}
"""

KERNEL_F32 = r"""
#include "pyspike/philox.h"
__global__ void draw_single(float* out, unsigned long long seed, unsigned long long step) {
    unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
    out[i] = ps_randn_f32(seed, step, i, 1u) + ps_rand_f32(seed, step, i, 2u);
}
"""


@needs_nvcc
def test_the_header_compiles_with_nvcc_for_sm_80(tmp_path):
    (tmp_path / "k.cu").write_text(KERNEL)
    subprocess.run(["nvcc", "-std=c++17", "-arch=sm_80", f"-I{INCLUDE}", "-c",
                    str(tmp_path / "k.cu"), "-o", str(tmp_path / "k.o")], check=True)
    assert (tmp_path / "k.o").stat().st_size > 0


@needs_nvcc
def test_float32_draws_on_the_gpu_use_no_double_precision(tmp_path):
    (tmp_path / "k.cu").write_text(KERNEL_F32)
    subprocess.run(["nvcc", "-std=c++17", "-arch=sm_80", f"-I{INCLUDE}", "-ptx",
                    str(tmp_path / "k.cu"), "-o", str(tmp_path / "k.ptx")], check=True)
    ptx = (tmp_path / "k.ptx").read_text()
    assert re.search(r"\.entry\s+\S*draw_single", ptx)           # the kernel is there
    assert re.search(r"\bfma\.rn\.f32\b", ptx)                   # ... computing in float
    assert ".f64" not in ptx, [ln for ln in ptx.splitlines() if ".f64" in ln][:5]


# --- statistics and identity -----------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_uniforms_and_normals_have_the_right_moments(dtype):
    n = 100_000
    u = ps_random.rand(11, 0, np.arange(n), 0, dtype=dtype)
    z = ps_random.randn(11, 1, np.arange(n), 0, dtype=dtype)
    assert u.dtype == dtype and z.dtype == dtype
    assert u.min() >= 0.0 and u.max() < 1.0
    assert np.isfinite(z).all()          # u1 = 1 - u lies in (0, 1]: log never sees 0
    u, z = u.astype(np.float64), z.astype(np.float64)
    # 5 standard errors.  U(0,1): sd 1/sqrt(12) = 0.2887; the sample variance has sd
    # sqrt((mu4 - sigma^4)/n) with mu4 = 1/80, sigma^4 = 1/144 -> 0.0745/sqrt(n).
    # N(0,1): the mean has sd 1/sqrt(n), the sample sd has sd sqrt(1/(2n)).
    assert abs(u.mean() - 0.5) < 5 * 0.2887 / np.sqrt(n)
    assert abs(u.var() - 1 / 12) < 5 * 0.0745 / np.sqrt(n)
    assert abs(z.mean()) < 5 / np.sqrt(n)
    assert abs(z.std() - 1.0) < 5 * np.sqrt(0.5 / n)
    # tails of a normal: P(|z| > 2) = 0.0455, binomial sd sqrt(p(1-p)/n)
    p = 0.0455
    assert abs(np.mean(np.abs(z) > 2) - p) < 5 * np.sqrt(p * (1 - p) / n)


def test_float32_uniforms_are_the_leading_bits_of_the_float64_uniforms():
    elem = np.arange(10_000)
    u64 = ps_random.rand(5, 6, elem, 7)
    u32 = ps_random.rand(5, 6, elem, 7, dtype=np.float32)
    np.testing.assert_array_equal(u32.astype(np.float64), np.floor(u64 * 2 ** 24) / 2 ** 24)


def test_same_arguments_give_identical_numbers():
    elem = np.arange(1000)
    for fn in (ps_random.rand, ps_random.randn):
        for dtype in (np.float64, np.float32):
            a = fn(2 ** 40 + 1, 2 ** 33 + 2, elem, 3, dtype=dtype)
            b = fn(2 ** 40 + 1, 2 ** 33 + 2, elem.astype(np.uint32), 3, dtype=dtype)
            np.testing.assert_array_equal(a, b)
    # an element's number does not depend on which other elements are drawn with it
    whole = ps_random.randn(4, 5, elem, 6)
    np.testing.assert_array_equal(ps_random.randn(4, 5, elem[::-7], 6), whole[::-7])
    assert ps_random.randn(4, 5, 321, 6) == whole[321]


@pytest.mark.parametrize("change", ["seed", "seed_high", "step", "step_high", "stream"])
def test_different_seeds_steps_and_streams_give_different_sequences(change):
    elem = np.arange(1000)
    base = dict(seed=1, step=2, stream=3)
    other = dict(base)
    other[change.split("_")[0]] += 2 ** 32 if change.endswith("_high") else 1
    a = ps_random.rand(elem=elem, **base)
    b = ps_random.rand(elem=elem, **other)
    assert np.mean(a == b) < 0.01
    # independent-looking: the correlation of uncorrelated U(0,1) samples has sd 1/sqrt(n)
    assert abs(np.corrcoef(a, b)[0, 1]) < 5 / np.sqrt(elem.size)


@needs_gxx
@pytest.mark.parametrize("isa", list(ISA_FLAGS))
def test_the_fills_of_the_cpu_loops_give_the_draws_one_by_one(isa, tmp_path):
    if isa != "portable" and not _cpu_has(isa):
        pytest.skip(f"this CPU cannot run {isa} code")
    stdin = "".join(f"P {' '.join(map(str, p))}\n" for p in PAIR_FILLS)
    stdin += "".join(f"N {' '.join(map(str, p))}\n" for p in NORMAL_FILLS)
    assert _run_cpp(tmp_path, stdin, ISA_FLAGS[isa]) == \
        [["same"]] * (len(PAIR_FILLS) + len(NORMAL_FILLS))


def test_the_two_uniforms_of_a_block_are_independent():
    u = ps_random.rand(8, 9, np.arange(200_000), 0)
    assert abs(np.corrcoef(u[0::2], u[1::2])[0, 1]) < 5 / np.sqrt(u.size / 2)


def test_the_four_normals_of_a_block_are_independent():
    # element 16 p + j of a group of 64 is part p of block j: parts 0 and 1 (2 and 3) are
    # the cos and sin of one pair, parts 0 and 2 come from different words
    z = ps_random.randn(8, 9, np.arange(256_000), 0).reshape(-1, 4, 16)
    parts = [z[:, p, :].ravel() for p in range(4)]
    bound = 5 / np.sqrt(parts[0].size)
    for a, b in [(0, 1), (2, 3), (0, 2), (1, 3)]:
        assert abs(np.corrcoef(parts[a], parts[b])[0, 1]) < bound
        # cos and sin share one radius, yet their squares are uncorrelated, as independent
        # normals' are
        assert abs(np.corrcoef(parts[a] ** 2, parts[b] ** 2)[0, 1]) < bound
    assert all(abs(p.std() - 1) < 0.01 for p in parts)


def test_neighbouring_elements_are_uncorrelated():
    z = ps_random.randn(8, 9, np.arange(100_001), 0)
    assert abs(np.corrcoef(z[:-1], z[1:])[0, 1]) < 5 / np.sqrt(z.size)


def test_other_dtypes_are_refused():
    with pytest.raises(ValueError):
        ps_random.rand(1, 2, np.arange(3), 4, dtype=np.float16)


def test_float64_normals_are_the_float32_normals_widened():
    elem = np.arange(10_000)
    a = ps_random.randn(3, 9, elem, 1)
    b = ps_random.randn(3, 9, elem, 1, dtype=np.float32)
    assert a.dtype == np.float64 and b.dtype == np.float32
    np.testing.assert_array_equal(a, b.astype(np.float64))
