"""Brian2's ``examples/frompapers/Touboul_Brette_2008.py``: chaos in the adaptive
exponential integrate-and-fire model (Touboul & Brette 2008, Biol. Cybern. 99:319,
Fig. 8B).

200 AdEx neurons (C 281 pF, gL 30 nS, EL -70.6 mV, VT -50.4 mV, DeltaT 2 mV, tauw 40 ms,
a 4 nS, b 0.08 nA, I 0.8 nA, cut at VT + 5 DeltaT, Euler at dt = 0.01 ms) differ only in
their reset Vr, from -48.3 to -47.7 mV, the bifurcation parameter.  After 3 s of transient,
the values of w at each spike over 1 s show the bifurcation diagram: a periodic orbit
gives a few distinct values, chaos a continuum.  Prints, for the lowest and highest Vr,
the number of distinct values of w at spikes (to 1 pA), the number of neurons whose w
takes more than 10 distinct values (irregular bursting), and the rate range.  Brian2
reads w from a StateMonitor with when='start' at the spike's step; here w is recorded
by SpikeMonitor(variables="w") after the step's update (dt*dw/dt later, below 1 pA).

    python examples/brian2/Touboul_Brette_2008.py [--quick]
"""
import sys
from typing import Dict, Optional

import numpy as np

import pyspike as ps
from pyspike.units import mV, ms, nA, nS, pF

EQS = """
dvm/dt = (gL*(EL-vm) + gL*DeltaT*exp((vm-VT)/DeltaT) + I - w)/C : volt
dw/dt = (a*(vm-EL) - w)/tauw : amp
Vr : volt
"""


def main(duration: Optional[float] = None, quick: bool = False, backend: str = "cpu",
         seed: int = 1) -> Dict[str, object]:
    N = 40 if quick else 200
    init_time = 1000.0 if quick else 3000.0
    duration = (500.0 if quick else 1000.0) if duration is None else float(duration)
    VT, DeltaT = -50.4 * mV, 2 * mV
    params = {"C": 281 * pF, "gL": 30 * nS, "EL": -70.6 * mV, "VT": VT, "DeltaT": DeltaT,
              "tauw": 40 * ms, "a": 4 * nS, "b": 0.08 * nA, "I": 0.8 * nA,
              "Vcut": VT + 5 * DeltaT}
    model = ps.NeuronModel(equations=EQS, threshold="vm > Vcut", reset="vm = Vr\nw += b",
                           method="euler", params=params)
    net = ps.Network(dt=0.01, seed=seed, backend=backend)
    with net:
        neuron = ps.NeuronGroup(N, model, init={"vm": -70.6 * mV, "w": 0.0})
        neuron.Vr = np.linspace(-48.3, -47.7, N) * mV       # bifurcation parameter
    net.run(init_time)                                        # the transient is discarded
    with net:
        spikes = ps.SpikeMonitor(neuron, variables="w")
    net.run(duration)
    w = spikes.values("w")
    distinct = np.array([np.unique(np.round(np.asarray(w[k]))).size for k in range(N)])
    rate = spikes.count / (duration / 1000.0)
    results = {
        "n_neurons": N, "duration_ms": duration, "transient_ms": init_time,
        "distinct_w_at_lowest_Vr": int(distinct[0]),
        "distinct_w_at_highest_Vr": int(distinct[-1]),
        "n_irregular": int(np.count_nonzero(distinct > 10)),
        "rate_min_Hz": float(rate.min()), "rate_max_Hz": float(rate.max()),
        "w_range_nA": (float(min(np.min(x) for x in w.values()) / 1000.0),
                       float(max(np.max(x) for x in w.values()) / 1000.0)),
        "distinct_w": distinct,
    }
    for key, value in results.items():
        if key != "distinct_w":
            print(f"{key}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
