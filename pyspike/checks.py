"""Argument checks at the boundary of the front end: numbers, counts, durations, names.

Every helper takes the value as given, the name of the argument (``what``) and the object
or call it belongs to (``where``), and either returns the value in the form the library
stores (a float, an int, a float64 array) or raises a :class:`ModelError` whose message
names the argument and the value, and whose ``symbol`` is the argument's name.  Booleans
are never numbers here (``True`` is not a neuron count), nor are strings (``"0.5"`` is
text, not a probability).

>>> duration(0.1, "dt", "Network", positive=True)
0.1
>>> count(3, "N", "NeuronGroup", minimum=1)
3
>>> try:
...     duration(float("nan"), "t", "run")
... except ModelError as err:
...     print(err, "/", err.symbol)
In run: t must be a finite non-negative number of ms, not nan / t
"""
from __future__ import annotations

import math
import numbers
from typing import Dict, Mapping, Optional

import numpy as np

from .codegen.errors import ModelError
from .codegen.expressions import IDENTIFIER, RESERVED
from . import units

__all__ = ["label", "is_number", "number", "unitless", "duration", "count", "probability", "flag",
           "identifier", "name", "text", "reals", "indices", "params", "show"]


def show(value, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters, for messages."""
    try:
        text = repr(value)
    except Exception:                                   # a user object's broken __repr__
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[:limit - 3] + "..."


def label(value) -> str:
    """A name for ``symbol=``: a string as it is, anything else as its short repr."""
    return value if isinstance(value, str) else show(value)


def is_number(value) -> bool:
    """Whether ``value`` is one real number (not a bool, text or a container)."""
    return _real(value) is not None


def _real(value) -> Optional[float]:
    """``value`` as a float if it is one real number (not a bool, a string or a
    container); None otherwise.  Integers too large for a float become +-inf."""
    if isinstance(value, (bool, np.bool_, str, bytes)):
        return None
    if isinstance(value, np.ndarray):
        if value.ndim != 0 or value.dtype.kind not in "iuf":
            return None
        value = value[()]
    if not isinstance(value, numbers.Real):
        return None
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def number(value, what: str, where: str, *, minimum: Optional[float] = None,
           strict: bool = False, maximum: Optional[float] = None, finite: bool = True,
           unit: str = "") -> float:
    """One real number, not NaN; finite unless ``finite=False``; at least ``minimum``
    (above it if ``strict``) and at most ``maximum`` where given.  A quantity
    (``2*ps.units.ms``) is converted to ``unit`` and refused if of another dimension."""
    value = unitless(value, what, where, unit)
    x = _real(value)
    units = f" {unit}" if unit else ""
    kind = ("positive " if strict and minimum == 0 else
            "non-negative " if minimum == 0 else "")
    expected = f"a {'finite ' if finite else ''}{kind}number{' of' + units if unit else ''}"
    if x is None:
        hint = " (give the number itself, not text)" if isinstance(value, str) else ""
        raise ModelError(f"{what} must be {expected}, not {show(value)}{hint}", where=where,
                         symbol=what)
    if math.isnan(x) or (finite and math.isinf(x)):
        raise ModelError(f"{what} must be {expected}, not {show(value)}", where=where,
                         symbol=what)
    if minimum is not None and (x < minimum or (strict and x == minimum)):
        bound = f"{'above' if strict else 'at least'} {minimum:g}{units}"
        raise ModelError(f"{what} must be {bound}, not {show(value)}", where=where,
                         symbol=what)
    if maximum is not None and x > maximum:
        raise ModelError(f"{what} must be at most {maximum:g}{units}, not {show(value)}",
                         where=where, symbol=what)
    return x


def unitless(value, what: str, where: str, unit: str):
    """``value`` with any unit converted to ``unit`` (a dimensionless number if none);
    a value without a unit as it is."""
    q = units.as_quantity(value)
    if q is None:
        return value
    if unit:
        return units.in_unit(q, unit, what, where)
    if q.dim.dimensionless:
        return q.value
    raise ModelError(f"{what} is a plain number, not a quantity in {q.unit_text}",
                     where=where, symbol=what)


def method(value, where: str) -> Optional[str]:
    """An integration method's name, or None (pyspike chooses)."""
    from .codegen.integrators import ALL_METHODS
    if value is not None and (not isinstance(value, str) or value not in ALL_METHODS):
        raise ModelError(f"unknown integration method {show(value)}: choose one of "
                         + ", ".join(ALL_METHODS), where=where, symbol="method")
    return value


def duration(value, what: str, where: str, *, positive: bool = False) -> float:
    """A finite time in ms, >= 0 (> 0 if ``positive``): a delay, a TimedArray's step."""
    return number(value, what, where, minimum=0.0, strict=positive, unit="ms")


def count(value, what: str, where: str, *, minimum: int = 0,
          maximum: Optional[int] = None) -> int:
    """A whole number (an int, a NumPy integer, or a float with a whole value) in
    [minimum, maximum]."""
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        n = int(value)                     # exactly, however large
    else:
        x = _real(value)
        if x is None or not math.isfinite(x) or x != int(x):
            raise ModelError(f"{what} must be a whole number >= {minimum}, not "
                             f"{show(value)}", where=where, symbol=what)
        n = int(x)
    if n < minimum or (maximum is not None and n > maximum):
        limit = f" and at most {maximum}" if maximum is not None else ""
        raise ModelError(f"{what} must be a whole number >= {minimum}{limit}, not "
                         f"{show(value)}", where=where, symbol=what)
    return n


def probability(value, what: str, where: str) -> float:
    """A number in [0, 1]."""
    x = _real(value)
    if x is None or not 0.0 <= x <= 1.0:
        hint = " (give the number itself, not text)" if isinstance(value, str) else ""
        raise ModelError(f"{what} must be a probability in [0, 1], not {show(value)}{hint}",
                         where=where, symbol=what)
    return x


def flag(value, what: str, where: str) -> bool:
    """True or False (NumPy's booleans too), nothing that is merely truthy."""
    if not isinstance(value, (bool, np.bool_)):
        raise ModelError(f"{what} must be True or False, not {show(value)}", where=where,
                         symbol=what)
    return bool(value)


def text(value, what: str, where: str, *, empty_if_none: bool = True) -> str:
    """A string argument (None reads as the empty string where ``empty_if_none``)."""
    if value is None and empty_if_none:
        return ""
    if not isinstance(value, str):
        raise ModelError(f"{what} must be a string, not {show(value)}", where=where,
                         symbol=what)
    return value


def identifier(value, what: str, where: str) -> str:
    """A plain name: letters, digits and '_', starting with a letter, not reserved."""
    if not isinstance(value, str) or not IDENTIFIER.match(value):
        raise ModelError(f"{what} must be a plain name (letters, digits and '_', starting "
                         f"with a letter), not {show(value)}", where=where, symbol=what)
    if value in RESERVED:
        raise ModelError(f"{what} cannot be the reserved name {value!r}", where=where,
                         symbol=what)
    return value


def name(value, where: str) -> Optional[str]:
    """An object's ``name=``: None (a name is made up) or printable text on one line.
    Names label messages and comments in generated code, never code itself; a line
    break or control character could end such a comment, so none is allowed."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or not value.isprintable() \
            or len(value) > 200:
        raise ModelError(f"name must be a non-empty string of printable characters on one "
                         f"line (at most 200), not {show(value)}", where=where,
                         symbol="name")
    return value


def reals(value, what: str, where: str, *, minimum: Optional[float] = None,
          finite: bool = False, ndim: Optional[int] = None, unit: str = "",
          dim=None, copy: bool = True) -> np.ndarray:
    """Numbers (one, or an array of any shape unless ``ndim``) as a float64 array; NaN
    is never a value, infinities only where ``finite`` is False.  A quantity is converted:
    to ``unit`` where given (refused if of another dimension), else to pyspike's base
    units (refused if not of dimension ``dim``, where given).  The array is a new one,
    unless ``copy`` is False and the value is a float64 array already (for callers that
    only read it: a copy is 8 bytes per element of 3e8 synapses)."""
    if unit:
        value = unitless(value, what, where, unit)
    else:
        value = units.base_value(value, dim, what, where)
    if isinstance(value, (str, bytes)) or value is None:
        raise ModelError(f"{what} must be a number or an array of numbers, not "
                         f"{show(value)}", where=where, symbol=what)
    try:
        raw = np.asarray(value)
        if raw.dtype.kind == "O":      # ragged lists, or objects that are not numbers
            raw = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise ModelError(f"{what} must be a number or a regular array of numbers, not "
                         f"{show(value)}", where=where, symbol=what) from None
    if raw.dtype.kind not in "iuf":
        hint = (" (booleans are not numbers here: convert with .astype(float))"
                if raw.dtype.kind == "b" else "")
        raise ModelError(f"{what} must be a number or an array of numbers, not "
                         f"{show(value)}{hint}", where=where, symbol=what)
    if ndim is not None and raw.ndim != ndim:
        raise ModelError(f"{what} must be a {ndim}-d array, not of shape {raw.shape}",
                         where=where, symbol=what)
    with np.errstate(over="ignore"):
        array = raw.astype(np.float64, copy=copy)
    k = _first_bad(array, finite, minimum)
    if k is not None:
        at = f"[{', '.join(str(int(x)) for x in k)}]" if array.ndim else ""
        expected = ("a finite number" if finite else "a number (not NaN)") + (
            f" >= {minimum:g}" if minimum is not None else "")
        raise ModelError(f"{what}{at} must be {expected}, not {float(array[k])!r}",
                         where=where, symbol=what)
    return array


def _first_bad(array: np.ndarray, finite: bool, minimum: Optional[float]):
    """The index of the first element that is NaN (or infinite where ``finite``, or below
    ``minimum``), None where there is none.  A 1-d array is read in blocks: 1 byte per
    element of temporaries would be 43 MB for a large Synapses' values, three times."""
    step = 1 << 20
    parts = [(lo, array[lo:lo + step]) for lo in range(0, array.size, step)] \
        if array.ndim == 1 else [(0, array)]
    for lo, part in parts:
        bad = np.isnan(part)
        if finite:
            bad |= np.isinf(part)
        if minimum is not None:
            bad |= part < minimum
        if bad.any():
            first = int(np.argmax(bad))
            return (lo + first,) if array.ndim == 1 else np.unravel_index(first, array.shape)
    return None


def indices(value, what: str, where: str, size: int) -> np.ndarray:
    """A 1-d sequence of whole numbers in 0..size-1 (a single index reads as one), as
    int64; whole numbers written as floats (``2.0``) are accepted, ``0.5`` is not."""
    array = reals(value, what, where)
    array = np.atleast_1d(array)
    if array.ndim != 1:
        raise ModelError(f"{what} must be a flat list of indices, not of shape "
                         f"{array.shape}", where=where, symbol=what)
    fractional = array != np.floor(array)
    if np.isinf(array).any() or fractional.any():
        k = int(np.argmax(fractional | np.isinf(array)))
        raise ModelError(f"{what} must be whole numbers, not {float(array[k])!r} (at position "
                         f"{k})", where=where, symbol=what)
    outside = (array < 0) | (array >= size)
    if outside.any():
        k = int(np.argmax(outside))
        raise ModelError(f"{what} must lie in 0..{size - 1}, not {array[k]:g} (at position "
                         f"{k})", where=where, symbol=what)
    return array.astype(np.int64)


def params(values, where: str, owner: str, functions: tuple = ()) -> Dict[str, object]:
    """A ``params`` dict checked: names (strings) to a number, an array of numbers (one
    per element), None (set later) or an instance of ``functions`` (a TimedArray).
    Numbers become floats and arrays float64; NaN is refused, infinities are numbers a
    model may mean (a time constant of inf).  ``owner`` names the object in advice
    (``G`` for a group, ``S`` for synapses)."""
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise ModelError(f"params must be a dict of names to values, not {show(values)}",
                         where=where, symbol="params")
    out: Dict[str, object] = {}
    for key, value in values.items():
        if not isinstance(key, str):
            raise ModelError(f"a parameter name must be a string, not {show(key)}",
                             where=where, symbol=label(key))
        if value is None or isinstance(value, functions):
            out[key] = value
            continue
        if isinstance(value, str):
            raise ModelError(f"the parameter '{key}' must be a number or an array of "
                             f"numbers, not the text {show(value)} (give 10.0, not '10.0'; "
                             f"an expression is set on the object: {owner}.{key} = '...')",
                             where=where, symbol=key)
        array = reals(value, key, where)
        out[key] = float(array) if array.ndim == 0 else array
    return out


def booleans(value, name: str, where: str) -> np.ndarray:
    """The values given to a boolean variable (Brian2's ': boolean'): True and False, or
    the numbers 1 and 0, stored as 1.0 and 0.0."""
    if isinstance(value, (bool, np.bool_)) or getattr(value, "dtype", None) == np.bool_ or \
            isinstance(value, (list, tuple)) and value and \
            all(isinstance(x, (bool, np.bool_)) for x in value):
        return np.asarray(value, dtype=np.float64)
    values = reals(value, name, where)
    if not np.isin(values, (0.0, 1.0)).all():
        raise ModelError(f"'{name}' is boolean: it takes True or False (or 1 and 0), not "
                         f"{show(value)}", where=where, symbol=name)
    return values


def unhidden(names, attributes, where: str) -> None:
    """Refuse a model's variable or parameter that an attribute of the object would hide."""
    for name in names:
        if name in attributes:
            raise ModelError(f"the model names a variable or parameter '{name}', which is "
                             f"also an attribute of every {where}: rename it", where=where,
                             symbol=name)
