"""Brian2's ``examples/IF_curve_Hodgkin_Huxley.py``, at the scale of
examples/brian2/IF_curve_Hodgkin_Huxley.py, returning the quantities that example returns
(run with the peer venv's python only)."""
import numpy as np

#: How each compared result must agree (keys returned by both sides' main()): the model is
#: deterministic, so every neuron's spike count must be equal; the rheobase and the largest
#: current are grid values of I, equal up to the rounding of 700 pA * i / N.
COMPARE = {"n_firing": ("exact",), "total_spikes": ("exact",), "counts": ("exact",),
           "rheobase_nA": ("rel", 1e-9), "rate_at_max_I_Hz": ("rel", 1e-9),
           "monotonic": ("exact",)}
STOCHASTIC = False


def main(quick: bool = False, seed: int = 1) -> dict:
    from brian2 import (Equations, NeuronGroup, SpikeMonitor, cm, mV, ms, msiemens, nA,
                        run, second, siemens, ufarad, umetre)

    num_neurons = 100
    duration = (0.5 if quick else 2) * second

    # Parameters
    area = 20000*umetre**2
    Cm = 1*ufarad*cm**-2 * area
    gl = 5e-5*siemens*cm**-2 * area
    El = -65*mV
    EK = -90*mV
    ENa = 50*mV
    g_na = 100*msiemens*cm**-2 * area
    g_kd = 30*msiemens*cm**-2 * area
    VT = -63*mV

    # The model
    eqs = Equations('''
    dv/dt = (gl*(El-v) - g_na*(m*m*m)*h*(v-ENa) - g_kd*(n*n*n*n)*(v-EK) + I)/Cm : volt
    dm/dt = 0.32*(mV**-1)*4*mV/exprel((13.*mV-v+VT)/(4*mV))/ms*(1-m)-0.28*(mV**-1)*5*mV/exprel((v-VT-40.*mV)/(5*mV))/ms*m : 1
    dn/dt = 0.032*(mV**-1)*5*mV/exprel((15.*mV-v+VT)/(5*mV))/ms*(1.-n)-.5*exp((10.*mV-v+VT)/(40.*mV))/ms*n : 1
    dh/dt = 0.128*exp((17.*mV-v+VT)/(18.*mV))/ms*(1.-h)-4./(1+exp((40.*mV-v+VT)/(5.*mV)))/ms*h : 1
    I : amp
    ''')  # noqa: E501 (Brian2's text)
    # Threshold and refractoriness are only used for spike counting
    group = NeuronGroup(num_neurons, eqs,
                        threshold='v > -40*mV',
                        refractory='v > -40*mV',
                        method='exponential_euler')
    group.v = El
    group.I = '0.7*nA * i / num_neurons'

    monitor = SpikeMonitor(group)

    run(duration)
    current_nA = np.asarray(group.I / nA)
    count = np.asarray(monitor.count)
    rate = count / float(duration / second)
    repetitive = np.flatnonzero(count > 1)
    return {
        "n_neurons": num_neurons, "duration_ms": float(duration / ms),
        "n_firing": int(np.count_nonzero(count)),
        "rheobase_nA": float(current_nA[repetitive[0]]) if repetitive.size else float("nan"),
        "rate_at_max_I_Hz": float(rate[-1]),
        "max_I_nA": float(current_nA[-1]),
        "monotonic": bool(np.all(np.diff(count) >= 0)),
        "total_spikes": int(count.sum()),
        "counts": count,
    }
