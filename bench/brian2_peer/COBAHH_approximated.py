"""Brian2's ``examples/advanced/COBAHH_approximated.py``, at the scale of
examples/brian2/COBAHH_approximated.py, returning the quantities that example returns (run
with the peer venv's python only)."""
import operator
from functools import reduce

import numpy as np

#: How each compared result must agree (keys returned by both sides' main()):
#: deterministic Euler of the same equations, read from the same recorded samples
COMPARE = {
    "n_spikes": ("exact",),
    "spike_upstroke_ms": ("rel", 1e-9), "spike_peak_ms": ("rel", 1e-9),
    # 2000 Euler steps through a spike: rounding only (seen: 1e-14 relative)
    "v_max_after_first_pulse_mV": ("rel", 1e-9), "v_max_after_second_pulse_mV": ("rel", 1e-9),
    "n_min": ("rel", 1e-9), "m_max": ("rel", 1e-9), "v_end_mV": ("rel", 1e-9),
}
STOCHASTIC = False


def main(quick: bool = False, seed: int = 1) -> dict:
    from brian2 import (Equations, NeuronGroup, StateMonitor, TimedArray, cmeter,
                        defaultclock, mS, ms, mV, run, start_scope, uA, uF)
    start_scope()

    def construct_gating_variable_inf_equation(gating_variable):
        return Equations('xinf = 1/(1+exp((v_half-v)/k)) : 1',
                         xinf=f'{gating_variable}_inf',
                         v_half=f'v_{gating_variable}_half',
                         k=f'k_{gating_variable}')

    def construct_gating_variable_tau_equation(gating_variable):
        return Equations('tau = c_base + c_amp*exp(-(v_max - v)**2/sigma**2) : second',
                         tau=f'tau_{gating_variable}',
                         c_base=f'c_{gating_variable}_base',
                         c_amp=f'c_{gating_variable}_amp',
                         v_max=f'v_{gating_variable}_max',
                         sigma=f'sigma_{gating_variable}')

    def construct_gating_variable_ode(gating_variable):
        return Equations('dx/dt = (xinf - x)/tau : 1',
                         x=gating_variable,
                         xinf=f'{gating_variable}_inf',
                         tau=f'tau_{gating_variable}')

    def construct_neuron_ode():
        g_K_eq = Equations('g_K = g_K_bar*n**4 : siemens/meter**2')
        g_Na_eq = Equations('g_Na = g_Na_bar*m**3*h : siemens/meter**2')
        I_K_eq = Equations('I_K = g_K*(v - e_K) : ampere/meter**2')
        I_Na_eq = Equations('I_Na = g_Na*(v - e_Na) : ampere/meter**2')
        I_L_eq = Equations('I_L = g_L*(v - e_L) : ampere/meter**2')
        I_ext_eq = Equations('I_ext = I_stim(t) : ampere/meter**2')
        membrane_eq = Equations('dv/dt = (I_ext - I_K - I_Na - I_L)/C_mem : volt')
        return [g_K_eq, g_Na_eq, I_K_eq, I_Na_eq, I_L_eq, I_ext_eq, membrane_eq]

    def run_simulation(parameters):
        equations = []
        for gating_variable in ["m", "n", "h"]:
            equations.append(
                construct_gating_variable_inf_equation(gating_variable))
            equations.append(
                construct_gating_variable_tau_equation(gating_variable))
            equations.append(construct_gating_variable_ode(gating_variable))
        equations += construct_neuron_ode()

        eqs_HH = reduce(operator.add, equations)
        group = NeuronGroup(1, eqs_HH, method='euler', namespace=parameters)

        group.v = parameters["v_initial"]

        group.m = parameters["m_initial"]
        group.n = parameters["n_initial"]
        group.h = parameters["h_initial"]

        statemon = StateMonitor(group, ['v',
                                        'I_ext',
                                        'm', 'n', 'h',
                                        'g_K', 'g_Na',
                                        'I_K', 'I_Na', 'I_L',
                                        'tau_m', 'tau_n', 'tau_h'],
                                record=True)

        defaultclock.dt = parameters["defaultclock_dt"]
        run(parameters["duration"])

        return statemon

    parameters = {
        'v_n_half': 12*mV, 'v_m_half': 25*mV, 'v_h_half': 3*mV,
        'k_n': 15*mV, 'k_m': 9*mV, 'k_h': -7*mV,
        'v_n_max': -14*mV, 'v_m_max': 27*mV, 'v_h_max': -2*mV,
        'sigma_n': 50*mV, 'sigma_m': 30*mV, 'sigma_h': 20*mV,
        'c_n_amp': 4.7*ms, 'c_m_amp': 0.46*ms, 'c_h_amp': 7.4*ms,
        'c_n_base': 1.1*ms, 'c_m_base': 0.04*ms, 'c_h_base': 1.2*ms,
        'g_K_bar': 36*mS / (cmeter**2), 'g_Na_bar': 120*mS / (cmeter**2),
        'g_L': 0.3*mS / (cmeter**2),
        'e_K': -12*mV, 'e_Na': 120*mV, 'e_L': 10.6*mV,
        'C_mem': 1*uF / cmeter**2,
        'v_initial': 0*mV,
        'm_initial': 0.05, 'n_initial': 0.32, 'h_initial': 0.60,
        'I_stim': TimedArray(values=([0]*4+[4]+[0]*15+[15]+[0])*uA/(cmeter**2),
                             dt=0.5*ms),
        'defaultclock_dt': 0.01*ms,
        'duration': 20*ms,
    }
    statemon = run_simulation(parameters)

    dt = 0.01
    v = np.asarray(statemon.v[0] / mV)
    m, n = np.asarray(statemon.m[0]), np.asarray(statemon.n[0])
    t = np.arange(v.size) * dt
    first, second = (t >= 2.0) & (t < 10.0), t >= 10.0
    up = np.flatnonzero((v[:-1] <= 50.0) & (v[1:] > 50.0))
    return {
        "duration_ms": 20.0,
        "v_max_after_first_pulse_mV": float(v[first].max()),
        "v_max_after_second_pulse_mV": float(v[second].max()),
        "n_spikes": int(up.size),
        "spike_upstroke_ms": float(t[up[0] + 1]) if up.size else float("nan"),
        "spike_peak_ms": float(t[second][np.argmax(v[second])]),
        "n_min": float(n.min()), "m_max": float(m.max()),
        "v_end_mV": float(v[-1]),
    }
