"""Equation strings -> a sympy description of one model (the equations IR).

The language is Brian2's, with plain numbers instead of unit objects::

    dv/dt = (v_rest - v + R*I) / tau_m : mV (unless refractory)   # a differential equation
    I_syn = g*(E - v) : pA                                          # a subexpression
    I : pA                                                          # a declared variable
    tau : ms (constant, shared)                                     # flags
    x : 1 (linked)                          # another group's variable (linked_var)

The ``: unit`` part is kept as documentation, but must read as one (names and numbers
joined by ``*``, ``/`` and ``**``); flags come last, in one pair of parentheses.  In a
synapse model no name may end in ``_pre`` or ``_post``: those address neuron variables.
Names from ``params`` are parameters; names declared in the equations are per-neuron
state unless flagged ``(shared)``.
Noise terms are written with ``xi`` (or ``xi_name`` for independent sources).

>>> eqs = parse_equations("dv/dt = -v/tau : mV", params=["tau"])
>>> eqs.odes
{'v': -v/tau}
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

import sympy as sp

from .annotations import linked_flags, split_unit_flags, take_linked
from .errors import ModelError
from .expressions import (IDENTIFIER, BooleanName, Context, check_identifier,
                          parse_condition, parse_expression, value_problem)

#: Flags that only synapse models may use.
#: (clock-driven) is the default for synaptic equations; Brian2 models often say it.
SYNAPTIC_FLAGS = ("event-driven", "clock-driven", "summed")
_ODE = re.compile(r"^\s*d\s*([A-Za-z_]\w*)\s*/\s*dt\s*=(.*)$")
_SUBEXPR = re.compile(r"^\s*([A-Za-z_]\w*)\s*=(.*)$")
_DECL = re.compile(r"^\s*([A-Za-z_]\w*)\s*$")


#: Names ending so address neuron variables in synaptic code (v_pre, ge_post).
_NEURON_SUFFIXES = ("_pre", "_post")


def _suffix_message(name: str) -> str:
    return (f"'{name}' ends in _pre or _post, which name the variables of the pre- and "
            "postsynaptic neurons (v_pre, ge_post): a synaptic variable or parameter needs "
            "another name")


def symbol(name: str) -> sp.Symbol:
    """The one sympy symbol used for ``name`` throughout codegen."""
    return sp.Symbol(name, real=True)


T, DT, I_INDEX, N_SIZE = symbol("t"), symbol("dt"), symbol("i"), symbol("N")
#: Always-available names and their symbols.
BUILTINS = {"t": T, "dt": DT, "i": I_INDEX, "N": N_SIZE}


@dataclass
class Variable:
    name: str
    unit: Optional[str] = "1"     # None: a parameter given as a number, its unit inferred
    flags: Set[str] = field(default_factory=set)
    is_param: bool = False        # from params=, or flagged (constant)

    @property
    def shared(self) -> bool:
        return "shared" in self.flags

    @property
    def boolean(self) -> bool:
        """Declared ': boolean' (Brian2's type): True or False, stored as 1.0 or 0.0."""
        return self.unit == "boolean"


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
    subexpression_units: Dict[str, str] = field(default_factory=dict)
    #: name -> (lineno, line, the block's where if it is one of ``parts``, else None)
    lines: Dict[str, Tuple[int, str, Optional[str]]] = field(default_factory=dict)
    #: (constant over dt) subexpressions: name -> expression, set at the start of each step
    held: Dict[str, sp.Expr] = field(default_factory=dict)
    #: the (summed) subexpressions flagged (max): their maximum over the synapses of each
    #: target, not their sum, sets its variable
    maxed: Set[str] = field(default_factory=set)

    def names(self) -> Dict[str, sp.Basic]:
        """Every name an expression of this model may read; a subexpression stands for its
        expression (so a threshold or reset reads it substituted, as the equations do)."""
        out = dict(BUILTINS)
        out.update(self.functions)
        out.update({n: BooleanName(symbol(n), True) if v.boolean else symbol(n)
                    for n, v in self.variables.items()})
        out.update(self.subexpressions)
        return out

    @property
    def state(self) -> List[str]:
        """Variables that change during a run (everything that is not a parameter)."""
        return [n for n, v in self.variables.items() if not v.is_param]


def parse_equations(text: str, params: Iterable[str] = (), where: str = "the equations",
                    functions: Optional[Dict[str, type]] = None, synaptic: bool = False,
                    outer: Optional[Dict[str, sp.Basic]] = None,
                    parts: Sequence[Tuple[str, str]] = ()) -> EquationSet:
    """Parse a block of equations; ``params`` are the names given values by the user,
    ``functions`` the TimedArrays (name -> :func:`timed_function` class) it may call,
    ``outer`` names from elsewhere it may read (a synapse's ``v_post``), which its own
    names override.  ``parts`` are further blocks ``(where, text)`` of the same model (a
    library plasticity rule's): parsed as blocks of their own, each line's messages naming
    its block and its line there, then joined to the model as one set of equations."""
    params = list(params)
    functions = dict(functions or {})
    sites: List[sp.Expr] = []
    parsed = []          # (kind, name, expr text, ctx, column of expr)
    variables: Dict[str, Variable] = {}
    subexpr_names: Dict[str, Context] = {}
    subexpr_units: Dict[str, str] = {}
    lines: Dict[str, Tuple[int, str, Optional[str]]] = {}
    ode_names: Set[str] = set()
    summed: Set[str] = set()
    maxed: Set[str] = set()
    held_names: List[str] = []
    numbered = [(block_where, lineno, raw) for block_where, block in [(where, text), *parts]
                for lineno, raw in logical_lines(block)]
    for block_where, lineno, raw in numbered:
        line = raw.split("#", 1)[0]
        if not line.strip():
            continue
        ctx = Context(where=block_where, line=line, lineno=lineno, random_sites=sites)
        if "\\" in line:
            raise ctx.error("backslashes are not allowed: write each equation on one line",
                            line.index("\\"))
        lhs, sep, rest = line.partition(":")
        rest, linked = take_linked(rest)
        unit, flags = split_unit_flags(rest, ctx) if sep else ("1", set())
        for kind, pattern in (("ode", _ODE), ("subexpr", _SUBEXPR), ("decl", _DECL)):
            match = pattern.match(lhs)
            if match:
                break
        else:
            raise ctx.error("expected 'dx/dt = expression : unit', 'name = expression : unit' "
                            "or 'name : unit'")
        name = match.group(1)
        check_identifier(name, ctx, "variable name", line.index(name))
        if "max" in flags:              # a (summed) variable that takes the maximum
            flags = (flags - {"max"}) | {"summed"}
            maxed.add(name)
        if linked:
            flags = linked_flags(kind, flags, synaptic, ctx, name)
        if synaptic and name.endswith(_NEURON_SUFFIXES) and "summed" not in flags:
            raise ctx.error(_suffix_message(name), line.index(name), name)
        if _gives_equation(kind, name, block_where != where, rest, variables, ode_names):
            # a library block's equation for a variable the model declares (a learning
            # rule's dw/dt): the variable keeps the unit it was declared with
            unit, flags = variables[name].unit, variables[name].flags | flags
            del variables[name]
        if name in variables or name in subexpr_names:
            raise ctx.error(f"'{name}' is defined twice", line.index(name), name)
        if kind == "subexpr":
            if "summed" in flags and not synaptic:
                raise ctx.error("the flag '(summed)' applies to subexpressions of synapse "
                                "models only", None, name)
            if "constant over dt" in flags and synaptic:
                raise ctx.error("the flag '(constant over dt)' applies to subexpressions of "
                                "neuron models", None, name)
            wrong = sorted(flags - {"shared", "constant", "summed", "constant over dt"})
            if wrong:
                raise ctx.error(f"the flag '({wrong[0]})' only applies to differential "
                                "equations", None, name)
            subexpr_names[name] = ctx
            subexpr_units[name] = unit
            if "constant over dt" in flags:
                held_names.append(name)
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
            if kind == "ode" and unit == "boolean":
                raise ctx.error(f"'{name}' has a differential equation, so it cannot be "
                                "boolean: declare a boolean as 'name : boolean' and set it in "
                                "statements", None, name)
            if kind == "ode" and flags & {"constant", "shared"}:
                raise ctx.error(f"'{name}' changes in time (it has an equation), so it cannot "
                                "be (constant) or (shared)", None, name)
            # (constant) and (shared) declarations do not change during a run: parameters.
            variables[name] = Variable(name, unit, flags, is_param=(
                kind == "decl" and bool(flags & {"constant", "shared", "linked"})))
            if kind == "ode":
                ode_names.add(name)
        lines[name] = (lineno, line, None if block_where == where else block_where)
        if kind != "decl":
            expr_text = match.group(2)
            parsed.append((kind, name, expr_text, ctx, lhs.rindex(expr_text)))
    for name in params:
        check_identifier(name, Context(where="params"), "parameter name")
        if synaptic and name.endswith(_NEURON_SUFFIXES):
            raise ModelError(_suffix_message(name), where="params", symbol=name)
        if name in ode_names or name in subexpr_names:
            raise ModelError(f"'{name}' is given in params but also defined by an equation",
                             where="params", symbol=name)
        if name in variables and "linked" in variables[name].flags:
            raise ModelError(f"'{name}' is declared (linked): it reads another group's "
                             f"variable, set with G.{name} = linked_var(H, 'x'), and takes no "
                             "value in params", where="params", symbol=name)
        if name in variables:
            variables[name].is_param = True
        else:
            variables[name] = Variable(name, None, is_param=True)

    for name in functions:
        check_identifier(name, Context(where="params"), "TimedArray name")
        if name in variables or name in subexpr_names:
            raise ModelError(f"'{name}' names a TimedArray and a variable", where="params",
                             symbol=name)
    names: Dict[str, sp.Basic] = dict(BUILTINS)
    names.update(functions)
    names.update(outer or {})
    names.update({n: BooleanName(symbol(n), True) if v.boolean else symbol(n)
                  for n, v in variables.items()})
    names.update({n: BooleanName(symbol(n), False) if subexpr_units[n] == "boolean"
                  else symbol(n) for n in subexpr_names})
    noise: List[sp.Symbol] = []
    exprs: Dict[str, sp.Expr] = {}
    for kind, name, expr_text, ctx, col in parsed:
        ctx.offset = col
        local = dict(names)
        local.update(_noise_names(expr_text, noise, ctx))
        boolean = kind == "subexpr" and subexpr_units[name] == "boolean"
        exprs[(kind, name)] = (parse_condition if boolean else parse_expression)(
            expr_text, local, ctx)
        if kind == "subexpr" and any(s in exprs[(kind, name)].free_symbols for s in noise):
            raise ctx.error(f"the subexpression '{name}' contains noise (xi); write noise terms "
                            "directly in the differential equations", None, "xi")
        for xi in noise:
            if any(n in sp.diff(exprs[(kind, name)], xi).free_symbols for n in noise):
                raise ctx.error(f"the noise term of d{name}/dt is not linear in "
                                f"{xi.name[1:]}: write noise as (amplitude)*{xi.name[1:]}",
                                None, xi.name[1:])

    # (constant over dt): evaluated once at the start of each step into a variable of its
    # own, which the equations read as a name (Brian2's flag)
    subexpressions = _substitute_subexpressions(
        {n: exprs[("subexpr", n)] for n in subexpr_names if n not in held_names},
        subexpr_names)
    subs = {symbol(n): e for n, e in subexpressions.items()}
    held = {n: _substituted(exprs[("subexpr", n)], subs, subexpr_names[n]) for n in held_names}
    for n in held_names:
        variables[n] = Variable(n, subexpr_units.pop(n), {"constant over dt"})
    ctxs = {name: ctx for kind, name, _, ctx, _ in parsed if kind == "ode"}
    odes = {n: _substituted(exprs[("ode", n)], subs, ctxs[n])
            for n in variables if n in ode_names}
    unless = {n for n in ode_names if "unless refractory" in variables[n].flags}
    return EquationSet(variables, odes, subexpressions, unless, noise, sites, functions,
                       summed, subexpr_units, lines, held, maxed)


def logical_lines(text: str) -> List[Tuple[int, str]]:
    """The lines of a block of equations as (number of the first, text): a line whose
    parentheses are still open, or that ends in an operator (``+ - * / =``), goes on on
    the next ones, and a line that starts with one of ``+ - * /`` goes on with the line
    before it if that has no ':' yet (Brian2 reads an expression up to its ':'); joined
    with a space; comments end at the end of their physical line.

    >>> logical_lines("dv/dt = (a -\\n         b)/tau : 1  # long\\nx : 1")
    [(1, 'dv/dt = (a - b)/tau : 1'), (3, 'x : 1')]
    >>> logical_lines("dv/dt = a/tau\\n        + b/tau : 1")
    [(1, 'dv/dt = a/tau + b/tau : 1')]
    """
    out: List[Tuple[int, str]] = []
    pending, first, depth, trailing = [], 0, 0, False
    for lineno, raw in enumerate(text.splitlines(), start=1):
        code = raw.split("#", 1)[0]
        if not pending and out and _goes_on(out[-1][1], code):
            first, previous = out.pop()
            pending = [previous]
        if not pending:
            first = lineno
        pending.append(code.strip() if pending else code.rstrip())
        depth += code.count("(") - code.count(")")
        if code.strip():
            trailing = code.rstrip().endswith(("+", "-", "*", "/", "="))
        if depth <= 0 and not trailing:
            out.append((first, " ".join(p for p in pending if p)))
            pending, depth = [], 0
    if pending:                                   # unclosed at the end: as it is, refused
        out.append((first, " ".join(p for p in pending if p)))
    return out


def _goes_on(previous: str, code: str) -> bool:
    """Whether the line ``code``, starting with an operator, goes on with the logical line
    ``previous`` (which has no ':' yet, nor a backslash, refused as it stands)."""
    return bool(previous) and not any(c in previous for c in ":\\") \
        and code.lstrip()[:1] in ("+", "-", "*", "/")


def _gives_equation(kind: str, name: str, in_part: bool, rest: str, variables,
                    ode_names) -> bool:
    """Whether a line of a library block (``in_part``) gives a differential equation,
    without a unit of its own, to a variable an earlier block declares (and does not
    integrate already)."""
    declared = variables.get(name)
    no_unit = not rest.split("(", 1)[0].strip()
    return (in_part and kind == "ode" and no_unit and declared is not None
            and not declared.is_param and name not in ode_names)


def _noise_names(text: str, noise: List[sp.Symbol], ctx: Context) -> Dict[str, sp.Symbol]:
    """Noise symbols ``xi`` / ``xi_name`` mentioned in ``text`` (registered in ``noise``)."""
    out = {}
    for match in re.finditer(r"\bxi(?:_\w+)?\b", text):
        name = match.group()
        if not IDENTIFIER.match(name):
            raise ctx.error(f"'{name}' is not a valid noise name: write xi or xi_<name>, with "
                            "letters, digits and '_'", match.start(), name)
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
        done[name] = _substituted(expr, subs, ctxs[name])
        return done[name]

    for name in subexpr:
        resolve(name, [])
    return done


def _substituted(expr: sp.Expr, subs: Dict[sp.Symbol, sp.Expr], ctx: Context) -> sp.Expr:
    """``expr`` with subexpressions substituted: a ModelError if that leaves no finite value
    (``a = tau - tau`` read as ``1/a``)."""
    used = sorted(s.name for s in subs if s in expr.free_symbols)
    if not used:
        return expr
    try:
        out = expr.xreplace(subs)
        problem = value_problem(out)
    except (ArithmeticError, TypeError, ValueError) as exc:
        if isinstance(exc, ModelError):
            raise
        problem = "cannot be computed"
    if problem:
        raise ctx.error(f"with the subexpression{'s' if len(used) > 1 else ''} "
                        f"{', '.join(used)} substituted, this {problem}", None, used[0])
    return out


def noise_symbols(expr: sp.Expr) -> List[sp.Symbol]:
    """The noise symbols in ``expr``."""
    return sorted((s for s in expr.free_symbols if s.name.startswith("_xi")), key=str)
