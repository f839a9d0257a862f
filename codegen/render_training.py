"""A training layer's kernels (:class:`grad.TrainingKernel`) -> C++ or CUDA source.

Python decides the statements: common subexpressions are computed once, and those that
read only parameters are hoisted out of the loops (computed once per call, in the layer's
precision, as the NumPy reference computes them); the templates
(``templates/cpp/training.cpp.j2``, ``templates/cuda/training.cu.j2``) lay them out in the
loops over samples, steps and neurons.

>>> from pyspike.codegen.grad_step import neuron_step
>>> from pyspike.codegen.grad import training_kernel
>>> step = neuron_step(update="V = beta*V + I", equations="I : 1", threshold="V > 1",
...                    reset="V = 0", params=("beta",))
>>> src = render_training(training_kernel(step, "atan"), "cpp", "float")
>>> "ps_train_forward" in src and "ps_train_backward" in src
True
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import List, Sequence, Set, Tuple

import sympy as sp

from .equations import symbol
from .grad import GIN, OUT, TrainingKernel, gparam, h_prev, h_sym, lam, lam_new, x_new
from .grad_step import INPUT
from .ir import Assign
from .optimize import Hoister
from .printing import CPrinter, c_name
from .render import environment
from .render_cuda import CudaPrinter

#: The C ABI version of the training kernels (checked when a library is opened).
TRAINING_ABI = 4


@dataclass(frozen=True)
class Line:
    """``const real_t name = expr;`` in C."""
    name: str
    expr: str


def _cse(stmts: Sequence[Assign], params: Set[sp.Symbol], prefix: str
         ) -> Tuple[List[Assign], List[Assign]]:
    """(hoisted: reads parameters only, body) of ``stmts`` (each reads the ones before
    it) with common subexpressions computed once, each placed just before the first
    statement that can read it."""
    names = sp.numbered_symbols(prefix, real=True)
    pairs, reduced = sp.cse([a.expr for a in stmts], symbols=names, order="none")
    hoisted: List[Assign] = []
    body: List[Assign] = []
    constant = set(params)
    local = {a.target for a in stmts} | {sym for sym, _ in pairs}
    ready: Set[sp.Symbol] = set()
    pending = []
    for sym, expr in pairs:
        if expr.free_symbols <= constant:
            hoisted.append(Assign(sym, expr))
            constant.add(sym)
        else:
            pending.append((sym, expr))
    for a, e in zip(stmts, reduced):
        progress = True
        while progress:            # a subexpression may read another one
            progress = False
            for sym, expr in list(pending):
                if (expr.free_symbols & local) <= ready | constant:
                    body.append(Assign(sym, expr))
                    ready.add(sym)
                    pending.remove((sym, expr))
                    progress = True
        body.append(Assign(a.target, e))
        ready.add(a.target)
    body += [Assign(sym, expr) for sym, expr in pending]
    return hoisted, body


def _lines(stmts: Sequence[Assign], printer: CPrinter) -> List[Line]:
    return [Line(c_name(a.target.name), printer.doprint(a.expr)) for a in stmts]


def render_training(kernel: TrainingKernel, target: str = "cpp", real: str = "double",
                    recurrent: bool = False) -> str:
    """The source of a layer's forward and backward kernels (``target`` "cpp" or "cuda",
    ``real`` "double" or "float")."""
    # (CUDA's printer: no fmax(int, double) on the device; the same values)
    printer = CudaPrinter(real) if target == "cuda" else CPrinter(real)
    step = kernel.step
    # (a parameter with a value per neuron is read in the loops: nothing reading it is
    # hoisted)
    params = {symbol(p) for p in step.params if p not in kernel.per_neuron} | {
        sp.Symbol("_alpha", positive=True)} | {sp.Symbol("_alpha", real=True)}
    f_hoist, forward = _cse(kernel.forward, params, "_f")
    p_hoist, previous = _cse(kernel.previous, params | set(a.target for a in f_hoist), "_p")
    b_hoist, backward = _cse(kernel.backward, params | set(a.target for a in f_hoist + p_hoist),
                             "_b")
    # what reads parameters only and appears once (exp(-dt/tau)), computed once per call,
    # as the simulator's kernels hoist it out of their time loop
    hoister = Hoister(params | {a.target for a in f_hoist + p_hoist + b_hoist}, set())
    forward, previous, backward = ([replace(a, expr=hoister.visit(a.expr)) for a in block]
                                   for block in (forward, previous, backward))
    b_hoist = b_hoist + hoister.scalars
    context = dict(
        real="double" if real == "double" else "float", abi=TRAINING_ABI,
        recurrent=recurrent, spiking=step.threshold is not None,
        params=[c_name(p) for p in step.params] + ["_alpha"],
        hoisted=_lines(f_hoist + p_hoist + b_hoist, printer),
        forward=_lines(forward, printer), previous=_lines(previous, printer),
        backward=_lines(backward, printer),
        states=[c_name(n) for n in step.states], carried=[c_name(n) for n in step.carried],
        x_new=[c_name(x_new(n).name) for n in step.carried],
        saved=[(k, c_name(h_sym(n).name), c_name(h_prev(n).name))
               for k, n in enumerate(kernel.saved)],
        # a backward pass that reads the step's input (a model not linear in it) gets it
        # saved after the h
        saved_input=len(kernel.saved) if kernel.reads_input else None,
        prev=[(step.carried.index(a.target.name), c_name(a.target.name))
              for a in kernel.previous if a.target.name in step.carried],
        lam=[(c_name(lam(n).name), c_name(lam_new(n).name)) for n in kernel.adjoints],
        trained=[(k, c_name(gparam(p).name)) for k, p in enumerate(kernel.trained)
                 if p not in kernel.per_neuron],
        per_neuron=[(q, c_name(p)) for q, p in enumerate(kernel.per_neuron)],
        per_neuron_names=[c_name(p) for p in kernel.per_neuron],
        trained_per_neuron=[(kernel.per_neuron.index(p), c_name(gparam(p).name))
                            for p in kernel.trained if p in kernel.per_neuron],
        input=c_name(INPUT.name), out=c_name(OUT.name), gin=c_name(GIN.name))
    template = {"cpp": "cpp/training.cpp.j2", "cuda": "cuda/training.cu.j2"}[target]
    return environment().get_template(template).render(**context)
