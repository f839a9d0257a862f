"""Brian2's ``examples/COBAHH.py``, at the scale of examples/brian2/COBAHH.py, returning the
quantities that example returns (run with the peer venv's python only). Monitors as the
port has them: Brian2's three traces and a SpikeMonitor for the rate."""
import numpy as np

#: How each compared result must agree (keys returned by both sides' main()): random initial
#: state and connections, so over 3 seeds per side within 4 standard deviations.
COMPARE = {"mean_rate_Hz": ("spread", 4), "mean_isi_cv": ("spread", 4),
           "n_synapses": ("spread", 4), "mean_traced_v_mV": ("spread", 4)}
STOCHASTIC = True


def mean_isi_cv(i: np.ndarray, t: np.ndarray) -> float:
    order = np.lexsort((t, i))
    i, t = i[order], t[order]
    same = i[1:] == i[:-1]
    who, isi = i[1:][same], np.diff(t)[same]
    cvs = [isi[who == k].std() / isi[who == k].mean()
           for k in np.unique(who) if np.count_nonzero(who == k) >= 2]
    return float(np.mean(cvs)) if cvs else float("nan")


def main(quick: bool = False, seed: int = 1) -> dict:
    from brian2 import (Equations, NeuronGroup, SpikeMonitor, StateMonitor, Synapses, cm, mV,
                        ms, msiemens, nS, run, second, siemens, ufarad, umetre)
    from brian2 import seed as brian2_seed

    brian2_seed(seed)
    duration = (0.2 if quick else 1) * second
    # Parameters
    area = 20000*umetre**2
    Cm = (1*ufarad*cm**-2) * area
    gl = (5e-5*siemens*cm**-2) * area

    El = -60*mV
    EK = -90*mV
    ENa = 50*mV
    g_na = (100*msiemens*cm**-2) * area
    g_kd = (30*msiemens*cm**-2) * area
    VT = -63*mV
    # Time constants
    taue = 5*ms
    taui = 10*ms
    # Reversal potentials
    Ee = 0*mV
    Ei = -80*mV
    we = 6*nS  # excitatory synaptic weight
    wi = 67*nS  # inhibitory synaptic weight

    # The model
    eqs = Equations('''
    dv/dt = (gl*(El-v)+ge*(Ee-v)+gi*(Ei-v)-
             g_na*(m*m*m)*h*(v-ENa)-
             g_kd*(n*n*n*n)*(v-EK))/Cm : volt
    dm/dt = alpha_m*(1-m)-beta_m*m : 1
    dn/dt = alpha_n*(1-n)-beta_n*n : 1
    dh/dt = alpha_h*(1-h)-beta_h*h : 1
    dge/dt = -ge*(1./taue) : siemens
    dgi/dt = -gi*(1./taui) : siemens
    alpha_m = 0.32*(mV**-1)*4*mV/exprel((13*mV-v+VT)/(4*mV))/ms : Hz
    beta_m = 0.28*(mV**-1)*5*mV/exprel((v-VT-40*mV)/(5*mV))/ms : Hz
    alpha_h = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
    beta_h = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
    alpha_n = 0.032*(mV**-1)*5*mV/exprel((15*mV-v+VT)/(5*mV))/ms : Hz
    beta_n = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
    ''')

    P = NeuronGroup(4000, model=eqs, threshold='v>-20*mV', refractory=3*ms,
                    method='exponential_euler')
    Pe = P[:3200]
    Pi = P[3200:]
    Ce = Synapses(Pe, P, on_pre='ge+=we')
    Ci = Synapses(Pi, P, on_pre='gi+=wi')
    Ce.connect(p=0.02)
    Ci.connect(p=0.02)

    # Initialization
    P.v = 'El + (randn() * 5 - 5)*mV'
    P.ge = '(randn() * 1.5 + 4) * 10.*nS'
    P.gi = '(randn() * 12 + 20) * 10.*nS'

    # Record a few traces
    trace = StateMonitor(P, 'v', record=[1, 10, 100])
    s_mon = SpikeMonitor(P)
    run(duration)
    i, t = np.asarray(s_mon.i), np.asarray(s_mon.t / ms)
    return {
        "n_neurons": 4000, "duration_ms": float(duration / ms),
        "mean_rate_Hz": float(i.size / 4000 / float(duration / second)),
        "mean_isi_cv": mean_isi_cv(i, t),
        "n_synapses": int(len(Ce) + len(Ci)),
        "mean_traced_v_mV": float(np.mean(trace.v / mV)),
    }
