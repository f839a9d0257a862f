"""SPAIC's nodes: Encoder (data -> spikes), Decoder (spikes or potentials -> predict),
Generator, Reward and Action, on pyspike's compiled kernels.

An encoder is a group of the network: a random code (``poisson``) draws its spikes in the
compiled step (``rand() < p``, p from the data, one row per sample of the batch); a
deterministic code (``latency``, ``relative_latency``, ``sstb``, ``mstb``, ``uniform``,
``null`` with spike data) becomes the given spikes of a SpikeGeneratorGroup, each sample's
spikes given to its own instance.  Either way the data is uploaded once per run.  The
definitions of the codes are :mod:`pyspike.spaic.coding`'s.

>>> import numpy as np, pyspike.spaic as spaic
>>> enc = spaic.Encoder(num=4, coding_method="latency")
>>> enc(np.array([[0.0, 1.0, 0.5, 0.25]]))      # one sample: the batch's first axis
>>> enc.batch, enc.num
(1, 4)
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from ..codegen.errors import ModelError
from ..model import NeuronModel
from . import coding
from .assembly import Assembly
from .neurons import shape_and_num

#: The compiled models of a random encoder: a spike with probability p in each step of
#: its window [t_on, t_off) (absolute times: the run's start is added per run).  The
#: sparse one draws the number of steps to the next spike (geometric,
#: floor(log(u)/log(1 - p)), u = 1 - rand() in (0, 1]: never log(0), which a float32
#: uniform reaches), the dense one a uniform per input and step: the same
#: process (independent Bernoulli(p) steps), one draw per spike against one per step;
#: the first is faster below a few spikes per hundred steps (SPARSE_P).
_SPARSE = NeuronModel(equations="p : 1  # spike probability per step\n"
                                "t_next : ms  # the time of the next spike",
                      threshold="t >= t_next and t < t_off",
                      reset="t_next = t_next + dt*(1 + floor(log(1 - rand())/log(1 - p)))",
                      params={"t_on": 0.0, "t_off": 0.0})
_DENSE = NeuronModel(equations="p : 1  # spike probability per step",
                     threshold="rand() < p and t >= t_on and t < t_off",
                     params={"t_on": 0.0, "t_off": 0.0})
#: the largest p (data of 1 at the encoder's unit_conversion) drawn the sparse way
SPARSE_P = 0.02
#: the first spike of a run (host side, from each instance's own seed): p = 0 never (at
#: 1e30 ms, which float32 holds)
_FIRST = ("where(p > 0, t_on + dt*floor(log(1 - rand())/log(1 - where(p > 0, p, 0.5))), "
          "1e30)")


#: the compiled model of a current encoder: O, the current of each sample's input
_CURRENT = NeuronModel(equations="O : 1  # the input current of this run")


class Node(Assembly):
    """A terminal member that moves data in or out of the network (SPAIC's ``Node``)."""

    is_terminal = True
    _kind = "Node"

    def __init__(self, num: Optional[int] = None, shape: Optional[Sequence[int]] = None,
                 coding_method: str = "", name: Optional[str] = None, dt=None,
                 coding_var_name: str = "O", **kwargs):
        super().__init__(name)
        for key, value in (("coding_method", str(coding_method).lower()),
                           ("coding_var_name", coding_var_name),
                           ("kwargs", dict(kwargs)), ("_data", None)):
            object.__setattr__(self, key, value)
        if num is not None or shape is not None:
            n, s = shape_and_num(num, shape, self._kind)
            object.__setattr__(self, "_num", n)
            object.__setattr__(self, "shape", s)
        else:
            object.__setattr__(self, "_num", 0)
            object.__setattr__(self, "shape", (0,))

    @property
    def num(self) -> int:
        return self._num

    @property
    def data(self):
        """The data given last, (batch, ...), or None."""
        return self._data

    @property
    def batch(self) -> int:
        """The number of samples of the data given last (1 before any)."""
        return 1 if self._data is None else int(self._data.shape[0])

    def structure_copy(self, name: Optional[str] = None) -> "Node":
        return type(self)(num=self.num, shape=self.shape, coding_method=self.coding_method,
                          name=name, **self.kwargs)


class Encoder(Node):
    """SPAIC's ``Encoder(num, coding_method, **options)``; ``Net.input(data)`` (or
    ``encoder(data)``) gives the batch: (batch, *shape) with the node's shape, or one
    sample of the node's shape."""

    _class_label = "<enc>"
    _kind = "Encoder"

    def __init__(self, num: Optional[int] = None, shape=None, coding_method: str = "poisson",
                 name: Optional[str] = None, dt=None, coding_var_name: str = "O", **kwargs):
        super().__init__(num, shape, coding_method, name, dt, coding_var_name, **kwargs)
        self.function, self.options = coding.lookup_encoder(self.coding_method, kwargs)
        if "num" in self.options:              # mstb: one train per input neuron
            self.options["num"] = self.num

    @property
    def carries_current(self) -> bool:
        """Its output ``O`` is a current (a value each step), not spikes."""
        return self.coding_method in ("float", "constant_current")

    @property
    def random(self) -> bool:
        return self.coding_method in coding.RANDOM_ENCODERS

    def __call__(self, data) -> None:
        if self.coding_method == "mstb":       # events: B samples of (times, neuron ids)
            samples = [data] if _is_event_pair(data) else list(data)
            if self.num == 0 or not all(_is_event_pair(s) for s in samples):
                raise ModelError("an 'mstb' encoder takes num= and a batch of samples, each "
                                 "(spike times in ms, neuron ids)", where="Encoder",
                                 symbol="data")
            object.__setattr__(self, "_data", _EventBatch(samples))
            return
        x = np.asarray(data, dtype=np.float64)
        if self.num == 0:                      # SPAIC infers num from the first data
            object.__setattr__(self, "_num", int(np.prod(x.shape[1:])))
            object.__setattr__(self, "shape", tuple(x.shape[1:]))
        lead = 2 if self.coding_method == "null" else 1     # null data: (batch, time, ...)
        if x.ndim >= lead and int(np.prod(x.shape[lead - 1:])) == self.num:
            x = x[None]                          # one sample without its batch axis
        if x.ndim < lead + 1 or int(np.prod(x.shape[lead:])) != self.num:
            want = "(batch, time, *shape)" if lead == 2 else "(batch, *shape)"
            raise ModelError(f"the encoder '{self.name}' of {self.num} inputs got data of "
                             f"shape {x.shape}: give {want}", where="Encoder", symbol="data")
        if not np.all(np.isfinite(x)):
            raise ModelError("the data holds NaN or infinite values", where="Encoder",
                             symbol="data")
        object.__setattr__(self, "_data", x)

    # -- lowering ---------------------------------------------------------------------
    def make_group(self, ps, dt: float):
        """The pyspike group this encoder runs as (in the network being built)."""
        if self.random:
            return ps.NeuronGroup(self.num, _random_model(self.options, dt))
        if self.carries_current:
            return ps.NeuronGroup(self.num, _CURRENT)
        return ps.SpikeGeneratorGroup(self.num, indices=[], times=[])

    def start_run(self, group, steps: int, dt: float, t0: float) -> None:
        """Give the group this run's input (the run starts at ``t0`` ms)."""
        if self._data is None:
            raise ModelError(f"the encoder '{self.name}' has no data: call Net.input(data) "
                             "(or the encoder itself) before running", where="Encoder",
                             symbol=self.name)
        if self.random:
            opts = {k: v for k, v in self.options.items() if k != "single_test"}
            # (SPAIC spikes where rand <= p: p >= 1 spikes every step)
            group.p = np.clip(coding.poisson_probability(
                self._data, dt, unit_conversion=opts["unit_conversion"]), 0.0, 1.0)
            active = coding.poisson_active_steps(steps, dt, start_time=opts["start_time"],
                                                 end_time=opts["end_time"])
            _open_window(group, active, dt, t0)
            return
        if self.carries_current:               # the same value in every step: one step
            group.O = self.function(self._data, 1, dt, **self.options)[:, 0, :]
            return
        if self.coding_method in _ONE_SPIKE:   # a step per input: no (B, T, N) train
            step = _ONE_SPIKE[self.coding_method](self._data, steps, **self.options)
            b, n = np.nonzero(step < steps)
            k = step[b, n]
        else:
            train = self.function(self._data, steps, dt, **self.options)
            if not np.isin(train, (0.0, 1.0)).all():
                raise ModelError(f"the '{self.coding_method}' encoder's data are not spikes "
                                 "(0 or 1): pyspike's connections carry spikes",
                                 where="Encoder", symbol="data")
            b, k, n = np.nonzero(train)
        group.set_spikes(n, t0 + k * dt, instances=b)


#: codes that give each input at most one spike: its step (``steps``: none), as
#: coding.py defines them
_ONE_SPIKE = {"latency": coding.latency_steps,
              "relative_latency": coding.relative_latency_steps}


def _open_window(group, active: np.ndarray, dt: float, t0: float) -> None:
    """A random group's window of this run, its steps ``active`` from the run's start at
    ``t0`` ms, and (the sparse model) the first spike of each input."""
    on = np.flatnonzero(active)
    k_on, k_off = (int(on[0]), int(on[-1]) + 1) if on.size else (0, 0)
    if on.size and on.size != k_off - k_on:
        raise ModelError("the encoder's active steps are not one window",
                         where="Encoder", symbol="start_time")
    # half a step off the grid, so that rounding never moves an edge
    group.t_on, group.t_off = t0 + (k_on - 0.5) * dt, t0 + (k_off - 0.5) * dt
    if "t_next" in group.model.variables:
        group.t_next = _FIRST


def _random_model(options, dt: float) -> NeuronModel:
    """The sparse model where a datum of 1 gives p <= SPARSE_P, else the dense one."""
    return _SPARSE if options.get("unit_conversion", 1.0) * dt <= SPARSE_P else _DENSE


def _is_event_pair(sample) -> bool:
    """(times, ids) of one sample: two one-dimensional sequences of equal length."""
    try:
        times, ids = (np.asarray(x) for x in sample)
    except (TypeError, ValueError):
        return False
    return (times.ndim == 1 and times.shape == ids.shape and times.dtype.kind in "iuf"
            and ids.dtype.kind in "iu")


class _EventBatch(list):
    """A batch of event samples (mstb's data): ``shape[0]`` is the batch size."""

    @property
    def shape(self):
        return (len(self),)


class Generator(Encoder):
    """SPAIC's ``Generator(num, coding_method, **options)``: input made by a rule, not by
    a sample's data: ``poisson_generator`` (spikes drawn in the compiled step, rate from
    ``generator(rate)`` or ``rate=``), and currents: ``cc_generator`` (``generator(I)``),
    ``sin`` (``generator([amp, period])``) and ``ramp`` (``generator(slope)``), one value
    per step read from a table the run uploads, the same for every sample of a batch."""

    _class_label = "<gen>"
    _kind = "Generator"

    def __init__(self, num: Optional[int] = None, shape=None,
                 coding_method: str = "poisson_generator", name: Optional[str] = None,
                 dt=None, coding_var_name: str = "O", **kwargs):
        Node.__init__(self, num, shape, coding_method, name, dt, coding_var_name, **kwargs)
        self.function, self.options = coding.lookup_generator(self.coding_method, kwargs)
        if float(self.options.get("weight", 1.0)) != 1.0:
            raise ModelError("a poisson_generator spike worth weight != 1 is not built: "
                             "scale the weights of its connections instead",
                             where="Generator", symbol="weight")

    @property
    def random(self) -> bool:
        return self.coding_method in coding.RANDOM_GENERATORS

    @property
    def carries_current(self) -> bool:
        return not self.random

    def __call__(self, data) -> None:
        x = np.asarray(data, dtype=np.float64)
        if not np.all(np.isfinite(x)):
            raise ModelError("the generator's input holds NaN or infinite values",
                             where="Generator", symbol="data")
        object.__setattr__(self, "_data", x)

    def make_group(self, ps, dt: float):
        if self.random:                 # (its p is rate*unit_conversion, no dt)
            return ps.NeuronGroup(self.num, _SPARSE if self.options.get(
                "unit_conversion", 0.1) <= SPARSE_P else _DENSE)
        # the table of this run's values (replaced each run), read at t - t0
        table = ps.TimedArray(np.zeros((1, self.num)), dt=1.0)
        object.__setattr__(self, "_table", table)
        return ps.NeuronGroup(self.num, NeuronModel(
            equations="O : 1  # the generator's current", update="O = gen(t - t0, i)",
            params={"gen": table, "t0": 0.0}))

    @property
    def batch(self) -> int:
        return 1 if self._data is None or self._data.ndim < 2 or self.random else \
            int(self._data.shape[0])

    def start_run(self, group, steps: int, dt: float, t0: float) -> None:
        data = self._data if self._data is not None else self.kwargs.get("rate")
        if data is None:
            raise ModelError(f"the generator '{self.name}' has no input: call it with its "
                             "input (a rate, a current, [amp, period], a slope) before "
                             "running", where="Generator", symbol=self.name)
        if self.random:
            self._start_poisson(group, np.asarray(data, dtype=np.float64), steps, dt, t0)
            return
        train = self.function(data, steps, dt, self.num, **self.options)
        if train.ndim == 3:
            if not np.all(train == train[:1]):
                raise ModelError("a current generator gives every sample of a batch the same "
                                 "current here: its input may not differ between samples",
                                 where="Generator", symbol="data")
            train = train[0]
        # (a public TimedArray's values, replaced: the run uploads them; same shape rules)
        self._table.values = self._table.table = np.ascontiguousarray(train, dtype=float)
        self._table.dt = float(dt)
        group.t0 = t0 - 0.5 * dt          # row k holds over step k of the run
        group.O = 0.0                     # (nothing of the last run reaches this one)

    def _start_poisson(self, group, data, steps: int, dt: float, t0: float) -> None:
        group.p = np.clip(coding.poisson_generator_probability(data, self.num, **{
            k: v for k, v in self.options.items() if k == "unit_conversion"}), 0.0, 1.0)
        active = coding.poisson_generator_active_steps(
            steps, dt, start_time=self.options.get("start_time"),
            end_time=self.options.get("end_time"))
        _open_window(group, active, dt, t0)
