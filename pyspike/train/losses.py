"""Losses for training a spiking network in NumPy, each returning ``(value, grad)``.

``output`` is what the readout layer produced over the run, shape ``(T, B, C)`` (steps,
samples, classes): spikes (0.0/1.0) or membrane potentials, float32 or float64.
``value`` is a Python float; ``grad`` is dLoss/dOutput with output's shape and dtype, to
be handed to the backward pass.  Every loss averages over the batch as torch's default
``reduction='mean'`` does, and sums in float64 whatever the output's dtype; softmaxes
subtract the row's maximum first.  Which published convention each loss follows
(snnTorch's ``snntorch.functional``, SpikingJelly's examples, SPAIC's loss on
``output.predict``) is said in its docstring; where ours differs, the difference is named.
"""
from __future__ import annotations

from typing import Sequence, Tuple

import numpy as np

from ..codegen.errors import ModelError

__all__ = ["cross_entropy_count", "ce_rate", "cross_entropy_membrane", "first_spike_time",
           "mse_count", "mse_membrane", "accuracy"]

Loss = Tuple[float, np.ndarray]


def check_output(output, where: str, floating: bool = True) -> np.ndarray:
    out = np.asarray(output)
    if out.ndim != 3 or 0 in out.shape:
        raise ModelError(f"output must be an array of shape (steps, batch, classes) with "
                         f"none of them 0; got shape {out.shape}", where=where, symbol="output")
    if floating and not np.issubdtype(out.dtype, np.floating):
        raise ModelError(f"output must hold floating-point numbers (float32 or float64) to "
                         f"receive a gradient; got dtype {out.dtype}", where=where,
                         symbol="output")
    return out


def check_labels(labels, out: np.ndarray, where: str, symbol: str = "labels") -> np.ndarray:
    lab = np.asarray(labels)
    _, b, c = out.shape
    if lab.shape != (b,):
        raise ModelError(f"{symbol} must hold one class index per sample, shape ({b},) for "
                         f"an output of shape {out.shape}; got shape {lab.shape}",
                         where=where, symbol=symbol)
    if not np.issubdtype(lab.dtype, np.integer):
        raise ModelError(f"{symbol} must be integer class indices; got dtype {lab.dtype}",
                         where=where, symbol=symbol)
    wrong = (lab < 0) | (lab >= c)
    if wrong.any():
        raise ModelError(f"{symbol} must lie in [0, {c - 1}] (the output has {c} classes); "
                         f"got {lab[wrong][0]}", where=where, symbol=symbol)
    return lab.astype(np.intp, copy=False)


def _choice(value: str, options: Sequence[str], where: str, symbol: str) -> str:
    if value not in options:
        raise ModelError(f"{symbol} must be one of {', '.join(map(repr, options))}; got "
                         f"{value!r}", where=where, symbol=symbol)
    return value


def softmax_cross_entropy(z: np.ndarray, labels: np.ndarray) -> Tuple[float, np.ndarray]:
    """Mean softmax cross-entropy of float64 logits ``z`` (N, C) and its gradient."""
    shifted = z - z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    s = e.sum(axis=1, keepdims=True)
    rows = np.arange(z.shape[0])
    value = float(np.mean(np.log(s[:, 0]) - shifted[rows, labels]))
    grad = e / s
    grad[rows, labels] -= 1.0
    grad /= z.shape[0]
    return value, grad


def _over_time(grad_bc: np.ndarray, out: np.ndarray) -> np.ndarray:
    """The same (B, C) gradient at every step, in output's dtype."""
    grad = np.empty(out.shape, dtype=out.dtype)
    grad[...] = grad_bc
    return grad


def _one_hot(labels: np.ndarray, c: int, on: float, off: float) -> np.ndarray:
    y = np.full((labels.shape[0], c), float(off))
    y[np.arange(labels.shape[0]), labels] = on
    return y


def _is_labels(target) -> bool:
    t = np.asarray(target)
    return t.ndim == 1 and np.issubdtype(t.dtype, np.integer)


def cross_entropy_count(output, labels, *, normalize: bool = False) -> Loss:
    """Softmax cross-entropy on the spike counts summed over the T steps.

    Matches snnTorch's ``ce_count_loss`` and SPAIC's examples, whose loss is
    ``F.cross_entropy(output.predict, label)`` on the 'spike_counts' decoder (the count
    over the run).  ``normalize=True`` adds the step SPAIC's STCA example takes first:
    ``(count - mean) / (std + 0.1)`` over the whole batch, mean and (unbiased) std held
    constant in the gradient.  The gradient is the same at every step.

    >>> out = np.zeros((4, 2, 3)); out[:, 0, 1] = 1.0; out[:2, 1, 2] = 1.0
    >>> value, grad = cross_entropy_count(out, np.array([1, 2]))
    >>> round(value, 4), grad.shape
    (0.1378, (4, 2, 3))
    """
    where = "cross_entropy_count"
    out = check_output(output, where)
    lab = check_labels(labels, out, where)
    counts = out.sum(axis=0, dtype=np.float64)
    scale = 1.0
    if normalize:
        scale = counts.std(ddof=1) + 0.1
        counts = (counts - counts.mean()) / scale
    value, grad = softmax_cross_entropy(counts, lab)
    return value, _over_time(grad / scale, out)


def ce_rate(output, labels, *, over_time: str = "mean") -> Loss:
    """Softmax cross-entropy at every step, on that step's output, combined over steps.

    snnTorch's ``ce_rate_loss``: the batch-mean cross-entropy of each step, averaged over
    the T steps (snnTorch since 2023 divides its sum by ``num_steps``); ``over_time="sum"``
    leaves the sum over steps undivided.

    >>> out = np.zeros((2, 1, 2)); out[:, 0, 0] = 1.0
    >>> value, grad = ce_rate(out, np.array([0]))
    >>> round(value, 4), round(float(grad[0, 0, 0]), 4)
    (0.3133, -0.1345)
    """
    where = "ce_rate"
    _choice(over_time, ("mean", "sum"), where, "over_time")
    out = check_output(output, where)
    lab = check_labels(labels, out, where)
    t, b, c = out.shape
    value, grad = softmax_cross_entropy(out.reshape(t * b, c).astype(np.float64), np.tile(lab, t))
    if over_time == "sum":
        value, grad = value * t, grad * t
    return value, grad.reshape(out.shape).astype(out.dtype, copy=False)


def _reduce_membrane(out: np.ndarray, reduce: str) -> Tuple[np.ndarray, np.ndarray]:
    """Logits (B, C) in float64 and the step each came from (-1 for 'mean')."""
    if reduce == "max":
        step = out.argmax(axis=0)                 # the first step of a tie
        return np.take_along_axis(out, step[None], axis=0)[0].astype(np.float64), step
    if reduce == "last":
        return out[-1].astype(np.float64), np.full(out.shape[1:], out.shape[0] - 1)
    return out.mean(axis=0, dtype=np.float64), np.full(out.shape[1:], -1)


def cross_entropy_membrane(output, labels, reduce: str = "max") -> Loss:
    """Softmax cross-entropy on a non-spiking readout's membrane potential, reduced over
    time: ``"max"`` (snnTorch's ``ce_max_membrane_loss``, after SpyTorch: the gradient
    goes to the step of the maximum only, the first one of a tie), ``"mean"`` (over the
    steps) or ``"last"`` (the final step).

    >>> v = np.array([[[0.1, 0.5]], [[0.3, 0.2]]])          # T=2, B=1, C=2
    >>> value, grad = cross_entropy_membrane(v, np.array([1]))
    >>> round(value, 4), grad[:, 0, 1].round(4).tolist()        # max: v[0] for class 1
    (0.5981, [-0.4502, 0.0])
    """
    where = "cross_entropy_membrane"
    _choice(reduce, ("max", "mean", "last"), where, "reduce")
    out = check_output(output, where)
    lab = check_labels(labels, out, where)
    z, step = _reduce_membrane(out, reduce)
    value, gz = softmax_cross_entropy(z, lab)
    if reduce == "mean":
        return value, _over_time(gz / out.shape[0], out)
    grad = np.zeros(out.shape, dtype=out.dtype)
    np.put_along_axis(grad, step[None], gz[None], axis=0)
    return value, grad


def _first_spikes(out: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """First spike step of each (B, C) neuron (T when it never spikes), and whether it
    spiked.  Any nonzero output counts as a spike, as in snnTorch."""
    spiked = out != 0
    fired = spiked.any(axis=0)
    return np.where(fired, spiked.argmax(axis=0), out.shape[0]), fired


def first_spike_time(output, labels, *, tau: float = 1.0, inverse: str = "negate") -> Loss:
    """Softmax cross-entropy on the first spike times: the earliest neuron should be the
    label's.

    t is the step of a neuron's first spike (0 for the first step), T for a neuron that
    never spikes; s = t / tau.  The logits are ``-s`` (``inverse="negate"``) or
    ``1 / (s + 1)`` (``"reciprocal"``).  With tau = 1 this is snnTorch's
    ``ce_temporal_loss``, except that snnTorch gives a silent neuron the time T - 1 (the
    same as a spike at the last step); tau plays the part of Göltz et al. 2021's
    ``xi * tau_s`` (softmax of ``-t / (xi tau_s)``), in steps.

    The spike time is a step function of the spikes; its gradient is snnTorch's sign
    estimator: dt/dS = -1 at the step of the first spike (a spike one step earlier moves
    t one step earlier), 0 at every other step; a silent neuron's gradient goes to the
    last step, where a spike would give it time T - 1.  The surrogate derivative of the
    spike then carries it to the membrane potential.

    >>> spikes = np.zeros((5, 1, 2)); spikes[1, 0, 0] = spikes[3, 0, 1] = 1.0
    >>> value, grad = first_spike_time(spikes, np.array([0]))
    >>> round(value, 4), np.nonzero(grad[:, 0, 0])[0].tolist()
    (0.1269, [1])
    """
    where = "first_spike_time"
    _choice(inverse, ("negate", "reciprocal"), where, "inverse")
    if not tau > 0:
        raise ModelError(f"tau must be a positive number of steps; got {tau!r}", where=where,
                         symbol="tau")
    out = check_output(output, where)
    lab = check_labels(labels, out, where)
    times, fired = _first_spikes(out)
    s = times / float(tau)
    if inverse == "negate":
        z, dz_dt = -s, np.full(s.shape, -1.0 / tau)
    else:
        z, dz_dt = 1.0 / (s + 1.0), -1.0 / (tau * (s + 1.0) ** 2)
    value, gz = softmax_cross_entropy(z, lab)
    grad = np.zeros(out.shape, dtype=out.dtype)
    step = np.where(fired, times, out.shape[0] - 1)
    np.put_along_axis(grad, step[None], -(gz * dz_dt)[None], axis=0)
    return value, grad


def _target(target, out: np.ndarray, where: str, shapes) -> np.ndarray:
    y = np.asarray(target)
    if y.shape not in shapes or not np.issubdtype(y.dtype, np.number):
        wanted = " or ".join(str(s) for s in shapes)
        raise ModelError(f"target must be class labels of shape ({out.shape[1]},) or numbers "
                         f"of shape {wanted}; got shape {y.shape}, dtype {y.dtype}",
                         where=where, symbol="target")
    return y.astype(np.float64)


def mse_count(output, target, *, rate: bool = False, correct_rate: float = 1.0,
              incorrect_rate: float = 0.0) -> Loss:
    """Mean squared error of the spike counts (``rate=True``: the firing rates, counts
    divided by T) against a target of shape (B, C), averaged over its B*C entries.

    Given integer labels of shape (B,) in place of the target:

    - ``rate=False``: snnTorch's ``mse_count_loss(correct_rate, incorrect_rate)``: the
      label's neuron should fire ``int(T * correct_rate)`` spikes, the others
      ``int(T * incorrect_rate)``, and the mean squared error is divided by T;
    - ``rate=True``: SpikingJelly's examples (``F.mse_loss(out_fr, label_onehot)``): the
      rates against ``correct_rate`` for the label, ``incorrect_rate`` elsewhere.

    >>> out = np.zeros((4, 1, 2)); out[:3, 0, 0] = 1.0
    >>> value, grad = mse_count(out, np.array([0]))
    >>> value, grad[0, 0].tolist()
    (0.125, [-0.25, 0.0])
    """
    where = "mse_count"
    out = check_output(output, where)
    t, b, c = out.shape
    x = out.sum(axis=0, dtype=np.float64)
    dx, extra = (1.0 / t if rate else 1.0), 1.0
    if rate:
        x /= t
    if _is_labels(target):
        lab = check_labels(target, out, where, "target")
        if rate:
            y = _one_hot(lab, c, correct_rate, incorrect_rate)
        else:
            y = _one_hot(lab, c, int(t * correct_rate), int(t * incorrect_rate))
            extra = 1.0 / t
    else:
        y = _target(target, out, where, [(b, c)])
    diff = x - y
    value = float(np.mean(diff * diff)) * extra
    return value, _over_time(diff * (2.0 * dx * extra / diff.size), out)


def mse_membrane(output, target, *, on_target: float = 1.0, off_target: float = 0.0) -> Loss:
    """Mean squared error of the membrane potential against a target of shape (B, C) (the
    same at every step) or (T, B, C), averaged over all T*B*C entries: snnTorch's
    ``mse_membrane_loss``.  Integer labels of shape (B,) give the target ``on_target``
    for the label's neuron and ``off_target`` for the others (snnTorch's defaults).

    >>> v = np.full((2, 1, 2), 0.5)
    >>> value, grad = mse_membrane(v, np.array([1]))
    >>> value, grad[0, 0].tolist()
    (0.25, [0.25, -0.25])
    """
    where = "mse_membrane"
    out = check_output(output, where)
    t, b, c = out.shape
    if _is_labels(target):
        y = _one_hot(check_labels(target, out, where, "target"), c, on_target, off_target)
    else:
        y = _target(target, out, where, [(b, c), (t, b, c)])
    diff = out.astype(np.float64) - y
    value = float(np.mean(diff * diff))
    return value, (diff * (2.0 / diff.size)).astype(out.dtype, copy=False)


def accuracy(output, labels, on: str = "count", reduce: str = "max") -> float:
    """The fraction of samples whose predicted class is the label's.  The prediction is
    the class with the most spikes (``on="count"``, snnTorch's ``accuracy_rate``), with
    the highest membrane potential reduced over time by ``reduce`` as in
    :func:`cross_entropy_membrane` (``on="membrane"``), or with the earliest first spike
    (``on="first_spike"``, snnTorch's ``accuracy_temporal``); a tie goes to the lowest
    class index.

    >>> out = np.zeros((3, 2, 2)); out[:, 0, 1] = 1.0; out[0, 1, 1] = 1.0
    >>> accuracy(out, np.array([1, 0]))
    0.5
    """
    where = "accuracy"
    _choice(on, ("count", "membrane", "first_spike"), where, "on")
    _choice(reduce, ("max", "mean", "last"), where, "reduce")
    out = check_output(output, where, floating=False)
    lab = check_labels(labels, out, where)
    if on == "count":
        pred = out.sum(axis=0, dtype=np.float64).argmax(axis=1)
    elif on == "membrane":
        pred = _reduce_membrane(out, reduce)[0].argmax(axis=1)
    else:
        pred = _first_spikes(out)[0].argmin(axis=1)
    return float(np.mean(pred == lab))
