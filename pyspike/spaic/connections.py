"""SPAIC's Connection (between two neuron groups or nodes) and Projection (between two
assemblies, made of connections chosen by policies).

The weight matrix has SPAIC's shape (post, pre) and SPAIC's defaults, drawn from NumPy's
global generator when the connection is made (as SPAIC draws them).  The connection is
lowered to pyspike Synapses whose spikes add ``w`` to the postsynaptic ``Isyn``; SPAIC's
``weight`` reads and writes their ``w`` as a (post, pre) matrix.

>>> import numpy as np, pyspike.spaic as spaic
>>> a, b = spaic.NeuronGroup(3, model="lif"), spaic.NeuronGroup(2, model="lif")
>>> c = spaic.Connection(a, b, link_type="full", weight=np.ones((2, 3)))
>>> c.weight.shape, c.n_synapses
((2, 3), 6)
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from ..codegen.errors import ModelError
from . import context
from .initializers import BaseInitializer
from .synapse_types import DIST_DEPD, SYN_TYPES, check_chain, distance_weights  # noqa: F401

#: SPAIC's link types (and their aliases) that pyspike builds
LINK_TYPES = {"full": "full", "full_connection": "full", "one_to_one": "one_to_one",
              "one_to_one_sparse": "one_to_one", "one_to_one_mask": "one_to_one",
              "sparse": "sparse", "sparse_connection": "sparse", "sparse_sparse": "sparse",
              "sparse_connection_sparse": "sparse", "random": "random",
              "random_connection": "random", "random_connection_sparse": "random",
              "null": "null", "dist_depd": "dist_depd"}


#: link types built by subclasses (SPAIC's ``Connection.register``): a Connection made
#: with one is of that class (the conv and pool links: pyspike.spaic.conv)
REGISTERED: dict = {}


def _error(message: str, symbol: Optional[str] = None, where: str = "Connection"):
    return ModelError(message, where=where, symbol=symbol)


class Connection:
    """Synapses from ``pre`` to ``post`` (neuron groups or nodes), SPAIC's way:
    ``link_type`` ``"full"`` (all pairs; default weights 0.05*N(0,1) + 0.005),
    ``"one_to_one"`` (0.05 on the diagonal), ``"sparse"`` (each pair with probability
    ``density`` = 0.1; weights 0.05*U(0,1) + 0.005), ``"random"`` (probability
    ``probability`` = 0.1, no pair i -> i; weights the uniform draws below it, as SPAIC)
    ``"dist_depd"`` (all pairs, weighted by the distance d of the neurons' positions,
    below) or ``"null"`` (no synapses).  ``weight`` is a (post, pre) array or an initialiser
    (``spaic.uniform(0, 0.3)``); ``w_min``/``w_max`` clip the weights whenever learning
    changes them.  ``max_delay`` (ms) gives each synapse a delay drawn uniformly in
    [``min_delay``, max_delay) (SPAIC's defaults: min_delay 1 ms), ``con.delay``: a spike
    reaches the target round(delay/dt) steps after it would without one.  (SPAIC 0.6's
    delay queue reads a delay d as a lag of int(max_delay/dt) - 1 - int(d/dt) steps, the
    reverse of its meaning; pyspike follows the meaning.)  ``pre_var_name`` ``"O"``
    carries spikes (or a group's O where it is a value); another variable (``"V"``)
    carries its value each step, as a current into the target's ``Iext``;
    ``post_var_name`` names the variable spikes add to (``"Isyn"``).

    ``syn_type`` (one name or a chain) says what the spikes do, SPAIC's synapse types
    (:mod:`pyspike.spaic.synapse_types`): ``"basic"`` (w added per spike), the filters
    ``"1_order_synapse"`` and ``"2_order_synapse"`` (``syn_kwargs`` ``tau``; ``tau_r``,
    ``tau_d``), ``"electrical"`` (gap junctions), ``"directpass"`` and ``"flatten"``;
    the types of a chain add up, as in SPAIC.

    ``dist_depd`` (SPAIC's DistDepd_connect) reads the groups' ``position`` (one row of
    coordinates per neuron): w = w_amp*(exp(-d/dist_a)/dist_a - 0.5*exp(-d/dist_b)/dist_b)
    (defaults w_amp -0.1, dist_a 0.2, dist_b 0.4), d euclidean or, with ``dist_function=
    "circular"``, on a ring of ``pos_range`` (1.0) per axis; ``zero_self`` zeroes d = 0
    pairs; ``p`` < 1 keeps each weight with probability p (drawn from NumPy's global
    generator: SPAIC draws it from torch's); ``dist_function`` and
    ``distance_weight_function`` may be functions of NumPy arrays.  SPAIC keeps all pairs
    (a dense matrix), and so does pyspike.
    """

    member_table = "_connections"

    def __new__(cls, *args, **kwargs):
        # SPAIC's Connection picks the class of its link type; so does this one
        link_type = kwargs.get("link_type", args[3] if len(args) > 3 else "full")
        if cls is Connection and isinstance(link_type, str) and link_type in REGISTERED:
            cls = REGISTERED[link_type]
        return super().__new__(cls)

    @staticmethod
    def register(name: str, kind: type) -> None:
        """Connections of link type ``name`` are made by the subclass ``kind``."""
        REGISTERED[name] = kind

    def __init__(self, pre, post, name: Optional[str] = None, link_type: str = "full",
                 syn_type: Sequence[str] = ("basic",), max_delay: float = 0.0,
                 sparse_with_mask: bool = False, pre_var_name: str = "O",
                 post_var_name: str = "Isyn", syn_kwargs: Optional[dict] = None, **kwargs):
        for end, what in ((pre, "pre"), (post, "post")):
            if not getattr(end, "is_terminal", False):
                raise _error(f"a Connection joins a NeuronGroup or a Node; {what} is "
                             f"{type(end).__name__} (use Projection between assemblies)",
                             symbol=what)
        if not isinstance(link_type, str) or link_type not in LINK_TYPES:
            raise _error(f"unknown link_type {link_type!r}: choose one of "
                         f"{', '.join(list(LINK_TYPES) + list(REGISTERED))}",
                         symbol=str(link_type))
        syn_type, syn_kwargs = check_chain(syn_type, syn_kwargs, pre, post, max_delay)
        if not isinstance(pre_var_name, str) or not pre_var_name.isidentifier():
            raise _error(f"pre_var_name must name a variable of the presynaptic group, not "
                         f"{pre_var_name!r}", symbol=str(pre_var_name))
        if not 0.0 <= float(max_delay) < float("inf"):
            raise _error(f"max_delay is a delay in ms >= 0, not {max_delay!r}",
                         symbol="max_delay")
        known = {"weight", "w_std", "w_mean", "w_max", "w_min", "density", "probability",
                 "is_parameter", "is_sparse", "min_delay", *DIST_DEPD}
        for key in kwargs:
            if key not in known:
                raise _error(f"unknown argument {key!r} for a Connection (it takes "
                             f"{', '.join(sorted(known))})", symbol=key)
        self.name = name
        self.pre, self.post = pre, post
        self.link_type = LINK_TYPES[link_type]
        self.syn_type, self.syn_kwargs = syn_type, syn_kwargs
        self.max_delay = float(max_delay)
        self.sparse_with_mask = bool(sparse_with_mask)
        self.pre_var_name, self.post_var_name = pre_var_name, post_var_name
        self.w_min, self.w_max = kwargs.get("w_min"), kwargs.get("w_max")
        self.is_parameter = bool(kwargs.get("is_parameter", self.link_type != "random"))
        self.kwargs = dict(kwargs)
        self.lowered = None        # (the pyspike Synapses, post and pre index of each)
        self._also = []            # further Synapses holding these weights (syn_type chains)
        self.mask, self._weight = self._initial(kwargs)
        #: per-synapse delays (post, pre) in ms, or None: SPAIC's uniform draw in
        #: [min_delay, max_delay) (min_delay 1 ms), drawn when the connection is made
        self.delay = None
        if self.max_delay > 0:
            low = float(kwargs.get("min_delay", 1.0))
            if not 0.0 <= low <= self.max_delay:
                raise _error(f"min_delay must lie in [0, max_delay = {self.max_delay}], not "
                             f"{low!r}", symbol="min_delay")
            self.delay = (self.max_delay - low) * np.random.rand(*self.shape) + low
        context.register(self)

    @property
    def shape(self):
        return (self.post.num, self.pre.num)

    @property
    def n_synapses(self) -> int:
        return int(self.mask.sum())

    def _initial(self, kw):
        """(mask of the pairs that exist, weights), both (post, pre), SPAIC's defaults."""
        shape, weight = self.shape, kw.get("weight")
        kind = self.link_type
        if kind == "one_to_one" and shape[0] != shape[1]:
            raise _error(f"one_to_one joins groups of one size, not {shape[1]} and {shape[0]}",
                         symbol="one_to_one")
        if kind == "full":
            mask = np.ones(shape, dtype=bool)
            default = lambda: kw.get("w_std", 0.05) * np.random.randn(*shape) \
                + kw.get("w_mean", 0.005)                                  # noqa: E731
        elif kind == "one_to_one":
            mask = np.eye(shape[0], dtype=bool)
            default = lambda: kw.get("w_mean", 0.05) * np.eye(shape[0])  # noqa: E731
        elif kind == "sparse":
            weights = kw.get("w_std", 0.05) * np.random.rand(*shape) + kw.get("w_mean", 0.005)
            mask = np.random.rand(*shape) < kw.get("density", 0.1)
            default = lambda: weights * mask                            # noqa: E731
        elif kind == "random":
            draw = np.random.rand(*shape)
            k = np.arange(min(shape))
            draw[k, k] = 1.0                       # SPAIC: never i -> i
            mask = draw < kw.get("probability", 0.1)
            default = lambda: np.where(mask, draw, 0.0)                   # noqa: E731
        elif kind == "dist_depd":
            mask = np.ones(shape, dtype=bool)
            default = lambda: distance_weights(self, kw)                  # noqa: E731
        else:                                      # null
            return np.zeros(shape, dtype=bool), np.zeros(shape)
        if weight is None:
            w = default()
        elif isinstance(weight, BaseInitializer):
            w = weight.sample(shape)
        else:
            w = np.array(weight, dtype=np.float64)
            if w.shape != shape:
                raise _error(f"weight has shape {w.shape}; this connection's (post, pre) "
                             f"shape is {shape}", symbol="weight")
            if kind in ("sparse", "random"):
                mask = w != 0.0                    # a given matrix says which pairs exist
        if not np.all(np.isfinite(w)):
            raise _error("weight holds NaN or infinite values", symbol="weight")
        return mask, self.clip(np.array(w, dtype=np.float64))

    def clip(self, w: np.ndarray) -> np.ndarray:
        """``w`` within [w_min, w_max] (where they are given)."""
        if self.w_min is not None or self.w_max is not None:
            w = np.clip(w, self.w_min if self.w_min is not None else -np.inf,
                        self.w_max if self.w_max is not None else np.inf)
        return w

    # -- the weights, live once built -------------------------------------------------
    @property
    def weight(self) -> np.ndarray:
        """The (post, pre) weights (after a batched run: those of instance 0; weights are
        shared by the samples of a batch)."""
        if self.lowered is not None:
            syn, rows, cols = self.lowered
            w = np.zeros(self.shape)
            values = np.asarray(syn.w)
            w[rows, cols] = values[0] if values.ndim == 2 else values
            return w
        return self._weight.copy()

    @weight.setter
    def weight(self, value) -> None:
        w = np.array(value, dtype=np.float64)
        if w.shape != self.shape:
            raise _error(f"weight has shape {w.shape}; this connection's (post, pre) shape "
                         f"is {self.shape}", symbol="weight")
        self._weight = self.clip(w)
        for syn, rows, cols in ([self.lowered] if self.lowered is not None else []) \
                + self._also:
            syn.w = self._weight[rows, cols]

    def bind(self, synapses, rows: np.ndarray, cols: np.ndarray,
             primary: bool = True) -> None:
        """The connection now runs as ``synapses`` (synapse k holds the weight
        ``(rows[k], cols[k])``): ``weight`` reads their ``w`` and writes it; ``primary``
        False adds further synapses of a chain that hold the same weights (written too)."""
        if primary:
            self.lowered, self._also = (synapses, rows, cols), []
        else:
            self._also.append((synapses, rows, cols))
        if rows.size:
            synapses.w = self._weight[rows, cols]

    def unbind(self) -> None:
        """Keep the compiled weights and leave the synapses (before a rebuild)."""
        if self.lowered is not None:
            self._weight = self.weight
            self.lowered, self._also = None, []

    def pairs(self):
        """(post indices, pre indices) of the existing synapses, ordered by pre then post
        (the order pyspike stores synapses in)."""
        cols, rows = np.nonzero(self.mask.T)
        return rows, cols

    def touches(self, assembly) -> bool:
        return any(end is assembly or end in assembly.all_assemblies()
                   for end in (self.pre, self.post))

    def replace_end(self, old, new) -> None:
        if self.pre is old:
            self.pre = new
        if self.post is old:
            self.post = new

    def copy_between(self, pre, post) -> "Connection":
        """A connection of the same kind between ``pre`` and ``post``, with new weights
        drawn by the same rule (a given matrix is copied)."""
        return Connection(pre, post, link_type=self.link_type, syn_type=self.syn_type,
                          max_delay=self.max_delay, pre_var_name=self.pre_var_name,
                          post_var_name=self.post_var_name, syn_kwargs=self.syn_kwargs,
                          **self.kwargs)

    def __repr__(self) -> str:
        return (f"Connection({self.name!r}, {self.pre.name} -> {self.post.name}, "
                f"{self.link_type}, {self.n_synapses} synapses)")


class Projection:
    """Connections between the groups of two assemblies, SPAIC's ``Projection``: every
    pair (a group of ``pre``, a group of ``post``) that all ``policies`` accept gets a
    Connection with the given arguments (default policy: every pair).

    >>> import pyspike.spaic as spaic
    >>> A, B = spaic.Assembly(), spaic.Assembly()
    >>> A.x = spaic.NeuronGroup(2, model="lif"); A.x.add_type("exc")
    >>> A.y = spaic.NeuronGroup(2, model="lif")
    >>> B.z = spaic.NeuronGroup(3, model="lif")
    >>> p = spaic.Projection(A, B, policies=[spaic.IncludedTypePolicy(pre_types=["exc"])],
    ...                      link_type="full")
    >>> [(c.pre.name, c.post.name) for c in p.connections()]
    [('x', 'z')]
    """

    member_table = "_projections"

    def __init__(self, pre, post, name: Optional[str] = None, policies: Sequence = (),
                 **connection_kwargs):
        self.name, self.pre, self.post = name, pre, post
        self.policies = list(policies)
        self.connection_kwargs = connection_kwargs
        self._made = None
        context.register(self)

    def connections(self):
        """The connections of the accepted pairs (made once, on first use)."""
        if self._made is None:
            pairs = [(a, b) for a in self.pre.groups() for b in self.post.groups()]
            for policy in self.policies:
                pairs = [(a, b) for a, b in pairs if policy.accepts(a, b)]
            self._made = [Connection(a, b, **self.connection_kwargs) for a, b in pairs]
            for con in self._made:
                con.name = f"{self.name}:{con.pre.name}->{con.post.name}"
        return list(self._made)


class IncludedTypePolicy:
    """Keep the pairs whose pre group has one of ``pre_types`` and whose post group has
    one of ``post_types`` (None: any)."""

    def __init__(self, pre_types=None, post_types=None):
        self.pre_types, self.post_types = pre_types, post_types

    def accepts(self, pre, post) -> bool:
        return all(kinds is None or any(k in g.type for k in kinds)
                   for kinds, g in ((self.pre_types, pre), (self.post_types, post)))


class ExcludedTypePolicy(IncludedTypePolicy):
    """Leave out the pairs whose pre group has one of ``pre_types`` or whose post group
    has one of ``post_types``."""

    def accepts(self, pre, post) -> bool:
        return not any(kinds is not None and any(k in g.type for k in kinds)
                       for kinds, g in ((self.pre_types, pre), (self.post_types, post)))


class IndexConnectPolicy:
    """Keep the pairs (pre_indexs[k], post_indexs[k]): the k-th groups of each side, in
    the order the assemblies list their groups."""

    def __init__(self, pre_indexs=(), post_indexs=(), level: int = 0):
        self.pairs = list(zip(pre_indexs, post_indexs))
        self._order = None

    def accepts(self, pre, post) -> bool:
        sups_pre, sups_post = pre.supers, post.supers
        if not sups_pre or not sups_post:
            return False
        a = list(sups_pre[0].groups()).index(pre)
        b = list(sups_post[0].groups()).index(post)
        return (a, b) in self.pairs
