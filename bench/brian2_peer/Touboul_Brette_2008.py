"""Brian2's ``examples/frompapers/Touboul_Brette_2008.py``, at the scale of
examples/brian2/Touboul_Brette_2008.py, returning the quantities that example returns (run
with the peer venv's python only). Brian2's text reads w at each spike from a StateMonitor
of every neuron at every step (when='start'); like the port, the peer records w with
``SpikeMonitor(neuron, variables='w')`` (after the step's update, before the reset), the
same quantity on both sides and no 200 x 100000 trace. ``neuron.w = a*(neuron.vm - EL)``
is written as a string (the same value, 0), which C++ standalone accepts."""
import numpy as np

#: How each compared result must agree (keys returned by both sides' main()).
COMPARE = {"distinct_w_at_lowest_Vr": ("exact",), "distinct_w_at_highest_Vr": ("exact",),
           "n_irregular": ("exact",), "rate_min_Hz": ("rel", 1e-9),
           "rate_max_Hz": ("rel", 1e-9)}
STOCHASTIC = False


def main(quick: bool = False, seed: int = 1) -> dict:
    from brian2 import (NeuronGroup, SpikeMonitor, defaultclock, linspace, mV, ms, nA, nS,
                        pA, pF, run, second)

    defaultclock.dt = 0.01*ms

    C = 281*pF
    gL = 30*nS
    EL = -70.6*mV
    VT = -50.4*mV
    DeltaT = 2*mV
    tauw = 40*ms
    a = 4*nS
    b = 0.08*nA
    I = .8*nA
    Vcut = VT + 5 * DeltaT  # practical threshold condition
    N = 40 if quick else 200

    eqs = """
    dvm/dt=(gL*(EL-vm)+gL*DeltaT*exp((vm-VT)/DeltaT)+I-w)/C : volt
    dw/dt=(a*(vm-EL)-w)/tauw : amp
    Vr:volt
    """

    neuron = NeuronGroup(N, model=eqs, threshold='vm > Vcut',
                         reset="vm = Vr; w += b", method='euler')
    neuron.vm = EL
    neuron.w = 'a * (vm - EL)'
    neuron.Vr = linspace(-48.3 * mV, -47.7 * mV, N)  # bifurcation parameter

    init_time = (1 if quick else 3)*second
    duration = (0.5 if quick else 1)*second
    run(init_time)  # we discard the first spikes

    spikes = SpikeMonitor(neuron, variables='w')
    run(duration)

    w = spikes.values('w')
    distinct = np.array([np.unique(np.round(np.asarray(w[k] / pA))).size for k in range(N)])
    rate = np.asarray(spikes.count) / float(duration / second)
    return {
        "n_neurons": N, "duration_ms": float(duration / ms),
        "transient_ms": float(init_time / ms),
        "distinct_w_at_lowest_Vr": int(distinct[0]),
        "distinct_w_at_highest_Vr": int(distinct[-1]),
        "n_irregular": int(np.count_nonzero(distinct > 10)),
        "rate_min_Hz": float(rate.min()), "rate_max_Hz": float(rate.max()),
        "w_range_nA": [float(min(np.min(x) for x in w.values()) / nA),
                       float(max(np.max(x) for x in w.values()) / nA)],
        "distinct_w": distinct,
    }
