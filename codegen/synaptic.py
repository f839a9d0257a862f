"""Synapses spec -> kernel IR: the statements run for every synaptic event.

A synapse's code (``on_pre``, ``on_post``) reads and writes three kinds of names:
synaptic variables (``w``), neuron variables of the presynaptic group (``v_pre``) and of
the postsynaptic group (``ge_post``, or plainly ``ge``, as in Brian2), plus ``i`` and
``j`` (the pre- and postsynaptic indices within the connected (sub)groups), ``t`` and
``dt``.  Each event loads what its statements use, runs them in order and stores what
they wrote, so events see each other's effects exactly as if run one after another.

A delayed ``on_pre`` gets its ring of spikes in flight and its delay from the
:mod:`delays` pass, called here.

``x += expr`` and ``x -= expr`` keep their operator in the IR: they are the additive
effects that backends may accumulate without reading the rest of the code.

>>> from pyspike.codegen.spec import GroupSpec, NetworkSpec, SynapsesSpec
>>> from pyspike.codegen.kernels import build_network
>>> g = GroupSpec("P", 10, equations="dv/dt = -v/tau : mV\\nge : 1", params=("tau",))
>>> s = SynapsesSpec("S", "P", "P", 0, 10, 0, 10, model="w : 1", on_pre="ge_post += w")
>>> k = build_network(NetworkSpec(groups=(g,), synapses=(s,))).synapses[0]
>>> [(str(a.target), a.op, str(a.expr)) for a in k.pre_path.code]
[('ge_post', '+=', 'w')]
"""
from __future__ import annotations

from dataclasses import replace
from typing import Dict, List, Optional, Tuple

import sympy as sp

from . import integrators, streams
from .equations import DT, T, EquationSet, parse_equations, symbol
from .errors import ModelError
from .statements import parse_statements
from .delays import add_delays
from .layout import column_type
from .ir import (Access, Array, Assign, Columns, GroupKernel, Pathway, SpikeList,
                 SynapsesKernel, statement_draws)
from .spec import SynapsesSpec
from .events import event_number
from .pathways import owner_of, shared_state
from .refractoriness import conditional_write
from .kernel_synapses import check_kernel, kernel_index, kernel_variable
from .shared_synapses import refuse_shared_writes
from .synapse_target import (check_summed_names, group_side, post_side, refractory_guards,
                             refuse_summed, summed_statements)
from .unit_check import check_statements, equation_units, known_dim
from .units import Dim

#: The time of a synapse's last event, and the time since then (event-driven equations).
LASTUPDATE = sp.Symbol("_lastupdate", real=True)
ELAPSED = sp.Symbol("_elapsed", real=True)
#: ``i`` and ``j`` as numbers inside synaptic code (C locals of type real_t).
PRE_INDEX = sp.Symbol("_fi", real=True)
POST_INDEX = sp.Symbol("_fj", real=True)


def neuron_slot(k: SynapsesKernel, name: str) -> Optional[int]:
    """The array behind a neuron variable of synaptic code (v_pre, ge_post), else None.
    v_pre and v_post share one when a group connects to itself."""
    a = k.access.get(name)
    return a.slot if a is not None and a.where in ("pre", "post") else None


def reads_what_it_writes_elsewhere(path: Pathway, k: SynapsesKernel) -> bool:
    """Whether the pathway reads a neuron variable under one name and writes it under
    another (``v_post -= 0.1*v_pre`` in a group connected to itself): an event then sees
    what earlier events of the step did, so the events must run in spike order, not a
    thread per target."""
    written = {(neuron_slot(k, a.target.name), a.target.name) for a in path.code}
    return any(slot == neuron_slot(k, s.name) and name != s.name
               for a in path.code for s in a.expr.free_symbols
               for slot, name in written if slot is not None)


def _pairs_only(path: Pathway, k: SynapsesKernel) -> bool:
    """Whether on_pre needs only the pair (i, j): no synaptic variable, no random number
    (keyed by the synapse), no presynaptic write and no read of what it writes under
    another name (a thread per target would race)."""
    names = set(path.loads) | set(path.stores)
    for a in path.code:
        names |= {x.name for x in a.expr.free_symbols} | {a.target.name}
    writes = {a.target.name for a in path.code}
    return not path.draws and not reads_what_it_writes_elsewhere(path, k) and not any(
        k.access[n].where in ("syn", "kernel") or (n in writes and k.access[n].where == "pre")
        for n in names if n in k.access)


def build_synapses(s: SynapsesSpec, index: int, by_name: Dict[str, GroupKernel],
                   spike_lists: Dict[int, SpikeList], layout,
                   built: Optional[Dict[str, SynapsesKernel]] = None) -> SynapsesKernel:
    """The kernel IR of one Synapses object; the spike lists of its groups are laid out
    (into ``spike_lists``, by group) if no Synapses object before it did.  ``built``: the
    Synapses kernels built so far, by name (a target of Synapses on Synapses)."""
    where = f"Synapses '{s.name}'"

    n_pre, n_post = s.pre_stop - s.pre_start, s.post_stop - s.post_start

    def slot(name: str, dtype: str, role: str, extent="synapses") -> int:
        # connectivity is shared by a batch's instances
        return layout.slot("synapses", index, name, dtype, role, False, extent=extent)

    pre = group_side(_group(by_name, s.pre, where))
    post = post_side(s, by_name, built or {}, where)
    eqs = _model(s.model, s.params, pre.variables, post.variables, where, parts=s.parts)
    refuse_summed(s, eqs.summed, where)
    for p in s.per_synapse:
        if p not in eqs.variables or not eqs.variables[p].is_param:
            raise ModelError(f"'{p}' is not a parameter of {where}", where=where, symbol=p)
    owner = None if s.shares is None else owner_of(s, built or {}, where)   # (pathways.py)
    arrays, access = (_own_state(s, eqs, index, layout) if owner is None
                      else shared_state(owner, eqs, [LASTUPDATE.name], layout))
    names, targets, used_aliases = _names(eqs, pre.variables, post.variables)
    for alias, (side, var) in used_aliases.items():
        g = pre if side == "pre" else post
        if var in g.arrays:
            access[alias] = Access(var, side, slot=g.arrays[var].slot)
        else:
            access[alias] = Access(var, "scalar", rarg=g.shared[var])
    guards, flags = refractory_guards(pre, post, used_aliases)   # (unless refractory)
    access.update(flags)
    for name in eqs.summed:       # I_post = expr (summed): the sum goes into post's I
        var = name[:-len("_post")]
        access[name] = Access(var, "post", slot=post.arrays[var].slot)

    k = SynapsesKernel(s.name, index, pre.index, post.index, s.pre_start, n_pre,
                       s.post_start, n_post, arrays, access, s.dense,
                       *((owner.row_slot, owner.col_slot) if owner is not None else
                         (slot("row", "int64", "connectivity", n_pre + 1),
                          None if s.dense else slot("col", column_type(n_post),
                                                    "connectivity"))),
                       s.delay, post_synapses=s.post_synapses,
                       shares=None if owner is None else owner.index,
                       event=event_number(pre.group, s.event, where),
                       kernel=kernel_index(s, index, layout, owner))
    for g in (side.group for side in (pre, post) if side.group is not None):
        if g.index not in spike_lists:
            spike_lists[g.index] = SpikeList(
                layout.slot("group", g.index, "_spikes", "int32", "spikes", extent=g.N),
                layout.counter("group", g.index, "spike_count", "spikes"))
    on_pre, on_post = (_code(s.on_pre, s.parts, 2), _code(s.on_post, s.parts, 3))
    if on_pre:
        k = replace(k, pre_path=_pathway("pre", on_pre, names, targets, eqs, k, where,
                                         guards))
        # the ring of spikes in flight, the delay (delays.py)
        k = add_delays(k, layout, s.short_rows)
        if s.bitmask and not s.dense and s.delay != "per_synapse" and \
                _pairs_only(k.pre_path, k):
            k = replace(k, bitmask_slot=slot("bitmask", "uint32", "connectivity",
                                             n_pre * ((n_post + 31) // 32)))
    if on_post:
        k = replace(k, post_path=_pathway("post", on_post, names, targets, eqs, k, where,
                                          guards),
                    columns=Columns(slot("column_start", "int64", "connectivity", n_post + 1),
                                    slot("column_synapse", "int32", "connectivity")))
    if owner is None and _odes(eqs, event=False):    # (a pathway leaves them to its owner)
        k = replace(k, clock_path=_finish_path("clock", _clock_driven(eqs, where, s.method),
                                               k))
    if owner is None and eqs.summed:
        k = replace(k, summed_path=_finish_path("summed", summed_statements(eqs), k))
    refuse_shared_writes(s, k, where)         # (shared_synapses.py)
    check_kernel(s, eqs, k, where)            # (kernel_synapses.py)
    used = set()
    for path in k.paths():
        for a in path.code:
            used |= {x.name for x in a.expr.free_symbols} | {a.target.name}
    return replace(k, access={n: a for n, a in access.items() if n in used})


def _own_state(s: SynapsesSpec, eqs: EquationSet, index: int, layout
               ) -> Tuple[Dict[str, Array], Dict[str, Access]]:
    """The arrays of a Synapses object's variables (and per-synapse parameters), laid out
    now, and where every synaptic name lives (shared parameters: rargs)."""
    arrays: Dict[str, Array] = {}
    access: Dict[str, Access] = {}
    for name, var in eqs.variables.items():
        if name in s.kernel:              # one value per kernel element (kernel_synapses.py)
            arrays[name], access[name] = kernel_variable(name, index, layout)
            continue
        if var.is_param and (var.shared or name not in s.per_synapse):
            access[name] = Access(name, "scalar",
                                  rarg=layout.rarg("synapses", index, name, "param"))
        else:
            role = "param" if var.is_param else "state"
            arrays[name] = Array(name, layout.slot("synapses", index, name, "real", role,
                                                   name not in s.shared, extent="synapses"),
                                 "real", role)
            access[name] = Access(name, "syn", slot=arrays[name].slot)
    if _odes(eqs, event=True):
        arrays[LASTUPDATE.name] = Array(LASTUPDATE.name, layout.slot(
            "synapses", index, LASTUPDATE.name, "real", "state", extent="synapses"),
            "real", "state")
        access[LASTUPDATE.name] = Access(LASTUPDATE.name, "syn",
                                         slot=arrays[LASTUPDATE.name].slot)
    return arrays, access


def _group(by_name: Dict[str, GroupKernel], name: str, where: str) -> GroupKernel:
    if name not in by_name:
        raise ModelError(f"{where} connects group '{name}', which is not part of the network",
                         where=where, symbol=name)
    return by_name[name]


def aliases(pre_vars: Dict[str, bool], post_vars: Dict[str, bool]):
    """alias -> (side, variable, is a parameter): v_pre, v_post and plain v (post)."""
    out: Dict[str, tuple] = {}
    for side, variables in (("pre", pre_vars), ("post", post_vars)):
        for var, is_param in variables.items():
            for alias in ([f"{var}_{side}"] + ([var] if side == "post" else [])):
                out.setdefault(alias, (side, var, is_param))
    return out


def _names(eqs: EquationSet, pre_vars: Dict[str, bool], post_vars: Dict[str, bool]):
    """(readable names, assignable names, {alias: (side, variable)}) of synaptic code.

    ``pre_vars``/``post_vars`` map each neuron variable to whether it is a parameter."""
    names: Dict[str, sp.Basic] = {"t": T, "dt": DT, "i": PRE_INDEX, "j": POST_INDEX}
    targets: Dict[str, sp.Basic] = {}
    found: Dict[str, tuple] = {}
    for name in eqs.variables:
        names[name] = symbol(name)
        if not eqs.variables[name].is_param:
            targets[name] = names[name]
    for alias, (side, var, is_param) in aliases(pre_vars, post_vars).items():
        if alias in names or alias in eqs.subexpressions:
            continue
        names[alias] = symbol(alias)
        found[alias] = (side, var)
        if not is_param:
            targets[alias] = names[alias]
    return names, targets, found


def _code(own: str, parts, k: int) -> List[Tuple[str, str]]:
    """A pathway's code: the synapses' own (``own``) and then each part's, as (where,
    text) blocks; empty if there is none."""
    blocks = [(None, own)] + [(f"{p[0]}", p[k]) for p in parts]
    return [(w, text) for w, text in blocks if text]


def _model(model: str, params, pre_vars: Dict[str, bool], post_vars: Dict[str, bool],
           where: str, dims: Optional[Dict[str, Optional[Dim]]] = None,
           parts=()) -> EquationSet:
    """The synapse model's equations, which may read pre- and postsynaptic variables
    (whose dimensions, where known, are ``dims`` by alias), with those of ``parts``."""
    outer = {alias: symbol(alias) for alias in aliases(pre_vars, post_vars)}
    outer.update({"i": PRE_INDEX, "j": POST_INDEX})
    eqs = parse_equations(model, params, where=f"the model of {where}", synaptic=True,
                          outer=outer, parts=[(p[0], p[1]) for p in parts if p[1]])
    equation_units(eqs, f"the model of {where}", dims)
    check_summed_names(eqs.summed, post_vars, where)
    return eqs


def alias_dims(pre_vars: Dict[str, bool], post_vars: Dict[str, bool],
               sides=None) -> Dict[str, Optional[Dim]]:
    """The dimension of each alias (``v_pre``, ``v_post``, ``v``) synaptic code may read,
    from ``sides`` = (pre dimensions, post dimensions) by variable; None where unknown."""
    if sides is None:
        return {}
    by_side = dict(zip(("pre", "post"), sides))
    return {alias: by_side[side].get(var)
            for alias, (side, var, _) in aliases(pre_vars, post_vars).items()}


def _odes(eqs: EquationSet, event: bool) -> Dict[str, sp.Expr]:
    return {v: e for v, e in eqs.odes.items()
            if ("event-driven" in eqs.variables[v].flags) == event}


def check_code(model: str, params, on_pre: str, on_post: str, pre_vars: Dict[str, bool],
               post_vars: Dict[str, bool], where: str,
               sides: Optional[Tuple[Dict[str, Optional[Dim]], Dict[str, Optional[Dim]]]]
               = None, parts=(), method: Optional[str] = None
               ) -> Tuple[List[str], List[str], Dict[str, Optional[Dim]]]:
    """Parse a synapse model and its code (raising ModelError); its state variables
    (with the hidden ``_lastupdate`` when it has event-driven equations) and its
    parameters (``params`` and the model's ``(constant)`` and ``(shared)`` variables);
    the dimensions of both, where the text fixes them.

    ``sides`` gives the dimensions of the pre- and postsynaptic variables, so that the
    model, on_pre and on_post are checked against them.  ``parts`` are library blocks
    (where, model, on_pre, on_post) composed with the model (see ``SynapsesSpec``);
    ``method`` integrates the clock-driven equations (None: pyspike's choice)."""
    dims = alias_dims(pre_vars, post_vars, sides)
    eqs = _model(model, params, pre_vars, post_vars, where, dims, parts)
    if _odes(eqs, event=True):
        _event_driven(eqs, where)
    if _odes(eqs, event=False):
        _clock_driven(eqs, where, method)
    names, targets, _ = _names(eqs, pre_vars, post_vars)
    units = equation_units(eqs, f"the model of {where}", dims)
    for kind, own, k in (("pre", on_pre, 2), ("post", on_post, 3)):
        for block, text in _code(own, parts, k):
            what = (f"the on_{kind} code of {block} in {where}" if block else
                    f"the on_{kind} code of {where}")
            statements = parse_statements(text, names, targets, what, [])
            check_statements(units, [(symbol(st.target), st.value(symbol(st.target)))
                                     for st in statements], text, what)
    state = [n for n, v in eqs.variables.items() if not v.is_param]
    declared = [n for n, v in eqs.variables.items() if v.is_param and n not in params]
    return (state + ([LASTUPDATE.name] if _odes(eqs, event=True) else []),
            list(params) + declared, {n: known_dim(units, n) for n in eqs.variables})


def _event_driven(eqs: EquationSet, where: str) -> List[Assign]:
    """Statements advancing the event-driven variables from their last update to the
    event: the exact solution over the elapsed time (so the equations must be linear with
    constant coefficients), then ``_lastupdate`` = the event's time.  That time is
    Brian2's ``t`` of the event, ``t - dt`` (synaptic code's ``t`` is the arrival stamp,
    one step later), so that the first event, from ``_lastupdate = 0``, decays as in
    Brian2."""
    odes = _odes(eqs, event=True)
    for var, expr in odes.items():
        if set(eqs.noise) & expr.free_symbols:
            raise ModelError(f"d{var}/dt is (event-driven), solved exactly from one event to "
                             "the next, so it cannot have noise (xi)", where=where, symbol=var)
    try:
        steps = integrators.integrate(odes, "exact", [])
    except ModelError as err:
        raise ModelError(f"{where}: event-driven equations are solved exactly between "
                         f"events, so they must be linear with constant coefficients "
                         f"({err.args[0]})", where=where, symbol=next(iter(odes))) from None
    out = [Assign(ELAPSED, T - DT - LASTUPDATE)]
    out += [Assign(sp.Symbol(target, real=True), expr.xreplace({DT: ELAPSED}))
            for target, expr in steps]
    out += [Assign(symbol(v), sp.Symbol(integrators.new_name(v), real=True), declare=False)
            for v in odes]
    out.append(Assign(LASTUPDATE, T - DT, declare=False))
    return out


def _clock_driven(eqs: EquationSet, where: str, method: Optional[str] = None
                  ) -> List[Assign]:
    """Statements integrating the clock-driven equations over one step, every synapse."""
    odes = _odes(eqs, event=False)
    if eqs.noise or eqs.random_sites:
        raise ModelError(f"{where}: noise and random numbers in synaptic equations are not "
                         "supported", where=where, symbol=next(iter(odes)))
    event = set(_odes(eqs, event=True))
    for var, expr in odes.items():
        stale = sorted(s.name for s in expr.free_symbols if s.name in event)
        if stale:
            raise ModelError(f"{where}: d{var}/dt reads the event-driven '{stale[0]}', "
                             "whose value is only brought up to date at events",
                             where=where, symbol=stale[0])
    steps = integrators.integrate(odes, method or integrators.choose_method(odes, []), [])
    return ([Assign(sp.Symbol(target, real=True), expr) for target, expr in steps]
            + [Assign(symbol(v), sp.Symbol(integrators.new_name(v), real=True),
                      declare=False) for v in odes])


def _pathway(kind: str, blocks: List[Tuple[Optional[str], str]], names, targets,
             eqs: EquationSet, k: SynapsesKernel, where: str, guards) -> Pathway:
    """A pathway's statements; a write of a neuron variable in ``guards`` (held ``(unless
    refractory)``) only where that neuron is not refractory, as Brian2 writes it."""
    statements = _statements(kind, blocks, names, targets, where)
    code = _event_driven(eqs, where) if _odes(eqs, event=True) else []
    for st in statements:
        target = symbol(st.target)
        op = st.op if st.op in ("+=", "-=") else "="
        value = st.expr if op != "=" else st.value(target)
        if st.target in guards:
            value = conditional_write(value, target, op, guards[st.target])
        code.append(Assign(target, value, declare=False, op=op))
    return _finish_path(kind, code, k)


def _statements(kind: str, blocks: List[Tuple[Optional[str], str]], names, targets,
                where: str) -> list:
    """The statements of a pathway's blocks of code, in order (the synapses' own first),
    each block's messages naming it."""
    own = f"the on_{kind} code of {where}"
    named = [(w or own, text) for w, text in blocks]
    return parse_statements(named[0][1], names, targets, named[0][0], [],
                            parts=[(f"the on_{kind} code of {w} in {where}", text)
                                   for w, text in named[1:]])


def _finish_path(kind: str, code: List[Assign], k: SynapsesKernel) -> Pathway:
    """A pathway's random draws, and the names it reads and writes."""
    pathway = {"pre": "on_pre", "post": "on_post"}.get(kind, kind)
    code, draws = statement_draws(
        code, lambda site: streams.synapse_pathway(k.index, pathway, site))
    used = set()
    for a in code:
        used |= {s.name for s in a.expr.free_symbols} | {a.target.name}
    loads = [n for n in k.access if n in used and k.access[n].where != "scalar"]
    written = []
    for a in code:
        if not a.declare and a.target.name not in written:
            written.append(a.target.name)
    return Pathway(loads, draws, code, written, kind)


def uses_index(path: Optional[Pathway], sym: sp.Symbol) -> bool:
    """Whether the pathway's code reads ``i`` (PRE_INDEX) or ``j`` (POST_INDEX)."""
    return path is not None and any(sym in a.expr.free_symbols for a in path.code)
