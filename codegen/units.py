"""Physical dimensions of model text: ``: unit`` annotations become dimensions, and every
equation is checked for consistency before any code is made.

Numbers in model text and in ``params=`` are in pyspike's base units, a coherent set (ms,
mV, pA, nS, pF, GOhm, fC: nS*mV = pA, pA/pF = mV/ms, rates in 1/ms), so only dimensions
are checked here, never scales: an annotation names a dimension (``: nA`` and ``: amp``
both say "a current", whose numbers are in pA).  A parameter given as a plain
number has no unit of its own: its dimension is inferred from how the equations use it
(``tau`` in ``dv/dt = -v/tau : mV`` is a time), and a use that contradicts an earlier one
is an error.  A number in model text is in base units too, so it takes whatever dimension
its place needs (``v > -50`` compares millivolts, ``-ge/5.0`` divides by 5 ms); only a sign
is dimensionless.  So ``2*v`` may stand for a current: the check finds the mismatches that
involve no number (``mV + nA``, ``exp(v)``, a missing ``/ms``).

Dimensions are vectors of exponents over the SI base (m, kg, s, A, K, mol); the inference
keeps, for each parameter of unknown dimension, an unknown vector, and solves the linear
equations that sums, comparisons and the equations' two sides put on them, one at a time,
so that the first contradiction is reported at the term that causes it.

>>> str(dimension("mV/ms")), str(dimension("nS*mV")), dimension("1").dimensionless
('m^2 kg s^-4 A^-1', 'A', True)
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Dict, Iterable, List, Optional, Tuple

BASE = ("m", "kg", "s", "A", "K", "mol")


@dataclass(frozen=True)
class Dim:
    """A dimension: exponents of the SI base units, in the order of :data:`BASE`."""
    exps: Tuple[Fraction, ...] = (Fraction(0),) * len(BASE)

    def __mul__(self, other: "Dim") -> "Dim":
        return Dim(tuple(a + b for a, b in zip(self.exps, other.exps)))

    def __truediv__(self, other: "Dim") -> "Dim":
        return Dim(tuple(a - b for a, b in zip(self.exps, other.exps)))

    def __pow__(self, k) -> "Dim":
        return Dim(tuple(a * Fraction(k) for a in self.exps))

    @property
    def dimensionless(self) -> bool:
        return not any(self.exps)

    def __str__(self) -> str:
        parts = [b if e == 1 else f"{b}^{e}" for b, e in zip(BASE, self.exps) if e]
        return " ".join(parts) or "1"


def _base(**exps) -> Dim:
    return Dim(tuple(Fraction(exps.get(b, 0)) for b in BASE))


DIMENSIONLESS = Dim()
TIME = _base(s=1)
#: Units by name (any SI prefix may go before them), and Brian2's spelled-out names.
_NAMED = {
    "s": TIME, "second": TIME, "Hz": _base(s=-1), "hertz": _base(s=-1),
    "m": _base(m=1), "metre": _base(m=1), "meter": _base(m=1),
    "g": _base(kg=1), "gram": _base(kg=1),
    "A": _base(A=1), "amp": _base(A=1), "ampere": _base(A=1),
    "V": _base(m=2, kg=1, s=-3, A=-1), "volt": _base(m=2, kg=1, s=-3, A=-1),
    "S": _base(m=-2, kg=-1, s=3, A=2), "siemens": _base(m=-2, kg=-1, s=3, A=2),
    "F": _base(m=-2, kg=-1, s=4, A=2), "farad": _base(m=-2, kg=-1, s=4, A=2),
    "ohm": _base(m=2, kg=1, s=-3, A=-2), "C": _base(s=1, A=1), "coulomb": _base(s=1, A=1),
    "J": _base(m=2, kg=1, s=-2), "joule": _base(m=2, kg=1, s=-2),
    "W": _base(m=2, kg=1, s=-3), "watt": _base(m=2, kg=1, s=-3),
    "K": _base(K=1), "kelvin": _base(K=1), "mol": _base(mol=1), "mole": _base(mol=1),
    "M": _base(mol=1, m=-3), "molar": _base(mol=1, m=-3), "l": _base(m=3),
    "liter": _base(m=3), "litre": _base(m=3), "radian": DIMENSIONLESS,
}
_TOKEN = re.compile(r"\s*(?:(-?\d+(?:\.\d*)?)|([A-Za-z_]+)|(\*\*|\^|[*/()]))")


class UnitError(ValueError):
    """Text that is not a unit, or a name that is no unit (with the name)."""

    def __init__(self, message: str, name: Optional[str] = None):
        super().__init__(message)
        self.name = name


def unit_name(name: str) -> Dim:
    """The dimension of one unit name, with or without an SI prefix (``mV``, ``uS``,
    ``ms``, ``Hz``, ``volt``, ``msecond``)."""
    if name in _NAMED:
        return _NAMED[name]
    for prefix in sorted(PREFIXES, key=len, reverse=True):
        if name.startswith(prefix) and name[len(prefix):] in _NAMED:
            return _NAMED[name[len(prefix):]]
    raise UnitError(f"'{name}' is not a unit", name)


def dimension(text: str) -> Dim:
    """The dimension of a unit annotation: names and numbers joined by ``*``, ``/``,
    ``**`` or ``^`` and parentheses (``mV/ms``, ``1/(ms*mV)``, ``uF/cm**2``, ``1``)."""
    if text.strip() == "boolean":               # Brian2's type: True or False, a number 1/0
        return DIMENSIONLESS
    tokens = _tokens(text)
    pos, dim = _product(tokens, 0)
    if pos != len(tokens):
        raise UnitError(f"'{text}' is not a unit")
    return dim


def _tokens(text: str) -> List[str]:
    out, pos = [], 0
    while pos < len(text.rstrip()):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise UnitError(f"'{text}' is not a unit")
        out.append(m.group(m.lastindex))
        pos = m.end()
    return out


def _product(tokens: List[str], pos: int) -> Tuple[int, Dim]:
    pos, dim = _power(tokens, pos)
    while pos < len(tokens) and tokens[pos] in "*/":
        op = tokens[pos]
        pos, rhs = _power(tokens, pos + 1)
        dim = dim * rhs if op == "*" else dim / rhs
    return pos, dim


def _power(tokens: List[str], pos: int) -> Tuple[int, Dim]:
    pos, dim = _atom(tokens, pos)
    if pos < len(tokens) and tokens[pos] in ("**", "^"):
        pos += 1
        if pos >= len(tokens) or not tokens[pos].lstrip("-")[:1].isdigit():
            raise UnitError("a unit's power must be a number")
        dim, pos = dim ** Fraction(tokens[pos]), pos + 1
    return pos, dim


def _atom(tokens: List[str], pos: int) -> Tuple[int, Dim]:
    if pos >= len(tokens):
        raise UnitError("a unit ends too early")
    tok = tokens[pos]
    if tok == "(":
        pos, dim = _product(tokens, pos + 1)
        if pos >= len(tokens) or tokens[pos] != ")":
            raise UnitError("a unit's parenthesis is not closed")
        return pos + 1, dim
    if tok.lstrip("-")[:1].isdigit():
        return pos + 1, DIMENSIONLESS             # '1' in '1/ms'
    if tok[0].isalpha() or tok[0] == "_":
        return pos + 1, unit_name(tok)
    raise UnitError(f"unexpected '{tok}' in a unit")


# --- linear constraints on unknown dimensions ---------------------------------------------

Vec = Tuple[Fraction, ...]
_ZERO: Vec = (Fraction(0),) * len(BASE)


@dataclass(frozen=True)
class Affine:
    """A dimension that may involve unknowns: ``const + sum(coef * unknown)``."""
    const: Vec
    terms: Tuple[Tuple[str, Fraction], ...] = ()

    @staticmethod
    def known(d: Dim) -> "Affine":
        return Affine(d.exps)

    @staticmethod
    def unknown(name: str) -> "Affine":
        return Affine(_ZERO, ((name, Fraction(1)),))

    def __add__(self, other: "Affine") -> "Affine":
        coefs: Dict[str, Fraction] = dict(self.terms)
        for n, c in other.terms:
            coefs[n] = coefs.get(n, Fraction(0)) + c
        return Affine(tuple(a + b for a, b in zip(self.const, other.const)),
                      tuple(sorted((n, c) for n, c in coefs.items() if c)))

    def scaled(self, k: Fraction) -> "Affine":
        return Affine(tuple(a * k for a in self.const),
                      tuple((n, c * k) for n, c in self.terms if c * k))

    def __sub__(self, other: "Affine") -> "Affine":
        return self + other.scaled(Fraction(-1))


class Solver:
    """Unknown dimensions, solved one linear equation at a time (Gauss-Jordan over the
    rationals; each unknown stands for a vector of exponents, so one scalar row and a
    vector right-hand side per equation)."""

    def __init__(self):
        self.rows: Dict[str, Tuple[Dict[str, Fraction], Vec]] = {}   # pivot -> (row, rhs)

    def require_zero(self, a: Affine) -> bool:
        """Adds ``a == 0``; False (and nothing added) if it contradicts what is known."""
        row = dict(a.terms)
        rhs = tuple(-x for x in a.const)
        for pivot, (prow, prhs) in self.rows.items():
            c = row.pop(pivot, Fraction(0))
            if c:
                for n, v in prow.items():
                    if n != pivot:
                        row[n] = row.get(n, Fraction(0)) - c * v
                rhs = tuple(x - c * y for x, y in zip(rhs, prhs))
        row = {n: c for n, c in row.items() if c}
        if not row:
            return not any(rhs)
        pivot = min(row)
        c = row[pivot]
        row = {n: v / c for n, v in row.items()}
        rhs = tuple(x / c for x in rhs)
        for other, (orow, orhs) in list(self.rows.items()):
            k = orow.get(pivot, Fraction(0))
            if k:
                new = dict(orow)
                del new[pivot]
                for n, v in row.items():
                    if n != pivot:
                        new[n] = new.get(n, Fraction(0)) - k * v
                self.rows[other] = ({n: v for n, v in new.items() if v},
                                    tuple(x - k * y for x, y in zip(orhs, rhs)))
        self.rows[pivot] = (row, rhs)
        return True

    def value(self, a: Affine) -> Optional[Dim]:
        """``a``'s dimension if it is determined by what is known, else None."""
        const = list(a.const)
        for n, c in a.terms:
            if n not in self.rows or len(self.rows[n][0]) != 1:
                return None
            const = [x + c * y for x, y in zip(const, self.rows[n][1])]
        return Dim(tuple(const))


#: pyspike's base units, by the dimension they measure (numbers in model text are in these).
BASE_UNITS = {
    TIME: "ms", _base(s=-1): "1/ms", _NAMED["V"]: "mV", _NAMED["A"]: "pA", _NAMED["S"]: "nS",
    _NAMED["F"]: "pF", _NAMED["ohm"]: "Gohm", _NAMED["C"]: "fC", _base(m=1): "um",
    _NAMED["M"]: "mM", DIMENSIONLESS: "1",
}


def pretty(d: Dim) -> str:
    """A dimension as a scientist writes it, in pyspike's base units where it can be
    (``mV``, ``mV/ms``, ``nA*ms``), else as SI exponents.

    >>> pretty(dimension("volt/second")), pretty(dimension("nS*mV")), pretty(dimension("Hz"))
    ('mV/ms', 'pA', '1/ms')
    >>> pretty(dimension("1/mV"))
    '1/mV'

    """
    if d in BASE_UNITS:
        return BASE_UNITS[d]
    if d ** 2 in BASE_UNITS:                       # noise: 1/sqrt(ms)
        unit = BASE_UNITS[d ** 2]
        return "1/sqrt(ms)" if unit == "1/ms" else f"sqrt({unit})"
    if DIMENSIONLESS / d in BASE_UNITS and "/" not in BASE_UNITS[DIMENSIONLESS / d]:
        return "1/" + BASE_UNITS[DIMENSIONLESS / d]            # 1/mV
    for k in (1, 2):
        if d * TIME ** k in BASE_UNITS:
            return BASE_UNITS[d * TIME ** k] + ("/ms" if k == 1 else "/ms**2")
        if d / TIME ** k in BASE_UNITS and d / TIME ** k != DIMENSIONLESS:
            return BASE_UNITS[d / TIME ** k] + ("*ms" if k == 1 else "*ms**2")
    return f"SI {d}"


def unit_text(d: Dim) -> str:
    """An annotation that reads back as ``d``: its name in base units where there is one,
    else the product of SI base units.

    >>> unit_text(dimension("nS*mV")), unit_text(dimension("mV/ms")), unit_text(DIMENSIONLESS)
    ('pA', 'mV/ms', '1')
    >>> dimension(unit_text(dimension("mS/cm**2"))) == dimension("mS/cm**2")
    True
    """
    text = pretty(d)
    try:
        if dimension(text) == d:
            return text
    except UnitError:
        pass
    return "*".join(f"{_SI_NAME[b]}**{e}" for b, e in zip(BASE, d.exps) if e)


_SI_NAME = {"m": "metre", "kg": "kg", "s": "second", "A": "amp", "K": "kelvin", "mol": "mol"}


def names_in(units: Iterable[str]) -> List[str]:
    """The unit names a list of annotations uses (for messages)."""
    return sorted({t for u in units for t in re.findall(r"[A-Za-z_]+", u)})


#: The size of each SI base unit in pyspike's base units' system, as a power of ten: a
#: value of dimension m^a kg^b s^c A^d ... in SI is SI / 10**(a*SCALE[m] + b*SCALE[kg] ...)
#: in base units.  The lengths are um and the time ms; kg and mol follow from mV and mM
#: being base units.  (Powers of ten keep 200 pF exactly 200.0.)
SCALE = {"m": -6, "kg": -12, "s": -3, "A": -12, "K": 0, "mol": -18}
PREFIXES = {"y": -24, "z": -21, "a": -18, "f": -15, "p": -12, "n": -9, "u": -6, "m": -3,
           "c": -2, "d": -1, "da": 1, "h": 2, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15,
           "E": 18, "Z": 21, "Y": 24}


def base_scale(d: Dim):
    """The power of ten of one base unit of dimension ``d`` in SI units."""
    return sum(SCALE[b] * e for b, e in zip(BASE, d.exps))


def times_ten(x, k):
    """x * 10**k, exact for whole k where the result is (dividing by 10**-k, not
    multiplying by an inexact 10**k)."""
    k = float(k)
    return x * 10.0 ** k if k >= 0 else x / 10.0 ** -k


def unit_size(text: str) -> Tuple[Dim, int]:
    """The dimension of one unit name and its size in SI units, as a power of ten."""
    d = unit_name(text)
    for prefix in sorted(PREFIXES, key=len, reverse=True):
        if text.startswith(prefix) and text not in SIZES and text[len(prefix):] in SIZES:
            return d, SIZES[text[len(prefix):]] + PREFIXES[prefix]
    return d, SIZES[text]


#: SI size of each named unit without prefix, as a power of ten (the gram is a thousandth
#: of the SI kilogram, the molar 1000 mol/m^3)
SIZES = {"s": 0, "second": 0, "Hz": 0, "hertz": 0, "m": 0, "metre": 0, "meter": 0,
          "g": -3, "gram": -3, "A": 0, "amp": 0, "ampere": 0, "V": 0, "volt": 0, "S": 0,
          "siemens": 0, "F": 0, "farad": 0, "ohm": 0, "C": 0, "coulomb": 0, "J": 0,
          "joule": 0, "W": 0, "watt": 0, "K": 0, "kelvin": 0, "mol": 0, "mole": 0, "M": 3,
          "molar": 3, "l": -3, "liter": -3, "litre": -3, "radian": 0}


def unit_value(name: str) -> float:
    """The value of one ``name`` (``mV``, ``nA``, ``second``) in pyspike's base units.

    >>> unit_value("mV"), unit_value("nA"), unit_value("second"), unit_value("Hz")
    (1.0, 1000.0, 1000.0, 0.001)
    """
    d, size = unit_size(name)
    return times_ten(1.0, size - base_scale(d))


def unit_constant(name: str) -> Optional[float]:
    """A unit written in model text as Brian2 users write them (``v > -50*mV``, ``10*ms``,
    ``second``): its value in pyspike's base units (``nA`` is 1000.0, ``Hz`` 0.001); None
    for a name that is no unit.  Names of one letter (``m``, ``g``, ``C``, ``V``) are never
    read as units: they are far more often a variable one forgot to declare.  (A model's
    own names come first: the parser asks only for names it does not know.)

    >>> unit_constant("mV"), unit_constant("nA"), unit_constant("V"), unit_constant("msec")
    (1.0, 1000.0, None, None)
    """
    if len(name) < 2:
        return None
    try:
        return unit_value(name)
    except (UnitError, KeyError):
        return None
