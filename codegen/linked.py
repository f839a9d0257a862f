"""Brian2's linked variables as a lowering pass: ``I : 1 (linked)`` in a group's model
reads a variable of another group (``G.I = linked_var(H, "x")``), never stored.

The spec records each link (``GroupSpec.linked``: the variable, the source group, its
variable and how neuron i reads it); this pass, run once every group is built, gives the
variable an :class:`~ir.Array` on the *source's* slot, whose role says the read:

========== ============================ =================================================
mode       role                         neuron i reads
========== ============================ =================================================
same       ``linked``                   ``source[i]`` (groups of one size)
one        ``linked_one``               ``source[0]`` (a source of one neuron)
index      ``linked_index``             ``source[index[i]]``: an int32 array of the
                                        group's (role ``link_index``, named
                                        ``_<variable>_index``; the manifest's role
                                        ``linked``, shared by a batch's instances)
shared     (none: ``GroupKernel.shared``) the source's one value, a ``rargs`` entry
========== ============================ =================================================

A linked variable is a parameter of the model (:mod:`equations`): no reset, update,
``run_regularly`` or synapse may assign it.  Every backend finds the source's array of
its own instance, as the group's kernel runs: groups update in the order of the spec, so a
source made before its reader has been updated in the step already.

>>> from pyspike.codegen.spec import GroupSpec, NetworkSpec
>>> from pyspike.codegen.kernels import build_network
>>> H = GroupSpec("H", 1, equations="dx/dt = 1/tau : 1", params=("tau",))
>>> G = GroupSpec("G", 3, equations="dv/dt = I/tau : 1\\nI : 1 (linked)", params=("tau",),
...               linked=(("I", 0, "x", "one"),))
>>> net = build_network(NetworkSpec(groups=(H, G)))
>>> a = net.groups[1].arrays["I"]
>>> a.role, a.slot == net.groups[0].arrays["x"].slot, net.groups[1].update.loads
('linked_one', True, ['I', 'v'])
"""
from __future__ import annotations

from dataclasses import replace
from typing import Dict, List, Sequence

import sympy as sp

from .equations import EquationSet, symbol
from .errors import ModelError
from .ir import Array, Block, GroupKernel, Operation, SynapsesKernel
from .layout import Layout
from .spec import GroupSpec
from .statements import split_statements

#: The role of a linked variable's Array, by mode ("shared" has none: a scalar).
ROLES = {"same": "linked", "one": "linked_one", "index": "linked_index"}
MODES = tuple(ROLES) + ("shared",)
#: The role of the int32 index array of a link of mode "index".
INDEX = "link_index"


def index_name(name: str) -> str:
    """The name of the index array of linked variable ``name`` (no user name starts
    with '_')."""
    return f"_{name}_index"


def names(eqs: EquationSet) -> List[str]:
    """The model's variables declared (linked)."""
    return [n for n, v in eqs.variables.items() if "linked" in v.flags]


def symbols(eqs: EquationSet) -> Dict[sp.Symbol, str]:
    """The linked variables by symbol: what a block loads (kernels._finish)."""
    return {symbol(n): n for n in names(eqs)}


def is_linked(a: Array) -> bool:
    """Whether ``a`` is a linked variable's: its slot is the source group's."""
    return a.role in ROLES.values()


def link_groups(specs: Sequence[GroupSpec], groups: List[GroupKernel],
                layout: Layout) -> List[GroupKernel]:
    """The group kernels with every link of the specs resolved (see the module's doc):
    each linked variable reads its source's array or value, and a link of mode "index"
    lays out its index array (in the order of the groups and of their links)."""
    out = []
    for spec, k in zip(specs, groups):
        declared = names(k.equations)
        given = {var: (src, src_var, mode) for var, src, src_var, mode in spec.linked}
        missing = [v for v in declared if v not in given]
        if missing:
            raise ModelError(f"the linked variable '{missing[0]}' of group '{k.name}' is not "
                             f"linked: set it with {k.name}.{missing[0]} = linked_var(H, "
                             "'x') before running", where=f"group '{k.name}'",
                             symbol=missing[0])
        if not given:
            out.append(k)
            continue
        arrays, shared = dict(k.arrays), dict(k.shared)
        for var, (src, src_var, mode) in given.items():
            if var not in declared:
                raise ModelError(f"group '{k.name}' links '{var}', which its model does not "
                                 f"declare (linked), as in '{var} : 1 (linked)'",
                                 where=f"group '{k.name}'", symbol=var)
            source = _source(groups, src, k, var, src_var)
            if mode == "shared":
                if src_var not in source.shared:
                    raise _storage(k, var, source, src_var, "one value for the group")
                shared[var] = source.shared[src_var]
                continue
            if mode not in ROLES:
                raise ModelError(f"unknown mode {mode!r} of the link of '{var}' in group "
                                 f"'{k.name}': one of {', '.join(MODES)}",
                                 where=f"group '{k.name}'", symbol=var)
            if src_var not in source.arrays:
                raise _storage(k, var, source, src_var, "an array of one value per neuron")
            if mode == "same" and source.N != k.N:
                raise ModelError(f"'{var}' of group '{k.name}' ({k.N} neurons) reads "
                                 f"'{src_var}' of group '{source.name}' ({source.N} neurons) "
                                 "neuron for neuron: give an index", where=f"group '{k.name}'",
                                 symbol=var)
            arrays[var] = Array(var, source.arrays[src_var].slot, "real", ROLES[mode])
            if mode == "index":
                name = index_name(var)
                arrays[name] = Array(name, layout.slot("group", k.index, name, "int32",
                                                       "linked", False, extent=k.N),
                                     "int32", INDEX)
        scalars = [v for v in given if v in shared]
        out.append(replace(k, arrays=arrays, shared=shared,
                           update=_unloaded(k.update, scalars),
                           reset=_unloaded(k.reset, scalars),
                           on_spike=_unloaded(k.on_spike, scalars)))
    return out


def _source(groups: List[GroupKernel], src: int, k: GroupKernel, var: str,
            src_var: str) -> GroupKernel:
    """The group a link reads, which must have the variable ``src_var`` of its own."""
    where = f"group '{k.name}'"
    if not 0 <= src < len(groups):
        raise ModelError(f"'{var}' of group '{k.name}' is linked to a group outside the "
                         "network", where=where, symbol=var)
    source = groups[src]
    if source.index == k.index:
        raise ModelError(f"'{var}' of group '{k.name}' is linked to the group's own "
                         f"variable '{src_var}': write a subexpression '{var} = {src_var}'",
                         where=where, symbol=var)
    variable = source.equations.variables.get(src_var)
    if variable is None:
        raise ModelError(f"'{var}' of group '{k.name}' is linked to '{src_var}', which is not "
                         f"a variable or parameter of group '{source.name}'", where=where,
                         symbol=var)
    if "linked" in variable.flags:
        raise ModelError(f"'{var}' of group '{k.name}' is linked to '{src_var}' of group "
                         f"'{source.name}', itself a linked variable: link to the variable "
                         "it reads", where=where, symbol=var)
    return source


def _storage(k: GroupKernel, var: str, source: GroupKernel, src_var: str,
             wanted: str) -> ModelError:
    return ModelError(f"the link of '{var}' in group '{k.name}' expects '{src_var}' of group "
                      f"'{source.name}' as {wanted}, which it is not", where=f"group "
                      f"'{k.name}'", symbol=var)


def _unloaded(block: Block, scalars: List[str]) -> Block:
    """``block`` without the loads of the linked variables that read one value (they are
    the group's scalars, as its shared parameters are)."""
    if not any(n in block.loads for n in scalars):
        return block
    return replace(block, loads=[n for n in block.loads if n not in scalars])


def operation_loads(operations: List[Operation],
                    groups: List[GroupKernel]) -> List[Operation]:
    """The operations (``run_regularly``) with the linked variables they read loaded."""
    out = []
    for op in operations:
        k = groups[op.group]
        linked = {symbol(n): n for n, a in k.arrays.items() if is_linked(a)}
        read = sorted({linked[s] for a in op.body.code for s in a.expr.free_symbols
                       if s in linked} - set(op.body.loads))
        out.append(replace(op, body=replace(op.body, loads=op.body.loads + read))
                   if read else op)
    return out


def check_synapses(synapses: List[SynapsesKernel], groups: List[GroupKernel]) -> None:
    """Synapses read a neuron's variable at the neuron's index: of a linked variable only
    where that is the source's too (mode "same"; "shared" is a scalar)."""
    for sk in synapses:
        for a in sk.access.values():
            if a.where not in ("pre", "post") or (a.where == "post" and sk.post_synapses):
                continue
            g = groups[sk.pre if a.where == "pre" else sk.post]
            array = g.arrays.get(a.name)
            if array is not None and is_linked(array) and array.role != ROLES["same"]:
                raise ModelError(f"Synapses '{sk.name}' read the linked variable '{a.name}' "
                                 f"of group '{g.name}', which reads another group's neurons "
                                 "through an index: synapses read linked variables of groups "
                                 "linked neuron for neuron only", where=f"Synapses "
                                 f"'{sk.name}'", symbol=a.name)


def refuse_writes(text: str, linked: Sequence[str], where: str) -> None:
    """A ModelError if the statements ``text`` (a reset, run_regularly) assign one of the
    ``linked`` variables: they are views of another group's variable."""
    for _, part in split_statements(text):
        target = part.split("=", 1)[0].strip().rstrip("+-*/").strip()
        if target in linked:
            raise ModelError(f"'{target}' is a linked variable, a view of another group's "
                             f"variable: {where} cannot assign it (assign the variable it "
                             "reads, in its own group)", where=where, symbol=target)
