"""The functions a model may call, as sympy functions: pyspike's own (``rand()``,
``randn()``, ``exprel``, TimedArrays, refractoriness bounds, Poisson counts) and the
table of names the parser accepts.

>>> sorted(name for name, (n, _) in FUNCTIONS.items() if n == 0)
['rand', 'randn']
"""
from __future__ import annotations

from typing import Callable, Dict, Tuple

import sympy as sp


# The functions below are real: sympy, which counts f(0) as a number, would otherwise
# expand (re + i*im)**1000 to compare randn()**1000 with anything, for minutes.

class Rand(sp.Function):
    """One ``rand()`` call site: a uniform number in [0, 1), a new draw per element and step."""
    nargs = 1
    is_real = True


class Randn(sp.Function):
    """One ``randn()`` call site: a standard normal number, a new draw per element and step."""
    nargs = 1
    is_real = True


class exprel(sp.Function):
    """(exp(z) - 1) / z, equal to 1 at z = 0: the stable form of exponential Euler."""
    nargs = 1

    def _eval_is_extended_real(self):
        return self.args[0].is_extended_real

    def fdiff(self, argindex=1):   # (training layers differentiate it: codegen/grad.py)
        z = self.args[0]
        return (sp.exp(z) * (z - 1) + 1) / z**2


class StepBound(sp.Function):
    """``step - steps`` clamped to int32: the last spike step of a neuron that is no longer
    refractory at ``step`` when the period is ``steps``.  Timed refractoriness is tested as
    ``lastspike <= StepBound(step, steps)``: one bound for the whole step instead of a
    subtraction per neuron (``step - lastspike >= steps``); the C printer gives it the
    width of the build's reals (csrc/pyspike/support.h, ps_step_bound).  The clamp makes a
    neuron that never spiked (``lastspike`` = -2**31) non-refractory, however long the
    period."""
    nargs = 2


class TimedArrayCall(sp.Function):
    """A TimedArray's value at time ``args[0]`` (ms) in column ``args[1]``; the array
    itself is runtime data, named by the subclass made by :func:`timed_function`."""
    nargs = 2
    is_real = True
    array_name = ""
    ndim = 1

    def _ccode(self, printer):
        # sympy dispatches subclasses of Function by their own name only
        return printer._print_TimedArrayCall(self)


_TIMED: Dict[Tuple[str, int], type] = {}


def timed_function(name: str, ndim: int) -> type:
    """The sympy function class standing for the TimedArray ``name`` (1-d or 2-d)."""
    key = (name, ndim)
    if key not in _TIMED:
        # one class per array, so that the same TimedArray is the same function
        _TIMED[key] = type(f"TimedArray{ndim}_{name}", (TimedArrayCall,),
                           {"array_name": name, "ndim": ndim, "__module__": __name__})
    return _TIMED[key]


class PoissonCount(sp.Function):
    """A Poisson-distributed count with mean ``args[1]`` from the uniform ``args[0]``, by
    inversion of the cumulative distribution (in double precision on every backend)."""
    nargs = 2
    is_real = True

    def _ccode(self, printer):
        return printer._print_PoissonCount(self)


class BooleanName:
    """A boolean name (``b : boolean``, Brian2's type) where model text reads it: by
    itself a condition, as in ``v > 1 and b``.  A boolean variable is stored as 1.0 or 0.0
    and reads as that number elsewhere (Brian2's int conversion); a boolean subexpression
    (``b = v > 1 : boolean``) stands for its condition, a number only through ``int()``.

    >>> b = sp.Symbol("b", real=True)
    >>> BooleanName(b, variable=True).condition()
    Ne(b, 0)
    """

    def __init__(self, symbol: sp.Symbol, variable: bool):
        self.symbol, self.variable = symbol, variable

    def condition(self) -> sp.Basic:
        """The condition it is; a subexpression's symbol, as sympy reads a Symbol as a
        boolean too, is its placeholder until the equations substitute it."""
        return sp.Ne(self.symbol, 0) if self.variable else self.symbol


def is_truth(expr) -> bool:
    """Whether a built term is a condition (sympy counts a Symbol as a Boolean too: a
    model's names are numbers)."""
    return isinstance(expr, (sp.logic.boolalg.Boolean, sp.core.relational.Relational)) \
        and not isinstance(expr, sp.Symbol)


def _clip(x, lo, hi):
    return sp.Min(sp.Max(x, lo), hi)


#: name -> (number of arguments, builder)
FUNCTIONS: Dict[str, Tuple[int, Callable]] = {
    "exp": (1, sp.exp), "log": (1, sp.log), "sqrt": (1, sp.sqrt), "abs": (1, sp.Abs),
    "sin": (1, sp.sin), "cos": (1, sp.cos), "tan": (1, sp.tan), "tanh": (1, sp.tanh),
    "floor": (1, sp.floor), "ceil": (1, sp.ceiling), "clip": (3, _clip),
    "min": (2, sp.Min), "max": (2, sp.Max), "rand": (0, None), "randn": (0, None),
    "exprel": (1, exprel), "where": (3, None),       # where(condition, a, b): a if it holds
    "int": (1, None), "sign": (1, sp.sign),          # int(x): toward zero; int(condition): 0/1
    # hyperbolic and inverse trigonometric functions and log10, by Brian2's (NumPy's) names
    "sinh": (1, sp.sinh), "cosh": (1, sp.cosh), "arcsin": (1, sp.asin),
    "arccos": (1, sp.acos), "arctan": (1, sp.atan), "log10": (1, lambda x: sp.log(x, 10)),
}
