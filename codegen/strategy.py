"""Execution strategy: what a target does with the facts the spec gives about data.

The spec carries one fact for GPUs only: ``SynapsesSpec.bitmask``, that a connection is
dense enough (and has no pair twice) for a thread per target to test one bit per pair
(GeNN's bitmask strategy).  Only targets whose emitters use it may see it: for the others
(the C++ backend and the NumPy reference, which deliver events by rows) it is cleared at
codegen's door, so their code and its cache key do not depend on how dense a connection
is, and they are handed no array they do not read.  The CUDA emitter's other choices
(serial, atomic or per-target delivery, spike ordering) are made from the IR alone, in
render_cuda, and are invisible to the other targets.

>>> from pyspike.codegen.spec import NetworkSpec, SynapsesSpec
>>> s = SynapsesSpec("S", "P", "P", 0, 4, 0, 4, on_pre="v_post += 1", bitmask=True)
>>> spec = NetworkSpec(groups=(), synapses=(s,))
>>> [for_target(spec, t).synapses[0].bitmask for t in ("cuda", "cpp")]
[True, False]
"""
from __future__ import annotations

from dataclasses import replace

from .spec import NetworkSpec

#: Targets whose emitters deliver dense connections by testing bits.
BITMASK_TARGETS = frozenset({"cuda"})


def for_target(spec: NetworkSpec, target: str) -> NetworkSpec:
    """``spec`` with what ``target`` does not use cleared."""
    if target in BITMASK_TARGETS or not any(s.bitmask for s in spec.synapses):
        return spec
    return replace(spec, synapses=tuple(replace(s, bitmask=False) for s in spec.synapses))
