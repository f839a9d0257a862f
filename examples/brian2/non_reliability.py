"""Brian2's ``examples/non_reliability.py``: spike timing is not reliable under a
constant input (Mainen & Sejnowski 1995).

25 noisy leaky neurons (tau 20 ms, sigma 0.015, refractory 5 ms, Euler-Maruyama) receive
the same constant drive 1.1 (threshold 1) for 500 ms: in the noiseless model they would
all fire at 1/(5 ms + 20 ms*ln 11) = 18.9 Hz in step; the noise makes their spikes drift
apart.  Prints the mean rate, the noiseless rate, the mean coefficient of variation of
the inter-spike intervals, and the spread (standard deviation across neurons) of the
first and of the fifth spike time, which grows with time as timing is lost.

    python examples/brian2/non_reliability.py [--quick]
"""
import sys
from typing import Dict, Optional

import numpy as np

import pyspike as ps
from pyspike.units import ms

EQS = "dx/dt = (1.1 - x) / tau + sigma * (2 / tau)**.5 * xi : 1 (unless refractory)"


def kth_spike_spread(i: np.ndarray, t: np.ndarray, n: int, k: int) -> float:
    """The standard deviation across neurons of each neuron's k-th spike time (ms)."""
    times = [np.sort(t[i == neuron]) for neuron in range(n)]
    kth = [ts[k - 1] for ts in times if ts.size >= k]
    return float(np.std(kth)) if len(kth) > 1 else float("nan")


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
    duration = 500.0 if duration is None else float(duration)
    model = ps.NeuronModel(equations=EQS, threshold="x > 1", reset="x = 0",
                           refractory=5 * ms, method="euler",
                           params={"tau": 20 * ms, "sigma": 0.015})
    net = ps.Network(dt=0.1, seed=seed, backend=backend)
    with net:
        neurons = ps.NeuronGroup(n, model)
        spikes = ps.SpikeMonitor(neurons)
    net.run(duration)
    i, t = np.asarray(spikes.i), np.asarray(spikes.t)
    results = {
        "n_neurons": n, "duration_ms": duration,
        "mean_rate_Hz": float(i.size / n / (duration / 1000.0)),
        "noiseless_rate_Hz": float(1000.0 / (5.0 + 20.0 * np.log(11.0))),
        "mean_isi_cv": mean_isi_cv(i, t, n),
        "first_spike_spread_ms": kth_spike_spread(i, t, n, 1),
        "fifth_spike_spread_ms": kth_spike_spread(i, t, n, 5),
    }
    for key, value in results.items():
        print(f"{key}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
