"""Brian2's ``examples/frompapers/Vogels_et_al_2011.py``, at the scale of
examples/brian2/Vogels_et_al_2011.py (10 s; quick: 3 s), returning the quantities that
example returns (run with the peer venv's python only). Spike times are given as pyspike
stamps them (README, timing conventions: one step after Brian2's stamp), computed as
pyspike computes them, (step + 1) * dt."""
import numpy as np

#: How each compared result must agree (keys returned by both sides' main()): random
#: connections, so over 3 seeds per side within 4 standard deviations of the seeds.
COMPARE = {"exc_rate_before_Hz": ("spread", 4), "exc_rate_end_Hz": ("spread", 4),
           "exc_rate_last_second_Hz": ("spread", 4), "mean_w_end": ("spread", 4),
           "n_plastic_synapses": ("spread", 4)}
#: ms: the peers' step; a stamp is (step + 1) * DT, as pyspike computes it
DT = 0.1
STOCHASTIC = True


def rate_Hz(t: np.ndarray, n: int, start: float, stop: float) -> float:
    return float(np.count_nonzero((t > start) & (t <= stop)) / n / ((stop - start) / 1000))


def main(quick: bool = False, seed: int = 1) -> dict:
    from brian2 import (Hz, NeuronGroup, SpikeMonitor, Synapses, defaultclock, ms, mV,
                        nsiemens, pA, pfarad, run, second)
    from brian2 import seed as brian2_seed

    brian2_seed(seed)
    NE = 8000          # Number of excitatory cells
    NI = NE/4          # Number of inhibitory cells

    tau_ampa = 5.0*ms   # Glutamatergic synaptic time constant
    tau_gaba = 10.0*ms  # GABAergic synaptic time constant
    epsilon = 0.02      # Sparseness of synaptic connections

    tau_stdp = 20*ms    # STDP time constant

    simtime = (3 if quick else 10)*second  # Simulation time

    gl = 10.0*nsiemens   # Leak conductance
    el = -60*mV          # Resting potential
    er = -80*mV          # Inhibitory reversal potential
    vt = -50.*mV         # Spiking threshold
    memc = 200.0*pfarad  # Membrane capacitance
    bgcurrent = 200*pA   # External current

    eqs_neurons = '''
    dv/dt=(-gl*(v-el)-(g_ampa*v+g_gaba*(v-er))+bgcurrent)/memc : volt (unless refractory)
    dg_ampa/dt = -g_ampa/tau_ampa : siemens
    dg_gaba/dt = -g_gaba/tau_gaba : siemens
    '''

    neurons = NeuronGroup(NE+NI, model=eqs_neurons, threshold='v > vt',
                          reset='v=el', refractory=5*ms, method='euler')
    Pe = neurons[:NE]
    Pi = neurons[NE:]

    con_e = Synapses(Pe, neurons, on_pre='g_ampa += 0.3*nS')
    con_e.connect(p=epsilon)
    con_ii = Synapses(Pi, Pi, on_pre='g_gaba += 3*nS')
    con_ii.connect(p=epsilon)

    eqs_stdp_inhib = '''
    w : 1
    dApre/dt=-Apre/tau_stdp : 1 (event-driven)
    dApost/dt=-Apost/tau_stdp : 1 (event-driven)
    '''
    alpha = 3*Hz*tau_stdp*2  # Target rate parameter
    gmax = 100               # Maximum inhibitory weight

    con_ie = Synapses(Pi, Pe, model=eqs_stdp_inhib,
                      on_pre='''Apre += 1.
                             w = clip(w+(Apost-alpha)*eta, 0, gmax)
                             g_gaba += w*nS''',
                      on_post='''Apost += 1.
                              w = clip(w+Apre*eta, 0, gmax)
                           ''')
    con_ie.connect(p=epsilon)
    con_ie.w = 1e-10

    sm = SpikeMonitor(Pe)

    eta = 0          # Learning rate
    run(1*second)

    eta = 1e-2          # Learning rate
    run(simtime-1*second)

    t = (np.round(np.asarray(sm.t / defaultclock.dt)) + 1) * DT   # pyspike's stamps
    w = np.asarray(con_ie.w)
    end = float(simtime / ms)
    return {
        "n_neurons": int(NE + NI), "duration_ms": end,
        "exc_rate_before_Hz": rate_Hz(t, NE, 900.0, 1000.0),
        "exc_rate_end_Hz": rate_Hz(t, NE, end - 100.0, end),
        "exc_rate_last_second_Hz": rate_Hz(t, NE, end - 1000.0, end),
        "mean_w_end": float(w.mean()),
        "n_plastic_synapses": int(w.size),
    }
