"""The runtime: lays out the arrays of the kernel IR, calls the backend for n steps, and
hands monitor buffers back to the monitors.

The backend is called once per chunk of about 0.1 s of wall time (``pacing``), so that
Ctrl-C, the progress bar and the check for non-finite state (``finite``) get their turn;
and again whenever a spike buffer fills up, in which case the library returns early, the
buffer is doubled here and the run continues where it stopped.  However a run ends —
completed, interrupted, stopped by non-finite state or by an error of the backend — the
network's clock and monitors hold every completed step.  Nothing here runs per step.

Every array that belongs to one instance of a batch is laid out as (K, length), C order,
also without a batch (K = 1); shared arrays (connectivity, given spikes, TimedArrays)
are one-dimensional.  The compiled code finds instance b's part of slot k at
``arrays[k] + b * strides[k]`` bytes, with the strides and the K seeds after the kernel
IR's integer arguments: ``iargs[n_iargs + k]`` and ``iargs[n_iargs + n_slots + b]``.
"""
from __future__ import annotations

import time
from typing import List

import numpy as np

from .codegen.errors import ModelError
from .codegen.linked import is_linked
from . import batching, linked, pathways
from .codegen.kernels import NetworkKernel
from .codegen.layout import Manifest
from .manifest import check_arrays
from .finite import FiniteCheck
from .monitors import SpikeMonitor, StateMonitor
from .rate_monitor import PopulationRateMonitor
from .pacing import DeferredInterrupt, Pacer, Progress
from .synapses_runtime import lay_out_synapses

_SPIKES_PER_NEURON = 8


def run_steps(net, kernel: NetworkKernel, n_steps: int) -> None:
    """Advance ``net`` by ``n_steps``; ``net.step`` counts the steps completed, also when
    the run stops early (KeyboardInterrupt, NonFiniteError, a failure of the backend)."""
    if net.step + n_steps >= 2 ** 31 - 1 and any(g.refractory == "time" for g in kernel.groups):
        raise ModelError(f"a run to step {net.step + n_steps} is past the 2**31 steps that "
                         "refractoriness counts in (about 59 hours of model time at dt = "
                         "0.1 ms)", where="Network.run")
    arrays, iargs, rargs, pending = lay_out(net, kernel, n_steps)
    counters = arrays[0]
    exchange = net.exchange            # (a network split over MPI ranks: pyspike.partition)
    if exchange is not None:
        exchange.begin(kernel, arrays, pending)
    finite = FiniteCheck(net, kernel, arrays) if net.check_finite else None
    if finite is not None:
        finite.before_run()
    net.backend.set_threads(net.threads)
    pacer = Pacer(net.seconds_per_step)
    progress = Progress(net.progress, n_steps, net.dt)
    step0, done, finished = net.step, 0, False
    instanced = None                 # iargs with the instances' strides and seeds
    try:
        with DeferredInterrupt() as interrupt:
            while done < n_steps:
                chunk = pacer.next(n_steps - done)
                if exchange is not None:           # pieces end where the ranks swap spikes
                    chunk = exchange.limit(step0 + done, chunk)
                iargs[0] = step0 + done
                t0 = time.perf_counter()
                if instanced is None:          # (again after spike buffers grew)
                    instanced = _with_instances(iargs, arrays, net.seeds)
                instanced[0] = iargs[0]
                did = net.backend.run(arrays, instanced, rargs.reshape(-1), chunk)
                seconds = time.perf_counter() - t0
                if did < 0 or did > chunk:
                    raise RuntimeError(f"the backend reported {did} steps done of {chunk}")
                done += did
                pacer.record(did, seconds)
                progress.update(did)
                if did < chunk:
                    _collect_buffers(net.backend, arrays)
                    _grow_spike_buffers(arrays, counters, pending)
                    instanced = None
                if exchange is not None:
                    exchange.after(step0 + done)
                if finite is not None:
                    finite.after_chunk(step0 + done, seconds,
                                       last=done >= n_steps or interrupt.interrupted)
                if interrupt.interrupted:
                    break
        net.seconds_per_step = pacer.seconds_per_step
        finished = True
    finally:
        progress.close()
        try:
            _collect_buffers(net.backend, arrays)
            if exchange is not None:
                exchange.end()
            _hand_to_monitors(net, pending, arrays, counters, done)
        except Exception:
            if finished:        # else the error that stopped the run is the one to see
                raise
        net.step = step0 + done
    if interrupt.interrupted:
        raise KeyboardInterrupt(f"the run stopped at t = {net.t:g} ms, after {done} of "
                                f"{n_steps} steps; the state and the monitors hold those "
                                "steps, and net.run continues from there")


def lay_out(net, kernel: NetworkKernel, n_steps: int, capabilities=None) -> tuple:
    """``(arrays, iargs, rargs, pending)``: what a run of ``n_steps`` from ``net.step``
    passes to the backend (checked against the manifest; iargs without the instances'
    strides and seeds), and the monitors each buffer is handed to after it.  A standalone
    export (pyspike/export.py) writes the same arrays; ``capabilities``: the backend's
    (default: the network's)."""
    real = net.real
    K = net.K
    groups = net.groups
    arrays: List[np.ndarray] = [None] * kernel.n_slots
    counters = np.zeros((K, kernel.n_counters), dtype=np.int64)
    arrays[0] = counters
    iargs = np.zeros(kernel.n_iargs, dtype=np.int64)
    iargs[0], iargs[1] = net.step, net.seed
    synapses = net.synapses
    capabilities = capabilities or net.backend.capabilities
    rargs = _reals(net, kernel.manifest, capabilities.poisson_limit(real))
    state_mons = net.objects_of(StateMonitor)
    spike_mons = net.objects_of(SpikeMonitor)
    rate_mons = net.objects_of(PopulationRateMonitor)
    pending = []
    for gk in kernel.groups:
        g = groups[gk.index]
        owned = g.state.element_arrays()
        links = linked.index_arrays(g)          # (a linked variable's slot is its source's)
        for name, arr in gk.arrays.items():
            if name in links:
                arrays[arr.slot] = links[name]
            elif arr.role == "event":              # set anew in every step's update
                arrays[arr.slot] = np.zeros((K, gk.N), dtype=np.uint8)
            elif not is_linked(arr):
                arrays[arr.slot] = owned[name].reshape(K, -1)     # a view, also unbatched
        for _, arr in gk.run_arrays:
            arrays[arr.slot] = np.empty((K, gk.N), dtype=real)
        for ir in gk.state_monitors:
            mon = state_mons[ir.index]
            samples = mon.samples(net.step, n_steps)
            iargs[ir.stride] = len(samples)
            arrays[ir.index_slot] = mon.group_index
            for slot in ir.buffer_slots:
                arrays[slot] = np.zeros((K, ir.n_record * len(samples)), dtype=real)
            pending.append(("state", mon, ir, samples))
        for ev in gk.events:                        # custom events (codegen/events.py)
            arrays[ev.events.slot] = np.zeros((K, gk.N), dtype=np.int32)
        for ir in gk.spike_monitors + [m for ev in gk.events for m in ev.monitors]:
            mon = spike_mons[ir.index]
            cap = max(1024, _SPIKES_PER_NEURON * gk.N)
            arrays[ir.i_slot] = np.empty((K, cap), dtype=np.int32)
            arrays[ir.step_slot] = np.empty((K, cap), dtype=np.int64)
            for slot in ir.value_slots:
                arrays[slot] = np.empty((K, cap), dtype=real)
            counters[:, ir.capacity] = cap
            pending.append(("spike", mon, ir, None))
        for ir in gk.rate_monitors:
            arrays[ir.slot] = np.zeros((K, n_steps), dtype=np.int32)
            pending.append(("rate", rate_mons[ir.index], ir, None))
        if gk.spike_list is not None:
            arrays[gk.spike_list.slot] = np.zeros((K, gk.N), dtype=np.int32)
        for ta in gk.timed:
            values = g.model.functions[ta.name].table
            if ta.by_neuron and values.shape[1] < gk.N:
                raise ModelError(f"the TimedArray '{ta.name}' is read as {ta.name}(t, i) by "
                                 f"group '{g.name}' of {gk.N} neurons but has only "
                                 f"{values.shape[1]} columns", where=f"group '{g.name}'",
                                 symbol=ta.name)
            arrays[ta.slot] = np.ascontiguousarray(values, dtype=real).reshape(-1)
            iargs[ta.n_iarg], iargs[ta.m_iarg] = values.shape[0], values.shape[1]
        if gk.generator is not None:
            stamps, indices, offsets = g.given_steps(net.dt)
            arrays[gk.generator.step_slot] = stamps
            arrays[gk.generator.index_slot] = indices
            if offsets is None:                   # every instance reads every spike
                offsets = np.array([0, stamps.size] * K).reshape(K, 2)
            else:                                  # instance b reads its own part
                offsets = np.stack([offsets[:-1], offsets[1:]], axis=1)
            for b, (start, end) in enumerate(offsets):
                counters[b, gk.generator.position] = start + np.searchsorted(
                    stamps[start:end], net.step + 1)
                counters[b, gk.generator.count] = end
    for sk, (syn, pathway) in zip(kernel.synapses, pathways.owners(synapses)):
        lay_out_synapses(sk, syn, arrays, iargs, net.dt, real, K, pathway)
    for op in kernel.syn_operations:       # a Synapses' run_regularly: its sums' buffers
        for x in op.sums:
            size = kernel.synapses[op.synapses].n_post if x.over == "post" else 1
            arrays[x.slot] = np.zeros((K, size), dtype=real)
    check_arrays(kernel.manifest, arrays, iargs, rargs)
    return arrays, iargs, rargs, pending


def _reals(net, manifest: Manifest, poisson_limit: float) -> np.ndarray:
    """rargs: a row per instance of dt, the shared parameters, the TimedArrays' 1/dt and
    the PoissonInputs' means and weights, in the manifest's order."""
    K = net.K
    rargs = np.zeros((K, len(manifest.reals)), dtype=np.float64)
    for e in manifest.reals:
        owner = net.groups[e.index] if e.owner == "group" else \
            net.synapses[e.index] if e.owner == "synapses" else net
        if e.role == "dt":
            value = net.dt
        elif e.role == "timed_rate":
            value = 1.0 / owner.model.functions[e.name].dt
        elif e.role in ("input_mean", "input_weight"):
            what = e.role[len("input_"):]
            value = batching.column(owner.poisson_inputs[e.item].value(
                what, net.dt, poisson_limit), K, f"a PoissonInput's {what}")
        else:             # one value, or one per instance
            value = np.reshape(owner.state.params[e.name], -1)
        rargs[:, e.position] = value
    return rargs


def _collect_buffers(backend, arrays) -> None:
    """The monitor buffers and counters on the host (they stay on a GPU during a run)."""
    if backend.capabilities.resident_state:
        backend.collect(arrays)


def _hand_to_monitors(net, pending, arrays, counters, done: int) -> None:
    """What the monitors recorded in the ``done`` steps of this run."""
    K = net.K
    step0 = net.step
    unbatched = net.batch is None
    unordered = net.backend.capabilities.unordered_spikes
    for kind, mon, ir, samples in pending:
        if kind == "state":
            stride = len(samples)
            taken = int(np.searchsorted(samples, step0 + done))   # recorded in those steps
            data = {}
            for var, slot in zip(ir.variables, ir.buffer_slots):
                values = arrays[slot].reshape(K, ir.n_record, stride)[:, :, :taken].copy()
                data[var] = values[0] if unbatched else values
            mon.append(samples[:taken], data)
        elif kind == "spike":
            neurons, steps, values = [], [], {var: [] for var in ir.variables}
            for b in range(K):
                fill = counters[b, ir.fill]
                i = arrays[ir.i_slot][b, :fill].copy()
                step = arrays[ir.step_slot][b, :fill].copy()
                order = np.lexsort((i, step)) if unordered else slice(None)  # step, neuron
                neurons.append(i[order])
                steps.append(step[order])
                for var, slot in zip(ir.variables, ir.value_slots):
                    values[var].append(arrays[slot][b, :fill][order].copy())
            mon.append(neurons, steps, values)
        else:
            mon.append(arrays[ir.slot][0, :done].copy() if unbatched
                       else arrays[ir.slot][:, :done].copy(),
                       np.arange(step0, step0 + done, dtype=np.int64))


def _with_instances(iargs: np.ndarray, arrays, seeds: np.ndarray) -> np.ndarray:
    """iargs, then each slot's bytes from one instance to the next (0: shared), then the
    instances' seeds."""
    strides = np.array([a.strides[0] if a is not None and a.ndim == 2 else 0
                        for a in arrays], dtype=np.int64)
    return np.concatenate([iargs, strides, seeds.astype(np.int64)])


def _grow_spike_buffers(arrays, counters, pending) -> None:
    """Double the spike buffers that stopped the run, keeping what they hold."""
    for kind, mon, ir, _ in pending:
        if kind != "spike":
            continue
        cap = int(counters[0, ir.capacity])
        for slot in ir.record_slots:
            old = arrays[slot]
            bigger = np.empty((old.shape[0], 2 * cap + mon.group.N), dtype=old.dtype)
            bigger[:, :cap] = old
            arrays[slot] = bigger
        counters[:, ir.capacity] = 2 * cap + mon.group.N
