"""Brian2's ``examples/advanced/Ornstein_Uhlenbeck.py``: two realisations of the
Ornstein-Uhlenbeck process (Longtin 2010, Scholarpedia 5:1619, Fig. 2).

Brian2's model text and numbers: dy/dt = -y/tau + sqrt(2 sigma**2/tau) xi for tau = 1 s,
sigma = 0.1 and tau = 0.1 s, sigma = 0.31622 (the same noise intensity sigma**2 tau =
0.01), both from y = 1, Euler-Maruyama at Brian2's default dt = 0.1 ms for 10 s.  Brian2's
example plots the two traces; this port prints what they show: the mean decays from 1
with time constant tau (y at 0.5 s for tau = 1 s: e**-0.5 = 0.61 on average, give or
take sigma sqrt(1 - e**-1) = 0.08), and the stationary process has standard deviation
sigma and autocorrelation e**-1 at lag tau; printed are the standard deviation of each
trace after five time constants (the tau = 1 s one over 5 s only, so within about 30%),
the mean of the fast one and its autocorrelation at lag tau.

    python examples/brian2/Ornstein_Uhlenbeck.py [--quick]
"""
import sys
from typing import Dict, Optional

import numpy as np

import pyspike as ps
from pyspike.units import second

EQS = """
tau : second
sigma : 1
dy/dt = -y/tau + sqrt(2*sigma**2/tau)*xi : 1
"""


def autocorrelation(x: np.ndarray, lag: int) -> float:
    x = x - x.mean()
    return float(np.dot(x[:-lag], x[lag:]) / np.dot(x, x))


def main(duration: Optional[float] = None, quick: bool = False, backend: str = "cpu",
         seed: int = 1) -> Dict[str, object]:
    duration = 10000.0 if duration is None else float(duration)  # 2 x 100000 steps
    dt = 0.1
    net = ps.Network(dt=dt, seed=seed, backend=backend)
    with net:
        N = ps.NeuronGroup(2, ps.NeuronModel(equations=EQS, method="euler"),
                           init={"tau": np.array([1, 0.1]) * second,
                                 "sigma": np.array([0.1, 0.31622]), "y": 1})
        M = ps.StateMonitor(N, "y", record=True)
    net.run(duration)
    y = np.asarray(M.y)
    slow, fast = y[0, int(5000 / dt):], y[1, int(500 / dt):]
    results = {
        "duration_ms": duration,
        "y_at_0.5s_tau_1s": float(y[0, int(round(500 / dt))]),
        "std_tau_1s": float(slow.std()),
        "std_tau_0.1s": float(fast.std()),
        "mean_tau_0.1s": float(fast.mean()),
        "autocorrelation_at_tau_0.1s": autocorrelation(fast, int(round(100 / dt))),
    }
    for key, value in results.items():
        print(f"{key}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
