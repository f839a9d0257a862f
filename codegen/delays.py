"""Synaptic delays as a lowering pass: what a delayed ``on_pre`` adds to a Synapses
kernel.

A delay (``SynapsesSpec.delay`` "shared" or "per_synapse") lowers to a ring of the spikes
in flight, :class:`~pyspike.codegen.ir.Ring`: the presynaptic spikes of the last R steps
(R, the ``ring_length`` iarg, is the longest delay in steps plus one), each step's spikes
in ring slot ``step % R``, with the step each slot holds and its count.  The ring's three
buffers are per instance (each instance of a batch has its own spikes in flight).  Then:

* a delay shared by all synapses: its length in steps, the ``delay_steps`` iarg: the
  spikes of the slot that many steps back reach every synapse of their rows;
* a delay per synapse: a :class:`~pyspike.codegen.ir.DelayOrder`, each row's synapses
  sorted by delay (``delay_order``) and where each (row, delay) starts in that order
  (``delay_start``), so that a ring slot's spikes reach only the synapses of their delay.
  Both are connectivity, shared by a batch's instances.  Where no row holds more than
  65,536 synapses (``SynapsesSpec.short_rows``), the order keeps each synapse's place in
  its row (2 bytes) instead of its number (4): the synapse is row start + place.

Without a delay, or without ``on_pre`` code, there is nothing to add: ``on_post`` and the
clock-driven equations are not delayed.  The buffers are laid out in this order (ring,
then the delay), right after the pathway's own and before the bitmask and on_post's
columns.

>>> from pyspike.codegen.spec import GroupSpec, NetworkSpec, SynapsesSpec
>>> from pyspike.codegen.kernels import build_network
>>> g = GroupSpec("P", 10, equations="dv/dt = -v/tau : 1\\nge : 1", params=("tau",))
>>> s = SynapsesSpec("S", "P", "P", 0, 10, 0, 10, model="w : 1", on_pre="ge_post += w",
...                  delay="per_synapse")
>>> net = build_network(NetworkSpec(groups=(g,), synapses=(s,)))
>>> k = net.synapses[0]
>>> [net.manifest.buffers[n].name for n in (k.ring.spikes_slot, k.delay_order.order_slot)]
['ring_spikes', 'delay_order']
>>> k.delay_steps_iarg is None
True
"""
from __future__ import annotations

from dataclasses import replace

from .ir import DelayOrder, Ring, SynapsesKernel
from .layout import Layout

#: The kinds of delay a Synapses spec may have.
DELAYS = ("none", "shared", "per_synapse")


def add_delays(k: SynapsesKernel, layout: Layout, short_rows: bool = False
               ) -> SynapsesKernel:
    """``k`` with the ring of its delayed on_pre and its delay (in steps, or the order of
    the synapses by delay: their places within rows of at most 65,536 synapses where
    ``short_rows``), laid out now; ``k`` itself without a delay or on_pre code."""
    if k.pre_path is None or k.delay == "none":
        return k
    if k.delay not in DELAYS:
        raise ValueError(f"unknown delay kind {k.delay!r}: expected one of {DELAYS}")
    k = replace(k, ring=ring(k.index, k.n_pre, layout))
    if k.delay == "shared":
        return replace(k, delay_steps_iarg=layout.iarg("synapses", k.index, "delay_steps",
                                                       "delays"))
    return replace(k, delay_order=delay_order(k.index, k.n_pre, layout, short_rows))


def ring(index: int, n_pre: int, layout: Layout) -> Ring:
    """The ring of the spikes in flight of Synapses ``index``: its length (an iarg) and
    its three buffers, per instance (``n_pre``: its presynaptic neurons).

    >>> layout = Layout()
    >>> r = ring(0, 30, layout)
    >>> m = layout.manifest("double", 2)
    >>> [(m.buffers[s].name, m.buffers[s].dtype, m.buffers[s].per_instance)
    ...  for s in (r.spikes_slot, r.step_slot, r.count_slot)]
    [('ring_spikes', 'int32', True), ('ring_step', 'int64', True), ('ring_count', 'int32', True)]
    """
    return Ring(layout.iarg("synapses", index, "ring_length", "ring"),
                layout.slot("synapses", index, "ring_spikes", "int32", "ring", True,
                            extent=f"ring*{n_pre}"),
                layout.slot("synapses", index, "ring_step", "int64", "ring", True,
                            extent="ring"),
                layout.slot("synapses", index, "ring_count", "int32", "ring", True,
                            extent="ring"))


def delay_order(index: int, n_pre: int, layout: Layout, in_row: bool = False) -> DelayOrder:
    """The synapses of Synapses ``index`` sorted by (row, delay), and where each
    (row, delay) starts: connectivity, shared by a batch's instances.  ``in_row``: each
    synapse by its place in its row (2 bytes, where no row holds more than 65,536), not
    by its number (4)."""
    return DelayOrder(layout.slot("synapses", index, "delay_order",
                                  "uint16" if in_row else "int32", "delays", False,
                                  extent="synapses"),
                      layout.slot("synapses", index, "delay_start", "int32", "delays", False,
                                  extent=f"{n_pre}*ring+1"), in_row)
