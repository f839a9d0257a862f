"""Brian2's ``examples/CUBA.py``, at the scale of examples/brian2/CUBA.py, returning the
quantities that example returns (run with the peer venv's python only). Spike times are
given as pyspike stamps them (README, timing conventions: one step after Brian2's stamp),
computed as pyspike computes them, (step + 1) * dt."""
import numpy as np

#: How each compared result must agree (keys returned by both sides' main()): random initial
#: potentials and connections, so over 3 seeds per side within 4 standard deviations.
COMPARE = {"mean_rate_Hz": ("spread", 4), "mean_isi_cv": ("spread", 4),
           "n_synapses": ("spread", 4)}
#: ms: the peers' step; a stamp is (step + 1) * DT, as pyspike computes it
DT = 0.1
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
    from brian2 import NeuronGroup, SpikeMonitor, Synapses, defaultclock, mV, ms, run, second
    from brian2 import seed as brian2_seed

    brian2_seed(seed)
    duration = (0.3 if quick else 1) * second
    taum = 20*ms
    taue = 5*ms
    taui = 10*ms
    Vt = -50*mV
    Vr = -60*mV
    El = -49*mV

    eqs = '''
    dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : volt
    dgi/dt = -gi/taui : volt
    '''

    P = NeuronGroup(4000, eqs, threshold='v>Vt', reset='v = Vr', refractory=5*ms,
                    method='exact')
    P.v = 'Vr + rand() * (Vt - Vr)'
    P.ge = 0*mV
    P.gi = 0*mV

    we = (60*0.27/10)*mV  # excitatory synaptic weight (voltage)
    wi = (-20*4.5/10)*mV  # inhibitory synaptic weight
    Ce = Synapses(P, P, on_pre='ge += we')
    Ci = Synapses(P, P, on_pre='gi += wi')
    Ce.connect('i<3200', p=0.02)
    Ci.connect('i>=3200', p=0.02)

    s_mon = SpikeMonitor(P)

    run(duration)
    i = np.asarray(s_mon.i)
    t = (np.round(np.asarray(s_mon.t / defaultclock.dt)) + 1) * DT   # pyspike's stamps
    return {
        "n_neurons": 4000, "duration_ms": float(duration / ms),
        "mean_rate_Hz": float(i.size / 4000 / float(duration / second)),
        "mean_isi_cv": mean_isi_cv(i, t),
        "n_synapses": int(len(Ce) + len(Ci)),
    }
