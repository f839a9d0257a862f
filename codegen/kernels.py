"""Model spec -> kernel IR: what each fused per-step kernel reads, computes and writes.

One :class:`GroupKernel` per neuron group: an update block on every neuron (load state ->
draws -> statements, the spike among them as ``_spike = threshold`` -> store state) and a
reset block on the neurons that spiked; and a :class:`NetworkKernel`
that lays out every array and scalar the compiled library receives.  The renderers
(C++, later CUDA) and the NumPy reference backend both consume this IR; none of them
makes a modelling decision of its own.

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

from typing import Dict, List, Optional, Tuple

import sympy as sp

from . import integrators, streams
from .equations import (DT, I_INDEX, N_SIZE, T, EquationSet, Variable,
                        parse_equations, symbol)
from .errors import ModelError
from .expressions import (IDENTIFIER, Context, PoissonCount, StepBound,
                          TimedArrayCall, check_identifier,
                          is_condition, parse_condition, parse_expression, timed_function)
from .statements import parse_statements, split_statements
from .ir import (SPIKE, Array, Assign, Block, Draw, GeneratorIR, GroupKernel,
                 NetworkKernel, RateMonitorIR, SpikeMonitorIR, StateMonitorIR, TimedIR,
                 draw_sites, loads_and_stores)
from .layout import Layout
from .spec import GroupSpec, NetworkSpec
from .operations import build_operations
from .schedule import build_schedule
from .optimize import Hoister, common_subexpressions
from .synaptic import build_synapses

__all__ = ["Array", "Assign", "Draw", "GroupKernel", "NetworkKernel", "build_network",
           "model_variables"]

STEP = sp.Symbol("step", integer=True)
LASTSPIKE = sp.Symbol("lastspike", integer=True)
NOT_REFRACTORY = sp.Symbol("not_refractory")
#: The step stored for a neuron that never spiked (int32; step - it is then >= 2**31).
LASTSPIKE_NEVER = -(2 ** 31)


def build_network(spec: NetworkSpec) -> NetworkKernel:
    """The kernel IR of a whole network."""
    if spec.precision not in ("double", "single"):
        raise ModelError(f"precision must be 'double' or 'single', not {spec.precision!r}",
                         where="Network")
    layout = Layout()
    groups = [_build_group(g, k, layout) for k, g in enumerate(spec.groups)]
    by_name = {g.name: g for g in groups}
    for k, mon in enumerate(spec.state_monitors):
        g = _monitored(by_name, mon.group)
        for var in mon.variables:
            if var not in g.equations.variables:
                raise ModelError(f"StateMonitor cannot record '{var}': group '{g.name}' has "
                                 f"the variables {', '.join(g.equations.variables)}",
                                 where="StateMonitor", symbol=var)
        own = ("state_monitor", k)
        g.state_monitors.append(StateMonitorIR(
            k, list(mon.variables), layout.slot(*own, "index", "int32", "record", False),
            [layout.slot(*own, v, "real", "record") for v in mon.variables],
            layout.counter(*own, "fill", "fill"), layout.iarg(*own, "stride", "stride"),
            mon.every, mon.n_record))
    for k, mon in enumerate(spec.spike_monitors):
        g = _monitored(by_name, mon.group)
        own = ("spike_monitor", k)
        g.spike_monitors.append(SpikeMonitorIR(
            k, layout.slot(*own, "i", "int32", "record"),
            layout.slot(*own, "step", "int64", "record"), layout.counter(*own, "fill", "fill"),
            layout.counter(*own, "capacity", "capacity")))
    for k, mon in enumerate(spec.rate_monitors):
        g = _monitored(by_name, mon.group)
        own = ("rate_monitor", k)
        g.rate_monitors.append(RateMonitorIR(k, layout.slot(*own, "count", "int32", "record"),
                                             layout.counter(*own, "fill", "fill"),
                                             None if mon.stop is None else (mon.start, mon.stop)))
    synapses = [build_synapses(s, k, groups, by_name, layout)
                 for k, s in enumerate(spec.synapses)]
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
    operations = build_operations(spec.groups, groups)
    return NetworkKernel(spec, groups, layout.manifest(real, spec.batch), real, synapses,
                         operations, build_schedule(groups, synapses, operations))


def _monitored(by_name: Dict[str, GroupKernel], name: str) -> GroupKernel:
    if name not in by_name:
        raise ModelError(f"the monitored group '{name}' is not part of the network",
                         where="monitor", symbol=name)
    return by_name[name]


def _build_group(g: GroupSpec, index: int, layout: Layout) -> GroupKernel:
    if g.generator:
        eqs = parse_equations("", ())
        kernel = GroupKernel(g.name, index, g.N, eqs, {}, {})
        own = ("group", index)
        kernel.generator = GeneratorIR(
            layout.slot(*own, "given_step", "int64", "given", False),
            layout.slot(*own, "given_index", "int32", "given", False),
            layout.counter(*own, "given_position", "given"),
            layout.counter(*own, "given_count", "given"))
        return kernel
    where = f"the equations of group '{g.name}'"
    functions = {n: timed_function(n, d) for n, d in g.functions}
    eqs = parse_equations(g.equations, g.params, where=where, functions=functions)
    # A TimedArray is read once per step, at the step's start, and held over the step
    # (exact when its dt is a multiple of the simulation's).
    calls = sorted({c for e in eqs.odes.values() for c in e.atoms(TimedArrayCall)}, key=str)
    held = {c: sp.Symbol(f"_ta{k}", real=True) for k, c in enumerate(calls)}
    eqs.odes = {v: e.xreplace(held) for v, e in eqs.odes.items()}
    names = eqs.names()
    for p in g.per_neuron:
        if p not in eqs.variables or not eqs.variables[p].is_param:
            raise ModelError(f"'{p}' is not a parameter of group '{g.name}'", where="params",
                             symbol=p)
    # Discrete-time statements may introduce their targets as new state variables.
    update_stmts = []
    if g.update:
        targets = _update_targets(g.update, eqs, names)
        update_stmts = parse_statements(g.update, names, targets,
                                        f"the update of group '{g.name}'", eqs.random_sites)

    arrays: Dict[str, Array] = {}
    shared: Dict[str, int] = {}
    for name, var in eqs.variables.items():
        if var.is_param and (var.shared or name not in g.per_neuron):
            shared[name] = layout.rarg("group", index, name, "param")
        else:
            role = "param" if var.is_param else "state"
            arrays[name] = Array(name, layout.slot("group", index, name, "real", role),
                                 "real", role)

    state_targets = {n: symbol(n) for n in eqs.state if n in arrays}
    refractory, not_ref_expr = _refractory(g, names, eqs)
    if refractory:
        role = "lastspike" if refractory == "time" else "not_refractory"
        # int32 steps: 4 bytes less per neuron and step to stream (runs up to 2**31 steps)
        ctype = "int32" if refractory == "time" else "uint8"
        arrays[role] = Array(role, layout.slot("group", index, role, ctype, "refractory"),
                             ctype, role)

    update: List[Assign] = [Assign(sym, call) for call, sym in held.items()]
    if not_ref_expr is not None:
        # A local flag for timed refractoriness; a per-neuron array for a condition.
        update.append(Assign(NOT_REFRACTORY, not_ref_expr, "bool",
                             declare=(refractory == "time")))

    method, statements = _ode_statements(g, eqs, refractory)
    update += statements
    # Discrete-time update statements (after the ODE step), held while refractory.
    for st in update_stmts:
        update.append(Assign(symbol(st.target), _held(st.value(symbol(st.target)), st.target,
                                                      refractory), declare=False))
    spike = _threshold(g, names, eqs, refractory)
    reset = _reset(g, names, eqs, state_targets, refractory)

    kernel = GroupKernel(g.name, index, g.N, eqs, arrays, shared, refractory=refractory,
                         method=method)
    own = ("group", index)
    kernel.timed = [TimedIR(n, layout.slot(*own, n, "real", "timed", False),
                            layout.iarg(*own, n, "timed_rows"),
                            layout.iarg(*own, n, "timed_columns"),
                            layout.rarg(*own, n, "timed_rate")) for n, _ in g.functions]
    input_draws: List[Draw] = []
    inputs = _poisson_inputs(g, eqs, kernel, layout, input_draws)
    calls = [c for e in [a.expr for a in update + reset] + ([spike] if spike is not None else [])
             for c in e.atoms(TimedArrayCall)]
    for ta in kernel.timed:
        ta.by_neuron = any(c.func.array_name == ta.name and c.args[1] == I_INDEX
                           for c in calls)
    _finish(kernel, update, spike, inputs, input_draws, reset, layout)
    return kernel


def _poisson_inputs(g: GroupSpec, eqs: EquationSet, k: GroupKernel, layout: Layout,
                    draws: List[Draw]) -> List[Assign]:
    """``var += weight * Poisson(mean)`` per PoissonInput; mean and weight are run scalars;
    their uniform draws are appended to ``draws``."""
    out = []
    for n, var in enumerate(g.inputs):
        if var not in eqs.variables or eqs.variables[var].is_param or var not in k.arrays:
            raise ModelError(f"a PoissonInput adds to '{var}', which is not a per-neuron "
                             f"variable of group '{g.name}' (it has "
                             f"{', '.join(eqs.state) or 'none'})", where="PoissonInput",
                             symbol=var)
        mean, weight = (sp.Symbol(f"_pin{n}_{x}", real=True) for x in ("mean", "weight"))
        for sym, what in ((mean, "mean"), (weight, "weight")):
            k.shared[sym.name] = layout.rarg("group", k.index, sym.name, "input_" + what, n)
        u = sp.Symbol(f"_pin{n}_u", real=True)
        draws.append(Draw(u, "uniform", streams.poisson_input(k.index, n)))
        out.append(Assign(symbol(var), symbol(var) + weight * PoissonCount(u, mean),
                          declare=False))
    return out


def _held(value: sp.Expr, var: str, refractory: Optional[str]) -> sp.Expr:
    """``value``, or the old value of ``var`` while the neuron is refractory."""
    if not refractory:
        return value
    return sp.Piecewise((value, NOT_REFRACTORY), (symbol(var), True))


def _ode_statements(g: GroupSpec, eqs: EquationSet, refractory: Optional[str]):
    """(method, statements) integrating the differential equations over one step."""
    if not eqs.odes:
        if g.method:
            raise ModelError(f"group '{g.name}' has no differential equations to integrate "
                             f"with method '{g.method}'", where="method", symbol=g.method)
        return None, []
    method = g.method or integrators.choose_method(eqs.odes, eqs.noise)
    out = [Assign(sp.Symbol(target, real=True), expr)
           for target, expr in integrators.integrate(eqs.odes, method, eqs.noise)]
    for var in eqs.odes:
        new = sp.Symbol(integrators.new_name(var), real=True)
        value = _held(new, var, refractory) if var in eqs.unless_refractory else new
        out.append(Assign(symbol(var), value, declare=False))
    return method, out


def _threshold(g: GroupSpec, names, eqs: EquationSet, refractory: Optional[str]):
    """The spike condition (None: the group never spikes)."""
    if not g.threshold:
        if g.reset:
            raise ModelError(f"group '{g.name}' has a reset but no threshold", where="reset")
        return None
    spike = parse_condition(g.threshold, names, Context(
        where=f"the threshold of group '{g.name}'", line=g.threshold, lineno=1,
        random_sites=eqs.random_sites))
    return sp.And(spike, NOT_REFRACTORY) if refractory else spike


def _reset(g: GroupSpec, names, eqs: EquationSet, targets, refractory: Optional[str]):
    """Statements for each spiking neuron: the user's reset, then the refractory clock."""
    reset = [Assign(symbol(st.target), st.value(symbol(st.target)), declare=False)
             for st in parse_statements(g.reset, names, targets,
                                        f"the reset of group '{g.name}'", eqs.random_sites)]
    if refractory == "time":
        reset.append(Assign(LASTSPIKE, STEP + 1, "int64", declare=False))
    elif refractory == "condition":
        reset.append(Assign(NOT_REFRACTORY, sp.false, "bool", declare=False))
    return reset


def _update_targets(text: str, eqs: EquationSet, names: Dict[str, sp.Basic]):
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


def _refractory(g: GroupSpec, names, eqs: EquationSet):
    """('time', not_refractory expr) | ('condition', expr) | (None, None)."""
    ref = g.refractory
    if ref is None or ref is False or (not isinstance(ref, str) and float(ref) == 0.0):
        return None, None
    if not g.threshold:
        raise ModelError(f"group '{g.name}' is refractory but has no threshold",
                         where="refractory")
    ctx = Context(where=f"the refractory period of group '{g.name}'",
                  line=ref if isinstance(ref, str) else None, lineno=1,
                  random_sites=eqs.random_sites)
    if isinstance(ref, str) and is_condition(ref):
        cond = parse_condition(ref, names, ctx)
        # Refractory after a spike for as long as the condition holds (Brian2's rule).
        return "condition", sp.Or(NOT_REFRACTORY, sp.Not(cond))
    duration = parse_expression(ref, names, ctx) if isinstance(ref, str) else sp.Float(ref)
    state = {symbol(n) for n in eqs.state}
    if duration.free_symbols & (state | {T}):
        raise ctx.error("a refractory duration may depend on parameters only")
    steps = sp.floor(duration / DT + sp.Rational(1, 2))
    return "time", sp.Le(LASTSPIKE, StepBound(STEP, steps))


def _finish(k: GroupKernel, update: List[Assign], spike: Optional[sp.Basic],
            inputs: List[Assign], input_draws: List[Draw], reset: List[Assign],
            layout: Layout) -> None:
    """Random draws, hoisting of run constants, the spike as a statement, loads and
    stores: the group's update and reset blocks."""
    draws = _extract_draws(update, k, "update")
    reset_draws = _extract_draws(reset, k, "reset")
    if spike is not None:
        spike = _replace_sites(spike, draws, k, "threshold")
    shared_syms = {symbol(n) for n in k.shared} | {DT, N_SIZE}
    neuron_syms = {symbol(n) for n, a in k.arrays.items() if a.role == "param"} | {I_INDEX}
    hoister = Hoister(shared_syms, neuron_syms)
    for a in update + reset:
        a.expr = hoister.visit(a.expr)
    if spike is not None:
        spike = hoister.visit(spike)
    k.run_scalars = hoister.scalars
    for assign in hoister.arrays:
        slot = layout.slot("group", k.index, assign.target.name, "real", "scratch")
        k.run_arrays.append((assign, Array(assign.target.name, slot, "real", "scratch")))
    for a in inputs:
        a.expr = hoister.visit(a.expr)
    update = common_subexpressions(update)
    arrays = {symbol(n): n for n, a in k.arrays.items() if a.role in ("state", "param")}
    arrays.update({s: s.name for s in (LASTSPIKE, NOT_REFRACTORY) if s.name in k.arrays})
    loads, stores = loads_and_stores(update + inputs, [spike] if spike is not None else [],
                                     arrays)
    # The spike is read after the update and before the inputs (as Brian2's PoissonInput).
    fire = [Assign(SPIKE, spike, "bool")] if spike is not None else []
    k.update = Block(loads, draws + input_draws, update + fire + inputs, stores)
    reset_loads, reset_stores = loads_and_stores(reset, [], arrays)
    k.reset = Block(reset_loads, reset_draws, reset, reset_stores)


def _extract_draws(stmts: List[Assign], k: GroupKernel, part: str) -> List[Draw]:
    draws: List[Draw] = []
    for a in stmts:
        a.expr = _replace_sites(a.expr, draws, k, part)
    for xi in k.equations.noise if part == "update" else []:
        if any(xi in a.expr.free_symbols for a in stmts):
            draws.append(Draw(xi, "normal", streams.noise(k.index, len(draws))))
    return draws


def _replace_sites(expr: sp.Basic, draws: List[Draw], k: GroupKernel, part: str) -> sp.Basic:
    return draw_sites(expr, draws, lambda site: streams.neuron(k.index, part, site))


def model_variables(equations: str, params, update: str = "", functions=()
                    ) -> Tuple[List[str], List[str]]:
    """(state variables, parameters) of a model; validates the equations and the update.
    ``functions`` holds (name, ndim) of the TimedArrays the model calls."""
    eqs = parse_equations(equations, params,
                          functions={n: timed_function(n, d) for n, d in functions})
    names = eqs.names()
    if update:
        targets = _update_targets(update, eqs, names)
        parse_statements(update, names, targets, "the update", [])
    state = [n for n, v in eqs.variables.items() if not v.is_param]
    return state, [n for n, v in eqs.variables.items() if v.is_param]
