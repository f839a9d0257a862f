"""Brian2's ``examples/frompapers/Sturzl_et_al_2000.py``: prey localisation by the sand
scorpion (Sturzl, Kempter & van Hemmen 2000), with integrate-and-fire neurons in place of
the paper's Poisson inputs.

Brian2's model and numbers: a surface wave (a sum of cosines from 150 to 450 Hz with
Gaussian weights around 300 Hz and random phases) reaches the 8 legs (at angles 22.5 +
45 k degrees on a 2.5 cm circle) with delays R/vr*(1 - cos(phi - gamma)) for a prey at
phi = 144 degrees (wave speed 50 m/s); each leg's receptor, a noisy integrate-and-fire
neuron (tau 1 ms, sigma 0.01, refractory 1 ms, Euler), reads the wave as
``rates(t - d)`` (a TimedArray); 8 command neurons with alpha currents are excited by
their own leg (w = 7) and inhibited, 0.7 ms later, by the opposite three (w = -2);
500 ms.  Prints the true angle and the angle estimated from the command neurons' spike
counts (Brian2 prints the same two lines; the estimate lands within a few degrees).

    python examples/brian2/Sturzl_et_al_2000.py [--quick]
"""
import sys
from typing import Dict, Optional

import numpy as np

import pyspike as ps
from pyspike.units import cm, meter, ms, second

EQS_LEGS = """
dv/dt = (1 + rates(t - d) - v)/tau_legs + sigma*(2./tau_legs)**.5*xi:1
d : second
"""
EQS_NEURON = """
dv/dt = (x - v)/tau : 1
dx/dt = (y - x)/taus : 1 # alpha currents
dy/dt = -y/taus : 1
"""


def wave(duration: float, dt: float, rng: np.random.Generator) -> np.ndarray:
    """Brian2's wave vector w, one value per time step (ms)."""
    time = np.arange(int(duration / dt) + 1) * dt / 1000.0            # seconds
    total, w = 0.0, 0.0
    for f in np.arange(150, 451):
        D = np.exp(-(f - 300) ** 2 / (2 * (50 ** 2)))
        rand_angle = 2 * np.pi * rng.random()
        w = w + 100 * D * np.cos(2 * np.pi * f * time + rand_angle)
        total += D
    return .01 * w / total


def main(duration: Optional[float] = None, quick: bool = False, backend: str = "cpu",
         seed: int = 1) -> Dict[str, object]:
    duration = 500.0 if duration is None else float(duration)    # seconds-long anyway
    dt = 0.1
    degree = 2 * np.pi / 360.
    R, vr = 2.5 * cm, 50 * meter / second
    phi = 144 * degree                                  # angle of prey
    deltaI = .7 * ms                                    # inhibitory delay
    gamma = (22.5 + 45 * np.arange(8)) * degree         # leg angle
    delay = R / vr * (1 - np.cos(phi - gamma))          # wave delay
    rates = ps.TimedArray(wave(duration, dt, np.random.default_rng(seed)), dt=dt)
    legs_model = ps.NeuronModel(equations=EQS_LEGS, threshold="v > 1", reset="v = 0",
                                refractory=1 * ms, method="euler",
                                params={"rates": rates, "tau_legs": 1 * ms,
                                        "sigma": .01})
    neuron_model = ps.NeuronModel(equations=EQS_NEURON, threshold="v>1", reset="v=0",
                                  method="exact",
                                  params={"tau": 1 * ms, "taus": 1.001 * ms})
    net = ps.Network(dt=dt, seed=seed, backend=backend)
    with net:
        legs = ps.NeuronGroup(8, legs_model)
        legs.d = delay
        spikes_legs = ps.SpikeMonitor(legs)
        neurons = ps.NeuronGroup(8, neuron_model)
        synapses_ex = ps.Synapses(legs, neurons, on_pre="y+=wex", params={"wex": 7})
        synapses_ex.connect(j="i")
        synapses_inh = ps.Synapses(legs, neurons, on_pre="y+=winh", delay=deltaI,
                                   params={"winh": -2})
        # Brian2: "abs(((j - i) % N_post) - N_post/2) <= 1"; pyspike's connect conditions
        # do not know N_post, which is 8 here
        synapses_inh.connect("abs(((j - i) % 8) - 8/2) <= 1")
        spikes = ps.SpikeMonitor(neurons)
    net.run(duration)
    nspikes = np.asarray(spikes.count)
    phi_est = np.imag(np.log(np.sum(nspikes * np.exp(gamma * 1j))))
    error = (phi_est - phi + np.pi) % (2 * np.pi) - np.pi
    print("True angle (deg): %.2f" % (phi / degree))
    print("Estimated angle (deg): %.2f" % (phi_est / degree))
    results = {
        "duration_ms": duration,
        "true_angle_deg": float(phi / degree),
        "estimated_angle_deg": float(phi_est / degree),
        "error_deg": float(error / degree),
        "leg_rate_Hz": float(np.mean(spikes_legs.count) / (duration / 1000.0)),
        "max_command_rate_Hz": float(nspikes.max() / (duration / 1000.0)),
        "n_inhibitory_synapses": int(synapses_inh.n),
        "command_spikes": nspikes,
    }
    for key, value in results.items():
        if np.ndim(value) == 0:
            print(f"{key}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
