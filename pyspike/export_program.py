"""What an exported network's standalone program does, as a description it reads at start:
``program.txt`` in the project's ``data/`` folder (see :mod:`pyspike.export`).

The compiled library takes numbered slots, entries and counters (its manifest,
:mod:`pyspike.codegen.layout`); this module says, slot by slot, where the program gets
each array, and names what it may change and what it writes:

- ``slot <k> <dtype> file <n>``: ``slot<k>.bin``, n elements as the runtime laid them out
  after build and initialisation (state, parameters per element, connectivity, rings of
  spikes in flight, given spikes, TimedArrays, recorded indices);
- ``slot <k> <dtype> zero <n>``: zeros at the start of every call's run (the arrays the
  runtime makes anew for each run: scratch, spike lists, event flags);
- ``slot <k> <dtype> capacity <m>``, ``samples <s> <n_record>``, ``steps``: monitor buffers,
  sized by the program for each run of the library (a spike monitor's capacity, a state
  monitor's samples per recorded element, a rate monitor's steps);
- ``param <object.name> rarg <position>`` or ``param <object.name> array <slot>``: what
  ``--set object.name=value`` changes (every element of an array): a parameter, or a
  state variable's value at the start;
- ``spikes <m> <fill> <capacity> <cap> <i_slot> <step_slot> <start> <stop> <N> <path>``: a
  spike or event monitor, written as SONATA spikes under ``path`` (neurons [start, stop) of
  its group of N); monitors with the same path are merged, as :func:`pyspike.save_results`
  does; its buffers start with ``cap`` entries and grow as the runtime's do;
- ``statemon <s> <every> <stride_iarg> <fill> <n_record> <index_slot>`` and ``report <s>
  <slot> <population> <variable> <units>``: a state monitor and its frame reports (units
  ``-``: none);
- ``generator <step_slot> <index_slot> <position> <count>``: given spikes (the program finds
  the next one for each run, as the runtime does);
- ``finite <slot> <group|synapses> <name> <variable>``: a state variable checked for inf
  and NaN after every call (``Network(check_finite=False)``: none).

Names are user text: they travel percent-encoded (``urllib.parse.quote``) in this data
file and never into C++ source.

>>> line("param", "exc.tau m", "rarg", 3)
'param exc.tau%20m rarg 3'
"""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple
from urllib.parse import quote

import numpy as np

from .codegen.errors import ModelError
from .codegen.ir import NetworkKernel
from .codegen.units import pretty
from .event_monitor import EventMonitor
from .finite import SYNAPSE_ALWAYS
from .model import neuron_dims
from .monitors import SpikeMonitor, StateMonitor
from . import pathways

#: The format of program.txt (main.cpp refuses another).
FORMAT = 1
#: Arrays the runtime makes anew, zeroed, for every run (codegen's roles).
FRESH_ROLES = ("scratch", "spikes", "event")
#: Sizes named in extents that the program chooses for each run of the library.
RUN_SIZES = ("samples", "capacity", "steps")
_WHERE = "Network.export"


def line(*tokens) -> str:
    """One record: its tokens, strings percent-encoded (no spaces, no newlines)."""
    return " ".join(quote(t, safe=".") if isinstance(t, str) else str(int(t))
                    for t in tokens)


def describe(net, kernel: NetworkKernel, arrays: List[np.ndarray], target: str,
             version: str) -> Tuple[List[str], Dict[int, np.ndarray]]:
    """The lines of program.txt, and the arrays to write as ``slot<k>.bin`` by slot."""
    manifest = kernel.manifest
    head = [line("pyspike-standalone", FORMAT), line("target", target),
            line("real", manifest.real), line("version", version),
            line("step", net.step), line("seed", net.seed),
            line("counts", len(manifest.buffers), len(manifest.ints),
                 len(manifest.reals), len(manifest.counters))]
    spikes, monitors = _spike_monitors(net, kernel, arrays)
    states, sampled = _state_monitors(net, kernel)
    files: Dict[int, np.ndarray] = {}
    slots = []
    for b in manifest.buffers[1:]:            # (slot 0, the counters: the program's)
        dtype = manifest.real if b.dtype == "real" else b.dtype
        run = [s for s in RUN_SIZES if s in b.extent]
        if run == ["capacity"]:
            slots.append(line("slot", b.slot, dtype, "capacity", monitors[b.index]))
        elif run == ["samples"]:
            per_sample = int(np.prod([int(f) for f in b.extent.split("*") if f.isdigit()]))
            slots.append(line("slot", b.slot, dtype, "samples", sampled[b.index],
                              per_sample))
        elif run == ["steps"]:
            slots.append(line("slot", b.slot, dtype, "steps"))
        elif run:
            raise ModelError(f"the standalone program cannot size the buffer '{b.name}' "
                             f"(extent {b.extent}); this is a pyspike bug", where=_WHERE)
        elif b.role in FRESH_ROLES:
            slots.append(line("slot", b.slot, dtype, "zero", arrays[b.slot].size))
        else:
            files[b.slot] = np.ascontiguousarray(arrays[b.slot]).reshape(-1)
            slots.append(line("slot", b.slot, dtype, "file", arrays[b.slot].size))
    generators = [line("generator", gk.generator.step_slot, gk.generator.index_slot,
                       gk.generator.position, gk.generator.count)
                  for gk in kernel.groups if gk.generator is not None]
    return (head + slots + _params(net, kernel) + spikes + states + generators
            + _finite(net, kernel) + [line("end")], files)


def _owner_name(net, owner: str, index: int) -> str:
    if owner == "group":
        return net.groups[index].name
    return pathways.owners(net.synapses)[index][0].name


def _finite(net, kernel: NetworkKernel) -> List[str]:
    """The state variables checked for inf and NaN after every call (as the runtime
    checks them, pyspike.finite): a group's always, a Synapses' where they are few."""
    if not net.check_finite:
        return []
    out = []
    for b in kernel.manifest.buffers:
        if b.role == "state" and b.dtype == "real" and not b.name.startswith("_") and (
                b.owner == "group" or (b.owner == "synapses"
                                       and (b.index, b.name) in _small(net, kernel))):
            out.append(line("finite", b.slot, b.owner, _owner_name(net, b.owner, b.index),
                            b.name))
    return out


def _small(net, kernel: NetworkKernel) -> set:
    """(synapses, variable) of the Synapses with at most SYNAPSE_ALWAYS synapses."""
    owners = pathways.owners(net.synapses)
    return {(k, name) for k, sk in enumerate(kernel.synapses) if owners[k][0].n <= SYNAPSE_ALWAYS
            for name in sk.arrays}


def _params(net, kernel: NetworkKernel) -> List[str]:
    """What ``--set`` may change: every parameter, shared (an rargs entry) or per element
    (an array), and every real state variable (an array: its value at the start of the
    run, as the command line's ``pyspike run --set``), by ``<group or synapses>.<name>``."""
    out = []
    for e in kernel.manifest.reals:
        if e.role == "param":
            out.append(line("param", f"{_owner_name(net, e.owner, e.index)}.{e.name}",
                            "rarg", e.position))
    for b in kernel.manifest.buffers:
        if b.role in ("param", "state") and b.owner in ("group", "synapses") \
                and b.dtype == "real" and not b.name.startswith("_"):
            out.append(line("param", f"{_owner_name(net, b.owner, b.index)}.{b.name}",
                            "array", b.slot))
    return out


def _spike_monitors(net, kernel: NetworkKernel, arrays) -> Tuple[List[str], Dict[int, int]]:
    """The ``spikes`` lines, and each spike monitor's number among them (by its index)."""
    mons = net.objects_of(SpikeMonitor)
    out, numbers = [], {}
    for gk in kernel.groups:
        for ir in gk.spike_monitors + [m for ev in gk.events for m in ev.monitors]:
            mon = mons[ir.index]
            start = int(getattr(mon.source, "start", 0))
            path = f"spikes/{_name(mon.group.name)}"
            if isinstance(mon, EventMonitor):
                path = f"events/{_name(mon.event)}/{_name(mon.group.name)}"
            numbers[ir.index] = len(out)
            out.append(line("spikes", len(out), ir.fill, ir.capacity,
                            arrays[ir.i_slot].shape[-1], ir.i_slot, ir.step_slot, start,
                            start + mon.source.N, mon.group.N, path))
    return out, numbers


def _state_monitors(net, kernel: NetworkKernel) -> Tuple[List[str], Dict[int, int]]:
    """The ``statemon`` and ``report`` lines, and each monitor's number among them."""
    mons = net.objects_of(StateMonitor)
    out, numbers, seen = [], {}, set()
    for gk in kernel.groups:
        for ir in gk.state_monitors:
            mon = mons[ir.index]
            s = numbers[ir.index] = len(numbers)
            out.append(line("statemon", s, ir.every, ir.stride, ir.fill, ir.n_record,
                            ir.index_slot))
            owner = mon.synapses if mon.synapses is not None else mon.group
            population = _name(owner.name)
            for var, slot in zip(ir.variables, ir.buffer_slots):
                if (population, var) in seen:
                    raise ModelError(f"two StateMonitors record '{var}' of '{population}': a "
                                     "results file holds one report per variable of a "
                                     "population; record it once", where=_WHERE, symbol=var)
                seen.add((population, var))
                out.append(line("report", s, slot, population, _name(var),
                                _units(mon, var) or "-"))
    return out, numbers


def _units(mon: StateMonitor, var: str) -> str:
    """The unit of a recorded variable where the model fixes it, else "" (as
    save_results writes it)."""
    dims = mon.synapses.dims if mon.synapses is not None else neuron_dims(mon.group)
    dim = dims.get(var)
    return "" if dim is None else pretty(dim)


def _name(name: str) -> str:
    """``name`` as an HDF5 group name of the results file."""
    if "/" in name or name in (".", ".."):
        raise ModelError(f"the name {name!r} cannot name a group of an HDF5 file (it holds "
                         "'/' or is '.' or '..'): rename it", where=_WHERE, symbol=name)
    return name


def refusal(net) -> Optional[str]:
    """Why ``net`` cannot run as a standalone program (one sentence), or None."""
    if net.batch is not None:
        return (f"a batched network (batch={net.batch}) cannot be exported yet: export one "
                "instance and give each run its parameters with --set and --seed")
    if net.operations:
        names = ", ".join(op.name for op in net.operations)
        return (f"the network operations ({names}) run Python between steps, which a "
                "standalone program cannot: express them as run_regularly statements, or "
                "run the network from Python")
    return None
