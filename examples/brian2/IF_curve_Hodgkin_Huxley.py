"""Brian2's ``examples/IF_curve_Hodgkin_Huxley.py``: the input-frequency curve of a
Hodgkin-Huxley neuron (Traub & Miles channels, as in the COBAHH benchmark).

100 unconnected HH neurons receive a constant current I from 0 to 0.693 nA and run for
2 s with exponential Euler; the threshold ``v > -40 mV`` with the refractory condition
``v > -40 mV`` only counts spikes.  Prints how many neurons fire, the smallest current
that makes one fire more than once (the rheobase), the rate at the largest current, and
whether the curve rises monotonically.  The spike counts per neuron are returned for a
side-by-side table.

    python examples/brian2/IF_curve_Hodgkin_Huxley.py [--quick]
"""
import sys
from typing import Dict, Optional

import numpy as np

import pyspike as ps
from pyspike.units import cm, mS, mV, siemens, uF, um

AREA = 20000 * um ** 2
PARAMS = {
    "Cm": 1 * uF * cm ** -2 * AREA,
    "gl": 5e-5 * siemens * cm ** -2 * AREA,
    "El": -65 * mV, "EK": -90 * mV, "ENa": 50 * mV,
    "g_na": 100 * mS * cm ** -2 * AREA,
    "g_kd": 30 * mS * cm ** -2 * AREA,
    "VT": -63 * mV,
}

# Brian2's text with its units written out: numbers are in ms, mV, nS, pF and pA, so
# 0.32*(mV**-1)*4*mV/exprel(...)/ms is 0.32*4/exprel(...) per ms.
EQS = """
dv/dt = (gl*(El-v) - g_na*(m*m*m)*h*(v-ENa) - g_kd*(n*n*n*n)*(v-EK) + I)/Cm : volt
dm/dt = 0.32*4/exprel((13.-v+VT)/4)*(1-m) - 0.28*5/exprel((v-VT-40.)/5)*m : 1
dn/dt = 0.032*5/exprel((15.-v+VT)/5)*(1.-n) - .5*exp((10.-v+VT)/40.)*n : 1
dh/dt = 0.128*exp((17.-v+VT)/18.)*(1.-h) - 4./(1+exp((40.-v+VT)/5.))*h : 1
I : amp
"""


def main(duration: Optional[float] = None, quick: bool = False, backend: str = "cpu",
         seed: int = 1) -> Dict[str, object]:
    n = 100
    duration = (500.0 if quick else 2000.0) if duration is None else float(duration)
    model = ps.NeuronModel(equations=EQS, threshold="v > -40", refractory="v > -40",
                           method="exponential_euler", params=PARAMS)
    net = ps.Network(dt=0.1, seed=seed, backend=backend)
    with net:
        # 0.7 nA * i / num_neurons, in pA
        group = ps.NeuronGroup(n, model, init={"v": PARAMS["El"], "I": "700.0 * i / N"})
        monitor = ps.SpikeMonitor(group)
    net.run(duration)
    current_nA = np.array(group.I) / 1000.0
    rate = monitor.count / (duration / 1000.0)
    # repetitive firing: more than one spike (a single onset spike is not a rate)
    repetitive = np.flatnonzero(monitor.count > 1)
    results = {
        "n_neurons": n, "duration_ms": duration,
        "n_firing": int(np.count_nonzero(monitor.count)),
        "rheobase_nA": float(current_nA[repetitive[0]]) if repetitive.size else float("nan"),
        "rate_at_max_I_Hz": float(rate[-1]),
        "max_I_nA": float(current_nA[-1]),
        "monotonic": bool(np.all(np.diff(monitor.count) >= 0)),
        "total_spikes": int(monitor.count.sum()),
        "counts": np.array(monitor.count),
    }
    for key, value in results.items():
        if key != "counts":
            print(f"{key}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
