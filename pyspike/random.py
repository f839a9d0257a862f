"""Philox4x32-10 in NumPy: the twin of ``csrc/pyspike/philox.h``, bit for bit.

Every random number in pyspike is a pure function of (seed, step, element, stream): the
NumPy reference backend, the C++ backend and the CUDA backend draw the same numbers in
any order and on any number of threads.  The integers, the uniforms and the normals
equal the C++ header's bit for bit.

>>> [hex(int(w)) for w in philox4x32_10(0, 0, 0, 0, 0, 0)]
['0x6627e8d5', '0xe169c58d', '0xbc57ac4c', '0x9b00dbd8']
>>> u = rand(1, 0, np.arange(3), 0)
>>> u.dtype, bool(((0 <= u) & (u < 1)).all())
(dtype('float64'), True)
"""
from __future__ import annotations

from typing import Tuple, Union

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

__all__ = ["philox4x32_10", "philox_draw", "rand", "randn"]

_M0, _M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
_W0, _W1 = 0x9E3779B9, 0xBB67AE85
_MASK32 = 0xFFFFFFFF
_MASK = np.uint64(_MASK32)
_SHIFT = np.uint64(32)
_BLOCK = 16384          # elements per block of the vectorised rounds (6 x 128 KiB)

Words = Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _as_u64(value: ArrayLike) -> np.ndarray:
    """The low 32 bits of integer scalars/arrays, as uint64 (negative values wrap)."""
    if isinstance(value, (int, np.integer)):
        return np.asarray(int(value) & _MASK32, dtype=np.uint64)
    arr = np.asarray(value)
    if arr.dtype.kind not in "iub":
        raise TypeError(f"Philox counters and keys are integers, not {arr.dtype}")
    # a signed -> unsigned cast of the same width wraps modulo 2**64; the mask keeps 32 bits
    return arr.astype(np.uint64) & _MASK


def philox4x32_10(c0: ArrayLike, c1: ArrayLike, c2: ArrayLike, c3: ArrayLike,
                  k0: ArrayLike, k1: ArrayLike) -> Words:
    """Ten Philox4x32 rounds on counter (c0, c1, c2, c3) with key (k0, k1).

    All six arguments are integers or integer arrays (only their low 32 bits count) and
    broadcast against each other.  The result is four ``uint32`` arrays of the broadcast
    shape, as Random123's ``philox4x32_R(10, ...)``.

    >>> x, y, z, w = philox4x32_10(*[0xffffffff] * 6)
    >>> [hex(int(v)) for v in (x, y, z, w)]
    ['0x408f276d', '0x41c83b0e', '0xa20bc7c6', '0x6d5451fd']
    >>> philox4x32_10(np.arange(5), 0, 0, 0, 7, 0)[0].shape
    (5,)
    """
    counters = [_as_u64(c) for c in (c0, c1, c2, c3)]
    if not (isinstance(k0, (int, np.integer)) and isinstance(k1, (int, np.integer))):
        return _philox_array_keys(counters, _as_u64(k0), _as_u64(k1))
    keys, key0, key1 = [], int(k0) & _MASK32, int(k1) & _MASK32
    for _ in range(10):                  # the key schedule, in Python integers
        keys.append((np.uint64(key0), np.uint64(key1)))
        key0, key1 = (key0 + _W0) & _MASK32, (key1 + _W1) & _MASK32

    shape = np.broadcast_shapes(*(c.shape for c in counters))
    n = int(np.prod(shape, dtype=np.int64))
    flat = [c if c.ndim == 0 else np.broadcast_to(c, shape).reshape(-1) for c in counters]
    out = [np.empty(n, dtype=np.uint32) for _ in range(4)]
    # Blocks small enough to stay in cache, every operation in place into preallocated
    # buffers: allocating fresh 64-bit temporaries costs more than the arithmetic.
    size = min(n, _BLOCK)
    x, y, z, w, p0, p1 = (np.empty(size, dtype=np.uint64) for _ in range(6))
    for start in range(0, n, _BLOCK):
        m = min(_BLOCK, n - start)
        X, Y, Z, W, P0, P1 = x[:m], y[:m], z[:m], w[:m], p0[:m], p1[:m]
        for buf, c in zip((X, Y, Z, W), flat):
            buf[...] = c if c.ndim == 0 else c[start:start + m]
        for a, b in keys:
            np.multiply(X, _M0, out=P0)      # exact in uint64: both factors are below 2**32
            np.multiply(Z, _M1, out=P1)
            np.bitwise_xor(Y, a, out=Y)      # x' = hi(M1 z) ^ y ^ k0 ; y' = lo(M1 z)
            np.right_shift(P1, _SHIFT, out=X)
            np.bitwise_xor(X, Y, out=X)
            np.bitwise_and(P1, _MASK, out=Y)
            np.bitwise_xor(W, b, out=W)      # z' = hi(M0 x) ^ w ^ k1 ; w' = lo(M0 x)
            np.right_shift(P0, _SHIFT, out=Z)
            np.bitwise_xor(Z, W, out=Z)
            np.bitwise_and(P0, _MASK, out=W)
        for o, v in zip(out, (X, Y, Z, W)):
            o[start:start + m] = v
    return tuple(o.reshape(shape) for o in out)


def _philox_array_keys(counters, key0: np.ndarray, key1: np.ndarray) -> Words:
    """``philox4x32_10`` for keys that vary across the broadcast (plain, allocating)."""
    x, y, z, w, key0, key1 = np.broadcast_arrays(*counters, key0, key1)
    for round_ in range(10):
        k0 = (key0 + np.uint64(round_ * _W0)) & _MASK
        k1 = (key1 + np.uint64(round_ * _W1)) & _MASK
        p0, p1 = x * _M0, z * _M1
        x, y, z, w = ((p1 >> _SHIFT) ^ y ^ k0, p1 & _MASK,
                      (p0 >> _SHIFT) ^ w ^ k1, p0 & _MASK)
    return tuple(np.asarray(v).astype(np.uint32) for v in (x, y, z, w))


def philox_draw(seed: int, step: int, elem: Union[np.ndarray, int], stream: int) -> Words:
    """The four words of ``ps_philox_draw``: counter (elem, step low, step high, stream)
    and key (seed low, seed high), for 64-bit ``seed`` and ``step``.

    >>> x, y, z, w = philox_draw(2**40 + 1, 2**33, np.arange(4), 3)
    >>> x.dtype, x.shape
    (dtype('uint32'), (4,))
    """
    step, seed = int(step), int(seed)
    return philox4x32_10(elem, step & _MASK32, (step >> 32) & _MASK32, int(stream) & _MASK32,
                         seed & _MASK32, (seed >> 32) & _MASK32)


def u01_f64(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``ps_u01_f64``: ((a>>5) * 2**26 + (b>>6)) / 2**53, exact, in [0, 1)."""
    a, b = np.asarray(a, dtype=np.uint32), np.asarray(b, dtype=np.uint32)
    out = np.empty(np.broadcast_shapes(a.shape, b.shape), dtype=np.float64)
    np.multiply(np.right_shift(a, np.uint32(5)), 67108864.0, out=out)   # every step is exact
    np.add(out, np.right_shift(b, np.uint32(6)), out=out)
    return np.multiply(out, 1.0 / 9007199254740992.0, out=out)


def u01_f32(a: np.ndarray) -> np.ndarray:
    """``ps_u01_f32``: (a>>8) / 2**24 in float32, exact, in [0, 1)."""
    a = np.asarray(a, dtype=np.uint32)
    out = np.empty(a.shape, dtype=np.float32)
    out[...] = np.right_shift(a, np.uint32(8))        # < 2**24: exact in float32
    return np.multiply(out, np.float32(1.0 / 16777216.0), out=out)


def _real(dtype: DTypeLike) -> np.dtype:
    dt = np.dtype(dtype)
    if dt not in (np.float32, np.float64):
        raise ValueError(f"random numbers come in float32 or float64, not {dt}")
    return dt


def rand(seed: int, step: int, elem: Union[np.ndarray, int], stream: int,
         dtype: DTypeLike = np.float64) -> np.ndarray:
    """Uniform numbers in [0, 1), one per element of ``elem``: ``ps_rand_f64`` /
    ``ps_rand_f32`` (53 or 24 random bits).  Elements 2k and 2k + 1 take the words
    (x, y) and (z, w) of the block of counter k (float32: x and z).

    >>> u = rand(7, 3, np.arange(4), 2, dtype=np.float32)
    >>> u.dtype, u.shape
    (dtype('float32'), (4,))
    >>> bool((rand(7, 3, np.arange(4), 2) == rand(7, 3, np.arange(4), 2)).all())
    True
    """
    real = _real(dtype)
    elem = np.asarray(elem, dtype=np.uint32)
    x, y, z, w = philox_draw(seed, step, np.right_shift(elem, np.uint32(1)), stream)
    odd = np.bitwise_and(elem, np.uint32(1)).astype(bool)
    if real == np.float32:
        return u01_f32(np.where(odd, z, x))
    return u01_f64(np.where(odd, z, x), np.where(odd, w, y))


#: The polynomials of ``ps_log_unit`` and ``ps_cos_sin_turn`` (csrc/pyspike/philox.h),
#: highest degree first (from scripts/fit_normal_polynomials.py).
_LOG_P = tuple(np.float32(c) for c in (0.087003596, -0.14267476, 0.14914787, -0.16577587,
                                       0.19963062, -0.25001338, 0.3333391))
_SIN_P = tuple(np.float32(c) for c in (-75.40207, 81.59255, -41.341663, 6.2831855))
_COS_P = tuple(np.float32(c) for c in (59.202797, -85.4423, 64.93931, -19.739208, 1.0))
_SQRT_HALF_BITS = np.uint32(0x3F3504F3)


def _horner(coefficients, x: np.ndarray) -> np.ndarray:
    p = np.full_like(x, coefficients[0])
    for c in coefficients[1:]:
        p = p * x + c                      # float32 throughout: rounds as the C++ does
    return p


def _log_unit(u: np.ndarray) -> np.ndarray:
    """``ps_log_unit``: log(u) of float32 u in (0, 1], within 1.3 ulp."""
    f32 = np.float32
    i = u.view(np.uint32) - _SQRT_HALF_BITS
    e = np.right_shift(i.view(np.int32), 23).astype(f32)
    f = (np.bitwise_and(i, np.uint32(0x7FFFFF)) + _SQRT_HALF_BITS).view(f32) - f32(1.0)
    f2 = f * f
    y = (_horner(_LOG_P, f) * f) * f2 - f32(0.5) * f2
    return (f + (y + e * f32(-2.12194440e-4))) + e * f32(0.693359375)


def _cos_sin_turn(b: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """``ps_cos_sin_turn``: cos and sin of 2 pi (b >> 8) / 2**24 in float32."""
    f32 = np.float32
    n = np.right_shift(b, np.uint32(8)).astype(np.int32)
    q = np.right_shift(n + (1 << 21), 22)
    r = (n - np.left_shift(q, 22)).astype(f32) * f32(2.0 ** -24)
    r2 = r * r
    sr, cr = _horner(_SIN_P, r2) * r, _horner(_COS_P, r2)
    odd = np.bitwise_and(q, 1).astype(bool)
    c, s = np.where(odd, sr, cr), np.where(odd, cr, sr)
    c_sign = np.left_shift(np.bitwise_and(q + 1, 2), 30).astype(np.uint32)
    s_sign = np.left_shift(np.bitwise_and(q, 2), 30).astype(np.uint32)
    return (np.bitwise_xor(c.view(np.uint32), c_sign).view(f32),
            np.bitwise_xor(s.view(np.uint32), s_sign).view(f32))


def _box_muller(a: np.ndarray, b: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """``ps_box_muller``: R cos(2 pi v), R sin(2 pi v) of words a (radius), b (angle)."""
    f32 = np.float32
    u = (np.right_shift(a, np.uint32(1)).astype(np.int32).astype(f32) + f32(0.5)) \
        * f32(2.0 ** -31)
    with np.errstate(all="ignore"):        # never triggers: u lies in (0, 1]
        radius = np.sqrt(f32(-2.0) * _log_unit(u))
    c, s = _cos_sin_turn(b)
    return radius * c, radius * s


def randn(seed: int, step: int, elem: Union[np.ndarray, int], stream: int,
          dtype: DTypeLike = np.float64) -> np.ndarray:
    """Standard normal numbers by Box-Muller, one per element of ``elem``:
    ``ps_randn_f64`` / ``ps_randn_f32``, computed in float32 on every backend and precision
    (float64 returns the same numbers, widened).  Groups of 64 elements share 16 Philox
    blocks: element 16 p + j of a group is part p (cos and sin of the words (x, y), then
    of (z, w)) of block j.

    >>> z = randn(1, 0, np.arange(10000), 5)
    >>> bool(abs(z.mean()) < 0.05 and abs(z.std() - 1) < 0.05)
    True
    >>> bool((randn(1, 0, np.arange(3), 5, dtype=np.float32) == z[:3]).all())
    True
    """
    real = _real(dtype)
    elem = np.asarray(elem, dtype=np.uint32)
    block = np.bitwise_or(np.left_shift(np.right_shift(elem, np.uint32(6)), np.uint32(4)),
                          np.bitwise_and(elem, np.uint32(15)))
    x, y, z, w = philox_draw(seed, step, block, stream)
    part = np.bitwise_and(np.right_shift(elem, np.uint32(4)), np.uint32(3))
    second = np.bitwise_and(part, np.uint32(2)).astype(bool)
    c, s = _box_muller(np.where(second, z, x), np.where(second, w, y))
    out = np.where(np.bitwise_and(part, np.uint32(1)).astype(bool), s, c)
    return out.astype(real, copy=False)
