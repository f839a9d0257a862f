"""Brian2's ``examples/frompapers/Naud_et_al_2008_adex_firing_patterns.py``: the firing
patterns of the adaptive exponential integrate-and-fire model (Naud, Marcille, Clopath &
Gerstner 2008, Biol Cybern 99:335), with the parameters P. Mueller adapted to the figures.

Brian2's model text and numbers: dvm/dt = (g_l(e_l - vm) + g_l d_t exp((vm - v_t)/d_t) +
i_stim - w)/c_m, dw/dt = (a(vm - e_l) - w)/tau_w, threshold vm > 0 mV, reset vm = v_r and
w += b, Euler at dt = 0.1 ms, 600 ms from vm = e_l, w = 0 under a constant i_stim, for
eight parameter sets (tonic spiking, adaptation, initial burst, regular bursting, delayed
accelerating, delayed regular bursting, transient spiking, irregular spiking).  Brian2's
example plots vm, w and the phase plane; this port prints, per pattern, the number of
spikes, the first spike time, the first and last inter-spike intervals and the longest
one, and w at the end.  The intervals and counts equal Brian2's; pyspike stamps each spike
one step (0.1 ms) later than Brian2 (README, timing conventions), so the first spike
time is Brian2's plus 0.1 ms.  Two patterns amplify rounding: in the last steps before
threshold the exponential term multiplies any difference in vm by ~18 per step, and the
overshoot passes into w at every spike; pyspike and Brian2 differ by one ulp from the
fourth step on, which has moved the 32nd spike of "delayed regular bursting" by one
step, and "irregular spiking" is chaotic (Brian2's own numpy, Cython and C++ targets give
different spikes after ~400 ms).

    python examples/brian2/Naud_et_al_2008_adex_firing_patterns.py [--quick]
"""
import sys
from typing import Dict, Optional

import numpy as np

import pyspike as ps
from pyspike.units import mV, ms, nS, pA, pF

# taken from Touboul_Brette_2008
EQS = """
dvm/dt = (g_l*(e_l - vm) + g_l*d_t*exp((vm-v_t)/d_t) + i_stim - w)/c_m : volt
dw/dt  = (a*(vm - e_l) - w)/tau_w : amp
"""
PATTERNS = {
    "tonic spiking": {
        "c_m": 200 * pF, "g_l": 10 * nS, "e_l": -70.0 * mV, "v_t": -50.0 * mV,
        "d_t": 2.0 * mV, "a": 2.0 * nS, "tau_w": 30.0 * ms, "b": 0.0 * pA,
        "v_r": -58.0 * mV, "i_stim": 500 * pA},
    "adaptation": {
        "c_m": 200 * pF, "g_l": 12 * nS, "e_l": -70.0 * mV, "v_t": -50.0 * mV,
        "d_t": 2.0 * mV, "a": 2.0 * nS, "tau_w": 300.0 * ms, "b": 60.0 * pA,
        "v_r": -58.0 * mV, "i_stim": 500 * pA},
    "initial burst": {
        "c_m": 130 * pF, "g_l": 18 * nS, "e_l": -58.0 * mV, "v_t": -50.0 * mV,
        "d_t": 2.0 * mV, "a": 4.0 * nS, "tau_w": 150.0 * ms, "b": 120.0 * pA,
        "v_r": -50.0 * mV, "i_stim": 400 * pA},
    "regular bursting": {
        "c_m": 200 * pF, "g_l": 10 * nS, "e_l": -58.0 * mV, "v_t": -50.0 * mV,
        "d_t": 2.0 * mV, "a": 2.0 * nS, "tau_w": 120.0 * ms, "b": 100.0 * pA,
        "v_r": -46.0 * mV, "i_stim": 210 * pA},
    "delayed accelerating": {
        "c_m": 200 * pF, "g_l": 12 * nS, "e_l": -70.0 * mV, "v_t": -50.0 * mV,
        "d_t": 2.0 * mV, "a": -10.0 * nS, "tau_w": 300.0 * ms, "b": 0.0 * pA,
        "v_r": -58.0 * mV, "i_stim": 300 * pA},
    "delayed regular bursting": {
        "c_m": 100 * pF, "g_l": 10 * nS, "e_l": -65.0 * mV, "v_t": -50.0 * mV,
        "d_t": 2.0 * mV, "a": -10.0 * nS, "tau_w": 90.0 * ms, "b": 30.0 * pA,
        "v_r": -47.0 * mV, "i_stim": 110 * pA},
    "transient spiking": {
        "c_m": 100 * pF, "g_l": 10 * nS, "e_l": -65.0 * mV, "v_t": -50.0 * mV,
        "d_t": 2.0 * mV, "a": 10.0 * nS, "tau_w": 90.0 * ms, "b": 100.0 * pA,
        "v_r": -47.0 * mV, "i_stim": 180 * pA},
    "irregular spiking": {
        "c_m": 100 * pF, "g_l": 12 * nS, "e_l": -60.0 * mV, "v_t": -50.0 * mV,
        "d_t": 2.0 * mV, "a": -11.0 * nS, "tau_w": 130.0 * ms, "b": 30.0 * pA,
        "v_r": -48.0 * mV, "i_stim": 160 * pA},
}


def key(pattern: str) -> str:
    return pattern.replace(" ", "_")


def sim(parameters: dict, duration: float, seed: int, backend: str):
    """Spike times (ms) and w at the end (pA) of one pattern."""
    neuron_model = ps.NeuronModel(equations=EQS, threshold="vm > 0*mV",
                                  reset="vm = v_r; w += b", method="euler",
                                  params=parameters)
    net = ps.Network(dt=0.1, seed=seed, backend=backend)
    with net:
        neuron = ps.NeuronGroup(1, neuron_model, init={"vm": parameters["e_l"], "w": 0})
        spikes = ps.SpikeMonitor(neuron)
    net.run(duration)
    return np.asarray(spikes.t), float(neuron.w[0])


def main(duration: Optional[float] = None, quick: bool = False, backend: str = "cpu",
         seed: int = 1) -> Dict[str, object]:
    duration = 600.0 if duration is None else float(duration)   # 8 x 6000 steps: cheap
    results: Dict[str, object] = {"duration_ms": duration}
    for pattern, parameters in PATTERNS.items():
        t, w_end = sim(parameters, duration, seed, backend)
        isi = np.diff(t)
        k = key(pattern)
        results[f"{k}_n_spikes"] = int(t.size)
        results[f"{k}_first_spike_ms"] = float(t[0]) if t.size else float("nan")
        results[f"{k}_first_isi_ms"] = float(isi[0]) if isi.size else float("nan")
        results[f"{k}_last_isi_ms"] = float(isi[-1]) if isi.size else float("nan")
        results[f"{k}_max_isi_ms"] = float(isi.max()) if isi.size else float("nan")
        results[f"{k}_w_end_pA"] = w_end
    for name, value in results.items():
        print(f"{name}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
