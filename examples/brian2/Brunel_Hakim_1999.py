"""Brian2's ``examples/frompapers/Brunel_Hakim_1999.py``: fast global oscillations in a
sparse network of inhibitory integrate-and-fire neurons firing irregularly at low rates
(Brunel & Hakim 1999, Neural Computation 11:1621).

5000 current-based LIF neurons (tau 20 ms, theta 20 mV, Vr 10 mV, refractory 2 ms) with
external drive muext = 25 mV plus white noise sigmaext = 1 mV (Euler-Maruyama), each
receiving C = 1000 random inhibitory inputs of J = 0.1 mV with delay 2 ms, for 100 ms from
V = Vr.  Prints the mean rate, the fraction of neurons that fire and the most spikes any
neuron fires (individual neurons fire sparsely), and the frequency of the population
oscillation: the peak of the power spectrum of the population rate (smoothed flat over
0.5 ms as Brian2's plot) after the first 20 ms, and its peak over its mean.  The theory
puts the oscillation near 1/(4*delay)-1/(2*delay), well above the single-neuron rate.

    python examples/brian2/Brunel_Hakim_1999.py [--quick]
"""
import sys
from typing import Dict, Optional

import numpy as np

import pyspike as ps
from pyspike.units import mV, ms

EQS = "dV/dt = (-V + muext + sigmaext * sqrt(tau) * xi) / tau : volt"


def oscillation_frequency(rate: np.ndarray, dt: float, fmin: float = 20.0) -> float:
    """Hz: the peak of the power spectrum of ``rate`` (sampled every dt ms) above fmin."""
    x = rate - rate.mean()
    power = np.abs(np.fft.rfft(x)) ** 2
    freq = np.fft.rfftfreq(x.size, dt / 1000.0)
    keep = freq >= fmin
    return float(freq[keep][np.argmax(power[keep])])


def main(duration: Optional[float] = None, quick: bool = False, backend: str = "cpu",
         seed: int = 1) -> Dict[str, object]:
    N, C = (2000, 400) if quick else (5000, 1000)    # quick keeps C/N and C*J
    J = 0.1 * mV * 1000 / C
    duration = 100.0 if duration is None else float(duration)
    model = ps.NeuronModel(equations=EQS, threshold="V > theta", reset="V = Vr",
                           refractory=2 * ms, method="euler",
                           params={"tau": 20 * ms, "muext": 25 * mV, "sigmaext": 1 * mV,
                                   "theta": 20 * mV, "Vr": 10 * mV})
    net = ps.Network(dt=0.1, seed=seed, backend=backend)
    with net:
        group = ps.NeuronGroup(N, model, init={"V": 10 * mV})
        conn = ps.Synapses(group, group, on_pre="V += -J", delay=2 * ms, params={"J": J})
        conn.connect(p=C / N)
        M = ps.SpikeMonitor(group)
        LFP = ps.PopulationRateMonitor(group)
    net.run(duration)
    i = np.asarray(M.i)
    smooth = np.asarray(LFP.smooth_rate("flat", width=0.5 * ms))
    after = np.asarray(LFP.t) > 20.0
    results = {
        "n_neurons": N, "connections_per_neuron": C, "duration_ms": duration,
        "mean_rate_Hz": float(i.size / N / (duration / 1000.0)),
        "fraction_of_neurons_firing": float(np.unique(i).size / N),
        "max_spikes_per_neuron": int(np.max(M.count)),
        "oscillation_Hz": oscillation_frequency(smooth[after], 0.1),
        "rate_peak_to_mean": float(smooth[after].max() / max(smooth[after].mean(), 1e-12)),
    }
    for key, value in results.items():
        print(f"{key}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
