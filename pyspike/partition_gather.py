"""The whole network's state and recordings from the blocks of a split network
(:mod:`pyspike.partition`): before each run the blocks take what the script set in the
whole network's objects, after it every rank gathers every block back into them, so that
``G.v``, ``S.w`` and the monitors read as after a run in one process.

The blocks lie in rank order (:func:`pyspike.partition_exchange.blocks`), so a group's
arrays are the ranks' blocks joined; a Synapses object's are put back by the indices each
rank kept; a state monitor's rows by the recorded neurons each rank holds; the spikes are
sorted by step, then neuron; the population rates summed.
"""
from __future__ import annotations

import numpy as np

from .monitors import SpikeMonitor, StateMonitor, split_group
from .partition_exchange import blocks
from .rate_monitor import PopulationRateMonitor


class Gathering:
    """The blocks' state and monitors of a :class:`pyspike.partition.Partition` and the
    whole network's objects they come from and go back to."""

    def __init__(self, part):
        self.part, self.comm = part, part.comm
        net, copies = part.net, part.copies
        self.spikes, self.states, self.rates = [], [], []
        with part.local:                 # (monitors made here join this rank's network)
            for mon in net.objects_of(SpikeMonitor):
                self.spikes.append((mon, SpikeMonitor(copies[id(mon.group)], mon.variables
                                                      or None)))
            for mon in net.objects_of(StateMonitor):
                self.states.append((mon, *self._state_monitor(mon)))
            for mon in net.objects_of(PopulationRateMonitor):
                group, start, n = split_group(mon.source)
                lo, hi = part.blocks[id(group)]
                a, b = max(start, lo) - lo, min(start + n, hi) - lo
                local = None
                if a < b:
                    block = copies[id(group)]
                    local = PopulationRateMonitor(block if b - a == block.N else block[a:b])
                self.rates.append((mon, local))

    def _state_monitor(self, mon):
        """This rank's monitor of the rows of ``mon`` in its block (None: no row), and the
        rows each rank records, in rank order."""
        part = self.part
        rows = [np.flatnonzero((mon.group_index >= lo) & (mon.group_index < hi))
                for lo, hi in blocks(mon.group.N, self.comm.size)]
        mine = rows[self.comm.rank]
        lo = part.blocks[id(mon.group)][0]
        local = None
        if mine.size:
            local = StateMonitor(part.copies[id(mon.group)], mon.variables,
                                 record=mon.group_index[mine] - lo, every=mon.every,
                                 when=mon.when, order=mon.order)
        return local, np.concatenate(rows)

    # --- before a run ----------------------------------------------------------------

    def to_blocks(self) -> None:
        """The blocks' state from the whole network's objects (what the script set)."""
        part = self.part
        for g in part.net.groups:
            lo, hi = part.blocks[id(g)]
            block = part.copies[id(g)].state.element_arrays()
            for name, whole in g.state.element_arrays().items():
                block[name][:hi - lo] = whole[lo:hi]
        for syn, copied in self._synapses():
            keep = part.kept[id(syn)][self.comm.rank]
            mine = copied.state.element_arrays()
            for name, whole in syn.state.element_arrays().items():
                mine[name][:] = whole[keep]

    def _synapses(self):
        """(whole Synapses, this rank's copy) of the synapses this rank holds."""
        copies = {s.name: s for s in self.part.local.synapses}
        return [(syn, copies[syn.name]) for syn in self.part.net.synapses
                if syn.name in copies]

    # --- after a run -----------------------------------------------------------------

    def from_blocks(self, step0: int, n_steps: int) -> None:
        """Every block's state and the run's recordings into the whole network's objects."""
        part, gather = self.part, self.comm.gather
        for g in part.net.groups:
            lo, hi = part.blocks[id(g)]
            block = part.copies[id(g)].state.element_arrays()
            for name, whole in g.state.element_arrays().items():
                whole[:] = gather(block[name][:hi - lo].astype(whole.dtype, copy=False))
        held = dict((id(s), c) for s, c in self._synapses())
        for syn in part.net.synapses:
            where = np.concatenate(part.kept[id(syn)])
            mine = held[id(syn)].state.element_arrays() if id(syn) in held else None
            for name, whole in syn.state.element_arrays().items():
                values = mine[name] if mine is not None else whole[:0]
                whole[where] = gather(values.astype(whole.dtype, copy=False))
        if n_steps:
            self._spikes()
            self._states(step0, n_steps)
            self._rates(step0, n_steps)

    def _spikes(self) -> None:
        """The run's spikes (this rank's monitors hold only those: each run's are handed
        on and emptied here)."""
        gather = self.comm.gather
        for mon, local in self.spikes:
            lo, hi = self.part.blocks[id(mon.group)]
            table = local.state
            i = np.concatenate(table.i).astype(np.int64)
            step = np.concatenate(table.step)
            real = i < hi - lo                    # (not the stand-in neuron of no block)
            i, step = gather(i[real] + lo), gather(step[real])
            order = np.lexsort((i, step))
            values = {v: [gather(np.concatenate(table.data[v])[real])[order]]
                      for v in mon.variables}
            mon.append([i[order].astype(np.int32)], [step[order]], values)
            for runs in (table.i, table.step, *table.data.values()):
                del runs[:]                       # (kept on the whole network's monitor)

    def _states(self, step0: int, n_steps: int) -> None:
        for mon, local, rows in self.states:
            steps = mon.samples(step0, n_steps)
            data, real = {}, self.part.local.real
            for var in mon.variables:
                mine = np.zeros((0, steps.size), dtype=real)
                if local is not None:
                    mine = np.concatenate(local.state.data[var], axis=1).astype(real)
                    del local.state.data[var][:]
                out = np.empty((mon.record.size, steps.size), dtype=real)
                if steps.size:
                    out[rows] = self.comm.gather(mine).reshape(-1, steps.size)
                data[var] = out
            if local is not None:
                del local.state.steps[:]
            mon.append(steps, data)

    def _rates(self, step0: int, n_steps: int) -> None:
        for mon, local in self.rates:
            counts = np.zeros(n_steps, dtype=np.int32)
            if local is not None:
                counts = np.concatenate(local.state.counts).astype(np.int32)
                del local.state.counts[:], local.state.steps[:]
            total = self.comm.gather(counts).reshape(-1, n_steps).sum(axis=0)
            mon.append(total.astype(np.int32), np.arange(step0, step0 + n_steps,
                                                         dtype=np.int64))
