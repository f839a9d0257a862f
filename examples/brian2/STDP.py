"""Brian2's ``examples/synapses/STDP.py``: spike-timing dependent plasticity (Song,
Miller & Abbott 2000; Song & Abbott 2001).

1000 Poisson inputs at 15 Hz drive one conductance-based leaky neuron through synapses
with pair-based additive STDP on traces (taupre = taupost = 20 ms, dApost = -1.05 dApre,
weights clipped to [0, gmax], gmax = 0.01), from uniform random weights, for 100 s.
Competition makes the weight distribution bimodal: most weights end near 0 or near gmax.
Prints the output rate over the last 10% of the run, the mean final weight / gmax and the
fractions of weights below 0.1 gmax and above 0.9 gmax (Brian2's histogram shows the two
peaks at 0 and 1).

    python examples/brian2/STDP.py [--quick]
"""
import sys
from typing import Dict, Optional

import numpy as np

import pyspike as ps
from pyspike.units import mV, ms

EQS = """
dv/dt = (ge * (Ee-v) + El - v) / taum : volt
dge/dt = -ge / taue : 1
"""
SYNAPSE = """
w : 1
dApre/dt = -Apre / taupre : 1 (event-driven)
dApost/dt = -Apost / taupost : 1 (event-driven)
"""
ON_PRE = """
ge += w
Apre += dApre
w = clip(w + Apost, 0, gmax)
"""
ON_POST = """
Apost += dApost
w = clip(w + Apre, 0, gmax)
"""


def main(duration: Optional[float] = None, quick: bool = False, backend: str = "cpu",
         seed: int = 1) -> Dict[str, object]:
    duration = (10000.0 if quick else 100000.0) if duration is None else float(duration)
    n, gmax = 1000, 0.01
    taupre = taupost = 20 * ms
    dApre = 0.01
    dApost = -dApre * taupre / taupost * 1.05
    neuron = ps.NeuronModel(equations=EQS, threshold="v > vt", reset="v = vr",
                            method="euler",
                            params={"taum": 10 * ms, "Ee": 0 * mV, "vt": -54 * mV,
                                    "vr": -60 * mV, "El": -74 * mV, "taue": 5 * ms})
    net = ps.Network(dt=0.1, seed=seed, backend=backend)
    with net:
        poisson_input = ps.PoissonGroup(n, rates=15.0)          # F = 15 Hz
        neurons = ps.NeuronGroup(1, neuron)
        S = ps.Synapses(poisson_input, neurons, model=SYNAPSE, on_pre=ON_PRE,
                        on_post=ON_POST,
                        params={"taupre": taupre, "taupost": taupost, "gmax": gmax,
                                "dApre": dApre * gmax, "dApost": dApost * gmax})
        S.connect()
        S.w = "rand() * gmax"
        out = ps.SpikeMonitor(neurons)
    initial = np.array(S.w) / gmax
    net.run(duration)
    w = np.array(S.w) / gmax
    late = np.asarray(out.t) > 0.9 * duration
    results = {
        "duration_ms": duration,
        "initial_mean_w_over_gmax": float(initial.mean()),
        "mean_w_over_gmax": float(w.mean()),
        "fraction_below_0.1": float(np.mean(w < 0.1)),
        "fraction_above_0.9": float(np.mean(w > 0.9)),
        "late_output_rate_Hz": float(np.count_nonzero(late) / (0.1 * duration / 1000.0)),
        "w_min_over_gmax": float(w.min()), "w_max_over_gmax": float(w.max()),
        "weights": w,
    }
    for key, value in results.items():
        if key != "weights":
            print(f"{key}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
