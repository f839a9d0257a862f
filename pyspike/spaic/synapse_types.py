"""SPAIC's synapse types (a connection's ``syn_type`` chain), lowered to pyspike objects.

SPAIC runs a connection as the operations of each type of its chain; each writes the
post variable (``Isyn``) and SPAIC sums what several connections or types write in one
step.  In step t (the spike O(t-1) of the step before, W the (post, pre) weights):

- ``basic``: Isyn(t) = W·O(t-1) (:mod:`pyspike.spaic.lowering`);
- ``1_order_synapse``: a state R per post neuron, R(t) = exp(-dt/tau)*R(t-1) + W·O(t-1),
  Isyn(t) = R(t) (``syn_kwargs`` ``tau``, SPAIC's default 2 ms);
- ``2_order_synapse``: R and D, each so with ``tau_r`` (9 ms) and ``tau_d`` (2 ms),
  Isyn(t) = R(t) - D(t);
- ``electrical``: gap junctions between two neuron groups with ``V``, on both ends:
  Isyn_post_i(t) = sum_j w_ij (V_pre_j(t-1) - V_post_i(t-1)) and Isyn_pre_j(t) = sum_i
  w_ij (V_post_i(t-1) - V_pre_j(t-1)), with V as the last step left it (after its reset);
- ``directpass``: Isyn_i(t) = O_i(t-1), no weights (groups of one size);
- ``flatten``: SPAIC's reshape of the input to (batch, pre); pyspike's layout is flat
  already, so it changes nothing.  (SPAIC 0.6.3 writes the reshaped input back into the
  source's O, where the spikes of a ``1_order_synapse`` that follows it accumulate step
  after step; here a flatten never changes the input.)

The types of a chain add up, as SPAIC sums them (``["basic", "1_order_synapse"]``: W·O +
R); each type reads the connection's input and weights.  SPAIC 0.6.3 builds the first-
and second-order types on ``full`` connections only; pyspike on every link type.

How the timing is kept, compiled: a filter is a hidden group of post.num neurons holding
R (and D); its update decays them, the connection's spikes add w in the step of the
spike, after the decay, and the hidden group fires every step, adding R (R - D) to the
post variable: the post's update of step t reads R(t), as SPAIC's.  A value carried each
step (gap junctions, a current source, a filter of a current) is summed at the start of
the step from the state the last step left, into the target's ``Iext``; a group that
receives several such values gets a hidden collector group that sums them.

The weights of the ``dist_depd`` link type (from the neurons' positions) are computed
here too (:func:`distance_weights`), beside the types, to keep connections.py small.
"""
from __future__ import annotations

import math
from typing import Dict, Optional, Sequence

import numpy as np

from ..codegen.errors import ModelError

#: SPAIC's synapse types that pyspike builds
SYN_TYPES = ("basic", "1_order_synapse", "2_order_synapse", "electrical", "flatten",
             "directpass")
#: SPAIC's other synapse types, not built here (conv and pool come with their link types)
NOT_BUILT = ("conv", "conv_transpose", "maxpool", "avgpool", "dropout", "upsample",
             "batchnorm2d", "delay_complex_synapse", "mix_order_synapse")
#: the syn_kwargs each type reads, with SPAIC's defaults (ms)
SYN_KWARGS: Dict[str, Dict[str, float]] = {"1_order_synapse": {"tau": 2.0},
                                           "2_order_synapse": {"tau_r": 9.0, "tau_d": 2.0}}
_FILTERS = tuple(SYN_KWARGS)


def _error(message: str, symbol: Optional[str] = None, where: str = "Connection"):
    return ModelError(message, where=where, symbol=symbol)


def check_chain(syn_type, syn_kwargs, pre, post, max_delay):
    """(the chain as a list, syn_kwargs as a dict): checked as a Connection is made."""
    chain = ["basic"] if syn_type is None else [syn_type] if isinstance(syn_type, str) \
        else list(syn_type)
    for s in chain:
        if s in NOT_BUILT:
            raise _error(f"syn_type {s!r} is not built yet: pyspike builds "
                         f"{', '.join(SYN_TYPES)}", symbol=str(s))
        if s not in SYN_TYPES:
            raise _error(f"unknown syn_type {s!r}: SPAIC's synapse types are "
                         f"{', '.join(SYN_TYPES + NOT_BUILT)}", symbol=str(s))
    if not any(s != "flatten" for s in chain):
        raise _error(f"syn_type {chain} has no synapse: flatten only reshapes the input of "
                     "the type that follows it (e.g. ['flatten', 'basic'])", symbol="flatten")
    if syn_kwargs is None:
        syn_kwargs = {}
    if not isinstance(syn_kwargs, dict):
        raise _error(f"syn_kwargs is a dict of the synapse types' arguments, not "
                     f"{type(syn_kwargs).__name__}", symbol="syn_kwargs")
    known = {k for s in chain for k in SYN_KWARGS.get(s, {})}
    for key, value in syn_kwargs.items():
        if key not in known:
            readers = "; ".join(f"{s} reads {', '.join(kw)}" for s, kw in SYN_KWARGS.items())
            raise _error(f"syn_kwargs names {key!r}, which no synapse type of {chain} "
                         f"reads ({readers})", symbol=str(key))
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not 0 < float(value) < float("inf"):
            raise _error(f"syn_kwargs {key!r} is a time constant in ms > 0, not {value!r}",
                         symbol=str(key))
    if "electrical" in chain:
        from .neurons import NeuronGroup
        for end, what in ((pre, "pre"), (post, "post")):
            if not isinstance(end, NeuronGroup) or "V" not in end.model.variables:
                kind = type(end).__name__ if not isinstance(end, NeuronGroup) else \
                    f"a NeuronGroup whose model '{end.model_name}' has no V"
                raise _error(f"an electrical synapse joins the potentials V of two neuron "
                             f"groups; its {what} '{end.name}' is {kind}", symbol="electrical")
        if float(max_delay) > 0:
            raise _error("an electrical synapse (a gap junction) acts without delay: give "
                         "max_delay 0", symbol="max_delay")
    if "directpass" in chain and pre.num != post.num:
        raise _error(f"directpass passes each input i to target i: the groups have "
                     f"{pre.num} and {post.num} neurons", symbol="directpass")
    return chain, {k: float(v) for k, v in syn_kwargs.items()}


def effective(chain: Sequence[str]) -> list:
    """The types of a chain that act (flatten changes nothing in pyspike's layout)."""
    return [s for s in chain if s != "flatten"]


def carries_current(front, group) -> bool:
    """Does the front-end source give a value each step rather than spikes?"""
    if getattr(front, "carries_current", False):
        return True
    model = getattr(group, "model", None)
    return model is not None and not model.threshold and "O" in model.variables


def source_value(con, group) -> Optional[str]:
    """The source's variable a connection carries each step (None: it carries spikes)."""
    if con.pre_var_name == "O" and not carries_current(con.pre, group):
        return None
    if con.pre_var_name not in group.model.variables:
        raise _error(f"the connection '{con.name}' carries {con.pre_var_name!r}, which "
                     f"'{con.pre.name}' does not have (it has "
                     f"{', '.join(group.model.variables)})", symbol=str(con.pre_var_name))
    # the model's own name for it (found by equality), never the text given
    return next(v for v in group.model.variables if v == con.pre_var_name)


def carried(low, con) -> list:
    """The front-end groups into whose Iext ``con`` carries a value each step (every
    lowering that adds to Carriers is counted here)."""
    out = [con.post] * getattr(con, "values_carried", 0)      # (conv.py: bias, max pool)
    for s in effective(con.syn_type):
        if s == "electrical":
            out += [con.post, con.pre]
        elif s in ("basic", "directpass") + _FILTERS and \
                source_value(con, low.ps_of(con.pre)) is not None:
            out.append(con.post)
    return out


class Carriers:
    """Values summed each step into groups' ``Iext`` (a ``(summed)`` variable, computed at
    the start of the step).  A group with one such value gets it straight; a group with
    several gets a hidden collector (one variable per value, and a link to the group's V)
    whose sum a last Synapses carries into Iext, made after all of them (a step's summed
    variables are computed in the order the Synapses were made)."""

    def __init__(self, low):
        self.counts: Dict[int, int] = {}   # values carried into each target
        for con in low.connections:
            for front in carried(low, con):
                key = id(low.ps_of(front))
                self.counts[key] = self.counts.get(key, 0) + 1
        self.collectors: Dict[int, list] = {}

    def add(self, ps, source, target, expr: str, weighted: bool, con, front,
            flag: str = "summed"):
        """A Synapses from ``source`` whose (summed) ``expr`` goes into ``target``'s Iext
        (not yet connected); ``front``: the target's front-end group; ``flag`` "max":
        the largest value of a target's synapses instead of their sum."""
        if "Iext" not in target.model.variables:
            raise _error(f"the connection '{con.name}' carries a value each step into "
                         f"'Iext', which '{front.name}' does not have", symbol="Iext")
        key = id(target)
        w = "w : 1\n" if weighted else ""
        if key not in self.collectors and self.counts.get(key, 1) <= 1:
            return ps.Synapses(source, target, model=f"{w}Iext_post = {expr} : 1 ({flag})")
        if key not in self.collectors:
            n = self.counts[key]
            names = [f"X{k}" for k in range(n)]
            link = "V" in target.model.variables
            model = ps.NeuronModel(equations="\n".join(
                [f"{x} : 1" for x in names] + (["V : 1 (linked)"] if link else [])))
            group = ps.NeuronGroup(target.N, model)
            if link:
                group.V = ps.linked_var(target, "V")
            self.collectors[key] = [group, names, 0]
        entry = self.collectors[key]
        group, names, made = entry
        S = ps.Synapses(source, group, model=f"{w}{names[made]}_post = {expr} : 1 ({flag})")
        entry[2] = made + 1
        if entry[2] == len(names):
            carry = ps.Synapses(group, target, model=f"Iext_post = "
                                f"{' + '.join(x + '_pre' for x in names)} : 1 (summed)")
            _one_to_one(carry, target.N)
        return S


def _one_to_one(S, n: int) -> None:
    S.connect(i=np.arange(n), j=np.arange(n))


def _connect(S, con) -> None:
    """The connection's pairs (pre then post order), all pairs stored densely."""
    rows, cols = con.pairs()
    if con.link_type in ("full", "dist_depd"):
        S.connect()
    elif rows.size:
        S.connect(i=cols, j=rows)


def lower(low, ps, con, pre, post, var: str):
    """The pyspike objects of ``con``'s chain; returns the Synapses that ``con.weight``
    reads (the first that holds the weights)."""
    value = source_value(con, pre)
    made = []                                    # (Synapses, holds the weights)
    for kind in effective(con.syn_type):
        primary = not any(weighted for _, weighted in made)
        if kind == "basic":
            made.append((low.basic(ps, con, pre, post, var, primary), True))
        elif kind in _FILTERS:
            made.append((_filter(low, ps, con, pre, post, var, kind, value, primary), True))
        elif kind == "electrical":
            made.append((_electrical(low, ps, con, pre, post, primary), True))
        else:
            made.append((_directpass(low, ps, con, post, var, value), False))
    return next((S for S, weighted in made if weighted), made[0][0])


def _delays(S, con) -> None:
    if con.delay is not None and S.n:
        S.delay = con.delay[np.asarray(S.j), np.asarray(S.i)]


def _filter(low, ps, con, pre, post, var, kind, value, primary):
    """First- or second-order synapse: a hidden group holding R (and D)."""
    taus = {k: con.syn_kwargs.get(k, v) for k, v in SYN_KWARGS[kind].items()}
    a = [repr(math.exp(-low.dt / tau)) for tau in taus.values()]
    names = ["R", "D"][:len(a)]
    if value is None:
        # decayed in the hidden group's update, then the spikes of the step added: what it
        # holds at the step's end is SPAIC's R of the next step, added to the post now
        H = ps.NeuronGroup(post.N, ps.NeuronModel(
            equations="\n".join(f"{x} : 1" for x in names), threshold="True",
            update="\n".join(f"{x} = {ax}*{x}" for x, ax in zip(names, a))))
        S = ps.Synapses(pre, H, model="w : 1", shared=("w",),
                        on_pre="\n".join(f"{x}_post += w" for x in names))
        _connect(S, con)
        _delays(S, con)
        out = ps.Synapses(H, post, on_pre=f"{var}_post += " + " - ".join(
            f"{x}_pre" for x in names))
        _one_to_one(out, post.N)
    else:
        # a value each step: summed into In at the step's start, and the carrier reads
        # the R (and D) the hidden group's update of this step will hold
        H = ps.NeuronGroup(post.N, ps.NeuronModel(
            equations="\n".join(f"{x} : 1" for x in names + ["In"]),
            update="\n".join(f"{x} = {ax}*{x} + In" for x, ax in zip(names, a))))
        S = ps.Synapses(pre, H, model=f"w : 1\nIn_post = w*{value}_pre : 1 (summed)")
        _connect(S, con)
        carrier = low.carriers.add(ps, H, post, " - ".join(
            f"({ax}*{x}_pre + In_pre)" for x, ax in zip(names, a)), False, con, con.post)
        _one_to_one(carrier, post.N)
    low.syn_state.append((con, H))
    con.bind(S, np.asarray(S.j), np.asarray(S.i), primary)
    return S


def _electrical(low, ps, con, pre, post, primary):
    """Gap junctions: each end's Iext gets sum w*(V_other - V_own), both directions."""
    rows, cols = con.pairs()
    expr = "w*(V_pre - V_post)"
    forward = low.carriers.add(ps, pre, post, expr, True, con, con.post)
    _connect(forward, con)
    con.bind(forward, np.asarray(forward.j), np.asarray(forward.i), primary)
    back = low.carriers.add(ps, post, pre, expr, True, con, con.pre)
    order = np.lexsort((cols, rows))                   # by the new pre (post), then post
    if rows.size:
        back.connect(i=rows[order], j=cols[order])
    con.bind(back, np.asarray(back.i), np.asarray(back.j), False)
    return forward


def _directpass(low, ps, con, post, var, value):
    """Input i to target i, unweighted."""
    if value is None:
        S = ps.Synapses(low.ps_of(con.pre), post, on_pre=f"{var}_post += 1")
    else:
        S = low.carriers.add(ps, low.ps_of(con.pre), post, f"{value}_pre", False, con,
                              con.post)
    _one_to_one(S, post.N)
    return S


# -- dist_depd (a link type: its weights live here, beside the synapse types) ------------
#: dist_depd's arguments and SPAIC's defaults (DistDepd_connect)
DIST_DEPD = {"dist_a": 0.2, "dist_b": 0.4, "w_amp": -0.1, "pos_range": 1.0, "p": 1.0,
             "zero_self": False, "dist_function": "euclidean",
             "distance_weight_function": None}


def _positions(end, what: str) -> np.ndarray:
    p = getattr(end, "position", None)
    p = np.asarray([] if p is None else p, dtype=np.float64)
    p = p[:, None] if p.ndim == 1 else p
    if p.size == 0 or p.ndim != 2 or p.shape[0] != end.num:
        raise _error(f"dist_depd weighs each pair by the distance of its neurons: the "
                     f"{what} group '{end.name}' needs positions, one row of coordinates "
                     f"per neuron ({end.num} rows; neuron_position=), not {p.shape}",
                     symbol="neuron_position")
    return p


def distance_weights(con, kw) -> np.ndarray:
    """dist_depd's (post, pre) weights from the positions of ``con``'s neurons (SPAIC's
    DistDepd_connect; the keep-mask of p < 1 from NumPy's global generator)."""
    opt = {k: kw.get(k, v) for k, v in DIST_DEPD.items()}
    pre, post = _positions(con.pre, "pre"), _positions(con.post, "post")
    if pre.shape[1] != post.shape[1]:
        raise _error(f"the positions of '{con.pre.name}' have {pre.shape[1]} coordinates "
                     f"and those of '{con.post.name}' {post.shape[1]}",
                     symbol="neuron_position")
    pre, post = pre[None, :, :], post[:, None, :]             # (post, pre, dims)
    how = opt["dist_function"]
    if callable(how):
        d = np.asarray(how(pre, post), dtype=np.float64)
    elif how == "euclidean":
        d = np.sqrt(np.sum((pre - post) ** 2, axis=-1))
    elif how == "circular":
        far, near = np.maximum(pre, post), np.minimum(pre, post)
        d = np.sqrt(np.sum(np.minimum(far - near, float(opt["pos_range"]) + near - far) ** 2,
                           axis=-1))
    else:
        raise _error(f"dist_function is 'euclidean', 'circular' or a function, not {how!r}",
                     symbol="dist_function")
    if opt["distance_weight_function"] is not None:
        w = np.asarray(opt["distance_weight_function"](d), dtype=np.float64)
    else:
        a, b = float(opt["dist_a"]), float(opt["dist_b"])
        w = float(opt["w_amp"]) * (np.exp(-d / a) / a - 0.5 * np.exp(-d / b) / b)
        if opt["zero_self"]:
            w = w * (d != 0)
    if w.shape != con.shape:
        raise _error(f"the distance weights have shape {w.shape}, not the connection's "
                     f"(post, pre) {con.shape}", symbol="distance_weight_function")
    if float(opt["p"]) < 1.0:
        w = w * (np.random.rand(*con.shape) < float(opt["p"]))
    return w
