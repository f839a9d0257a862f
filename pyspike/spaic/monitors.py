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
                 get_grad: bool = False, nbatch=False, name: Optional[str] = None):
        self.target, self.var_name, self.index = target, var_name, index
        if get_grad:
            # SPAIC keeps torch's gradient of each recorded value; pyspike's gradient
            # learners compute theirs in kernels of their own and keep no such record
            raise ModelError("pyspike.spaic's monitors record values, not their gradients "
                             "(get_grad=True): leave it out", where=type(self).__name__,
                             symbol="get_grad")
        self.dt, self.get_grad, self.nbatch = dt, False, nbatch
        self.name = name
        self._ps = None            # the pyspike monitor of the current build
        self._t0 = 0.0             # the start of the last run (ms)
        self._dt = None
        self._recording = True
        self._off: List[tuple] = []     # [first, end) steps of the pieces run while off
        self._history: List[tuple] = []  # (values, times) of earlier runs (nbatch)
        context.register(self)

    @property
    def grads(self) -> None:
        """SPAIC's gradients of the recorded values: None, as SPAIC's without get_grad."""
        return None

    def monitor_on(self) -> None:
        """Record again from the next run (or run_continue) on, as SPAIC's."""
        self._recording = True

    def monitor_off(self) -> None:
        """Record nothing of the runs that start while off, as SPAIC's (what they
        record is left out of ``values``, ``times`` and the spikes)."""
        self._recording = False

    def begin(self, t0: float, steps: int, new_run: bool) -> None:
        """Before a run: a new run (not ``run_continue``) starts an empty recording (the
        last one kept for ``nbatch_values`` where nbatch asks for it)."""
        if self._ps is None:
            return
        if new_run:
            self._archive()
            self._ps.state.restore(self._empty)
            self._t0, self._steps, self._off = t0, 0, []
        if not self._recording:
            self._off.append((self._steps, self._steps + steps))
        self._steps += steps

    def _archive(self) -> None:
        """Keep the last run's recording (nbatch: True keeps all, a number n > 0 the last
        n, False none)."""

    def _kept(self, steps: np.ndarray) -> np.ndarray:
        """Which of these steps (since the run's start) were recorded: not run while off."""
        keep = np.ones(np.shape(steps), dtype=bool)
        for first, end in self._off:
            keep &= (steps < first) | (steps >= end)
        return keep

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
        self._dt, self._step_dt = lowered.dt * every, lowered.dt
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
        """(batch, neurons, time), as SPAIC (batch, *shape, time) for a group with a shape
        recorded in full; a connection's weights (batch, post, pre, time), a conv link's
        kernel (batch, out, in, kh, kw, time)."""
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
            return full[..., self._sample_kept()]
        v = v[..., self._every - 1::self._every][..., self._sample_kept()]
        if self._range is not None:   # (the clamp runs as the next step starts)
            v = np.clip(v, *self._range)
        shape = tuple(getattr(self.target, "shape", None) or ())
        if self._indices(v.shape[1]) is True and len(shape) > 1 and v.shape[1] == int(
                np.prod(shape)):      # a group of shape (C, H, W): (batch, C, H, W, time)
            v = v.reshape((v.shape[0],) + shape + (v.shape[-1],))
        return v

    @property
    def times(self) -> np.ndarray:
        """The start of each recorded step, ms from the run's start."""
        if self._ps is None:
            return np.zeros(0)
        return self._all_times()[self._sample_kept()]

    def _all_times(self) -> np.ndarray:
        t = np.rint((np.asarray(self._ps.t) - self._t0) / self._dt) * self._dt
        return t[self._every - 1::self._every]

    def _sample_kept(self) -> np.ndarray:
        """Which samples were recorded (monitor_off leaves its pieces out)."""
        return self._kept(np.rint(self._all_times() / self._step_dt).astype(np.int64))

    def _archive(self) -> None:
        if self._ps is None or not self.nbatch or self._steps == 0:
            return
        self._history.append((self.values, self.times))
        if self.nbatch is not True and int(self.nbatch) > 0:
            del self._history[:-int(self.nbatch)]

    @property
    def nbatch_values(self) -> np.ndarray:
        """SPAIC's: the values of the earlier runs kept (nbatch) and of the last, stacked
        (runs, batch, ..., time) where they have one shape."""
        return np.array([v for v, _ in self._history] + [self.values])

    @property
    def nbatch_times(self) -> np.ndarray:
        return np.array([t for _, t in self._history] + [self.times])


class SpikeMonitor(Monitor):
    """Records the spikes of ``target`` (SPAIC's ``SpikeMonitor(target, 'O')``):
    ``spk_times`` and ``spk_index`` (one array per sample; times in ms from the run's
    start, the step of the spike), ``spk_count`` (batch, neurons), ``time_spk_rate``
    (neurons, time: SPAIC's mean over the batch) and ``time_pop_rate`` (batch, time: the
    fraction of neurons spiking in each step).  ``index`` keeps the neurons it lists,
    numbered by their place in it, and ``dt`` samples every dt ms, as SPAIC records."""

    def make(self, ps, lowered) -> None:
        self._ps = ps.SpikeMonitor(lowered.ps_of(self.target))
        self._dt = lowered.dt
        # SPAIC samples O every dt ms (after steps n - 1, 2n - 1, ...: a spike of another
        # step is not seen) and keeps the neurons of index, numbered as they are listed
        self._every = 1 if self.dt is None else max(1, int(round(self.dt / lowered.dt)))
        picked = self._indices(self.target.num)
        # each neuron's place among those recorded (-1: not recorded)
        self._place = None
        self._n = self.target.num
        if picked is not True:
            self._place = np.full(self.target.num, -1, dtype=np.int64)
            self._place[picked] = np.arange(len(picked))
            self._n = len(picked)
        self._empty = self._ps.state.snapshot()

    def _per_sample(self) -> List[tuple]:
        """(steps since the run's start, recorded positions) of each sample's spikes."""
        if self._ps is None:
            return []
        ts, ids = self._ps.t, self._ps.i
        ts, ids = (list(ts), list(ids)) if isinstance(ts, list) else ([ts], [ids])
        out = []
        for t, i in zip(ts, ids):
            # pyspike stamps a spike with the end of its step; k is the step itself
            k = np.rint((np.asarray(t) - self._t0) / self._dt).astype(np.int64) - 1
            i = np.asarray(i, dtype=np.int64)
            keep = ((k + 1) % self._every == 0) & self._kept(k)
            if self._place is not None:
                i = self._place[i]
                keep &= i >= 0
            out.append((k[keep], i[keep]))
        return out

    @property
    def spk_times(self) -> List[np.ndarray]:
        # stamped with the step's start (SPAIC's, with its end) on the grid of steps
        return [k * self._dt for k, _ in self._per_sample()]

    @property
    def spk_index(self) -> List[np.ndarray]:
        return [i for _, i in self._per_sample()]

    @property
    def spk_count(self) -> np.ndarray:
        if self._ps is None:
            return np.zeros((0, 0))
        return np.array([np.bincount(i, minlength=self._n) for _, i in self._per_sample()])

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
        """SPAIC's: the spikes of each recorded neuron and step averaged over the batch,
        (neurons, time) (the fraction of the samples spiking)."""
        return self._sampled().mean(axis=0).T

    @property
    def time_pop_rate(self) -> np.ndarray:
        """(batch, time): the fraction of the recorded neurons spiking in each step."""
        return self._sampled().mean(axis=2)

    def _sampled(self) -> np.ndarray:
        """(batch, samples, neurons): the steps this monitor samples (every dt ms)."""
        return self.record(self.steps)[:, self._every - 1::self._every]
