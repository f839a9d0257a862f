"""Brian2's ``examples/synapses/STDP.py``, at the scale of examples/brian2/STDP.py, returning
the quantities that example returns (run with the peer venv's python only). Monitors as the
port has them: the output neuron's spikes (Brian2's text records the 1000 inputs' spikes
and two weights, for its plots). Spike times are given as pyspike stamps them (README,
timing conventions: one step after Brian2's stamp), computed as pyspike computes them,
(step + 1) * dt."""
import numpy as np

#: How each compared result must agree (keys returned by both sides' main()): Poisson inputs
#: and random initial weights, so over 3 seeds per side within 4 standard deviations.
#: (The port's initial mean weight is not compared: C++ standalone cannot read S.w before
#: its run, and it is the mean of 1000 uniform draws, 0.5.)
COMPARE = {"mean_w_over_gmax": ("spread", 4),
           "fraction_below_0.1": ("spread", 4), "fraction_above_0.9": ("spread", 4),
           "late_output_rate_Hz": ("spread", 4)}
#: ms: the peers' step; a stamp is (step + 1) * DT, as pyspike computes it
DT = 0.1
STOCHASTIC = True


def main(quick: bool = False, seed: int = 1) -> dict:
    from brian2 import (Hz, NeuronGroup, PoissonGroup, SpikeMonitor, Synapses, defaultclock,
                        mV, ms, run, second)
    from brian2 import seed as brian2_seed

    brian2_seed(seed)
    duration = (10 if quick else 100)*second
    N = 1000
    taum = 10*ms
    taupre = 20*ms
    taupost = taupre
    Ee = 0*mV
    vt = -54*mV
    vr = -60*mV
    El = -74*mV
    taue = 5*ms
    F = 15*Hz
    gmax = .01
    dApre = .01
    dApost = -dApre * taupre / taupost * 1.05
    dApost *= gmax
    dApre *= gmax

    eqs_neurons = '''
    dv/dt = (ge * (Ee-v) + El - v) / taum : volt
    dge/dt = -ge / taue : 1
    '''

    poisson_input = PoissonGroup(N, rates=F)
    neurons = NeuronGroup(1, eqs_neurons, threshold='v>vt', reset='v = vr',
                          method='euler')
    S = Synapses(poisson_input, neurons,
                 '''w : 1
                    dApre/dt = -Apre / taupre : 1 (event-driven)
                    dApost/dt = -Apost / taupost : 1 (event-driven)''',
                 on_pre='''ge += w
                        Apre += dApre
                        w = clip(w + Apost, 0, gmax)''',
                 on_post='''Apost += dApost
                         w = clip(w + Apre, 0, gmax)''',
                 )
    S.connect()
    S.w = 'rand() * gmax'
    out = SpikeMonitor(neurons)

    run(duration)
    dur = float(duration / ms)
    w = np.asarray(S.w) / gmax
    t = (np.round(np.asarray(out.t / defaultclock.dt)) + 1) * DT   # pyspike's stamps
    late = t > 0.9 * dur
    return {
        "duration_ms": dur,
        "mean_w_over_gmax": float(w.mean()),
        "fraction_below_0.1": float(np.mean(w < 0.1)),
        "fraction_above_0.9": float(np.mean(w > 0.9)),
        "late_output_rate_Hz": float(np.count_nonzero(late) / (0.1 * dur / 1000.0)),
        "w_min_over_gmax": float(w.min()), "w_max_over_gmax": float(w.max()),
    }
