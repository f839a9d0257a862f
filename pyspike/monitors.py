"""Monitors: what the generated code records, into buffers the runtime allocates per run.

The compiled kernels write every sample and spike themselves; Python only allocates the
buffers before a run and appends them to the results after it.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Union

import numpy as np

from .codegen.errors import ModelError
from .codegen.spec import SpikeMonitorSpec, StateMonitorSpec
from . import _context, checks, synapses_kernel
from .group import NeuronGroup, Subgroup
from .state import StateTable
from .state_monitor import check_when, record_indices
from .synapses import Synapses


def check_group(group, what: str, subgroups: bool = False) -> None:
    if not isinstance(group, NeuronGroup) and not (subgroups and isinstance(group, Subgroup)):
        kind = "a NeuronGroup or a slice of one" if subgroups else "a whole NeuronGroup"
        raise ModelError(f"{what} records {kind}, not {type(group).__name__}", where=what)


def instances(group):
    """K in a batched network, None otherwise: monitors then gain a leading batch axis."""
    return None if group.network is None else group.network.batch


def split_group(group):
    """(the whole group, first neuron, number of neurons) of a group or subgroup."""
    return (group.group, group.start, group.N) if isinstance(group, Subgroup) \
        else (group, 0, group.N)


class SpikeMonitor:
    """Records every spike of a group: ``i`` (neuron), ``t`` (ms), ``count`` (per neuron),
    ``it`` (``(i, t)``), and with ``variables=`` (a name or a list of them) the value of
    each variable at each spike: ``mon.v`` aligned with ``i`` and ``t``,
    ``mon.values("v")`` per neuron.

    A spike at step n is the threshold crossing found after the update from t_n to
    t_(n+1) and is stamped t_(n+1), the time of the state that crossed (Brian2 stamps it
    t_n).  The values are those of that state: after the threshold, before the reset, as
    Brian2 records them.  In a batched network ``i``, ``t`` and the values are lists of
    one array per instance and ``count`` has shape (K, N).

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

    #: what a results file takes from it (pyspike.results_write.KINDS)
    recording = "spikes"

    def __init__(self, group: NeuronGroup,
                 variables: Union[str, Sequence[str], None] = None):
        check_group(group, "SpikeMonitor", subgroups=True)
        # A subgroup's monitor records its whole group and keeps the subgroup's spikes.
        self.source = group
        self.group, self._start, self._n = split_group(group)
        self.variables = [] if variables is None else \
            _variables(variables, group, "SpikeMonitor", empty=True)
        # per run an array of neurons, of steps, of each variable; spikes per neuron
        self.state = StateTable(i=[], step=[], count=np.zeros(self.group.N, dtype=np.int64),
                                data={v: [] for v in self.variables})
        _context.register(self)

    def _spec(self) -> SpikeMonitorSpec:
        return SpikeMonitorSpec(self.group.name, tuple(self.variables))

    def _mine(self, i: np.ndarray) -> np.ndarray:
        return (i >= self._start) & (i < self._start + self._n)

    def append(self, i: List[np.ndarray], step: List[np.ndarray],
               values: Optional[Dict[str, List[np.ndarray]]] = None) -> None:
        """Keep one run's spikes (the runtime's call), lists of one array per instance,
        and count them per neuron (here rather than in the kernels: see SpikeMonitorIR);
        ``values``: per recorded variable, a list of one array per instance."""
        batched, table = instances(self.group) is not None, self.state
        table.i.append(i if batched else i[0])
        table.step.append(step if batched else step[0])
        for var, runs in table.data.items():
            runs.append(values[var] if batched else values[var][0])
        if table.count.shape != self.group.shape:
            table.count = np.zeros(self.group.shape, dtype=np.int64)
        counts = table.count.reshape(len(i), -1)
        for b, neurons in enumerate(i):
            counts[b] += np.bincount(neurons, minlength=counts.shape[1])

    def _runs(self, b, var: Optional[str] = None):
        """(neurons, steps) of instance b (None: unbatched) over all runs, or (neurons,
        values of ``var``)."""
        i = [r if b is None else r[b] for r in self.state.i]
        other = self.state.step if var is None else self.state.data[var]
        other = [r if b is None else r[b] for r in other]
        if not i:
            return np.zeros(0, dtype=np.int32), np.zeros(0, np.int64 if var is None else float)
        return np.concatenate(i), np.concatenate(other)

    def _per_instance(self, what, var: Optional[str] = None):
        K = instances(self.group)
        return what(*self._runs(None, var)) if K is None else \
            [what(*self._runs(b, var)) for b in range(K)]

    @property
    def i(self):
        """Neuron of each spike (numbered within the recorded (sub)group)."""
        def neurons(i, steps):
            whole = self._n == self.group.N
            return i if whole else (i[self._mine(i)] - self._start).astype(np.int32)
        return self._per_instance(neurons)

    @property
    def t(self):
        """Time of each spike (ms)."""
        dt = self.group.network.dt if self.group.network else np.nan
        def times(i, steps):
            return (steps if self._n == self.group.N else steps[self._mine(i)]) * dt
        return self._per_instance(times)

    it = property(lambda self: (self.i, self.t), doc="``(i, t)``, as Brian2's ``.it``.")

    def _values(self, var: str):
        """The values of ``var`` at the recorded (sub)group's spikes, in spike order."""
        if var not in self.state.data:
            recorded = ", ".join(self.state.data) or "no variables"
            raise ModelError(f"this SpikeMonitor records {recorded}, not {checks.show(var)}: "
                             "name it in SpikeMonitor(..., variables=)", where="SpikeMonitor",
                             symbol=checks.label(var))
        def mine(i, values):
            return values if self._n == self.group.N else values[self._mine(i)]
        return self._per_instance(mine, var)

    def __getattr__(self, name: str):
        table = self.__dict__.get("state")
        if table is not None and name in table.data:
            return self._values(name)
        raise AttributeError(f"'SpikeMonitor' object has no attribute '{name}'")

    def values(self, var: str):
        """The values of ``var`` at each neuron's spikes, in time order, by neuron index
        (a list of such dicts in a batch), as Brian2's ``SpikeMonitor.values``."""
        return self._by_neuron(self._values(var))

    def all_values(self):
        """``{"t": spike_trains(), var: values(var), ...}`` (a list of such dicts in a
        batch), as Brian2's ``SpikeMonitor.all_values``."""
        every = {"t": self.spike_trains(), **{v: self.values(v) for v in self.state.data}}
        K = instances(self.group)
        return every if K is None else [{k: x[b] for k, x in every.items()} for b in range(K)]

    def _by_neuron(self, x):
        """``x`` (an entry per spike; a list of such arrays in a batch) by neuron index."""
        def by_neuron(i, x):
            order = np.argsort(i, kind="stable")
            bounds = np.searchsorted(i[order], np.arange(self._n + 1))
            return {k: x[order[bounds[k]:bounds[k + 1]]] for k in range(self._n)}
        return by_neuron(self.i, x) if instances(self.group) is None else \
            [by_neuron(i, v) for i, v in zip(self.i, x)]

    @property
    def count(self) -> np.ndarray:
        """Spikes per neuron (shape (K, N) in a batch)."""
        return self.state.count[..., self._start:self._start + self._n].copy()

    @property
    def num_spikes(self):
        """All spikes (one number per instance in a batch)."""
        total = self.count.sum(axis=-1)
        return int(total) if np.ndim(total) == 0 else total

    def to_hdf5(self, path) -> None:
        """Write the spikes to ``path`` as a SONATA spike file (``ps.save_results``)."""
        from .results import save_results
        save_results(self, path)

    def spike_trains(self):
        """Spike times (ms) per neuron index (a list of such dicts in a batch)."""
        return self._by_neuron(self.t)


class StateMonitor:
    """Records variables of chosen neurons every ``every`` steps, at the step's start.

    ``mon.t`` has the sample times (ms); ``mon.<var>`` has shape (n_recorded, n_samples),
    or (K, n_recorded, n_samples) in a batched network.  Of Synapses, ``record`` picks
    synapses as ``S.w`` orders them, present at the build (True: all); event-driven
    variables are recorded as stored (their value at the last event), as by Brian2.
    ``when="end"`` records the state after the step (update, reset, synaptic events)
    instead, stamped with the step's start as by Brian2 (codegen/schedule.py).
    ``order`` sorts it within its slot as Brian2's does: at "start", an order < 0
    records before the step's ``run_regularly`` statements, 0 (the default) and more after.

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

    recording = "states"

    def __init__(self, group: Union[NeuronGroup, Synapses],
                 variables: Union[str, Sequence[str]],
                 record: Union[bool, Sequence[int], int] = True, every: int = 1,
                 when: str = "start", order: int = 0):
        self.source = group
        #: Synapses recorded (by the kernel of their target group), or None
        self.synapses = syn = group if isinstance(group, Synapses) else None
        if syn is None:
            check_group(group, "StateMonitor", subgroups=True)
        self.group, start, _ = split_group(group if syn is None else group.target)
        self.variables = _variables(variables, group, "StateMonitor")
        self.every = checks.count(every, "every", "StateMonitor", minimum=1, maximum=2 ** 31 - 1)
        self.when = check_when(when)
        self.order = checks.count(order, "order", "StateMonitor", minimum=-2 ** 31,
                                  maximum=2 ** 31 - 1)
        self._all = syn is not None and record is True   # (all synapses: at the build)
        record = record_indices(False if self._all else record,
                                group.N if syn is None else 2 ** 31)
        self.record = record.astype(np.int32)          # within the recorded (sub)group
        #: The recorded neurons numbered within the whole group (what the kernels read).
        self.group_index = (record + (start if syn is None else 0)).astype(np.int32)
        # the sampled steps and, per variable, the samples: one array per run
        self.state = StateTable(steps=[], data={v: [] for v in self.variables})
        _context.register(self)

    def _spec(self) -> StateMonitorSpec:
        syn = self.synapses
        if syn is not None:         # the recorded synapses must exist by now
            _synapses_built(self, syn)
        return StateMonitorSpec(self.group.name, tuple(self.variables), len(self.record),
                                self.every, None if syn is None else syn.name, self.when,
                                self.order)

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

    t = property(lambda self: sample_times(self), doc="The sample times (ms).")

    def to_hdf5(self, path, variable: Optional[str] = None) -> None:
        """Write one recorded variable to ``path`` as a SONATA report file, as libsonata
        reads it (``ps.save_report``; ``variable`` may be left out if there is one)."""
        from .results import save_report
        save_report(self, path, variable)

    def __getattr__(self, name: str):
        table = self.__dict__.get("state")
        data = table.data if table is not None else {}
        if name in data:
            K = instances(self.group)
            return np.concatenate(data[name], axis=-1) if data[name] else \
                np.zeros((len(self.record), 0) if K is None else (K, len(self.record), 0))
        raise AttributeError(f"this StateMonitor records {', '.join(data)}, not '{name}'")


def _synapses_built(mon: StateMonitor, syn: Synapses) -> None:
    """The synapses ``mon`` records, checked (chosen, for record=True) at the build."""
    where, n = f"StateMonitor of Synapses '{syn.name}'", syn.n if syn.network else 0
    if syn.network is None or syn.network is not mon.group.network:
        raise ModelError(f"the monitored Synapses '{syn.name}' are not part of this network: "
                         "add them too", where=where, symbol=syn.name)
    if mon._all:       # (once: the synapses recorded stay those of the first build)
        mon.record = mon.group_index = np.arange(n, dtype=np.int32)
        mon._all = False
    if (mon.record >= n).any():
        raise ModelError(f"record names synapses {mon.record[mon.record >= n].tolist()} but "
                         f"Synapses '{syn.name}' have {n}: connect them before the run",
                         where=where, symbol="record")


def sample_times(mon) -> np.ndarray:
    """The steps a monitor recorded, in ms."""
    return np.concatenate([np.zeros(0, np.int64), *mon.state.steps]) * mon.group.network.dt


def _variables(variables, group, who: str, empty: bool = False) -> List[str]:
    """The names a monitor records: one variable or parameter of the group (not a kernel
    variable of synapses), or a list of distinct ones (an empty list only if ``empty``)."""
    if isinstance(variables, str):
        variables = [variables]
    elif not isinstance(variables, (list, tuple)) or not (variables or empty):
        raise ModelError(f"variables must be a variable name or a list of them, not "
                         f"{checks.show(variables)}", where=who, symbol="variables")
    owner = group if isinstance(group, Synapses) else group.model
    for v in variables:
        if not isinstance(v, str) or (v not in owner.variables and v not in owner.param_names
                                      and v not in getattr(owner, "linked", ())):
            raise ModelError(f"{who} cannot record {checks.show(v)}: the "
                             f"{'synapses have' if owner is group else 'group has'} "
                             f"{', '.join(owner.variables) or 'no variables'}",
                             where=who, symbol=checks.label(v))
    if len(set(variables)) != len(variables):
        raise ModelError(f"variables names a variable twice: {list(variables)}",
                         where=who, symbol="variables")
    return synapses_kernel.not_recorded(owner.kernel if owner is group else (),
                                        list(variables), who)
