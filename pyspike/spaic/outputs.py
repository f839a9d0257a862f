"""SPAIC's output nodes: Decoder (``Net.output.predict``), Reward and Action, computed
after each run from what the compiled monitors recorded of their target (spikes 'O' or
the potential 'V'), by the definitions of :mod:`pyspike.spaic.decoding` and
:mod:`pyspike.spaic.rewards`.

>>> import numpy as np, pyspike.spaic as spaic
>>> net = spaic.Network()
>>> with net:
...     inp = spaic.Encoder(num=2, coding_method="latency", max_scale=0.5)
...     out = spaic.NeuronGroup(2, model="lif")
...     con = spaic.Connection(inp, out, link_type="one_to_one", weight=np.eye(2) * 2)
...     dec = spaic.Decoder(num=2, dec_target=out, coding_method="spike_counts")
>>> net.build(backend="numpy")
>>> inp(np.array([[1.0, 0.0]]))
>>> net.run(2.0)
>>> dec.predict
array([[1., 1.]])
"""
from __future__ import annotations

import inspect
from typing import Optional

import numpy as np

from ..codegen.errors import ModelError
from . import decoding, rewards
from .monitors import SpikeMonitor, StateMonitor
from .nodes import Node


class _Output(Node):
    """A node that reads a target group after each run."""

    _lookup = None
    _default = ""

    def __init__(self, num: Optional[int] = None, dec_target=None, dt=None,
                 coding_method: Optional[str] = None, coding_var_name: Optional[str] = None,
                 name: Optional[str] = None, shape=None, **kwargs):
        method = str(coding_method or self._default).lower()
        seeded = "seed" in kwargs
        seed = kwargs.pop("seed", 0)          # an Action's generator (a node's own value)
        if dec_target is None:
            raise ModelError(f"a {self._kind} needs dec_target= (the group it reads)",
                             where=self._kind, symbol="dec_target")
        Node.__init__(self, num if num is not None else dec_target.num, shape, method, name,
                      dt, coding_var_name or decoding.RECORDED_VARIABLE.get(method, "O"),
                      **kwargs)
        object.__setattr__(self, "dec_target", dec_target)
        function, options = type(self)._lookup(method, kwargs)
        if seeded and "seed" in options:
            options["seed"] = seed            # (a coding with a seed option of its own)
        object.__setattr__(self, "function", function)
        object.__setattr__(self, "options", options)
        # a coding that takes the calls made so far (SPAIC's steps_done)
        object.__setattr__(self, "_counts_calls",
                           "steps_done" in inspect.signature(function).parameters)
        object.__setattr__(self, "_monitor", None)
        object.__setattr__(self, "target", None)
        object.__setattr__(self, "seed", seed)

    def __call__(self, target) -> None:
        """SPAIC's ``Net.output(label)``: the labels of the batch (for rewards)."""
        object.__setattr__(self, "target", np.asarray(target))

    def structure_copy(self, name: Optional[str] = None) -> "_Output":
        return type(self)(self.num, self.dec_target, coding_method=self.coding_method,
                          name=name, **self.kwargs)

    def make(self, ps, lowered) -> None:
        var = self.coding_var_name
        mon = SpikeMonitor(self.dec_target) if var == "O" else \
            StateMonitor(self.dec_target, var)
        mon.make(ps, lowered)
        object.__setattr__(self, "_monitor", mon)

    def begin(self, t0: float, steps: int, new_run: bool) -> None:
        self._monitor.begin(t0, steps, new_run)

    def record(self) -> np.ndarray:
        """The last run's record of the target, (batch, steps, neurons)."""
        mon = self._monitor
        if mon is None:
            raise ModelError(f"the {self._kind} '{self.name}' has not run yet",
                             where=self._kind, symbol=self.name)
        if isinstance(mon, SpikeMonitor):
            return mon.record(mon.steps)
        return np.transpose(mon.values, (0, 2, 1))


class Decoder(_Output):
    """SPAIC's ``Decoder(num, dec_target, coding_method, **options)``: after each run,
    ``predict`` holds the decoded output of the batch (``spike_counts``, ``first_spike``,
    ``time_spike_counts``, ``time_softmax``, ``final_step_voltage``, ``voltage_sum``,
    ``v_t``, ...)."""

    _class_label = "<dec>"
    _kind = "Decoder"
    _lookup = staticmethod(decoding.lookup_decoder)
    _default = "spike_counts"

    def finish(self, lowered) -> None:
        object.__setattr__(self, "predict", self.function(self.record(), lowered.dt,
                                                          **self.options))

    predict = None


class Reward(_Output):
    """SPAIC's ``Reward(num, dec_target, coding_method, **options)``: after each run,
    ``reward`` holds the reward of each sample (``global_reward``, ``da_reward``,
    ``xor_reward``, ``classify_reward``), from the run's record and the labels given
    by ``Net.output(label)`` or ``reward_node(label)``."""

    _class_label = "<rew>"
    _kind = "Reward"
    _lookup = staticmethod(rewards.lookup_reward)
    _default = "global_reward"

    def finish(self, lowered) -> None:
        if self.target is None:
            raise ModelError(f"the reward '{self.name}' has no labels: give them with "
                             "Net.output(label) before running", where="Reward",
                             symbol=self.name)
        got = self.function(self.record(), self.target, **self.options)
        object.__setattr__(self, "reward", got[0] if isinstance(got, tuple) else got)

    reward = None


class Action(_Output):
    """SPAIC's ``Action(num, dec_target, coding_method, **options)``: after each run,
    ``action`` holds the chosen action (``pop_rate_action``, ``softmax_action``,
    ``highest_spikes_action``, ``highest_voltage_action``, ``first_spike_action``,
    ``random_action``); random choices draw from a generator seeded by ``seed``."""

    _class_label = "<act>"
    _kind = "Action"
    _lookup = staticmethod(rewards.lookup_action)
    _default = "pop_rate_action"

    def finish(self, lowered) -> None:
        if getattr(self, "_rng", None) is None:
            object.__setattr__(self, "_rng", np.random.default_rng(
                self.seed))
        counted = {}
        if self._counts_calls:
            # SPAIC's epsilon decays with the calls made (its steps_done, advanced after
            # each; SPAIC shares one counter among all such actions of a process, here
            # each node counts its own)
            counted["steps_done"] = self.steps_done
            object.__setattr__(self, "steps_done", self.steps_done + 1)
        object.__setattr__(self, "action", self.function(self.record(), self.num,
                                                         self._rng, **counted,
                                                         **self.options))

    #: the calls of a highest_voltage_action so far (SPAIC's steps_done)
    steps_done = 0

    action = None
