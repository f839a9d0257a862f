"""Brian2's ``examples/adaptive_threshold.py``: a neuron whose threshold rises by 3 mV
at each spike and relaxes to 10 mV with a 15 ms time constant.

One leaky neuron (tau 10 ms) receives 3 mV kicks from a 500 Hz Poisson source for 2 s.
Brian2's example records v at each threshold crossing and plots its histogram between
10 and 20 mV.  Prints the number of output spikes and the output rate, the mean, minimum
and maximum of v at the crossings (recorded after the threshold, before the reset, as
Brian2 does) and the mean threshold vt over the run.

    python examples/brian2/adaptive_threshold.py [--quick]
"""
import sys
from typing import Dict, Optional

import numpy as np

import pyspike as ps
from pyspike.units import mV

EQS = """
dv/dt = -v/(10) : volt
dvt/dt = (10-vt)/(15) : volt
"""


def main(duration: Optional[float] = None, quick: bool = False, backend: str = "cpu",
         seed: int = 1) -> Dict[str, object]:
    duration = (500.0 if quick else 2000.0) if duration is None else float(duration)
    # Brian2 writes -v/(10*ms) and (10*mV-vt)/(15*ms): numbers here are ms and mV
    model = ps.NeuronModel(equations=EQS, threshold="v > vt", reset="v = 0\nvt += 3",
                           method="exact")
    net = ps.Network(dt=0.1, seed=seed, backend=backend)
    with net:
        IF = ps.NeuronGroup(1, model, init={"vt": 10 * mV})
        PG = ps.PoissonGroup(1, rates=500.0)            # Hz
        C = ps.Synapses(PG, IF, on_pre="v += 3")       # 3 mV
        C.connect()
        Mvt = ps.StateMonitor(IF, "vt", record=True)
        crossings = ps.SpikeMonitor(IF, variables="v")
        inputs = ps.SpikeMonitor(PG)
    net.run(duration)
    v = np.asarray(crossings.v)
    results = {
        "duration_ms": duration,
        "input_spikes": int(inputs.count.sum()),
        "n_spikes": int(crossings.count.sum()),
        "rate_Hz": float(crossings.count.sum() / (duration / 1000.0)),
        "mean_v_at_crossing_mV": float(v.mean()) if v.size else float("nan"),
        "min_v_at_crossing_mV": float(v.min()) if v.size else float("nan"),
        "max_v_at_crossing_mV": float(v.max()) if v.size else float("nan"),
        "mean_vt_mV": float(np.mean(Mvt.vt)),
        "v_at_crossing": v,
    }
    for key, value in results.items():
        if key != "v_at_crossing":
            print(f"{key}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
