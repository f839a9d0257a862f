"""Monitors: what the generated code records, into buffers the runtime allocates per run.

The compiled kernels write every sample and spike themselves; Python only allocates the
buffers before a run and appends them to the results after it.
"""
from __future__ import annotations

from typing import Dict, List, Sequence, Union

import numpy as np

from .codegen.errors import ModelError
from .codegen.spec import RateMonitorSpec, SpikeMonitorSpec, StateMonitorSpec
from . import _context, checks
from .group import NeuronGroup, Subgroup
from .state import StateTable


def _check_group(group, what: str, subgroups: bool = False) -> None:
    if isinstance(group, Subgroup) and subgroups:
        return
    if not isinstance(group, NeuronGroup):
        kind = "a NeuronGroup or a slice of one" if subgroups else "a whole NeuronGroup"
        raise ModelError(f"{what} records {kind}, not {type(group).__name__}", where=what)


def _instances(group):
    """K in a batched network, None otherwise: monitors then gain a leading batch axis."""
    net = group.network
    return None if net is None else net.batch


def _split(group):
    """(the whole group, first neuron, number of neurons) of a group or subgroup."""
    if isinstance(group, Subgroup):
        return group.group, group.start, group.N
    return group, 0, group.N


class SpikeMonitor:
    """Records every spike of a group: ``i`` (neuron), ``t`` (ms), ``count`` (per neuron).

    A spike at step n is the threshold crossing found after the update from t_n to
    t_(n+1) and is stamped t_(n+1), the time of the state that crossed.  In a batched
    network ``i`` and ``t`` are lists of one array per instance and ``count`` has shape
    (K, N).

    >>> import pyspike as ps
    >>> m = ps.NeuronModel("dv/dt = 1/tau : 1", threshold="v > 1", reset="v = 0",
    ...                    params={"tau": 10.0})
    >>> net = ps.Network(dt=1.0, backend="numpy")
    >>> with net:
    ...     G = ps.NeuronGroup(2, m)
    ...     mon = ps.SpikeMonitor(G)
    >>> net.run(25.0)
    >>> mon.t
    array([11., 11., 22., 22.])
    """

    def __init__(self, group: NeuronGroup):
        _check_group(group, "SpikeMonitor", subgroups=True)
        # A subgroup's monitor records its whole group and keeps the subgroup's spikes.
        self.source = group
        self.group, self._start, self._n = _split(group)
        # one array of neurons and one of steps per run; spikes per neuron of all runs
        self.state = StateTable(i=[], step=[], count=np.zeros(self.group.N, dtype=np.int64))
        _context.register(self)

    def _spec(self) -> SpikeMonitorSpec:
        return SpikeMonitorSpec(self.group.name)

    def _mine(self, i: np.ndarray) -> np.ndarray:
        return (i >= self._start) & (i < self._start + self._n)

    def append(self, i: List[np.ndarray], step: List[np.ndarray]) -> None:
        """Keep one run's spikes (the runtime's call), lists of one array per instance,
        and count them per neuron (here rather than in the kernels: see SpikeMonitorIR)."""
        batched = _instances(self.group) is not None
        table = self.state
        table.i.append(i if batched else i[0])
        table.step.append(step if batched else step[0])
        if table.count.shape != self.group.shape:
            table.count = np.zeros(self.group.shape, dtype=np.int64)
        counts = table.count.reshape(len(i), -1)
        for b, neurons in enumerate(i):
            counts[b] += np.bincount(neurons, minlength=counts.shape[1])

    def _runs(self, b):
        """(neurons, steps) of instance b (None: unbatched) over all runs."""
        i = [r if b is None else r[b] for r in self.state.i]
        steps = [r if b is None else r[b] for r in self.state.step]
        if not i:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64)
        return np.concatenate(i), np.concatenate(steps)

    def _per_instance(self, what):
        K = _instances(self.group)
        if K is None:
            return what(*self._runs(None))
        return [what(*self._runs(b)) for b in range(K)]

    @property
    def i(self):
        """Neuron of each spike (numbered within the recorded (sub)group)."""
        def neurons(i, steps):
            if self._n == self.group.N:
                return i
            return (i[self._mine(i)] - self._start).astype(np.int32)
        return self._per_instance(neurons)

    @property
    def t(self):
        """Time of each spike (ms)."""
        dt = self.group.network.dt if self.group.network else np.nan
        def times(i, steps):
            if self._n != self.group.N:
                steps = steps[self._mine(i)]
            return steps * dt
        return self._per_instance(times)

    @property
    def count(self) -> np.ndarray:
        """Spikes per neuron (shape (K, N) in a batch)."""
        return self.state.count[..., self._start:self._start + self._n].copy()

    @property
    def num_spikes(self):
        """All spikes (one number per instance in a batch)."""
        total = self.count.sum(axis=-1)
        return int(total) if np.ndim(total) == 0 else total

    def spike_trains(self):
        """Spike times (ms) per neuron index (a list of such dicts in a batch)."""
        def trains(i, t):
            order = np.argsort(i, kind="stable")
            bounds = np.searchsorted(i[order], np.arange(self._n + 1))
            return {k: t[order[bounds[k]:bounds[k + 1]]] for k in range(self._n)}
        if _instances(self.group) is None:
            return trains(self.i, self.t)
        return [trains(i, t) for i, t in zip(self.i, self.t)]


class StateMonitor:
    """Records variables of chosen neurons every ``every`` steps, before the update.

    ``mon.t`` has the sample times (ms); ``mon.<var>`` has shape (n_recorded, n_samples),
    or (K, n_recorded, n_samples) in a batched network.

    >>> import pyspike as ps
    >>> m = ps.NeuronModel("dv/dt = -v/tau : mV", params={"tau": 10.0})
    >>> net = ps.Network(dt=0.5, backend="numpy")
    >>> with net:
    ...     G = ps.NeuronGroup(4, m, init={"v": 1.0})
    ...     mon = ps.StateMonitor(G, "v", record=[0, 2], every=2)
    >>> net.run(2.0)
    >>> mon.v.shape, mon.t
    ((2, 2), array([0., 1.]))
    """

    def __init__(self, group: NeuronGroup, variables: Union[str, Sequence[str]],
                 record: Union[bool, Sequence[int], int] = True, every: int = 1):
        _check_group(group, "StateMonitor", subgroups=True)
        self.source = group
        self.group, start, _ = _split(group)
        if isinstance(variables, str):
            variables = [variables]
        elif not isinstance(variables, (list, tuple)) or not variables:
            raise ModelError(f"variables must be a variable name or a list of them, not "
                             f"{checks.show(variables)}", where="StateMonitor",
                             symbol="variables")
        self.variables = list(variables)
        for v in self.variables:
            if not isinstance(v, str) or (v not in group.model.variables
                                          and v not in group.model.param_names):
                raise ModelError(f"StateMonitor cannot record {checks.show(v)}: the group has "
                                 f"{', '.join(group.model.variables)}", where="StateMonitor",
                                 symbol=checks.label(v))
        if len(set(self.variables)) != len(self.variables):
            raise ModelError(f"variables names a variable twice: {self.variables}",
                             where="StateMonitor", symbol="variables")
        self.every = checks.count(every, "every", "StateMonitor", minimum=1,
                                  maximum=2 ** 31 - 1)
        record = _record(record, group.N)
        self.record = record.astype(np.int32)          # within the recorded (sub)group
        #: The recorded neurons numbered within the whole group (what the kernels read).
        self.group_index = (record + start).astype(np.int32)
        # the sampled steps and, per variable, the samples: one array per run
        self.state = StateTable(steps=[], data={v: [] for v in self.variables})
        _context.register(self)

    def _spec(self) -> StateMonitorSpec:
        return StateMonitorSpec(self.group.name, tuple(self.variables), len(self.record),
                                self.every)

    def samples(self, step0: int, n_steps: int) -> np.ndarray:
        """The steps a run of ``n_steps`` from ``step0`` samples."""
        first = -(-step0 // self.every) * self.every
        return np.arange(first, step0 + n_steps, self.every, dtype=np.int64)

    def append(self, steps: np.ndarray, data: Dict[str, np.ndarray]) -> None:
        """Keep one run's samples (the runtime's call): the steps, and per variable an
        array (n_recorded, len(steps)), or (K, ...) in a batch."""
        self.state.steps.append(steps)
        for var, values in data.items():
            self.state.data[var].append(values)

    @property
    def t(self) -> np.ndarray:
        steps = self.state.steps
        steps = np.concatenate(steps) if steps else np.zeros(0, dtype=np.int64)
        return steps * self.group.network.dt

    def __getattr__(self, name: str):
        table = self.__dict__.get("state")
        data = table.data if table is not None else {}
        if name in data:
            K = _instances(self.group)
            if not data[name]:
                return np.zeros((len(self.record), 0) if K is None
                                else (K, len(self.record), 0))
            return np.concatenate(data[name], axis=-1)
        raise AttributeError(f"this StateMonitor records {', '.join(data)}, not '{name}'")


def _record(record, n: int) -> np.ndarray:
    """StateMonitor's ``record``: True (all n neurons), False (none), one index, or a
    flat sequence of whole-number indices in 0..n-1."""
    if record is True or record is False:
        return np.arange(n) if record else np.zeros(0, dtype=np.int64)
    if isinstance(record, np.ndarray) and record.dtype.kind == "b":
        raise ModelError("record takes True, False or neuron indices, not a boolean array "
                         "(np.flatnonzero(mask) gives the indices)", where="StateMonitor",
                         symbol="record")
    return checks.indices(record, "record", "StateMonitor", n)


class PopulationRateMonitor:
    """The group's spike count per step as a rate in Hz: ``mon.t`` (ms), ``mon.rate``
    (shape (K, n_steps) in a batched network).

    >>> import pyspike as ps
    >>> m = ps.NeuronModel("dv/dt = 1/tau : 1", threshold="v > 1", reset="v = 0",
    ...                    params={"tau": 1.0})
    >>> net = ps.Network(dt=0.5, backend="numpy")
    >>> with net:
    ...     G = ps.NeuronGroup(10, m)
    ...     r = ps.PopulationRateMonitor(G)
    >>> net.run(2.0)
    >>> r.rate    # all 10 neurons spike at once every 3 steps = 1.5 ms
    array([   0.,    0., 2000.,    0.])
    """

    def __init__(self, group: NeuronGroup):
        _check_group(group, "PopulationRateMonitor", subgroups=True)
        self.source = group
        self.group, self._start, self._n = _split(group)
        # spikes per step and the steps, one array per run
        self.state = StateTable(counts=[], steps=[])
        _context.register(self)

    def _spec(self) -> RateMonitorSpec:
        if self._n == self.group.N:
            return RateMonitorSpec(self.group.name)
        return RateMonitorSpec(self.group.name, self._start, self._start + self._n)

    def append(self, counts: np.ndarray, steps: np.ndarray) -> None:
        """Keep one run's spike counts per step (the runtime's call)."""
        self.state.counts.append(counts)
        self.state.steps.append(steps)

    @property
    def t(self) -> np.ndarray:
        steps = self.state.steps
        steps = np.concatenate(steps) if steps else np.zeros(0, dtype=np.int64)
        return steps * self.group.network.dt

    @property
    def rate(self) -> np.ndarray:
        K = _instances(self.group)
        empty = np.zeros(0 if K is None else (K, 0))
        counts = self.state.counts
        counts = np.concatenate(counts, axis=-1) if counts else empty
        return counts / (self._n * self.group.network.dt * 1e-3)
