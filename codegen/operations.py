"""run_regularly -> generic Operation kernels: statements on every neuron of a group,
every k steps, at the start of the step.

This is a lowering pass: it adds kernels to the network's IR and nothing else.  No
renderer, template or backend knows about ``run_regularly``; they run Operation kernels
(:class:`ir.Operation`), whatever made them.

>>> from pyspike.codegen.spec import GroupSpec, NetworkSpec
>>> from pyspike.codegen.kernels import build_network
>>> g = GroupSpec("g", 4, equations="dv/dt = -v/tau : 1", params=("tau",),
...               operations=(("v = 2*v + rand()", 10),))
>>> op = build_network(NetworkSpec(groups=(g,))).operations[0]
>>> op.every, op.body.loads, op.body.stores, [str(a.expr) for a in op.body.code]
(10, ['v'], ['v'], ['_rand0 + 2*v'])
"""
from __future__ import annotations

from typing import List

from . import streams
from .equations import symbol
from .ir import Assign, Block, GroupKernel, Operation, loads_and_stores, statement_draws
from .refractoriness import NOT_REFRACTORY, conditional_write
from .spec import GroupSpec
from .statements import parse_statements


def build_operations(specs, groups: List[GroupKernel]) -> List[Operation]:
    """The Operation kernels of every group's run_regularly statements, in the order the
    groups and their statements were given (the order they run in)."""
    out: List[Operation] = []
    for g, k in zip(specs, groups):
        for n, (code, every) in enumerate(g.operations):
            out.append(_operation(g, k, n, code, every, f"op{len(out)}"))
    return out


def _operation(g: GroupSpec, k: GroupKernel, n: int, code: str, every: int,
               name: str) -> Operation:
    where = f"run_regularly number {n} of group '{g.name}'"
    names = k.equations.names()
    # what the statements may change: the group's per-neuron arrays of its own variables
    targets = {v: symbol(v) for v, a in k.arrays.items() if a.role == "state"}
    sites: list = []
    statements = parse_statements(code, names, targets, where, sites)
    # a variable held (unless refractory) is written only where not refractory (Brian2)
    held = k.equations.unless_refractory if "not_refractory" in k.arrays else set()
    stmts = [Assign(symbol(st.target), conditional_write(
        st.value(symbol(st.target)), symbol(st.target), "=", NOT_REFRACTORY)
        if st.target in held else st.value(symbol(st.target)), declare=False)
        for st in statements]
    stmts, draws = statement_draws(stmts, lambda site: streams.operation(k.index, n, site))
    arrays = {symbol(v): v for v, a in k.arrays.items() if a.role in ("state", "param")}
    if held:
        arrays[NOT_REFRACTORY] = "not_refractory"
    loads, stores = loads_and_stores(stmts, [], arrays)
    return Operation(name, k.index, "start", every, Block(loads, draws, stmts, stores))
