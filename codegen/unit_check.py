"""Dimensional consistency of a model's equations (the dimensions: :mod:`units`).

Each differential equation ``dx/dt = rhs : unit`` needs every additive term of ``rhs`` in
unit/time; each subexpression's terms need its declared unit; sums, comparisons, ``Min``,
``Max``, ``%`` and the branches of a conditional need like terms; the arguments of ``exp``,
``log`` and the other transcendental functions need to be dimensionless.  Parameters given
as plain numbers get their dimension from these constraints; the first one that cannot
hold is a :class:`ModelError` naming the equation and the term.

>>> from pyspike.codegen.equations import parse_equations
>>> inferred = check_units(parse_equations("dv/dt = (v_rest - v)/tau : mV", ("v_rest", "tau")))
>>> {name: pretty(d) for name, d in inferred.items()}
{'v_rest': 'mV', 'tau': 'ms'}
>>> check_units(parse_equations("dv/dt = -v/tau + I : mV\\nI : nA", ("tau",)))
Traceback (most recent call last):
...
pyspike.codegen.errors.ModelError: ... the term 'I' is in pA, but dv/dt must be in mV/ms
"""
from __future__ import annotations

from fractions import Fraction
from typing import Dict, List, Optional, Tuple

import sympy as sp

from .equations import DT, I_INDEX, N_SIZE, T, EquationSet
from .errors import ModelError
from .expressions import Context, Rand, Randn, TimedArrayCall
from .units import DIMENSIONLESS, TIME, Affine, Dim, Solver, UnitError, dimension, pretty

_NOISE = TIME ** Fraction(-1, 2)
#: Functions whose argument and value are dimensionless.
_TRANSCENDENTAL = (sp.exp, sp.log, sp.sin, sp.cos, sp.tan, sp.sinh, sp.cosh, sp.tanh,
                   sp.asin, sp.acos, sp.atan)


class _Mismatch(Exception):
    """``term`` is in ``found`` where ``wanted`` is needed: by the equation (``other``
    None), by the term it is added to or compared with (``other``), or as the argument of
    a function (``function``)."""

    def __init__(self, term: sp.Basic, found: Affine, wanted: Affine,
                 other: Optional[sp.Basic] = None, function: Optional[str] = None):
        super().__init__(str(term))
        self.term, self.found, self.wanted = term, found, wanted
        self.other, self.function = other, function


class UnitChecker:
    """Dimensions of expressions over a model's symbols, solving for the unknown ones."""

    def __init__(self, dims: Dict[sp.Symbol, Affine]):
        self.dims = dict(dims)
        self.lines: Dict[str, tuple] = {}   # name -> (lineno, line, where), for messages
        self.solver = Solver()
        self._fresh = 0

    def same(self, term: sp.Basic, found: Affine, wanted: Affine,
             other: Optional[sp.Basic] = None) -> None:
        if not self.solver.require_zero(found - wanted):
            raise _Mismatch(term, found, wanted, other)

    def expect(self, e: sp.Basic, wanted: Affine) -> None:
        """Every additive term of ``e`` in ``wanted`` (a number takes it)."""
        terms = e.args if isinstance(e, sp.Add) else (e,)
        for t in terms:
            if not t.is_Number:
                self.same(t, self.of(t), wanted)

    def of(self, e: sp.Basic) -> Affine:
        """The dimension of ``e``."""
        if e.is_NumberSymbol:                  # pi, E: numbers like any other
            return self._unknown("number")
        if e.is_Number and not (e.is_Integer and abs(e) == 1):
            # (only an integer sign, as in -v, is dimensionless: 1.0 may be 1000*0.001)
            # a number in model text is in base units: 5.0 in -ge/5.0 is 5 ms
            return self._unknown("number")
        if e.is_Number or isinstance(e, (Rand, Randn)) or e in (sp.true, sp.false):
            return Affine.known(DIMENSIONLESS)         # (a sign is dimensionless)
        if isinstance(e, sp.Symbol):
            return self._symbol(e)
        if isinstance(e, sp.Add):
            return self._like([a for a in e.args if not a.is_Number], e)
        if isinstance(e, sp.Mul):
            out = Affine.known(DIMENSIONLESS)
            for a in e.args:
                out = out + self.of(a)
            return out
        if isinstance(e, sp.Pow):
            base, power = e.args
            if power.is_Number and power.is_finite:     # (x**oo: no unit power, below)
                return self.of(base).scaled(Fraction(str(power)))
            self.expect(base, Affine.known(DIMENSIONLESS))
            self.expect(power, Affine.known(DIMENSIONLESS))
            return Affine.known(DIMENSIONLESS)
        if isinstance(e, sp.Piecewise):
            for _, cond in e.args:
                self.of(cond)
            return self._like([v for v, _ in e.args if not v.is_Number], e)
        if isinstance(e, (sp.Min, sp.Max, sp.Mod)):      # (Brian2's x % y: x's unit)
            return self._like([a for a in e.args if not a.is_Number], e)
        if isinstance(e, sp.core.relational.Relational):
            self._like([a for a in e.args if not a.is_Number], e)
            return Affine.known(DIMENSIONLESS)
        if isinstance(e, (sp.And, sp.Or, sp.Not)):
            for a in e.args:
                self.of(a)
            return Affine.known(DIMENSIONLESS)
        if isinstance(e, TimedArrayCall):
            # a TimedArray's values are plain numbers: each array gets one dimension
            return self._unknown(f"timed:{type(e).__name__}")
        if isinstance(e, (sp.Abs, sp.floor, sp.ceiling, sp.sign)) and len(e.args) == 1:
            inner = self.of(e.args[0])
            return Affine.known(DIMENSIONLESS) if isinstance(e, sp.sign) else inner
        if isinstance(e, sp.Function):
            # exp, log, exprel, trigonometry and the rest: dimensionless in and out
            for a in e.args:
                try:
                    self.expect(a, Affine.known(DIMENSIONLESS))
                except _Mismatch as m:
                    if m.other is not None or m.function is not None:
                        raise
                    raise _Mismatch(m.term, m.found, m.wanted,
                                    function=type(e).__name__) from None
            return Affine.known(DIMENSIONLESS)
        raise ModelError(f"pyspike cannot tell the unit of '{e}'")

    def _like(self, terms, whole: sp.Basic) -> Affine:
        """Terms that must share one dimension (a sum, a comparison): that dimension."""
        if not terms:
            return self._unknown("number")
        first = self.of(terms[0])
        for t in terms[1:]:
            self.same(t, self.of(t), first, terms[0])
        return first

    def _symbol(self, s: sp.Symbol) -> Affine:
        if s in self.dims:
            return self.dims[s]
        if s in (T, DT):
            return Affine.known(TIME)
        if s in (I_INDEX, N_SIZE) or s.name.startswith("_rand"):
            return Affine.known(DIMENSIONLESS)
        if s.name.startswith("_xi"):
            return Affine.known(_NOISE)
        self.dims[s] = self._unknown(s.name)
        return self.dims[s]

    def _unknown(self, what: str) -> Affine:
        self._fresh += 1
        return Affine.unknown(f"{what}#{self._fresh}")

    def describe(self, a: Affine) -> str:
        d: Optional[Dim] = self.solver.value(a)
        return pretty(d) if d is not None else "a unit its parameters do not fix"


def check_units(eqs: EquationSet, where: str = "the model") -> Dict[str, Optional[Dim]]:
    """Checks the equations' dimensions; returns each parameter's inferred dimension (None
    where the equations do not fix it)."""
    checker = equation_units(eqs, where)
    return {n: checker.solver.value(checker.dims[sp.Symbol(n, real=True)])
            for n, v in eqs.variables.items()
            if v.unit is None and sp.Symbol(n, real=True) in checker.dims}


def known_dim(checker: UnitChecker, name: str) -> Optional[Dim]:
    """The dimension the checked text gives ``name`` (None where it fixes none).

    >>> from pyspike.codegen.equations import parse_equations
    >>> eqs = parse_equations("dv/dt = -v/tau : mV", ("tau",))
    >>> pretty(known_dim(equation_units(eqs), "tau"))
    'ms'
    """
    key = sp.Symbol(name, real=True)
    return checker.solver.value(checker.dims[key]) if key in checker.dims else None


def checker_for(dims: Dict[str, Optional[Dim]]) -> UnitChecker:
    """A checker for text that reads only the names of ``dims`` (a connect condition)."""
    return UnitChecker({sp.Symbol(n, real=True): Affine.known(d)
                        for n, d in dims.items() if d is not None})


def equation_units(eqs: EquationSet, where: str = "the model",
                   outer: Optional[Dict[str, Optional[Dim]]] = None) -> UnitChecker:
    """A checker that knows the dimensions of ``eqs``, its equations checked; thresholds,
    resets and other statements of the same model are checked with it after.

    ``outer`` gives the dimensions of names the text reads from elsewhere (a synapse's
    ``v_post``); None where they are not known (inferred like a parameter's)."""
    dims: Dict[sp.Symbol, Affine] = {sp.Symbol(n, real=True): Affine.known(d)
                                     for n, d in (outer or {}).items()
                                     if d is not None and n not in eqs.variables}
    for name, var in eqs.variables.items():
        if var.unit is None:                # a parameter given as a number: inferred
            continue
        try:
            dims[sp.Symbol(name, real=True)] = Affine.known(dimension(var.unit))
        except UnitError as err:
            raise ModelError(f"{where}: {err} (the unit of '{name}')", where=where,
                             symbol=err.name or name) from None
    checker = UnitChecker(dims)
    checker.lines = eqs.lines
    for name, rhs in eqs.odes.items():
        wanted = dims[sp.Symbol(name, real=True)] - Affine.known(TIME)
        _check(checker, rhs, wanted, f"d{name}/dt", where, name)
    for name, expr in eqs.subexpressions.items():
        unit = eqs.subexpression_units.get(name)
        if unit is not None:
            _check(checker, expr, Affine.known(dimension(unit)), name, where, name)
        if name in eqs.summed and (outer or {}).get(name) is not None:
            # a (summed) subexpression sets the postsynaptic variable it is named after
            _check(checker, expr, Affine.known(outer[name]), f"the postsynaptic '{name}'",
                   where, name)
    for name, expr in eqs.held.items():          # (constant over dt): in its declared unit
        _check(checker, expr, dims[sp.Symbol(name, real=True)], name, where, name)
    return checker


def check_condition(checker: UnitChecker, condition: sp.Basic, text: str,
                    where: str) -> None:
    """A threshold or another condition (``text``, its source): what it compares alike."""
    try:
        checker.of(condition)
    except _Mismatch as m:
        raise Context(where=where, line=text, lineno=1).error(
            f"the units do not match: {_problem(checker, m, 'the condition')}") from None


def check_statements(checker: UnitChecker, statements: List[Tuple[sp.Symbol, sp.Basic]],
                     text: str, where: str) -> None:
    """Statements ``target = value`` (a reset, on_pre code; ``text``, their source): each
    value in its target's dimension."""
    for target, value in statements:
        try:
            checker.expect(value, checker.of(target))
        except _Mismatch as m:
            raise Context(where=where, line=text, lineno=1).error(
                f"the units do not match: {_problem(checker, m, repr(target.name))}",
                None, target.name) from None


def check_duration(checker: UnitChecker, duration: sp.Basic, text: str, where: str) -> None:
    """An expression that must be a time (a refractory period over parameters)."""
    try:
        checker.expect(duration, Affine.known(TIME))
    except _Mismatch as m:
        raise Context(where=where, line=text, lineno=1).error(
            f"the units do not match: {_problem(checker, m, 'a duration')}") from None


def _text(e: sp.Basic) -> str:
    """An expression as the user wrote its names (noise is ``xi``, not ``_xi``)."""
    return str(e).replace("_xi", "xi")


def _problem(checker: UnitChecker, m: _Mismatch, what: str) -> str:
    found, wanted = (_phrase(checker.describe(d)) for d in (m.found, m.wanted))
    m.term, m.other = _text(m.term), None if m.other is None else _text(m.other)
    if m.function is not None:
        return f"the argument of {m.function} must be dimensionless, but '{m.term}' is {found}"
    if m.other is not None:
        return f"the term '{m.term}' ({found}) is added to or compared with '{m.other}' " \
               f"({wanted})"
    return f"the term '{m.term}' is {found}, but {what} must be {wanted}"


def _check(checker: UnitChecker, expr: sp.Basic, wanted: Affine, what: str, where: str,
           name: str) -> None:
    try:
        checker.expect(expr, wanted)
    except _Mismatch as m:
        problem = _problem(checker, m, what)
        if name in checker.lines:
            lineno, line, block = checker.lines[name]
            raise Context(where=block or where, line=line, lineno=lineno).error(
                f"the units do not match: {problem}", None, name) from None
        raise ModelError(f"{problem} (in the equation of {name})", where=where,
                         symbol=name) from None


def _phrase(unit: str) -> str:
    return "dimensionless" if unit == "1" else f"in {unit}"
