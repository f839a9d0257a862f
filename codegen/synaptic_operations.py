"""Synapses' ``run_regularly`` -> SynapticOperation kernels: statements on every synapse
of a Synapses object, every k steps, at the start or the end of the step, after the sums
the statements read, each over the synapses of one postsynaptic neuron or over all the
synapses.

This is a lowering pass: it adds kernels to the network's IR and nothing else.  The
renderers and the reference run :class:`SynapticOperation` kernels whatever made them:
the sums first (each synapse adds its term to its postsynaptic neuron's sum, in storage
order, or to the one sum of them all), then the statements on every synapse, each of
which writes only its own synaptic variables (so that the synapses may run in any order,
or in parallel).

A sum's name says what it sums over: ``total_post`` one value per postsynaptic neuron
(the synapses that end on it), ``total`` one value for all the synapses.  Sums read the
state as the step left it so far, and never another sum.

>>> from pyspike.codegen.spec import GroupSpec, NetworkSpec, SynapsesSpec
>>> from pyspike.codegen.kernels import build_network
>>> g = GroupSpec("P", 3, equations="v : 1")
>>> s = SynapsesSpec("S", "P", "P", 0, 3, 0, 3, model="w : 1", params=("c",),
...                  operations=(("w = c*w/total_post", (("total_post", "abs(w)"),),
...                               "start", 1),))
>>> op = build_network(NetworkSpec(groups=(g,), synapses=(s,))).syn_operations[0]
>>> [(x.name, x.over, str(x.expr)) for x in op.sums], [str(a.expr) for a in op.body.code]
([('total_post', 'post', 'Abs(w)')], ['c*w/total_post'])
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Dict, List, Mapping, Sequence, Tuple

import sympy as sp

from . import streams
from .equations import DT, T, symbol
from .errors import ModelError
from .expressions import Context, Rand, Randn, check_identifier, parse_expression
from .ir import Access, Assign, Block, GroupKernel, SynapsesKernel, statement_draws
from .spec import NetworkSpec, SynapsesSpec
from .statements import Statement, parse_statements
from .synapse_target import group_side
from .synaptic import POST_INDEX, PRE_INDEX, aliases, check_code

#: Where an operation runs in the step (codegen/schedule.py places it).
WHEN = ("start", "end")


@dataclass(frozen=True)
class Sum:
    """A sum the statements read: ``expr`` summed over the synapses of each postsynaptic
    neuron (``over`` "post": a buffer of n_post values) or over all of them ("all": one)."""
    name: str
    over: str
    slot: int                  # real, per instance
    expr: sp.Basic


@dataclass(frozen=True)
class SynapticOperation:
    """Statements on every synapse of Synapses ``synapses``, every ``every`` steps, at the
    ``when`` of the step, after the sums (their loads: ``sum_loads``); ``access`` says
    where every name they read or write lives (syn, pre, post, scalar, sum_post,
    sum_all); the operation is skipped while rargs[``active``] is 0.  ``ahead``: its sums
    are all per postsynaptic neuron and read only synaptic variables that nothing but its
    statements writes (and constants), so that a loop over the synapses may add the next
    invocation's sums while it runs the statements (a pass over the synapses fewer)."""
    name: str                  # sop0, sop1, ... (numbered per network)
    synapses: int
    when: str
    every: int
    sums: List[Sum]
    sum_loads: List[str]
    body: Block
    access: Dict[str, Access]
    active: int
    ahead: bool = False


def split_sums(sums: Sequence[Tuple[str, str]], where: str) -> List[Tuple[str, str]]:
    """``(name, over)`` of each sum, its name checked: ``x_post`` sums per postsynaptic
    neuron, a plain name over all the synapses."""
    out = []
    for name, _ in sums:
        check_identifier(name, Context(where=where, line=name), "name of a sum")
        if name.endswith("_pre"):
            raise ModelError(f"{where}: the sum '{name}' would be one per presynaptic "
                             "neuron, which run_regularly does not sum; name it "
                             "'<name>_post' (one per postsynaptic neuron) or plainly (one "
                             "over all the synapses)", where=where, symbol=name)
        if name in [n for n, _ in out]:
            raise ModelError(f"{where}: the sum '{name}' is given twice", where=where,
                             symbol=name)
        out.append((name, "post" if name.endswith("_post") else "all"))
    return out


def parse_operation(code: str, sums: Sequence[Tuple[str, str]], names: Mapping[str, sp.Basic],
                    targets: Mapping[str, sp.Basic], where: str
                    ) -> Tuple[List[Tuple[str, str, sp.Basic]], List[Statement], list]:
    """The sums ``(name, over, expression)`` and the statements of an operation, over the
    synaptic code's ``names``; the statements may assign ``targets`` and read the sums.
    Also returns the random call sites of the statements."""
    readable = dict(names)
    parsed = []
    for (name, over), (_, text) in zip(split_sums(sums, where), sums):
        if name in names:
            raise ModelError(f"{where}: the sum '{name}' has the name of a variable the "
                             "synapses read; give it another", where=where, symbol=name)
        ctx = Context(where=f"the sum '{name}' of {where}", line=text, lineno=1)
        expr = parse_expression(text, names, ctx)
        if expr.atoms(Rand, Randn):
            raise ctx.error("a sum cannot draw random numbers", symbol=name)
        parsed.append((name, over, expr))
        readable[name] = symbol(name)
    sites: list = []
    statements = parse_statements(code, readable, targets, where, sites)
    if not statements:
        raise ModelError("run_regularly needs at least one statement, such as "
                         "'w = clip(w, 0, 1)'", where=where, symbol="code")
    return parsed, statements, sites


def build_synaptic_operations(spec: NetworkSpec, groups: List[GroupKernel],
                              synapses: List[SynapsesKernel], layout
                              ) -> List[SynapticOperation]:
    """The SynapticOperation kernels of every Synapses object's run_regularly, in the
    order of the Synapses and of their statements (the order they run in)."""
    out: List[SynapticOperation] = []
    for s, k in zip(spec.synapses, synapses):
        # (a further pathway's spec repeats its owner's operations, which the owner runs)
        for n, op in enumerate(s.operations if s.shares is None else ()):
            out.append(_operation(s, k, n, op, groups, layout, f"sop{len(out)}"))
    written: Dict[int, List[str]] = {}          # array slot -> the kernels that write it
    for k in synapses:
        for path in k.paths():
            for name in path.stores:
                written.setdefault(k.access[name].slot, []).append(f"{k.name}.{path.kind}")
    for op in out:
        for name in op.body.stores:
            written.setdefault(op.access[name].slot, []).append(op.name)
    return [replace(op, ahead=_ahead(op, written)) for op in out]


def _ahead(op: SynapticOperation, written: Dict[int, List[str]]) -> bool:
    """Whether the sums of ``op`` may be added up in its previous invocation."""
    if not op.sums or any(x.over != "post" or T in x.expr.free_symbols for x in op.sums):
        return False
    return all(op.access[n].where == "syn" and set(written.get(op.access[n].slot, [op.name]))
               == {op.name} for n in op.sum_loads)


def _operation(s: SynapsesSpec, k: SynapsesKernel, n: int, op, groups: List[GroupKernel],
               layout, name: str) -> SynapticOperation:
    code, sums, when, every = op
    where = f"run_regularly number {n} of Synapses '{s.name}'"
    if s.post_synapses:
        raise ModelError(f"{where}: run_regularly runs on Synapses between neuron groups, "
                         "not on Synapses of synapses", where=where, symbol="run_regularly")
    if when not in WHEN:
        raise ModelError(f"{where}: when must be one of {', '.join(WHEN)}, not {when!r}",
                         where=where, symbol="when")
    pre, post = group_side(groups[k.pre]), group_side(groups[k.post])
    state, params, _ = check_code(s.model, s.params, s.on_pre, s.on_post, pre.variables,
                                  post.variables, where, None, s.parts, s.method)
    own = [v for v in state + params if not v.startswith("_") and v not in s.kernel]
    names = {"t": T, "dt": DT, "i": PRE_INDEX, "j": POST_INDEX}
    names.update({v: symbol(v) for v in own})
    found = {}
    for alias, (side, var, _) in aliases(pre.variables, post.variables).items():
        if alias not in names:
            names[alias], found[alias] = symbol(alias), (side, var)
    targets = {v: symbol(v) for v in state if v in own and v not in s.shared}
    parsed, statements, _ = parse_operation(code, sums, names, targets, where)
    access: Dict[str, Access] = {}
    for v in own:
        if v in k.arrays:
            access[v] = Access(v, "syn", slot=k.arrays[v].slot)
        else:
            access[v] = Access(v, "scalar", rarg=layout.find_rarg("synapses", k.index, v))
    for alias, (side, var) in found.items():
        g = pre if side == "pre" else post
        if var in g.arrays:
            access[alias] = Access(var, side, slot=g.arrays[var].slot)
        elif var in g.shared:
            access[alias] = Access(var, "scalar", rarg=g.shared[var])
    sum_list = []
    for sname, over, expr in parsed:
        slot = layout.slot("synapses", k.index, f"{name}_{sname}", "real", "scratch",
                           extent=k.n_post if over == "post" else 1)
        sum_list.append(Sum(sname, over, slot, expr))
        access[sname] = Access(sname, f"sum_{over}", slot=slot)
    stmts = [Assign(symbol(st.target), st.value(symbol(st.target)), declare=False)
             for st in statements]
    stmts, draws = statement_draws(
        stmts, lambda site: streams.synapse_operation(k.index, n, site))
    used = {x.name for a in stmts for x in a.expr.free_symbols} | \
        {a.target.name for a in stmts}
    sum_used = {x.name for x in sp.Tuple(*[x.expr for x in sum_list]).free_symbols}
    for v in sorted((used | sum_used) - set(access) - {"t", "dt", "_fi", "_fj"}):
        if not v.startswith("_rand"):
            raise ModelError(f"{where}: '{v}' cannot be read here (a variable of the "
                             "target's kernel, or another group's linked value)", where=where,
                             symbol=v)
    body = Block([v for v in access if v in used and access[v].where != "scalar"], draws,
                 stmts, [a.target.name for a in stmts if a.target.name in access])
    body = Block(body.loads, body.draws, body.code, list(dict.fromkeys(body.stores)))
    sum_loads = [v for v in access if v in sum_used and access[v].where != "scalar"]
    active = layout.rarg("synapses", k.index, f"_active{n}", "active")
    return SynapticOperation(name, k.index, when, every, sum_list, sum_loads, body,
                             {v: a for v, a in access.items() if v in used | sum_used},
                             active)
