"""ODEs -> update statements for one time step.

Explicit methods are *data*: a few lines of update description in the style of Brian2's
``ExplicitStateUpdater``, turned into statements by :func:`explicit`.  In a description
``x`` stands for each state variable, ``f(x, t)`` for its deterministic right-hand side,
``g(x, t)*xi`` for its noise term (a sum over noise sources, ``xi`` a standard normal
number) and every other name on the left is an intermediate, one per variable.

``exact`` solves linear systems with constant coefficients with a matrix exponential;
``exponential_euler`` solves each variable exactly, the others held fixed over the step
(and, as in Brian2, the coefficients of ``A*x + B`` where they depend on ``x`` itself);
``exp_auto`` (BrainPy's default) linearises each equation in its own variable at the start
of the step, ``x + dt*phi1(dt*J)*f(x)`` with ``J = df/dx`` and ``phi1(z) = (e^z - 1)/z``,
which is ``exponential_euler`` where an equation is linear in its variable.

>>> import sympy
>>> v, tau = sympy.symbols("v tau", real=True)
>>> steps = integrate({"v": -v/tau}, "euler")
>>> steps[-1]
('_new_v', -dt*v/tau + v)
"""
from __future__ import annotations

import math
from typing import Callable, Dict, List, Sequence, Tuple

import sympy as sp

from .equations import DT, T, symbol
from .errors import ModelError
from .expressions import exprel, value_problem

Assignment = Tuple[str, sp.Expr]

#: Explicit methods: name -> (description, noise it handles: None, "additive", "any").
METHODS: Dict[str, Tuple[str, object]] = {
    "euler": ("x_new = x + dt*f(x, t) + dt**0.5*g(x, t)*xi", "any"),   # Euler-Maruyama (Ito)
    "rk2": ("k = dt*f(x, t)\n"
            "x_new = x + dt*f(x + k/2, t + dt/2)", None),
    "rk4": ("k1 = dt*f(x, t)\n"
            "k2 = dt*f(x + k1/2, t + dt/2)\n"
            "k3 = dt*f(x + k2/2, t + dt/2)\n"
            "k4 = dt*f(x + k3, t + dt)\n"
            "x_new = x + (k1 + 2*k2 + 2*k3 + k4)/6", None),
    "heun": ("x_support = x + dt*f(x, t) + dt**0.5*g(x, t)*xi\n"                # Stratonovich
             "x_new = x + dt/2*(f(x, t) + f(x_support, t + dt))"
             " + dt**0.5/2*(g(x, t) + g(x_support, t + dt))*xi", "any"),
}
ALL_METHODS = ("exact", "exponential_euler", "exp_auto", "euler", "rk2", "rk4", "heun")
#: Terms that multiplying out an equation with noise may give (a bound on its time).
MAX_TERMS = 500

_X = sp.Symbol("x")
_F, _G = sp.Function("f"), sp.Function("g")
_XI = sp.Symbol("xi")
_SQRT = sp.Function("_sqrt")


def new_name(var: str) -> str:
    """Name of the temporary holding the value of ``var`` after the step."""
    return f"_new_{var}"


def split_noise(odes: Dict[str, sp.Expr], noise: Sequence[sp.Symbol]):
    """rhs = f + sum_k g_k * xi_k  ->  (f per var, {var: {xi_k: g_k}}), or ModelError."""
    drift, diffusion = {}, {}
    for var, rhs in odes.items():
        if any(n in rhs.free_symbols for n in noise):
            if _expansion_size(rhs) > MAX_TERMS:
                raise ModelError(f"d{var}/dt has noise, and pyspike multiplies it out to find "
                                 f"the noise terms: that would give more than {MAX_TERMS} "
                                 "terms; write it with smaller powers of sums",
                                 where="the equations", symbol=var)
            rhs = sp.expand(rhs)
        g = {}
        for xi in noise:
            coeff = sp.diff(rhs, xi)
            if coeff != 0:
                if any(n in coeff.free_symbols for n in noise):
                    shown = sp.sstr(odes[var]).replace("_xi", "xi")
                    raise ModelError(f"the noise term of d{var}/dt is not linear in "
                                     f"{xi.name[1:]}: write noise as (amplitude)*xi",
                                     source=f"d{var}/dt = {shown}", where="the equations",
                                     symbol=xi.name[1:])
                g[xi] = coeff
        drift[var] = rhs.subs({xi: 0 for xi in noise}) if g else rhs
        diffusion[var] = g
    return drift, diffusion


def _expansion_size(e: sp.Basic) -> int:
    """About how many terms sp.expand(e) writes out (a power of a sum is multiplied out,
    also inside functions); at least the true number."""
    if e.is_Add:
        return sum(map(_expansion_size, e.args))
    if e.is_Mul:
        return min(math.prod(map(_expansion_size, e.args)), MAX_TERMS + 1)
    if e.is_Pow and e.exp.is_Integer:
        n, k = _expansion_size(e.base), abs(int(min(abs(e.exp), MAX_TERMS + 1)))
        return min(math.comb(n + k - 1, n - 1), MAX_TERMS + 1) if n > 1 else 1
    return max(1, sum(_expansion_size(a) for a in e.args))


def noise_kind(odes: Dict[str, sp.Expr], noise: Sequence[sp.Symbol]) -> str:
    """'none', 'additive' (noise amplitudes free of state) or 'multiplicative'."""
    _, diffusion = split_noise(odes, noise)
    if not any(diffusion.values()):
        return "none"
    states = {symbol(v) for v in odes}
    for g in diffusion.values():
        if any(c.free_symbols & states for c in g.values()):
            return "multiplicative"
    return "additive"


def choose_method(odes: Dict[str, sp.Expr], noise: Sequence[sp.Symbol]) -> str:
    """The method for ``odes`` when the model names none (see :func:`_choose_method`)."""
    return _remembered("choose", odes, noise, lambda: _choose_method(odes, noise))


def _choose_method(odes: Dict[str, sp.Expr], noise: Sequence[sp.Symbol]) -> str:
    """Exact if linear; else exponential Euler if conditionally linear (each equation with
    a decay term); else rk4.

    With noise: Euler-Maruyama for additive noise, Heun (Stratonovich) otherwise.
    """
    kind = noise_kind(odes, noise)
    if kind == "additive":
        return "euler"
    if kind == "multiplicative":
        return "heun"
    if _linear_system(odes) is not None:
        return "exact"
    parts = [_conditionally_linear(v, e) for v, e in odes.items()]
    # Exponential Euler only pays when every equation has a decay term; where one is a
    # pure integral (its linear coefficient is zero) it would reduce to forward Euler.
    if all(p is not None and p[0] != 0 for p in parts):
        return "exponential_euler"
    return "rk4"


def integrate(odes: Dict[str, sp.Expr], method: str, noise: Sequence[sp.Symbol] = ()
              ) -> List[Assignment]:
    """Statements computing ``_new_<var>`` for every var of ``odes`` over one step ``dt``."""
    if not odes:
        return []
    return list(_remembered(("integrate", method), odes, noise,
                            lambda: _integrate(odes, noise, method)))


def _remembered(what, odes: Dict[str, sp.Expr], noise: Sequence[sp.Symbol],
                work: Callable[[], object]):
    """``work()`` (``what`` of ``odes``), done once per process for each system of equations.
    Integrating is most of the time of generating a network (a matrix exponential and
    its simplification: seconds), and the models of a program's networks repeat.  The
    key is the exact text of every expression (``srepr``: symbols with their
    assumptions, floats with their precision), so that a system that merely compares
    equal never gets another's statements; what is kept is immutable (strings, tuples,
    sympy trees)."""
    key = (what, tuple((name, sp.srepr(e)) for name, e in odes.items()),
           tuple(sp.srepr(x) for x in noise))
    if key not in _DONE:
        if len(_DONE) >= 1024:     # a bound for processes that generate without end
            _DONE.clear()
        _DONE[key] = work()
    return _DONE[key]


#: The results of _remembered, by the text of their equations.
_DONE: Dict[tuple, object] = {}


def _integrate(odes: Dict[str, sp.Expr], noise: Sequence[sp.Symbol], method: str
               ) -> Tuple[Assignment, ...]:
    if method not in ALL_METHODS:
        raise ModelError(f"unknown integration method '{method}': choose one of "
                         + ", ".join(ALL_METHODS), where="method", symbol=method)
    kind = noise_kind(odes, noise)
    if kind != "none" and (method not in METHODS or METHODS[method][1] is None):
        raise ModelError(f"the method '{method}' cannot integrate equations with noise (xi): "
                         "use 'euler' (Euler-Maruyama, Ito) or 'heun' (Stratonovich)",
                         where="method", symbol=method)
    if method == "exact":
        steps = _exact(odes)
    elif method == "exponential_euler":
        steps = _exponential_euler(odes)
    elif method == "exp_auto":
        steps = _exp_auto(odes)
    else:
        steps = explicit(METHODS[method][0], odes, noise)
    for target, expr in steps:
        # The parser refuses constant singularities in the equations; this catches any
        # that the integration itself would create, before the printer sees them.
        problem = value_problem(expr)
        if problem:
            var = target[len(new_name("")):] if target.startswith(new_name("")) else target
            raise ModelError(f"integrating the equations with '{method}' gives, for {var}, a "
                             f"term that {problem}: {sp.sstr(expr)[:200]}", where="method",
                             symbol=var)
    return tuple(steps)


# --- explicit methods from their descriptions ---------------------------------------------

def _parse_description(text: str) -> List[Tuple[str, sp.Expr]]:
    lines = []
    for line in text.strip().splitlines():
        name, expr = line.split("=", 1)
        # The descriptions are ours, not user text: sympify is safe here.
        lines.append((name.strip(), sp.sympify(expr, locals={"f": _F, "g": _G, "x": _X,
                                                              "xi": _XI, "t": T, "dt": DT})))
    return lines


def explicit(description: str, odes: Dict[str, sp.Expr], noise: Sequence[sp.Symbol] = ()
             ) -> List[Assignment]:
    """Turn an update description into statements, one set of intermediates per variable."""
    lines = _parse_description(description)
    drift, diffusion = split_noise(odes, noise)
    variables = list(odes)
    intermediates = [name for name, _ in lines[:-1]]
    out: List[Assignment] = []

    def per_var(expr: sp.Expr, var: str) -> sp.Expr:
        """``expr`` (in x and intermediates) for one variable."""
        subs = {_X: symbol(var)}
        subs.update({sp.Symbol(k): sp.Symbol(f"_{k}_{var}", real=True) for k in intermediates})
        return expr.xreplace(subs)

    def apply(fn: Callable[[str], sp.Expr], args, var: str) -> sp.Expr:
        x_arg, t_arg = args
        subs = {symbol(u): per_var(x_arg, u) for u in variables}
        subs[T] = t_arg
        return fn(var).xreplace(subs)

    def noise_sum(var: str) -> sp.Expr:
        return sum((g * sp.Symbol(xi.name, real=True) for xi, g in diffusion[var].items()),
                   sp.Integer(0))

    for name, template in lines:
        for var in variables:
            # f and g first, while their arguments are still written in x
            expr = template.replace(_F, lambda *a, v=var: apply(lambda u: drift[u], a, v))
            expr = expr.replace(_G, lambda *a, v=var: apply(noise_sum, a, v))
            expr = per_var(expr, var).xreplace({_XI: sp.Integer(1)})
            target = new_name(var) if name == "x_new" else f"_{name}_{var}"
            out.append((target, expr))
    return out


# --- exponential Euler ------------------------------------------------------------------------

def _conditionally_linear(var: str, rhs: sp.Expr):
    """(A, B) with rhs = A*x + B and A, B free of x, or None."""
    x = symbol(var)
    a = sp.diff(rhs, x)
    if x in a.free_symbols:
        return None
    b = sp.simplify(rhs - a * x)
    if x in b.free_symbols:
        return None
    return a, b


def _brian2_split(var: str, rhs: sp.Expr):
    """Brian2's reading of ``rhs`` as ``A*x + B`` (its ``get_conditionally_linear_system``):
    the subexpression-substituted equation multiplied out, the terms with ``x`` as a plain
    factor collected into ``A``, the rest into ``B``; A and B may still hold ``x`` (in
    ``exp(x)``, ``x*m(x)``, ...).  None where no term has ``x`` as a factor or another
    power of ``x`` stands alone (``x**2``): Brian2 refuses these too, except that where
    there is no term free of ``x`` it keeps ``A`` and drops the other power (``-x + x**2``
    integrates as ``-x``), which pyspike refuses rather than copy."""
    x = symbol(var)
    if _expansion_size(rhs) > MAX_TERMS:
        raise ModelError(f"exponential Euler multiplies out d{var}/dt to find the terms with "
                         f"{var} as a factor: that would give more than {MAX_TERMS} terms; "
                         "write it with smaller powers of sums, or use 'rk4'",
                         where="method", symbol=var)
    # Brian2 reads sqrt(...) as a function, not a power: sqrt(x) goes into B, as there.
    roots = {p: _SQRT(p.base) ** (2 * p.exp) for p in rhs.atoms(sp.Pow)
             if p.exp.is_Rational and p.exp.q == 2 and x in p.base.free_symbols}
    parts = sp.collect(sp.expand(rhs.xreplace(roots)), x, evaluate=False)
    if x not in parts or set(parts) - {x, sp.S.One}:
        return None
    a, b = parts[x], sp.sympify(parts.get(sp.S.One, 0))
    return a.replace(_SQRT, sp.sqrt), b.replace(_SQRT, sp.sqrt)


def _exponential_euler(odes: Dict[str, sp.Expr]) -> List[Assignment]:
    out = []
    for var, rhs in odes.items():
        x = symbol(var)
        parts = _conditionally_linear(var, rhs)
        if parts is not None:
            a, b = parts
            # x_new = x + dt*exprel(a*dt)*(a*x + b): exact for frozen a, b; stable for
            # a -> 0 (Brian2's step in another arrangement, kept: these numbers are
            # recorded).
            step = DT * (a * x + b) if a == 0 else DT * exprel(a * DT) * (a * x + b)
            out.append((new_name(var), x + step))
            continue
        parts = _brian2_split(var, rhs)
        if parts is None:
            raise ModelError(f"exponential Euler needs d{var}/dt to be linear in {var} as "
                             f"Brian2 reads it, A*{var} + B: multiplied out, some term must "
                             f"have {var} as a factor, and no term another power of {var} "
                             f"({var}**2, 1/{var}); use 'rk4' or 'euler'",
                             where="method", symbol=var)
        # A or B holds x: Brian2's step, both at their start-of-step values,
        # x_new = (x + B/A)*exp(A*dt) - B/A (A is not identically zero, x being a factor
        # of some term; where it vanishes at run time with B != 0 this is NaN, as there).
        a, b = parts
        if b == 0:
            out.append((new_name(var), x * sp.exp(a * DT)))
            continue
        ba = sp.Symbol(f"_BA_{var}", real=True)
        out += [(ba.name, b / a), (new_name(var), (x + ba) * sp.exp(a * DT) - ba)]
    return out


def _exp_auto(odes: Dict[str, sp.Expr]) -> List[Assignment]:
    """BrainPy's ``exp_auto``: each variable advanced with the exponential Euler step of its
    equation linearised at the start of the step (the diagonal of the Jacobian, taken
    symbolically here where BrainPy takes it by autodiff)."""
    out = []
    for var, rhs in odes.items():
        x = symbol(var)
        jacobian = sp.diff(rhs, x)
        # exprel(z) = (e^z - 1)/z, 1 at z = 0: a zero Jacobian gives forward Euler.
        step = DT * rhs if jacobian == 0 else DT * exprel(jacobian * DT) * rhs
        out.append((new_name(var), x + step))
    return out


# --- exact integration of linear systems ------------------------------------------------------

def _linear_system(odes: Dict[str, sp.Expr]):
    """(A, b) with d/dt X = A X + b, A and b free of the state and of t; else None."""
    variables = [symbol(v) for v in odes]
    n = len(variables)
    A = sp.zeros(n, n)
    b = sp.zeros(n, 1)
    for r, rhs in enumerate(odes.values()):
        if T in rhs.free_symbols:
            return None
        for c, y in enumerate(variables):
            coeff = sp.diff(rhs, y)
            if coeff.free_symbols & set(variables):
                return None
            A[r, c] = coeff
        const = rhs.xreplace({y: 0 for y in variables})
        if sp.simplify(rhs - (A[r, :] * sp.Matrix(variables))[0] - const) != 0:
            return None
        b[r] = const
    return A, b


def _exact(odes: Dict[str, sp.Expr]) -> List[Assignment]:
    system = _linear_system(odes)
    if system is None:
        raise ModelError("'exact' integration needs linear equations with constant "
                         "coefficients (no products of variables, no t); use "
                         "'exponential_euler' or 'rk4'", where="method", symbol="exact")
    A, b = system
    variables = [symbol(v) for v in odes]
    if A.is_diagonal():
        return [(new_name(str(x)), _exact_scalar(A[k, k], b[k], x))
                for k, x in enumerate(variables)]
    n = len(variables)
    # Augmented system d/dt [X; 1] = [[A, b], [0, 0]] [X; 1]: one matrix exponential gives
    # both the propagator and the particular solution, also when A is singular.
    M = sp.zeros(n + 1, n + 1)
    M[:n, :n] = A
    M[:n, n] = b
    E = (M * DT).exp()
    out = []
    for r, x in enumerate(variables):
        terms = [sp.simplify(E[r, c]) * variables[c] for c in range(n)]
        terms.append(sp.simplify(E[r, n]))
        out.append((new_name(str(x)), sp.Add(*terms)))
    return out


def _exact_scalar(a: sp.Expr, b: sp.Expr, x: sp.Symbol) -> sp.Expr:
    """Solution after dt of dx/dt = a*x + b with constant a, b."""
    if a == 0:
        return x + DT * b
    decay = sp.exp(sp.simplify(a * DT))
    # x_inf + (x - x_inf)*exp(a dt) with x_inf = -b/a, arranged so that b = 0 costs nothing.
    x_inf = sp.simplify(-b / a)
    if x_inf == 0:
        return x * decay
    return x_inf + (x - x_inf) * decay
