"""The kernel IR as JSON and back, over whitelists: the code-generation cache stores data
that cannot run code when it is read (never a pickle).

Every value is plain JSON (``str``, ``int``, ``bool``, ``None``) or an array whose first
element is a tag: containers (``l`` list, ``t`` tuple, ``s`` set, ``d`` dict with keys of
any encodable type), exact floats (``f``, ``float.hex``), NumPy scalars (``np``), the
dataclasses of codegen's IR and spec modules (``dc``, by ``module.Class``), and sympy trees
over a fixed set of classes (symbols with their assumptions, exact numbers, arithmetic,
functions, piecewise, relationals, logic, pyspike's own functions and TimedArrays).
:func:`decode` refuses anything else with a ``ValueError``, and hands sympy's constructors
sympy objects only (a string reaching them would be parsed, and parsing evaluates).

>>> import sympy as sp
>>> v, tau = sp.Symbol("v", real=True), sp.Symbol("tau", real=True)
>>> e = sp.Piecewise((v*sp.exp(-sp.Float("0.1")/tau), v > 1), (sp.Rational(1, 3), True))
>>> decode(encode({("a", 1): e, "n": [1.5, None]})) == {("a", 1): e, "n": [1.5, None]}
True
>>> decode('["dc", "os.system", {}]')
Traceback (most recent call last):
    ...
ValueError: not a valid encoded kernel IR: 'os.system' is not a class of the kernel IR
"""
from __future__ import annotations

import dataclasses
import json
import struct
from typing import Any, Callable, Dict

import numpy as np
import sympy as sp
from sympy.core.assumptions import _assume_defined

from . import (equations, expressions, functions, ir, kernels, layout, schedule, spec,
               synaptic, synaptic_operations)


def _dataclasses(*modules) -> Dict[str, type]:
    """The dataclasses defined in ``modules``, by ``module.Class``; found by walking the
    modules so that a new IR class is covered without another list to keep."""
    out = {}
    for module in modules:
        short = module.__name__.rsplit(".", 1)[-1]
        for obj in vars(module).values():
            if (isinstance(obj, type) and dataclasses.is_dataclass(obj)
                    and obj.__module__ == module.__name__):
                out[f"{short}.{obj.__qualname__}"] = obj
    return out


DATACLASSES = _dataclasses(ir, equations, spec, kernels, synaptic, expressions, layout,
                           schedule, synaptic_operations)
_DATACLASS_NAMES = {cls: name for name, cls in DATACLASSES.items()}

#: sympy node classes, rebuilt from their arguments with ``evaluate=False``.
_SYMPY_CLASSES = (
    sp.Add, sp.Mul, sp.Pow, sp.Mod, sp.exp, sp.log, sp.sin, sp.cos, sp.tan, sp.sinh,
    sp.cosh, sp.tanh, sp.asin, sp.acos, sp.atan, sp.atan2, sp.floor, sp.ceiling, sp.Abs,
    sp.sign, sp.Min, sp.Max, sp.Piecewise, sp.Equality, sp.Unequality, sp.StrictLessThan,
    sp.LessThan, sp.StrictGreaterThan, sp.GreaterThan, sp.And, sp.Or, sp.Not, sp.Xor)
#: ... and pyspike's own functions (functions.py), found there.
_OWN_FUNCTIONS = tuple(
    obj for obj in vars(functions).values()
    if isinstance(obj, type) and issubclass(obj, sp.Function) and
    obj.__module__ == functions.__name__ and obj is not functions.TimedArrayCall)
SYMPY: Dict[str, type] = {cls.__name__: cls for cls in _SYMPY_CLASSES + _OWN_FUNCTIONS}
SYMPY["ExprCondPair"] = sp.functions.elementary.piecewise.ExprCondPair
#: Numbers and constants that are one object each.
SINGLETONS: Dict[str, sp.Basic] = {
    "Infinity": sp.oo, "NegativeInfinity": -sp.oo, "NaN": sp.nan, "ComplexInfinity": sp.zoo,
    "ImaginaryUnit": sp.I, "Pi": sp.pi, "Exp1": sp.E, "BooleanTrue": sp.true,
    "BooleanFalse": sp.false}
_FLOAT, _FLOAT_BITS = struct.Struct("<d"), struct.Struct("<Q")
_NUMPY_TYPES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                "uint64", "float32", "float64")


def encode(obj: Any) -> str:
    """``obj`` as JSON text; ``ValueError`` if it holds anything :func:`decode` would
    refuse."""
    return json.dumps(to_data(obj), separators=(",", ":"), allow_nan=False)


def decode(text) -> Any:
    """The object :func:`encode` wrote; ``ValueError`` for anything else."""
    try:
        data = json.loads(text)
    except (ValueError, TypeError, RecursionError) as err:
        raise ValueError(f"not a valid encoded kernel IR: {err}") from None
    return from_data(data)


def to_data(obj: Any) -> Any:
    """``obj`` as a tree of JSON values (what :func:`encode` writes out)."""
    return _enc(obj)


def from_data(data: Any) -> Any:
    """The object of a tree of JSON values from :func:`to_data`; ``ValueError`` for
    anything else."""
    try:
        return _dec(data)
    except ValueError as err:
        raise ValueError(f"not a valid encoded kernel IR: {_reason(err)}") from None
    except Exception as err:     # a constructor refusing its arguments, a deep tree, ...
        raise ValueError(f"not a valid encoded kernel IR: {type(err).__name__}: "
                         f"{_reason(err)}") from None


def _reason(err: Exception) -> str:
    text = str(err)
    return text[len("not a valid encoded kernel IR: "):] if text.startswith("not a valid") \
        else text


def _enc(o: Any) -> Any:
    kind = type(o)
    if o is None or kind in (str, int, bool):
        return o
    if kind is float:      # exact; a NaN by its bits (float.hex drops sign and payload)
        return ["f", o.hex()] if o == o else ["f", "nan", _FLOAT_BITS.unpack(_FLOAT.pack(o))[0]]
    if kind is list:
        return ["l", *map(_enc, o)]
    if kind is tuple:
        return ["t", *map(_enc, o)]
    if kind in (set, frozenset):
        items = sorted((_enc(x) for x in o), key=json.dumps)   # the same text every time
        return ["s" if kind is set else "fs", *items]
    if kind is dict:
        return ["d", *([_enc(k), _enc(v)] for k, v in o.items())]
    if kind in _DATACLASS_NAMES:
        return ["dc", _DATACLASS_NAMES[kind],
                {f.name: _enc(getattr(o, f.name)) for f in dataclasses.fields(o)}]
    if isinstance(o, np.generic) and kind.__name__ in _NUMPY_TYPES:
        return ["np", kind.__name__, _enc(o.item())]
    if isinstance(o, type):
        return _enc_class(o)
    if isinstance(o, sp.Basic):
        return _enc_sympy(o)
    raise ValueError(f"cannot encode a {kind.__module__}.{kind.__qualname__}")


def _enc_class(cls: type) -> list:
    if _is_timed(cls):
        return ["c", "TimedArrayCall", cls.array_name, cls.ndim]
    if SYMPY.get(cls.__name__) is cls:
        return ["c", cls.__name__]
    raise ValueError(f"cannot encode the class {cls.__module__}.{cls.__qualname__}")


def _is_timed(cls: type) -> bool:
    return (issubclass(cls, expressions.TimedArrayCall) and cls is not
            expressions.TimedArrayCall and
            expressions.timed_function(cls.array_name, cls.ndim) is cls)


def _enc_sympy(e: sp.Basic) -> list:
    kind = type(e)
    if kind is sp.Symbol:
        return ["y", e.name, dict(sorted(e._assumptions_orig.items()))]
    if isinstance(e, sp.Integer):
        return ["I", int(e)]
    if isinstance(e, sp.Rational):
        return ["Q", int(e.p), int(e.q)]
    if kind is sp.Float:
        return ["F", *e._mpf_, e._prec]        # exact: mantissa, exponent and precision
    for name, value in SINGLETONS.items():
        if e is value:
            return ["S", name]
    if _is_timed(kind):
        return ["ta", kind.array_name, kind.ndim, *map(_enc, e.args)]
    if SYMPY.get(kind.__name__) is kind:
        return ["x", kind.__name__, *map(_enc, e.args)]
    raise ValueError(f"cannot encode the sympy object {e!r} ({kind.__name__})")


def _dec(d: Any) -> Any:
    if d is None or type(d) in (str, int, bool):
        return d
    if type(d) is not list or not d or type(d[0]) is not str:
        raise ValueError(f"unexpected JSON value of type {type(d).__name__}")
    tag, rest = d[0], d[1:]
    if tag not in _DECODERS:
        raise ValueError(f"unknown tag {tag!r}")
    return _DECODERS[tag](rest)


def _dec_float(rest: list) -> float:
    if rest[:1] == ["nan"]:
        _expect(rest, (str, int), "a NaN")
        if not 0 <= rest[1] < 2**64:
            raise ValueError("a NaN's bits out of range")
        return _FLOAT.unpack(_FLOAT_BITS.pack(rest[1]))[0]
    _expect(rest, (str,), "a float")
    return float.fromhex(rest[0])


def _dec_dict(rest: list) -> dict:
    out = {}
    for pair in rest:
        if type(pair) is not list or len(pair) != 2:
            raise ValueError("a dict entry is not a [key, value] pair")
        out[_dec(pair[0])] = _dec(pair[1])
    return out


def _dec_dataclass(rest: list) -> Any:
    _expect(rest, (str, dict), "a dataclass")
    name, fields = rest
    cls = DATACLASSES.get(name)
    if cls is None:
        raise ValueError(f"{name!r} is not a class of the kernel IR")
    wanted = {f.name for f in dataclasses.fields(cls) if f.init}
    if set(fields) != wanted:
        raise ValueError(f"{name} has the fields {sorted(wanted)}, not {sorted(fields)}")
    return cls(**{k: _dec(v) for k, v in fields.items()})


def _dec_numpy(rest: list) -> np.generic:
    _expect(rest, (str, object), "a NumPy scalar")
    if rest[0] not in _NUMPY_TYPES:
        raise ValueError(f"{rest[0]!r} is not a NumPy scalar type")
    value = _dec(rest[1])
    if type(value) not in (bool, int, float):
        raise ValueError("a NumPy scalar holds no number")
    return getattr(np, rest[0])(value)


def _dec_class(rest: list) -> type:
    if rest[:1] == ["TimedArrayCall"]:
        return _timed(rest[1:])
    _expect(rest, (str,), "a class")
    if rest[0] not in SYMPY:
        raise ValueError(f"{rest[0]!r} is not a sympy class of the kernel IR")
    return SYMPY[rest[0]]


def _timed(rest: list) -> type:
    if (len(rest) != 2 or type(rest[0]) is not str or
            not expressions.IDENTIFIER.match(rest[0]) or rest[1] not in (1, 2)):
        raise ValueError("a TimedArray is named by an identifier and 1 or 2 dimensions")
    return expressions.timed_function(rest[0], rest[1])


def _dec_symbol(rest: list) -> sp.Symbol:
    _expect(rest, (str, dict), "a symbol")
    name, assumptions = rest
    for key, value in assumptions.items():
        if key not in _assume_defined or type(value) is not bool:
            raise ValueError(f"{key!r}: {value!r} is not a sympy assumption")
    return sp.Symbol(name, **assumptions)


def _dec_float_number(rest: list) -> sp.Float:
    if len(rest) != 5 or any(type(x) is not int for x in rest):
        raise ValueError("a sympy Float is five integers")
    sign, man, exp, bc, prec = rest
    if sign not in (0, 1) or man < 0 or bc < 0 or prec < 1:
        raise ValueError("a sympy Float out of range")
    if (sign, man, exp, bc) == (0, 0, 0, 0):
        return sp.Float(0, precision=prec)    # (Float._new would give the Integer 0)
    return sp.Float._new((sign, man, exp, bc), prec)


def _args(rest: list) -> list:
    # only sympy objects: sympy's constructors would parse (and so evaluate) a string
    args = [_dec(a) for a in rest]
    if not all(isinstance(a, sp.Basic) for a in args):
        raise ValueError("the arguments of a sympy node must be sympy objects")
    return args


def _dec_node(rest: list) -> sp.Basic:
    if not rest or type(rest[0]) is not str or rest[0] not in SYMPY:
        raise ValueError(f"{rest[:1]!r} is not a sympy class of the kernel IR")
    cls, args = SYMPY[rest[0]], _args(rest[1:])
    if rest[0] == "ExprCondPair":
        return cls(*args)
    return cls(*args, evaluate=False)


def _dec_timed_call(rest: list) -> sp.Basic:
    return _timed(rest[:2])(*_args(rest[2:]), evaluate=False)


def _dec_integer(rest: list) -> sp.Integer:
    _expect(rest, (int,), "an integer")
    return sp.Integer(rest[0])


def _dec_rational(rest: list) -> sp.Rational:
    _expect(rest, (int, int), "a rational")
    if rest[1] <= 0:
        raise ValueError("a rational has a positive denominator")
    return sp.Rational(rest[0], rest[1])


def _dec_singleton(rest: list) -> sp.Basic:
    _expect(rest, (str,), "a constant")
    if rest[0] not in SINGLETONS:
        raise ValueError(f"{rest[0]!r} is not a sympy constant of the kernel IR")
    return SINGLETONS[rest[0]]


def _expect(rest: list, types: tuple, what: str) -> None:
    if len(rest) != len(types) or not all(t is object or type(x) is t
                                          for x, t in zip(rest, types)):
        raise ValueError(f"malformed {what}")


def _hashables(rest: list, kind: type):
    return kind(_dec(x) for x in rest)


_DECODERS: Dict[str, Callable[[list], Any]] = {
    "f": _dec_float, "l": lambda r: [_dec(x) for x in r],
    "t": lambda r: tuple(_dec(x) for x in r), "s": lambda r: _hashables(r, set),
    "fs": lambda r: _hashables(r, frozenset), "d": _dec_dict, "dc": _dec_dataclass,
    "np": _dec_numpy, "c": _dec_class, "y": _dec_symbol, "I": _dec_integer,
    "Q": _dec_rational, "F": _dec_float_number, "S": _dec_singleton, "x": _dec_node,
    "ta": _dec_timed_call}
