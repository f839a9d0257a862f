"""Brian2's ``examples/frompapers/Brette_2004.py``: phase locking of leaky
integrate-and-fire neurons driven by a sinusoidal current (Fig. 2A of Brette 2004,
Dynamics of one-dimensional spiking neuron models, J Math Biol 48:38-56).

Brian2's model and numbers: 2000 neurons, ``dv/dt = (-v + a + 2*sin(2*pi*t/tau))/tau``
with tau = 100 ms and a from 2 to 4 across the neurons, threshold 1, reset 0, Euler at
dt = 0.1 ms; 5 s to converge, then 5 s with a spike monitor.  Where the input crosses
the threshold (a < 3) a neuron almost always locks to the stimulus: its spikes fall on a
few phases that repeat every stimulus period or few.  Brian2's example plots the spike
phases against a; this port prints, per side of a = 3, the fraction of neurons whose
recorded spikes fall on at most 20 distinct phases (to 0.005 of a period), and the
range of the rotation number (spikes per stimulus period), which rises with a.

    python examples/brian2/Brette_2004.py [--quick]
"""
import sys
from typing import Dict, Optional

import numpy as np

import pyspike as ps
from pyspike.units import ms

EQS = """
dv/dt = (-v + a + 2*sin(2*pi*t/tau))/tau : 1
a : 1
"""


def locked(phases: np.ndarray, max_phases: int = 20, resolution: float = 0.005) -> bool:
    """True if the phases fall on at most ``max_phases`` points (circularly)."""
    if phases.size < 2:
        return False
    p = np.sort(phases)
    gaps = np.diff(np.concatenate([p, p[:1] + 1.0]))
    return int(np.count_nonzero(gaps > resolution)) <= max_phases


def main(duration: Optional[float] = None, quick: bool = False, backend: str = "cpu",
         seed: int = 1) -> Dict[str, object]:
    # each of the two runs (Brian2: 5 s to converge, 5 s recorded)
    half = (2000.0 if quick else 5000.0) if duration is None else float(duration) / 2
    n, tau = 2000, 100.0
    model = ps.NeuronModel(equations=EQS, threshold="v>1", reset="v=0", method="euler",
                           params={"tau": tau * ms})
    net = ps.Network(dt=0.1, seed=seed, backend=backend)
    with net:
        neurons = ps.NeuronGroup(n, model)
    neurons.a = np.linspace(2, 4, n)
    net.run(half)   # discard the first spikes (wait for convergence)
    with net:
        S = ps.SpikeMonitor(neurons)
    net.run(half)
    i, t = S.it
    a = np.asarray(neurons.a)
    phase = (t % tau) / tau
    by_neuron = [phase[i == k] for k in range(n)]
    is_locked = np.array([locked(p) for p in by_neuron])
    rotation = np.asarray(S.count) / (half / tau)
    below = a < 3
    results = {
        "n_neurons": n, "duration_ms": 2 * half,
        "locked_fraction_a_below_3": float(is_locked[below].mean()),
        "locked_fraction_a_above_3": float(is_locked[~below].mean()),
        "rotation_number_at_a_2": float(rotation[0]),
        "rotation_number_at_a_4": float(rotation[-1]),
        "rotation_monotonic": bool(np.all(np.diff(rotation) >= -1.0 / (half / tau))),
        "total_spikes": int(i.size),
        "a": a, "rotation_number": rotation, "locked": is_locked,
    }
    for key, value in results.items():
        if np.ndim(value) == 0:
            print(f"{key}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
