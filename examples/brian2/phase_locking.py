"""Brian2's ``examples/phase_locking.py``: phase locking of integrate-and-fire neurons
to a periodic input.

100 leaky neurons (tau 20 ms, Euler) receive b + a*sin(2*pi*10 Hz*t) with b = 1.2
(threshold 1, reset 0) and a modulation a from 0.05 to 0.743 across the population, for
1 s from random initial potentials.  Weakly modulated neurons fire near their own rate,
1/(20 ms*ln 6) = 27.9 Hz, drifting against the input; strongly modulated ones lock to
it (at n spikes per cycle).  Prints the rates of the weakest and strongest modulated
neurons, the number of neurons locked over the last 500 ms (the same spikes, within 1 ms,
in each of its five cycles) and the smallest modulation that locks, and the vector
strength of spike phases against the 10 Hz input over the last 500 ms for the ten
weakest and ten strongest modulated neurons (1: perfectly locked).

    python examples/brian2/phase_locking.py [--quick]
"""
import sys
from typing import Dict, Optional

import numpy as np

import pyspike as ps
from pyspike.units import ms

# freq is 10 Hz, written per ms
EQS = """
dv/dt = (-v + a * sin(2 * pi * freq * t) + b) / tau : 1
a : 1
"""


def is_locked(t: np.ndarray, start: float, cycles: int, period: float = 100.0,
              tolerance: float = 1.0) -> bool:
    """Whether one neuron's spikes in ``cycles`` input periods from ``start`` repeat
    each cycle: the same number of spikes in every cycle, at phases that agree within
    ``tolerance`` ms (n:1 locking, for any n)."""
    cycle = ((t - start) // period).astype(int)
    counts = np.bincount(cycle, minlength=cycles)[:cycles]
    if counts[0] == 0 or np.any(counts != counts[0]):
        return False
    per_cycle = np.array([np.sort(t[cycle == c] - start - c * period) for c in range(cycles)])
    return bool(np.all(per_cycle.max(axis=0) - per_cycle.min(axis=0) < tolerance))


def vector_strength(t: np.ndarray, period: float) -> float:
    if t.size == 0:
        return float("nan")
    phase = 2 * np.pi * t / period
    return float(np.abs(np.mean(np.exp(1j * phase))))


def main(duration: Optional[float] = None, quick: bool = False, backend: str = "cpu",
         seed: int = 1) -> Dict[str, object]:
    n = 100
    duration = 1000.0 if duration is None else float(duration)
    model = ps.NeuronModel(equations=EQS, threshold="v > 1", reset="v = 0", method="euler",
                           params={"tau": 20 * ms, "b": 1.2, "freq": 0.01})
    net = ps.Network(dt=0.1, seed=seed, backend=backend)
    with net:
        neurons = ps.NeuronGroup(n, model, init={"v": "rand()", "a": "0.05 + 0.7*i/N"})
        S = ps.SpikeMonitor(neurons)
        trace = ps.StateMonitor(neurons, "v", record=[50])
    net.run(duration)
    i, t = np.asarray(S.i), np.asarray(S.t)
    late = t > duration - 500.0
    start = duration - 500.0
    locked = np.array([is_locked(t[late & (i == k)], start, 5) for k in range(n)])
    seconds = duration / 1000.0
    results = {
        "n_neurons": n, "duration_ms": duration,
        "rate_weakest_a_Hz": float(S.count[0] / seconds),
        "rate_strongest_a_Hz": float(S.count[-1] / seconds),
        "unmodulated_rate_Hz": float(1000.0 / (20.0 * np.log(6.0))),
        "n_locked": int(locked.sum()),
        "smallest_locked_a": float(neurons.a[locked].min()) if locked.any() else float("nan"),
        "vector_strength_weakest10": vector_strength(t[late & (i < 10)], 100.0),
        "vector_strength_strongest10": vector_strength(t[late & (i >= n - 10)], 100.0),
        "v50_max": float(np.max(trace.v)),
    }
    for key, value in results.items():
        print(f"{key}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
