"""sympy -> C expressions, for float64 and float32 builds.

A subclass of sympy's C99 printer: with the float32 type alias it already prints
``expf(0.4F*v)``; we add the naming rule for symbols, small integer powers as products,
one-line conditionals and pyspike's own helper functions.  No text is post-processed.

User names are printed with a ``u_`` prefix (they were checked to be plain identifiers),
so a model variable can never collide with a C++ keyword, macro or one of our names.

>>> import sympy
>>> v, tau = sympy.symbols("v tau", real=True)
>>> CPrinter("float").doprint(sympy.exp(-v/tau) + v**2)
'(u_v*u_v) + expf(-u_v/u_tau)'
"""
from __future__ import annotations

import sympy as sp
from sympy.codegen.ast import float32, float64, real
from sympy.printing.c import C99CodePrinter

from .errors import ModelError
from .expressions import RESERVED, fits_double

#: Reserved names that are C locals in every kernel under their own name.
_PLAIN = frozenset({"t", "dt", "i", "N", "step", "lastspike", "not_refractory"})
assert _PLAIN <= RESERVED


def draw_line(symbol_name: str, kind: str, stream: int, real: str, elem: str) -> str:
    """The C statement of one random draw: ``ps_rand``/``ps_randn`` at (seed, step, elem,
    stream), in the build's precision."""
    fn = {"uniform": "ps_rand", "normal": "ps_randn"}[kind]
    suffix = "_f32" if real == "float" else "_f64"
    return (f"const real_t {c_name(symbol_name)} = {fn}{suffix}(seed, (uint64_t)step, "
            f"(uint32_t){elem}, {stream}u);")


def c_name(name: str) -> str:
    """The C identifier for a symbol name: internal names as they are, user names prefixed."""
    if name.startswith("_") or name in _PLAIN:
        return name
    return "u_" + name


class CPrinter(C99CodePrinter):
    """Prints expressions for ``real`` = "double" or "float"."""

    def __init__(self, real_type: str = "double"):
        alias = float32 if real_type == "float" else float64
        super().__init__(settings={"type_aliases": {real: alias}})
        self.real_type = real_type
        self._f = "f" if real_type == "float" else ""

    def _print_Symbol(self, expr):
        if expr.name in ("i", "N"):
            # integers in C; in model arithmetic they are numbers (i/2 is not integer division)
            return f"((real_t){expr.name})"
        return c_name(expr.name)

    def _print_Pow(self, expr):
        base, exp = expr.base, expr.exp
        if exp.is_Integer and 1 <= abs(int(exp)) <= 4:
            # Parenthesised: the product stands where sympy expects one atom-like power.
            product = "*".join([self.parenthesize(base, 60)] * abs(int(exp)))
            if abs(int(exp)) > 1:
                product = f"({product})"
            if int(exp) > 0:
                return product
            one = "1.0F" if self._f else "1.0"
            return f"{one}/{product}"
        return super()._print_Pow(expr)

    def _print_Piecewise(self, expr):
        # Nested selects of both computed values: ps_select (csrc/pyspike/support.h) picks
        # the form each target does fastest without branches (see there).
        *cases, (last, _) = expr.args
        text = self._print(last)
        for value, cond in reversed(cases):
            text = f"ps_select{self._f}({self._print(cond)}, {self._print(value)}, {text})"
        return text

    def _print_TimedArrayCall(self, expr):
        name = c_name(expr.func.array_name)
        t, col = (self._print(a) for a in expr.args)
        return (f"ps_timed(p_ta_{name}, ta_n_{name}, ta_m_{name}, ta_idt_{name}, "
                f"(double)({t}), (int64_t)({col}))")

    def _print_PoissonCount(self, expr):
        u, lam = (self._print(a) for a in expr.args)
        return f"ps_poisson((double)({u}), (double)({lam}))"

    def _print_StepBound(self, expr):
        step, steps = (self._print(a) for a in expr.args)
        return f"ps_step_bound{self._f}({step}, (int64_t)({steps}))"

    def _print_exprel(self, expr):
        return f"ps_exprel{self._f}({self._print(expr.args[0])})"

    def _print_Mod(self, expr):
        # Python's (floored) modulo, as the NumPy reference computes it.
        a, b = expr.args
        return f"ps_mod{self._f}({self._print(a)}, {self._print(b)})"

    def _print_BooleanTrue(self, expr):
        return "true"

    def _print_BooleanFalse(self, expr):
        return "false"

    def _print_Infinity(self, expr):
        return "INFINITY"

    def _print_NegativeInfinity(self, expr):
        return "(-INFINITY)"

    def _print_Integer(self, expr):
        # Small integers stay integers (exact in any arithmetic); larger ones would overflow
        # a C integer literal, so they become real literals.
        value = int(expr)
        if abs(value) < 2 ** 31:
            return str(value)
        _refuse_number(expr, not fits_double(value))
        return repr(float(value)) + ("F" if self._f else "")

    # The parser refuses what has no real floating-point value, naming the user's line;
    # should a later stage produce one, it is refused here too, never printed.
    def _print_Rational(self, expr):
        _refuse_number(expr, not (fits_double(expr.p) and fits_double(expr.q)))
        return super()._print_Rational(expr)

    def _print_Float(self, expr):
        _refuse_number(expr, not fits_double(expr))
        return super()._print_Float(expr)

    def _print_NaN(self, expr):
        _refuse_number(expr, True)

    _print_ComplexInfinity = _print_ImaginaryUnit = _print_NaN

    def _print_not_supported(self, expr):
        raise ModelError(f"'{_shown(expr)}' cannot be computed in C++ (pyspike has no code for "
                         f"{type(expr).__name__}): write the model without it",
                         where="the generated code", symbol=type(expr).__name__)

    def doprint(self, expr, assign_to=None):
        try:
            return super().doprint(expr, assign_to)
        except NotImplementedError:     # sympy's own refusals (a Derivative, say)
            self._print_not_supported(expr)


def _shown(expr: sp.Basic) -> str:
    """A short text for ``expr`` in a message (a huge number is shown rounded)."""
    if expr.is_Number and expr.is_finite:
        return sp.sstr(sp.Float(expr, 3))
    text = sp.sstr(expr) if sp.count_ops(expr) < 100 else type(expr).__name__
    return text if len(text) < 200 else text[:200] + "..."


def _refuse_number(expr: sp.Basic, bad: bool) -> None:
    """A ModelError if ``expr`` (a number) has no finite real value in a double."""
    if bad:
        raise ModelError(f"the number {_shown(expr)} in the generated code has no finite real "
                         "value in floating point (a division by zero, a complex or too large "
                         "number in the model)", where="the generated code")
