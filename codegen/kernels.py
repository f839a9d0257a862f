"""Model spec -> kernel IR: what each fused per-step kernel reads, computes and writes.

One :class:`GroupKernel` per neuron group: an update block on every neuron (load state ->
draws -> statements, the spike among them as ``_spike = threshold`` -> store state) and a
reset block on the neurons that spiked; and a :class:`NetworkKernel`
that lays out every array and scalar the compiled library receives.  The renderers
(C++, later CUDA) and the NumPy reference backend both consume this IR; none of them
makes a modelling decision of its own.

A group's features are lowering passes, each in its own module, that add buffers and
statements: :mod:`timed` (TimedArrays held over a step), :mod:`refractoriness` and
:mod:`poisson_inputs`.  This module parses the model, calls them in order (the order in
which their buffers are laid out) and finishes the blocks (draws, hoisting, loads, stores).
The network's features are passes too: :mod:`monitors` after the groups, then the
synapses (:mod:`synaptic`, with :mod:`delays`).

>>> from pyspike.codegen.spec import GroupSpec, NetworkSpec
>>> g = GroupSpec("g", 4, equations="dv/dt = -v/tau : mV", threshold="v > 1",
...               reset="v = 0", params=("tau",))
>>> net = build_network(NetworkSpec(groups=(g,)))
>>> [str(s.target) for s in net.groups[0].update.code]   # exp(-dt/tau) is hoisted as _h0
['_new_v', 'v', '_spike']
>>> [str(s.expr) for s in net.groups[0].run_scalars]
['exp(-dt/tau)']
"""
from __future__ import annotations

from dataclasses import replace
from typing import Collection, Dict, List, Optional, Tuple

import sympy as sp

from . import events, integrators, linked, refractoriness, streams, timed
from .equations import DT, I_INDEX, N_SIZE, EquationSet, Variable, parse_equations, symbol
from .errors import ModelError
from .expressions import (IDENTIFIER, Context, check_identifier, parse_condition,
                          timed_function)
from .statements import parse_statements, split_statements
from .ir import (SPIKE, Array, Assign, Block, Draw, GeneratorIR, GroupKernel, SynapsesKernel,
                 NetworkKernel, SpikeList, draw_sites, loads_and_stores,
                 statement_draws, synaptic_sources)
from .layout import Layout
from .monitors import add_monitors
from .spec import GroupSpec, NetworkSpec
from .operations import build_operations
from .poisson_inputs import poisson_inputs
from .refractoriness import LASTSPIKE, LASTSPIKE_NEVER, NOT_REFRACTORY, STEP
from .schedule import build_schedule, with_synaptic_operations
from .optimize import Hoister, common_subexpressions
from .synaptic import build_synapses
from .synaptic_operations import build_synaptic_operations
from .synapse_target import build_order
from .extensions import extend, own_params
from .unit_check import check_condition, check_statements, check_units, equation_units

# the refractory symbols are refractoriness.py's, exported here too (the front end imports
# LASTSPIKE_NEVER from here)
__all__ = ["Array", "Assign", "Draw", "GroupKernel", "LASTSPIKE", "LASTSPIKE_NEVER",
           "NOT_REFRACTORY", "NetworkKernel", "STEP", "build_network", "model_variables"]


def build_network(spec: NetworkSpec) -> NetworkKernel:
    """The kernel IR of a whole network."""
    if spec.precision not in ("double", "single"):
        raise ModelError(f"precision must be 'double' or 'single', not {spec.precision!r}",
                         where="Network")
    layout = Layout()
    written = refractoriness.written_from_outside(spec)
    groups = add_monitors(spec, linked.link_groups(spec.groups, [
        _build_group(g, k, layout, written[g.name]) for k, g in enumerate(spec.groups)],
        layout), layout)
    by_name = {g.name: g for g in groups}
    spike_lists: Dict[int, SpikeList] = {}      # of the groups that synapses read
    built: Dict[int, SynapsesKernel] = {}
    named: Dict[str, SynapsesKernel] = {}       # a target of Synapses on Synapses first
    for k in build_order(spec.synapses):
        s = spec.synapses[k]
        built[k] = named[s.name] = build_synapses(s, k, by_name, spike_lists, layout, named)
    synapses = [built[k] for k in range(len(spec.synapses))]
    for g in groups:                  # a reset kernel walks the spike list (schedule.py)
        if g.reset.code and g.index not in spike_lists:
            spike_lists[g.index] = SpikeList(
                layout.slot("group", g.index, "_spikes", "int32", "spikes", extent=g.N),
                layout.counter("group", g.index, "spike_count", "spikes"))
    groups = [replace(g, spike_list=spike_lists.get(g.index)) for g in groups]
    # monitors are laid out before the synapses: a monitor of synaptic variables learns
    # where their arrays are now
    groups = synaptic_sources(groups, synapses)
    summed: Dict[Tuple[int, str], str] = {}
    for sk in synapses:
        for a in sk.summed_path.code if sk.summed_path else []:
            key = (sk.post, sk.access[a.target.name].name)
            if key in summed:
                raise ModelError(f"Synapses '{summed[key]}' and '{sk.name}' both set "
                                 f"'{key[1]}' of group '{groups[sk.post].name}' as a (summed) "
                                 "variable; sum into two variables and add them in the "
                                 "neuron model", where=f"Synapses '{sk.name}'", symbol=key[1])
            summed[key] = sk.name
    real = "double" if spec.precision == "double" else "float"
    # the step a GPU's device clock has reached (the CPU's loop counts in a register)
    layout.counter("network", 0, "device_step", "clock")
    linked.check_synapses(synapses, groups)
    operations = linked.operation_loads(build_operations(spec.groups, groups), groups)
    syn_operations = build_synaptic_operations(spec, groups, synapses, layout)
    schedule = with_synaptic_operations(build_schedule(groups, synapses, operations),
                                        syn_operations)
    return NetworkKernel(spec, groups, layout.manifest(real, spec.batch), real, synapses,
                         operations, schedule, syn_operations)


def _build_group(g: GroupSpec, index: int, layout: Layout,
                 written: Collection[str] = ()) -> GroupKernel:
    """A group's kernel: the model's statements, then the lowering passes of its features
    (TimedArrays, refractoriness, Poisson inputs), in the order their buffers are laid
    out."""
    _check_first(g)
    if g.generator:
        return _generator(g, index, layout)
    where = f"the equations of group '{g.name}'"
    functions = {n: timed_function(n, d) for n, d in g.functions}
    eqs = extend(parse_equations(g.equations, own_params(g.params, g.extensions), where=where,
                                 functions=functions), g.extensions, where)
    units = equation_units(eqs, where)
    update = timed.hold_timed_arrays(eqs)
    # (constant over dt) subexpressions, set first and held over the step
    update += [Assign(symbol(n), e, declare=False) for n, e in eqs.held.items()]
    names = eqs.names()
    for p in g.per_neuron:
        if p not in eqs.variables or not eqs.variables[p].is_param:
            raise ModelError(f"'{p}' is not a parameter of group '{g.name}'", where="params",
                             symbol=p)
    # Discrete-time statements may introduce their targets as new state variables.
    update_stmts: List[Assign] = []
    if g.update:
        targets = update_targets(g.update, eqs, names)
        update_stmts = [Assign(symbol(st.target), st.value(symbol(st.target)), declare=False)
                        for st in parse_statements(g.update, names, targets,
                                                   f"the update of group '{g.name}'",
                                                   eqs.random_sites)]
        # (discrete-time updates are SPAIC's unitless models: numbers per step, no check)
    arrays, shared = _variables(g, eqs, index, layout)
    state_targets = {n: symbol(n) for n in eqs.state if n in arrays}
    refractory, not_refractory = refractoriness.refractory_period(g, names, eqs)
    arrays.update(refractoriness.refractory_array(refractory, index, g.N, layout))
    flag, clear = (refractoriness.publish(refractory, index, g.N, layout)
                   if refractoriness.published(refractory, eqs, written) else ({}, []))
    arrays.update(flag)                 # not_refractory, read by synapses (time kind)
    update += [replace(a, declare=False) if flag else a for a in
               refractoriness.not_refractory_statement(refractory, not_refractory)]
    method, statements = _ode_statements(g, eqs)
    update += refractoriness.hold(statements, refractory, eqs.unless_refractory)
    # Discrete-time update statements (after the ODE step), held while refractory.
    update += refractoriness.hold(update_stmts, refractory)
    flag_arrays, flag_stmts = events.flags(g, names, eqs, index, layout)  # custom events
    arrays.update(flag_arrays)
    update += flag_stmts
    threshold = _threshold(g, names, eqs)
    if threshold is not None:
        check_condition(units, threshold, g.threshold, f"the threshold of group '{g.name}'")
    spike = refractoriness.guard(threshold, refractory)
    user_reset = _reset(g, names, eqs, state_targets)
    check_statements(units, [(a.target, a.expr) for a in user_reset], g.reset,
                     f"the reset of group '{g.name}'")
    # the refractory clock runs in the step, on each spike; the user's reset after the
    # step's synaptic events (Brian2's order: groups, thresholds, synapses, resets)
    clock = refractoriness.clock_statements(refractory) + clear

    draft = GroupKernel(g.name, index, g.N, eqs, arrays, shared, refractory=refractory,
                        method=method, first=g.first)
    buffers = timed.timed_buffers(g, index, layout)
    input_draws, inputs = poisson_inputs(g, draft, layout)   # (adds to its shared values)
    inputs = refractoriness.hold_inputs(inputs, refractory, eqs.unless_refractory)
    draft = replace(draft, timed=timed.mark_by_neuron(
        buffers, [a.expr for a in update + user_reset + clock]
        + ([spike] if spike is not None else [])))
    return events.add_events(g, _finish(draft, update, spike, inputs, input_draws,
                                        (user_reset, clock), layout), layout)


def _generator(g: GroupSpec, index: int, layout: Layout) -> GroupKernel:
    """A SpikeGeneratorGroup: no model, the given spikes' buffers."""
    own = ("group", index)
    generator = GeneratorIR(
        layout.slot(*own, "given_step", "int64", "given", False, extent="given"),
        layout.slot(*own, "given_index", "int32", "given", False, extent="given"),
        layout.counter(*own, "given_position", "given"),
        layout.counter(*own, "given_count", "given"))
    return GroupKernel(g.name, index, g.N, parse_equations("", ()), {}, {},
                       generator=generator, first=g.first)


#: Elements of a block of Philox draws that must stay together: the normals come 64 to a
#: group of 16 blocks (csrc/pyspike/philox.h), the uniforms two to a block.
DRAW_ALIGNMENT = 64


def _check_first(g: GroupSpec) -> None:
    """``g.first`` (the element of its neuron 0's draws) keeps the neurons' draws those
    of the whole group: aligned with the Philox blocks, and every element a 32-bit word."""
    where, first = "GroupSpec.first", g.first
    if not isinstance(first, int) or isinstance(first, bool) or first < 0:
        raise ModelError(f"group '{g.name}' starts its random draws at element {first!r}; "
                         "it must be an int, 0 or more", where=where, symbol="first")
    if first % DRAW_ALIGNMENT:
        raise ModelError(f"group '{g.name}' starts its random draws at element {first}, "
                         f"which is not a multiple of {DRAW_ALIGNMENT}: its neurons would "
                         "not draw the numbers of the same neurons of the whole group "
                         "(split a group over ranks in blocks of a multiple of "
                         f"{DRAW_ALIGNMENT} neurons)", where=where, symbol="first")
    if first + g.N > 2 ** 32:
        raise ModelError(f"group '{g.name}' draws random numbers for the elements {first} "
                         f"to {first + g.N - 1}, past the last of 2**32 elements "
                         f"({2 ** 32 - 1})", where=where, symbol="first")


def _variables(g: GroupSpec, eqs: EquationSet, index: int, layout: Layout
               ) -> Tuple[Dict[str, Array], Dict[str, int]]:
    """(per-neuron arrays, shared parameters -> rargs) of the model's variables."""
    arrays: Dict[str, Array] = {}
    shared: Dict[str, int] = {}
    for name, var in eqs.variables.items():
        if "linked" in var.flags:
            continue                   # another group's array or value (linked.py)
        if var.is_param and (var.shared or name not in g.per_neuron):
            shared[name] = layout.rarg("group", index, name, "param")
        else:
            role = "param" if var.is_param else "state"
            arrays[name] = Array(name, layout.slot("group", index, name, "real", role,
                                                   extent=g.N),
                                 "real", role)
    return arrays, shared


def _ode_statements(g: GroupSpec, eqs: EquationSet):
    """(method, statements) integrating the differential equations over one step."""
    if not eqs.odes:
        if g.method:
            raise ModelError(f"group '{g.name}' has no differential equations to integrate "
                             f"with method '{g.method}'", where="method", symbol=g.method)
        return None, []
    method = g.method or integrators.choose_method(eqs.odes, eqs.noise)
    out = [Assign(sp.Symbol(target, real=True), expr)
           for target, expr in integrators.integrate(eqs.odes, method, eqs.noise)]
    out += [Assign(symbol(var), sp.Symbol(integrators.new_name(var), real=True),
                   declare=False) for var in eqs.odes]
    return method, out


def _threshold(g: GroupSpec, names, eqs: EquationSet):
    """The spike condition (None: the group never spikes)."""
    if not g.threshold:
        if g.reset:
            raise ModelError(f"group '{g.name}' has a reset but no threshold", where="reset")
        return None
    return parse_condition(g.threshold, names, Context(
        where=f"the threshold of group '{g.name}'", line=g.threshold, lineno=1,
        random_sites=eqs.random_sites))


def _reset(g: GroupSpec, names, eqs: EquationSet, targets):
    """The user's reset statements, for each spiking neuron."""
    return [Assign(symbol(st.target), st.value(symbol(st.target)), declare=False)
            for st in parse_statements(g.reset, names, targets,
                                       f"the reset of group '{g.name}'", eqs.random_sites)]


def update_targets(text: str, eqs: EquationSet, names: Dict[str, sp.Basic]):
    """State variables assigned by discrete-time statements; new names become state."""
    targets = {}
    for lineno, part in split_statements(text):
        name = part.split("=", 1)[0].strip().rstrip("+-*/").strip()
        if name in eqs.variables and not eqs.variables[name].is_param:
            targets[name] = symbol(name)
        elif name not in names and IDENTIFIER.match(name):
            check_identifier(name, Context(where="the update", line=part, lineno=lineno),
                             "variable name")
            eqs.variables[name] = Variable(name)
            names[name] = targets[name] = symbol(name)
    return targets


def _finish(k: GroupKernel, update: List[Assign], spike: Optional[sp.Basic],
            inputs: List[Assign], input_draws: List[Draw],
            reset_and_clock: Tuple[List[Assign], List[Assign]],
            layout: Layout) -> GroupKernel:
    """``k`` finished: random draws, hoisting of run constants, the spike as a
    statement, loads and stores; the group's update, reset and on-spike blocks."""
    reset, clock = reset_and_clock
    update, draws = _extract_draws(update, k, "update")
    reset, reset_draws = _extract_draws(reset, k, "reset")
    if spike is not None:
        spike = _replace_sites(spike, draws, k, "threshold")
    shared_syms = {symbol(n) for n in k.shared} | {DT, N_SIZE}
    neuron_syms = {symbol(n) for n, a in k.arrays.items() if a.role == "param"} | {I_INDEX}
    hoister = Hoister(shared_syms, neuron_syms)
    update = [replace(a, expr=hoister.visit(a.expr)) for a in update]
    reset = [replace(a, expr=hoister.visit(a.expr)) for a in reset]
    clock = [replace(a, expr=hoister.visit(a.expr)) for a in clock]
    if spike is not None:
        spike = hoister.visit(spike)
    run_arrays = []
    for assign in hoister.arrays:
        slot = layout.slot("group", k.index, assign.target.name, "real", "scratch",
                           extent=k.N)
        run_arrays.append((assign, Array(assign.target.name, slot, "real", "scratch")))
    inputs = [replace(a, expr=hoister.visit(a.expr)) for a in inputs]
    update = common_subexpressions(update)
    arrays = {symbol(n): n for n, a in k.arrays.items()
              if a.role in ("state", "param", "event")}
    arrays.update(refractoriness.refractory_symbols(k.refractory))
    if "not_refractory" in k.arrays:    # (a timed period's published flag too)
        arrays[refractoriness.NOT_REFRACTORY] = "not_refractory"
    arrays.update(linked.symbols(k.equations))      # loaded, never stored (linked.py)
    loads, stores = loads_and_stores(update + inputs, [spike] if spike is not None else [],
                                     arrays)
    # The spike is read after the update and before the inputs (as Brian2's PoissonInput).
    fire = [Assign(SPIKE, spike, "bool")] if spike is not None else []
    reset_loads, reset_stores = loads_and_stores(reset, [], arrays)
    clock_loads, clock_stores = loads_and_stores(clock, [], arrays)
    return replace(k, update=Block(loads, draws + input_draws, update + fire + inputs, stores),
                   reset=Block(reset_loads, reset_draws, reset, reset_stores),
                   on_spike=Block(clock_loads, [], clock, clock_stores),
                   run_scalars=hoister.scalars, run_arrays=run_arrays)


def _extract_draws(stmts: List[Assign], k: GroupKernel,
                   part: str) -> Tuple[List[Assign], List[Draw]]:
    """The statements with their random calls replaced by draws, and the draws."""
    stmts, draws = statement_draws(stmts, lambda site: streams.neuron(k.index, part, site))
    for xi in k.equations.noise if part == "update" else []:
        if any(xi in a.expr.free_symbols for a in stmts):
            draws.append(Draw(xi, "normal", streams.noise(k.index, len(draws))))
    return stmts, draws


def _replace_sites(expr: sp.Basic, draws: List[Draw], k: GroupKernel, part: str) -> sp.Basic:
    return draw_sites(expr, draws, lambda site: streams.neuron(k.index, part, site))


def model_variables(equations: str, params, update: str = "", functions=(), extensions=()
                    ) -> Tuple[List[str], List[str]]:
    """(state variables, parameters) of a model; validates the equations and the update.
    ``functions`` holds (name, ndim) of the TimedArrays the model calls, ``extensions``
    the synaptic state added to it."""
    eqs = extend(parse_equations(equations, own_params(params, extensions),
                                 functions={n: timed_function(n, d) for n, d in functions}),
                 extensions, "the model")
    check_units(eqs)
    names = eqs.names()
    if update:
        targets = update_targets(update, eqs, names)
        parse_statements(update, names, targets, "the update", [])
    state = [n for n, v in eqs.variables.items() if not v.is_param]
    # (linked variables are neither: another group's, linked.py)
    return state, [n for n, v in eqs.variables.items()
                   if v.is_param and "linked" not in v.flags]
