"""EventProp (Wunderlich & Pehle 2021, Sci Rep 11:12829): exact gradients of a spiking
network, derived with sympy from a neuron model's equations, threshold, reset and synaptic
jump.

A neuron's state x follows dx/dt = f(x) between events.  It spikes where the threshold
function g(x) (``V > theta`` gives g = V - theta) crosses 0 upwards, and its state jumps to
the reset map r(x).  A presynaptic spike adds h(w) to the state (``I += w``; h must not
depend on x: EventProp here takes additive jumps only).  With the adjoint
lambda_k(t) = dL/dx_k(t), the sensitivity of the loss to the state at time t, the backward
pass (integrated from T down to 0) is

    d lambda/dt = -(df/dx)^T lambda                                  between events
    lambda^-    = R^T lambda^+ - grad g (lambda^+ . (R f^- - f^+) + dL/dt_s) / (grad g . f^-)
                                                      at the neuron's own spike t_s
    dL/dt_pre  += lambda . (f(x) - f(x + h))          at each presynaptic spike (to the
                                                      presynaptic neuron's dL/dt_s)
    dL/dw      += lambda . dh/dw                      at each spike of the weight's source

with R = dr/dx, f^- = f(x^-), f^+ = f(r(x^-)) and dL/dt_s the loss's own derivative with
respect to the spike time plus what the next layer returned for it (the line above).  The
second line comes from the spike time's dependence on the state,
dt_s = -grad g . dx^- / (grad g . f^-); all four are sympy's ``diff`` of the model's text,
nothing is written per model.

Relation to the paper: its adjoints are defined through the Lagrangian of
``tau_m dV/dt + V - I`` and ``tau_s dI/dt + I``, so that lambda_V = -tau_m Lambda_V and
lambda_I = -tau_s Lambda_I (Lambda: the paper's).  Its eq. for dL/dw_ji = -tau_s sum
Lambda_I reads here dL/dw_ji = sum lambda_I at the presynaptic spikes.  As in mlGeNN's
``auto_eventprop`` branch (which does the same for GeNN; unmerged), the threshold condition
g = 0 is solved for one state to spare saving it (V = theta at a LIF's spike).

>>> m = eventprop_model("dV/dt = (-V + I)/tau_m : 1\\ndI/dt = -I/tau_s : 1",
...                     threshold="V > theta", reset="V = 0", on_pre="I += w",
...                     params=("tau_m", "tau_s", "theta"))
>>> dict(m.adjoint)
{'V': _lambda_V/tau_m, 'I': _lambda_I/tau_s - _lambda_V/tau_m}
>>> m.saved_at_spike, m.weight_grad, m.solved
(('I',), _lambda_I, ('V', theta))
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import sympy as sp

from . import integrators
from .equations import BUILTINS, EquationSet, parse_equations, symbol
from .errors import ModelError
from .expressions import Context, parse_condition
from .statements import parse_statements

#: dL/dt_s of a spike: the loss's derivative with respect to the spike time plus what the
#: next layer's backward pass gives for it (its input_time terms)
DLDT = sp.Symbol("_dL_dt", real=True)
#: functions whose kink or jump would make the threshold's crossing time not smooth
_NOT_SMOOTH = (sp.Abs, sp.sign, sp.Piecewise, sp.floor, sp.ceiling, sp.Heaviside, sp.Min,
               sp.Max)


def lam(name: str) -> sp.Symbol:
    """The adjoint of the state ``name``: dL/d name(t)."""
    return sp.Symbol(f"_lambda_{name}", real=True)


@dataclass(frozen=True)
class EventPropModel:
    """A neuron model's forward maps and its derived EventProp backward maps.

    Expressions read the states' symbols (before the event for ``spike_jump`` and
    ``input_time``), the adjoints ``lam(name)`` (after the event), :data:`DLDT`, the
    parameters and the weight.  ``spike_jump`` gives every state's lambda^- (None for a
    readout without a threshold); ``saved_at_spike`` are the states it reads (one is spared
    by solving g = 0: ``solved``), ``saved_at_input`` those ``input_time`` reads (none
    when f is linear)."""
    states: Tuple[str, ...]
    params: Tuple[str, ...]
    weight: str
    flow: Tuple[Tuple[str, sp.Expr], ...]
    threshold: Optional[sp.Expr]
    reset: Tuple[Tuple[str, sp.Expr], ...]
    jump: Tuple[Tuple[str, sp.Expr], ...]
    adjoint: Tuple[Tuple[str, sp.Expr], ...]
    spike_jump: Optional[Tuple[Tuple[str, sp.Expr], ...]]
    input_time: sp.Expr
    weight_grad: sp.Expr
    saved_at_spike: Tuple[str, ...]
    solved: Optional[Tuple[str, sp.Expr]]
    saved_at_input: Tuple[str, ...]
    linear: bool

    @property
    def adjoint_reads_state(self) -> bool:
        """Whether the adjoint ODEs read the state (f not linear): then the backward pass
        needs x(t), integrated back from states saved by the forward pass."""
        xs = {symbol(n) for n in self.states}
        return any(e.free_symbols & xs for _, e in self.adjoint)

    def backward_odes(self) -> Dict[str, sp.Expr]:
        """The ODEs in reversed time s = T - t that the backward pass integrates forward in
        s: d lambda/ds = (df/dx)^T lambda, with dx/ds = -f(x) where the adjoint reads x.
        Keys are the symbols' names (``_lambda_V``, and ``V``)."""
        odes = {str(lam(n)): -e for n, e in self.adjoint}
        if self.adjoint_reads_state:
            odes.update({n: -f for n, f in self.flow})
        return odes


def eventprop_model(equations: str, threshold: str = "", reset: str = "", on_pre: str = "",
                    params: Sequence[str] = (), weight: str = "w", spiking: bool = True,
                    where: str = "the EventProp layer") -> EventPropModel:
    """Derive a model's EventProp maps (see the module's text).  ``spiking=False`` takes a
    readout without a threshold (its adjoint has no jumps at its own spikes)."""
    eqs = parse_equations(equations, list(params), where=f"the equations of {where}")
    _refuse_unsupported(eqs, where)
    if weight in eqs.variables or weight in BUILTINS:
        raise ModelError(f"the weight's name {weight!r} is a name of the model of {where}: "
                         "name the weight otherwise with weight=", where=where, symbol=weight)
    names = eqs.names()
    assignable = {n: symbol(n) for n in eqs.state}
    resets = _statements(reset, names, assignable, f"the reset of {where}", eqs)
    with_w = dict(names, **{weight: symbol(weight)})
    jumps = _statements(on_pre, with_w, assignable, f"on_pre of {where}", eqs)
    states = [n for n in eqs.state if n in eqs.odes or symbol(n) in resets
              or symbol(n) in jumps]
    xs = [symbol(n) for n in states]
    params_all = [n for n in eqs.variables if n not in states]
    flow = [eqs.odes.get(n, sp.Integer(0)) for n in states]
    flow = [f.xreplace({symbol(k): v for k, v in eqs.held.items()}) for f in flow]
    _refuse_time(flow, where)
    r = [resets.get(x, x) for x in xs]
    h = _additive_jump(jumps, xs, symbol(weight), on_pre, where)
    g = _threshold(threshold, names, eqs, xs, flow, r, spiking, where)
    adjoint = [-sum((sp.diff(fk, xr) * lam(k) for k, fk in zip(states, flow)), sp.Integer(0))
               for xr in xs]
    lams = [lam(n) for n in states]
    after = {x: x + hk for x, hk in zip(xs, h)}
    input_time = sp.expand(sum((lk * (fk - fk.xreplace(after)) for lk, fk in zip(lams, flow)),
                               sp.Integer(0)))
    weight_grad = sum((lk * sp.diff(hk, symbol(weight)) for lk, hk in zip(lams, h)),
                      sp.Integer(0))
    spike_jump, solved, saved = None, None, ()
    if g is not None:
        spike_jump, solved = _spike_jump(xs, lams, flow, r, g)
        used = set().union(*(e.free_symbols for e in spike_jump))
        saved = tuple(n for n, x in zip(states, xs) if x in used)
    return EventPropModel(
        states=tuple(states), params=tuple(params_all), weight=weight,
        flow=tuple(zip(states, flow)), threshold=g,
        reset=tuple((str(x), v) for x, v in resets.items()),
        jump=tuple((n, hk) for n, hk in zip(states, h) if hk != 0),
        adjoint=tuple(zip(states, adjoint)),
        spike_jump=None if spike_jump is None else tuple(zip(states, spike_jump)),
        input_time=input_time, weight_grad=weight_grad, saved_at_spike=saved,
        solved=solved,
        saved_at_input=tuple(n for n, x in zip(states, xs) if x in input_time.free_symbols),
        linear=bool(flow) and integrators.choose_method(dict(zip(states, flow)), []) == "exact")


def _refuse_unsupported(eqs: EquationSet, where: str) -> None:
    if eqs.noise:
        raise ModelError(f"the model of {where} has noise (xi): EventProp's gradients are "
                         "those of a deterministic flow between events", where=where,
                         symbol=str(eqs.noise[0]))
    if eqs.random_sites:
        raise ModelError(f"the model of {where} draws random numbers (rand/randn): EventProp "
                         "needs a deterministic flow", where=where, symbol="rand")
    if eqs.functions:
        name = next(iter(eqs.functions))
        raise ModelError(f"the model of {where} calls the TimedArray {name!r}: an EventProp "
                         "layer's only time-varying input is its presynaptic spikes",
                         where=where, symbol=name)


def _refuse_time(flow: List[sp.Expr], where: str) -> None:
    for name in ("t", "i", "N"):
        if any(BUILTINS[name] in f.free_symbols for f in flow):
            raise ModelError(f"the equations of {where} read '{name}': an EventProp layer "
                             "integrates a flow that depends on the state only",
                             where=where, symbol=name)


def _statements(text: str, names, targets, where: str, eqs: EquationSet
                ) -> Dict[sp.Symbol, sp.Expr]:
    """Each target's new value in terms of the values before the statements (a statement
    reads the ones before it, as the simulator runs them)."""
    values: Dict[sp.Symbol, sp.Expr] = {}
    for st in parse_statements(text, names, targets, where, eqs.random_sites):
        target = symbol(st.target)
        values[target] = st.value(target).xreplace(dict(values))
    if eqs.random_sites:
        raise ModelError(f"{where} draws random numbers: EventProp needs deterministic "
                         "events", where=where, symbol="rand")
    return values


def _additive_jump(jumps: Dict[sp.Symbol, sp.Expr], xs: List[sp.Symbol], w: sp.Symbol,
                   text: str, where: str) -> List[sp.Expr]:
    """h_k with x_k -> x_k + h_k at a presynaptic spike; refused unless h reads no state."""
    if not jumps:
        raise ModelError(f"on_pre of {where} is empty: say how a presynaptic spike changes "
                         f"the neuron, e.g. 'I += {w}'", where=where, symbol="on_pre")
    h = [sp.expand(jumps.get(x, x) - x) for x in xs]
    for x, hk in zip(xs, h):
        reads = sorted(str(y) for y in hk.free_symbols & set(xs))
        if reads:
            raise ModelError(f"the synaptic jump {text!r} of {where} changes {x} by "
                             f"{hk}, which depends on the state ({', '.join(reads)}): "
                             "EventProp here takes additive jumps only (x += h(w), as "
                             "'I += w'), whose adjoint is continuous at the input spike",
                             where=where, symbol=str(x))
    if not any(w in hk.free_symbols for hk in h):
        raise ModelError(f"the synaptic jump {text!r} of {where} does not read the weight "
                         f"{w}: there would be nothing to learn", where=where, symbol=str(w))
    return h


def _threshold(text: str, names, eqs: EquationSet, xs: List[sp.Symbol], flow, r,
               spiking: bool, where: str) -> Optional[sp.Expr]:
    """g with a spike where g crosses 0 upwards, refused unless it is one smooth crossing
    that the flow can reach and the reset leaves."""
    if not text:
        if spiking:
            raise ModelError(f"the model of {where} has no threshold: EventProp's spikes are "
                             "where a threshold such as 'V > theta' is crossed (a readout "
                             "without one records its potential instead)", where=where,
                             symbol="threshold")
        return None
    if not spiking:
        raise ModelError(f"a readout of {where} records its potential and has no spikes: "
                         f"give it no threshold (got {text!r})", where=where, symbol=text)
    cond = parse_condition(text, names, Context(where=f"the threshold of {where}", line=text,
                                                lineno=1, random_sites=eqs.random_sites))
    if isinstance(cond, (sp.StrictGreaterThan, sp.GreaterThan)):
        g = sp.expand(cond.lhs - cond.rhs)
    elif isinstance(cond, (sp.StrictLessThan, sp.LessThan)):
        g = sp.expand(cond.rhs - cond.lhs)
    else:
        raise ModelError(f"the threshold {text!r} of {where} is not a single threshold "
                         "crossing: EventProp needs one comparison such as 'V > theta' (a "
                         "spike where V - theta crosses 0), not a combination of conditions",
                         where=where, symbol=text)
    if eqs.random_sites:
        raise ModelError(f"the threshold {text!r} of {where} draws random numbers: a spike "
                         "time must be a smooth function of the state", where=where,
                         symbol="rand")
    for name in ("t", "i", "N"):
        if BUILTINS[name] in g.free_symbols:
            raise ModelError(f"the threshold {text!r} of {where} reads '{name}': EventProp "
                             "needs a threshold on the state only", where=where, symbol=name)
    if g.has(*_NOT_SMOOTH):
        raise ModelError(f"the threshold {text!r} of {where} is not a single smooth "
                         "crossing (it has a kink or a jump): EventProp differentiates the "
                         "spike time through the threshold's gradient", where=where,
                         symbol=text)
    crossing = sp.simplify(sum((sp.diff(g, x) * f for x, f in zip(xs, flow)), sp.Integer(0)))
    if crossing == 0:
        raise ModelError(f"the threshold {text!r} of {where} reads no variable that the "
                         "equations change in time, so the flow never crosses it",
                         where=where, symbol=text)
    if sp.simplify(g.xreplace(dict(zip(xs, r))) - g) == 0:
        raise ModelError(f"the reset of {where} leaves the threshold {text!r} where it was "
                         "crossed: EventProp needs a reset that takes the state back below "
                         "it (as 'V = 0')", where=where, symbol="reset")
    return g


def _spike_jump(xs: List[sp.Symbol], lams: List[sp.Symbol], flow: List[sp.Expr],
                r: List[sp.Expr], g: sp.Expr
                ) -> Tuple[List[sp.Expr], Optional[Tuple[str, sp.Expr]]]:
    """lambda^- at the neuron's own spike, with the threshold condition g = 0 solved for
    one state where it can be (that state needs no saving)."""
    n = len(xs)
    R = sp.Matrix(n, n, lambda k, j: sp.diff(r[k], xs[j]))
    f_minus = sp.Matrix(flow)
    f_plus = f_minus.xreplace(dict(zip(xs, r)))
    grad = [sp.diff(g, x) for x in xs]
    crossing = sum((gk * fk for gk, fk in zip(grad, flow)), sp.Integer(0))
    L = sp.Matrix(lams)
    term = (L.T * (R * f_minus - f_plus))[0] + DLDT
    jump = [(R[:, j].T * L)[0] - grad[j] * term / crossing for j in range(n)]
    solved = _solve_threshold(g, xs)
    if solved is not None:
        jump = [e.xreplace({symbol(solved[0]): solved[1]}) for e in jump]
    return [sp.factor_terms(sp.cancel(e)) for e in jump], solved


def _solve_threshold(g: sp.Expr, xs: List[sp.Symbol]) -> Optional[Tuple[str, sp.Expr]]:
    """(state, its value at the spike) from g = 0, for the first state in which g is
    linear (V = theta at a LIF's spike; V = theta + A with an adaptive threshold)."""
    for x in xs:
        if x in g.free_symbols and sp.diff(g, x, 2) == 0:
            slope = sp.diff(g, x)
            if slope.free_symbols & set(xs):
                continue
            return str(x), sp.expand(x - g / slope)
    return None
