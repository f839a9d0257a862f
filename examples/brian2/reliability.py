"""Brian2's ``examples/reliability.py``: spike timing is reliable under a fluctuating input
(Mainen & Sejnowski 1995).

One neuron holds a noisy input x (an Ornstein-Uhlenbeck process: tau_input 5 ms, unit
variance); 25 noisy leaky neurons (tau 10 ms, sigma 0.015, refractory 5 ms, Euler-Maruyama,
started at random) read it through a linked variable, ``I : 1 (linked)`` with
``neurons.I = linked_var(neuron_input, "x")``, and fire when x > 1.  The shared
fluctuations drive the neurons' spikes into register, unlike the constant drive of
non_reliability.py.  Prints the mean rate, the mean coefficient of variation of the
inter-spike intervals, the standard deviation of the input (about 1), and the reliability:
the fraction of a neuron's spikes (after the first 100 ms) that another neuron matches
within 1 ms, averaged over ordered pairs of neurons.

The neurons read the input as their kernel runs in a step; the input group, made first,
has been updated then (Brian2 orders the updates by the groups' names, so its own script
reads the input from before the input's update: one step of difference, which the
statistics do not see).

    python examples/brian2/reliability.py [--quick]
"""
import sys
from typing import Dict, Optional

import numpy as np

import pyspike as ps
from pyspike.units import ms

INPUT = "dx/dt = -x / tau_input + (2 /tau_input)**.5 * xi : 1"
EQS_NEURONS = """
dx/dt = (0.9 + .5 * I - x) / tau + sigma * (2 / tau)**.5 * xi : 1
I : 1 (linked)
"""


def reliability(i: np.ndarray, t: np.ndarray, n: int, after: float,
                window: float = 1.0) -> float:
    """The fraction of one neuron's spikes (after ``after`` ms) with a spike of another
    within ``window`` ms, averaged over ordered pairs of neurons that spiked."""
    trains = [np.sort(t[(i == k) & (t >= after)]) for k in range(n)]
    fractions = []
    for a, ta in enumerate(trains):
        for b, tb in enumerate(trains):
            if a == b or ta.size == 0 or tb.size == 0:
                continue
            pos = np.clip(np.searchsorted(tb, ta), 1, tb.size - 1) if tb.size > 1 else \
                np.zeros(ta.size, dtype=int)
            nearest = np.minimum(np.abs(tb[pos] - ta), np.abs(tb[pos - 1] - ta)) \
                if tb.size > 1 else np.abs(tb[0] - ta)
            fractions.append(float(np.mean(nearest <= window)))
    return float(np.mean(fractions)) if fractions else float("nan")


def mean_isi_cv(i: np.ndarray, t: np.ndarray, n: int) -> float:
    cvs = []
    for neuron in range(n):
        isi = np.diff(np.sort(t[i == neuron]))
        if isi.size >= 2:
            cvs.append(isi.std() / isi.mean())
    return float(np.mean(cvs)) if cvs else float("nan")


def main(duration: Optional[float] = None, quick: bool = False, backend: str = "cpu",
         seed: int = 1) -> Dict[str, object]:
    n = 25
    duration = (200.0 if quick else 500.0) if duration is None else float(duration)
    net = ps.Network(dt=0.1, seed=seed, backend=backend)
    with net:
        neuron_input = ps.NeuronGroup(1, ps.NeuronModel(
            INPUT, method="euler", params={"tau_input": 5 * ms}))
        neurons = ps.NeuronGroup(n, ps.NeuronModel(
            EQS_NEURONS, threshold="x > 1", reset="x = 0", refractory=5 * ms,
            method="euler", params={"tau": 10 * ms, "sigma": .015}), init={"x": "rand()"})
        spikes = ps.SpikeMonitor(neurons)
        trace = ps.StateMonitor(neuron_input, "x", record=0)
    neurons.I = ps.linked_var(neuron_input, "x")   # input.x is continuously fed into I
    net.run(duration)
    i, t = np.asarray(spikes.i), np.asarray(spikes.t)
    results = {
        "n_neurons": n, "duration_ms": duration,
        "mean_rate_Hz": float(i.size / n / (duration / 1000.0)),
        "mean_isi_cv": mean_isi_cv(i, t, n),
        "input_std": float(np.std(trace.x[0])),
        "reliability": reliability(i, t, n, after=100.0),
    }
    for key, value in results.items():
        print(f"{key}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
