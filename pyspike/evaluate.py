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

from typing import Dict

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


def evaluate(e: sp.Basic, env: Dict[str, object], real=np.float64):
    """Evaluate a codegen expression with NumPy; numbers are of type ``real``."""
    if e.is_Symbol:
        return env[e.name]
    if e.is_Integer:     # exact where NumPy's integers are; beyond 2**63, a real as in C++
        return int(e) if abs(int(e)) < 2 ** 63 else real(float(int(e)))
    if e.is_Rational:
        return real(e.p) / real(e.q)
    if e.is_Float:
        return real(float(e))
    if e is sp.true or e is sp.false:
        return bool(e)
    if e is sp.oo or e is sp.S.NegativeInfinity:
        return real(np.inf if e is sp.oo else -np.inf)
    if e.is_NumberSymbol:
        return real(float(e))
    lazy = isinstance(e, (sp.Piecewise, sp.Add, sp.Mul))
    args = [] if lazy else [evaluate(a, env, real) for a in e.args]
    with np.errstate(all="ignore"):
        if isinstance(e, sp.Add):
            return _fold(np.add, [evaluate(a, env, real) for a in e.as_ordered_terms()])
        if isinstance(e, sp.Mul):
            return _mul(e, env, real)
        if isinstance(e, sp.Pow):
            base, exponent = args
            if e.exp == sp.Rational(1, 2):
                return np.sqrt(base)
            if e.exp.is_Integer and 1 <= abs(int(e.exp)) <= 4:
                prod = base
                for _ in range(abs(int(e.exp)) - 1):
                    prod = prod * base
                return prod if int(e.exp) > 0 else real(1) / prod
            return np.power(base, real(exponent) if not isinstance(exponent, np.ndarray)
                            else exponent)
        if type(e) in _UNARY:
            return _UNARY[type(e)](args[0])
        if isinstance(e, PoissonCount):
            return _poisson(np.asarray(args[0], dtype=np.float64),
                            np.asarray(args[1], dtype=np.float64))
        if isinstance(e, TimedArrayCall):
            values, inv_dt = env["_timed"][e.func.array_name]
            k = np.floor(np.float64(args[0]) * inv_dt + 1e-6).astype(np.int64)
            col = np.asarray(args[1]).astype(np.int64)
            return values[np.clip(k, 0, values.shape[0] - 1),
                          np.clip(col, 0, values.shape[1] - 1)]
        if isinstance(e, StepBound):
            # ps_step_bound: step - steps, clamped to int32
            return np.clip(np.int64(args[0]) - np.int64(args[1]), -2 ** 31, 2 ** 31 - 1)
        if isinstance(e, exprel):
            # ps_exprel: expm1(z)/z, 1 at z = 0
            z = np.asarray(args[0])
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.where(z == 0, real(1), np.expm1(z) / z)
        if isinstance(e, sp.Mod):
            a, b = args
            return a - b * np.floor(a / b)
        if isinstance(e, sp.Min):
            return _fold(np.fmin, args)
        if isinstance(e, sp.Max):
            return _fold(np.fmax, args)
        if type(e) in _RELATIONS:
            return _RELATIONS[type(e)](*args)
        if isinstance(e, sp.And):
            return _fold(np.logical_and, args)
        if isinstance(e, sp.Or):
            return _fold(np.logical_or, args)
        if isinstance(e, sp.Not):
            return np.logical_not(args[0])
        if isinstance(e, sp.Piecewise):
            *cases, (last, _) = e.args
            out = evaluate(last, env, real)
            for value, cond in reversed(cases):
                out = np.where(evaluate(cond, env, real), evaluate(value, env, real), out)
            return out
    raise NotImplementedError(f"the NumPy reference cannot evaluate {type(e).__name__}")


def _mul(e: sp.Mul, env, real):
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
    value = _fold(np.multiply, [evaluate(a, env, real) for a in num]) if num else real(1)
    if den:
        value = value / _fold(np.multiply, [evaluate(a, env, real) for a in den])
    return -value if negative else value


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
