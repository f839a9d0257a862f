"""Brian2's ``examples/synapses/gapjunctions.py``: ten leaky integrate-and-fire neurons
coupled all-to-all by gap junctions, ``Igap_post = w*(v_pre - v_post) : 1 (summed)``.

Brian2's model and numbers: ``dv/dt = (v0 - v + Igap)/tau`` with v0 = 1.05, tau = 10 ms,
threshold 1, reset 0, exact integration, w = 0.02, potentials starting evenly spread
between 0 and 1, 500 ms.  Alone each neuron would fire every tau*ln(v0/(v0 - 1)) =
30.4 ms; the coupling, which pulls each potential toward the others, slows them to a
common period of about 40 ms in which they keep firing one after another in the order
of their starting potentials (a splay state, not synchrony).  Brian2's example plots v of
neurons 0 and 5; this port prints the spike counts, the order of the first spikes, the
period over the second half and the lag from neuron 0's spikes to neuron 5's.

    python examples/brian2/gapjunctions.py [--quick]
"""
import sys
from typing import Dict, Optional

import numpy as np

import pyspike as ps
from pyspike.units import base_value, ms

EQS = """
dv/dt = (v0 - v + Igap) / tau : 1
Igap : 1 # gap junction current
"""
SYNAPSE = """
w : 1 # gap junction conductance
Igap_post = w * (v_pre - v_post) : 1 (summed)
"""


def main(duration: Optional[float] = None, quick: bool = False, backend: str = "cpu",
         seed: int = 1) -> Dict[str, object]:
    duration = 500.0 if duration is None else float(duration)    # seconds-long anyway
    n, v0, tau = 10, 1.05, 10 * ms
    model = ps.NeuronModel(equations=EQS, threshold="v > 1", reset="v = 0",
                           method="exact", params={"v0": v0, "tau": tau})
    net = ps.Network(dt=0.1, seed=seed, backend=backend)
    with net:
        neurons = ps.NeuronGroup(n, model, init={"v": "i * 1.0 / (N-1)"})
        trace = ps.StateMonitor(neurons, "v", record=[0, 5])
        S = ps.Synapses(neurons, neurons, model=SYNAPSE)
        S.connect()
        S.w = 0.02
        spikes = ps.SpikeMonitor(neurons)
    net.run(duration)
    i, t = np.asarray(spikes.i), np.asarray(spikes.t)
    times = [np.sort(t[i == k]) for k in range(n)]
    firsts = np.array([tk[0] for tk in times])
    late = [tk[tk > duration / 2] for tk in times]
    # the spike of neuron 5 that follows neuron 0's last one in the second half
    after = late[5][late[5] > late[0][-2]] if len(late[0]) > 1 else late[5]
    results = {
        "duration_ms": duration,
        "uncoupled_period_ms": float(base_value(tau) * np.log(v0 / (v0 - 1))),
        "spike_counts": [len(tk) for tk in times],
        "total_spikes": int(i.size),
        "first_spike_order": [int(k) for k in np.argsort(firsts)],
        "late_period_ms": float(np.mean([np.diff(tk).mean() for tk in late])),
        "late_lag_0_to_5_ms": float(after[0] - late[0][-2]) if after.size else float("nan"),
        "trace_t": np.asarray(trace.t), "trace_v": np.asarray(trace.v),
        "spike_i": i, "spike_t": t,
    }
    for key, value in results.items():
        if np.ndim(value) == 0 or key.endswith(("counts", "order")):
            print(f"{key}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
