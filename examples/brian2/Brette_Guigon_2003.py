"""Brian2's ``examples/frompapers/Brette_Guigon_2003.py``: reliability of spike timing is a
general property of spiking neurons, not only of leaky ones (Brette & Guigon 2003, Neural
Computation 15, 279-308, Fig. 10D,E).

A non-physiological model, leaky or anti-leaky with the sign of its input I: 500 neurons
dv/dt = (v*I + 1)/tau + noise (tau 33 ms, sigma 0.02, threshold 1, reset 0, Euler-
Maruyama, started at random), all driven by one fluctuating input x (an Ornstein-Uhlenbeck
process, taux 20 ms, in a group of one neuron) read through a linked variable
(``x : 1 (linked)``), through the shared subexpression B = 2/(1 + exp(-2x)) - 1 and
scaled by p = i/N: I = 0.5 + 3*p*B.  Brian2's example plots B and the spikes against p;
this port prints the mean rate, the rates of the neurons with p below and above 0.5, the
standard deviation of B (computed from the recorded x: pyspike's StateMonitor records
variables, not subexpressions), and the reliability across p: the fraction of a neuron's
spikes (after the first 100 ms) that its neighbour in p (i and i + 1) matches within 1 ms,
averaged over the neurons of each half; neighbours see almost the same input, so their
spikes stay in register where the input drives them (large p).

    python examples/brian2/Brette_Guigon_2003.py [--quick]
"""
import sys
from typing import Dict, Optional

import numpy as np

import pyspike as ps
from pyspike.units import ms

EQS_INPUT = """
dx/dt = -x/taux + (2/taux)**.5*xi : 1
"""
EQS = """
dv/dt = (v*I + 1)/tau + sigma*(2/tau)**.5*xi : 1
I = 0.5 + 3*p*B : 1
B = 2./(1 + exp(-2*x)) - 1 : 1 (shared)
p : 1
x : 1 (linked)
"""


def neighbour_reliability(i: np.ndarray, t: np.ndarray, neurons, after: float,
                          window: float = 1.0) -> float:
    """The fraction of neuron k's spikes (after ``after`` ms) that neuron k + 1 matches
    within ``window`` ms, averaged over the neurons k of ``neurons`` where both spiked."""
    fractions = []
    for k in neurons:
        a = np.sort(t[(i == k) & (t >= after)])
        b = np.sort(t[(i == k + 1) & (t >= after)])
        if a.size and b.size:
            nearest = np.min(np.abs(a[:, None] - b[None, :]), axis=1)
            fractions.append(float(np.mean(nearest <= window)))
    return float(np.mean(fractions)) if fractions else float("nan")


def main(duration: Optional[float] = None, quick: bool = False, backend: str = "cpu",
         seed: int = 1) -> Dict[str, object]:
    n = 500
    duration = (300.0 if quick else 1000.0) if duration is None else float(duration)
    net = ps.Network(dt=0.1, seed=seed, backend=backend)
    with net:
        inp = ps.NeuronGroup(1, ps.NeuronModel(EQS_INPUT, method="euler",
                                               params={"taux": 20 * ms}))
        neurons = ps.NeuronGroup(n, ps.NeuronModel(
            EQS, threshold="v>1", reset="v=0", method="euler",
            params={"tau": 33 * ms, "sigma": 0.02}), init={"p": "1.0*i/N", "v": "rand()"})
        trace = ps.StateMonitor(inp, "x", record=0)
        spikes = ps.SpikeMonitor(neurons)
    neurons.x = ps.linked_var(inp, "x")
    net.run(duration)
    i, t = np.asarray(spikes.i), np.asarray(spikes.t)
    seconds = duration / 1000.0
    B = 2.0 / (1.0 + np.exp(-2.0 * trace.x[0])) - 1.0
    low, high = np.arange(0, n // 2 - 1), np.arange(n // 2, n - 1)
    results = {
        "n_neurons": n, "duration_ms": duration,
        "mean_rate_Hz": float(i.size / n / seconds),
        "rate_low_p_Hz": float(np.sum(i < n // 2) / (n // 2) / seconds),
        "rate_high_p_Hz": float(np.sum(i >= n // 2) / (n - n // 2) / seconds),
        "B_std": float(np.std(B)),
        "neighbour_reliability_low_p": neighbour_reliability(i, t, low, after=100.0),
        "neighbour_reliability_high_p": neighbour_reliability(i, t, high, after=100.0),
    }
    for key, value in results.items():
        print(f"{key}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
