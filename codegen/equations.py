"""Equation strings -> a sympy description of one model (the equations IR).

The language is Brian2's, with plain numbers instead of unit objects::

    dv/dt = (v_rest - v + R*I) / tau_m : mV (unless refractory)   # a differential equation
    I_syn = g*(E - v) : nA                                          # a subexpression
    I : nA                                                          # a declared variable
    tau : ms (constant, shared)                                     # flags

The ``: unit`` part is kept as documentation.  Names from ``params`` are parameters;
names declared in the equations are per-neuron state unless flagged ``(shared)``.
Noise terms are written with ``xi`` (or ``xi_name`` for independent sources).

>>> eqs = parse_equations("dv/dt = -v/tau : mV", params=["tau"])
>>> eqs.odes
{'v': -v/tau}
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Set

import sympy as sp

from .errors import ModelError
from .expressions import Context, check_identifier, parse_expression

ALLOWED_FLAGS = ("unless refractory", "constant", "shared", "event-driven", "clock-driven",
                 "summed")
#: Flags that only synapse models may use.
#: (clock-driven) is the default for synaptic equations; Brian2 models often say it.
SYNAPTIC_FLAGS = ("event-driven", "clock-driven", "summed")
_ODE = re.compile(r"^\s*d\s*([A-Za-z_]\w*)\s*/\s*dt\s*=(.*)$")
_SUBEXPR = re.compile(r"^\s*([A-Za-z_]\w*)\s*=(.*)$")
_DECL = re.compile(r"^\s*([A-Za-z_]\w*)\s*$")
_UNIT = re.compile(r"^[A-Za-z0-9_*/^.\s()+-]*$")
_FLAGS = re.compile(r"\(([^()]*)\)\s*$")


def symbol(name: str) -> sp.Symbol:
    """The one sympy symbol used for ``name`` throughout codegen."""
    return sp.Symbol(name, real=True)


T, DT, I_INDEX, N_SIZE = symbol("t"), symbol("dt"), symbol("i"), symbol("N")
#: Always-available names and their symbols.
BUILTINS = {"t": T, "dt": DT, "i": I_INDEX, "N": N_SIZE}


@dataclass
class Variable:
    name: str
    unit: str = "1"
    flags: Set[str] = field(default_factory=set)
    is_param: bool = False        # from params=, or flagged (constant)

    @property
    def shared(self) -> bool:
        return "shared" in self.flags


@dataclass
class EquationSet:
    """The parsed equations of one model."""
    variables: Dict[str, Variable]           # state variables and parameters, in order
    odes: Dict[str, sp.Expr]                 # var -> right-hand side, subexpressions substituted
    subexpressions: Dict[str, sp.Expr]       # name -> expression, substituted
    unless_refractory: Set[str]
    noise: List[sp.Symbol]                   # xi symbols in order of appearance
    random_sites: List[sp.Expr]              # rand()/randn() call sites
    functions: Dict[str, type] = field(default_factory=dict)   # TimedArrays by name
    summed: Set[str] = field(default_factory=set)   # synapse subexpressions flagged (summed)

    def names(self) -> Dict[str, sp.Basic]:
        """Every name an expression of this model may read."""
        out = dict(BUILTINS)
        out.update(self.functions)
        out.update({n: symbol(n) for n in self.variables})
        out.update({n: symbol(n) for n in self.subexpressions})
        return out

    @property
    def state(self) -> List[str]:
        """Variables that change during a run (everything that is not a parameter)."""
        return [n for n, v in self.variables.items() if not v.is_param]


def _split_unit_flags(text: str, ctx: Context):
    flags: Set[str] = set()
    match = _FLAGS.search(text)
    unit = (text[:match.start()] if match else text).strip() or "1"
    if not _UNIT.match(unit) or (match and not match.group(1).strip()):
        raise ctx.error(f"'{text.strip()}' is not a unit (write e.g. ': mV', ': nS', ': 1', "
                        "then any flags in parentheses); note that ':' starts the unit",
                        None, unit)
    if match:
        offset = match.start(1)
        for raw in match.group(1).split(","):
            flag = " ".join(raw.split())
            if flag not in ALLOWED_FLAGS:
                col = None
                if ctx.line:
                    col = len(ctx.line) - len(text) + offset + (len(raw) - len(raw.lstrip()))
                raise ctx.error(f"unknown flag '{flag}': allowed flags are "
                                + ", ".join(f"'{f}'" for f in ALLOWED_FLAGS), col, flag)
            flags.add(flag)
            offset += len(raw) + 1
    return unit, flags


def parse_equations(text: str, params: Iterable[str] = (), where: str = "the equations",
                    functions: Optional[Dict[str, type]] = None, synaptic: bool = False,
                    outer: Optional[Dict[str, sp.Basic]] = None) -> EquationSet:
    """Parse a block of equations; ``params`` are the names given values by the user,
    ``functions`` the TimedArrays (name -> :func:`timed_function` class) it may call,
    ``outer`` names from elsewhere it may read (a synapse's ``v_post``), which its own
    names override."""
    params = list(params)
    functions = dict(functions or {})
    sites: List[sp.Expr] = []
    parsed = []          # (kind, name, expr text, ctx, column of expr)
    variables: Dict[str, Variable] = {}
    subexpr_names: Dict[str, Context] = {}
    ode_names: Set[str] = set()
    summed: Set[str] = set()
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0]
        if not line.strip():
            continue
        ctx = Context(where=where, line=line, lineno=lineno, random_sites=sites)
        if "\\" in line:
            raise ctx.error("backslashes are not allowed: write each equation on one line",
                            line.index("\\"))
        lhs, sep, rest = line.partition(":")
        unit, flags = _split_unit_flags(rest, ctx) if sep else ("1", set())
        for kind, pattern in (("ode", _ODE), ("subexpr", _SUBEXPR), ("decl", _DECL)):
            match = pattern.match(lhs)
            if match:
                break
        else:
            raise ctx.error("expected 'dx/dt = expression : unit', 'name = expression : unit' "
                            "or 'name : unit'")
        name = match.group(1)
        check_identifier(name, ctx, "variable name", line.index(name))
        if name in variables or name in subexpr_names:
            raise ctx.error(f"'{name}' is defined twice", line.index(name), name)
        if kind == "subexpr":
            if "summed" in flags and not synaptic:
                raise ctx.error("the flag '(summed)' applies to subexpressions of synapse "
                                "models only", None, name)
            if flags - {"shared", "constant", "summed"}:
                raise ctx.error(f"the flag '({sorted(flags - {'shared', 'constant'})[0]})' "
                                "only applies to differential equations", None, name)
            subexpr_names[name] = ctx
            if "summed" in flags:
                summed.add(name)
        else:
            if kind == "decl" and "unless refractory" in flags:
                raise ctx.error("the flag '(unless refractory)' only applies to differential "
                                "equations", None, name)
            if flags & set(SYNAPTIC_FLAGS) and (kind != "ode" or not synaptic
                                                or "summed" in flags):
                flag = sorted(flags & set(SYNAPTIC_FLAGS))[0]
                raise ctx.error(f"the flag '({flag})' applies to "
                                + ("subexpressions" if flag == "summed" else
                                   "differential equations") + " of synapse models only",
                                None, name)
            if {"event-driven", "clock-driven"} <= flags:
                raise ctx.error(f"'{name}' cannot be both (event-driven) and (clock-driven)",
                                None, name)
            if kind == "ode" and flags & {"constant", "shared"}:
                raise ctx.error(f"'{name}' changes in time (it has an equation), so it cannot "
                                "be (constant) or (shared)", None, name)
            # (constant) and (shared) declarations do not change during a run: parameters.
            variables[name] = Variable(name, unit, flags, is_param=(
                kind == "decl" and bool(flags & {"constant", "shared"})))
            if kind == "ode":
                ode_names.add(name)
        if kind != "decl":
            expr_text = match.group(2)
            parsed.append((kind, name, expr_text, ctx, lhs.rindex(expr_text)))
    for name in params:
        check_identifier(name, Context(where="params"), "parameter name")
        if name in ode_names or name in subexpr_names:
            raise ModelError(f"'{name}' is given in params but also defined by an equation",
                             where="params", symbol=name)
        if name in variables:
            variables[name].is_param = True
        else:
            variables[name] = Variable(name, is_param=True)

    for name in functions:
        check_identifier(name, Context(where="params"), "TimedArray name")
        if name in variables or name in subexpr_names:
            raise ModelError(f"'{name}' names a TimedArray and a variable", where="params",
                             symbol=name)
    names: Dict[str, sp.Basic] = dict(BUILTINS)
    names.update(functions)
    names.update(outer or {})
    names.update({n: symbol(n) for n in variables})
    names.update({n: symbol(n) for n in subexpr_names})
    noise: List[sp.Symbol] = []
    exprs: Dict[str, sp.Expr] = {}
    for kind, name, expr_text, ctx, col in parsed:
        local = dict(names)
        local.update(_noise_names(expr_text, noise))
        ctx.offset = col
        exprs[(kind, name)] = parse_expression(expr_text, local, ctx)
        if kind == "subexpr" and any(s in exprs[(kind, name)].free_symbols for s in noise):
            raise ctx.error(f"the subexpression '{name}' contains noise (xi); write noise terms "
                            "directly in the differential equations", None, "xi")
        for xi in noise:
            if any(n in sp.diff(exprs[(kind, name)], xi).free_symbols for n in noise):
                raise ctx.error(f"the noise term of d{name}/dt is not linear in "
                                f"{xi.name[1:]}: write noise as (amplitude)*{xi.name[1:]}",
                                None, xi.name[1:])

    subexpressions = _substitute_subexpressions(
        {n: exprs[("subexpr", n)] for n in subexpr_names}, subexpr_names)
    subs = {symbol(n): e for n, e in subexpressions.items()}
    odes = {n: exprs[("ode", n)].xreplace(subs) for n in variables if n in ode_names}
    unless = {n for n in ode_names if "unless refractory" in variables[n].flags}
    return EquationSet(variables, odes, subexpressions, unless, noise, sites, functions,
                       summed)


def _noise_names(text: str, noise: List[sp.Symbol]) -> Dict[str, sp.Symbol]:
    """Noise symbols ``xi`` / ``xi_name`` mentioned in ``text`` (registered in ``noise``)."""
    out = {}
    for name in re.findall(r"\bxi(?:_\w+)?\b", text):
        sym = sp.Symbol("_" + name, real=True)
        if sym not in noise:
            noise.append(sym)
        out[name] = sym
    return out


def _substitute_subexpressions(subexpr: Dict[str, sp.Expr], ctxs: Dict[str, Context]
                               ) -> Dict[str, sp.Expr]:
    """Substitute subexpressions into each other, refusing cycles."""
    done: Dict[str, sp.Expr] = {}

    def resolve(name: str, stack: List[str]) -> sp.Expr:
        if name in done:
            return done[name]
        if name in stack:
            cycle = " -> ".join(stack[stack.index(name):] + [name])
            raise ctxs[name].error(f"subexpressions refer to each other in a cycle: {cycle}",
                                   None, name)
        expr = subexpr[name]
        subs = {symbol(d): resolve(d, stack + [name])
                for d in subexpr if symbol(d) in expr.free_symbols}
        done[name] = expr.xreplace(subs)
        return done[name]

    for name in subexpr:
        resolve(name, [])
    return done


def noise_symbols(expr: sp.Expr) -> List[sp.Symbol]:
    """The noise symbols in ``expr``."""
    return sorted((s for s in expr.free_symbols if s.name.startswith("_xi")), key=str)
