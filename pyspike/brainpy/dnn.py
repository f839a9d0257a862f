"""``brainpy.dnn``'s communication layers, as the projections use them: each says which
synapses to make (from a connector, or its own probability) and their weights.

- ``EventCSRLinear(conn, weight)``, ``CSRLinear``: the connector's CSR structure
  (``FixedProb``: a fixed number of targets per presynaptic neuron), one weight;
- ``MaskedLinear(conn, weight)``: the connector's dense mask (``FixedProb``: each pair with
  probability p);
- ``AllToAll(num_pre, num_post, weight, include_self=True)``: a weight, or a matrix of
  (num_pre, num_post) weights; ``OneToOne(num, weight)``: a weight or one per neuron;
- ``EventJitFPHomoLinear(num_in, num_out, prob, weight, seed=None)`` and its Uniform
  (``w_low``, ``w_high``) and Normal (``w_mu``, ``w_sigma``) forms, with or without
  ``Event``: BrainPy's just-in-time connectivity (see ``jit_pairs``), drawn once from
  ``bm.random`` (BrainPy draws the same matrix again at each step from its seed).

Spikes are events in pyspike whichever form is named, so the event and non-event layers
give the same results, as in BrainPy.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from ..codegen.errors import ModelError
from .. import checks
from .conn import TwoEndConnector, check_sizes
from .core import missing, random
from .dynsys import DynamicalSystem


class Layer(DynamicalSystem):
    """A communication layer: ``make(S, scale)`` connects the Synapses ``S`` and sets
    their weights (times ``scale``, what the projection's timing asks for)."""
    pre_num: Optional[int] = None
    post_num: Optional[int] = None
    steps = False

    def check(self, n_pre: int, n_post: int, where: str) -> None:
        check_sizes(self, n_pre, n_post, where)

    def make(self, S, scale: float) -> None:
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        raise missing(f"calling bp.dnn.{type(self).__name__} directly",
                      "a communication layer acts inside a projection", where="bp.dnn")


def _weight(weight, where: str) -> float:
    if hasattr(weight, "shape") and np.ndim(weight) > 0 or callable(weight):
        raise missing(f"{where} with an array or initializer of weights",
                      "give one weight (or use AllToAll/OneToOne with arrays)", where=where)
    return checks.number(weight, "weight", where)


class _ConnLayer(Layer):
    structure = "csr"

    def __init__(self, conn: TwoEndConnector, weight, sharding=None, mode=None,
                 name: Optional[str] = None, transpose: bool = True, method=None):
        super().__init__(name=name, mode=mode)
        where = f"bp.dnn.{type(self).__name__}"
        if not isinstance(conn, TwoEndConnector):
            raise ModelError(f"conn must be a connector of bp.conn (FixedProb, One2One, ...),"
                             f" not {checks.show(conn)}", where=where, symbol="conn")
        self.conn = conn
        self.pre_num, self.post_num = conn.pre_num, conn.post_num
        self.weight = _weight(weight, where)

    def make(self, S, scale: float) -> None:
        self.conn.check(S.source.N, S.target.N, f"bp.dnn.{type(self).__name__}")
        self.conn.connect(S, self.structure)
        if S.n:
            S.w = self.weight * scale


class EventCSRLinear(_ConnLayer):
    pass


class CSRLinear(_ConnLayer):
    pass


class MaskedLinear(_ConnLayer):
    structure = "mat"

    def __init__(self, conn: TwoEndConnector, weight, mask_fun=None, sharding=None,
                 mode=None, name: Optional[str] = None):
        if mask_fun is not None:
            raise missing("bp.dnn.MaskedLinear(mask_fun=...)", where="bp.dnn.MaskedLinear")
        super().__init__(conn, weight, name=name, mode=mode)


class AllToAll(Layer):
    def __init__(self, num_pre: int, num_post: int, weight, sharding=None,
                 include_self: bool = True, mode=None, name: Optional[str] = None):
        super().__init__(name=name, mode=mode)
        where = "bp.dnn.AllToAll"
        self.pre_num = checks.count(num_pre, "num_pre", where, minimum=1)
        self.post_num = checks.count(num_post, "num_post", where, minimum=1)
        self.include_self = checks.flag(include_self, "include_self", where)
        w = np.asarray(weight, dtype=float)
        if w.ndim not in (0, 2) or (w.ndim == 2 and w.shape != (self.pre_num, self.post_num)):
            raise ModelError(f"weight must be one number or a ({self.pre_num}, "
                             f"{self.post_num}) matrix, not of shape {w.shape}", where=where,
                             symbol="weight")
        self.weight = w

    def make(self, S, scale: float) -> None:
        S.connect(condition=None if self.include_self else "i != j")
        w = self.weight if self.weight.ndim == 0 else \
            self.weight[S.i, S.j] if S.n else self.weight
        if S.n:
            S.w = w * scale


class OneToOne(Layer):
    def __init__(self, num: int, weight, sharding=None, mode=None, name: Optional[str] = None):
        super().__init__(name=name, mode=mode)
        where = "bp.dnn.OneToOne"
        self.pre_num = self.post_num = checks.count(num, "num", where, minimum=1)
        w = np.asarray(weight, dtype=float)
        if w.ndim != 0 and w.shape != (self.pre_num,):
            raise ModelError(f"weight must be one number or {self.pre_num} of them, not of "
                             f"shape {w.shape}", where=where, symbol="weight")
        self.weight = w

    def make(self, S, scale: float) -> None:
        S.connect(j="i")
        S.w = self.weight * scale


class _JitLayer(Layer):
    """Each pair with probability ``prob``; the weights as the subclass says."""

    def __init__(self, num_in: int, num_out: int, prob: float, seed=None, sharding=None,
                 mode=None, name: Optional[str] = None, transpose: bool = False,
                 atomic: bool = False):
        super().__init__(name=name, mode=mode)
        where = f"bp.dnn.{type(self).__name__}"
        if seed is not None:
            raise missing(f"{where}(seed=...)", "pyspike draws the connections from the "
                          "network's seed (bm.random.seed)", where=where)
        self.pre_num = checks.count(num_in, "num_in", where, minimum=1)
        self.post_num = checks.count(num_out, "num_out", where, minimum=1)
        self.prob = checks.probability(prob, "prob", where)

    def weights(self, scale: float):
        raise NotImplementedError

    def make(self, S, scale: float) -> None:
        pre, post = jit_pairs(S.source.N, S.target.N, self.prob, random.generator)
        if pre.size:
            S.connect(i=pre, j=post)
            S.w = self.weights(scale)


def jit_pairs(n_pre: int, n_post: int, prob: float, rng: np.random.Generator):
    """BrainPy's just-in-time connectivity (``bm.jitconn``): for each postsynaptic
    neuron, the presynaptic ones at a first index uniform in [0, clen) and then at skips
    uniform in [1, clen], clen = 2*ceil(1/prob) - 1.  The mean skip is 1/prob, as for
    independent pairs, but the number of inputs per neuron varies less (its standard
    deviation is 4.6 for 3200 inputs at 2%, against a binomial's 7.9), which BrainPy's
    networks feel: drawn pair by pair, its E/I network fires 15% faster."""
    if prob <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    clen = 2 * int(np.ceil(1 / prob)) - 1
    draws = int(n_pre / ((1 + clen) / 2) * 1.5) + 16
    pres, posts = [], []
    for j in range(n_post):
        while True:
            steps = rng.integers(1, clen + 1, draws)
            steps[0] = rng.integers(0, clen)
            index = np.cumsum(steps)
            if index[-1] >= n_pre:
                break
            draws *= 2
        index = index[index < n_pre]
        pres.append(index)
        posts.append(np.full(index.size, j))
    return np.concatenate(pres), np.concatenate(posts)


class JitFPHomoLinear(_JitLayer):
    def __init__(self, num_in: int, num_out: int, prob: float, weight: float, **kwargs):
        super().__init__(num_in, num_out, prob, **kwargs)
        self.weight = checks.number(weight, "weight", f"bp.dnn.{type(self).__name__}")

    def weights(self, scale: float):
        return self.weight * scale


class JitFPUniformLinear(_JitLayer):
    def __init__(self, num_in: int, num_out: int, prob: float, w_low: float, w_high: float,
                 **kwargs):
        super().__init__(num_in, num_out, prob, **kwargs)
        where = f"bp.dnn.{type(self).__name__}"
        self.w_low = checks.number(w_low, "w_low", where)
        self.w_high = checks.number(w_high, "w_high", where)

    def weights(self, scale: float) -> str:
        return f"({self.w_low!r} + rand()*{self.w_high - self.w_low!r})*{scale!r}"


class JitFPNormalLinear(_JitLayer):
    def __init__(self, num_in: int, num_out: int, prob: float, w_mu: float, w_sigma: float,
                 **kwargs):
        super().__init__(num_in, num_out, prob, **kwargs)
        where = f"bp.dnn.{type(self).__name__}"
        self.w_mu = checks.number(w_mu, "w_mu", where)
        self.w_sigma = checks.number(w_sigma, "w_sigma", where, minimum=0.0)

    def weights(self, scale: float) -> str:
        return f"({self.w_mu!r} + randn()*{self.w_sigma!r})*{scale!r}"


class EventJitFPHomoLinear(JitFPHomoLinear):
    pass


class EventJitFPUniformLinear(JitFPUniformLinear):
    pass


class EventJitFPNormalLinear(JitFPNormalLinear):
    pass


def __getattr__(name: str):
    raise missing(f"brainpy.dnn.{name}", "the communication layers here are EventCSRLinear, "
                  "CSRLinear, MaskedLinear, AllToAll, OneToOne and the JitFP "
                  "(Homo, Uniform, Normal) layers", where="brainpy.dnn")
