"""Brian2's ``examples/phase_locking.py``, at the scale of examples/brian2/phase_locking.py,
returning the quantities that example returns (run with the peer venv's python only). Spike
times are given as pyspike stamps them (README, timing conventions: one step after Brian2's
stamp), computed as pyspike computes them, (step + 1) * dt, so that the last 500 ms hold
the same spikes on both sides."""
import numpy as np

#: How each compared result must agree (keys returned by both sides' main()): the initial
#: potentials are random, so over 3 seeds per side within 4 standard deviations of the seeds.
COMPARE = {"rate_weakest_a_Hz": ("spread", 4), "rate_strongest_a_Hz": ("spread", 4),
           "n_locked": ("spread", 4), "smallest_locked_a": ("spread", 4),
           "vector_strength_weakest10": ("spread", 4),
           "vector_strength_strongest10": ("spread", 4)}
#: ms: the peers' step; a stamp is (step + 1) * DT, as pyspike computes it
DT = 0.1
STOCHASTIC = True


def is_locked(t: np.ndarray, start: float, cycles: int, period: float = 100.0,
              tolerance: float = 1.0) -> bool:
    """The port's test: the same spikes, within ``tolerance`` ms, in each of ``cycles``."""
    cycle = ((t - start) // period).astype(int)
    counts = np.bincount(cycle, minlength=cycles)[:cycles]
    if counts[0] == 0 or np.any(counts != counts[0]):
        return False
    per_cycle = np.array([np.sort(t[cycle == c] - start - c * period) for c in range(cycles)])
    return bool(np.all(per_cycle.max(axis=0) - per_cycle.min(axis=0) < tolerance))


def vector_strength(t: np.ndarray, period: float) -> float:
    if t.size == 0:
        return float("nan")
    return float(np.abs(np.mean(np.exp(2j * np.pi * t / period))))


def main(quick: bool = False, seed: int = 1) -> dict:
    from brian2 import (Hz, NeuronGroup, SpikeMonitor, StateMonitor, defaultclock, ms, run)
    from brian2 import seed as brian2_seed

    brian2_seed(seed)
    tau = 20*ms
    n = 100
    b = 1.2  # constant current mean, the modulation varies
    freq = 10*Hz

    eqs = '''
    dv/dt = (-v + a * sin(2 * pi * freq * t) + b) / tau : 1
    a : 1
    '''
    neurons = NeuronGroup(n, model=eqs, threshold='v > 1', reset='v = 0',
                          method='euler')
    neurons.v = 'rand()'
    neurons.a = '0.05 + 0.7*i/n'
    S = SpikeMonitor(neurons)
    trace = StateMonitor(neurons, 'v', record=50)

    run(1000*ms)
    duration = 1000.0
    i = np.asarray(S.i)
    t = (np.round(np.asarray(S.t / defaultclock.dt)) + 1) * DT   # pyspike's stamps
    count = np.asarray(S.count)
    late = t > duration - 500.0
    locked = np.array([is_locked(t[late & (i == k)], duration - 500.0, 5) for k in range(n)])
    a = np.asarray(neurons.a[:])
    return {
        "n_neurons": n, "duration_ms": duration,
        "rate_weakest_a_Hz": float(count[0]), "rate_strongest_a_Hz": float(count[-1]),
        "n_locked": int(locked.sum()),
        "smallest_locked_a": float(a[locked].min()) if locked.any() else float("nan"),
        "vector_strength_weakest10": vector_strength(t[late & (i < 10)], 100.0),
        "vector_strength_strongest10": vector_strength(t[late & (i >= n - 10)], 100.0),
        "v50_max": float(np.max(trace.v)),
    }
