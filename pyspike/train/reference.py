"""The NumPy reference of a training layer's kernels: the same statements
(:class:`~pyspike.codegen.grad.TrainingKernel`) evaluated step by step on arrays of
(samples, neurons).  The oracle the generated C++ and CUDA are tested against; slow.
"""
from __future__ import annotations

from typing import Dict, Optional, Sequence

import numpy as np

from ..codegen.grad import GIN, OUT, TrainingKernel, gparam, h_prev, h_sym, lam, lam_new
from ..codegen.grad import x_new
from ..codegen.grad_step import INPUT
from ..codegen.ir import Assign
from ..evaluate import evaluate

def _run(program: Sequence[Assign], env: Dict[str, np.ndarray], dtype) -> None:
    """The statements in order, each evaluated as the simulator's NumPy reference
    evaluates an expression (pyspike/evaluate.py: the printer's order of operations)."""
    for a in program:
        env[a.target.name] = np.asarray(evaluate(a.expr, env, dtype.type), dtype=dtype)


def _params(kernel: TrainingKernel, params: np.ndarray, dtype, pn=None
            ) -> Dict[str, np.ndarray]:
    out = {name: np.asarray(v, dtype=dtype) for name, v in zip(kernel.params, params)}
    for q, name in enumerate(kernel.per_neuron):      # (N,): broadcast over the samples
        out[name] = np.asarray(pn[q], dtype=dtype)
    return out


def forward(kernel: TrainingKernel, x: np.ndarray, out: np.ndarray, saved: np.ndarray,
            state0: np.ndarray, state: np.ndarray, params: np.ndarray,
            wrec: Optional[np.ndarray], out_prev: Optional[np.ndarray] = None,
            bias: Optional[np.ndarray] = None, pn: Optional[np.ndarray] = None) -> None:
    """As ``ps_train_forward``: fills ``out``, ``saved`` and ``state``."""
    dtype = x.dtype
    step = kernel.step
    env = _params(kernel, params, dtype, pn)
    for c, n in enumerate(step.carried):
        env[n] = state0[c].copy()
    program = kernel.forward
    for t in range(x.shape[0]):
        value = x[t] if bias is None else (x[t] + bias).astype(dtype)
        last = out[t - 1] if t > 0 else out_prev
        if wrec is not None and last is not None:
            value = (value + (last @ wrec).astype(dtype)).astype(dtype)
        env[INPUT.name] = value
        _run(program, env, dtype)
        for n in step.carried:
            env[n] = env[x_new(n).name]
        out[t] = env[OUT.name]
        for k, n in enumerate(kernel.saved):
            saved[k, t] = env[h_sym(n).name]
        if kernel.reads_input:
            saved[len(kernel.saved), t] = value
    for c, n in enumerate(step.carried):
        state[c] = env[n]


def backward(kernel: TrainingKernel, gout: np.ndarray, saved: np.ndarray,
             state0: np.ndarray, params: np.ndarray, out: np.ndarray,
             wrec: Optional[np.ndarray], out_prev: Optional[np.ndarray], gin: np.ndarray,
             gparams: np.ndarray, gwrec: Optional[np.ndarray],
             lam_io: Optional[np.ndarray] = None, grec_io: Optional[np.ndarray] = None,
             pn: Optional[np.ndarray] = None, gpn: Optional[np.ndarray] = None) -> None:
    """As ``ps_train_backward``: fills ``gin``, adds to ``gparams`` (and ``gwrec``);
    ``lam_io``/``grec_io`` carry the adjoints in and out (a run in pieces)."""
    dtype = gout.dtype
    step = kernel.step
    T, B, N = gout.shape
    env = _params(kernel, params, dtype, pn)
    lams = {n: (lam_io[c].copy() if lam_io is not None else np.zeros((B, N), dtype))
            for c, n in enumerate(kernel.adjoints)}
    grec = grec_io.copy() if grec_io is not None else np.zeros((B, N), dtype)
    previous, program = kernel.previous, kernel.backward
    for t in range(T - 1, -1, -1):
        for k, n in enumerate(kernel.saved):
            env[h_sym(n).name] = saved[k, t]
            if t > 0:
                env[h_prev(n).name] = saved[k, t - 1]
        if kernel.reads_input:
            env[INPUT.name] = saved[len(kernel.saved), t]
        if t > 0:
            _run(previous, env, dtype)
        else:
            for c, n in enumerate(step.carried):
                env[n] = state0[c]
        for n in kernel.adjoints:
            env[lam(n).name] = lams[n]
        env["_gout"] = (gout[t] + grec).astype(dtype)
        _run(program, env, dtype)
        for n in kernel.adjoints:
            lams[n] = np.broadcast_to(env[lam_new(n).name], (B, N)).astype(dtype)
        gin[t] = env[GIN.name]
        for k, p in enumerate(kernel.trained):
            each = np.broadcast_to(env[gparam(p).name], (B, N))
            if p in kernel.per_neuron:       # summed over the samples, per neuron
                gpn[kernel.per_neuron.index(p)] += each.sum(axis=0, dtype=np.float64)
            else:
                gparams[k] += float(np.sum(each, dtype=np.float64))
        if gwrec is not None:
            grec = np.zeros((B, N), dtype)
            last = out[t - 1] if t > 0 else out_prev
            if last is not None:
                grec = (gin[t] @ wrec.T).astype(dtype)
                gwrec += last.T.astype(np.float64) @ gin[t].astype(np.float64)
    for c, n in enumerate(kernel.adjoints):
        if lam_io is not None:
            lam_io[c] = lams[n]
    if grec_io is not None:
        grec_io[...] = grec


__all__: Sequence[str] = ("forward", "backward")
