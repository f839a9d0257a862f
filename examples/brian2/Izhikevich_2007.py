"""Brian2's ``examples/frompapers/Izhikevich_2007.py``: STDP modulated by dopamine
(Izhikevich 2007, "Solving the distal reward problem through linkage of STDP and dopamine
signaling", Fig. 1c).

Two conductance-based neurons; a generator makes neuron 0 fire 10 or 50 ms before neuron 1
six times; one plastic synapse 0 -> 1 keeps traces Apre, Apost (event-driven), an
eligibility trace c, extracellular dopamine d and the strength s (clock-driven, Euler).
For the first 3 s ``mode = 0``: classical STDP changes s directly.  Then ``mode = 1``:
STDP only changes c, and s grows as c * d, with d raised by dopamine spikes at 3.52,
4.02 and 4.52 s through a Synapses object whose targets are the plastic synapses
(``d_post += epsilon_dopa``): Brian2's Synapses on Synapses.

Prints the neurons' spike counts, s / gmax at the end of each phase, and the largest c /
gmax and d reached; Brian2's figure shows s stepping up at each pairing in the first
half and rising only while d and c overlap in the second.

    python examples/brian2/Izhikevich_2007.py [--quick]
"""
import sys
from typing import Dict, Optional

import numpy as np

import pyspike as ps
from pyspike.units import mV, ms

NEURONS = """
dv/dt = (ge * (Ee-v) + El - v) / taum : volt
dge/dt = -ge / taue : 1
"""
PLASTIC = """
mode: 1
dc/dt = -c / tauc : 1 (clock-driven)
dd/dt = -d / taud : 1 (clock-driven)
ds/dt = mode * c * d / taus : 1 (clock-driven)
dApre/dt = -Apre / taupre : 1 (event-driven)
dApost/dt = -Apost / taupost : 1 (event-driven)
"""
ON_PRE = """
ge += s
Apre += dApre
c = clip(c + mode * Apost, -gmax, gmax)
s = clip(s + (1-mode) * Apost, -gmax, gmax)
"""
ON_POST = """
Apost += dApost
c = clip(c + mode * Apre, -gmax, gmax)
s = clip(s + (1-mode) * Apre, -gmax, gmax)
"""
GMAX = 0.01
INPUT_INDICES = [0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0]
INPUT_TIMES = [500, 550, 1000, 1010, 1500, 1510, 3500, 3550, 4000, 4010, 4500, 4510]
DOPAMINE_TIMES = [3520, 4020, 4520]


def stdp_params() -> Dict[str, float]:
    """taupre = taupost = 20 ms, gmax = 0.01, dApre = 0.01 gmax, dApost = -1.05 dApre,
    tauc = 1 s, taud = 200 ms, taus = 1 ms (Brian2's example)."""
    dApre = 0.01
    dApost = -dApre * 20.0 / 20.0 * 1.05
    return {"taupre": 20 * ms, "taupost": 20 * ms, "gmax": GMAX, "dApre": dApre * GMAX,
            "dApost": dApost * GMAX, "tauc": 1000 * ms, "taud": 200 * ms, "taus": 1 * ms}


def main(duration: Optional[float] = None, quick: bool = False, backend: str = "cpu",
         seed: int = 1) -> Dict[str, object]:
    # the protocol is 6 s of two neurons, quick at any scale: quick runs it whole
    duration = 6000.0 if duration is None else float(duration)
    neurons_model = ps.NeuronModel(
        NEURONS, threshold="v > vt", reset="v = vr", method="euler",
        params={"taum": 10 * ms, "Ee": 0 * mV, "vt": -54 * mV, "vr": -60 * mV,
                "El": -74 * mV, "taue": 5 * ms})
    net = ps.Network(dt=0.1, seed=seed, backend=backend)
    with net:
        spike_input = ps.SpikeGeneratorGroup(2, INPUT_INDICES, INPUT_TIMES)
        neurons = ps.NeuronGroup(2, neurons_model, init={"v": -60 * mV})
        neurons_monitor = ps.SpikeMonitor(neurons)
        synapse = ps.Synapses(spike_input, neurons, model="s: volt", on_pre="v += s")
        stdp = ps.Synapses(neurons, neurons, model=PLASTIC, on_pre=ON_PRE, on_post=ON_POST,
                           params=stdp_params(), method="euler")
        dopamine = ps.SpikeGeneratorGroup(1, [0] * len(DOPAMINE_TIMES), DOPAMINE_TIMES)
        reward = ps.Synapses(dopamine, stdp, on_pre="d_post += epsilon_dopa",
                             params={"epsilon_dopa": 5e-3}, method="exact")
        monitor = ps.StateMonitor(stdp, ["s", "c", "d"], record=[0])
    synapse.connect(i=[0, 1], j=[0, 1])
    synapse.s = 100 * mV
    stdp.connect(i=0, j=1)
    stdp.s, stdp.c, stdp.d = 1e-10, 1e-10, 0.0
    reward.connect()
    stdp.mode = 0                        # classical STDP
    net.run(duration / 2)
    s_classical = float(stdp.s[0])
    stdp.mode = 1                        # dopamine-modulated STDP
    net.run(duration / 2)
    counts = neurons_monitor.count
    results = {
        "duration_ms": duration,
        "spikes_neuron0": int(counts[0]), "spikes_neuron1": int(counts[1]),
        "s_after_classical_over_gmax": s_classical / GMAX,
        "s_final_over_gmax": float(stdp.s[0]) / GMAX,
        "max_c_over_gmax": float(np.max(monitor.c)) / GMAX,
        "max_d": float(np.max(monitor.d)),
        "d_final": float(stdp.d[0]),
    }
    for key, value in results.items():
        print(f"{key}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
