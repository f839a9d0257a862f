"""Brian2's ``examples/IF_curve_LIF.py``: the input-frequency curve of a leaky
integrate-and-fire neuron.

1000 unconnected LIF neurons (tau = 10 ms, threshold 10 mV, reset 0 mV, refractory
5 ms, exact integration) each receive a constant drive v0 from 0 to 20 mV and run for
1 s.  Prints the number of neurons that fire, the smallest v0 that fires (the rheobase is
10 mV), the rate at v0 = 20 mV against the analytic 1/(t_ref + tau*ln(v0/(v0 - 10 mV)))
= 83.5 Hz, whether the curve rises monotonically, and the largest difference from the
analytic rate.  The spike counts per neuron are returned for a side-by-side table.

    python examples/brian2/IF_curve_LIF.py [--quick]
"""
import sys
from typing import Dict, Optional

import numpy as np

import pyspike as ps
from pyspike.units import mV, ms

EQS = """
dv/dt = (v0 - v) / tau : volt (unless refractory)
v0 : volt
"""


def analytic_rate(v0: np.ndarray, tau: float = 10.0, theta: float = 10.0,
                  refractory: float = 5.0) -> np.ndarray:
    """Hz: the period of the continuous model, refractory time plus the climb from 0 to
    theta; no spikes where v0 does not exceed theta."""
    v0 = np.asarray(v0, dtype=float)
    above = v0 > theta
    period = refractory + tau * np.log(np.where(above, v0, 2 * theta)
                                       / np.where(above, v0 - theta, theta))
    return np.where(above, 1000.0 / period, 0.0)


def main(duration: Optional[float] = None, quick: bool = False, backend: str = "cpu",
         seed: int = 1) -> Dict[str, object]:
    n = 200 if quick else 1000
    duration = (300.0 if quick else 1000.0) if duration is None else float(duration)
    model = ps.NeuronModel(equations=EQS, threshold="v > 10", reset="v = 0",
                           refractory=5 * ms, method="exact", params={"tau": 10 * ms})
    net = ps.Network(dt=0.1, seed=seed, backend=backend)
    with net:
        group = ps.NeuronGroup(n, model, init={"v": 0 * mV, "v0": "20 * i / (N - 1)"})
        monitor = ps.SpikeMonitor(group)
    net.run(duration)
    v0 = np.array(group.v0)
    rate = monitor.count / (duration / 1000.0)
    firing = np.flatnonzero(monitor.count > 0)
    expected = analytic_rate(v0)
    results = {
        "n_neurons": n, "duration_ms": duration,
        "n_firing": int(firing.size),
        "rheobase_mV": float(v0[firing[0]]) if firing.size else float("nan"),
        "rate_at_20mV_Hz": float(rate[-1]),
        "analytic_rate_at_20mV_Hz": float(expected[-1]),
        "monotonic": bool(np.all(np.diff(monitor.count) >= 0)),
        "max_abs_diff_from_analytic_Hz": float(np.max(np.abs(rate - expected))),
        "total_spikes": int(monitor.count.sum()),
        "counts": np.array(monitor.count),
    }
    for key, value in results.items():
        if key != "counts":
            print(f"{key}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
