"""Execution strategy: how a target runs what the spec and the kernel IR describe.

**Facts for GPUs in the spec.**  The spec carries one fact for GPUs only:
``SynapsesSpec.bitmask``, that a connection is dense enough (and has no pair twice) for a
thread per target to test one bit per pair (GeNN's bitmask strategy).  Only targets whose
emitters use it may see it: for the others (the C++ backend and the NumPy reference, which
deliver events by rows) it is cleared at codegen's door (:func:`for_target`), so their code
and its cache key do not depend on how dense a connection is, and they are handed no array
they do not read.

>>> from pyspike.codegen.spec import GroupSpec, NetworkSpec, SynapsesSpec
>>> s = SynapsesSpec("S", "P", "P", 0, 4, 0, 4, on_pre="v_post += 1", bitmask=True)
>>> spec = NetworkSpec(groups=(), synapses=(s,))
>>> [for_target(spec, t).synapses[0].bitmask for t in ("cuda", "cpp")]
[True, False]

**The CUDA emitter's choices** are made here too, from the kernel IR alone, by one pure
pass, :func:`cuda_strategy`; ``render_cuda`` only lays out what it decided, and no other
target sees it.  Every neuron group is one fused kernel per step, a thread per neuron.  Each
synaptic pathway (on_pre, on_post, clock-driven equations, summed variables) runs in
parallel where that cannot change its result, in the first of these modes that applies:

* ``"target"``: on_pre of a dense (all-to-all) connection without per-synapse delays
  that writes no presynaptic variable and reads no neuron variable it writes under
  another name: a thread per postsynaptic neuron visits every spike, plain statements,
  no atomics at all;
* ``"bitmask"``: on_pre of a connection the spec marked dense enough: a thread per
  postsynaptic neuron tests one bit per pair (the IR then holds the bits);
* ``"parallel"``: clock-driven equations that write synaptic state only: a thread per
  synapse;
* ``"atomic"``: a pathway that writes neuron variables only by adding to them
  (:func:`accumulated`): a warp per spike over its row (a thread per synapse for
  clock-driven and summed pathways), the additions as atomics;
* ``"serial"``: otherwise, when an event writes a neuron variable in any other way than
  adding to it: one thread runs the C++ backend's loop unchanged.

When the clock-driven or the summed pathway of a Synapses object is serial, both run
together in one thread, as the C++ backend's ``before_groups`` (``before_serial``).

The warps of a group kernel append spikes in whatever order their atomics land, which is
all that atomic additions need.  Events that read the list in order (serial, a thread per
target or per bit, delays pushed into their ring) need it ascending, as the C++ backend
makes it: such a group's list is sorted after its step, with a bitmap of
``(K, ceil(N/32))`` words, each group's at its own offset of one scratch allocation.

>>> from pyspike.codegen.kernels import build_network
>>> g = GroupSpec("P", 40, equations="dv/dt = -v/(10.0) : 1", threshold="v > 1")
>>> dense = SynapsesSpec("D", "P", "P", 0, 40, 0, 40, on_pre="v_post += 0.5", dense=True)
>>> reset = SynapsesSpec("R", "P", "P", 0, 40, 0, 40, on_pre="v_post = 0")
>>> plan = cuda_strategy(build_network(NetworkSpec(groups=(g,), synapses=(dense, reset))))
>>> [s.path("pre").mode for s in plan.synapses]
['target', 'serial']
>>> plan.orders, plan.scratch_words
((SpikeOrder(group=0, offset=0, words=2),), 2)
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import AbstractSet, Dict, FrozenSet, List, Optional, Tuple

from .ir import GroupKernel, NetworkKernel, Pathway, SynapsesKernel
from .spec import NetworkSpec
from .synaptic import neuron_slot, reads_what_it_writes_elsewhere

#: Targets whose emitters deliver dense connections by testing bits.
BITMASK_TARGETS = frozenset({"cuda"})

#: The CUDA delivery modes of a synaptic pathway (the module docstring says what each is).
MODES = ("target", "bitmask", "parallel", "atomic", "serial")

#: Modes whose events read the presynaptic spike list in its order.
_READ_IN_ORDER = frozenset({"serial", "target", "bitmask"})


def for_target(spec: NetworkSpec, target: str) -> NetworkSpec:
    """``spec`` with what ``target`` does not use cleared."""
    if target in BITMASK_TARGETS or not any(s.bitmask for s in spec.synapses):
        return spec
    return replace(spec, synapses=tuple(replace(s, bitmask=False) for s in spec.synapses))


@dataclass(frozen=True)
class PathwayStrategy:
    """How one pathway of a Synapses object runs on the GPU."""
    kind: str                  # "pre" | "post" | "clock" | "summed" (Pathway.kind)
    mode: str                  # one of MODES
    # the neuron variables, as (where, name), whose additions are atomicAdds ("atomic")
    atomic_adds: FrozenSet[Tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class SynapsesStrategy:
    """How one Synapses object runs on the GPU."""
    paths: Tuple[PathwayStrategy, ...]   # in the order of SynapsesKernel.paths()
    before_serial: bool        # clock-driven and summed pathways in one thread, as in C++
    pre_ordered: bool          # the presynaptic spike list is ascending (sorted, or given)

    def path(self, kind: str) -> Optional[PathwayStrategy]:
        """The strategy of the pathway ``kind``, None if the object has none."""
        return next((p for p in self.paths if p.kind == kind), None)


@dataclass(frozen=True)
class SpikeOrder:
    """A group whose spike list is put in ascending order after its step."""
    group: int                 # index in NetworkKernel.groups
    offset: int                # its bitmap's first word in the scratch allocation
    words: int                 # words per instance: ceil(N/32)


@dataclass(frozen=True)
class CudaStrategy:
    """Every choice the CUDA emitter makes, decided from the IR (:func:`cuda_strategy`)."""
    synapses: Tuple[SynapsesStrategy, ...]   # one per NetworkKernel.synapses, in order
    orders: Tuple[SpikeOrder, ...]           # the groups ordered, by ascending index
    scratch_words: int                       # the bitmaps' scratch allocation, in words

    def order(self, group: int) -> Optional[SpikeOrder]:
        """The ordering of group ``group``'s spike list, None if left as appended."""
        return next((o for o in self.orders if o.group == group), None)


def cuda_strategy(net: NetworkKernel) -> CudaStrategy:
    """The CUDA emitter's choices for ``net``: each pathway's mode, the groups whose spike
    lists are ordered and their bitmaps' layout.  Pure: reads the IR, changes nothing."""
    modes = [tuple(_pathway(path, k) for path in k.paths()) for k in net.synapses]
    ordered = set()
    for k, paths in zip(net.synapses, modes):
        for p in paths:
            if (p.kind == "pre" and p.mode in _READ_IN_ORDER and k.event is None) or \
                    (p.kind == "post" and p.mode == "serial"):
                ordered.add(k.pre if p.kind == "pre" else k.post)
    orders: List[SpikeOrder] = []
    words = 0
    for index, g in enumerate(net.groups):
        if index in ordered and g.threshold is not None and g.spike_list is not None:
            orders.append(SpikeOrder(index, words, (g.N + 31) // 32))
            words += net.spec.batch * orders[-1].words
    sorted_groups = {o.group for o in orders}
    synapses = tuple(
        SynapsesStrategy(paths, _before_serial(paths),
                         k.event is not None      # (a custom event's list is ascending)
                         or _ascending(k.pre, net.groups[k.pre], sorted_groups))
        for k, paths in zip(net.synapses, modes))
    return CudaStrategy(synapses, tuple(orders), words)


def _pathway(path: Pathway, k: SynapsesKernel) -> PathwayStrategy:
    """The first mode of the module docstring's list that ``path`` allows."""
    adds = accumulated(path, k)
    writes_pre = any(k.access.get(a.target.name) is not None
                     and k.access[a.target.name].where == "pre" for a in path.code)
    if path.kind == "pre" and k.dense and k.delay != "per_synapse" and not writes_pre \
            and not reads_what_it_writes_elsewhere(path, k):
        return PathwayStrategy(path.kind, "target")
    if path.kind == "pre" and k.bitmask_slot is not None:
        return PathwayStrategy(path.kind, "bitmask")
    if path.kind == "clock" and adds == frozenset():
        return PathwayStrategy(path.kind, "parallel")
    if adds is not None:
        return PathwayStrategy(path.kind, "atomic", adds)
    return PathwayStrategy(path.kind, "serial")


def _before_serial(paths: Tuple[PathwayStrategy, ...]) -> bool:
    return any(p.kind in ("summed", "clock") and p.mode == "serial" for p in paths)


def _ascending(index: int, group: GroupKernel, sorted_groups: AbstractSet[int]) -> bool:
    """Whether a group's spike list is ascending: sorted after its step, or a generator's
    (which lists its given spikes in order)."""
    return index in sorted_groups or group.generator is not None


def accumulated(path: Pathway, k: SynapsesKernel) -> Optional[FrozenSet[Tuple[str, str]]]:
    """The neuron variables an event only adds to (``x += expr``, ``x`` read nowhere in
    it), as (where, name); None if it writes a neuron variable in any other way.  Events
    of such a pathway may run in parallel, the additions as atomics.  Reads and additions
    are compared by array, so that v_pre and v_post of a group connected to itself are
    one variable."""
    def key(name):
        a = k.access.get(name)
        return (a.where, a.name) if a is not None and a.where in ("pre", "post") else None

    read = {neuron_slot(k, s.name) for st in path.code for s in st.expr.free_symbols}
    added, other, added_slots = set(), set(), set()
    for st in path.code:
        target = key(st.target.name)
        if target is not None:
            (added if st.op in ("+=", "-=") else other).add(target)
            added_slots.add(neuron_slot(k, st.target.name))
    if other or (added_slots & read):
        return None
    return frozenset(added)


def operation_modes(net: NetworkKernel) -> Dict[int, str]:
    """How a GPU runs the sums per postsynaptic neuron of each Synapses' run_regularly
    (codegen/synaptic_operations.py), by the operation's number: ``"target"``, a thread
    per postsynaptic neuron walking its column of a dense block (the sums in the C++
    backend's order, no atomics), or ``"atomic"``, a thread per synapse adding its term
    (the synapses of a neuron are not at fixed places in sparse rows).  Sums over all the
    synapses and the statements always run a thread per synapse."""
    return {n: "target" if net.synapses[op.synapses].dense else "atomic"
            for n, op in enumerate(net.syn_operations)}
