"""Brian2's ``examples/frompapers/Diesmann_et_al_1999.py``, at the scale of
examples/brian2/Diesmann_et_al_1999.py, returning the quantities that example returns (run
with the peer venv's python only). The input times come from NumPy's generator, seeded by
``seed`` through brian2.seed (Brian2's text leaves them unseeded); the port draws its own
from the same distribution. Spike times are given as pyspike stamps them (README, timing
conventions: one step after Brian2's stamp), computed as pyspike computes them, (step + 1)
* dt."""
import numpy as np

#: How each compared result must agree (keys returned by both sides' main()): white noise,
#: random initial potentials and input times, so over 3 seeds per side within 4 standard
#: deviations (the volley's size a group by group); the synapses are made by a generator
#: without randomness: equal.
COMPARE = {"n_synapses": ("exact",), "groups_reached": ("spread", 4),
           "background_spikes_before_50ms": ("spread", 4), "a_per_group": ("spread", 4)}
#: ms: the peers' step; a stamp is (step + 1) * DT, as pyspike computes it
DT = 0.1
STOCHASTIC = True
N_GROUPS, GROUP_SIZE = 10, 100


def volleys(i: np.ndarray, t: np.ndarray, after: float) -> list:
    """Per group: the spikes after ``after`` within 5 ms of the group's median spike."""
    out = []
    for g in range(N_GROUPS):
        mine = t[(i // GROUP_SIZE == g) & (t > after)]
        if mine.size < 10:
            out.append({"a": int(mine.size), "sigma_ms": float("nan")})
            continue
        near = mine[np.abs(mine - np.median(mine)) < 5.0]
        out.append({"a": int(near.size), "sigma_ms": float(near.std())})
    return out


def main(quick: bool = False, seed: int = 1) -> dict:
    from brian2 import (Equations, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, Synapses,
                        defaultclock, mV, ms, run)
    from brian2 import seed as brian2_seed

    brian2_seed(seed)
    duration = 100*ms

    # Neuron model parameters
    Vr = -70*mV
    Vt = -55*mV
    taum = 10*ms
    taupsp = 0.325*ms
    weight = 4.86*mV
    # Neuron model
    eqs = Equations('''
    dV/dt = (-(V-Vr)+x)*(1./taum) : volt
    dx/dt = (-x+y)*(1./taupsp) : volt
    dy/dt = -y*(1./taupsp)+25.27*mV/ms+
            (39.24*mV/ms**0.5)*xi : volt
    ''')

    # Neuron groups
    n_groups = N_GROUPS
    group_size = GROUP_SIZE
    P = NeuronGroup(N=n_groups*group_size, model=eqs,
                    threshold='V>Vt', reset='V=Vr', refractory=1*ms,
                    method='euler')

    Pinput = SpikeGeneratorGroup(85, np.arange(85),
                                 np.random.randn(85)*1*ms + 50*ms)
    # The network structure
    S = Synapses(P, P, on_pre='y+=weight')
    S.connect(j='k for k in range((int(i/group_size)+1)*group_size, '
                '(int(i/group_size)+2)*group_size) if i<N_pre-group_size')
    Sinput = Synapses(Pinput, P[:group_size], on_pre='y+=weight')
    Sinput.connect()

    # Record the spikes
    Mgp = SpikeMonitor(P)
    # Setup the network, and run it
    P.V = 'Vr + rand() * (Vt - Vr)'
    run(duration)

    i = np.asarray(Mgp.i)
    t = (np.round(np.asarray(Mgp.t / defaultclock.dt)) + 1) * DT   # pyspike's stamps
    per_group = volleys(i, t, after=45.0)
    reached = 0
    for v in per_group:
        if v["a"] < 50:
            break
        reached += 1
    return {
        "duration_ms": float(duration / ms), "n_synapses": int(len(S) + len(Sinput)),
        "groups_reached": reached,
        "a_per_group": [v["a"] for v in per_group],
        "sigma_per_group_ms": [round(v["sigma_ms"], 3) for v in per_group],
        "background_spikes_before_50ms": int(np.count_nonzero(t < 45.0)),
    }
