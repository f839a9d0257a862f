"""Brian2's ``examples/frompapers/Vogels_et_al_2011.py``: inhibitory plasticity balances
excitation and inhibition in a recurrent network (Vogels, Sprekeler, Zenke, Clopath &
Gerstner 2011; F. Zenke's Brian version).

Brian2's model and numbers: 8000 excitatory and 2000 inhibitory conductance-based LIF
neurons (gl 10 nS, el -60 mV, er -80 mV, vt -50 mV, C 200 pF, 200 pA background,
refractory 5 ms, Euler), p = 0.02, AMPA 0.3 nS (tau 5 ms), GABA 3 nS (tau 10 ms); the
inhibitory-to-excitatory synapses learn with the symmetric rule of the paper (traces of
20 ms, w clipped to [0, 100], alpha = 2 * 3 Hz * 20 ms: a target rate of 3 Hz), from
w = 1e-10, with eta = 0 for the first second and 1e-2 for the remaining 9 s.  Brian2's
example shows rasters before and after; this port prints the excitatory rate in the last
100 ms before plasticity and at the end and the mean inhibitory weight.  pyspike: 160 Hz
before, 8.7 Hz over the last second of the 10 s (5.4 Hz after 40 s): the rate falls
slowly toward the 3 Hz target as the inhibitory weights grow.

    python examples/brian2/Vogels_et_al_2011.py [--quick]
"""
import sys
from typing import Dict, Optional

import numpy as np

import pyspike as ps
from pyspike.units import Hz, mV, ms, nS, pA, pF

EQS_NEURONS = """
dv/dt=(-gl*(v-el)-(g_ampa*v+g_gaba*(v-er))+bgcurrent)/memc : volt (unless refractory)
dg_ampa/dt = -g_ampa/tau_ampa : siemens
dg_gaba/dt = -g_gaba/tau_gaba : siemens
"""
EQS_STDP_INHIB = """
w : 1
dApre/dt=-Apre/tau_stdp : 1 (event-driven)
dApost/dt=-Apost/tau_stdp : 1 (event-driven)
"""


def rate_Hz(i: np.ndarray, t: np.ndarray, n: int, start: float, stop: float) -> float:
    return float(np.count_nonzero((t > start) & (t <= stop)) / n / ((stop - start) / 1000))


def main(duration: Optional[float] = None, quick: bool = False, backend: str = "cpu",
         seed: int = 1) -> Dict[str, object]:
    simtime = (3000.0 if quick else 10000.0) if duration is None else float(duration)
    NE, NI, epsilon = 8000, 2000, 0.02
    tau_stdp = 20 * ms
    params = {"gl": 10.0 * nS, "el": -60 * mV, "er": -80 * mV, "vt": -50. * mV,
              "memc": 200.0 * pF, "bgcurrent": 200 * pA,
              "tau_ampa": 5.0 * ms, "tau_gaba": 10.0 * ms}
    model = ps.NeuronModel(equations=EQS_NEURONS, threshold="v > vt", reset="v=el",
                           refractory=5 * ms, method="euler", params=params)
    net = ps.Network(dt=0.1, seed=seed, backend=backend)
    with net:
        neurons = ps.NeuronGroup(NE + NI, model)
        Pe, Pi = neurons[:NE], neurons[NE:]
        con_e = ps.Synapses(Pe, neurons, on_pre="g_ampa += 0.3*nS")
        con_e.connect(p=epsilon)
        con_ii = ps.Synapses(Pi, Pi, on_pre="g_gaba += 3*nS")
        con_ii.connect(p=epsilon)
        con_ie = ps.Synapses(Pi, Pe, model=EQS_STDP_INHIB,
                             on_pre="""Apre += 1.
                                    w = clip(w+(Apost-alpha)*eta, 0, gmax)
                                    g_gaba += w*nS""",
                             on_post="""Apost += 1.
                                     w = clip(w+Apre*eta, 0, gmax)""",
                             params={"tau_stdp": tau_stdp,
                                     "alpha": 3 * Hz * tau_stdp * 2,  # target rate
                                     "gmax": 100, "eta": 0.0})      # learning rate
        con_ie.connect(p=epsilon)
        con_ie.w = 1e-10
        sm = ps.SpikeMonitor(Pe)
    net.run(1000.0)                    # without plasticity
    con_ie.eta = 1e-2
    net.run(simtime - 1000.0)          # with plasticity
    i, t = sm.it
    w = np.asarray(con_ie.w)
    results = {
        "n_neurons": NE + NI, "duration_ms": simtime,
        "exc_rate_before_Hz": rate_Hz(i, t, NE, 900.0, 1000.0),
        "exc_rate_end_Hz": rate_Hz(i, t, NE, simtime - 100.0, simtime),
        "exc_rate_last_second_Hz": rate_Hz(i, t, NE, simtime - 1000.0, simtime),
        "mean_w_end": float(w.mean()),
        "n_plastic_synapses": int(w.size),
    }
    for key, value in results.items():
        print(f"{key}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
