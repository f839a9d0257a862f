"""What a network file keeps of a member beyond :mod:`pyspike.spaic.structure_io`'s own
entries: the neurons' positions (SPAIC's ``neuron_position``), which ``dist_depd``
connections read when they are made, so a loaded network can make them again.

A member entry gains ``position``: one list of coordinates per neuron, where the member
has positions (absent otherwise).  Connections keep ``syn_type`` and ``syn_kwargs``
(structure_io's connection entries).

>>> import numpy as np, pyspike.spaic as spaic
>>> g = spaic.NeuronGroup(2, model="lif")
>>> g.position = np.array([[0.0, 1.0], [2.0, 3.0]])
>>> member_extras(g)
{'position': [[0.0, 1.0], [2.0, 3.0]]}
"""
from __future__ import annotations

import numpy as np

from ..codegen.errors import ModelError


def _positions(obj):
    p = getattr(obj, "position", None)
    return None if p is None or np.size(p) == 0 else np.asarray(p, dtype=np.float64)


def member_extras(member) -> dict:
    """The entries a member's description gains (``position``, where it has them)."""
    p = _positions(member)
    return {} if p is None else {"position": p.tolist()}


def restore_member(obj, entry: dict, path=()):
    """``obj``, made from ``entry``, with its positions back; a malformed ``position``
    is refused naming the member."""
    given = entry.get("position")
    if given is None:
        return obj
    try:
        p = np.array(given, dtype=np.float64)
    except (TypeError, ValueError):
        p = None
    if p is None or p.ndim not in (1, 2) or p.shape[0] != obj.num or \
            not np.all(np.isfinite(p)):
        raise ModelError(f"the member '{'.'.join(path)}' of the file gives 'position' "
                         f"{given!r}: one row of finite coordinates per neuron ({obj.num} "
                         "rows) is expected", where="network_load", symbol="position")
    obj.position = p
    return obj
