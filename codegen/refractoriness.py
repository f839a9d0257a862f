"""Refractoriness as a lowering pass over a group's statements: what a ``refractory`` spec
adds to the group's kernel.

A timed period (``refractory=2.0``, or an expression of parameters) stores each neuron's
last spike step in an int32 array ``lastspike``; a condition (``"v > 0.5"``) a uint8 flag
``not_refractory``.  The update starts with the ``not_refractory`` statement, holds the
``(unless refractory)`` variables and the discrete-time update targets while refractory,
and spikes only when not refractory; the spike starts the refractory clock (the group
kernel's ``on_spike`` block; the user's reset runs later, after the synaptic events).  Nothing
after this pass knows about refractoriness: it reads an array, statements and a guard.

>>> from pyspike.codegen.spec import GroupSpec, NetworkSpec
>>> from pyspike.codegen.kernels import build_network
>>> g = GroupSpec("g", 4, equations="dv/dt = -v/tau : 1 (unless refractory)",
...               params=("tau",), threshold="v > 1", reset="v = 0", refractory=2.0)
>>> k = build_network(NetworkSpec(groups=(g,))).groups[0]
>>> k.arrays["lastspike"].ctype, [str(a.target) for a in k.on_spike.code]
('int32', ['lastspike'])
"""
from __future__ import annotations

from dataclasses import replace
from typing import Collection, Dict, List, Optional, Set, Tuple

import sympy as sp

from .equations import DT, T, EquationSet
from .expressions import Context, StepBound, is_condition, parse_condition, parse_expression
from .errors import ModelError
from .ir import SPIKE, Array, Assign
from .layout import Layout
from .spec import GroupSpec
from .statements import split_statements

STEP = sp.Symbol("step", integer=True)
LASTSPIKE = sp.Symbol("lastspike", integer=True)
NOT_REFRACTORY = sp.Symbol("not_refractory")
#: The step stored for a neuron that never spiked (int32; step - it is then >= 2**31).
LASTSPIKE_NEVER = -(2 ** 31)


def refractory_period(g: GroupSpec, names: Dict[str, sp.Basic], eqs: EquationSet
                      ) -> Tuple[Optional[str], Optional[sp.Basic]]:
    """The kind of the group's refractoriness and the expression that says a neuron is not
    refractory: ``('time', lastspike <= step - steps)``, ``('condition', expr)`` or
    ``(None, None)``.

    >>> from pyspike.codegen.equations import parse_equations
    >>> eqs = parse_equations("dv/dt = -v/tau : 1", ("tau",))
    >>> g = GroupSpec("g", 4, threshold="v > 1", refractory="v > 0.5")
    >>> kind, expr = refractory_period(g, eqs.names(), eqs)
    >>> kind, expr
    ('condition', not_refractory | (v <= 0.5))
    >>> refractory_period(GroupSpec("g", 4, refractory=0.0), eqs.names(), eqs)
    (None, None)
    """
    ref = g.refractory
    if ref is None or ref is False or (not isinstance(ref, str) and float(ref) == 0.0):
        return None, None
    if not g.threshold:
        raise ModelError(f"group '{g.name}' is refractory but has no threshold",
                         where="refractory")
    ctx = Context(where=f"the refractory period of group '{g.name}'",
                  line=ref if isinstance(ref, str) else None, lineno=1,
                  random_sites=eqs.random_sites)
    if isinstance(ref, str) and is_condition(ref):
        cond = parse_condition(ref, names, ctx)
        # Refractory after a spike for as long as the condition holds (Brian2's rule).
        return "condition", sp.Or(NOT_REFRACTORY, sp.Not(cond))
    duration = parse_expression(ref, names, ctx) if isinstance(ref, str) else sp.Float(ref)
    if T in duration.free_symbols:
        raise ctx.error("a refractory duration may not depend on t")
    # A duration over state variables (Brian2's refractory='ref' with 'ref : second') is
    # read every step, as Brian2 reads it.  Brian2's count: a neuron is refractory in the
    # updates that start less than timestep(duration) = floor(duration/dt + 1e-3) steps
    # after the step that detected its spike; the update of that step is over, so it is
    # held for one update fewer than that count.
    steps = sp.floor(duration / DT + sp.Rational(1, 1000)) - 1
    return "time", sp.Le(LASTSPIKE, StepBound(STEP, steps))


def refractory_array(kind: Optional[str], group: int, N: int,
                     layout: Layout) -> Dict[str, Array]:
    """The group's refractory array by name (laid out now): an int32 ``lastspike`` for a
    timed period, a uint8 ``not_refractory`` flag for a condition, none without (one
    per neuron of the ``N``).

    >>> [(a.name, a.ctype) for a in refractory_array("time", 0, 4, Layout()).values()]
    [('lastspike', 'int32')]
    >>> [(a.name, a.ctype) for a in refractory_array("condition", 0, 4, Layout()).values()]
    [('not_refractory', 'uint8')]
    >>> refractory_array(None, 0, 4, Layout())
    {}
    """
    if not kind:
        return {}
    role = "lastspike" if kind == "time" else "not_refractory"
    # int32 steps: 4 bytes less per neuron and step to stream (runs up to 2**31 steps)
    ctype = "int32" if kind == "time" else "uint8"
    return {role: Array(role, layout.slot("group", group, role, ctype, "refractory",
                                          extent=N), ctype, role)}


def refractory_symbols(kind: Optional[str]) -> Dict[sp.Symbol, str]:
    """The symbol of the refractory array in the statements -> the array's name.

    >>> refractory_symbols("condition")
    {not_refractory: 'not_refractory'}
    """
    if not kind:
        return {}
    return {LASTSPIKE: "lastspike"} if kind == "time" else {NOT_REFRACTORY: "not_refractory"}


def not_refractory_statement(kind: Optional[str], not_refractory: Optional[sp.Basic]
                             ) -> List[Assign]:
    """The statement that starts the update: a local flag for a timed period, the
    per-neuron array for a condition (which stays set until the condition ends).

    >>> [a.declare for a in not_refractory_statement("time", sp.true)]
    [True]
    >>> not_refractory_statement(None, None)
    []
    """
    if not kind:
        return []
    return [Assign(NOT_REFRACTORY, not_refractory, "bool", declare=(kind == "time"))]


def hold(statements: List[Assign], kind: Optional[str],
         variables: Optional[Collection[str]] = None) -> List[Assign]:
    """The statements, those that assign one of ``variables`` (None: all of them) keeping
    the old value while the neuron is refractory.

    >>> from pyspike.codegen.equations import symbol
    >>> v = symbol("v")
    >>> hold([Assign(v, 2*v, declare=False)], "time")[0].expr
    Piecewise((2*v, not_refractory), (v, True))
    >>> hold([Assign(v, 2*v, declare=False)], "time", variables=("w",))[0].expr
    2*v
    """
    if not kind:
        return statements
    return [replace(a, expr=sp.Piecewise((a.expr, NOT_REFRACTORY), (a.target, True)))
            if variables is None or a.target.name in variables else a for a in statements]


def guard(spike: Optional[sp.Basic], kind: Optional[str]) -> Optional[sp.Basic]:
    """The spike condition, true only when the neuron is not refractory.

    >>> from pyspike.codegen.equations import symbol
    >>> guard(symbol("v") > 1, "condition")
    not_refractory & (v > 1)
    """
    return sp.And(spike, NOT_REFRACTORY) if kind and spike is not None else spike


def clock_statements(kind: Optional[str]) -> List[Assign]:
    """The refractory clock, the reset's last statement: a timed period stores the spike's
    step (``lastspike = step + 1``), a condition clears the flag.

    >>> [(str(a.target), str(a.expr)) for a in clock_statements("time")]
    [('lastspike', 'step + 1')]
    >>> [(str(a.target), str(a.expr)) for a in clock_statements("condition")]
    [('not_refractory', 'False')]
    """
    if kind == "time":
        return [Assign(LASTSPIKE, STEP + 1, "int64", declare=False)]
    if kind == "condition":
        return [Assign(NOT_REFRACTORY, sp.false, "bool", declare=False)]
    return []


def published(kind: Optional[str], eqs: EquationSet, written: Collection[str]) -> bool:
    """Whether the group keeps its ``not_refractory`` flag in a uint8 array that others
    read: a condition always does; a timed period does when code outside its update
    (synapses, run_regularly: ``written``, :func:`written_from_outside`) may write a
    variable it holds ``(unless refractory)``, which, as in Brian2, only the reset may
    write while the neuron is refractory (:func:`conditional_write`).  Otherwise the flag
    stays a local of the update: no byte per neuron and step to store.

    >>> from pyspike.codegen.equations import parse_equations
    >>> eqs = parse_equations("dv/dt = -v/tau : 1 (unless refractory)", ("tau",))
    >>> published("time", eqs, set()), published("time", eqs, {"v"})
    (False, True)
    """
    return kind == "condition" or (kind == "time"
                                   and bool(eqs.unless_refractory & set(written)))


def written_from_outside(spec) -> Dict[str, Set[str]]:
    """By group name, the names that code outside a group's update may assign: its
    run_regularly statements' targets and the neuron variables the Synapses touching it
    assign (``v_post``, ``v_pre``, a plain ``v`` of the target).  Read from the text of
    each statement's target (an over-estimate is harmless: a flag kept for nothing)."""
    out: Dict[str, Set[str]] = {g.name: set() for g in spec.groups}
    for g in spec.groups:
        out[g.name] |= {t for code, _ in g.operations for t in _targets(code)}
    for s in spec.synapses:
        codes = [s.on_pre, s.on_post] + [c for part in s.parts for c in part[2:]]
        for name in (t for code in codes for t in _targets(code)):
            if name.endswith("_pre") and s.pre in out:
                out[s.pre].add(name[:-len("_pre")])
            elif not s.post_synapses and s.post in out:
                out[s.post].add(name[:-len("_post")] if name.endswith("_post") else name)
    return out


def _targets(code: str) -> List[str]:
    return [part.split("=", 1)[0].strip().rstrip("+-*/").strip()
            for _, part in split_statements(code) if "=" in part]


def publish(kind: Optional[str], group: int, N: int, layout: Layout
            ) -> Tuple[Dict[str, Array], List[Assign]]:
    """For a timed period that :func:`published`: the flag's array (laid out now) and the
    spike's statement clearing it (a neuron is refractory from its spike on, in the
    step's synaptic events too, as Brian2's thresholder marks it)."""
    if kind != "time":
        return {}, []
    array = Array("not_refractory", layout.slot("group", group, "not_refractory", "uint8",
                                                "refractory", extent=N),
                  "uint8", "not_refractory")
    return {"not_refractory": array}, [Assign(NOT_REFRACTORY, sp.false, "bool",
                                              declare=False)]


def conditional_write(value: sp.Basic, target: sp.Symbol, op: str, flag: sp.Basic
                      ) -> sp.Basic:
    """A write of a variable held ``(unless refractory)`` from outside the reset: the
    value where ``flag`` (not refractory), else no change (Brian2's conditional write).

    >>> from pyspike.codegen.equations import symbol
    >>> conditional_write(symbol("w"), symbol("v"), "+=", NOT_REFRACTORY)
    Piecewise((w, Ne(not_refractory, 0)), (0, True))
    """
    keep = sp.Integer(0) if op in ("+=", "-=") else target
    return sp.Piecewise((value, sp.Ne(flag, 0)), (keep, True))


def hold_inputs(inputs: List[Assign], kind: Optional[str],
                variables: Collection[str]) -> List[Assign]:
    """Poisson inputs into a variable held ``(unless refractory)``: added only where the
    neuron is not refractory and has not spiked in this step (Brian2's PoissonInput acts
    after the thresholds, with the variable's conditional write).

    >>> from pyspike.codegen.equations import symbol
    >>> v = symbol("v")
    >>> hold_inputs([Assign(v, v + 1, declare=False)], "time", {"v"})[0].expr
    Piecewise((v + 1, not_refractory & ~_spike), (v, True))
    """
    if not kind:
        return inputs
    ok = sp.And(NOT_REFRACTORY, sp.Not(SPIKE))
    return [replace(a, expr=sp.Piecewise((a.expr, ok), (a.target, True)))
            if a.target.name in variables else a for a in inputs]
