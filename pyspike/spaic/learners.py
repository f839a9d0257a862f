"""SPAIC's Learner with its local rules, compiled into the synapses of the connections it
trains: each rule is a short text (a pyspike PlasticityRule), its traces event-driven.

- ``nearest_online_stdp`` (SPAIC's, after Diehl & Cook 2015): traces of the pre- and
  postsynaptic spikes set to 1 by a spike and multiplied by ``trace_decay`` every step;
  at a postsynaptic spike w += Apost*x_pre, at a presynaptic one w -= Apre*x_post.
- ``full_online_stdp``: the same with traces that add 1 at each spike (all pairs).

SPAIC multiplies the traces by ``trace_decay`` per step; here they decay in time with
tau = -dt/ln(trace_decay), which is the same at every step.  SPAIC normalises each
postsynaptic row of the weights to ``w_norm`` (78.4) and clips them to [0, 1] after every
step (nearest) or at the run's last step (full); here both rules normalise and clip once
at the end of each run while training (SPAIC's full_online_stdp timing; for
nearest_online_stdp a departure: the weights within a run are not renormalised).  In a
batch, each sample's changes are made on its own copy of the weights and summed into the
shared weights at the end of the run, as SPAIC sums its batch's changes.

>>> import pyspike.spaic as spaic
>>> a, b = spaic.NeuronGroup(2, model="lif"), spaic.NeuronGroup(2, model="lif")
>>> c = spaic.Connection(a, b, link_type="full")
>>> learner = spaic.Learner(trainable=c, algorithm="nearest_online_stdp", Apost=0.02)
>>> learner.params["Apost"], learner.w_norm
(0.02, 78.4)
"""
from __future__ import annotations

import math
from typing import Dict, List, Optional

import numpy as np

from ..codegen.errors import ModelError
from ..models.rule import PlasticityRule
from . import context

_TRACES = """
    dx_in/dt = -x_in/tau_trace : 1 (event-driven)
    dx_out/dt = -x_out/tau_trace : 1 (event-driven)
"""
RULES: Dict[str, PlasticityRule] = {
    "nearest_online_stdp": PlasticityRule(
        "nearest_online_stdp", "SPAIC's nearest-spike online STDP (module doc).",
        model=_TRACES, on_pre="x_in = 1\nw = w - Apre*x_out",
        on_post="x_out = 1\nw = w + Apost*x_in",
        params={"Apost": 1e-2, "Apre": 1e-4, "tau_trace": 2.0}),
    "full_online_stdp": PlasticityRule(
        "full_online_stdp", "SPAIC's all-pairs online STDP (module doc).",
        model=_TRACES, on_pre="x_in += 1\nw = w - Apre*x_out",
        on_post="x_out += 1\nw = w + Apost*x_in",
        params={"Apost": 1e-2, "Apre": 1e-4, "tau_trace": 2.0}),
}
_ALIASES = {"full_online_stdp": "full_online_stdp", "nearest_online_stdp": "nearest_online_stdp"}


class Learner:
    """``Learner(trainable=..., algorithm=..., **options)``: trains the connections of
    ``trainable`` (a Connection, a list of them, or an assembly: all its connections) by
    a local rule (``nearest_online_stdp``, ``full_online_stdp``).  Options: ``Apost``,
    ``Apre``, ``trace_decay`` (per step; default exp(-1/20)), ``w_norm`` (78.4; None: no
    normalisation).  Gradient algorithms (STCA, STBP, SBP) are not built yet."""

    member_table = "_learners"

    def __init__(self, trainable=None, algorithm: str = "nearest_online_stdp",
                 pathway=None, name: Optional[str] = None, **kwargs):
        key = str(algorithm).lower()
        if key not in _ALIASES:
            raise ModelError(f"unknown learning algorithm {algorithm!r}: pyspike has "
                             f"{', '.join(sorted(_ALIASES))} (gradient learners are not "
                             "built yet)", where="Learner", symbol=str(algorithm))
        self.algorithm = _ALIASES[key]
        self.rule = RULES[self.algorithm]
        self.trace_decay = float(kwargs.pop("trace_decay", math.exp(-1.0 / 20.0)))
        if not 0.0 < self.trace_decay < 1.0:
            raise ModelError(f"trace_decay is a factor per step in (0, 1), not "
                             f"{self.trace_decay!r}", where="Learner", symbol="trace_decay")
        self.w_norm = kwargs.pop("w_norm", 78.4)
        kwargs.pop("lr", None)          # SPAIC reads it and its STDP rules do not use it
        for key in kwargs:
            if key not in ("Apost", "Apre"):
                raise ModelError(f"the rule '{self.algorithm}' takes Apost, Apre, "
                                 f"trace_decay and w_norm, not {key!r}", where="Learner",
                                 symbol=key)
        self.params = {"Apost": 1e-2, "Apre": 1e-4, **{k: float(v) for k, v in kwargs.items()}}
        self.trainable, self.name = trainable, name
        self._start: Dict[int, np.ndarray] = {}
        context.register(self)

    def connections(self) -> List:
        """The connections this learner trains."""
        items = self.trainable if isinstance(self.trainable, (list, tuple)) \
            else [self.trainable]
        out = []
        for item in items:
            kind = getattr(type(item), "member_table", None)
            if kind == "_connections":
                out.append(item)
            elif kind == "_groups":
                out.extend(item.all_connections())
            else:
                raise ModelError(f"trainable must be a Connection, an assembly or a list of "
                                 f"them, not {type(item).__name__}", where="Learner",
                                 symbol="trainable")
        return out

    def plasticity(self, dt: float):
        """(rule, params) for the Synapses of a trained connection."""
        tau = -dt / math.log(self.trace_decay)
        return self.rule, {**self.params, "tau_trace": tau}

    # -- runs -------------------------------------------------------------------------
    def make(self, ps, lowered) -> None:
        """Nothing to add: the rule is compiled into the synapses (see lowering)."""

    def begin(self, lowered) -> None:
        """Before a run: learning on (training) or off (eval: rates 0, weights kept)."""
        training = lowered.training
        for con in self.connections():
            S = lowered.ps_of(con)
            for key in ("Apost", "Apre"):
                setattr(S, key, self.params[key] if training else 0.0)
        self._start = {id(c): np.array(lowered.ps_of(c).w) for c in self.connections()}

    def end(self, lowered) -> None:
        """After a run while training: merge the batch's changes, normalise, clip."""
        if not lowered.training:
            return
        for con in self.connections():
            S = lowered.ps_of(con)
            start = self._start[id(con)]
            w = np.asarray(S.w)
            merged = start[0] + (w - start).sum(axis=0) if w.ndim == 2 else w
            full = np.zeros(con.shape)
            rows, cols = con.lowered[1], con.lowered[2]
            full[rows, cols] = merged
            if self.w_norm is not None:
                sums = np.abs(full).sum(axis=1, keepdims=True)
                full = np.where(sums > 0, float(self.w_norm) * full / np.where(
                    sums > 0, sums, 1.0), full)
            con.weight = np.clip(full, 0.0, 1.0)
