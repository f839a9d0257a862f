"""The schedule: the order in which a step runs a network's kernels, as data.

Every backend runs one step as the list of :class:`Call` entries that
:func:`build_schedule` returns, in order: the C++ loop calls them, the CUDA step graph
launches them, the NumPy reference interprets them.  No backend decides the order of a
step; a new kind of kernel is one entry here and one case per backend.

The phases of a step, in order (Brian2's ``when`` slots, and where MPI goes):

========== ============================================================================
start      state monitors made with ``order`` < 0 record, then the Operation kernels
           (``run_regularly``), before anything else reads the state
before     state monitors of synaptic variables record the step's start (hosted by
           groups), then the Synapses' run_regularly operations of ``when="start"``,
           then (summed) variables and clock-driven synaptic equations, read by the
           update
update     each group: its state monitors record the step's start, then the update,
           threshold, refractory clock and the spike list; then its custom events
exchange   nothing yet: where the ranks of a distributed network will swap spike lists
events     synaptic pathways of this step's spikes (on_pre, then on_post, per Synapses)
resets     each group's reset, on the neurons that spiked in the step (after the
           synaptic events, as Brian2's resets slot follows its synapses slot), then
           the custom events' statements (``run_on_event``) on their neurons, as
           Brian2 runs them in its ``after_resets`` slot
end        state monitors made with ``when="end"`` record the state the step leaves,
           then the Synapses' run_regularly operations of ``when="end"``
========== ============================================================================

A Synapses' ``run_regularly`` (codegen/synaptic_operations.py) writes only synaptic
variables; it runs where Brian2's default names put it among the objects of its slot:
``synapses_run_regularly`` after ``neurongroup_run_regularly`` and ``statemonitor``, so
after the group operations and the monitors of its slot (a monitor of ``w`` at "start"
records w before the operation changes it, as Brian2's does).

A StateMonitor's ``when=`` names the Brian2 slot it records in (:data:`WHEN`): "start"
(Brian2's default) records the state at t_n, after the ``run_regularly`` operations and
before any update, as Brian2 does (its operations of the same slot sort first by name);
"end" records the state after the step's update, threshold, synaptic events and reset,
the values at t_(n+1), and both stamp the sample t_n as Brian2 does (its clock advances
after the step).  Brian2's "groups", "thresholds", "synapses" and "resets" fall between
pyspike's fused neuron kernel (integration and threshold in one pass), the synaptic
events and the resets, so they are refused (:func:`check_when`).

``order=`` sorts a StateMonitor among the objects of its slot as Brian2 does: Brian2 runs
a slot's objects by ``order``, lower first, and breaks ties by name, which with its
default names puts a group's ``run_regularly`` (``neurongroup_run_regularly``) before a
``statemonitor``.  So at "start" a monitor of order 0 (the default) or more records after
the operations, which are of order 0, and one of order < 0 before them: the state before
this step's ``run_regularly`` statements, and (summed) variables as the previous step set
them (in "before"; Brian2 sums in its "groups" slot, so its monitors at "start" read
them so at any order).  Monitors only read, so their order among themselves changes
nothing, nor does order at "end", where only monitors run.
Python ``network_operation`` functions are called before the step's compiled kernels,
whatever the orders (pyspike/network_operation.py).

>>> from pyspike.codegen.spec import GroupSpec, NetworkSpec, StateMonitorSpec
>>> from pyspike.codegen.kernels import build_network
>>> g = GroupSpec("g", 4, equations="dv/dt = -v/tau : 1", params=("tau",),
...               operations=(("v = 0", 10),))
>>> net = build_network(NetworkSpec(groups=(g,), state_monitors=(
...     StateMonitorSpec("g", ("v",), 1),)))
>>> [str(c) for c in net.schedule]
['start: operation 0 of group 0', 'update: record 0 of group 0', 'update: neurons 0 of group 0']
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Tuple

from .errors import ModelError

__all__ = ["KINDS", "PHASES", "WHEN", "Call", "build_schedule", "check_when",
           "with_synaptic_operations"]

#: The phases of a step, in the order they run.
PHASES = ("start", "before", "update", "exchange", "events", "resets", "end")

#: Brian2's slots a StateMonitor records in (``when=``), and what it records there.
WHEN = {"start": "the state at the step's start (the default)",
        "end": "the state after the step's update, reset and synaptic events"}
#: Brian2's other slots: inside the fused neuron kernel.
_INSIDE = ("groups", "thresholds", "synapses", "resets")

#: Kernel kinds: what a Call runs, and the object that owns it.
KINDS = {
    "operation": "group",        # net.operations[number], on the neurons of group `owner`
    "before": "synapses",        # the (summed) and clock-driven pathways of a Synapses
    "record": "group",           # state monitor `number` of the group's monitors (which
                                 # may record synaptic variables: codegen/monitors.py)
    "neurons": "group",          # update, threshold, reset, spikes (or given spikes)
    "event": "group",            # custom event `number` of the group (events.py)
    "event_body": "group",       # its statements (run_on_event), after the resets
    "reset": "group",            # the user's reset, on the neurons that spiked this step
    "pre": "synapses",           # on_pre events of this step's (or delayed) spikes
    "post": "synapses",          # on_post events of the postsynaptic spikes
    "syn_operation": "synapses",  # net.syn_operations[number] (a Synapses' run_regularly)
}


@dataclass(frozen=True)
class Call:
    """One kernel of a step: ``kind`` of object ``owner`` (``number``: which one of the
    owner's kernels of that kind, or the operation's place in ``net.operations``)."""
    phase: str
    kind: str
    owner: int
    number: int = 0

    def __post_init__(self) -> None:
        if self.phase not in PHASES or self.kind not in KINDS:
            raise ValueError(f"no phase {self.phase!r} or kernel kind {self.kind!r}")

    def __str__(self) -> str:
        return f"{self.phase}: {self.kind} {self.number} of {KINDS[self.kind]} {self.owner}"


def build_schedule(groups, synapses, operations) -> Tuple[Call, ...]:
    """The calls of one step, in order, from a network's kernels (``ir.GroupKernel``,
    ``ir.SynapsesKernel`` and ``ir.Operation`` lists)."""
    calls: List[Call] = []
    early = sorted((m.order, g.index, k) for g in groups
                   for k, m in enumerate(g.state_monitors)
                   if m.when == "start" and m.order < 0)
    calls += [Call("start", "record", owner, k) for _, owner, k in early]
    calls += [Call("start", "operation", op.group, n) for n, op in enumerate(operations)]
    calls += [Call("before", "record", g.index, k) for g in groups
              for k, m in enumerate(g.state_monitors)
              if m.synapses is not None and m.when == "start" and m.order >= 0]
    calls += [Call("before", "before", s.index) for s in synapses
              if s.clock_path is not None or s.summed_path is not None]
    for g in groups:
        calls += [Call("update", "record", g.index, k)
                  for k, m in enumerate(g.state_monitors)
                  if m.synapses is None and m.when == "start" and m.order >= 0]
        calls.append(Call("update", "neurons", g.index))
        calls += [Call("update", "event", g.index, n) for n in range(len(g.events))]
    for s in synapses:
        calls += [Call("events", kind, s.index)
                  for kind, path in (("pre", s.pre_path), ("post", s.post_path))
                  if path is not None]
    calls += [Call("resets", "reset", g.index) for g in groups if g.reset.code]
    calls += [Call("resets", "event_body", g.index, n) for g in groups
              for n, ev in enumerate(g.events) if ev.body.code]
    calls += [Call("end", "record", g.index, k) for g in groups
              for k, m in enumerate(g.state_monitors) if m.when == "end"]
    order = {p: n for n, p in enumerate(PHASES)}
    assert [order[c.phase] for c in calls] == sorted(order[c.phase] for c in calls)
    return tuple(calls)


def with_synaptic_operations(calls: Tuple[Call, ...], syn_operations) -> Tuple[Call, ...]:
    """``calls`` with the Synapses' run_regularly (``SynapticOperation`` list) in their
    places: those of ``when="start"`` after the monitors of synaptic variables record and
    before the (summed) and clock-driven pathways, those of "end" last."""
    start = [Call("before", "syn_operation", op.synapses, n)
             for n, op in enumerate(syn_operations) if op.when == "start"]
    end = [Call("end", "syn_operation", op.synapses, n)
           for n, op in enumerate(syn_operations) if op.when == "end"]
    order = {p: n for n, p in enumerate(PHASES)}
    at = next((k for k, c in enumerate(calls) if order[c.phase] > order["before"]
               or (c.phase == "before" and c.kind == "before")), len(calls))
    return tuple(calls[:at]) + tuple(start) + tuple(calls[at:]) + tuple(end)


def check_when(when, where: str = "StateMonitor") -> str:
    """``when``, one of the Brian2 slots a StateMonitor records in (:data:`WHEN`); the
    others are refused, naming the supported ones.

    >>> check_when("end")
    'end'
    >>> try:
    ...     check_when("thresholds")
    ... except ModelError as err:
    ...     print(err.symbol)
    when
    """
    if isinstance(when, str) and when in WHEN:
        return when
    supported = "; ".join(f"'{w}': {what}" for w, what in WHEN.items())
    if isinstance(when, str) and when in _INSIDE:
        raise ModelError(f"StateMonitor cannot record in Brian2's slot when={when!r}: in "
                         "pyspike it falls inside the fused neuron kernel (integration, "
                         "threshold and reset in one pass, then the synaptic events). "
                         f"Supported: {supported}", where=where, symbol="when")
    raise ModelError(f"when must name a Brian2 slot a StateMonitor records in, not "
                     f"{when!r}. Supported: {supported}", where=where, symbol="when")
