"""Brian2's ``examples/synapses/nonlinear.py``: NMDA-like synapses whose conductance
saturates, ``dg_syn/dt = -a*g_syn + b*x*(1-g_syn)``, driven by a presynaptic trace x.

Two regular input neurons (``dv/dt = 1/(10*ms)``, threshold 1, reset 0; the second
starting halfway, so both fire every 10 ms, 5 ms apart) reach one neuron through
synapses of weight 1 and 10 (``x += w``); the conductances are summed into the neuron's
g, which its v follows with a 10 ms time constant.  a = b = c = 1/(10 ms), 1 s.  Brian2
integrates the clock-driven synaptic equations with Euler (its default for a nonlinear
system); the port names ``method="euler"``.  Brian2's example plots g_syn of both
synapses and g; this port prints their peaks and means over the last 500 ms (the
oscillation has settled by then) and returns the traces.

    python examples/brian2/nonlinear.py [--quick]
"""
import sys
from typing import Dict, Optional

import numpy as np

import pyspike as ps
from pyspike.units import ms

SYNAPSE = """
dg_syn/dt = -a*g_syn+b*x*(1-g_syn) : 1 (clock-driven)
g_post = g_syn : 1 (summed)
dx/dt=-c*x : 1 (clock-driven)
w : 1 # synaptic weight
"""


def main(duration: Optional[float] = None, quick: bool = False, backend: str = "cpu",
         seed: int = 1) -> Dict[str, object]:
    duration = 1000.0 if duration is None else float(duration)   # seconds-long anyway
    rates = {"a": 1 / (10 * ms), "b": 1 / (10 * ms), "c": 1 / (10 * ms)}
    net = ps.Network(dt=0.1, seed=seed, backend=backend)
    with net:
        neuron_input = ps.NeuronGroup(2, ps.NeuronModel(
            "dv/dt = 1/(10*ms) : 1", threshold="v>1", reset="v = 0", method="euler"),
            init={"v": np.array([0.0, 0.5])})
        neurons = ps.NeuronGroup(1, ps.NeuronModel("""dv/dt = (g-v)/(10*ms) : 1
                                                      g : 1""", method="exact"))
        S = ps.Synapses(neuron_input, neurons, model=SYNAPSE, on_pre="x += w",
                        params=rates, method="euler")      # NMDA synapses
        S.connect()
        S.w = [1.0, 10.0]
        M = ps.StateMonitor(S, "g_syn", record=[0, 1])
        Mn = ps.StateMonitor(neurons, "g", record=0)
        Mv = ps.StateMonitor(neurons, "v", record=0)
        inputs = ps.SpikeMonitor(neuron_input)
    net.run(duration)
    late = M.t >= duration - 500.0
    g_syn, g = np.asarray(M.g_syn), np.asarray(Mn.g[0])
    results = {
        "duration_ms": duration,
        "input_spikes": [int(c) for c in inputs.count],
        "max_g_syn_w1": float(g_syn[0].max()), "max_g_syn_w10": float(g_syn[1].max()),
        "mean_late_g_syn_w1": float(g_syn[0][late].mean()),
        "mean_late_g_syn_w10": float(g_syn[1][late].mean()),
        "max_g": float(g.max()), "mean_late_g": float(g[late].mean()),
        "mean_late_v": float(np.asarray(Mv.v[0])[late].mean()),
        "t": np.asarray(M.t), "g_syn": g_syn, "g": g,
    }
    for key, value in results.items():
        if key not in ("t", "g_syn", "g"):
            print(f"{key}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
