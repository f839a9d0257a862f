"""TimedArrays as a lowering pass: what a group's calls of TimedArrays add to its kernel.

A TimedArray called in the differential equations is read once per step, at the step's
start, into a local (``_ta0 = I(t)``) that the integration reads: held over the step,
which is exact when the array's dt is a multiple of the simulation's.  Every TimedArray
a group may call gets its buffers (:class:`ir.TimedIR`: values, shape and 1/dt); one
read as ``name(t, i)`` needs a column per neuron.

>>> from pyspike.codegen.spec import GroupSpec, NetworkSpec
>>> from pyspike.codegen.kernels import build_network
>>> g = GroupSpec("g", 4, equations="dv/dt = (I(t) - v)/tau : 1", params=("tau",),
...               functions=(("I", 1),))
>>> k = build_network(NetworkSpec(groups=(g,))).groups[0]
>>> [(str(a.target), str(a.expr)) for a in k.update.code][0], k.timed[0].name
(('_ta0', 'TimedArray1_I(t, 0)'), 'I')
"""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable, List

import sympy as sp

from .equations import I_INDEX, EquationSet
from .expressions import TimedArrayCall
from .ir import Assign, TimedIR
from .layout import Layout
from .spec import GroupSpec


def hold_timed_arrays(eqs: EquationSet) -> List[Assign]:
    """The statements that read each TimedArray call of the differential equations once,
    at the step's start; ``eqs.odes`` is rewritten to read their locals instead.

    >>> from pyspike.codegen.equations import parse_equations
    >>> from pyspike.codegen.expressions import timed_function
    >>> eqs = parse_equations("dv/dt = (I(t) - v)/tau : 1", ("tau",),
    ...                       functions={"I": timed_function("I", 1)})
    >>> [str(a.target) for a in hold_timed_arrays(eqs)], str(eqs.odes["v"])
    (['_ta0'], '(_ta0 - v)/tau')
    """
    calls = sorted({c for e in eqs.odes.values() for c in e.atoms(TimedArrayCall)}, key=str)
    held = {c: sp.Symbol(f"_ta{k}", real=True) for k, c in enumerate(calls)}
    eqs.odes = {v: e.xreplace(held) for v, e in eqs.odes.items()}
    return [Assign(sym, call) for call, sym in held.items()]


def timed_buffers(g: GroupSpec, group: int, layout: Layout) -> List[TimedIR]:
    """The buffers of every TimedArray the group may call (laid out now, in the order
    given): values, rows, columns and 1/dt.

    >>> [t.name for t in timed_buffers(GroupSpec("g", 4, functions=(("I", 1),)), 0, Layout())]
    ['I']
    """
    return [TimedIR(n, layout.slot("group", group, n, "real", "timed", False,
                                   extent="rows*columns"),
                    layout.iarg("group", group, n, "timed_rows"),
                    layout.iarg("group", group, n, "timed_columns"),
                    layout.rarg("group", group, n, "timed_rate")) for n, _ in g.functions]


def mark_by_neuron(timed: List[TimedIR], exprs: Iterable[sp.Basic]) -> List[TimedIR]:
    """``timed``, with ``by_neuron`` set on each TimedArray that ``exprs`` read as
    ``name(t, i)``.

    >>> from pyspike.codegen.expressions import timed_function
    >>> from pyspike.codegen.equations import T
    >>> timed = [TimedIR("J", 0, 0, 1, 0)]
    >>> mark_by_neuron(timed, [timed_function("J", 2)(T, I_INDEX)])[0].by_neuron
    True
    """
    calls = [c for e in exprs for c in e.atoms(TimedArrayCall)]
    return [replace(ta, by_neuron=any(c.func.array_name == ta.name and c.args[1] == I_INDEX
                                      for c in calls)) for ta in timed]
