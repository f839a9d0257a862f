"""Brian2's ``examples/synapses/gapjunctions.py``, at the scale of
examples/brian2/gapjunctions.py, returning the quantities that example returns (run with
the peer venv's python only). Spike times are given as pyspike stamps them (README, timing
conventions: one step after Brian2's stamp), computed as pyspike computes them, (step + 1)
* dt: the same spikes, so the same differences."""
import numpy as np

#: How each compared result must agree (keys returned by both sides' main()): the model is
#: deterministic and integrated exactly; every neuron fires on the same steps, so counts,
#: order and intervals (differences of grid times) are equal up to float64 rounding.
COMPARE = {"spike_counts": ("exact",), "total_spikes": ("exact",),
           "first_spike_order": ("exact",), "late_period_ms": ("abs", 1e-9),
           "late_lag_0_to_5_ms": ("abs", 1e-9)}
#: ms: the peers' step; a stamp is (step + 1) * DT, as pyspike computes it
DT = 0.1
STOCHASTIC = False


def main(quick: bool = False, seed: int = 1) -> dict:
    from brian2 import (NeuronGroup, SpikeMonitor, StateMonitor, Synapses, defaultclock,
                        ms, run)

    duration = 500*ms
    n = 10
    v0 = 1.05
    tau = 10*ms

    eqs = '''
    dv/dt = (v0 - v + Igap) / tau : 1
    Igap : 1 # gap junction current
    '''

    neurons = NeuronGroup(n, eqs, threshold='v > 1', reset='v = 0',
                          method='exact')
    neurons.v = 'i * 1.0 / (n-1)'
    trace = StateMonitor(neurons, 'v', record=[0, 5])

    S = Synapses(neurons, neurons, '''
                 w : 1 # gap junction conductance
                 Igap_post = w * (v_pre - v_post) : 1 (summed)
                 ''')
    S.connect()
    S.w = .02
    spikes = SpikeMonitor(neurons)

    run(duration)
    dur = float(duration / ms)
    i = np.asarray(spikes.i)
    t = (np.round(np.asarray(spikes.t / defaultclock.dt)) + 1) * DT   # pyspike's stamps
    times = [np.sort(t[i == k]) for k in range(n)]
    firsts = np.array([tk[0] for tk in times])
    late = [tk[tk > dur / 2] for tk in times]
    after = late[5][late[5] > late[0][-2]] if len(late[0]) > 1 else late[5]
    return {
        "duration_ms": dur,
        "spike_counts": [len(tk) for tk in times],
        "total_spikes": int(i.size),
        "first_spike_order": [int(k) for k in np.argsort(firsts)],
        "late_period_ms": float(np.mean([np.diff(tk).mean() for tk in late])),
        "late_lag_0_to_5_ms": float(after[0] - late[0][-2]) if after.size else float("nan"),
    }
