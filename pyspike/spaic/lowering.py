"""The lowering of a SPAIC network description to a pyspike Network for a batch of B
samples: each neuron group and node becomes a pyspike group, each connection pyspike
Synapses, each monitor a pyspike monitor, in the order the description lists them.

This is the one door from the front end to the engine: the front-end objects hold the
description (models, weights, data); a Lowered holds the compiled network of one batch
size and knows which pyspike object stands for which front-end object.
"""
from __future__ import annotations

from typing import Dict

import numpy as np

from ..codegen.errors import ModelError
from . import synapse_types
from .synapse_types import carries_current as _carries_current


class Lowered:
    """A pyspike Network built from ``net``'s description for ``batch`` samples."""

    def __init__(self, net, batch: int, backend: str, dt: float, seed, precision: str):
        import pyspike as ps
        from .neurons import NeuronGroup
        from .nodes import Encoder
        self.batch, self.dt = batch, dt
        self.ps_net = ps.Network(dt=dt, seed=seed, backend=backend, batch=batch,
                                 precision=precision)
        self._map: Dict[int, object] = {}
        self.carriers = None           # values carried into Iext (synapse_types.Carriers)
        self.syn_state: list = []      # (connection, hidden group holding its synapses' R, D)
        self.groups = [g for g in net.groups()]
        self.connections = net.shown_connections()
        self.monitors = net.all_members("_monitors", shown=True)
        self.learners = net.all_members("_learners", shown=True)
        self.encoders = [g for g in self.groups if isinstance(g, Encoder)]
        self.training = net.training
        # a custom rule is compiled only while training (eval builds without it)
        self._rules = {id(c): learner for learner in self.learners
                       if learner.algorithm != "custom_rule" or self.training
                       for c in learner.connections()}
        with self.ps_net:
            for g in self.groups:
                if isinstance(g, NeuronGroup):
                    G = ps.NeuronGroup(g.num, g.model, params=g.params or None)
                    for var, (lo, hi) in g.variable_ranges.items():
                        G.run_regularly(f"{var} = clip({var}, {lo!r}, {hi!r})")
                    self._map[id(g)] = G
                elif isinstance(g, Encoder):
                    self._map[id(g)] = g.make_group(ps, dt)
            for con in self.connections:
                self._map[id(con)] = self._synapses(ps, con)
            for learner in self.learners:
                learner.make(ps, self)
            for mon in self.monitors + [g for g in self.groups if hasattr(g, "make")
                                        and not isinstance(g, Encoder)]:
                mon.make(ps, self)
        # the initial values a new run starts from (SPAIC's initial_step)
        self.initial = {id(g): {v: np.array(getattr(self._map[id(g)], v))
                                for v in self._map[id(g)].model.variables
                                if v not in g.stay}
                        for g in self.groups if isinstance(g, NeuronGroup)}
        for g in self.groups:                  # [stay] values kept from an earlier build
            for v, value in (getattr(g, "kept", None) or {}).items():
                setattr(self._map[id(g)], v, value)

    def ps_of(self, obj):
        """The pyspike object standing for a front-end group, node or connection."""
        try:
            return self._map[id(obj)]
        except KeyError:
            raise ModelError(f"'{getattr(obj, 'name', obj)}' is not part of the built "
                             "network (is it hidden, or outside the Network?)",
                             where="Network.build", symbol=str(getattr(obj, "name", "")))

    def _synapses(self, ps, con):
        pre, post = self.ps_of(con.pre), self.ps_of(con.post)
        if con.post_var_name not in post.model.variables:
            raise ModelError(f"the connection '{con.name}' adds to {con.post_var_name!r}, "
                             f"which '{con.post.name}' does not have (it has "
                             f"{', '.join(post.model.variables)})", where="Connection",
                             symbol=con.post_var_name)
        # the name is the model's own (found by equality), never the text given
        var = next(v for v in post.model.variables if v == con.post_var_name)
        if self.carriers is None:
            self.carriers = synapse_types.Carriers(self)
        if hasattr(con, "lower"):            # a conv or pool link (conv.py): one kernel
            return con.lower(ps, pre, post, var, self._rules.get(id(con)), self.carriers)
        if synapse_types.effective(con.syn_type) == ["basic"]:
            return self.basic(ps, con, pre, post, var)
        if id(con) in self._rules:
            raise ModelError(f"the connection '{con.name}' has syn_type {con.syn_type}: "
                             "pyspike's learners train connections of syn_type 'basic'",
                             where="Learner", symbol=str(con.name))
        return synapse_types.lower(self, ps, con, pre, post, var)

    def basic(self, ps, con, pre, post, var: str, primary: bool = True):
        """SPAIC's basic synapse: w added to the post variable per spike."""
        learner = self._rules.get(id(con))
        rule, params = (None, None) if learner is None else learner.plasticity(self.dt, con)
        if con.pre_var_name != "O" or _carries_current(con.pre, pre):
            S = self._current_synapses(ps, con, pre, post, rule)
        else:
            # untrained weights: one copy read by every sample of the batch
            S = ps.Synapses(pre, post, model="w : 1", on_pre=f"{var}_post += w",
                            plasticity=rule, params=params,
                            shared=("w",) if rule is None else ())
        rows, cols = con.pairs()
        if con.link_type in ("full", "dist_depd"):
            S.connect()                            # all pairs, stored densely
        elif rows.size:
            S.connect(i=cols, j=rows)
        order = np.lexsort((np.asarray(S.j), np.asarray(S.i)))
        if not (np.array_equal(np.asarray(S.i)[order], cols)
                and np.array_equal(np.asarray(S.j)[order], rows)):
            raise ModelError("internal: synapses stored in an unexpected order",
                             where="Connection")
        con.bind(S, np.asarray(S.j), np.asarray(S.i), primary)
        if con.delay is not None and S.n:
            S.delay = con.delay[np.asarray(S.j), np.asarray(S.i)]
        return S

    def _current_synapses(self, ps, con, pre, post, rule):
        """A connection carrying a value each step (a current encoder's O, a rate
        model's O, or the variable pre_var_name names): the target's ``Iext`` is set to
        the sum of w*value over its synapses at the start of every step (with the other
        values carried into it: synapse_types.Carriers)."""
        value = synapse_types.source_value(con, pre)
        if rule is not None:
            raise ModelError(f"the connection '{con.name}' carries a current; learners "
                             "train connections that carry spikes", where="Learner",
                             symbol=str(con.name))
        return self.carriers.add(ps, pre, post, f"w*{value}_pre", True, con, con.post)

    # -- runs ---------------------------------------------------------------------------
    def reset(self) -> None:
        """Every neuron variable back to its initial value, SPAIC's ``[stay]`` ones
        excepted (the weights stay)."""
        from .neurons import NeuronGroup
        for g in self.groups:
            if isinstance(g, NeuronGroup):
                G = self._map[id(g)]
                for v, value in self.initial[id(g)].items():
                    setattr(G, v, value)
        for con in self.connections:           # no spike of the last run still in flight
            if con.delay is not None:
                self._map[id(con)].state.ring = None
        for _, H in self.syn_state:             # the synapses' R and D (SPAIC's initial 0)
            for v in H.model.variables:
                setattr(H, v, 0.0)

    def run(self, steps: int, new_run: bool) -> None:
        t0 = self.ps_net.t
        for enc in self.encoders:
            enc.start_run(self._map[id(enc)], steps, self.dt, t0)
        for mon in self.monitors + [g for g in self.groups if hasattr(g, "begin")]:
            mon.begin(t0, steps, new_run)
        for learner in self.learners:    # (t_end: the end of the run in synaptic time)
            learner.begin(self, new_run, t0 + (steps + 1) * self.dt)
        self.ps_net.run(steps * self.dt)
        for g in self.groups:              # decoders and rewards first: rstdp reads them
            if hasattr(g, "finish"):
                g.finish(self)
        for learner in self.learners:
            learner.end(self)

    def read_back(self) -> None:
        """Copy the weights into the front-end connections (before a rebuild)."""
        from .neurons import NeuronGroup
        for con in self.connections:
            con.unbind()
        for g in self.groups:
            if isinstance(g, NeuronGroup) and g.stay:
                # one value per neuron (a batch's instances averaged): a new build may
                # have another batch size
                g.keep({v: np.asarray(getattr(self._map[id(g)], v)).reshape(
                    -1, g.num).mean(axis=0) for v in g.stay})

