"""Connection: SPAIC-style shorthand for the common case of weighted synapses."""
from __future__ import annotations

from typing import Optional

import numpy as np

from .codegen.errors import ModelError
from .codegen.units import unit_text
from . import checks
from .group import as_range
from .synapses import Synapses

LINK_TYPES = ("full", "sparse", "one_to_one")


class Connection(Synapses):
    """Weighted synapses that add ``w`` to the postsynaptic ``post_var`` for every
    presynaptic spike: ``Synapses(pre, post, model="w : <unit>", on_pre="<post_var>_post +=
    w")`` with ``w`` in the unit of ``post_var`` (default ``I``, or SPAIC's ``Isyn``),
    connected by ``link_type``:

    - ``"full"``: all-to-all (stored densely);
    - ``"sparse"``: each pair with probability ``p`` (default 0.1);
    - ``"one_to_one"``: neuron k to neuron k (pre and post of equal size).

    ``weight`` is a number, one value per synapse, or an expression string (``"rand()"``);
    ``delay`` (ms) a number or one value per synapse.

    >>> import pyspike as ps
    >>> m = ps.NeuronModel("dv/dt = -v/tau + I : mV\\nI : mV/ms", params={"tau": 10.0})
    >>> net = ps.Network(dt=0.1, seed=1, backend="numpy")
    >>> with net:
    ...     A, B = ps.NeuronGroup(4, m), ps.NeuronGroup(4, m)
    ...     C = ps.Connection(A, B, link_type="one_to_one", weight=0.5, post_var="I")
    >>> C.n, C.w
    (4, array([0.5, 0.5, 0.5, 0.5]))
    """

    def __init__(self, pre, post, link_type: str = "full", weight=1.0,
                 post_var: Optional[str] = None, p: float = 0.1,
                 delay: Optional[float] = None, name: Optional[str] = None):
        if not isinstance(link_type, str) or link_type not in LINK_TYPES:
            raise ModelError(f"unknown link_type {checks.show(link_type)}: choose one of "
                             + ", ".join(LINK_TYPES), where="Connection",
                             symbol=checks.label(link_type))
        # checked before the Synapses exist, so that a refused Connection joins no network
        sizes = [as_range(g, "Connection")[1] for g in (pre, post)]
        if link_type == "one_to_one" and sizes[0][1] - sizes[0][0] != sizes[1][1] - sizes[1][0]:
            raise ModelError(f"one_to_one needs groups of equal size, not "
                             f"{sizes[0][1] - sizes[0][0]} and {sizes[1][1] - sizes[1][0]}",
                             where="Connection")
        target = _target_variable(as_range(post, "Connection")[0], post_var)
        p = checks.probability(p, "p", "Connection")
        # The event code is built from the model's own name for the variable (found by
        # equality in the list the model declares), never from the text given: whatever
        # post_var held, on_pre is one statement adding w to one declared variable.
        delay = checks.unitless(delay, "delay", "Connection", "ms")
        shared = delay is None or isinstance(delay, (str, bool, np.bool_)) \
            or checks.is_number(delay)                 # else one delay per synapse
        # w has the unit of the variable it adds to (text made from the model's dimension)
        dim = as_range(post, "Connection")[0].model.dims.get(target)
        super().__init__(pre, post, model="w : " + ("1" if dim is None else unit_text(dim)),
                         on_pre=target + "_post += w",
                         delay=delay if shared else None, name=name)
        try:
            if link_type == "full":
                self.connect()
            elif link_type == "sparse":
                self.connect(p=p)
            else:
                self.connect(j="i")
            self.__dict__["link_type"] = link_type
            self.w = weight
            if not shared:
                self.delay = delay
        except ModelError:
            if self.network is not None:     # a refused Connection joins no network
                self.network.objects[:] = [o for o in self.network.objects if o is not self]
            raise


def _target_variable(group, post_var) -> str:
    """The postsynaptic group's own name for ``post_var``: one of its declared variables
    (by default ``I``, or SPAIC's ``Isyn`` in a model that has it and no ``I``)."""
    declared = list(group.model.variables)
    if post_var is None:
        post_var = "Isyn" if "Isyn" in declared and "I" not in declared else "I"
    for name in declared:
        if isinstance(post_var, str) and name == post_var:
            return name
    raise ModelError(f"post_var must be a variable of group '{group.name}' ("
                     f"{', '.join(declared) or 'it has none'}), not {checks.show(post_var)}",
                     where="Connection", symbol="post_var")
