"""Linked variables, as Brian2's: a model declares ``I : 1 (linked)``, a variable that is a
read-only view of another group's variable, and the group links it with
``G.I = linked_var(H, "x")``.

Without ``index=`` neuron i of G reads neuron i of H (groups of one size), H's only neuron
(H of one neuron: a common input), or H's one value (a shared parameter, or one not given
per neuron); ``index=`` (an int array, one source neuron per neuron of G) links any sizes,
and a slice of a group (``H[10:20]``) reads from its neurons.  Brian2's ``linked_var(H.x)``
cannot be written in pyspike, where ``H.x`` is a plain NumPy array: write
``linked_var(H, "x")``.

A linked variable may be read wherever the model reads its variables (equations,
subexpressions, threshold, reset, ``run_regularly``), never assigned.  Reading ``G.I``
from Python gives the current values through the link (a copy).  The link is structure:
the network's spec records the source, its variable and how each neuron reads it
(codegen/linked.py), so a new link rebuilds; the index array is runtime data.  Links are
kept here, by group, not in the groups' state tables: ``Network.store``/``restore`` keep
the links as they are, as they keep the model.

In a step, the linked variable holds the source's value as the group's kernel runs:
groups update in the order they joined the network, so a source made before its reader
has been updated in that step already (Brian2 orders its groups' updates by name).

>>> import pyspike as ps
>>> net = ps.Network(dt=0.1, backend="numpy")
>>> with net:
...     H = ps.NeuronGroup(1, ps.NeuronModel("dx/dt = 1/tau : 1", params={"tau": 1.0}))
...     G = ps.NeuronGroup(3, ps.NeuronModel("dv/dt = I/tau : 1\\nI : 1 (linked)",
...                                          params={"tau": 1.0}))
>>> G.I = ps.linked_var(H, "x")
>>> net.run(0.5)
>>> G.I, G.v.round(6)     # x after each update: 0.1, ..., 0.5; v sums 0.1 x of each
(array([0.5, 0.5, 0.5]), array([0.15, 0.15, 0.15]))
"""
from __future__ import annotations

import weakref
from typing import Dict, Mapping, Optional, Tuple

import numpy as np
import sympy as sp

from . import checks
from .codegen.equations import symbol
from .codegen.errors import ModelError
from .codegen.linked import index_name, refuse_writes
from .codegen.units import pretty
from .model import NeuronModel

__all__ = ["LinkedVariable", "index_arrays", "link", "linked_var", "readable", "spec_links",
           "values"]

#: The links of each group: variable -> LinkedVariable (a group that is gone takes its
#: links with it).
_LINKS: "weakref.WeakKeyDictionary[object, Dict[str, LinkedVariable]]" = \
    weakref.WeakKeyDictionary()


class LinkedVariable:
    """What :func:`linked_var` returns, for ``G.I = ...``: variable ``name`` of ``group``,
    and the source neuron of each reader (``index``, into ``group``), or None."""

    def __init__(self, group, name: str, index: Optional[np.ndarray], start: int = 0,
                 size: Optional[int] = None):
        self.group, self.name, self.index = group, name, index
        self.start = start                          # a slice of the group: where it starts
        self.size = group.N if size is None else size   # the neurons it links from

    def __repr__(self) -> str:
        return f"linked_var({self.group.name}, {self.name!r})"


def linked_var(group, name: Optional[str] = None, index=None) -> LinkedVariable:
    """A link to variable ``name`` of ``group`` (a NeuronGroup or a slice of one), for a
    variable declared ``(linked)``: ``G.I = linked_var(H, "x")``.  ``index``: for each
    neuron of the linked group, the neuron of ``group`` it reads (needed unless the groups
    have one size, ``group`` has one neuron, or the variable holds one value)."""
    where = "linked_var"
    if isinstance(group, np.ndarray):
        raise ModelError("linked_var takes the group and the variable's name, as in "
                         "linked_var(H, 'x'): H.x is a plain array in pyspike, which does not "
                         "know its group", where=where, symbol="group")
    parent = vars(group).get("group") if hasattr(group, "__dict__") else None
    base = group if parent is None else parent
    if not isinstance(getattr(base, "model", None), NeuronModel):
        raise ModelError(f"linked_var links to a variable of a NeuronGroup, not of "
                         f"{checks.show(group)}", where=where, symbol="group")
    model = base.model
    if not isinstance(name, str):
        raise ModelError(f"linked_var needs the name of the variable of group '{base.name}' "
                         f"to link to, as in linked_var({base.name}, 'x'), not "
                         f"{checks.show(name)}", where=where, symbol="name")
    if name in model.linked:
        raise ModelError(f"'{name}' of group '{base.name}' is itself a linked variable: link "
                         "to the variable it reads", where=where, symbol=name)
    if name not in model.variables and name not in model.param_names:
        raise ModelError(f"group '{base.name}' has no variable or parameter '{name}' to link "
                         f"to (it has {', '.join(model.variables + model.param_names)}); a "
                         "subexpression cannot be linked", where=where, symbol=name)
    size = len(group)
    if index is not None:
        index = _index(index, size, base.name)
    start = 0 if parent is None else vars(group)["start"]
    return LinkedVariable(base, name, index, start, size)


def _index(index, size: int, source: str) -> np.ndarray:
    """The index of a link: whole numbers in [0, size), one per neuron."""
    values = np.asarray(index)
    if values.ndim != 1 or values.dtype.kind not in "iu":
        raise ModelError(f"the index of a link must be a one-dimensional array of integers "
                         f"(the neuron of '{source}' each neuron reads), not "
                         f"{checks.show(index)}", where="linked_var", symbol="index")
    if values.size and (values.min() < 0 or values.max() >= size):
        raise ModelError(f"the index of a link names neurons outside the {size} of group "
                         f"'{source}' (from {values.min()} to {values.max()})",
                         where="linked_var", symbol="index")
    return values.astype(np.int64)


def link(group, name: str, value) -> None:
    """``group.name = value`` for a variable declared (linked)."""
    where = f"group '{group.name}'"
    if not isinstance(value, LinkedVariable):
        raise ModelError(f"'{name}' of group '{group.name}' is a linked variable, a view of "
                         f"another group's variable: link it, as in {group.name}.{name} = "
                         f"linked_var(H, 'x'); it cannot be set to {checks.show(value)}",
                         where=where, symbol=name)
    source = value.group
    if source is group:
        raise ModelError(f"'{name}' of group '{group.name}' cannot be linked to the group's "
                         f"own '{value.name}': write a subexpression '{name} = {value.name}'",
                         where=where, symbol=name)
    mine, theirs = group.model.dims.get(name), source.model.dims.get(value.name)
    if mine is not None and theirs is not None and mine != theirs:
        raise ModelError(f"'{name}' of group '{group.name}' is declared in {pretty(mine)}, "
                         f"but '{value.name}' of group '{source.name}' is in "
                         f"{pretty(theirs)}", where=where, symbol=name)
    index = value.index
    if index is not None and index.size != group.N:
        raise ModelError(f"the index of the link of '{name}' has {index.size} entries: it "
                         f"needs one for each of the {group.N} neurons of group "
                         f"'{group.name}'", where=where, symbol=name)
    if index is None and value.size != source.N and value.size in (1, group.N):
        # a slice of the source: its neurons, through an index
        index = np.zeros(group.N, np.int64) if value.size == 1 else np.arange(group.N)
    linked = LinkedVariable(source, value.name, None if index is None else
                            (index + value.start).astype(np.int32), size=value.size)
    _mode(group, name, linked)                 # (refuses sizes that need an index)
    _LINKS.setdefault(group, {})[name] = linked


def _mode(group, name: str, link: LinkedVariable) -> str:
    """How the neurons of ``group`` read the link (codegen/linked.py's modes)."""
    source = link.group
    if link.name in source.model.param_names and link.name not in source.state.per_element:
        return "shared"                        # the group's one value
    if link.index is not None:
        return "index"
    if link.size == group.N:
        return "same"
    if link.size == 1:
        return "one"
    raise ModelError(f"'{name}' of group '{group.name}' ({group.N} neurons) cannot read "
                     f"'{link.name}' of group '{source.name}' ({link.size} neurons) neuron "
                     f"for neuron: give the neuron each one reads, linked_var({source.name}, "
                     f"'{link.name}', index=...)", where=f"group '{group.name}'", symbol=name)


def _link(group, name: str) -> LinkedVariable:
    found = _LINKS.get(group, {}).get(name)
    if found is None:
        raise ModelError(f"the linked variable '{name}' of group '{group.name}' is not linked "
                         f"yet: set {group.name}.{name} = linked_var(H, 'x')",
                         where=f"group '{group.name}'", symbol=name)
    return found


def values(group, name: str) -> np.ndarray:
    """``group.name`` for a linked variable: the source's values through the link, in
    the group's shape (a copy)."""
    link = _link(group, name)
    source = np.asarray(getattr(link.group, link.name), dtype=float)
    mode = _mode(group, name, link)
    if mode == "index":
        source = source[..., link.index]
    elif mode == "one":
        source = source[..., :1]
    out = np.array(np.broadcast_to(source, group.shape))
    out.flags.writeable = False                # a view of another group: not set here
    return out


def spec_links(group) -> Tuple[Tuple[str, int, str, str], ...]:
    """``GroupSpec.linked`` of ``group``: a linked variable not linked, or linked to a
    group outside the network, is refused here, before any code is made."""
    out = []
    for name in group.model.linked:
        link = _link(group, name)
        source = link.group
        if source.network is None or source.network is not group.network:
            raise ModelError(f"'{name}' of group '{group.name}' is linked to '{link.name}' of "
                             f"group '{source.name}', which is not in this network: add it "
                             "too", where="Network", symbol=name)
        out.append((name, source.index, link.name, _mode(group, name, link)))
    return tuple(out)


def index_arrays(group) -> Dict[str, np.ndarray]:
    """The index array of each link of ``group`` that has one, by its name in the kernel
    IR (the runtime lays them out; shared by a batch's instances)."""
    return {index_name(n): link.index for n, link in _LINKS.get(group, {}).items()
            if link.index is not None}


def readable(group, names: Mapping[str, sp.Basic], code: str,
             where: str) -> Dict[str, sp.Basic]:
    """What the group's run_regularly ``code`` may read: ``names`` and the linked variables
    (a ModelError if it assigns one of them)."""
    refuse_writes(code, group.model.linked, where)
    return {**names, **{n: symbol(n) for n in group.model.linked}}
