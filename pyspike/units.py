"""Quantities with units, converted to pyspike's base units where they enter the library.

pyspike computes with plain numbers in a coherent set of base units: ms, mV, pA, nS, pF,
GOhm, fC, um, mM (so nS*mV = pA and pA/pF = mV/ms; a rate in an equation is per ms).  A
value may instead be given as a quantity, ``10*ps.units.ms`` or ``200*ps.units.pF``, or as
a Brian2 quantity (``10*brian2.ms``): it is converted to the base units when it is given
(never inside kernels), and where the model fixes the parameter's dimension a quantity of
another dimension is refused.  Arguments that name their own unit keep it: a
``PoissonGroup``'s rates are in Hz, so ``rates=5*ps.units.Hz`` is 5 and
``rates=0.005*ps.units.kHz`` is 5 too.

>>> from pyspike import units as u
>>> float(base_value(200*u.pF)), float(base_value(1*u.nA)), float(base_value(5*u.Hz))
(200.0, 1000.0, 0.005)
>>> (10*u.nS*u.mV).unit_text
'pA'
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .codegen.errors import ModelError
from .codegen.units import (Dim, base_scale as _scale, pretty, times_ten as _times_ten,
                            unit_size as _unit)

def si_scale(d: Dim) -> float:
    """How many SI units of dimension ``d`` make one pyspike base unit."""
    return 10.0 ** float(_scale(d))


class Quantity:
    """A number or array with a unit; arithmetic keeps track of the dimension.

    >>> from pyspike import units as u
    >>> tau = 20*u.ms
    >>> tau.unit_text, float(tau.si)
    ('ms', 0.02)
    >>> (3*u.mV/tau).unit_text
    'mV/ms'
    """
    __array_ufunc__ = None              # numpy * Quantity gives a Quantity, not an array

    def __init__(self, value, dim: Dim):
        #: the value in pyspike's base units (ms, mV, pA, ...)
        self.value = (np.asarray(value, dtype=np.float64) if not np.isscalar(value)
                      else float(value))
        #: the dimension
        self.dim = dim

    @property
    def si(self):
        """The value in SI units (seconds, volts, amperes, ...)."""
        return _times_ten(self.value, _scale(self.dim))

    @property
    def unit_text(self) -> str:
        """The dimension, named in pyspike's base units."""
        return pretty(self.dim)

    def base(self):
        """The value in pyspike's base units."""
        return self.value

    # (the base units are coherent, so products and quotients of base values are base)
    def __mul__(self, other):
        if isinstance(other, Quantity):
            return _make(self.value * other.value, self.dim * other.dim)
        return _make(self.value * _plain(other, "*"), self.dim)

    __rmul__ = __mul__

    def __truediv__(self, other):
        if isinstance(other, Quantity):
            return _make(self.value / other.value, self.dim / other.dim)
        return _make(self.value / _plain(other, "/"), self.dim)

    def __rtruediv__(self, other):
        return _make(_plain(other, "/") / self.value, Dim() / self.dim)

    def __pow__(self, k):
        return _make(self.value ** k, self.dim ** k)

    def __neg__(self):
        return Quantity(-self.value, self.dim)

    def __add__(self, other):
        return Quantity(self.value + _like(self, other, "+"), self.dim)

    __radd__ = __add__

    def __sub__(self, other):
        return Quantity(self.value - _like(self, other, "-"), self.dim)

    def __rsub__(self, other):
        return Quantity(_like(self, other, "-") - self.value, self.dim)

    def __len__(self) -> int:
        return len(self.value)

    def __repr__(self) -> str:
        return f"{self.base()!r} {self.unit_text}"


def _make(value, dim: Dim):
    """A quantity, or the plain number where the units cancel (ms/ms is 1: the SI scale of
    a dimensionless value is one, so its base value is the number)."""
    return value if dim.dimensionless else Quantity(value, dim)


def _plain(value, op: str):
    if isinstance(value, (str, bytes)) or as_quantity(value) is not None:
        raise TypeError(f"unsupported operand for {op} with a quantity: {value!r}")
    return np.asarray(value, dtype=np.float64) if not np.isscalar(value) else value


def _like(q: Quantity, other, op: str):
    o = as_quantity(other)
    if o is None:
        if q.dim.dimensionless:
            return other
        raise ModelError(f"cannot {'add' if op == '+' else 'subtract'} a plain number and a "
                         f"quantity in {q.unit_text}", where="units")
    if o.dim != q.dim:
        raise ModelError(f"cannot {'add' if op == '+' else 'subtract'} quantities in "
                         f"{q.unit_text} and {o.unit_text}", where="units")
    return o.value


def as_quantity(value) -> Optional[Quantity]:
    """``value`` as a :class:`Quantity` if it carries a unit (ours or Brian2's), else None.

    A Brian2 quantity is recognised by what it has, not imported: a NumPy array with a
    ``dim`` whose ``_dims`` are the SI exponents (m, kg, s, A, K, mol, cd)."""
    if isinstance(value, Quantity):
        return value
    dims = getattr(getattr(value, "dim", None), "_dims", None)
    if dims is None or not isinstance(value, np.ndarray):
        return None
    exps = [float(x) for x in dims]
    if len(exps) != 7 or exps[6]:
        raise ModelError(f"the quantity {value!r} has a unit pyspike does not use "
                         "(candela)", where="units")
    from fractions import Fraction
    d = Dim(tuple(Fraction(x).limit_denominator(12) for x in exps[:6]))
    array = np.asarray(value, dtype=np.float64)      # in SI units
    return Quantity(_times_ten(float(array) if array.ndim == 0 else array, -_scale(d)), d)


def dims_given(values) -> dict:
    """The dimensions of the quantities among ``values`` (a params dict), by name."""
    if not isinstance(values, dict):
        return {}
    return {k: q.dim for k, q in ((k, as_quantity(v)) for k, v in values.items())
            if q is not None}


def base_value(value, dim: Optional[Dim] = None, what: str = "value", where: str = "units"):
    """A plain number or array in base units: a quantity converted (and, where ``dim`` is
    given, refused if of another dimension); anything else as it is."""
    q = as_quantity(value)
    if q is None:
        return value
    if dim is not None and q.dim != dim:
        raise ModelError(f"{what} is given in {q.unit_text}, but the model uses it in "
                         f"{pretty(dim)}", where=where, symbol=what)
    return q.base()


def in_unit(value, unit: str, what: str, where: str):
    """A plain number or array in ``unit`` (an argument's own unit: ms, Hz): a quantity
    converted (refused if of another dimension); anything else as it is."""
    q = as_quantity(value)
    if q is None:
        return value
    d, size = _unit(unit)
    if q.dim != d:
        raise ModelError(f"{what} must be in {unit}, not in {q.unit_text}", where=where,
                         symbol=what)
    return _times_ten(q.value, _scale(d) - size)


def _constant(name: str) -> Quantity:
    d, size = _unit(name)
    return Quantity(_times_ten(1.0, size - _scale(d)), d)


_EXPORTED = ("ms", "second", "us", "Hz", "kHz", "mV", "volt", "uV", "pA", "nA", "uA", "amp",
             "nS", "uS", "mS", "siemens", "pF", "nF", "uF", "farad", "ohm", "kohm", "Mohm",
             "Gohm", "fC", "pC", "coulomb", "um", "mm", "cm", "metre", "meter", "mM", "uM",
             "molar", "mol")
globals().update({name: _constant(name) for name in _EXPORTED})
__all__ = ["Quantity", "as_quantity", "base_value", "in_unit", "si_scale"] + list(_EXPORTED)
