"""Brian2's ``examples/network_operation_stop.py``: a network operation that stops the
run once a group has fired a target number of spikes.

Ten leaky neurons driven above threshold (I = 1.5, tau = 10 ms, exact integration) start
from random potentials; every millisecond a network operation counts the spikes and
calls ``ps.stop()`` (Brian2's ``stop()``) once there are at least 20.  The run of 100 ms
ends after the step of that call, as in Brian2.  Prints the time the run stopped at and
the number of spikes then (Brian2's example prints the same two numbers).

    python examples/brian2/network_operation_stop.py [--quick]
"""
import sys
from typing import Dict, Optional

import pyspike as ps
from pyspike.units import ms

N = 10
TARGET_SPIKES = 20


def main(duration: Optional[float] = None, quick: bool = False, backend: str = "cpu",
         seed: int = 1) -> Dict[str, object]:
    duration = 100.0 if duration is None else float(duration)   # tiny at any scale
    model = ps.NeuronModel("dv/dt = (I - v)/tau : 1", threshold="v>1", reset="v=0",
                           method="exact", params={"I": 1.5, "tau": 10 * ms})
    net = ps.Network(dt=0.1, seed=seed, backend=backend)
    with net:
        G = ps.NeuronGroup(N, model, init={"v": "rand()"})
        spike_mon = ps.SpikeMonitor(G)
        stopped = []

        @ps.network_operation(dt=1 * ms)
        def check_spikes(t):
            if spike_mon.num_spikes >= TARGET_SPIKES:
                stopped.append(t)
                ps.stop()
    net.run(duration)
    results = {
        "duration_ms": duration,
        "stop_call_ms": stopped[0] if stopped else float("nan"),
        "stopped_at_ms": float(net.t),
        "num_spikes": int(spike_mon.num_spikes),
    }
    for key, value in results.items():
        print(f"{key}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
