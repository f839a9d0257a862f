"""Several pathways in one Synapses object (Brian2's ``on_pre={"pre": ..., "gpath":
...}``): each pathway after the first is a Synapses kernel of its own that shares the
first's state.

Such a kernel (a spec with ``shares`` naming the Synapses it belongs to) has the owner's
connectivity, per-synapse arrays and parameters, by the owner's slots and rargs, and lays
out only what is its own: the ring of its spikes in flight and its delay (each pathway
has its delay), on_post's columns.  It runs its one pathway's events and nothing else:
the clock-driven equations and (summed) variables are the owner's.  Event-driven
variables are brought up to date by whichever pathway reaches a synapse first (their
``_lastupdate`` is shared), as in Brian2.

>>> from pyspike.codegen.spec import GroupSpec, NetworkSpec, SynapsesSpec
>>> from pyspike.codegen.kernels import build_network
>>> g = GroupSpec("P", 4, equations="x : 1\\ny : 1")
>>> s = SynapsesSpec("S", "P", "P", 0, 4, 0, 4, model="w : 1", on_pre="x_post += w")
>>> extra = SynapsesSpec("S.gpath", "P", "P", 0, 4, 0, 4, model="w : 1",
...                      on_pre="y_post += w", shares="S")
>>> net = build_network(NetworkSpec(groups=(g,), synapses=(s, extra)))
>>> a, b = net.synapses
>>> b.access["w"].slot == a.arrays["w"].slot, b.row_slot == a.row_slot, b.arrays
(True, True, {})
"""
from __future__ import annotations

from typing import Dict, Tuple

from .equations import EquationSet
from .errors import ModelError
from .ir import Access, Array, SynapsesKernel
from .layout import Layout
from .spec import SynapsesSpec


def owner_of(s: SynapsesSpec, built: Dict[str, SynapsesKernel], where: str
             ) -> SynapsesKernel:
    """The kernel of the Synapses whose state the pathway ``s`` shares (built first)."""
    if s.shares not in built or built[s.shares].shares is not None:
        raise ModelError(f"{where} is a pathway of Synapses '{s.shares}', which are not part "
                         "of the network", where=where, symbol=s.shares)
    if s.post_synapses != built[s.shares].post_synapses:
        raise ValueError("a pathway targets what its Synapses target")
    return built[s.shares]


def shared_state(owner: SynapsesKernel, eqs: EquationSet, names, layout: Layout
                 ) -> Tuple[Dict[str, Array], Dict[str, Access]]:
    """No arrays of its own; the owner's for every synaptic name of ``eqs`` (and the hidden
    ``names`` such as ``_lastupdate`` that the owner keeps)."""
    access: Dict[str, Access] = {}
    for name in list(eqs.variables) + list(names):
        if name in owner.arrays:
            a = owner.arrays[name]                # (a kernel variable keeps its indexing)
            access[name] = Access(name, "kernel" if a.role == "kernel" else "syn",
                                  slot=a.slot)
        elif name in eqs.variables:      # a parameter shared by all synapses: a scalar
            access[name] = Access(name, "scalar",
                                  rarg=layout.find_rarg("synapses", owner.index, name))
    return {}, access
