"""EventProp (exact gradients in continuous time) on the Yin-Yang task, in NumPy.

The Yin-Yang data set (Kriener et al. 2021) is generated here, offline: points (x, y) in
the unit disc's bounding square, three classes (yin, yang, the two dots), balanced; each
point is coded as four input spikes at (1 - v) * 20 ms for v in (x, y, 1 - x, 1 - y), plus
a bias spike at 0 ms.  A 5-H-3 network of the paper's LIF neurons with exponential current
synapses (tau_m = 20 ms, tau_syn = 5 ms, threshold 1, reset to 0; mlGeNN's initial
weights: hidden N(1.5, 0.78), output N(0.93, 0.1)) runs for 30 ms; the class is the output
neuron that fires first, trained with the first-spike-time cross-entropy
(pyspike.train.eventprop.latency_cross_entropy) and Adam, on one thread.

    python examples/train/eventprop_latency.py            # 3000 points, 120 hidden, 25 epochs
    python examples/train/eventprop_latency.py --quick    # 600 points, 40 hidden, 15 epochs

Measured on the 2-core development VM, seed 0, batches of 32, held-out points of another
seed (chance: 33 %):

- ``--quick`` (Adam 1e-2): 38.7 % before training, 86.7 % after 15 epochs, 10 s of
  training;
- the default (Adam 2e-3): 38.3 % before, 90.2 % after 10 epochs, 92.8 % after 25 (best
  93.0 %), 280 s of training on a busy machine (about 6 s per epoch once the hidden layer
  fires less; the first epochs are slower).  The paper reaches about 98 % with more
  neurons and epochs; with Adam 5e-3 this run reached 92.9 % by epoch 12 and then fell to
  44 % as output neurons fell silent (a silent neuron has no spike time to move, so it
  gets no gradient: EventProp's dead-neuron problem).
"""
from __future__ import annotations

import argparse
import json
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

import pyspike.train as pt  # noqa: E402
from pyspike.train.eventprop import (EventPropLayer, EventPropNetwork,  # noqa: E402
                                     latency_code, latency_cross_entropy)

R_BIG, R_SMALL = 0.5, 0.1


def yin_yang_class(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """0 yin, 1 yang, 2 a dot, for points in the disc of radius 0.5 around (0.5, 0.5)."""
    d_right = np.hypot(x - 1.5 * R_BIG, y - R_BIG)
    d_left = np.hypot(x - 0.5 * R_BIG, y - R_BIG)
    yang = ((d_right <= R_SMALL) | ((d_left > R_SMALL) & (d_left <= 0.5 * R_BIG))
            | ((y > R_BIG) & (d_right > 0.5 * R_BIG)))
    dots = (d_right < R_SMALL) | (d_left < R_SMALL)
    return np.where(dots, 2, yang.astype(int))


def yin_yang(n: int, seed: int) -> tuple:
    """``n`` points (x, y, 1 - x, 1 - y) and their classes, as many of each class (the
    dots are oversampled by rejection, as in the original generator)."""
    rng = np.random.default_rng(seed)
    points, labels = [], []
    per_class = n // 3
    counts = np.zeros(3, int)
    while counts.min() < per_class:
        xy = rng.random((4 * n, 2))
        inside = np.hypot(xy[:, 0] - R_BIG, xy[:, 1] - R_BIG) <= R_BIG
        xy = xy[inside]
        cls = yin_yang_class(xy[:, 0], xy[:, 1])
        for c in range(3):
            take = xy[cls == c][:per_class - counts[c]]
            points.append(take)
            labels.append(np.full(len(take), c))
            counts[c] += len(take)
    xy, lab = np.concatenate(points), np.concatenate(labels)
    order = rng.permutation(len(lab))
    xy, lab = xy[order], lab[order]
    return np.concatenate([xy, 1.0 - xy], axis=1), lab


def main(n_train: int = 3000, n_test: int = 1000, hidden: int = 120, epochs: int = 25,
         seed: int = 0, lr: float = 2e-3, progress: bool = False) -> dict:
    xtr, ytr = yin_yang(n_train, seed)
    xte, yte = yin_yang(n_test, seed + 1000)
    net = EventPropNetwork(
        EventPropLayer(5, hidden, "lif", mean=1.5, std=0.78, seed=seed),
        EventPropLayer(hidden, 3, "lif", mean=0.93, std=0.1, seed=seed + 1),
        duration=30.0, dt=1.0)
    code = latency_code(t_max=20.0, bias=0.0)
    before = pt.evaluate(net, xte, yte, steps=0, on="membrane", encode=code)
    history = pt.fit(net, xtr, ytr, epochs=epochs, batch_size=32,
                     loss=latency_cross_entropy, optimizer=pt.Adam(lr), encode=code,
                     validation=(xte, yte), on="membrane", progress=progress, seed=seed)
    last = history.epochs[-1]
    return {"train": n_train, "test": n_test, "hidden": hidden, "epochs": len(history.epochs),
            "accuracy_before": round(before, 4), "final_accuracy": round(last["accuracy"], 4),
            "best_accuracy": round(history.best, 4), "seconds": round(last["seconds"], 1),
            "curve": [(e["epoch"], round(e["seconds"], 1), round(e["loss"], 4),
                       round(e["accuracy"], 4)) for e in history.epochs]}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="600 training points, 40 hidden neurons, 15 epochs")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.quick:
        result = main(n_train=600, n_test=300, hidden=40, epochs=args.epochs or 15,
                      seed=args.seed, lr=1e-2)
    else:
        result = main(epochs=args.epochs or 25, seed=args.seed, progress=True)
    print(json.dumps(result, indent=1))
