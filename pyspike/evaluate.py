"""Sympy expressions of codegen evaluated with NumPy, vectorised over neurons or synapses.

Shared by the front end (initial values, connection conditions and probabilities,
synaptic values given as strings) and the NumPy reference backend, which interprets the
kernel IR with it; a module of its own so that the front end imports no backend.  It
rounds as the generated C++ does: the same order of products and sums as the printer
writes them, the same Poisson inversion, integers beyond int64 read as reals.

>>> import numpy as np
>>> from pyspike.codegen.equations import symbol
>>> from pyspike.codegen.expressions import parse_expression
>>> e = parse_expression("2*x/3 + 1", {"x": symbol("x")})
>>> evaluate(e, {"x": np.arange(3.0)}).tolist()
[1.0, 1.6666666666666665, 2.333333333333333]
"""
from __future__ import annotations

from typing import Callable, Dict, Tuple

import numpy as np
import sympy as sp

from .codegen.expressions import PoissonCount, StepBound, TimedArrayCall, exprel

_UNARY = {sp.exp: np.exp, sp.log: np.log, sp.sin: np.sin, sp.cos: np.cos, sp.tan: np.tan,
          sp.tanh: np.tanh, sp.floor: np.floor, sp.ceiling: np.ceil, sp.Abs: np.abs,
          sp.sign: np.sign, sp.sinh: np.sinh, sp.cosh: np.cosh, sp.asin: np.arcsin,
          sp.acos: np.arccos, sp.atan: np.arctan}
_RELATIONS = {sp.StrictGreaterThan: np.greater, sp.GreaterThan: np.greater_equal,
              sp.StrictLessThan: np.less, sp.LessThan: np.less_equal,
              sp.Equality: np.equal, sp.Unequality: np.not_equal}


#: Expressions turned into closures, by identity (each entry keeps its expression alive,
#: so an id is never reused while it is here): the NumPy reference evaluates the same
#: statements at every step, and walking sympy's tree each time (ordering the terms of
#: every sum, splitting every product) cost more than the arithmetic.
_COMPILED: Dict[Tuple[int, type], Tuple[sp.Basic, Callable]] = {}
_MAX_COMPILED = 20000


def evaluate(e: sp.Basic, env: Dict[str, object], real=np.float64):
    """Evaluate a codegen expression with NumPy; numbers are of type ``real``."""
    key = (id(e), real)
    hit = _COMPILED.get(key)
    if hit is None or hit[0] is not e:
        if len(_COMPILED) >= _MAX_COMPILED:
            _COMPILED.clear()
        hit = _COMPILED[key] = (e, _compile(e, real))
    with np.errstate(all="ignore"):
        return hit[1](env)


def _constant(value):
    return lambda env: value


def _compile(e: sp.Basic, real) -> Callable:
    """A function of the environment that computes ``e``: the tree is read once, here; the
    function does the same operations, in the same order, as reading it each time did."""
    if e.is_Symbol:
        name = e.name
        return lambda env: env[name]
    leaf = _number(e, real)
    if leaf is not None:
        return _constant(leaf[0])
    if isinstance(e, sp.Add):
        return _folding(np.add, [_compile(a, real) for a in e.as_ordered_terms()])
    if isinstance(e, sp.Mul):
        return _product(e, real)
    if isinstance(e, sp.Piecewise):
        *cases, (last, _) = e.args
        branches = [(_compile(c, real), _compile(v, real)) for v, c in reversed(cases)]
        otherwise = _compile(last, real)

        def piecewise(env):
            out = otherwise(env)
            for cond, value in branches:
                out = np.where(cond(env), value(env), out)
            return out
        return piecewise
    args = [_compile(a, real) for a in e.args]
    if isinstance(e, sp.Pow):
        return _power(e, args, real)
    if isinstance(e, TimedArrayCall):
        return _timed_array(e.func.array_name, args)
    op = _operation(e, real)
    if len(args) == 1:
        (a,) = args
        return lambda env: op(a(env))
    return lambda env: op(*[a(env) for a in args])


def _number(e: sp.Basic, real):
    """(value,) of a number, True/False or infinity; None for anything else."""
    if e.is_Integer:     # exact where NumPy's integers are; beyond 2**63, a real as in C++
        return (int(e) if abs(int(e)) < 2 ** 63 else real(float(int(e))),)
    if e.is_Rational:
        return (real(e.p) / real(e.q),)
    if e.is_Float:
        return (real(float(e)),)
    if e is sp.true or e is sp.false:
        return (bool(e),)
    if e is sp.oo or e is sp.S.NegativeInfinity:
        return (real(np.inf if e is sp.oo else -np.inf),)
    if e.is_NumberSymbol:
        return (real(float(e)),)
    return None


def _power(e: sp.Pow, args, real) -> Callable:
    base, exponent = args
    if e.exp == sp.Rational(1, 2):
        return lambda env: np.sqrt(base(env))
    if e.exp.is_Integer and 1 <= abs(int(e.exp)) <= 4:
        n, positive = abs(int(e.exp)), int(e.exp) > 0

        def integer_power(env):
            b = base(env)
            prod = b
            for _ in range(n - 1):
                prod = prod * b
            return prod if positive else real(1) / prod
        return integer_power

    def power(env):
        x = exponent(env)
        return np.power(base(env), real(x) if not isinstance(x, np.ndarray) else x)
    return power


def _operation(e: sp.Basic, real) -> Callable:
    """The NumPy operation of a function, relation or logical node, on its arguments'
    values."""
    if type(e) in _UNARY:
        return _UNARY[type(e)]
    if isinstance(e, PoissonCount):
        return lambda u, lam: _poisson(np.asarray(u, dtype=np.float64),
                                       np.asarray(lam, dtype=np.float64))
    if isinstance(e, StepBound):
        # ps_step_bound: step - steps, clamped to int32
        return lambda step, steps: np.clip(np.int64(step) - np.int64(steps), -2 ** 31,
                                           2 ** 31 - 1)
    if isinstance(e, exprel):
        return lambda z: _exprel(z, real)
    if isinstance(e, sp.Mod):
        return lambda a, b: a - b * np.floor(a / b)
    folds = ((sp.Min, np.fmin), (sp.Max, np.fmax), (sp.And, np.logical_and),
             (sp.Or, np.logical_or))
    for kind, fn in folds:
        if isinstance(e, kind):
            return lambda *values: _fold(fn, values)
    if type(e) in _RELATIONS:
        return _RELATIONS[type(e)]
    if isinstance(e, sp.Not):
        return np.logical_not
    raise NotImplementedError(f"the NumPy reference cannot evaluate {type(e).__name__}")


def _timed_array(name: str, args) -> Callable:
    t, i = args

    def timed(env):
        values, inv_dt = env["_timed"][name]
        k = np.floor(np.float64(t(env)) * inv_dt + 1e-6).astype(np.int64)
        col = np.asarray(i(env)).astype(np.int64)
        return values[np.clip(k, 0, values.shape[0] - 1),
                      np.clip(col, 0, values.shape[1] - 1)]
    return timed


def _exprel(z, real):
    # ps_exprel: expm1(z)/z, 1 at z = 0
    z = np.asarray(z)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(z == 0, real(1), np.expm1(z) / z)


def _product(e: sp.Mul, real) -> Callable:
    """A product in the order and grouping the C printer writes it: the same rounding.

    sympy's printer writes ``-c*a*b/(x*y)``: numerator factors left to right, then one
    division by the product of the factors with negative rational exponents.
    """
    coeff, rest = e.as_coeff_Mul()
    negative = coeff.is_negative
    if negative:
        e = sp.Mul(-coeff, rest) if -coeff != 1 else rest
    num, den = [], []
    for item in (e.as_ordered_factors() if isinstance(e, sp.Mul) else [e]):
        if item.is_Pow and item.exp.is_Rational and item.exp.is_negative:
            den.append(sp.Pow(item.base, -item.exp, evaluate=(item.exp == -1)))
        else:
            num.append(item)
    top = _folding(np.multiply, [_compile(a, real) for a in num]) if num else \
        _constant(real(1))
    if not den:
        return (lambda env: -top(env)) if negative else top
    bottom = _folding(np.multiply, [_compile(a, real) for a in den])
    if negative:
        return lambda env: -(top(env) / bottom(env))
    return lambda env: top(env) / bottom(env)


def _folding(fn, parts) -> Callable:
    if len(parts) == 1:
        return parts[0]
    return lambda env: _fold(fn, [part(env) for part in parts])


def _fold(fn, args):
    out = args[0]
    for a in args[1:]:
        out = fn(out, a)
    return out


def _poisson(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """``ps_poisson``: the same inversion, the same double arithmetic, vectorised."""
    u, lam = np.broadcast_arrays(u, lam)
    p = np.exp(-lam)
    F, k = p.copy(), np.zeros(u.shape)
    going = (u > F) & (p > 0)
    while going.any():
        k = np.where(going, k + 1.0, k)
        p = np.where(going, p * (lam / np.where(going, k, 1.0)), p)
        total = np.where(going, F + p, F)
        going &= total > F                    # the sum stopped growing: the far tail
        F = total
        going &= u > F
    return k
