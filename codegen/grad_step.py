"""A neuron model as one differentiable step, the form gradient training works on.

A training layer runs a neuron model over T steps on an input given per step.  For the
backward pass the step is written as three maps of the model's state ``x`` (the values
after the last step), its input ``I`` and its scalar parameters ``theta``:

    h = F(x, I, theta)            the update: integration and the discrete statements
    u = g(h, theta)               a spike where u > 0 (the threshold ``a > b`` is a - b)
    x' = h + s*(r(h, theta) - h)  the reset, applied with the spike s = H(u)

which :mod:`grad` differentiates.  Everything is derived from the model's text with the
same parser and integrators as the simulator's kernels, so a library model or a user's own
equations trains with no code written for it.

Only what the outputs need is kept (a liveness pass): a state that the next step never
reads and that no threshold, reset or output reads is dropped, and a state no statement
changes is a constant (SPAIC's ``Iext``), read with the parameters.

>>> step = neuron_step(update="V = exp(-dt/tau_m)*V + Isyn + Iext\\nIsyn = 0",
...                    equations="Isyn : 1\\nIext : 1", threshold="V > v_th",
...                    reset="V = 0", params=("tau_m", "v_th"), input="Isyn")
>>> step.states, step.params
(('V',), ('dt', 'tau_m', 'v_th', 'Iext'))
>>> step.update[0]                       # _input: the layer's input this step
('V', Iext + V*exp(-dt/tau_m) + _input)
>>> step.threshold, step.reset
(V - v_th, (('V', 0),))
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Dict, List, Optional, Sequence, Set, Tuple

import sympy as sp

from . import integrators
from . import refractoriness
from .equations import DT, BUILTINS, EquationSet, Variable, parse_equations, symbol
from .errors import ModelError
from .expressions import Context, parse_condition
from .kernels import update_targets
from .refractoriness import refractory_period
from .spec import GroupSpec
from .statements import parse_statements

#: The input of a step, the symbol F reads for the layer's input.
INPUT = sp.Symbol("_input", real=True)
#: Whether the neuron may spike this step (1) or is refractory (0): F and the spike read it
#: as a number that has no derivative.
NOT_REFRACTORY = sp.Symbol("_nr", real=True)
#: The states refractoriness adds: steps since the last spike's step (a timed period), or
#: the flag that a condition clears (Brian2's rule, as codegen/refractoriness.py).
CLOCK, FLAG = "_refractory_clock", "_not_refractory"


@dataclass(frozen=True)
class NeuronStep:
    """One step of a neuron model as maps of sympy expressions (see the module's text).

    ``update`` gives h_k = F_k for every state the layer computes (in terms of the previous
    states' symbols, :data:`INPUT` and the parameters); ``threshold`` u = g(h) and
    ``reset`` r_k(h) read the symbols of the states as this step's h.  ``carried`` are the
    states whose previous value F reads; ``output`` is "spike" or the name of a state.
    """
    states: Tuple[str, ...]
    carried: Tuple[str, ...]
    params: Tuple[str, ...]
    update: Tuple[Tuple[str, sp.Expr], ...]
    threshold: Optional[sp.Expr]
    strict: bool
    reset: Tuple[Tuple[str, sp.Expr], ...]
    output: str
    constants: Tuple[str, ...] = ()
    #: whether the neuron may spike this step (1 or 0), in the previous states: None
    #: without refractoriness; F holds the (unless refractory) variables where it is 0
    refractory: Optional[sp.Expr] = None
    #: initial values of the states the step adds (the refractory clock or flag)
    initial: Tuple[Tuple[str, float], ...] = ()


def neuron_step(equations: str = "", update: str = "", threshold: str = "", reset: str = "",
                params: Sequence[str] = (), input: str = "I", method: Optional[str] = None,
                output: Optional[str] = None, where: str = "the training layer",
                refractory=None) -> NeuronStep:
    """The step of a model given by its texts, as a :class:`NeuronStep`.

    ``input`` names the variable the layer's input sets each step (SPAIC's ``Isyn``, a
    current ``I``); ``output`` a state to emit instead of spikes (a readout without a
    threshold emits its potential and must name it); ``refractory`` is the simulator's
    (a duration in ms, an expression of parameters, or a condition), with its meaning:
    the (unless refractory) variables and the discrete statements are held, and the
    neuron does not spike, for the same steps."""
    eqs = parse_equations(equations, list(params), where=f"the equations of {where}")
    names = eqs.names()
    if update:             # statements may introduce new states, as the simulator's do
        update_targets(update, eqs, names)
    if input not in eqs.variables:
        raise ModelError(f"the input {input!r} is not a variable of the model of {where} "
                         f"(its variables: {', '.join(eqs.variables) or 'none'})",
                         where=where, symbol=input)
    _refuse_unsupported(eqs, where)
    values: Dict[sp.Symbol, sp.Expr] = {symbol(n): symbol(n) for n in eqs.variables}
    # an input the model integrates (a conductance ge) receives the input added at the
    # start of the step, as a synapse's on_pre += delivers it; a parameter or a per-step
    # variable (SPAIC's Isyn, a current I) is set to it
    values[symbol(input)] = symbol(input) + INPUT if input in eqs.odes else INPUT
    for n, e in eqs.held.items():
        values[symbol(n)] = e.xreplace(values)
    nr, clock = _refractoriness(refractory, threshold, names, eqs, values, where)
    hold = (lambda new, old: new) if nr is None else (
        lambda new, old: sp.Piecewise((new, NOT_REFRACTORY > 0), (old, True)))
    if eqs.odes:
        method = method or integrators.choose_method(eqs.odes, eqs.noise)
        steps = integrators.integrate(eqs.odes, method, eqs.noise)
        local = dict(values)
        for target, expr in steps:          # _new_v = ..., reading the old values
            local[sp.Symbol(target, real=True)] = expr.xreplace(local)
        for var in eqs.odes:
            new = local[sp.Symbol(integrators.new_name(var), real=True)]
            values[symbol(var)] = hold(new, values[symbol(var)]) \
                if var in eqs.unless_refractory else new
    states = {n: symbol(n) for n in eqs.state}
    for st in parse_statements(update, names, states, f"the update of {where}",
                               eqs.random_sites):
        target = symbol(st.target)
        # (reads the values so far; held while refractory, as the simulator holds it)
        values[target] = hold(st.value(target).xreplace(values), values[target])
    _refuse_random(eqs, where)
    g, strict = _threshold(threshold, names, where, eqs)
    resets = _reset(reset, names, states, where, eqs)
    if clock is not None:
        name, start, after = clock
        values[symbol(name)] = after
        resets[symbol(name)] = sp.Integer(0)
        eqs.variables[name] = Variable(name)
        step = _live(eqs, values, g, strict, resets, input, output, where, nr)
        return replace(step, refractory=nr, initial=((name, start),))
    return _live(eqs, values, g, strict, resets, input, output, where)


def _refractoriness(refractory, threshold: str, names, eqs: EquationSet,
                    values: Dict[sp.Symbol, sp.Expr], where: str):
    """(whether the neuron may spike this step, in the previous states; the state it adds:
    (name, initial value, its value after the step before any reset)), or (None, None)."""
    if refractory is None or refractory is False or (
            not isinstance(refractory, str) and float(refractory) == 0.0):
        return None, None
    g = GroupSpec("layer", 1, threshold=threshold or "", refractory=refractory)
    kind, expr = refractory_period(g, names, eqs)
    if kind == "condition":        # not_refractory | !cond, on the values so far
        flag = symbol(FLAG)
        cond = expr.xreplace({refractoriness.NOT_REFRACTORY: flag > 0}).xreplace(values)
        nr = sp.Piecewise((sp.Integer(1), cond), (sp.Integer(0), True))
        return nr, (FLAG, 1.0, nr)
    # lastspike <= step - steps, with the clock = step - lastspike (lastspike = the spike's
    # step + 1): steps since the spike's step less one; never spiked: far beyond
    steps = expr.args[1].args[1]
    clock = symbol(CLOCK)
    nr = sp.Piecewise((sp.Integer(1), clock >= steps.xreplace(values)), (sp.Integer(0), True))
    return nr, (CLOCK, 1e9, clock + 1)


def _refuse_unsupported(eqs: EquationSet, where: str) -> None:
    if eqs.noise:
        raise ModelError(f"the model of {where} has noise (xi): a training layer needs a "
                         "deterministic step", where=where, symbol=str(eqs.noise[0]))
    if eqs.functions:
        name = next(iter(eqs.functions))
        raise ModelError(f"the model of {where} calls the TimedArray {name!r}: a training "
                         "layer's input is its only time-varying input", where=where,
                         symbol=name)


def _refuse_random(eqs: EquationSet, where: str) -> None:
    if eqs.random_sites:
        raise ModelError(f"the model of {where} draws random numbers (rand/randn): a "
                         "training layer needs a deterministic step", where=where,
                         symbol="rand")


def _threshold(text: str, names, where: str, eqs: EquationSet
               ) -> Tuple[Optional[sp.Expr], bool]:
    """``u`` with a spike where u > 0 (or u >= 0: ``strict`` False)."""
    if not text:
        return None, True
    cond = parse_condition(text, names, Context(where=f"the threshold of {where}", line=text,
                                                lineno=1, random_sites=eqs.random_sites))
    if isinstance(cond, (sp.StrictGreaterThan, sp.GreaterThan)):
        return sp.expand(cond.lhs - cond.rhs), isinstance(cond, sp.StrictGreaterThan)
    if isinstance(cond, (sp.StrictLessThan, sp.LessThan)):
        return sp.expand(cond.rhs - cond.lhs), isinstance(cond, sp.StrictLessThan)
    raise ModelError(f"the threshold {text!r} of {where} is not one comparison such as "
                     "'v > v_th': a surrogate gradient needs the distance to the threshold",
                     where=where, symbol=text)


def _reset(text: str, names, states, where: str, eqs: EquationSet
           ) -> Dict[sp.Symbol, sp.Expr]:
    """Each reset target's value after a spike, in terms of the step's values h."""
    values: Dict[sp.Symbol, sp.Expr] = {}
    for st in parse_statements(text, names, states, f"the reset of {where}",
                               eqs.random_sites):
        target = symbol(st.target)
        current = dict(values)        # a statement reads the ones before it
        values[target] = st.value(target).xreplace(current)
    return values


def _live(eqs: EquationSet, values: Dict[sp.Symbol, sp.Expr], g: Optional[sp.Expr],
          strict: bool, resets: Dict[sp.Symbol, sp.Expr], input: str,
          output: Optional[str], where: str, nr: Optional[sp.Expr] = None) -> NeuronStep:
    """Keep the states the outputs need, make the unchanged ones constants."""
    state_syms = {symbol(n) for n in eqs.state if n != input}
    if g is None and output is None:
        raise ModelError(f"the model of {where} has no threshold: name the state it emits "
                         "with output= (a readout's potential, say)", where=where)
    if output is not None and symbol(output) not in state_syms:
        raise ModelError(f"output={output!r} is not a state of the model of {where} "
                         f"(its states: {', '.join(sorted(map(str, state_syms))) or 'none'})",
                         where=where, symbol=output)
    constants = [k for k in state_syms if values[k] == k and k not in resets]
    const_set = set(constants)
    live_h: Set[sp.Symbol] = set()
    need = set((g.free_symbols if g is not None else set()) | (
        {symbol(output)} if output else set())) & state_syms
    carried: Set[sp.Symbol] = set()
    if nr is not None:            # (the refractory clock or flag, and what it reads)
        state_syms |= {s for s in nr.free_symbols if s.name in (CLOCK, FLAG)}
        carried |= nr.free_symbols & state_syms
        need |= carried
    while need:
        k = need.pop()
        if k in live_h or k in const_set:
            continue
        live_h.add(k)
        more = values[k].free_symbols & state_syms      # previous values F reads
        carried |= more - const_set
        more |= resets.get(k, sp.Integer(0)).free_symbols & state_syms
        more |= carried
        need |= more - live_h
    order = [n for n in eqs.state if symbol(n) in live_h]
    used = _all_symbols(values, live_h, g, resets) | (nr.free_symbols if nr is not None
                                                      else set())
    fixed_params = [p for p in ("dt",) if DT in used]
    params = fixed_params + [n for n, v in eqs.variables.items() if v.is_param] + \
        [str(k) for k in sorted(constants, key=str)]
    _refuse_builtins(values, live_h, g, resets, where)
    return NeuronStep(
        states=tuple(order), carried=tuple(n for n in order if symbol(n) in carried),
        params=tuple(dict.fromkeys(params)),
        update=tuple((n, values[symbol(n)]) for n in order),
        threshold=g, strict=strict,
        reset=tuple((str(k), v) for k, v in resets.items() if k in live_h),
        output=output or "spike", constants=tuple(str(k) for k in sorted(constants, key=str)))


def _all_symbols(values, live, g, resets) -> Set[sp.Symbol]:
    out: Set[sp.Symbol] = set()
    for k in live:
        out |= values[k].free_symbols | resets.get(k, sp.Integer(0)).free_symbols
    return out | (g.free_symbols if g is not None else set())


def _refuse_builtins(values, live, g, resets, where: str) -> None:
    """t, i and N have no value in a training layer (its steps are not a simulation's)."""
    used = _all_symbols(values, live, g, resets)
    for name in ("t", "i", "N"):
        if BUILTINS[name] in used:
            raise ModelError(f"the model of {where} reads '{name}', which a training layer "
                             "does not define: write the model without it", where=where,
                             symbol=name)


def symbols_of(names: List[str]) -> List[sp.Symbol]:
    """The sympy symbols of variable names (as the equations spell them)."""
    return [symbol(n) for n in names]
