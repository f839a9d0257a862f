"""A training loop in NumPy: rate coding, mini-batches, a loss, an optimiser, a progress
bar, held-out accuracy after every epoch; and a fixed seed gives the same curve.

>>> import numpy as np
>>> from pyspike.train import Linear, Sequential, Adam
>>> rng = np.random.default_rng(0)
>>> x = rng.random((64, 4)); y = (x[:, 0] > 0.5).astype(int)
>>> net = Sequential(Linear(4, 16, seed=0), Linear(16, 2, seed=1))
>>> h = fit(net, x, y, epochs=2, steps=10, batch_size=16, optimizer=Adam(1e-2),
...         progress=False, seed=0)
>>> len(h.epochs), h.epochs[-1].keys() >= {"loss", "seconds"}
(2, True)
"""
from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple, Union

import numpy as np

from ..codegen.errors import ModelError
from . import losses
from .layers import Layer
from .optim import Adam, LRScheduler, Optimizer

LOSSES: Dict[str, Callable] = {
    "cross_entropy": losses.cross_entropy_count, "cross_entropy_count":
    losses.cross_entropy_count, "ce_rate": losses.ce_rate,
    "cross_entropy_membrane": losses.cross_entropy_membrane,
    "first_spike_time": losses.first_spike_time, "mse_count": losses.mse_count,
    "mse_membrane": losses.mse_membrane}


def rate_code(x: np.ndarray, steps: int, rng: np.random.Generator,
              dtype=np.float32) -> np.ndarray:
    """Bernoulli spikes (steps, samples, features) with probabilities ``x`` in [0, 1]."""
    flat = x.reshape(len(x), -1)
    return (rng.random((steps,) + flat.shape, dtype=np.float32) < flat).astype(dtype)


@dataclass
class History:
    """Per epoch: the mean training loss, the training seconds so far (coding, forward,
    backward and updates; evaluations not counted) and, with held-out data, the accuracy."""
    epochs: List[Dict[str, float]] = field(default_factory=list)

    @property
    def best(self) -> float:
        return max((e.get("accuracy", float("nan")) for e in self.epochs), default=float("nan"))


def _loss_fn(loss: Union[str, Callable]) -> Callable:
    if callable(loss):
        return loss
    if loss not in LOSSES:
        raise ModelError(f"there is no loss {loss!r}: choose one of {', '.join(LOSSES)}",
                         where="fit", symbol=str(loss))
    return LOSSES[loss]


def evaluate(net: Layer, x: np.ndarray, labels: np.ndarray, *, steps: int,
             batch_size: int = 256, seed: int = 1, on: str = "count",
             encode: Callable = rate_code, reduce: str = "max") -> float:
    """Accuracy on (x, labels): the class with the most output spikes (``on`` and
    ``reduce``, over time for a membrane readout: see losses.accuracy)."""
    rng = np.random.default_rng(seed)
    correct = 0.0
    for start in range(0, len(x), batch_size):
        xb, yb = x[start:start + batch_size], labels[start:start + batch_size]
        out = net.forward(encode(xb, steps, rng))
        correct += losses.accuracy(out, yb, on=on, reduce=reduce) * len(xb)
    return correct / len(x)


def fit(net: Layer, x: np.ndarray, labels: np.ndarray, *, epochs: Optional[int] = None,
        seconds: Optional[float] = None, steps: int = 25, batch_size: int = 128,
        loss: Union[str, Callable] = "cross_entropy", optimizer: Optional[Optimizer] = None,
        schedule: Optional[LRScheduler] = None, seed: int = 0,
        validation: Optional[Tuple[np.ndarray, np.ndarray]] = None,
        encode: Callable = rate_code, progress: bool = True, on: str = "count",
        reduce: str = "max") -> History:
    """Train ``net`` on (x, labels) for ``epochs`` epochs or ``seconds`` of training time
    (the epoch under way when the time runs out is finished).  ``reduce`` ("max", "mean",
    "last") is how a membrane readout's potential is taken over time, by the
    "cross_entropy_membrane" loss and the accuracy."""
    if epochs is None and seconds is None:
        raise ModelError("say how long to train: epochs= or seconds=", where="fit")
    loss_fn = _loss_fn(loss)
    if loss == "cross_entropy_membrane":
        loss_fn = functools.partial(loss_fn, reduce=reduce)
    optimizer = optimizer or Adam(1e-3)
    optimizer.attach(net.params)
    rng = np.random.default_rng(seed)
    history = History()
    spent = 0.0
    bar = _bar(progress, epochs)
    epoch = 0
    while (epochs is None or epoch < epochs) and (seconds is None or spent < seconds):
        start = time.perf_counter()
        order = rng.permutation(len(x))
        total, batches = 0.0, 0
        for first in range(0, len(x), batch_size):
            idx = order[first:first + batch_size]
            out = net.forward(encode(x[idx], steps, rng))
            value, grad = loss_fn(out, labels[idx])
            net.backward(grad)
            optimizer.step(net.grads)
            total += value
            batches += 1
        if schedule is not None:
            schedule.step()
        spent += time.perf_counter() - start
        record = {"epoch": epoch + 1, "loss": total / max(batches, 1), "seconds": spent}
        if validation is not None:
            record["accuracy"] = evaluate(net, *validation, steps=steps, on=on,
                                          encode=encode, reduce=reduce)
        history.epochs.append(record)
        if bar is not None:
            bar.update(1)
            bar.set_postfix({k: round(v, 4) for k, v in record.items() if k != "epoch"})
        epoch += 1
    if bar is not None:
        bar.close()
    return history


def _bar(progress: bool, epochs: Optional[int]):
    if not progress:
        return None
    from tqdm import tqdm
    return tqdm(total=epochs, unit="epoch")
