"""Passes over kernel statements that make them cheaper without changing their values:
hoisting what cannot change during a run out of the time loop, and computing common
subexpressions once.

>>> import sympy as sp
>>> from pyspike.codegen.ir import Assign
>>> x, y = sp.symbols("x y", real=True)
>>> out = common_subexpressions([Assign(sp.Symbol("a", real=True), sp.exp(x) * y),
...                              Assign(sp.Symbol("b", real=True), sp.exp(x) + y)])
>>> [(str(s.target), str(s.expr)) for s in out]
[('_c0', 'exp(x)'), ('a', '_c0*y'), ('b', '_c0 + y')]
"""
from __future__ import annotations

from typing import Dict, List, Set

import sympy as sp

from .ir import Assign

_EXPENSIVE = (sp.exp, sp.log, sp.sin, sp.cos, sp.tan, sp.tanh)


def _expensive(e: sp.Basic) -> bool:
    """Worth a per-neuron array read instead of recomputing every step."""
    if isinstance(e, sp.Pow):
        return not e.exp.is_Integer
    return isinstance(e, _EXPENSIVE)


def common_subexpressions(stmts: List[Assign]) -> List[Assign]:
    """Compute shared subexpressions once (the right-hand sides of exponential Euler and
    Runge-Kutta repeat the same rates).  Only within runs of statements that each declare
    a new real local: nothing is reassigned there, so a name means one value throughout."""
    out: List[Assign] = []
    run: List[Assign] = []
    names = sp.numbered_symbols("_c", real=True)

    def flush():
        if not run:
            return
        pairs, reduced = sp.cse([a.expr for a in run], symbols=names, order="none")
        # A shared subexpression goes just before the first statement it can: once the
        # run's locals it reads (stages of Runge-Kutta, say) are defined.
        local = {a.target for a in run} | {sym for sym, _ in pairs}
        ready: Set[sp.Symbol] = set()
        pending = list(pairs)
        for a, e in zip(run, reduced):
            for sym, sub in list(pending):
                if (sub.free_symbols & local) <= ready:
                    out.append(Assign(sym, sub))
                    ready.add(sym)
                    pending.remove((sym, sub))
            out.append(Assign(a.target, e, a.ctype, a.declare, a.op))
            ready.add(a.target)
        out.extend(Assign(sym, sub) for sym, sub in pending)
        run.clear()

    for a in stmts:
        if a.declare and a.ctype == "real" and not _logical(a.expr):
            run.append(a)
        else:
            flush()
            out.append(a)
    flush()
    return out


def _logical(e: sp.Basic) -> bool:
    # (not Boolean itself: sympy counts every Symbol as one)
    return e.has(sp.Piecewise, sp.core.relational.Relational,
                 sp.logic.boolalg.BooleanFunction, sp.logic.boolalg.BooleanAtom)


class Hoister:
    """Moves subexpressions that cannot change during a run out of the time loop.

    Expressions over shared parameters and dt become scalars computed once per run;
    *expensive* expressions (exp, log, powers, ...) over per-neuron parameters become
    per-neuron scratch arrays computed once per run.
    """

    def __init__(self, shared: Set[sp.Symbol], neuron: Set[sp.Symbol]):
        self.shared, self.neuron = shared, neuron
        self.scalars: List[Assign] = []
        self.arrays: List[Assign] = []
        self._seen: Dict[sp.Basic, sp.Symbol] = {}

    def visit(self, e: sp.Basic) -> sp.Basic:
        if e.is_Atom or not e.args:
            return e
        fs = e.free_symbols
        numeric = isinstance(e, sp.Expr)
        if numeric and fs and fs <= self.shared:
            return self._hoist(e, self.scalars)
        if numeric and fs and fs <= (self.shared | self.neuron) and fs & self.neuron \
                and _expensive(e):
            return self._hoist(e, self.arrays)
        return e.func(*[self.visit(a) for a in e.args])

    def _hoist(self, e: sp.Basic, into: List[Assign]) -> sp.Symbol:
        if e not in self._seen:
            # Whole numbers (a refractory period in steps) stay integers, so that the
            # comparison with step counts vectorises without int -> float conversions.
            whole = _whole(e) and into is self.scalars
            sym = sp.Symbol(f"_h{len(self._seen)}", integer=True) if whole \
                else sp.Symbol(f"_h{len(self._seen)}", real=True)
            self._seen[e] = sym
            into.append(Assign(sym, e, "int64" if whole else "real"))
        return self._seen[e]


def _whole(e: sp.Basic) -> bool:
    """Whether ``e`` is a whole number by its form: floor or ceiling, or a sum of them and
    integers (``floor(ref/dt + 1/1000) - 1``)."""
    if isinstance(e, (sp.floor, sp.ceiling)):
        return True
    return isinstance(e, sp.Add) and all(isinstance(a, (sp.floor, sp.ceiling)) or a.is_Integer
                                         for a in e.args)
