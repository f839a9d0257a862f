"""SPAIC's monitors: StateMonitor (values over time) and SpikeMonitor (spike times and
rates), recorded by pyspike's compiled monitors during each run.

As in SPAIC, a monitor holds what the last ``run`` recorded (a ``run_continue`` adds to
it): ``StateMonitor.values`` is (batch, neurons, time) (a connection's weights:
(batch, post, pre, time)) and ``.times`` the sample times in ms from the run's start;
``SpikeMonitor.spk_times``/``spk_index`` give one array per sample.

A group's sample k is its value after step k, as SPAIC records it (after the step's
operations: a spike and its reset show in the step of the spike), except the input a
connection adds to (``Isyn``), which holds the sum of step k's arrivals, as SPAIC's;
with ``dt`` (every n steps) the samples are those after steps n - 1, 2n - 1, ..., as
SPAIC's (tested against SPAIC 0.6.3's records: tests/spaic/test_spaic_monitor_timing.py).
Times stamp a sample with its step's start, k*dt (SPAIC's with its end, (k + 1)*dt).
"""
from __future__ import annotations

from typing import List, Optional

import numpy as np

from ..codegen.errors import ModelError
from . import context


class Monitor:
    """A recording of one variable of a group, node or connection."""

    member_table = "_monitors"

    def __init__(self, target, var_name: str = "O", index="full", dt: Optional[float] = None,
                 get_grad: bool = False, nbatch: bool = True, name: Optional[str] = None):
        self.target, self.var_name, self.index = target, var_name, index
        self.dt, self.get_grad, self.nbatch = dt, bool(get_grad), bool(nbatch)
        self.name = name
        self._ps = None            # the pyspike monitor of the current build
        self._t0 = 0.0             # the start of the last run (ms)
        self._dt = None
        self.monitor_on = True
        context.register(self)

    def begin(self, t0: float, steps: int, new_run: bool) -> None:
        """Before a run: a new run (not ``run_continue``) starts an empty recording."""
        if self._ps is None:
            return
        if new_run:
            self._ps.state.restore(self._empty)
            self._t0, self._steps = t0, 0
        self._steps += steps

    _steps = 0

    @property
    def steps(self) -> int:
        """The steps recorded since the last new run."""
        return self._steps

    def _indices(self, n: int):
        if isinstance(self.index, str) and self.index == "full":
            return True
        idx = np.asarray(self.index, dtype=np.int64).reshape(-1)
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise ModelError(f"the monitor's index names neurons outside 0..{n - 1}",
                             where=type(self).__name__, symbol="index")
        return idx.tolist()


def _inputs(target, lowered) -> set:
    """The variables of ``target`` that connections add to (SPAIC's ``Isyn``): summed in
    a step for the next one."""
    return {"Isyn"} | {c.post_var_name for c in lowered.connections if c.post is target}


class StateMonitor(Monitor):
    """Records ``var_name`` of ``target`` (a NeuronGroup, node or Connection: a
    connection's ``"weight"``; or a Learner of one connection: a variable of its rule,
    ``"elig"``, ``"x_in"``, ...) at each step, or every ``dt`` ms; ``index`` picks neurons
    (``"full"``: all).

    >>> import numpy as np, pyspike.spaic as spaic
    >>> net = spaic.Network()
    >>> with net:
    ...     g = spaic.NeuronGroup(2, model="lif")
    ...     mon = spaic.StateMonitor(g, "V")
    >>> g_iext = net.build(backend="numpy")
    >>> net.run(1.0)
    >>> mon.values.shape, mon.times[:3]
    ((1, 2, 10), array([0. , 0.1, 0.2]))
    """

    _every, _range = 1, None       # (a group's samples: every _every-th step, clamped)

    def make(self, ps, lowered) -> None:
        every = 1 if self.dt is None else max(1, int(round(self.dt / lowered.dt)))
        kind = getattr(type(self.target), "member_table", None)
        self._kernel_of = None
        if kind == "_connections" and hasattr(self.target, "lower"):
            # a conv link's kernel, which no run changes: only the sample times recorded
            self._kernel_of, self._batch = self._synaptic(kind)[0], lowered.batch
            post = lowered.ps_of(self.target.post)
            self._ps = ps.StateMonitor(post, post.model.variables[0], record=False,
                                       every=every)
        elif kind in ("_connections", "_learners"):
            self._con, self._var = self._synaptic(kind)
            obj = lowered.ps_of(self._con)
            if self._var not in obj.variables:
                raise ModelError(f"the learner of '{self._con.name}' has no variable "
                                 f"{self.var_name!r} (it has {', '.join(obj.variables)})",
                                 where="StateMonitor", symbol=str(self.var_name))
            self._ps = ps.StateMonitor(obj, self._var, record=True, every=every)
        else:
            obj = lowered.ps_of(self.target)
            if self.var_name not in obj.model.variables:
                raise ModelError(f"'{self.target.name}' has no variable {self.var_name!r} "
                                 f"(it has {', '.join(obj.model.variables)})",
                                 where="StateMonitor", symbol=str(self.var_name))
            # SPAIC records a step's values after the step: recorded at its end, every
            # step (the samples are picked after the run, below); a variable the
            # connections add to holds the next step's input by then, and its own at the
            # step's start
            when = "start" if self.var_name in _inputs(self.target, lowered) else "end"
            self._ps = ps.StateMonitor(obj, self.var_name, record=self._indices(obj.N),
                                       when=when)
            self._every, every = every, 1
            self._range = getattr(self.target, "variable_ranges", {}).get(self.var_name)
        self._dt = lowered.dt * every
        self._empty = self._ps.state.snapshot()

    def _synaptic(self, kind: str):
        """(the connection, the synaptic variable) a monitor of a connection (its
        'weight') or of a learner (a variable of its rule: 'elig', 'x_in', ...) records."""
        if kind == "_connections":
            if self.var_name not in ("weight", "w"):
                raise ModelError(f"a connection's monitor records 'weight', not "
                                 f"{self.var_name!r}", where="StateMonitor",
                                 symbol=str(self.var_name))
            return self.target, "w"
        cons = self.target.connections()
        if len(cons) != 1:
            raise ModelError(f"a learner's monitor records a variable of one connection; "
                             f"this learner trains {len(cons)}", where="StateMonitor",
                             symbol=str(self.var_name))
        return cons[0], "w" if self.var_name == "weight" else self.var_name

    @property
    def values(self) -> np.ndarray:
        """(batch, neurons, time); a connection's weights (batch, post, pre, time), a conv
        link's kernel (batch, out, in, kh, kw, time)."""
        if self._ps is None:
            return np.zeros((0, 0, 0))
        if self._kernel_of is not None:       # (batch, out, in, kh, kw, time)
            k = self._kernel_of.weight
            return np.repeat(np.repeat(k[None, ..., None], self._batch, axis=0),
                             len(self.times), axis=-1)
        name = self._var if self._ps.synapses is not None else self.var_name
        v = np.asarray(getattr(self._ps, name))
        v = v[None] if v.ndim == 2 else v
        if self._ps.synapses is not None:
            con = self._con
            rows, cols = con.pairs()
            full = np.zeros((v.shape[0],) + con.shape + (v.shape[-1],))
            full[:, rows, cols, :] = v
            return full
        v = v[..., self._every - 1::self._every]
        if self._range is not None:   # (the clamp runs as the next step starts)
            v = np.clip(v, *self._range)
        return v

    @property
    def times(self) -> np.ndarray:
        """The start of each recorded step, ms from the run's start."""
        if self._ps is None:
            return np.zeros(0)
        t = np.rint((np.asarray(self._ps.t) - self._t0) / self._dt) * self._dt
        return t[self._every - 1::self._every]


class SpikeMonitor(Monitor):
    """Records the spikes of ``target`` (SPAIC's ``SpikeMonitor(target, 'O')``):
    ``spk_times`` and ``spk_index`` (one array per sample; times in ms from the run's
    start, the step of the spike), ``spk_count`` (batch, neurons), ``time_spk_rate``
    (batch, time, neurons: spikes per step) and ``time_pop_rate`` (batch, time: the
    fraction of neurons spiking in each step)."""

    def make(self, ps, lowered) -> None:
        self._ps = ps.SpikeMonitor(lowered.ps_of(self.target))
        self._dt = lowered.dt
        self._n = self.target.num
        self._empty = self._ps.state.snapshot()

    def _per_sample(self, what: str) -> List[np.ndarray]:
        if self._ps is None:
            return []
        got = getattr(self._ps, what)
        return list(got) if isinstance(got, list) else [got]

    @property
    def spk_times(self) -> List[np.ndarray]:
        # pyspike stamps a spike with the end of its step; here, with its step's start
        # (SPAIC's, with the end) on the grid of steps since the run's start
        return [(np.rint((t - self._t0) / self._dt) - 1.0) * self._dt
                for t in self._per_sample("t")]

    @property
    def spk_index(self) -> List[np.ndarray]:
        return self._per_sample("i")

    @property
    def spk_count(self) -> np.ndarray:
        if self._ps is None:
            return np.zeros((0, 0))
        return np.atleast_2d(np.asarray(self._ps.count))

    def record(self, steps: int) -> np.ndarray:
        """The spikes of the last run as a (batch, steps, neurons) array of 0/1."""
        times, index = self.spk_times, self.spk_index
        out = np.zeros((len(times), steps, self._n))
        for b, (t, i) in enumerate(zip(times, index)):
            k = np.rint(t / self._dt).astype(np.int64)
            keep = (k >= 0) & (k < steps)
            out[b, k[keep], i[keep]] = 1.0
        return out

    @property
    def time_spk_rate(self) -> np.ndarray:
        return self.record(self.steps)

    @property
    def time_pop_rate(self) -> np.ndarray:
        return self.record(self.steps).mean(axis=2)
