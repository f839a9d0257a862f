"""Brian2's ``examples/synapses/synapses.py``, at the scale of examples/brian2/synapses.py,
returning the quantities that example returns (run with the peer venv's python only)."""
import numpy as np

#: How each compared result must agree (keys returned by both sides' main()):
#: the connections and delays are random (3 seeds, within 3 spreads); given them, the
#: model is deterministic: every synapse joins i to i, the second group never fires, and a
#: target's peak is exp(-t_a/50 ms) (ratio 1 to rounding).  pyspike's ratio is
#: exp(-dt/50 ms) = 0.998: its event-driven w decays from _lastupdate = 0 to the event's
#: stamp, dt later than Brian2's t (reported; not hidden by the tolerance)
COMPARE = {
    "n_synapses": ("spread", 3), "mean_delay_offset_ms": ("spread", 3),
    "n_targets_reached": ("spread", 3), "max_v": ("spread", 3),
    "one_to_one": ("exact",), "n_post_spikes": ("exact",),
    "mean_peak_over_brian2_w": ("abs", 1e-9),
}
STOCHASTIC = True


def main(quick: bool = False, seed: int = 1) -> dict:
    from brian2 import NeuronGroup, SpikeMonitor, StateMonitor, Synapses, ms, run, \
        start_scope
    from brian2 import seed as brian2_seed
    start_scope()
    brian2_seed(seed)

    G1 = NeuronGroup(10, 'dv/dt = -v / (10*ms) : 1',
                     threshold='v > 1', reset='v=0.', method='exact')
    G1.v = 1.2
    G2 = NeuronGroup(10, 'dv/dt = -v / (10*ms) : 1',
                     threshold='v > 1', reset='v=0', method='exact')

    syn = Synapses(G1, G2, 'dw/dt = -w / (50*ms): 1 (event-driven)', on_pre='v += w')

    syn.connect('i == j', p=0.75)

    # Set the delays
    syn.delay = '1*ms + i*ms + 0.25*ms * randn()'
    # Set the initial values of the synaptic variable
    syn.w = 1

    mon = StateMonitor(G2, 'v', record=True)
    post_spikes = SpikeMonitor(G2)
    run(20*ms)

    dt = 0.1
    i, j = np.asarray(syn.i[:]), np.asarray(syn.j[:])
    delay = np.asarray(syn.delay[:] / ms)
    peak = np.asarray(mon.v).max(axis=1)
    arrival = np.rint(delay / dt) * dt
    return {
        "duration_ms": 20.0,
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
