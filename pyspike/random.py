"""Philox4x32-10 in NumPy: the twin of ``csrc/pyspike/philox.h``, bit for bit.

Every random number in pyspike is a pure function of (seed, step, element, stream): the
NumPy reference backend, the C++ backend and the CUDA backend draw the same numbers in
any order and on any number of threads.

>>> [hex(int(w)) for w in philox4x32_10(0, 0, 0, 0, 0, 0)]
['0x6627e8d5', '0xe169c58d', '0xbc57ac4c', '0x9b00dbd8']
>>> rand(1, 0, np.arange(3), 0).round(6).tolist()
[0.890259, 0.671998, 0.247401]
"""
from __future__ import annotations

from typing import Tuple

import numpy as np

_M0, _M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
_W0, _W1 = 0x9E3779B9, 0xBB67AE85
_MASK = np.uint64(0xFFFFFFFF)
_SHIFT = np.uint64(32)

Words = Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def philox4x32_10(c0, c1, c2, c3, k0: int, k1: int) -> Words:
    """Ten Philox rounds on counters (c0..c3) with key (k0, k1); arrays broadcast."""
    x, y, z, w = np.broadcast_arrays(*[np.asarray(c, dtype=np.uint64) for c in (c0, c1, c2, c3)])
    k0, k1 = int(k0) & 0xFFFFFFFF, int(k1) & 0xFFFFFFFF
    for round_ in range(10):
        if round_:
            k0, k1 = (k0 + _W0) & 0xFFFFFFFF, (k1 + _W1) & 0xFFFFFFFF
        p0, p1 = _M0 * x, _M1 * z          # exact: both factors < 2**32
        x, y, z, w = ((p1 >> _SHIFT) ^ y ^ np.uint64(k0), p1 & _MASK,
                      (p0 >> _SHIFT) ^ w ^ np.uint64(k1), p0 & _MASK)
    return tuple(v.astype(np.uint32) for v in (x, y, z, w))


def philox_draw(seed: int, step: int, elem, stream: int) -> Words:
    """The four words for counter (elem, step low, step high, stream) and key seed."""
    elem = np.asarray(elem).astype(np.uint64) & _MASK
    step, seed = int(step), int(seed)
    return philox4x32_10(elem, step & 0xFFFFFFFF, (step >> 32) & 0xFFFFFFFF,
                         int(stream) & 0xFFFFFFFF, seed & 0xFFFFFFFF, (seed >> 32) & 0xFFFFFFFF)


def _u01_f64(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    hi = (a >> np.uint32(5)).astype(np.float64)
    lo = (b >> np.uint32(6)).astype(np.float64)
    return (hi * 67108864.0 + lo) * (1.0 / 9007199254740992.0)


def _u01_f32(a: np.ndarray) -> np.ndarray:
    return (a >> np.uint32(8)).astype(np.float32) * np.float32(1.0 / 16777216.0)


def rand(seed: int, step: int, elem, stream: int, dtype=np.float64) -> np.ndarray:
    """Uniform numbers in [0, 1), one per element of ``elem``.

    >>> rand(7, 3, np.arange(4), 2, dtype=np.float32).dtype
    dtype('float32')
    """
    x, y, _, _ = philox_draw(seed, step, elem, stream)
    if np.dtype(dtype) == np.float32:
        return _u01_f32(x)
    return _u01_f64(x, y)


def randn(seed: int, step: int, elem, stream: int, dtype=np.float64) -> np.ndarray:
    """Standard normal numbers (Box-Muller), one per element of ``elem``.

    The float32 path uses the leading bits of the float64 path's uniforms, so both
    precisions see the same numbers to rounding.

    >>> abs(float(randn(1, 0, np.arange(10000), 5).mean())) < 0.05
    True
    """
    x, y, z, w = philox_draw(seed, step, elem, stream)
    if np.dtype(dtype) == np.float32:
        u1 = np.float32(1.0) - _u01_f32(x)
        u2 = _u01_f32(z)
        return np.sqrt(np.float32(-2.0) * np.log(u1)) * np.cos(np.float32(6.2831855) * u2)
    u1 = 1.0 - _u01_f64(x, y)
    u2 = _u01_f64(z, w)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(6.283185307179586 * u2)
