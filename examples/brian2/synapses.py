"""Brian2's ``examples/synapses/synapses.py``: a simple example of using ``Synapses``, with
an event-driven synaptic variable, random one-to-one connections and random delays.

Brian2's model text and numbers: two groups of ten neurons (dv/dt = -v/(10 ms), threshold
1, reset 0, exact); the first starts at v = 1.2 and so fires in the first step; synapses
from i to j = i with probability 0.75, delay 1 ms + i ms + 0.25 ms randn(), weight w = 1
decaying as dw/dt = -w/(50 ms) between events (event-driven), on_pre v += w; 20 ms at dt =
0.1 ms.  Brian2's example plots v of the second group; this port prints the number of
synapses, whether every one joins i to j = i, the mean of delay - (1 ms + i ms) (0 on
average, spread 0.25 ms/sqrt(n)), how many targets the spikes reach, their largest v
(the weight when the spike arrives: the second group never fires) and the mean ratio of
each target's peak to Brian2's exp(-t_a/50 ms), with t_a the arrival time Brian2 gives
(Brian2's spike at 0 plus the delay rounded to steps).  Brian2 gives 1; pyspike gives
exp(-0.1/50) = 0.998: its event-driven w decays from its last update, which starts at 0,
to the event's stamp, which is dt later than Brian2's t (README, timing conventions), so
the first event of a synapse sees one step more of decay than in Brian2.

    python examples/brian2/synapses.py [--quick]
"""
import sys
from typing import Dict, Optional

import numpy as np

import pyspike as ps


def main(duration: Optional[float] = None, quick: bool = False, backend: str = "cpu",
         seed: int = 1) -> Dict[str, object]:
    duration = 20.0 if duration is None else float(duration)    # 200 steps
    dt = 0.1
    net = ps.Network(dt=dt, seed=seed, backend=backend)
    with net:
        G1 = ps.NeuronGroup(10, ps.NeuronModel(equations='dv/dt = -v / (10*ms) : 1',
                                               threshold='v > 1', reset='v=0.',
                                               method='exact'), init={"v": 1.2})
        G2 = ps.NeuronGroup(10, ps.NeuronModel(equations='dv/dt = -v / (10*ms) : 1',
                                               threshold='v > 1', reset='v=0',
                                               method='exact'))
        syn = ps.Synapses(G1, G2, model='dw/dt = -w / (50*ms): 1 (event-driven)',
                          on_pre='v += w')
        syn.connect('i == j', p=0.75)
        # Set the delays
        syn.delay = '1*ms + i*ms + 0.25*ms * randn()'
        # Set the initial values of the synaptic variable
        syn.w = 1
        mon = ps.StateMonitor(G2, 'v', record=True)
        post_spikes = ps.SpikeMonitor(G2)
    net.run(duration)
    i, j, delay = np.asarray(syn.i), np.asarray(syn.j), np.asarray(syn.delay)
    peak = np.asarray(mon.v).max(axis=1)
    arrival = np.rint(delay / dt) * dt              # Brian2: spike at 0 plus the delay
    results = {
        "duration_ms": duration,
        "n_synapses": int(i.size),
        "one_to_one": bool(np.array_equal(i, j)),
        "mean_delay_offset_ms": float(np.mean(delay - (1.0 + i))) if i.size
        else float("nan"),
        "n_targets_reached": int(np.count_nonzero(peak > 0)),
        "max_v": float(peak.max()),
        "n_post_spikes": int(np.asarray(post_spikes.i).size),
        "mean_peak_over_brian2_w": float(np.mean(peak[j] / np.exp(-arrival / 50.0)))
        if i.size else float("nan"),
    }
    for key, value in results.items():
        print(f"{key}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
