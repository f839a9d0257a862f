"""Brian2's ``examples/frompapers/Brette_Gerstner_2005.py``, at the scale of
examples/brian2/Brette_Gerstner_2005.py, returning the quantities that example returns (run
with the peer venv's python only). Spike times are given as pyspike stamps them (README,
timing conventions: one step after Brian2's stamp), computed as pyspike computes them,
(step + 1) * dt."""
import numpy as np

#: How each compared result must agree (keys returned by both sides' main()): the model is
#: deterministic; the spikes fall on the same steps, so times and intervals are equal up to
#: float64 rounding of grid times, and w (Euler, 1400 steps) to rounding.
COMPARE = {"n_spikes": ("exact",), "first_spike_ms": ("abs", 1e-9),
           "first_isi_ms": ("abs", 1e-9), "last_isi_ms": ("abs", 1e-9),
           "w_end_pA": ("rel", 1e-9)}
#: ms: the peers' step; a stamp is (step + 1) * DT, as pyspike computes it
DT = 0.1
STOCHASTIC = False


def main(quick: bool = False, seed: int = 1) -> dict:
    from brian2 import (NeuronGroup, SpikeMonitor, StateMonitor, defaultclock, mV, ms, nA,
                        nS, pA, pF, run)

    # Parameters
    C = 281 * pF
    gL = 30 * nS
    taum = C / gL
    EL = -70.6 * mV
    VT = -50.4 * mV
    DeltaT = 2 * mV
    Vcut = VT + 5 * DeltaT

    # Pick an electrophysiological behaviour
    tauw, a, b, Vr = 144*ms, 4*nS, 0.0805*nA, -70.6*mV  # Regular spiking (as in the paper)

    eqs = """
    dvm/dt = (gL*(EL - vm) + gL*DeltaT*exp((vm - VT)/DeltaT) + I - w)/C : volt
    dw/dt = (a*(vm - EL) - w)/tauw : amp
    I : amp
    """

    neuron = NeuronGroup(1, model=eqs, threshold='vm>Vcut',
                         reset="vm=Vr; w+=b", method='euler')
    neuron.vm = EL
    trace = StateMonitor(neuron, 'vm', record=0)
    spikes = SpikeMonitor(neuron)

    run(20 * ms)
    neuron.I = 1*nA
    run(100 * ms)
    neuron.I = 0*nA
    run(20 * ms)

    t = (np.round(np.asarray(spikes.t / defaultclock.dt)) + 1) * DT   # pyspike's stamps
    isi = np.diff(t)
    return {
        "duration_ms": 140.0, "n_spikes": int(t.size),
        "first_spike_ms": float(t[0]) if t.size else float("nan"),
        "first_isi_ms": float(isi[0]) if isi.size else float("nan"),
        "last_isi_ms": float(isi[-1]) if isi.size else float("nan"),
        "w_end_pA": float(neuron.w[0] / pA),
    }
