"""Synaptic variables shared by the instances of a batch (``SynapsesSpec.shared``): one
array for all instances instead of one row each, laid out as connectivity is
(``per_instance=False``), so that K instances read one copy of, e.g., the weights of an
inference network.  Since the instances run in parallel, no compiled code may write such
a variable: this pass refuses any pathway statement that does.

>>> from pyspike.codegen.spec import GroupSpec, NetworkSpec, SynapsesSpec
>>> from pyspike.codegen.kernels import build_network
>>> g = GroupSpec("g", 4, equations="dv/dt = -v/tau : 1", params=("tau",),
...               threshold="v > 1", reset="v = 0")
>>> s = SynapsesSpec("s", "g", "g", 0, 4, 0, 4, model="w : 1", on_pre="v_post += w",
...                  shared=("w",))
>>> net = build_network(NetworkSpec(groups=(g,), synapses=(s,)))
>>> [b.per_instance for b in net.manifest.buffers if b.name == "w"]
[False]
"""
from __future__ import annotations

from .errors import ModelError
from .ir import SynapsesKernel
from .spec import SynapsesSpec


def refuse_shared_writes(s: SynapsesSpec, k: SynapsesKernel, where: str) -> None:
    """A ModelError if any pathway of ``k`` assigns a variable ``s`` shares."""
    for name in s.shared:
        if name not in k.arrays:
            raise ModelError(f"{where} share '{name}' across a batch, which is not a "
                             "per-synapse variable of theirs", where=where, symbol=name)
    for path in k.paths():
        for a in path.code:
            if a.target.name in s.shared:
                raise ModelError(f"{where} share '{a.target.name}' across the instances of "
                                 "a batch, so no synaptic code may change it (it is read "
                                 "by every instance at once)", where=where,
                                 symbol=a.target.name)
