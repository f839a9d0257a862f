"""A fixed sparse connection into spiking neurons, for gradient training in NumPy.

:class:`SparseLinear` keeps its synapses by postsynaptic row (CSR: ``indptr``, the
presynaptic ``pre`` of each entry, the trained ``weight`` values), and computes the
current of all T*B rows at once, the weights' gradient at the synapses only and the
inputs' gradient with small C++ loops (``templates/cpp/csr_products.cpp.j2``, compiled
once through pyspike's compile cache; no scipy): over tiles of rows, vectorised, or event
by event where few inputs are nonzero (spikes of a quiet layer).  :class:`Conv2d`
(connections_conv.py) convolves all frames at once by im2col and one matrix product.

>>> import numpy as np
>>> layer = SparseLinear(6, 4, "lif", indices=([0, 5, 2], [1, 1, 3]), seed=0,
...                      dtype="float64")
>>> layer.indptr.tolist(), layer.pre.tolist(), layer.params["weight"].shape
([0, 0, 2, 2, 3], [0, 5, 2], (3,))
>>> y = layer(np.ones((5, 2, 6))); y.shape
(5, 2, 4)
"""
from __future__ import annotations

import ctypes
from typing import Dict, Optional, Sequence, Tuple, Union

import numpy as np

from ..codegen.errors import ModelError
from ..codegen.render import environment
from ..model import NeuronModel
from ..toolchain.compile import compile_library
from .connections_conv import Conv2d
from .kernels import FLAGS
from .layers import Spiking

__all__ = ["SparseLinear", "Conv2d", "csr_library"]

#: 64-byte vectors per tile of the products (a tile is 64 rows of floats, 32 of doubles):
#: measured fastest at 784-800, p = 0.1 (2 and 8 were 1.2-2x slower); a tile of a
#: 1000-wide input is 256 KiB, in L2.
VECTORS = 4
#: Below this fraction of nonzero inputs, the current and the weights' gradient are summed
#: event by event (each row's nonzero inputs, their synapses), above it over tiles: at
#: 784-800, p = 0.1, one thread, the current's two ways take the same time at 5 % (3 ms
#: against 11 at 1 %, 15 against 10 at 10 %), the gradient's at 8 % (5 against 14 at 1 %);
#: both costs grow with the synapses, so the crossings do not move with p.
EVENT_DENSITY = 0.05

_LIBS: Dict[str, ctypes.CDLL] = {}


def csr_library(real: str) -> ctypes.CDLL:
    """The compiled CSR products for ``real`` ("float" or "double"), built once."""
    if real not in _LIBS:
        source = environment().get_template("cpp/csr_products.cpp.j2").render(
            real=real, vectors=VECTORS)
        lib = ctypes.CDLL(str(compile_library(source, flags=FLAGS, name="csr_products").path))
        i64, vp = ctypes.c_int64, ctypes.c_void_p
        lib.ps_csr_gather.argtypes = [i64, i64, i64] + [vp] * 6
        lib.ps_csr_sampled.argtypes = [i64, i64, i64] + [vp] * 5
        lib.ps_csr_scatter.argtypes = [i64, i64, i64] + [vp] * 6
        lib.ps_csr_sampled_events.argtypes = [i64, i64, i64] + [vp] * 5
        for f in (lib.ps_csr_gather, lib.ps_csr_sampled, lib.ps_csr_scatter,
                  lib.ps_csr_sampled_events):
            f.restype = None
        _LIBS[real] = lib
    return _LIBS[real]


def _p(a: Optional[np.ndarray]):
    # (data_as keeps the array alive for the call: some arguments are temporaries)
    return None if a is None else a.ctypes.data_as(ctypes.c_void_p)


def _random_pairs(rng: np.random.Generator, n_in: int, n_out: int, p: float
                  ) -> Tuple[np.ndarray, np.ndarray]:
    """(pre, post) of each pair kept with probability ``p``, drawn row by row in blocks
    (the same pairs for any block size: the draws are one stream)."""
    rows = max(1, (1 << 20) // max(n_in, 1))
    pre, post = [], []
    for first in range(0, n_out, rows):
        kept = rng.random((min(rows, n_out - first), n_in)) < p
        r, c = np.nonzero(kept)
        post.append(r + first)
        pre.append(c)
    return np.concatenate(pre or [np.zeros(0, int)]), np.concatenate(post or [np.zeros(0, int)])


def _given_pairs(indices, n_in: int, n_out: int) -> Tuple[np.ndarray, np.ndarray]:
    try:
        i, j = (np.asarray(a) for a in indices)
    except (TypeError, ValueError):
        raise ModelError("indices= must be two sequences (i, j): presynaptic inputs i and "
                         "postsynaptic neurons j, one pair per synapse", where="SparseLinear",
                         symbol="indices") from None
    if i.shape != j.shape or i.ndim != 1 or not (np.issubdtype(i.dtype, np.integer) or
                                                  i.size == 0):
        raise ModelError(f"indices= must be two integer sequences of the same length, not "
                         f"shapes {i.shape} and {j.shape}", where="SparseLinear",
                         symbol="indices")
    for name, a, n in (("i", i, n_in), ("j", j, n_out)):
        if a.size and (a.min() < 0 or a.max() >= n):
            bad = a[(a < 0) | (a >= n)][0]
            raise ModelError(f"indices= has {name} = {bad}, outside 0..{n - 1}",
                             where="SparseLinear", symbol="indices")
    return i.astype(np.int64), j.astype(np.int64)


class SparseLinear(Spiking):
    """A fixed sparse connection from ``n_in`` inputs into ``n_out`` neurons of ``model``.

    The synapses are drawn with probability ``p`` (seeded by ``seed``) or given as
    ``indices=(i, j)``: presynaptic inputs ``i``, postsynaptic neurons ``j``, one pair per
    synapse.  ``params["weight"]`` holds one value per synapse, by postsynaptic row
    (``indptr``, ``pre``, ``post`` say where each is; :meth:`dense` gives the matrix).
    Each row's weights and bias start as torch.nn.Linear's over the row's own fan-in
    (uniform in +-1/sqrt(its synapses)).  The other options are :class:`Linear`'s."""

    def __init__(self, n_in: int, n_out: int, model: Union[str, NeuronModel] = "lif", *,
                 p: Optional[float] = None, indices=None, seed: Optional[int] = None,
                 bias: bool = True, trainable: Sequence[str] = (), dtype: str = "float32",
                 weight_scale: float = 1.0, **options):
        if (p is None) == (indices is None):
            raise ModelError("say which synapses the connection has: either p= (a "
                             "probability) or indices=(i, j), not both and not neither",
                             where="SparseLinear", symbol="p")
        if p is not None and not 0.0 <= float(p) <= 1.0:
            raise ModelError(f"p= is a connection probability, between 0 and 1, not {p!r}",
                             where="SparseLinear", symbol="p")
        super().__init__(n_out, model, dtype=dtype, trainable=trainable, recurrent=False,
                         **options)
        rng = np.random.default_rng(seed)
        pre, post = (_random_pairs(rng, n_in, n_out, float(p)) if p is not None
                     else _given_pairs(indices, n_in, n_out))
        order = np.lexsort((pre, post))
        pre, post = pre[order], post[order]
        if len(pre) > 1 and np.any((pre[1:] == pre[:-1]) & (post[1:] == post[:-1])):
            k = int(np.flatnonzero((pre[1:] == pre[:-1]) & (post[1:] == post[:-1]))[0])
            raise ModelError(f"indices= gives the synapse i = {pre[k]}, j = {post[k]} twice",
                             where="SparseLinear", symbol="indices")
        self.n_in = n_in
        #: the synapses by postsynaptic row: row j's are indptr[j] .. indptr[j+1]-1
        self.indptr = np.zeros(n_out + 1, np.int64)
        np.cumsum(np.bincount(post, minlength=n_out), out=self.indptr[1:])
        self.pre = pre.astype(np.int32)
        self.post = post.astype(np.int32)
        # the transpose (by presynaptic input), for the inputs' gradient and events
        self._perm = np.lexsort((post, pre))
        self._tptr = np.zeros(n_in + 1, np.int64)
        np.cumsum(np.bincount(pre, minlength=n_in), out=self._tptr[1:])
        self._tdx = self.post[self._perm]
        fan = np.diff(self.indptr)
        bound = weight_scale / np.sqrt(np.maximum(fan, 1)) * (fan > 0)
        self.params["weight"] = rng.uniform(-bound[post], bound[post]).astype(self.dtype)
        if bias:
            self.params["bias"] = rng.uniform(-bound, bound).astype(self.dtype)
        self._lib = csr_library("double" if self.dtype == np.float64 else "float")

    @property
    def nnz(self) -> int:
        """The number of synapses."""
        return len(self.pre)

    def dense(self) -> np.ndarray:
        """The weights as a dense (n_out, n_in) matrix (zero where there is no synapse)."""
        w = np.zeros((self.n_out, self.n_in), self.dtype)
        w[self.post, self.pre] = self.params["weight"]
        return w

    def _weight(self) -> np.ndarray:
        w = self.params["weight"]
        if w.dtype != self.dtype or not w.flags.c_contiguous or w.shape != (self.nnz,):
            raise ModelError(f"params['weight'] must stay a contiguous {self.dtype} array of "
                             f"{self.nnz} values (one per synapse), not {w.dtype} {w.shape}",
                             where="SparseLinear", symbol="weight")
        return w

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = self._input(x, self.n_in)
        self._events = bool(np.count_nonzero(x) < EVENT_DENSITY * x.size)
        return self._neurons_forward(self._current(x))

    def _current(self, x: np.ndarray) -> np.ndarray:
        T, B, _ = x.shape
        current = np.empty((T, B, self.n_out), self.dtype)
        bias = self.params.get("bias")
        bias = None if bias is None else np.ascontiguousarray(bias, self.dtype)
        w = self._weight()
        if self._events:
            self._lib.ps_csr_scatter(T * B, self.n_out, self.n_in, _p(self._tptr),
                                     _p(self._tdx), _p(w[self._perm]), _p(bias), _p(x),
                                     _p(current))
        else:
            self._lib.ps_csr_gather(T * B, self.n_out, self.n_in, _p(self.indptr),
                                    _p(self.pre), _p(w), _p(bias), _p(x), _p(current))
        return current

    def backward(self, gout: np.ndarray) -> Optional[np.ndarray]:
        gin = self._neurons_backward(np.ascontiguousarray(gout, dtype=self.dtype),
                                     lambda: self._current(self._x))
        T, B, _ = gin.shape
        gw = np.empty(self.nnz, self.dtype)
        if self._events:
            gwt = np.empty(self.nnz, self.dtype)
            self._lib.ps_csr_sampled_events(T * B, self.n_out, self.n_in, _p(self._tptr),
                                            _p(self._tdx), _p(gin), _p(self._x), _p(gwt))
            gw[self._perm] = gwt
        else:
            self._lib.ps_csr_sampled(T * B, self.n_out, self.n_in, _p(self.indptr),
                                     _p(self.pre), _p(gin), _p(self._x), _p(gw))
        self.grads["weight"] = gw
        if "bias" in self.params:
            self.grads["bias"] = gin.reshape(T * B, self.n_out).sum(axis=0)
        if not self.input_grad:
            return None
        gx = np.empty((T, B, self.n_in), self.dtype)
        wt = np.ascontiguousarray(self._weight()[self._perm])
        self._lib.ps_csr_gather(T * B, self.n_in, self.n_out, _p(self._tptr), _p(self._tdx),
                                _p(wt), None, _p(gin), _p(gx))
        return gx
