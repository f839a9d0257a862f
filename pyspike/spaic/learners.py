"""SPAIC's Learner with its local rules, compiled into the synapses of the connections it
trains: each rule is a short text (a pyspike PlasticityRule), its traces event-driven.

- ``nearest_online_stdp`` (SPAIC's, after Diehl & Cook 2015): traces of the pre- and
  postsynaptic spikes set to 1 by a spike and multiplied by ``trace_decay`` every step;
  at a postsynaptic spike w += Apost*x_pre, at a presynaptic one w -= Apre*x_post.
- ``full_online_stdp``: the same with traces that add 1 at each spike (all pairs).
- ``rstdp`` (Florian 2007, SPAIC's): traces p+ (A_plus per presynaptic spike) and p-
  (A_minus per postsynaptic one) decaying with tau_plus, tau_minus (ms); the eligibility
  of a synapse gains p+ at each postsynaptic spike and p- at each presynaptic one, and
  w += lr*reward*eligibility.
- ``rstdpet`` (Florian 2007, SPAIC's): the same eligibility feeding a trace (gaining
  dt/tau_e of it, decaying with tau_e_trace), and w += lr*dt*reward*trace every step.

SPAIC multiplies the STDP traces by ``trace_decay`` per step; here they decay in time with
tau = -dt/ln(trace_decay), which is the same at every step.  SPAIC normalises each
postsynaptic row of the weights to ``w_norm`` (78.4) and clips them to [0, 1] after every
step (nearest) or at the run's last step (full); here both rules normalise and clip once
at the end of each run while training (SPAIC's full_online_stdp timing; for
nearest_online_stdp a departure: the weights within a run are not renormalised).  SPAIC's
R-STDP applies the reward of each step to that step's eligibility; here the run's
eligibility is summed in the compiled step and the reward, one per sample, is applied at
the end of the run (the Reward node's, or ``learner.reward`` when set): the same where
the reward is constant over the run (for rstdpet: the sum of the trace over the run's
steps, computed exactly from each increment's time; a ``run_continue`` sums its own
steps, without the trace the piece before left).  In a batch, each sample's changes are made on its
own copy of the weights and summed into the shared weights at the end of the run, as
SPAIC sums its batch's changes.

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
    "rstdp": PlasticityRule(
        "rstdp", "SPAIC's reward-modulated STDP, its eligibility summed over a run.",
        model="""
            dp_plus/dt = -p_plus/tau_plus : 1 (event-driven)
            dp_minus/dt = -p_minus/tau_minus : 1 (event-driven)
            elig : 1
            """,
        on_pre="p_plus += A_plus\nelig += p_minus",
        on_post="p_minus += A_minus\nelig += p_plus",
        params={"A_plus": 1.0, "A_minus": -1.0, "tau_plus": 20.0, "tau_minus": 20.0}),
    # rstdpet: each eligibility increment e at time t feeds a trace decaying with
    # tau_e_trace whose sum over the run's remaining steps is
    # e*(1 - exp(-(t_end - t)/tau_e_trace))/(1 - exp(-dt/tau_e_trace)) (t_end: set per run)
    "rstdpet": PlasticityRule(
        "rstdpet", "SPAIC's R-STDP with an eligibility trace, its trace summed over a run.",
        model="""
            dp_plus/dt = -p_plus/tau_plus : 1 (event-driven)
            dp_minus/dt = -p_minus/tau_minus : 1 (event-driven)
            elig : 1
            """,
        on_pre="p_plus += A_plus\nelig += p_minus*(1 - exp(-(t_end - t)/tau_e_trace))",
        on_post="p_minus += A_minus\nelig += p_plus*(1 - exp(-(t_end - t)/tau_e_trace))",
        params={"A_plus": 1.0, "A_minus": -1.0, "tau_plus": 20.0, "tau_minus": 20.0,
                "tau_e_trace": 25.0, "t_end": 0.0}),
}
#: the online STDP rules: rates zeroed in eval, rows normalised after a run
_STDP = ("nearest_online_stdp", "full_online_stdp")
#: each algorithm's options and SPAIC's defaults (those of the rule, and the learner's)
OPTIONS = {
    "nearest_online_stdp": {"Apost": 1e-2, "Apre": 1e-4, "trace_decay": math.exp(-1 / 20),
                            "w_norm": 78.4, "lr": 0.01},
    "full_online_stdp": {"Apost": 1e-2, "Apre": 1e-4, "trace_decay": math.exp(-1 / 20),
                         "w_norm": 78.4, "lr": 0.01},
    "rstdp": {"A_plus": 1.0, "A_minus": -1.0, "tau_plus": 20.0, "tau_minus": 20.0,
              "lr": 0.1, "w_min": None, "w_max": None},
    "rstdpet": {"A_plus": 1.0, "A_minus": -1.0, "tau_plus": 20.0, "tau_minus": 20.0,
                "tau_e_trace": 25.0, "tau_e": 25.0, "lr": 0.1, "w_min": None, "w_max": None},
    "custom_rule": {"model": "", "on_pre": "", "on_post": "", "params": None,
                    "lr": 0.0, "w_min": None, "w_max": None},
}


class Learner:
    """``Learner(trainable=..., algorithm=..., **options)``: trains the connections of
    ``trainable`` (a Connection, a list of them, or an assembly: all its connections) by
    a local rule: ``nearest_online_stdp`` and ``full_online_stdp`` (options ``Apost``,
    ``Apre``, ``trace_decay`` per step, ``w_norm``: 78.4, None for no normalisation),
    ``rstdp`` (``A_plus``, ``A_minus``, ``tau_plus``, ``tau_minus``, ``lr``, ``w_min``,
    ``w_max``; ``reward=`` a Reward node), ``rstdpet`` (the same and ``tau_e_trace``,
    ``tau_e``), and ``custom_rule``: a rule written as model
    text, ``model=`` (its variables, e.g. event-driven traces), ``on_pre=``, ``on_post=``
    (statements that may change ``w``) and ``params=`` (their values), parsed, checked and
    compiled like any model text (pyspike's synapse syntax; ``w_min``/``w_max`` clip the
    weights at the end of each run).  SPAIC's hook, a subclass overriding
    ``connection_rule(con)``, works too: it returns the rule (a
    ``pyspike.models.PlasticityRule``) for each trained connection.  With
    ``param_run_update=True`` (SPAIC's post-run update mode) a run's changes wait for
    ``optim_step()``; the next run starts from the weights as they were until then.
    Gradient algorithms (STCA, STBP, SBP) are not built yet.

    >>> import pyspike.spaic as spaic
    >>> a, b = spaic.NeuronGroup(2, model="lif"), spaic.NeuronGroup(2, model="lif")
    >>> c = spaic.Connection(a, b, link_type="full")
    >>> hebb = spaic.Learner(trainable=c, algorithm="custom_rule", on_post="w += eta",
    ...                      params={"eta": 0.01}, w_max=1.0)
    >>> hebb.connection_rule(c).on_post
    'w += eta'
    """

    member_table = "_learners"

    def __init__(self, trainable=None, algorithm: str = "nearest_online_stdp",
                 pathway=None, name: Optional[str] = None, reward=None, **kwargs):
        key = str(algorithm).lower()
        if key not in OPTIONS:
            raise ModelError(f"unknown learning algorithm {algorithm!r}: pyspike has "
                             f"{', '.join(sorted(OPTIONS))} (gradient learners are not "
                             "built yet)", where="Learner", symbol=str(algorithm))
        self.algorithm, self.rule = key, RULES.get(key)
        options = dict(OPTIONS[key])
        #: SPAIC's post-run update mode: a run's changes wait for optim_step()
        self.param_run_update = bool(kwargs.pop("param_run_update", False))
        for option, value in kwargs.items():
            if option not in options:
                raise ModelError(f"the rule '{key}' takes {', '.join(options)}, not "
                                 f"{option!r}", where="Learner", symbol=option)
            options[option] = value
        custom = {k: options.pop(k) for k in ("model", "on_pre", "on_post", "params")
                  if k in options}
        if custom:
            self.rule = PlasticityRule("custom_rule", "A rule given to a SPAIC Learner.",
                                       model=custom["model"], on_pre=custom["on_pre"],
                                       on_post=custom["on_post"],
                                       params={k: float(v) for k, v in
                                               dict(custom["params"] or {}).items()})
        decay = options.pop("trace_decay", None)
        if decay is not None and not 0.0 < float(decay) < 1.0:
            raise ModelError(f"trace_decay is a factor per step in (0, 1), not {decay!r}",
                             where="Learner", symbol="trace_decay")
        self.trace_decay = None if decay is None else float(decay)
        self.w_norm = options.pop("w_norm", None)
        self.lr = float(options.pop("lr"))
        self.w_min, self.w_max = options.pop("w_min", None), options.pop("w_max", None)
        self.tau_e = float(options.pop("tau_e", 25.0))
        self.params = {k: float(v) for k, v in options.items()}
        self.trainable, self.name = trainable, name
        self.reward_node, self.reward = reward, None
        self._start: Dict[int, np.ndarray] = {}
        self._pending: Dict[int, np.ndarray] = {}     # (param_run_update) by connection
        context.register(self)

    @property
    def online(self) -> bool:
        """True: the rule changes w during the run; False: after it (rstdp)."""
        return self.algorithm not in ("rstdp", "rstdpet")

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

    def connection_rule(self, con) -> PlasticityRule:
        """The rule compiled into ``con``'s synapses (SPAIC's hook: override it)."""
        return self.rule

    def plasticity(self, dt: float, con=None):
        """(rule, params) for the Synapses of a trained connection."""
        rule = self.connection_rule(con)
        if not isinstance(rule, PlasticityRule):
            raise ModelError(f"connection_rule must return a PlasticityRule, not "
                             f"{type(rule).__name__}", where="Learner", symbol="connection_rule")
        params = dict(rule.params) if rule is not self.rule else dict(self.params)
        if self.trace_decay is not None:
            params["tau_trace"] = -dt / math.log(self.trace_decay)
        return rule, params

    # -- runs -------------------------------------------------------------------------
    def make(self, ps, lowered) -> None:
        """Nothing to add: the rule is compiled into the synapses (see lowering)."""

    def begin(self, lowered, new_run: bool = True, t_end: float = 0.0) -> None:
        """Before a run: learning on (training) or off (eval: rates 0, weights kept); a
        new run starts the rule's traces and eligibility from 0, as SPAIC resets every
        variable but the weights (``run_continue`` keeps them)."""
        for con in self.connections():
            S = lowered.ps_of(con)
            if self.algorithm in _STDP:
                for key in ("Apost", "Apre"):
                    setattr(S, key, self.params[key] if lowered.training else 0.0)
            if self.algorithm == "rstdpet":
                S.t_end = t_end               # (pyspike's synaptic t: one step later)
            if new_run:
                for var in S.variables:
                    if var != "w":
                        setattr(S, var, 0.0)
        self._start = {id(c): np.array(lowered.ps_of(c).w) for c in self.connections()}

    def end(self, lowered) -> None:
        """After a run while training: the batch's changes summed into the shared
        weights; STDP rules normalise and clip, rstdp applies the reward."""
        if not lowered.training:
            return
        for con in self.connections():
            S = lowered.ps_of(con)
            start = np.atleast_2d(self._start[id(con)])
            if self.online:
                change = np.atleast_2d(np.asarray(S.w)) - start
            else:
                change = self.lr * self._trace_factor(lowered.dt) \
                    * self._rewards(start.shape[0])[:, None] \
                    * np.atleast_2d(np.asarray(S.elig))
            full = np.zeros(con.shape)
            rows, cols = con.lowered[1], con.lowered[2]
            full[rows, cols] = start[0] + change.sum(axis=0)
            if self.param_run_update:       # kept for optim_step; the next run starts
                self._pending[id(con)] = self._bounded(full)   # from the weights as they were
                full[rows, cols] = start[0]
                con.weight = full
            else:
                con.weight = self._bounded(full)

    def optim_step(self) -> None:
        """SPAIC's ``optim_step``: with ``param_run_update=True``, the weights the last
        run learned (merged, normalised, clipped) become the connections' weights; runs
        without an optim_step after them leave the weights as they were."""
        for con in self.connections():
            pending = self._pending.pop(id(con), None)
            if pending is not None:
                con.weight = pending

    def optim_zero_grad(self) -> None:
        """SPAIC's ``optim_zero_grad``: forget what the last run learned and was not
        applied by optim_step."""
        self._pending.clear()

    def _trace_factor(self, dt: float) -> float:
        """rstdpet: SPAIC's w += lr*dt*reward*trace each step, the trace gaining
        dt/tau_e of each eligibility increment and decaying by exp(-dt/tau_e_trace): the
        run's sum is dt*(dt/tau_e)/(1 - exp(-dt/tau_e_trace)) times the compiled sum."""
        if self.algorithm != "rstdpet":
            return 1.0
        decay = math.exp(-dt / self.params["tau_e_trace"])
        return dt * (dt / self.tau_e) / (1.0 - decay)

    def _bounded(self, full: np.ndarray) -> np.ndarray:
        if self.algorithm not in _STDP:
            return np.clip(full, -np.inf if self.w_min is None else self.w_min,
                           np.inf if self.w_max is None else self.w_max)
        if self.w_norm is not None:
            sums = np.abs(full).sum(axis=1, keepdims=True)
            full = np.where(sums > 0, float(self.w_norm) * full
                            / np.where(sums > 0, sums, 1.0), full)
        return np.clip(full, 0.0, 1.0)

    def _rewards(self, batch: int) -> np.ndarray:
        """One reward per sample: ``learner.reward`` when set, else the Reward node's."""
        value = self.reward
        if value is None and self.reward_node is not None:
            value = self.reward_node.reward
        if value is None:
            raise ModelError("rstdp needs a reward: give reward=<a Reward node> or set "
                             "learner.reward before the run ends", where="Learner",
                             symbol="reward")
        r = np.asarray(value, dtype=np.float64).reshape(-1)
        if r.size not in (1, batch):
            raise ModelError(f"the reward gives {r.size} values for a batch of {batch}",
                             where="Learner", symbol="reward")
        return np.broadcast_to(r, (batch,))
