"""The NumPy reference backend: interprets the kernel IR, step by step, vectorised over
neurons.  Slow and simple on purpose: it is the oracle the compiled backends must match.

It reads and writes exactly the arrays the compiled library would (same slots, same
counters), so the runtime and the monitors cannot tell the backends apart.
"""
from __future__ import annotations

from typing import List, Optional

import numpy as np

from ..codegen.kernels import Draw, GroupKernel, NetworkKernel
from ..codegen import linked
from ..codegen.ir import SPIKE, Block, EventIR, Operation, StateMonitorIR
from .. import random as ps_random
from ..evaluate import evaluate
from .numpy_operations import OperationReference
from .numpy_synapses import SynapsesReference
from .protocol import BaseBackend, Capabilities


class NumpyBackend(BaseBackend):
    """``backend="numpy"``: the reference interpreter of the kernel IR."""

    name = "numpy"
    capabilities = Capabilities(target="numpy")

    def prepare(self, generated, cache_dir=None) -> dict:
        kernel: NetworkKernel = generated.kernel
        self.kernel = kernel
        self.real = np.float64 if kernel.real == "double" else np.float32
        self.synapses = [SynapsesReference(sk, kernel, self.real) for sk in kernel.synapses]
        self.syn_operations = [OperationReference(op, kernel, self.real)
                               for op in kernel.syn_operations]
        return {"compiled": False, "library": None, "source": None}

    def manifest(self) -> str:
        """The kernel IR's own (this backend compiles nothing)."""
        return self.kernel.manifest.to_json()

    def run(self, arrays: List[np.ndarray], iargs: np.ndarray, rargs: np.ndarray,
            n_steps: int) -> int:
        self._iargs = iargs
        # Instance b of a batch: row b of every two-dimensional array, its own seed.
        first_seed = self.kernel.n_iargs + self.kernel.n_slots
        seeds = [int(x) for x in iargs[first_seed:]]
        tables = [[a[b] if a is not None and a.ndim == 2 else a for a in arrays]
                  for b in range(len(seeds))]
        rows = rargs.reshape(len(seeds), -1)          # dt and shared values, per instance
        envs = [[self._setup(g, table, row) for g in self.kernel.groups]
                for table, row in zip(tables, rows)]
        checks = [(m.fill, m.capacity, g.N) for g in self.kernel.groups
                  for m in g.spike_monitors + [m for ev in g.events for m in ev.monitors]]
        for s in range(n_steps):
            step = int(iargs[0]) + s
            if any(t[0][f] + n > t[0][c] for t in tables for f, c, n in checks):
                return s
            for table, env, seed, row in zip(tables, envs, seeds, rows):
                self._one_step(table, env, iargs, row, step, seed)
        return n_steps

    def _one_step(self, arrays, envs, iargs, rargs, step: int, seed: int) -> None:
        """One step of one instance: the schedule's calls, in order."""
        real = self.real
        t = real(step * float(rargs[0]))
        t_events = real((step + 1) * float(rargs[0]))   # the time of the state events change
        for c in self.kernel.schedule:
            if c.kind == "operation":
                op = self.kernel.operations[c.number]
                if step % op.every == 0:
                    self._operate(op, envs[op.group], arrays, step, t, seed)
            elif c.kind == "syn_operation":               # a Synapses' run_regularly
                self.syn_operations[c.number].run(arrays, rargs, step, t, seed)
            elif c.kind == "before":
                self.synapses[c.owner].before_groups(arrays, rargs, step, t, seed)
            elif c.kind == "record":
                g = self.kernel.groups[c.owner]
                self._record(g, g.state_monitors[c.number], envs[c.owner], arrays, iargs,
                             step)
            elif c.kind == "neurons":
                g = self.kernel.groups[c.owner]
                if g.generator is not None:
                    self._generate(g, arrays, step)
                else:
                    self._step(g, envs[c.owner], arrays, step, t, seed)
            elif c.kind == "reset":               # after the step's synaptic events
                g = self.kernel.groups[c.owner]
                spiked = arrays[g.spike_list.slot][:arrays[0][g.spike_list.count]]
                if len(spiked):
                    self._block(g, g.reset, envs[c.owner], arrays, step, t, seed,
                                spiked.astype(np.int64))
            elif c.kind == "event":
                g = self.kernel.groups[c.owner]
                self._event(g, g.events[c.number], envs[c.owner], arrays, step)
            elif c.kind == "event_body":                  # after the resets
                g = self.kernel.groups[c.owner]
                ev = g.events[c.number]
                fired = arrays[ev.events.slot][:int(arrays[0][ev.events.count])]
                if len(fired):
                    self._block(g, ev.body, envs[c.owner], arrays, step, t, seed,
                                fired.astype(np.int64))
            else:                                          # "pre" | "post" events
                self.synapses[c.owner].events(c.kind, arrays, iargs, rargs, step, t_events,
                                              seed)

    def _setup(self, g: GroupKernel, arrays, rargs) -> dict:
        real = self.real
        env = {"dt": real(rargs[0]), "N": g.N, "i": np.arange(g.N, dtype=np.int32)}
        for name, r in g.shared.items():
            env[name] = real(rargs[r])
        for a in g.run_scalars:
            value = evaluate(a.expr, env, real)
            env[a.target.name] = np.int64(value) if a.ctype == "int64" else real(value)
        for name, arr in g.arrays.items():
            env[name] = arrays[arr.slot]
        env["_timed"] = {ta.name: (arrays[ta.slot].reshape(-1, int(self._iargs[ta.m_iarg])),
                                   float(rargs[ta.rarg])) for ta in g.timed}
        for assign, arr in g.run_arrays:
            arrays[arr.slot][:] = evaluate(assign.expr, env, real)
            env[assign.target.name] = arrays[arr.slot]
        return env

    def _record(self, g: GroupKernel, m: StateMonitorIR, base: dict, arrays, iargs,
                step: int) -> None:
        """A state monitor: the state at the step's start, every ``every`` steps."""
        counters = arrays[0]
        stride = int(iargs[m.stride])
        if step % m.every == 0 and counters[m.fill] < stride:
            k = counters[m.fill]
            idx = arrays[m.index_slot]
            sources = m.source_slots or (None,) * len(m.variables)   # (a Synapses')
            for var, slot, source in zip(m.variables, m.buffer_slots, sources):
                value = _values(g, var, arrays, base) if source is None else arrays[source]
                buf = arrays[slot].reshape(m.n_record, stride)
                buf[:, k] = value[idx] if isinstance(value, np.ndarray) else value
            counters[m.fill] += 1

    def _step(self, g: GroupKernel, base: dict, arrays, step: int, t, seed: int):
        """The update block on every neuron, the reset block on those that spiked."""
        env = self._block(g, g.update, base, arrays, step, t, seed)
        spiked = np.nonzero(env[SPIKE.name])[0] if SPIKE.name in env \
            else np.zeros(0, dtype=np.int64)
        self._spike_values(g, g.spike_monitors, base, arrays, spiked)
        if len(spiked) and g.on_spike.code:
            self._block(g, g.on_spike, base, arrays, step, t, seed, spiked)
        self._emit(g, arrays, spiked, step)

    def _operate(self, op: Operation, base: dict, arrays, step: int, t, seed: int) -> None:
        """An Operation kernel: its statements on every neuron of its group."""
        self._block(self.kernel.groups[op.group], op.body, base, arrays, step, t, seed)

    def _block(self, g: GroupKernel, block: Block, base: dict, arrays, step: int, t,
               seed: int, neurons: Optional[np.ndarray] = None) -> dict:
        """A block of statements on the neurons ``neurons`` of group ``g`` (None: all of
        them), vectorised; returns the values it computed, by name."""
        real = self.real
        env = dict(base)
        env.update(t=t, step=step)
        chosen = slice(None) if neurons is None else neurons
        n = g.N if neurons is None else len(neurons)
        if neurons is not None:
            env["i"] = neurons.astype(np.int32)
            for assign, arr in g.run_arrays:
                env[assign.target.name] = arrays[arr.slot][neurons]
        for name in block.loads:
            # (int32 step counts compute in int64, as the generated code does)
            loaded = _values(g, name, arrays)[chosen]
            env[name] = loaded.astype(np.int64) if loaded.dtype == np.int32 else loaded.copy()
        # the neurons' elements in the whole group (GroupSpec.first: a block of a split one)
        elements = (np.arange(g.N) if neurons is None else neurons) + g.first
        self._draw(block.draws, env, seed, step, elements.astype(np.uint32))
        for a in block.code:
            env[a.target.name] = _full(evaluate(a.expr, env, real), n, a.ctype, real)
        for name in block.stores:
            arrays[g.arrays[name].slot][chosen] = env[name]
        return env

    def _event(self, g: GroupKernel, ev: EventIR, base: dict, arrays, step: int) -> None:
        """A custom event: its neurons (ascending) into its list, and its monitors (its
        statements run after the resets: "event_body")."""
        fired = np.flatnonzero(arrays[g.arrays[ev.flag].slot])
        counters = arrays[0]
        arrays[ev.events.slot][:len(fired)] = fired
        counters[ev.events.count] = len(fired)
        self._spike_values(g, ev.monitors, base, arrays, fired)
        for m in ev.monitors:
            fill = counters[m.fill]
            arrays[m.i_slot][fill:fill + len(fired)] = fired
            arrays[m.step_slot][fill:fill + len(fired)] = step + 1
            counters[m.fill] += len(fired)

    @staticmethod
    def _spike_values(g: GroupKernel, monitors, base: dict, arrays,
                      spiked: np.ndarray) -> None:
        """The variables spike (event) monitors record of this step's spikes: after the
        threshold, before the reset, into the entries that _emit then fills."""
        counters = arrays[0]
        for m in monitors:
            fill = counters[m.fill]
            for var, slot in zip(m.variables, m.value_slots):
                value = _values(g, var, arrays, base)
                arrays[slot][fill:fill + len(spiked)] = \
                    value[spiked] if isinstance(value, np.ndarray) else value

    def _emit(self, g: GroupKernel, arrays, spiked: np.ndarray, step: int) -> None:
        """This step's spikes: the spike list for synapses, then the monitors."""
        counters = arrays[0]
        if g.spike_list is not None:
            arrays[g.spike_list.slot][:len(spiked)] = spiked
            counters[g.spike_list.count] = len(spiked)
        for m in g.spike_monitors:
            fill = counters[m.fill]
            arrays[m.i_slot][fill:fill + len(spiked)] = spiked
            arrays[m.step_slot][fill:fill + len(spiked)] = step + 1
            counters[m.fill] += len(spiked)
        for m in g.rate_monitors:
            if m.neurons is None:
                mine = spiked
            else:
                start, stop = m.neurons
                mine = spiked[(spiked >= start) & (spiked < stop)]
            arrays[m.slot][counters[m.fill]] = len(mine)
            counters[m.fill] += 1

    def _generate(self, g: GroupKernel, arrays, step: int) -> None:
        """A SpikeGeneratorGroup: emit the given spikes stamped step + 1."""
        counters, gen = arrays[0], g.generator
        stamps = arrays[gen.step_slot]
        pos, end = int(counters[gen.position]), int(counters[gen.count])
        stop = pos + int(np.searchsorted(stamps[pos:end], step + 1, side="right"))
        chosen = stamps[pos:stop] == step + 1
        counters[gen.position] = stop
        self._emit(g, arrays, arrays[gen.index_slot][pos:stop][chosen].astype(np.int64), step)

    def _draw(self, draws: List[Draw], env: dict, seed: int, step: int, elem: np.ndarray):
        for d in draws:
            fn = ps_random.rand if d.kind == "uniform" else ps_random.randn
            env[d.symbol.name] = fn(seed, step, elem, d.stream, dtype=self.real)


def _values(g: GroupKernel, name: str, arrays, base: Optional[dict] = None):
    """The value of ``name`` of every neuron of ``g``: its array, a linked variable's
    source read through the link (codegen/linked.py), or (``base``) a shared value."""
    a = g.arrays.get(name)
    if a is None:
        return base[name]
    values = arrays[a.slot]
    if a.role == linked.ROLES["one"]:
        return np.broadcast_to(values[0], (g.N,))
    if a.role == linked.ROLES["index"]:
        return values[arrays[g.arrays[linked.index_name(name)].slot]]
    return values


def _full(value, n: int, ctype: str, real):
    dtype = {"real": real, "bool": np.bool_, "int64": np.int64}[ctype]
    return np.broadcast_to(np.asarray(value, dtype=dtype), (n,)).copy()
