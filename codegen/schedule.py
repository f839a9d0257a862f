"""The schedule: the order in which a step runs a network's kernels, as data.

Every backend runs one step as the list of :class:`Call` entries that
:func:`build_schedule` returns, in order: the C++ loop calls them, the CUDA step graph
launches them, the NumPy reference interprets them.  No backend decides the order of a
step; a new kind of kernel is one entry here and one case per backend.

The phases of a step, in order (Brian2's ``when`` slots, and where MPI goes):

========== ============================================================================
start      Operation kernels (``run_regularly``), before anything reads the state
before     state monitors of synaptic variables record the step's start (hosted by
           groups), then (summed) variables and clock-driven synaptic equations, read by
           the update
update     each group: its state monitors record the step's start, then the update,
           threshold, reset and the spike list
exchange   nothing yet: where the ranks of a distributed network will swap spike lists
events     synaptic pathways of this step's spikes (on_pre, then on_post, per Synapses)
========== ============================================================================

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

__all__ = ["KINDS", "PHASES", "Call", "build_schedule"]

#: The phases of a step, in the order they run.
PHASES = ("start", "before", "update", "exchange", "events")

#: Kernel kinds: what a Call runs, and the object that owns it.
KINDS = {
    "operation": "group",        # net.operations[number], on the neurons of group `owner`
    "before": "synapses",        # the (summed) and clock-driven pathways of a Synapses
    "record": "group",           # state monitor `number` of the group's monitors (which
                                 # may record synaptic variables: codegen/monitors.py)
    "neurons": "group",          # update, threshold, reset, spikes (or given spikes)
    "pre": "synapses",           # on_pre events of this step's (or delayed) spikes
    "post": "synapses",          # on_post events of the postsynaptic spikes
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
    calls += [Call("start", "operation", op.group, n) for n, op in enumerate(operations)]
    calls += [Call("before", "record", g.index, k) for g in groups
              for k, m in enumerate(g.state_monitors) if m.synapses is not None]
    calls += [Call("before", "before", s.index) for s in synapses
              if s.clock_path is not None or s.summed_path is not None]
    for g in groups:
        calls += [Call("update", "record", g.index, k)
                  for k, m in enumerate(g.state_monitors) if m.synapses is None]
        calls.append(Call("update", "neurons", g.index))
    for s in synapses:
        calls += [Call("events", kind, s.index)
                  for kind, path in (("pre", s.pre_path), ("post", s.post_path))
                  if path is not None]
    order = {p: n for n, p in enumerate(PHASES)}
    assert [order[c.phase] for c in calls] == sorted(order[c.phase] for c in calls)
    return tuple(calls)
