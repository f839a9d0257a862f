"""A 2-d convolution (optionally pooled) into spiking neurons, for gradient training in
NumPy: the frames of all T steps and B samples are convolved at once, by im2col and one
matrix product (BLAS), and the weights' gradient is one product more.

>>> import numpy as np
>>> conv = Conv2d(1, 4, 3, size=(8, 8), pool="max", seed=0, dtype="float64")
>>> conv.out_shape, conv.n_out
((4, 3, 3), 36)
>>> conv(np.ones((5, 2, 1, 8, 8))).shape          # (T, B, C, H, W) or (T, B, C*H*W)
(5, 2, 36)
"""
from __future__ import annotations

from typing import Optional, Sequence, Tuple, Union

import numpy as np

from ..codegen.errors import ModelError
from ..model import NeuronModel
from .layers import Spiking


def _pair(value, name: str) -> Tuple[int, int]:
    pair = (value, value) if np.isscalar(value) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) for v in pair):
        raise ModelError(f"{name}= must be an integer or a pair of integers, not {value!r}",
                         where="Conv2d", symbol=name)
    return int(pair[0]), int(pair[1])


class Conv2d(Spiking):
    """``in_channels`` -> ``out_channels`` convolution of every step's (C, H, W) frame,
    then optional pooling of the current (``pool`` "max" -- the gradient goes to the first
    largest value of a window, as torch's -- or "avg"; windows of ``pool_size``, stride
    ``pool_size``), into neurons of ``model``: (T, B, C, H, W) or (T, B, C*H*W) ->
    (T, B, C_out*H'*W'), flattened in (C_out, H', W') order (:attr:`out_shape`) so that
    a Linear can follow.  Weights (C_out, C_in, kh, kw) and bias start as
    torch.nn.Conv2d's (uniform in +-1/sqrt(C_in*kh*kw)); the other options are
    :class:`Linear`'s."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size,
                 size: Tuple[int, int], model: Union[str, NeuronModel] = "lif", *,
                 stride=1, padding=0, pool: Optional[str] = None, pool_size=2,
                 bias: bool = True, trainable: Sequence[str] = (),
                 seed: Optional[int] = None, dtype: str = "float32",
                 weight_scale: float = 1.0, **options):
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride = _pair(stride, "stride")
        self.padding = _pair(padding, "padding")
        self.size = _pair(size, "size")
        if pool not in (None, "max", "avg"):
            raise ModelError(f"pool must be 'max', 'avg' or None, not {pool!r}",
                             where="Conv2d", symbol=str(pool))
        self.pool, self.pool_size = pool, _pair(pool_size, "pool_size")
        if not (1 <= self.pool_size[0] * self.pool_size[1] <= 256 and min(self.pool_size) > 0):
            raise ModelError(f"pool_size= {pool_size!r} must be positive, with at most 256 "
                             "values a window", where="Conv2d", symbol="pool_size")
        (kh, kw), (sh, sw), (ph, pw), (H, W) = (self.kernel_size, self.stride, self.padding,
                                                self.size)
        if min(kh, kw, sh, sw, H, W) < 1 or min(ph, pw) < 0:
            raise ModelError(f"kernel_size {kernel_size!r}, stride {stride!r}, size {size!r} "
                             f"must be positive and padding {padding!r} not negative",
                             where="Conv2d", symbol="kernel_size")
        self.conv_shape = ((H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1)
        Ho, Wo = self.conv_shape
        if pool:
            Ho, Wo = Ho // self.pool_size[0], Wo // self.pool_size[1]
        if min(Ho, Wo) < 1:
            raise ModelError(f"a {kh}x{kw} kernel (padding {padding!r}, stride {stride!r}"
                             f"{', pooled by ' + str(pool_size) if pool else ''}) leaves "
                             f"nothing of a {H}x{W} input", where="Conv2d", symbol="size")
        #: the neurons' arrangement (C_out, H', W'); the output is it flattened
        self.out_shape = (out_channels, Ho, Wo)
        self.in_channels, self.out_channels = in_channels, out_channels
        super().__init__(out_channels * Ho * Wo, model, dtype=dtype, trainable=trainable,
                         recurrent=False, **options)
        rng = np.random.default_rng(seed)
        bound = weight_scale / np.sqrt(in_channels * kh * kw)
        self.params["weight"] = rng.uniform(-bound, bound, (out_channels, in_channels, kh, kw)
                                            ).astype(self.dtype)
        if bias:
            self.params["bias"] = rng.uniform(-bound, bound, out_channels).astype(self.dtype)

    def _columns(self) -> np.ndarray:
        """The im2col matrix (C_in*kh*kw, H_o*W_o*frames) of the kept padded frames, made
        by one strided copy per kernel offset."""
        (kh, kw), (Ho, Wo) = self.kernel_size, self.conv_shape
        xp = self._xp
        cols = np.empty((len(xp), kh, kw, Ho, Wo, xp.shape[-1]), self.dtype)
        for a in range(kh):
            for b in range(kw):
                cols[:, a, b] = xp[:, self._rows(a), self._cols(b)]
        return cols.reshape(len(cols) * kh * kw, -1)

    def _rows(self, a: int) -> slice:
        """The padded input's rows that the kernel's row ``a`` meets."""
        sh, Ho = self.stride[0], self.conv_shape[0]
        return slice(a, a + sh * (Ho - 1) + 1, sh)

    def _cols(self, b: int) -> slice:
        sw, Wo = self.stride[1], self.conv_shape[1]
        return slice(b, b + sw * (Wo - 1) + 1, sw)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        C, (H, W) = self.in_channels, self.size
        if x.ndim not in (3, 5) or x.shape[2:] not in ((C * H * W,), (C, H, W)):
            raise ModelError(f"the input must be (steps, samples, {C}, {H}, {W}) or (steps, "
                             f"samples, {C * H * W}), not {x.shape}", where="Conv2d")
        T, B = x.shape[:2]
        self._in_shape = x.shape
        ph, pw = self.padding
        # The frames are the innermost axis of every array here, (C, H, W, T*B): each
        # strided slice of im2col, pooling and col2im then moves whole rows of frames
        # (with frames first they were 14 values long at 14x14, and 5x slower).  The
        # padded input is kept for the backward pass.
        self._xp = np.zeros((C, H + 2 * ph, W + 2 * pw, T * B), self.dtype)
        self._xp[:, ph:ph + H, pw:pw + W] = x.reshape(T * B, C, H, W).transpose(1, 2, 3, 0)
        return self._neurons_forward(self._current(T, B))

    def _current(self, T: int, B: int) -> np.ndarray:
        """The neurons' current (T, B, n_out) of the kept frames."""
        y = self.params["weight"].reshape(self.out_channels, -1) @ self._columns()
        if "bias" in self.params:
            y += self.params["bias"][:, None]
        pooled = self._pool(y.reshape((self.out_channels,) + self.conv_shape + (T * B,)))
        return np.ascontiguousarray(pooled.reshape(self.n_out, T * B).T).reshape(
            T, B, self.n_out)

    def _offsets(self):
        """(index, rows, columns) of each pooling window's values, in row order."""
        (p, q), (_, Hq, Wq) = self.pool_size, self.out_shape
        return [(a * q + b, slice(a, a + p * (Hq - 1) + 1, p), slice(b, b + q * (Wq - 1) + 1, q))
                for a in range(p) for b in range(q)]

    def _pool(self, y: np.ndarray) -> np.ndarray:
        """The pooled (C_out, H', W', frames) of the convolution's (C_out, H_o, W_o,
        frames), one strided slice per window offset."""
        if self.pool is None:
            return y
        offsets = self._offsets()
        out = y[:, offsets[0][1], offsets[0][2]].copy()
        if self.pool == "avg":
            for _, rows, cols in offsets[1:]:
                out += y[:, rows, cols]
            out /= len(offsets)
            return out
        # the offset of each window's first largest value (arithmetic on the comparison's
        # bits: copyto(where=), putmask and boolean indexing are 10-50x slower here)
        self._argmax = np.zeros(out.shape, np.uint8)
        for k, rows, cols in offsets[1:]:
            v = y[:, rows, cols]
            larger = v > out                  # strictly: the first largest value wins
            np.maximum(out, v, out=out)
            self._argmax *= ~larger
            self._argmax += larger.view(np.uint8) * np.uint8(k)
        return out

    def _unpool(self, g: np.ndarray) -> np.ndarray:
        """The gradient (C_out, H_o, W_o, frames) of the convolution's output."""
        if self.pool is None:
            return g
        full = np.zeros((self.out_channels,) + self.conv_shape + g.shape[-1:], self.dtype)
        offsets = self._offsets()
        for k, rows, cols in offsets:
            if self.pool == "avg":
                np.divide(g, len(offsets), out=full[:, rows, cols])
            else:
                np.multiply(g, self._argmax == k, out=full[:, rows, cols])
        return full

    def backward(self, gout: np.ndarray) -> Optional[np.ndarray]:
        T, B = self._in_shape[:2]
        gin = self._neurons_backward(np.ascontiguousarray(gout, dtype=self.dtype),
                                     lambda: self._current(T, B))
        g = np.ascontiguousarray(gin.reshape(T * B, self.n_out).T)
        g = self._unpool(g.reshape(self.out_shape + (T * B,))).reshape(self.out_channels, -1)
        w = self.params["weight"]
        self.grads["weight"] = (g @ self._columns().T).reshape(w.shape)
        if "bias" in self.params:
            self.grads["bias"] = g.sum(axis=1)
        if not self.input_grad:
            return None
        (kh, kw), (ph, pw), (H, W) = self.kernel_size, self.padding, self.size
        cols = (w.reshape(self.out_channels, -1).T @ g).reshape(
            (self.in_channels, kh, kw) + self.conv_shape + (T * B,))
        # col2im: each of the kernel's offsets adds one strided slice (np.add.at is slow)
        gxp = np.zeros(self._xp.shape, self.dtype)
        for a in range(kh):
            for b in range(kw):
                gxp[:, self._rows(a), self._cols(b)] += cols[:, a, b]
        gx = gxp[:, ph:ph + H, pw:pw + W].transpose(3, 0, 1, 2)
        return np.ascontiguousarray(gx).reshape(self._in_shape)
