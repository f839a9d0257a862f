"""Brian2's ``examples/frompapers/Tsodyks_Pawelzik_Markram_1998.py``: the postsynaptic
potential through a depressing and a facilitating dynamic synapse (Tsodyks, Pawelzik &
Markram 1998, Neural Computation 10:821, Fig. 1).

Brian2's model text and numbers: a passive neuron (dv/dt = -v/tau_mem + R_in I_syn/tau_mem,
exact) receives one synapse whose recovered, active and inactive fractions x, y, z = 1 -
x - y evolve clock-driven (exponential Euler) and whose current A_SE*y is summed into
I_syn; each presynaptic spike moves U_SE*x (depression) or u*x (facilitation, u += U_SE*(1
- u) first) from x to y.  Panel A: depression (tau_mem 40 ms, R_in 100 Mohm, tau_inact 3
ms, A_SE 250 pA, U_SE 0.6, tau_rec 800 ms) at 20 Hz; B: facilitation (60 ms, 1 Gohm, 1.5
ms, 1540 pA, U_SE 0.03, tau_rec 130 ms, tau_facil 530 ms) at 20 Hz; C: the same at 70 Hz.
Spikes from 100 ms (SpikeGeneratorGroup) until 1100 ms (A, B) or 375 ms (C), runs of
1200, 1200 and 500 ms at dt = 0.1 ms.  Brian2's example plots v; this port prints, per
panel, the peak of the first EPSP (before the second spike), the largest v and
when it is reached, the peak of the last EPSP and v at the end: the depressing synapse's
EPSPs shrink (A), the facilitating one's grow at 20 Hz (B) and grow then depress at 70
Hz (C), as in the paper.  Read from the recorded samples (the state at the start of each
step, as Brian2's), they equal Brian2's: a generator spike reaches the synapse at the
step Brian2's does (README, timing conventions).

    python examples/brian2/Tsodyks_Pawelzik_Markram_1998.py [--quick]
"""
import sys
from typing import Dict, Optional

import numpy as np

import pyspike as ps
from pyspike.units import Gohm, Hz, Mohm, ms, pA

NEURON = """
tau_mem : second
I_syn : ampere
R_in : ohm
dv/dt = -v/tau_mem + (R_in*I_syn)/tau_mem : volt
"""
SYNAPSES = """
dx/dt =  z/tau_rec   : 1 (clock-driven) # recovered
dy/dt = -y/tau_inact : 1 (clock-driven) # active
A_SE : ampere
U_SE : 1
tau_inact : second
tau_rec : second
z = 1 - x - y : 1 # inactive
I_syn_post = A_SE*y : ampere (summed)
"""
FACILITATION = """
du/dt = -u/tau_facil : 1 (clock-driven)
tau_facil : second
"""
ACTION_FACILITATION = """
u += U_SE*(1-u)
y += u*x # important: update y first
x += -u*x
"""
ACTION_DEPRESSION = """
y += U_SE*x # important: update y first
x += -U_SE*x
"""
PARAMETERS = {
    "A": {"neuron": {"tau_mem": 40 * ms, "R_in": 100*Mohm},
          "synapse": {"tau_inact": 3 * ms, "A_SE": 250 * pA, "tau_rec": 800 * ms,
                      "U_SE": 0.6},  # 0.5 from publication does not match plot
          "stimulus": {"start": 100 * ms, "stop": 1100 * ms, "frequency": 20 * Hz},
          "duration": 1200 * ms},
    "B": {"neuron": {"tau_mem": 60 * ms, "R_in": 1*Gohm},
          "synapse": {"tau_inact": 1.5 * ms, "A_SE": 1540 * pA, "tau_rec": 130 * ms,
                      "U_SE": 0.03, "tau_facil": 530 * ms},
          "stimulus": {"start": 100 * ms, "stop": 1100 * ms, "frequency": 20 * Hz},
          "duration": 1200 * ms},
    "C": {"neuron": {"tau_mem": 60 * ms, "R_in": 1*Gohm},
          "synapse": {"tau_inact": 1.5 * ms, "A_SE": 1540 * pA, "tau_rec": 130 * ms,
                      "U_SE": 0.03, "tau_facil": 530 * ms},
          "stimulus": {"start": 100 * ms, "stop": 375 * ms, "frequency": 70 * Hz},
          "duration": 500 * ms},
}


def stimulus_times(start, stop, frequency) -> np.ndarray:
    """ms: Brian2's spike times (quantities divided by their unit are numbers)."""
    return np.arange(start / ms, stop / ms, 1 / (frequency / Hz) * 1e3)


def panel(p: dict, dt: float, seed: int, backend: str) -> np.ndarray:
    """The recorded v of one panel."""
    facilitating = "tau_facil" in p["synapse"]
    net = ps.Network(dt=dt, seed=seed, backend=backend)
    with net:
        neuron = ps.NeuronGroup(1, ps.NeuronModel(equations=NEURON, method="exact"),
                                init=p["neuron"])
        times = stimulus_times(**p["stimulus"])
        stimulus = ps.SpikeGeneratorGroup(1, indices=[0] * len(times), times=times)
        synapses = ps.Synapses(stimulus, neuron,
                               model=SYNAPSES + (FACILITATION if facilitating else ""),
                               on_pre=ACTION_FACILITATION if facilitating
                               else ACTION_DEPRESSION, method="exponential_euler")
        synapses.connect()
        synapses.x = 1          # start fully recovered
        for name, value in p["synapse"].items():
            setattr(synapses, name, value)
        monitor = ps.StateMonitor(neuron, "v", record=True)
    net.run(p["duration"])
    return np.asarray(monitor.v)[0]


def main(duration: Optional[float] = None, quick: bool = False, backend: str = "cpu",
         seed: int = 1) -> Dict[str, object]:
    dt = 0.1                    # three small runs: the whole figure at any scale
    results: Dict[str, object] = {}
    for name, p in PARAMETERS.items():
        v = panel(p, dt, seed, backend)
        t = np.arange(v.size) * dt
        times = stimulus_times(**p["stimulus"])
        first = (t >= times[0]) & (t < times[1])
        last = t >= times[-1]
        results[f"{name}_n_stimuli"] = int(times.size)
        results[f"{name}_first_epsp_mV"] = float(v[first].max())
        results[f"{name}_max_v_mV"] = float(v.max())
        results[f"{name}_max_v_ms"] = float(t[np.argmax(v)])
        results[f"{name}_last_epsp_mV"] = float(v[last].max())
        results[f"{name}_v_end_mV"] = float(v[-1])
    for key, value in results.items():
        print(f"{key}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
