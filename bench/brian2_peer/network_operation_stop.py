"""Brian2's ``examples/network_operation_stop.py``, at the scale of
examples/brian2/network_operation_stop.py, returning the quantities that example returns
(run with the peer venv's python only).  Brian2's ``stop()`` needs the runtime target
(a network operation runs Python)."""

#: The starting potentials are random (rand()), so the stop time varies with the seed:
#: compared over seeds; the spike count at the stop is 20 or a little more on both sides.
COMPARE = {"stop_call_ms": ("spread", 3.0), "stopped_at_ms": ("spread", 3.0),
           "num_spikes": ("spread", 3.0)}
STOCHASTIC = True


def main(quick: bool = False, seed: int = 1) -> dict:
    from brian2 import (NeuronGroup, SpikeMonitor, defaultclock, ms, network_operation,
                        run, stop)
    from brian2 import seed as brian2_seed

    brian2_seed(seed)
    defaultclock.dt = 0.1*ms
    N = 10
    tau = 10*ms
    I = 1.5
    target_spikes = 20

    G = NeuronGroup(N, 'dv/dt = (I - v)/tau : 1', threshold='v>1', reset='v=0',
                    method='exact')
    G.v = 'rand()'
    spike_mon = SpikeMonitor(G)
    stopped = []

    @network_operation(dt=1*ms)
    def check_spikes():
        if spike_mon.num_spikes >= target_spikes:
            stopped.append(float(defaultclock.t / ms))
            stop()

    run(100*ms)
    return {"duration_ms": 100.0,
            "stop_call_ms": stopped[0] if stopped else float("nan"),
            "stopped_at_ms": float(defaultclock.t / ms),
            "num_spikes": int(spike_mon.num_spikes)}
