"""Monitors as a lowering pass: what each StateMonitor, SpikeMonitor and
PopulationRateMonitor of a spec adds to the kernel of the group it watches.

A monitor lowers to buffers, counters and run arguments of its own (owner
``state_monitor``, ``spike_monitor`` or ``rate_monitor`` in the manifest) and a record in
the group's kernel that names them:

* a state monitor: an int32 index buffer (the recorded neurons, shared by a batch's
  instances), one real buffer per variable (``n_record`` x stride samples), a ``fill``
  counter (samples written in this run) and a ``stride`` iarg (samples allocated per
  neuron); one of a Synapses' variables (``StateMonitorSpec.synapses``) records synapses
  instead, from the kernel of their target group, and reads their arrays, whose slots
  the NetworkKernel fills in once the synapses are laid out (``ir.synaptic_sources``);
  ``when="end"`` moves its record after the step's synaptic events (``schedule.py``);
* a spike monitor: an int32 neuron buffer, an int64 step buffer, a real buffer per
  recorded variable (its value at the spike, before the reset), a ``fill`` and a
  ``capacity`` counter;
* a population rate monitor: an int32 spike count per step and a ``fill`` counter,
  counting the neurons ``[start, stop)`` of the group, or all of them.

Buffers are laid out kind by kind (state, spike, rate monitors), each kind in the spec's
order: the manifest's numbers depend on it.

>>> from pyspike.codegen.spec import GroupSpec, NetworkSpec, SpikeMonitorSpec
>>> from pyspike.codegen.kernels import build_network
>>> g = GroupSpec("g", 4, equations="dv/dt = -v/tau : 1", params=("tau",),
...               threshold="v > 1", reset="v = 0")
>>> net = build_network(NetworkSpec(groups=(g,), spike_monitors=(SpikeMonitorSpec("g"),)))
>>> mon = net.groups[0].spike_monitors[0]
>>> [net.manifest.buffers[s].dtype for s in (mon.i_slot, mon.step_slot)]
['int32', 'int64']
>>> [net.manifest.counters[c].name for c in (mon.fill, mon.capacity)]
['fill', 'capacity']
"""
from __future__ import annotations

from dataclasses import replace
from typing import Dict, List, Optional, Sequence

from .errors import ModelError
from .events import SPIKE_EVENT, event_number
from .ir import GroupKernel, RateMonitorIR, SpikeMonitorIR, StateMonitorIR
from .layout import Layout
from .schedule import check_when
from .spec import (NetworkSpec, RateMonitorSpec, SpikeMonitorSpec, StateMonitorSpec,
                   SynapsesSpec)


def add_monitors(spec: NetworkSpec, groups: List[GroupKernel],
                 layout: Layout) -> List[GroupKernel]:
    """The group kernels with every monitor of ``spec`` laid out now and given to the
    kernel of its group: the state monitors, then the spike monitors, then the rate
    monitors."""
    by_name = {g.name: g for g in groups}
    found: Dict[str, Dict[str, list]] = {g.name: {"state_monitors": [], "spike_monitors": [],
                                                  "rate_monitors": []} for g in groups}
    for k, mon in enumerate(spec.state_monitors):
        g = monitored(by_name, mon.group)
        found[g.name]["state_monitors"].append(state_monitor(mon, k, g, layout,
                                                             spec.synapses))
    by_event: Dict[tuple, list] = {}      # EventMonitors, by (group, event number)
    for k, mon in enumerate(spec.spike_monitors):
        g = monitored(by_name, mon.group)
        ir = spike_monitor(mon, k, layout, g)
        if mon.event == SPIKE_EVENT:
            found[g.name]["spike_monitors"].append(ir)
        else:
            by_event.setdefault((g.name, event_number(g, mon.event, "EventMonitor")),
                                []).append(ir)
    for k, mon in enumerate(spec.rate_monitors):
        found[monitored(by_name, mon.group).name]["rate_monitors"].append(
            rate_monitor(mon, k, layout))
    return [replace(g, **found[g.name], events=[
        replace(ev, monitors=by_event.get((g.name, n), [])) for n, ev in enumerate(g.events)])
        for g in groups]


def monitored(groups_by_name: Dict[str, GroupKernel], name: str) -> GroupKernel:
    """The kernel of the group a monitor watches; a group outside the network is refused.

    >>> try:
    ...     monitored({}, "exc")
    ... except ModelError as err:
    ...     print(err.where, err.symbol)
    monitor exc
    """
    if name not in groups_by_name:
        raise ModelError(f"the monitored group '{name}' is not part of the network",
                         where="monitor", symbol=name)
    return groups_by_name[name]


def state_monitor(mon: StateMonitorSpec, index: int, g: GroupKernel, layout: Layout,
                  synapses: Sequence[SynapsesSpec] = ()) -> StateMonitorIR:
    """State monitor ``index`` of ``g``: its variables must be the group's, or those of
    the Synapses it names (of ``synapses``; checked by ``ir.synaptic_sources``); its
    ``when`` places its record in the schedule (codegen/schedule.py)."""
    which = None
    if mon.synapses is None:
        _check_variables(mon.variables, g)
    else:
        which = next((k for k, s in enumerate(synapses) if s.name == mon.synapses), None)
        if which is None:
            raise ModelError(f"the monitored Synapses '{mon.synapses}' are not part of the "
                             "network", where="StateMonitor", symbol=mon.synapses)
    own = ("state_monitor", index)
    return StateMonitorIR(
        index, list(mon.variables),
        layout.slot(*own, "index", "int32", "record", False, extent=mon.n_record),
        [layout.slot(*own, v, "real", "record", extent=f"{mon.n_record}*samples")
         for v in mon.variables],
        layout.counter(*own, "fill", "fill"), layout.iarg(*own, "stride", "stride"),
        mon.every, mon.n_record, which, when=check_when(mon.when),
        order=mon.order)


def spike_monitor(mon: SpikeMonitorSpec, index: int, layout: Layout,
                  g: Optional[GroupKernel] = None) -> SpikeMonitorIR:
    """Spike monitor ``index``: the neuron and the step of every spike, how many were
    written into how much room, and a real buffer per recorded variable (``g``'s
    variables: their values at the spike, after the threshold and before the reset, as
    Brian2's SpikeMonitor records them in the thresholds slot).

    >>> from pyspike.codegen.spec import GroupSpec
    >>> from pyspike.codegen.kernels import build_network
    >>> g = GroupSpec("g", 4, equations="dv/dt = -v/tau : 1", params=("tau",),
    ...               threshold="v > 1", reset="v = 0")
    >>> k = build_network(NetworkSpec(groups=(g,))).groups[0]
    >>> spike_monitor(SpikeMonitorSpec("g", ("v",)), 0, Layout(), k).value_slots
    (3,)
    """
    own = ("spike_monitor", index)
    i_slot = layout.slot(*own, "i", "int32", "record", extent="capacity")
    step_slot = layout.slot(*own, "step", "int64", "record", extent="capacity")
    if mon.variables:
        _check_variables(mon.variables, g, "SpikeMonitor")
        if g.generator is not None:
            raise ModelError(f"SpikeMonitor cannot record variables of group '{g.name}': "
                             "its spikes are given, it has no state to record",
                             where="SpikeMonitor", symbol=mon.variables[0])
    # (the values' slots are named by the variable: "i" and "step" are reserved names)
    values = tuple(layout.slot(*own, v, "real", "record", extent="capacity")
                   for v in mon.variables)
    return SpikeMonitorIR(index, i_slot, step_slot, layout.counter(*own, "fill", "fill"),
                          layout.counter(*own, "capacity", "capacity"),
                          tuple(mon.variables), values)


def rate_monitor(mon: RateMonitorSpec, index: int, layout: Layout) -> RateMonitorIR:
    """Rate monitor ``index``: the spikes of its neurons counted at every step.

    >>> rate_monitor(RateMonitorSpec("g", 2, 5), 0, Layout()).neurons
    (2, 5)
    >>> rate_monitor(RateMonitorSpec("g"), 0, Layout()).neurons is None
    True
    """
    own = ("rate_monitor", index)
    return RateMonitorIR(index, layout.slot(*own, "count", "int32", "record", extent="steps"),
                         layout.counter(*own, "fill", "fill"),
                         None if mon.stop is None else (mon.start, mon.stop))


def _check_variables(variables: Sequence[str], g: GroupKernel,
                     who: str = "StateMonitor") -> None:
    known: List[str] = list(g.equations.variables)
    for var in variables:
        if var not in known:
            raise ModelError(f"{who} cannot record '{var}': group '{g.name}' has "
                             f"the variables {', '.join(known) or '(none)'}",
                             where=who, symbol=var)
