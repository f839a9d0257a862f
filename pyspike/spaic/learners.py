"""SPAIC's Learner with its local rules, compiled into the synapses of the connections it
trains: each rule is a short text (a pyspike PlasticityRule, learner_rules.py), its
traces event-driven, and the online rules' per-step work a Synapses' ``run_regularly``.

- ``nearest_online_stdp`` (SPAIC's, after Diehl & Cook 2015): traces of the pre- and
  postsynaptic spikes set to 1 by a spike and multiplied by ``trace_pre``/``trace_post``
  (pyspike's ``trace_decay``: both) every step; a postsynaptic spike adds Apost*x_pre, a
  presynaptic one takes Apre*x_post; every step each postsynaptic row of the weights is
  scaled to sum to ``w_norm`` (78.4; None: not scaled) and clipped to [0, 1].
- ``full_online_stdp``: traces that add 1 at each spike (all pairs), the weights clipped
  every step and the rows scaled from SPAIC's last step of a run on (the first run's
  length - 1 steps after the start of each run).
- ``meta_nearest_online_stdp``: SPAIC's meta rule (learners_meta.py).
- ``rstdp`` (Florian 2007, SPAIC's): traces p+ (A_plus per presynaptic spike) and p-
  (A_minus per postsynaptic one) decaying with tau_plus, tau_minus (ms); the eligibility
  of a synapse gains p+ at each postsynaptic spike and p- at each presynaptic one, and
  w += lr*reward*eligibility.
- ``rstdpet`` (Florian 2007, SPAIC's): the same eligibility feeding a trace (gaining
  dt/tau_e of it, decaying with tau_e_trace), and w += lr*dt*reward*trace every step.

The STDP rules change the weights step for step as SPAIC 0.6.3 does, two steps after the
spikes (learner_rules.py): the spikes of a run's last two steps change nothing, as in
SPAIC; and as SPAIC's build runs each update once with no change, a build scales and
clips the weights of nearest_online_stdp once and clips those of full_online_stdp (and
scales them, if the first run is shorter than 2 steps).  SPAIC multiplies the traces by
their decay per step; here they decay in time with tau = -dt/ln(decay), the same at
every step.  SPAIC's R-STDP applies the reward of each step to that step's eligibility;
here the run's eligibility is summed in the compiled step and the reward, one per
sample, is applied at the end of the run (the Reward node's, or ``learner.reward`` when
set): the same where the reward is constant over the run (for rstdpet: the sum of the
trace over the run's steps, computed exactly from each increment's time; a
``run_continue`` sums its own steps, without the trace the piece before left).
``eval()`` stops every rule (SPAIC's STDP learners go on learning).  In a batch, each
sample's changes are made on its own copy of the weights (scaled and clipped every step
on their own) and summed into the shared weights at the end of the run, which the STDP
rules then scale and clip once (SPAIC scales and clips the shared weights after each
step's summed changes).

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
from . import context, learners_meta
from .learner_rules import OPTIONS, RULES, STDP, step_operation

__all__ = ["Learner", "OPTIONS", "RULES", "register_gradient_learner"]

#: the class of the gradient learners (learners_gradient.py registers it when imported:
#: pyspike.spaic imports it)
_GRADIENT: List[type] = []


def register_gradient_learner(cls: type) -> None:
    """Make ``cls`` the learner that STCA, STBP and sbp make."""
    _GRADIENT[:] = [cls]


class Learner:
    """``Learner(trainable=..., algorithm=..., **options)``: trains the connections of
    ``trainable`` (a Connection, a list of them, or an assembly: all its connections) by
    a local rule: ``nearest_online_stdp`` and ``full_online_stdp`` (options ``Apost``,
    ``Apre``, ``trace_decay`` per step (nearest: also SPAIC's ``trace_pre`` and
    ``trace_post``), ``w_norm``: 78.4, None for no normalisation),
    ``meta_nearest_online_stdp`` (``Apost``, ``Apre``, ``pre_decay``, ``post_decay``,
    ``w_min``, ``w_max``; always in post-run update mode, as SPAIC's), ``rstdp``
    (``A_plus``, ``A_minus``, ``tau_plus``, ``tau_minus``, ``lr``, ``w_min``, ``w_max``;
    ``reward=`` a Reward node), ``rstdpet`` (the same and ``tau_e_trace``, ``tau_e``),
    and ``custom_rule``: a rule written as model text, ``model=`` (its variables, e.g.
    event-driven traces), ``on_pre=``, ``on_post=`` (statements that may change ``w``)
    and ``params=`` (their values), parsed, checked and
    compiled like any model text (pyspike's synapse syntax; ``w_min``/``w_max`` clip the
    weights at the end of each run).  SPAIC's hook, a subclass overriding
    ``connection_rule(con)``, works too: it returns the rule (a
    ``pyspike.models.PlasticityRule``) for each trained connection.  With
    ``param_run_update=True`` (SPAIC's post-run update mode) a run's changes wait for
    ``optim_step()``; the next run starts from the weights as they were until then.
    The gradient algorithms ``STCA``, ``STBP`` and ``sbp`` (``alpha``; sbp's
    ``surrogate_func``) make a learner of pyspike.spaic.learners_gradient, with SPAIC's
    ``set_optimizer``, ``set_schedule`` and ``optim_*``: the network then runs as one
    torch graph and ``Net.output.predict`` is a tensor a loss back-propagates through.

    >>> import pyspike.spaic as spaic
    >>> a, b = spaic.NeuronGroup(2, model="lif"), spaic.NeuronGroup(2, model="lif")
    >>> c = spaic.Connection(a, b, link_type="full")
    >>> hebb = spaic.Learner(trainable=c, algorithm="custom_rule", on_post="w += eta",
    ...                      params={"eta": 0.01}, w_max=1.0)
    >>> hebb.connection_rule(c).on_post
    'w += eta'
    """

    member_table = "_learners"

    def __new__(cls, *args, **kwargs):
        # SPAIC's Learner makes the learner of its algorithm; the gradient ones are
        # learners_gradient's (which needs torch only when one is made)
        algorithm = kwargs.get("algorithm", args[1] if len(args) > 1 else None)
        if cls is Learner and str(algorithm).lower() in ("stca", "stbp", "sbp"):
            return super().__new__(_GRADIENT[0])
        return super().__new__(cls)

    def __init__(self, trainable=None, algorithm: str = "nearest_online_stdp",
                 pathway=None, name: Optional[str] = None, reward=None, **kwargs):
        key = str(algorithm).lower()
        if key not in OPTIONS:
            raise ModelError(f"unknown learning algorithm {algorithm!r}: pyspike has "
                             f"{', '.join(sorted(OPTIONS))} and the gradient learners STCA, "
                             "STBP, sbp", where="Learner", symbol=str(algorithm))
        self.algorithm, self.rule = key, RULES.get(key)
        options = dict(OPTIONS[key])
        #: SPAIC's post-run update mode: a run's changes wait for optim_step()
        self.param_run_update = bool(kwargs.pop("param_run_update", False)) \
            or key == "meta_nearest_online_stdp"          # (SPAIC sets it for this rule)
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
        for option in ("trace_decay", "trace_pre", "trace_post"):
            decay = options.pop(option, None)
            if decay is not None and not 0.0 < float(decay) < 1.0:
                raise ModelError(f"{option} is a factor per step in (0, 1), not {decay!r}",
                                 where="Learner", symbol=option)
            setattr(self, option, None if decay is None else float(decay))
        self.w_norm = options.pop("w_norm", None)
        self.lr = float(options.pop("lr"))
        self.w_min, self.w_max = options.pop("w_min", None), options.pop("w_max", None)
        self.tau_e = float(options.pop("tau_e", 25.0))
        self.params = {k: float(v) for k, v in options.items()}
        if key == "meta_nearest_online_stdp":        # (the rule's soft bounds)
            self.params.update(w_min=float(self.w_min), w_max=float(self.w_max))
        self._ops: Dict[int, object] = {}          # each connection's run_regularly
        self._meta: Dict[int, dict] = {}           # meta: w_mean, the post trace
        self._first_steps: Optional[int] = None    # full: the first run's steps
        self._built = False                        # built, not run yet
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
        if rule is not self.rule:
            return rule, dict(rule.params)
        params = {**rule.params, **self.params}
        if self.algorithm in STDP:
            for name, decay in (("tau_in", self.trace_pre), ("tau_out", self.trace_post)):
                decay = self.trace_decay if decay is None else decay
                params[name] = -dt / math.log(decay)
            params["w_norm"] = 1.0 if self.w_norm is None else float(self.w_norm)
        return rule, params

    # -- runs -------------------------------------------------------------------------
    def make(self, ps, lowered) -> None:
        """The rule is compiled into the synapses (see lowering); an online rule's
        per-step work is their run_regularly (learner_rules.step_operation)."""
        self._ops, self._built, self._first_steps = {}, True, None
        operation = step_operation(self.algorithm, self.w_norm)
        for con in self.connections() if operation is not None else []:
            S = lowered.ps_of(con)
            if self.connection_rule(con) is not self.rule:
                continue                        # a subclass's own rule
            if self.algorithm == "meta_nearest_online_stdp":
                learners_meta.weights_of_mean(con, S)
            elif self.algorithm == "nearest_online_stdp":
                con.weight = self._bounded(con.weight)    # (SPAIC's build runs the update
            else:                                         # once, with no change)
                con.weight = np.clip(con.weight, 0.0, 1.0)
            self._ops[id(con)] = S.run_regularly(operation[0], sums=operation[1])

    def begin(self, lowered, new_run: bool = True, t_end: float = 0.0) -> None:
        """Before a run: learning on (training) or off (eval: rates 0, weights kept); a
        new run starts the rule's traces and eligibility from 0, as SPAIC resets every
        variable but the weights (``run_continue`` keeps them)."""
        t0, dt = lowered.ps_net.t, lowered.dt
        if new_run and self._first_steps is None:   # SPAIC's total_step: at its build
            self._first_steps = int(round((t_end - t0) / dt)) - 1
        if self._built and self.algorithm == "full_online_stdp" and self._first_steps < 2:
            for con in self.connections():  # (its build ran the last step's update)
                con.weight = self._bounded(con.weight)
        self._built = False
        for con in self.connections():
            S = lowered.ps_of(con)
            if id(con) in self._ops:
                self._ops[id(con)].active = lowered.training
            if self.algorithm in STDP:
                for key in ("Apost", "Apre"):
                    setattr(S, key, self.params[key] if lowered.training else 0.0)
            if self.algorithm == "rstdpet":
                S.t_end = t_end               # (pyspike's synaptic t: one step later)
            if new_run:
                for var in S.variables:
                    if var != "w":
                        setattr(S, var, 0.0)
                if self.algorithm == "full_online_stdp":    # (the op's t: the step's)
                    S.t_norm = t0 + (self._first_steps - 1.5) * dt
            if self.algorithm == "meta_nearest_online_stdp":
                learners_meta.begin(self._meta, con, S, lowered.training, self.params)
        self._start = {id(c): np.array(lowered.ps_of(c).w) for c in self.connections()}

    def end(self, lowered) -> None:
        """After a run while training: the weights the run left (in a batch: its
        changes summed into the shared weights, which the STDP rules then normalise and
        clip); rstdp applies the reward."""
        if self.algorithm == "meta_nearest_online_stdp":
            for con in self.connections():
                learners_meta.end(self._meta, con, lowered.ps_of(con))
        if not lowered.training:
            return
        for con in self.connections():
            S = lowered.ps_of(con)
            start = np.atleast_2d(self._start[id(con)])
            if self.online:
                w = np.atleast_2d(np.asarray(S.w))
                learned = w[0] if w.shape[0] == 1 else start[0] + (w - start).sum(axis=0)
                if w.shape[0] == 1 and id(con) in self._ops and not self.param_run_update \
                        and np.array_equal(con.clip(learned), learned):
                    continue     # the synapses hold the learned (bounded) weights already
            else:
                learned = start[0] + (self.lr * self._trace_factor(lowered.dt)
                                      * self._rewards(start.shape[0])[:, None]
                                      * np.atleast_2d(np.asarray(S.elig))).sum(axis=0)
            full = np.zeros(con.shape)
            rows, cols = con.lowered[1], con.lowered[2]
            full[rows, cols] = learned
            if id(con) not in self._ops or start.shape[0] > 1:
                full = self._bounded(full)     # (a step's run_regularly bounds its own)
            if self.param_run_update:       # kept for optim_step; the next run starts
                self._pending[id(con)] = full.copy()   # from the weights as they were
                full[rows, cols] = start[0]
            con.weight = full

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
        if self.algorithm == "meta_nearest_online_stdp":
            return full                         # (its soft clamp bounds it)
        if self.algorithm not in STDP:
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
