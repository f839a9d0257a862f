"""Lowering pass: the state library synapse kinds keep per neuron of their target group.

A linear synapse kind (exponential, dual exponential, alpha) onto a group keeps one state
per postsynaptic neuron, shared by every pathway of the same kind and parameters (BrainPy's
post-aligned projections): a presynaptic spike adds its weight to the state of its target
neuron, and the state decays once per neuron and step, whatever the number of synapses.
The kind's equations are parsed as a block of their own, their names renamed with the
state's suffix (``g`` -> ``g_ampa``), and joined to the group's equations; the kind's output
(``g``, ``g*(E - V)``, Mg-blocked) is added wherever the model reads its input variable,
by substitution in the parsed equations, never by editing model text.

>>> from pyspike.codegen.equations import parse_equations
>>> from pyspike.codegen.spec import Extension
>>> eqs = parse_equations("dV/dt = (-V + R*I)/tau : mV\\nI : pA", ("R", "tau"))
>>> ext = Extension("exc", "dg/dt = -g/tau : 1", ("tau", "E"), (("g", "nS"),), "I",
...                 "g*(E - V)", "V")
>>> out = extend(eqs, (ext,), "the model")
>>> sorted(out.odes), out.odes["g_exc"]
(['V', 'g_exc'], -g_exc/tau_exc)
"""
from __future__ import annotations

from dataclasses import replace
from typing import Dict, Iterable, List, Tuple

from .equations import EquationSet, parse_equations, symbol
from .errors import ModelError
from .expressions import Context, parse_expression
from .spec import Extension


def extend(eqs: EquationSet, extensions: Iterable[Extension], where: str) -> EquationSet:
    """``eqs`` with the state and output of each of ``extensions`` joined to it."""
    for ext in extensions:
        eqs = _extend(eqs, ext, where)
    return eqs


def renamed(ext: Extension) -> Dict[str, str]:
    """Each local name of the extension's equations (state and parameters) -> the name it
    has in the model."""
    frag = parse_equations(ext.equations, ext.params)
    return {n: f"{n}_{ext.suffix}" for n in frag.variables}


def extension_names(ext: Extension) -> Tuple[List[str], List[str]]:
    """(state variables, parameters) the extension adds to the model, as named there."""
    frag = parse_equations(ext.equations, ext.params)
    names = renamed(ext)
    return ([names[n] for n, v in frag.variables.items() if not v.is_param],
            [names[n] for n, v in frag.variables.items() if v.is_param])


def own_params(params: Iterable[str], extensions: Iterable[Extension]) -> List[str]:
    """``params`` less those the extensions add (a model's own parameters)."""
    added = {p for ext in extensions for p in extension_names(ext)[1]}
    return [p for p in params if p not in added]


def _extend(eqs: EquationSet, ext: Extension, where: str) -> EquationSet:
    label = f"the synaptic state '{ext.suffix}' of {where}"
    frag = parse_equations(ext.equations, ext.params, where=label)
    names = renamed(ext)
    taken = sorted(n for n in names.values() if n in eqs.variables or n in eqs.subexpressions)
    if taken:
        raise ModelError(f"{label} names '{taken[0]}', which the model already has",
                         where=where, symbol=taken[0])
    rename = {symbol(a): symbol(b) for a, b in names.items()}
    units = dict(ext.units)
    variables = dict(eqs.variables)
    for n, v in frag.variables.items():
        variables[names[n]] = replace(v, name=names[n],
                                      unit=None if v.is_param else units.get(n, v.unit))
    local = {**eqs.names(), **{a: symbol(b) for a, b in names.items()}}
    if ext.voltage:
        local["V"] = symbol(ext.voltage)
    term = parse_expression(ext.term, local, Context(where=label, line=ext.term, lineno=1))
    target = symbol(ext.target)
    add = {target: target + term}
    odes = {v: e.xreplace(add) for v, e in eqs.odes.items()}
    if all(odes[v] == e for v, e in eqs.odes.items()):
        raise ModelError(f"synapses add to '{ext.target}', which no differential equation of "
                         f"the model reads (a model written as update= statements takes its "
                         f"input through Connection or on_pre code)", where=where,
                         symbol=ext.target)
    odes.update({names[v]: e.xreplace(rename) for v, e in frag.odes.items()})
    lines = dict(eqs.lines)
    lines.update({names[n]: (k, line, label) for n, (k, line, _) in frag.lines.items()})
    return replace(eqs, variables=variables, odes=odes, lines=lines,
                   subexpressions={n: e.xreplace(add) for n, e in eqs.subexpressions.items()},
                   held={n: e.xreplace(add) for n, e in eqs.held.items()})

