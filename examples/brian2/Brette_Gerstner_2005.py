"""Brian2's ``examples/frompapers/Brette_Gerstner_2005.py``: the adaptive exponential
integrate-and-fire model (Brette & Gerstner 2005) with the paper's regular-spiking
parameters, stepped from rest by a 1 nA current.

Brian2's model text and numbers: C 281 pF, gL 30 nS, EL -70.6 mV, VT -50.4 mV, DeltaT
2 mV, Vcut = VT + 5 DeltaT, tauw 144 ms, a 4 nS, b 0.0805 nA, Vr -70.6 mV, Euler at
dt = 0.1 ms; 20 ms at I = 0, 100 ms at I = 1 nA, 20 ms at I = 0 (three runs, I set in
between).  Brian2's example plots the trace; this port prints the spike times, the first
and last inter-spike intervals (adaptation lengthens them) and w at the end.  pyspike
stamps a spike one step (0.1 ms) later than Brian2 (README, timing conventions).

    python examples/brian2/Brette_Gerstner_2005.py [--quick]
"""
import sys
from typing import Dict, Optional

import numpy as np

import pyspike as ps
from pyspike.units import mV, ms, nA, nS, pF

C, gL = 281 * pF, 30 * nS
PARAMS = {"C": C, "gL": gL, "taum": C / gL, "EL": -70.6 * mV, "VT": -50.4 * mV,
          "DeltaT": 2 * mV, "Vcut": -50.4 * mV + 5 * 2 * mV,
          # Regular spiking (as in the paper)
          "tauw": 144 * ms, "a": 4 * nS, "b": 0.0805 * nA, "Vr": -70.6 * mV}
EQS = """
dvm/dt = (gL*(EL - vm) + gL*DeltaT*exp((vm - VT)/DeltaT) + I - w)/C : volt
dw/dt = (a*(vm - EL) - w)/tauw : amp
I : amp
"""


def main(duration: Optional[float] = None, quick: bool = False, backend: str = "cpu",
         seed: int = 1) -> Dict[str, object]:
    step = 100.0 if duration is None else float(duration)   # seconds-long anyway
    model = ps.NeuronModel(equations=EQS, threshold="vm>Vcut", reset="vm=Vr; w+=b",
                           method="euler", params=PARAMS)
    net = ps.Network(dt=0.1, seed=seed, backend=backend)
    with net:
        neuron = ps.NeuronGroup(1, model, init={"vm": PARAMS["EL"]})
        trace = ps.StateMonitor(neuron, "vm", record=0)
        spikes = ps.SpikeMonitor(neuron)
    net.run(20 * ms)
    neuron.I = 1 * nA
    net.run(step)
    neuron.I = 0 * nA
    net.run(20 * ms)
    t = np.asarray(spikes.t)
    isi = np.diff(t)
    results = {
        "duration_ms": 40.0 + step, "n_spikes": int(t.size),
        "first_spike_ms": float(t[0]) if t.size else float("nan"),
        "first_isi_ms": float(isi[0]) if isi.size else float("nan"),
        "last_isi_ms": float(isi[-1]) if isi.size else float("nan"),
        "w_end_pA": float(neuron.w[0]),
        "spike_times_ms": t, "trace_vm": np.asarray(trace.vm[0]),
    }
    for key, value in results.items():
        if np.ndim(value) == 0:
            print(f"{key}: {value}")
    print("spike_times_ms:", np.round(t, 2).tolist())
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
