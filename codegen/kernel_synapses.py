"""Kernel variables of a Synapses object (``SynapsesSpec.kernel``): variables stored once
per element of a kernel that many synapses read, as a convolution's weights are one
kernel read at every position.  Each synapse has the number of its element in an int32
array (``SynapsesKernel.kernel_slot``, connectivity, per synapse), and reads the
variable there: ``p_w[p_kernel_index[_s]]``, not ``p_w[_s]``.  The values are one array
for all the instances of a batch and no compiled code writes them (synapses that share an
element would race), which this pass checks.

>>> from pyspike.codegen.spec import GroupSpec, NetworkSpec, SynapsesSpec
>>> from pyspike.codegen.kernels import build_network
>>> g = GroupSpec("g", 4, equations="dv/dt = -v/tau : 1", params=("tau",),
...               threshold="v > 1", reset="v = 0")
>>> s = SynapsesSpec("s", "g", "g", 0, 4, 0, 4, model="w : 1", on_pre="v_post += w",
...                  kernel=("w",))
>>> net = build_network(NetworkSpec(groups=(g,), synapses=(s,)))
>>> [(b.extent, b.per_instance) for b in net.manifest.buffers if b.name == "w"]
[('kernel', False)]
>>> net.synapses[0].access["w"].where
'kernel'
"""
from __future__ import annotations

from typing import Optional, Tuple

from .equations import EquationSet
from .errors import ModelError
from .ir import Access, Array, KernelIndex, SynapsesKernel
from .spec import SynapsesSpec


def kernel_variable(name: str, index: int, layout) -> Tuple[Array, Access]:
    """The array of a kernel variable (one value per element, one copy for all
    instances: its length is the size "kernel") and how synaptic code reads it."""
    array = Array(name, layout.slot("synapses", index, name, "real", "state", False,
                                    extent="kernel"), "real", "kernel")
    return array, Access(name, "kernel", slot=array.slot)


def kernel_index(s: SynapsesSpec, index: int, layout, owner: Optional[SynapsesKernel]
                 ) -> Optional[KernelIndex]:
    """Each synapse's element (int32, connectivity) and the kernel's size (an iarg); a
    further pathway (``owner``) reads its owner's; None without kernel variables."""
    if owner is not None:
        return owner.kernel
    if not s.kernel:
        return None
    return KernelIndex(layout.slot("synapses", index, "kernel_index", "int32",
                                   "connectivity", False, extent="synapses"),
                       layout.iarg("synapses", index, "kernel_size", "kernel"))


def check_kernel(s: SynapsesSpec, eqs: EquationSet, k: SynapsesKernel, where: str) -> None:
    """Each kernel name a plain synaptic variable (not a parameter, not an ODE's) that
    no pathway of ``k`` assigns."""
    for name in s.kernel:
        var = eqs.variables.get(name)
        if var is None or name in eqs.subexpressions or var.is_param:
            raise ModelError(f"{where} keep '{name}' in a kernel, which is not a variable "
                             "of theirs (declare it: 'w : 1')", where=where, symbol=name)
        if name in eqs.odes or name in s.shared:
            raise ModelError(f"{where} keep '{name}' in a kernel: it cannot also be "
                             + ("integrated" if name in eqs.odes else "shared"),
                             where=where, symbol=name)
    for path in k.paths():
        for a in path.code:
            if a.target.name in s.kernel:
                raise ModelError(f"{where} keep '{a.target.name}' in a kernel that many "
                                 "synapses read, so no synaptic code may change it",
                                 where=where, symbol=a.target.name)
