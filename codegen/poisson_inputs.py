"""PoissonInput as a lowering pass: each input of a group adds two run scalars (its mean
count per step and its weight), a uniform draw on its own stream, and a statement after
the spike, ``var += weight * Poisson(mean)`` (so that it acts on the next step, as
Brian2's PoissonInput does).  Nothing after this pass knows about Poisson inputs.

>>> from pyspike.codegen.spec import GroupSpec, NetworkSpec
>>> from pyspike.codegen.kernels import build_network
>>> g = GroupSpec("g", 4, equations="dv/dt = -v/tau : 1", params=("tau",),
...               threshold="v > 1", inputs=("v",))
>>> k = build_network(NetworkSpec(groups=(g,))).groups[0]
>>> [a.target.name for a in k.update.code][-2:], str(k.update.code[-1].expr)
(['_spike', 'v'], '_pin0_weight*PoissonCount(_pin0_u, _pin0_mean) + v')
"""
from __future__ import annotations

from typing import List, Tuple

import sympy as sp

from . import streams
from .equations import symbol
from .errors import ModelError
from .expressions import PoissonCount
from .ir import Assign, Draw, GroupKernel
from .layout import Layout
from .spec import GroupSpec


def poisson_inputs(g: GroupSpec, k: GroupKernel, layout: Layout
                   ) -> Tuple[List[Draw], List[Assign]]:
    """The draws and the statements of the group's Poisson inputs, in the order given;
    their means and weights are added to ``k.shared`` as run scalars (laid out now).

    >>> from pyspike.codegen.equations import parse_equations
    >>> from pyspike.codegen.ir import Array
    >>> eqs = parse_equations("dv/dt = -v/tau : 1", ("tau",))
    >>> k = GroupKernel("g", 0, 4, eqs, {"v": Array("v", 0, "real", "state")}, {})
    >>> draws, stmts = poisson_inputs(GroupSpec("g", 4, inputs=("v",)), k, Layout())
    >>> sorted(k.shared), [(d.symbol.name, d.kind) for d in draws], len(stmts)
    (['_pin0_mean', '_pin0_weight'], [('_pin0_u', 'uniform')], 1)
    """
    eqs = k.equations
    draws: List[Draw] = []
    out: List[Assign] = []
    for n, var in enumerate(g.inputs):
        if var not in eqs.variables or eqs.variables[var].is_param or var not in k.arrays:
            raise ModelError(f"a PoissonInput adds to '{var}', which is not a per-neuron "
                             f"variable of group '{g.name}' (it has "
                             f"{', '.join(eqs.state) or 'none'})", where="PoissonInput",
                             symbol=var)
        mean, weight = (sp.Symbol(f"_pin{n}_{x}", real=True) for x in ("mean", "weight"))
        for sym, what in ((mean, "mean"), (weight, "weight")):
            k.shared[sym.name] = layout.rarg("group", k.index, sym.name, "input_" + what, n)
        u = sp.Symbol(f"_pin{n}_u", real=True)
        draws.append(Draw(u, "uniform", streams.poisson_input(k.index, n)))
        out.append(Assign(symbol(var), symbol(var) + weight * PoissonCount(u, mean),
                          declare=False))
    return draws, out
