"""Brian2's ``examples/frompapers/Wang_Buszaki_1996.py``, at the scale of
examples/brian2/Wang_Buszaki_1996.py, returning the quantities that example returns (run
with the peer venv's python only). Both sides integrate with ``exponential_euler`` as
Brian2 reads it for this system (v's factor, m(v) included, frozen over the step)."""
import numpy as np

#: How each compared result must agree (keys returned by both sides' main()): the model is
#: deterministic and both sides run the same scheme: the crossings of 0 mV fall on the
#: same samples (times equal to rounding) and v's extremes agree to rounding.
COMPARE = {"n_spikes": ("exact",), "first_spike_ms": ("abs", 1e-9),
           "last_isi_ms": ("abs", 1e-9), "late_rate_Hz": ("rel", 1e-9),
           "v_min_mV": ("rel", 1e-9), "v_max_mV": ("rel", 1e-9)}
STOCHASTIC = False


def main(quick: bool = False, seed: int = 1) -> dict:
    from brian2 import NeuronGroup, StateMonitor, defaultclock, mV, ms, msiemens, run, uA, uF

    defaultclock.dt = 0.01*ms
    duration = 100*ms

    Cm = 1*uF  # /cm**2
    Iapp = 2*uA
    gL = 0.1*msiemens
    EL = -65*mV
    ENa = 55*mV
    EK = -90*mV
    gNa = 35*msiemens
    gK = 9*msiemens

    eqs = '''
    dv/dt = (-gNa*m**3*h*(v-ENa)-gK*n**4*(v-EK)-gL*(v-EL)+Iapp)/Cm : volt
    m = alpha_m/(alpha_m+beta_m) : 1
    alpha_m = 0.1/mV*10*mV/exprel(-(v+35*mV)/(10*mV))/ms : Hz
    beta_m = 4*exp(-(v+60*mV)/(18*mV))/ms : Hz
    dh/dt = 5*(alpha_h*(1-h)-beta_h*h) : 1
    alpha_h = 0.07*exp(-(v+58*mV)/(20*mV))/ms : Hz
    beta_h = 1./(exp(-0.1/mV*(v+28*mV))+1)/ms : Hz
    dn/dt = 5*(alpha_n*(1-n)-beta_n*n) : 1
    alpha_n = 0.01/mV*10*mV/exprel(-(v+34*mV)/(10*mV))/ms : Hz
    beta_n = 0.125*exp(-(v+44*mV)/(80*mV))/ms : Hz
    '''

    neuron = NeuronGroup(1, eqs, method='exponential_euler')
    neuron.v = -70*mV
    neuron.h = 1
    M = StateMonitor(neuron, 'v', record=0)

    run(duration)
    dur = float(duration / ms)
    t, v = np.asarray(M.t / ms), np.asarray(M.v[0] / mV)
    up = np.flatnonzero((v[:-1] <= 0.0) & (v[1:] > 0.0)) + 1
    spikes = t[up]
    late = spikes[spikes >= dur / 2]
    return {
        "duration_ms": dur, "method": "exponential_euler",
        "n_spikes": int(spikes.size),
        "first_spike_ms": float(spikes[0]) if spikes.size else float("nan"),
        "late_rate_Hz": float(late.size / (dur / 2 / 1000.0)),
        "last_isi_ms": float(np.diff(spikes)[-1]) if spikes.size > 1 else float("nan"),
        "v_min_mV": float(v.min()), "v_max_mV": float(v.max()),
    }
