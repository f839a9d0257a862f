"""Brian2's ``examples/advanced/COBAHH_approximated.py``: a Hodgkin-Huxley neuron whose
gating steady states are Boltzmann functions and whose time constants are Gaussians
(Izhikevich, Dynamical Systems in Neuroscience, chapter 2, exercise 4).

Brian2's model text and numbers (the example assembles it from templates for m, n and h;
here it is written out): Hodgkin and Huxley's original voltage convention (rest near 0
mV; e_K -12 mV, e_Na 120 mV, e_L 10.6 mV), conductances per area (36, 120 and 0.3
mS/cm2, C 1 uF/cm2), v starting at 0 mV with m, n, h at 0.05, 0.32, 0.60, Euler at dt =
0.01 ms for 20 ms, and a TimedArray of 0.5 ms bins giving 4 uA/cm2 at 2 ms and 15 uA/cm2
at 10 ms.  Brian2's example plots the traces; this port prints the largest v after each
pulse (the first stays below threshold, the second fires one action potential), the
number of upward crossings of 50 mV (half the spike's height) and the first of them, the
time of the spike's peak, the smallest n and largest m, and v at the end, all read from
the samples a StateMonitor records (values at the start of each step, as Brian2's), so
they equal Brian2's.

    python examples/brian2/COBAHH_approximated.py [--quick]
"""
import sys
from typing import Dict, Optional

import numpy as np

import pyspike as ps
from pyspike.units import cm, mS, ms, mV, uA, uF

EQS = """
m_inf = 1/(1+exp((v_m_half-v)/k_m)) : 1
tau_m = c_m_base + c_m_amp*exp(-(v_m_max - v)**2/sigma_m**2) : second
dm/dt = (m_inf - m)/tau_m : 1
n_inf = 1/(1+exp((v_n_half-v)/k_n)) : 1
tau_n = c_n_base + c_n_amp*exp(-(v_n_max - v)**2/sigma_n**2) : second
dn/dt = (n_inf - n)/tau_n : 1
h_inf = 1/(1+exp((v_h_half-v)/k_h)) : 1
tau_h = c_h_base + c_h_amp*exp(-(v_h_max - v)**2/sigma_h**2) : second
dh/dt = (h_inf - h)/tau_h : 1
g_K = g_K_bar*n**4 : siemens/meter**2
g_Na = g_Na_bar*m**3*h : siemens/meter**2
I_K = g_K*(v - e_K) : ampere/meter**2
I_Na = g_Na*(v - e_Na) : ampere/meter**2
I_L = g_L*(v - e_L) : ampere/meter**2
I_ext = I_stim(t) : ampere/meter**2
dv/dt = (I_ext - I_K - I_Na - I_L)/C_mem : volt
"""
PARAMETERS = {
    # Boltzmann function parameters
    'v_n_half': 12*mV, 'v_m_half': 25*mV, 'v_h_half': 3*mV,
    'k_n': 15*mV, 'k_m': 9*mV, 'k_h': -7*mV,
    # Gaussian function parameters
    'v_n_max': -14*mV, 'v_m_max': 27*mV, 'v_h_max': -2*mV,
    'sigma_n': 50*mV, 'sigma_m': 30*mV, 'sigma_h': 20*mV,
    'c_n_amp': 4.7*ms, 'c_m_amp': 0.46*ms, 'c_h_amp': 7.4*ms,
    'c_n_base': 1.1*ms, 'c_m_base': 0.04*ms, 'c_h_base': 1.2*ms,
    # conductances
    'g_K_bar': 36*mS / (cm**2), 'g_Na_bar': 120*mS / (cm**2), 'g_L': 0.3*mS / (cm**2),
    # reversal potentials
    'e_K': -12*mV, 'e_Na': 120*mV, 'e_L': 10.6*mV,
    # membrane capacitance
    'C_mem': 1*uF / cm**2,
    # external stimulus at 2 ms with 4 uA/cm^2 and at 10 ms with 15 uA/cm^2
    # for 0.5 ms each
    'I_stim': ps.TimedArray(values=np.array([0]*4+[4]+[0]*15+[15]+[0])*uA/(cm**2),
                            dt=0.5*ms),
}
INITIAL = {"v": 0*mV, "m": 0.05, "n": 0.32, "h": 0.60}


def main(duration: Optional[float] = None, quick: bool = False, backend: str = "cpu",
         seed: int = 1) -> Dict[str, object]:
    duration = 20.0 if duration is None else float(duration)   # 2000 steps: always all
    dt = 0.01
    model = ps.NeuronModel(equations=EQS, method="euler", params=PARAMETERS)
    net = ps.Network(dt=dt, seed=seed, backend=backend)
    with net:
        group = ps.NeuronGroup(1, model, init=INITIAL)
        statemon = ps.StateMonitor(group, ["v", "m", "n", "h"], record=True)
    net.run(duration)
    t = np.arange(np.asarray(statemon.v).shape[1]) * dt
    v, m, n = (np.asarray(getattr(statemon, name))[0] for name in ("v", "m", "n"))
    first, second = (t >= 2.0) & (t < 10.0), t >= 10.0
    up = np.flatnonzero((v[:-1] <= 50.0) & (v[1:] > 50.0))
    results = {
        "duration_ms": duration,
        "v_max_after_first_pulse_mV": float(v[first].max()),
        "v_max_after_second_pulse_mV": float(v[second].max()),
        "n_spikes": int(up.size),
        "spike_upstroke_ms": float(t[up[0] + 1]) if up.size else float("nan"),
        "spike_peak_ms": float(t[second][np.argmax(v[second])]),
        "n_min": float(n.min()), "m_max": float(m.max()),
        "v_end_mV": float(v[-1]),
    }
    for key, value in results.items():
        print(f"{key}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
