"""The postsynaptic side of a Synapses object: a group's neurons, or the synapses of
another Synapses object (Brian2's Synapses on Synapses, as in Izhikevich 2007, where a
dopamine spike raises ``d_post``, a variable of every plastic synapse it reaches).

A target Synapses object exposes its state variables, by ``<name>_post`` or plainly, and
``j`` numbers its synapses.  Its synapses fire no spikes, so a Synapses on Synapses has no
``on_post`` and sets no ``(summed)`` variable; the target must be built first (it is:
:func:`build_order`).

>>> from pyspike.codegen.spec import SynapsesSpec
>>> s = SynapsesSpec("R", "D", "S", 0, 1, 0, 2, on_pre="d_post += 1", post_synapses=True)
>>> build_order((s, SynapsesSpec("S", "P", "P", 0, 2, 0, 2, model="d : 1")))
[1, 0]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import sympy as sp

from .equations import symbol
from .errors import ModelError
from .ir import Access, Array, Assign, GroupKernel, SynapsesKernel
from .spec import SynapsesSpec


@dataclass(frozen=True)
class Side:
    """What synaptic code sees of one side: the variables (name -> is a parameter), where
    they live, and the group (None for a Synapses target)."""
    index: int
    variables: Dict[str, bool]
    arrays: Dict[str, Array]
    shared: Dict[str, int]
    group: Optional[GroupKernel]


def group_side(g: GroupKernel) -> Side:
    return Side(g.index, {n: v.is_param for n, v in g.equations.variables.items()},
                g.arrays, g.shared, g)


def synapses_side(tk: SynapsesKernel) -> Side:
    """A target Synapses object: its state variables (its parameters are not visible)."""
    state = {n: a for n, a in tk.arrays.items() if a.role == "state" and not n.startswith("_")}
    return Side(tk.index, dict.fromkeys(state, False), state, {}, None)


def post_side(s: SynapsesSpec, groups: Dict[str, GroupKernel],
              built: Dict[str, SynapsesKernel], where: str) -> Side:
    """The postsynaptic side of ``s``: a group of ``groups``, or a Synapses of ``built``."""
    if not s.post_synapses:
        if s.post not in groups:
            raise ModelError(f"{where} connects group '{s.post}', which is not part of the "
                             "network", where=where, symbol=s.post)
        return group_side(groups[s.post])
    if s.post not in built:
        raise ModelError(f"{where} targets Synapses '{s.post}', which are not part of the "
                         "network (or target Synapses themselves)", where=where, symbol=s.post)
    if s.on_post or any(p[3] for p in s.parts):
        raise ModelError(f"{where} target the synapses of Synapses '{s.post}', which fire no "
                         "spikes: there is no on_post", where=where, symbol="on_post")
    return synapses_side(built[s.post])


def summed_statements(eqs) -> List[Assign]:
    """The summed pathway: each (summed) subexpression added into its target, whose
    variable was set to 0 before; a (max) one kept if larger (the target set to -inf
    before, and to 0 after where no synapse reached it: render_synapses.summed_inits)."""
    return [Assign(symbol(n), sp.Max(symbol(n), eqs.subexpressions[n]), declare=False,
                   op="=") if n in eqs.maxed else
            Assign(symbol(n), eqs.subexpressions[n], declare=False, op="+=")
            for n in sorted(eqs.summed)]


def check_summed_names(summed, post_vars: Dict[str, bool], where: str) -> None:
    """Each (summed) subexpression named ``<variable>_post`` after a variable (not a
    parameter) of the postsynaptic group, the one it sets."""
    for name in sorted(summed):
        var = name[:-len("_post")] if name.endswith("_post") else None
        if var is None or post_vars.get(var, True):
            raise ModelError(f"{where}: a (summed) subexpression is named after the "
                             "postsynaptic variable it sets, as in 'I_syn_post = g*(E - v_post)"
                             f" : pA (summed)'; '{name}' is not '<variable>_post' for a "
                             "variable of the postsynaptic group", where=where, symbol=name)


def refuse_summed(s: SynapsesSpec, summed: Sequence[str], where: str) -> None:
    if s.post_synapses and summed:
        raise ModelError(f"{where} target the synapses of Synapses '{s.post}': a (summed) "
                         "variable sums into neurons; write the target's variable in on_pre",
                         where=where, symbol=sorted(summed)[0])


def build_order(synapses: Sequence[SynapsesSpec]) -> List[int]:
    """The order to build Synapses objects in: those whose targets are Synapses after the
    others (their targets' arrays must be laid out first), further pathways of a Synapses
    object last (they use its arrays), each part in spec order, so that a network without
    them is laid out as before."""
    return sorted(range(len(synapses)),
                  key=lambda k: (synapses[k].shares is not None, synapses[k].post_synapses))


def refractory_guards(pre: Side, post: Side, found: Dict[str, tuple]
                      ) -> Tuple[Dict[str, sp.Symbol], Dict[str, Access]]:
    """The neuron variables synaptic code may write only where their neuron is not
    refractory (held ``(unless refractory)`` by a group that publishes its flag,
    refractoriness.published), by alias (``v_post``, ``v``): the flag's symbol; and where
    each flag lives.  ``found``: alias -> (side, variable) of the code's names."""
    guards: Dict[str, sp.Symbol] = {}
    access: Dict[str, Access] = {}
    for alias, (side, var) in found.items():
        g = (pre if side == "pre" else post).group
        if g is None or "not_refractory" not in g.arrays or \
                var not in g.equations.unless_refractory:
            continue
        name = f"_not_refractory_{side}"
        guards[alias] = sp.Symbol(name, real=True)
        access[name] = Access("not_refractory", side, slot=g.arrays["not_refractory"].slot,
                              ctype="uint8")
    return guards, access
