"""``brainpy.conn``: connectors, each applied to a pyspike Synapses object as BrainPy
builds the structure its communication layer asks for.

``FixedProb(p)`` gives each presynaptic neuron exactly ``int(n_post*p)`` targets, drawn
without replacement, where a CSR layer (``EventCSRLinear``, ``CSRLinear``) asks for it
(BrainPy 2.4.3's ``build_csr``), and each pair independently with probability p where a
dense mask does (``MaskedLinear``: ``build_mat``).  ``include_self=False`` removes the
pairs (i, i), also between two groups of equal size, as BrainPy does.  Without a seed of
their own, the random choices are pyspike's (drawn from the network's seed, in compiled
code); with ``seed=`` they come from NumPy's generator of that seed.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from ..codegen.errors import ModelError
from .. import checks
from .core import missing, random


class TwoEndConnector:
    """Sizes come from the constructor (``pre=``, ``post=``) or from ``conn(pre, post)``;
    a projection checks them against its groups."""

    def __init__(self, pre=None, post=None, **others):
        if others:
            raise missing(f"{type(self).__name__}({', '.join(others)}=...)",
                          where=f"bp.conn.{type(self).__name__}")
        self.pre_num = None if pre is None else _size(pre)
        self.post_num = None if post is None else _size(post)

    def __call__(self, pre_size, post_size) -> "TwoEndConnector":
        self.pre_num, self.post_num = _size(pre_size), _size(post_size)
        return self

    def check(self, n_pre: int, n_post: int, where: str) -> None:
        check_sizes(self, n_pre, n_post, where)

    def connect(self, S, structure: str) -> None:
        """Make the synapses of ``S`` (structure 'csr' or 'mat')."""
        raise NotImplementedError


def check_sizes(obj, n_pre: int, n_post: int, where: str) -> None:
    """The sizes a connector or layer was made for (``pre_num``, ``post_num``; None: any)
    are the projection's groups' sizes."""
    for given, n, side in ((obj.pre_num, n_pre, "pre"), (obj.post_num, n_post, "post")):
        if given is not None and given != n:
            raise ModelError(f"{type(obj).__name__} was made for {given} {side}synaptic "
                             f"neurons, but the projection's {side} group has {n}",
                             where=where, symbol=side)


class FixedProb(TwoEndConnector):
    def __init__(self, prob: float, pre_ratio: float = 1.0, include_self: bool = True,
                 allow_multi_conn: bool = False, seed: Optional[int] = None, **kwargs):
        super().__init__(**kwargs)
        where = "bp.conn.FixedProb"
        self.prob = checks.probability(prob, "prob", where)
        self.pre_ratio = checks.probability(pre_ratio, "pre_ratio", where)
        self.include_self = checks.flag(include_self, "include_self", where)
        self.allow_multi_conn = checks.flag(allow_multi_conn, "allow_multi_conn", where)
        self.seed = seed

    def connect(self, S, structure: str) -> None:
        n_pre, n_post = S.source.N, S.target.N
        own = self.seed is not None or self.pre_ratio < 1.0
        if structure == "mat":
            if not own:
                S.connect(condition=None if self.include_self else "i != j", p=self.prob)
                return
            rng = _generator(self.seed)
            chosen = rng.random(n_pre) < self.pre_ratio
            rows = [np.flatnonzero(rng.random(n_post) < self.prob) if keep else
                    np.zeros(0, dtype=int) for keep in chosen]
            _pairs(S, rows, self.include_self)
            return
        k = int(n_post * self.prob)
        if not own and self.include_self:
            if k > 0:
                S.connect(n_post=k, multapses=self.allow_multi_conn)
            return
        rng = _generator(self.seed)
        pres = np.arange(n_pre)
        if self.pre_ratio < 1.0:
            pres = np.sort(rng.choice(n_pre, int(n_pre * self.pre_ratio), replace=False))
        rows = [np.zeros(0, dtype=int)] * n_pre
        for i in pres:
            rows[i] = (rng.integers(0, n_post, k) if self.allow_multi_conn else
                       rng.choice(n_post, k, replace=False))
        _pairs(S, rows, self.include_self)


class FixedPostNum(TwoEndConnector):
    """Each presynaptic neuron connects to ``num`` postsynaptic ones (a fraction of them
    when ``num`` is a float below 1)."""
    _side = "n_post"

    def __init__(self, num, include_self: bool = True, allow_multi_conn: bool = False,
                 seed: Optional[int] = None, **kwargs):
        super().__init__(**kwargs)
        where = f"bp.conn.{type(self).__name__}"
        given = [text for text, used in (("seed=...", seed is not None),
                                         ("include_self=False", not include_self)) if used]
        if given:
            raise missing(f"{where}({', '.join(given)})",
                          "pyspike draws fixed-degree connections from the network's seed",
                          where=where)
        self.num, self.allow_multi_conn = _degree(num, where), allow_multi_conn

    def connect(self, S, structure: str) -> None:
        total = S.target.N if self._side == "n_post" else S.source.N
        num = int(total * self.num) if isinstance(self.num, float) else int(self.num)
        if num > 0:
            S.connect(**{self._side: num}, multapses=self.allow_multi_conn)


def _degree(num, where: str):
    """BrainPy's ``num``: a number of neurons (an int >= 0) or a fraction of them (a float
    in [0, 1])."""
    if isinstance(num, (float, np.floating)) and 0.0 <= float(num) <= 1.0:
        return float(num)
    if isinstance(num, (int, np.integer)) and not isinstance(num, bool) and num >= 0:
        return int(num)
    raise ModelError(f"num must be a number of neurons (an int >= 0) or a fraction of them "
                     f"(a float in [0, 1]), not {checks.show(num)}", where=where,
                     symbol="num")


class FixedPreNum(FixedPostNum):
    """Each postsynaptic neuron receives ``num`` presynaptic ones."""
    _side = "n_pre"


class One2One(TwoEndConnector):
    def connect(self, S, structure: str) -> None:
        if S.source.N != S.target.N:
            raise ModelError(f"One2One joins groups of equal size, not {S.source.N} and "
                             f"{S.target.N}", where="bp.conn.One2One")
        S.connect(j="i")


class All2All(TwoEndConnector):
    def __init__(self, include_self: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.include_self = checks.flag(include_self, "include_self", "bp.conn.All2All")

    def connect(self, S, structure: str) -> None:
        S.connect(condition=None if self.include_self else "i != j")


one2one = One2One()
all2all = All2All()


def _size(value) -> int:
    if isinstance(value, (tuple, list)):
        return int(np.prod(value))
    return checks.count(value, "size", "bp.conn", minimum=1)


def _generator(seed) -> np.random.Generator:
    return random.generator if seed is None else np.random.default_rng(seed)


def _pairs(S, rows, include_self: bool) -> None:
    """Connect the targets ``rows[i]`` of each presynaptic neuron i, less (i, i) pairs
    when ``include_self`` is False."""
    i = np.repeat(np.arange(len(rows)), [len(r) for r in rows])
    j = np.concatenate(rows).astype(int) if rows else np.zeros(0, dtype=int)
    if not include_self:
        keep = i != j
        i, j = i[keep], j[keep]
    if i.size:
        S.connect(i=i, j=j)


def __getattr__(name: str):
    raise missing(f"brainpy.conn.{name}", "the connectors here are FixedProb, FixedPreNum, "
                  "FixedPostNum, One2One and All2All", where="brainpy.conn")
