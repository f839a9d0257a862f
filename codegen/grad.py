"""The backward pass of a neuron step, derived with sympy: a training layer's kernel IR.

Given a :class:`~grad_step.NeuronStep` (h = F(x, I), u = g(h), s = H(u),
x' = h + s (r(h) - h)), one reverse step takes the adjoints lam of the states after the
step and the gradient ``gout`` of the step's output, and gives, with the spike's
derivative dH/du replaced by a surrogate sigma'(u):

    gs   = gout [spiking output] + sum_k lam_k (r_k - h_k)        (none with detach_reset)
    gu   = gs sigma'(u)
    gh_j = sum_k lam_k dR_k/dh_j + gu dg/dh_j + gout [output h_j]
    lam'_k = sum_j gh_j dF_j/dx_k,  gI = sum_j gh_j dF_j/dI
    gp_p += sum_j gh_j dF_j/dp + gu dg/dp + sum_k lam_k s dr_k/dp

All derivatives are sympy's ``diff`` of the exact discrete step, so the gradient is the
one of the integrator used, and common subexpressions are computed once.  The forward pass
keeps, per step, only the step's values h that the backward pass reads (the spike is
computed again from them, bit for bit); the previous state comes from the previous step's
saved h through the reset.

>>> from pyspike.codegen.grad_step import neuron_step
>>> step = neuron_step(update="V = beta*V + I", equations="I : 1", threshold="V > 1",
...                    reset="V = 0", params=("beta",))
>>> k = training_kernel(step, "atan")
>>> k.saved, k.trained
(('V',), ())
>>> [str(a.target) for a in k.forward]
['_h_V', '_u', '_s', '_x_V', '_out']
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Dict, List, Sequence, Tuple

import sympy as sp

from .equations import symbol
from .errors import ModelError
from .grad_step import CLOCK, FLAG, INPUT, NOT_REFRACTORY, NeuronStep
from .ir import Assign
from .surrogates import U, surrogate

S = sp.Symbol("_s", real=True)
GOUT = sp.Symbol("_gout", real=True)
GIN = sp.Symbol("_gin", real=True)
OUT = sp.Symbol("_out", real=True)


def h_sym(name: str) -> sp.Symbol:
    """This step's value of a state (before the reset)."""
    return sp.Symbol(f"_h_{name}", real=True)


def x_new(name: str) -> sp.Symbol:
    """A state's value after this step (the forward pass writes it)."""
    return sp.Symbol(f"_x_{name}", real=True)


#: The saved name of the step's not-refractory flag (1 or 0), saved with the h: the
#: backward pass cannot compute it from them
REFRACTORY = "_refr"
NR = sp.Symbol(f"_h_{REFRACTORY}", real=True)


def lam(name: str) -> sp.Symbol:
    """The adjoint of a state after the step (read by a reverse step)."""
    return sp.Symbol(f"_l_{name}", real=True)


def lam_new(name: str) -> sp.Symbol:
    """The adjoint of a state before the step (written by a reverse step)."""
    return sp.Symbol(f"_ln_{name}", real=True)


def gparam(name: str) -> sp.Symbol:
    """A trained parameter's gradient contribution of one element and step."""
    return sp.Symbol(f"_gp_{name}", real=True)


def adjoint_states(step: NeuronStep) -> List[str]:
    """The carried states with an adjoint: all but the refractory clock or flag (numbers
    of steps and flags have no derivative)."""
    return [n for n in step.carried if n not in (CLOCK, FLAG)]


@dataclass(frozen=True)
class TrainingKernel:
    """What the renderers and the NumPy reference need of a layer's step.

    ``forward`` reads the carried states (their symbols), INPUT and the parameters and
    declares ``_h_*``, ``_u``, ``_s``, ``_x_*`` (the carried states' new values) and
    ``_out``; ``previous`` computes the carried states from the saved ``_h_*`` of the step
    before; ``backward`` reads the saved ``_h_*``, the carried states (before the step),
    the ``_l_*``, ``_gout`` and declares ``_ln_*``, ``_gin`` and ``_gp_*``.
    """
    step: NeuronStep
    surrogate: str
    alpha: float
    smooth: bool
    detach_reset: bool
    trained: Tuple[str, ...]
    saved: Tuple[str, ...]
    forward: Tuple[Assign, ...]
    previous: Tuple[Assign, ...]
    backward: Tuple[Assign, ...]
    #: whether the backward pass reads the step's input (then saved after the h)
    reads_input: bool = False
    #: parameters with a value per neuron (read from an array; their gradients are
    #: summed per neuron)
    per_neuron: Tuple[str, ...] = ()

    @property
    def adjoints(self) -> Tuple[str, ...]:
        """The states whose adjoints the backward pass carries from step to step."""
        return tuple(adjoint_states(self.step))

    @property
    def saved_per_step(self) -> int:
        """The values saved per neuron and step for the backward pass."""
        return len(self.saved) + int(self.reads_input)

    @property
    def params(self) -> Tuple[str, ...]:
        """The runtime parameters, in the order of the parameter vector (alpha last)."""
        return self.step.params + ("_alpha",)


def training_kernel(step: NeuronStep, surrogate_name: str = "atan", alpha: float = None,
                    smooth: bool = False, detach_reset: bool = False,
                    trained: Sequence[str] = (), per_neuron: Sequence[str] = ()
                    ) -> TrainingKernel:
    """The forward and backward statements of ``step`` (see the module's text)."""
    sur = surrogate(surrogate_name)
    if smooth and sur.smooth is None:
        raise ModelError(f"the surrogate {sur.name!r} has no smooth spike function: smooth="
                         "True takes 'sigmoid' or 'atan'", where="surrogate", symbol=sur.name)
    for p in per_neuron:
        if p not in step.params or p == "dt":
            raise ModelError(f"{p!r} is not a parameter of the model that can take a value "
                             f"per neuron (its parameters: "
                             f"{', '.join(q for q in step.params if q != 'dt')})",
                             where="per_neuron", symbol=p)
    for p in trained:
        if p not in step.params or p == "dt":
            raise ModelError(f"{p!r} is not a parameter of the model that can be trained "
                             f"(its parameters: {', '.join(q for q in step.params if q != 'dt')})",
                             where="trainable", symbol=p)
    if step.refractory is not None:      # F reads the flag as a saved value
        step = replace(step, update=tuple((n, F.xreplace({NOT_REFRACTORY: NR}))
                                          for n, F in step.update))
    hmap = {symbol(n): h_sym(n) for n in step.states}
    spiking = step.threshold is not None
    u = step.threshold.xreplace(hmap) if spiking else sp.Integer(0)
    resets = {n: r.xreplace(hmap) for n, r in step.reset}
    forward = _forward(step, u, resets, sur, smooth)
    backward = _backward(step, u, resets, sur, smooth, detach_reset, trained)
    saved, prev = _saved(step, backward, resets, u)
    previous = _previous(step, prev, resets, u, sur, smooth)
    return TrainingKernel(step, sur.name, float(sur.alpha if alpha is None else alpha),
                          smooth, detach_reset, tuple(trained), saved, tuple(forward),
                          tuple(previous), tuple(backward),
                          any(INPUT in a.expr.free_symbols for a in backward),
                          tuple(p for p in step.params if p in per_neuron))


def _spike(u: sp.Expr, step: NeuronStep, sur, smooth: bool, nr=None) -> sp.Expr:
    """The spike at the distance ``u``; ``nr`` the not-refractory flag (None: without
    refractoriness; by default, this step's)."""
    nr = NR if nr is None and step.refractory is not None else nr
    if smooth:
        return sur.smooth.xreplace({U: u}) * (nr if nr is not None else 1)
    cond = (u > 0) if step.strict else (u >= 0)
    if nr is not None:
        cond = sp.And(cond, nr > 0)
    return sp.Piecewise((sp.Integer(1), cond), (sp.Integer(0), True))


def _forward(step: NeuronStep, u: sp.Expr, resets: Dict[str, sp.Expr], sur, smooth: bool
             ) -> List[Assign]:
    out = [Assign(NR, step.refractory)] if step.refractory is not None else []
    out += [Assign(h_sym(n), F) for n, F in step.update]
    if step.threshold is not None:
        out += [Assign(U, u), Assign(S, _spike(U, step, sur, smooth))]
    out += [Assign(x_new(n), _after_reset(n, resets, step)) for n in step.carried]
    value = S if step.output == "spike" else h_sym(step.output)
    return out + [Assign(OUT, value)]


def _after_reset(name: str, resets: Dict[str, sp.Expr], step: NeuronStep) -> sp.Expr:
    h = h_sym(name)
    if name in resets and step.threshold is not None:
        return h + S * (resets[name] - h)
    return h


def _backward(step: NeuronStep, u: sp.Expr, resets: Dict[str, sp.Expr], sur, smooth: bool,
              detach_reset: bool, trained: Sequence[str]) -> List[Assign]:
    spiking = step.threshold is not None
    carried = adjoint_states(step)
    hs = [h_sym(n) for n in step.states]
    R = {n: _after_reset(n, resets, step) for n in carried}
    out: List[Assign] = []
    if spiking:
        gs = GOUT if step.output == "spike" else sp.Integer(0)
        if not detach_reset:
            gs = gs + sum((lam(n) * sp.diff(R[n], S) for n in carried), sp.Integer(0))
        # (a refractory neuron cannot spike: no gradient through its threshold)
        flag = NR if step.refractory is not None else 1
        out += [Assign(U, u), Assign(S, _spike(U, step, sur, smooth)),
                Assign(sp.Symbol("_gu", real=True), gs * sur.derivative * flag)]
    gu = sp.Symbol("_gu", real=True) if spiking else sp.Integer(0)
    gh = {}
    for n, h in zip(step.states, hs):
        value = sum((lam(k) * sp.diff(R[k], h) for k in carried), sp.Integer(0))
        if spiking:
            value += gu * sp.diff(u, h)
        if step.output == n:
            value += GOUT
        gh[n] = sp.Symbol(f"_gh_{n}", real=True)
        out.append(Assign(gh[n], sp.expand(value) if value.is_Add else value))
    F = {n: expr for n, expr in step.update}
    for k in carried:
        out.append(Assign(lam_new(k), sum((gh[j] * sp.diff(F[j], symbol(k))
                                           for j in step.states), sp.Integer(0))))
    out.append(Assign(GIN, sum((gh[j] * sp.diff(F[j], INPUT) for j in step.states),
                               sp.Integer(0))))
    for p in trained:
        ps = symbol(p)
        value = sum((gh[j] * sp.diff(F[j], ps) for j in step.states), sp.Integer(0))
        if spiking:
            value += gu * sp.diff(u, ps)
            value += sum((lam(k) * sp.diff(R[k], ps) for k in carried), sp.Integer(0))
        out.append(Assign(gparam(p), value))
    return out


def _saved(step: NeuronStep, backward: List[Assign], resets, u
           ) -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
    """(the h the backward pass reads, directly or to compute the previous state; the
    carried states it reads)."""
    used = set()
    for a in backward:
        used |= a.expr.free_symbols
    needed = {n for n in step.states if h_sym(n) in used}
    prev = {n for n in step.carried if symbol(n) in used}
    for n in prev:
        needed.add(n)
        if n in resets:
            needed |= {m for m in step.states if h_sym(m) in resets[n].free_symbols}
            needed |= {m for m in step.states if h_sym(m) in u.free_symbols}
    flag = (REFRACTORY,) if step.refractory is not None else ()
    return (flag + tuple(n for n in step.states if n in needed),
            tuple(n for n in step.carried if n in prev))


def h_prev(name: str) -> sp.Symbol:
    """The previous step's value of a state before its reset (read back from the saved)."""
    return sp.Symbol(f"_hp_{name}", real=True)


def _previous(step: NeuronStep, prev: Sequence[str], resets, u, sur, smooth: bool
              ) -> List[Assign]:
    """The carried states the backward pass reads, computed from the previous step's
    saved h (``_hp_*``) as the forward pass computed them."""
    back = {h_sym(n): h_prev(n) for n in step.states}
    up, sp_ = sp.Symbol("_up", real=True), sp.Symbol("_sp", real=True)
    nr = h_prev(REFRACTORY) if step.refractory is not None else None
    out = []
    if step.threshold is not None and any(n in resets for n in prev):
        out += [Assign(up, u.xreplace(back)),
                Assign(sp_, _spike(up, step, sur, smooth, nr))]
    for n in prev:
        value = _after_reset(n, resets, step).xreplace(back).xreplace({S: sp_})
        out.append(Assign(symbol(n), value))
    return out
