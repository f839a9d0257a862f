"""Custom events as a lowering pass (Brian2's ``events={"gspike": "g > 1"}``,
``run_on_event``, ``EventMonitor`` and Synapses' ``on_event``).

An event's condition is evaluated in the group's update, with the threshold (on the
state after the step's integration), into a per-neuron uint8 flag, an array of role
``event``.  An event kernel (``ir.EventIR``, the schedule's ``event`` call right after the
group's step) then walks the neurons in order: each one whose flag is set joins the
event's list (ascending, read by the Synapses whose ``on_event`` names it), is recorded
by the event's monitors; the event's statements (``run_on_event``) run on that list
after the step's synaptic events and resets (the schedule's ``event_body`` call), in
Brian2's ``after_resets`` slot.  As in Brian2, an event ignores refractoriness unless its
condition says otherwise.

>>> from pyspike.codegen.spec import GroupSpec, NetworkSpec
>>> from pyspike.codegen.kernels import build_network
>>> g = GroupSpec("g", 4, equations="dv/dt = 1/tau : 1\\nc : 1", params=("tau",),
...               events=(("half", "v > 0.5", "c += 1"),))
>>> k = build_network(NetworkSpec(groups=(g,))).groups[0]
>>> ev = k.events[0]
>>> ev.name, ev.flag, k.arrays[ev.flag].role, [str(a.expr) for a in ev.body.code]
('half', '_event_half', 'event', ['c + 1'])
>>> [str(a.expr) for a in k.update.code if a.target.name == ev.flag]
['v > 0.5']
"""
from __future__ import annotations

from dataclasses import replace
from typing import Dict, List, Tuple

from .equations import EquationSet, symbol
from .errors import ModelError
from .expressions import IDENTIFIER, Context, parse_condition
from .ir import (Array, Assign, Block, EventIR, GroupKernel, SpikeList, SynapsesKernel,
                 loads_and_stores)
from .layout import Layout
from .spec import GroupSpec
from .statements import parse_statements

#: The event every group with a threshold has; a custom event may not be named so.
SPIKE_EVENT = "spike"


def flag_name(event: str) -> str:
    return f"_event_{event}"


def flags(g: GroupSpec, names, eqs: EquationSet, index: int, layout: Layout
          ) -> Tuple[Dict[str, Array], List[Assign]]:
    """The flag array of each event and the update's statements setting them."""
    arrays: Dict[str, Array] = {}
    out: List[Assign] = []
    for name, condition, _ in g.events:
        where = f"the condition of the event '{name}' of group '{g.name}'"
        if not IDENTIFIER.match(name) or name == SPIKE_EVENT:
            raise ModelError(f"an event's name must be a plain name other than 'spike', not "
                             f"{name!r}", where=f"group '{g.name}'", symbol=name)
        if g.generator:
            raise ModelError("a SpikeGeneratorGroup has no state for an event's condition",
                             where=f"group '{g.name}'", symbol=name)
        expr = parse_condition(condition, names, Context(where=where, line=condition,
                                                         lineno=1))
        flag = flag_name(name)
        arrays[flag] = Array(flag, layout.slot("group", index, flag, "uint8", "event",
                                               extent=g.N), "uint8", "event")
        out.append(Assign(symbol(flag), expr, "bool", declare=False))
    return arrays, out


def add_events(g: GroupSpec, k: GroupKernel, layout: Layout) -> GroupKernel:
    """``k`` with its events' kernels: each event's list (laid out now) and statements."""
    if not g.events:
        return k
    names = k.equations.names()
    targets = {v: symbol(v) for v, a in k.arrays.items() if a.role == "state"}
    arrays = {symbol(v): v for v, a in k.arrays.items() if a.role in ("state", "param")}
    out = []
    for name, _, code in g.events:
        where = f"run_on_event('{name}') of group '{g.name}'"
        sites: list = []
        stmts = [Assign(symbol(st.target), st.value(symbol(st.target)), declare=False)
                 for st in parse_statements(code, names, targets, where, sites)]
        if sites:
            raise ModelError(f"{where}: random numbers in an event's statements are not "
                             "supported; draw them in the model's equations instead",
                             where=where, symbol="rand")
        loads, stores = loads_and_stores(stmts, [], arrays)
        events = SpikeList(layout.slot("group", k.index, f"_events_{name}", "int32", "spikes",
                                       extent=k.N),
                           layout.counter("group", k.index, f"{name}_count", "spikes"))
        out.append(EventIR(name, flag_name(name), events, Block(loads, [], stmts, stores)))
    return replace(k, events=out)


def source_list(k: SynapsesKernel, pre: GroupKernel) -> SpikeList:
    """The list of presynaptic neurons whose events a Synapses kernel's on_pre runs for:
    ``pre``'s spikes, or the custom event its ``on_event`` names."""
    return pre.spike_list if k.event is None else pre.events[k.event].events


def event_number(k: GroupKernel, event: str, where: str):
    """The number of ``event`` among ``k``'s events (None: its spikes)."""
    if event == SPIKE_EVENT:
        return None
    for n, ev in enumerate(k.events):
        if ev.name == event:
            return n
    raise ModelError(f"{where} runs on the event '{event}' of group '{k.name}', which has "
                     f"the events {', '.join(['spike'] + [e.name for e in k.events])}",
                     where=where, symbol=event)
