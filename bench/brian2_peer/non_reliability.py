"""Brian2's ``examples/non_reliability.py``, at the scale of
examples/brian2/non_reliability.py, returning the quantities that example returns (run with
the peer venv's python only). Spike times are given as pyspike stamps them (README, timing
conventions: one step after Brian2's stamp), computed as pyspike computes them, (step + 1)
* dt."""
import numpy as np

#: How each compared result must agree (keys returned by both sides' main()): white noise,
#: so over 3 seeds per side within 4 standard deviations of the seeds.
COMPARE = {"mean_rate_Hz": ("spread", 4), "mean_isi_cv": ("spread", 4),
           "first_spike_spread_ms": ("spread", 4), "fifth_spike_spread_ms": ("spread", 4)}
#: ms: the peers' step; a stamp is (step + 1) * DT, as pyspike computes it
DT = 0.1
STOCHASTIC = True


def kth_spike_spread(i: np.ndarray, t: np.ndarray, n: int, k: int) -> float:
    """The standard deviation across neurons of each neuron's k-th spike time (ms)."""
    times = [np.sort(t[i == neuron]) for neuron in range(n)]
    kth = [ts[k - 1] for ts in times if ts.size >= k]
    return float(np.std(kth)) if len(kth) > 1 else float("nan")


def mean_isi_cv(i: np.ndarray, t: np.ndarray, n: int) -> float:
    cvs = []
    for neuron in range(n):
        isi = np.diff(np.sort(t[i == neuron]))
        if isi.size >= 2:
            cvs.append(isi.std() / isi.mean())
    return float(np.mean(cvs)) if cvs else float("nan")


def main(quick: bool = False, seed: int = 1) -> dict:
    from brian2 import NeuronGroup, SpikeMonitor, defaultclock, ms, run
    from brian2 import seed as brian2_seed

    brian2_seed(seed)
    N = 25
    tau = 20*ms
    sigma = .015
    eqs_neurons = '''
    dx/dt = (1.1 - x) / tau + sigma * (2 / tau)**.5 * xi : 1 (unless refractory)
    '''
    neurons = NeuronGroup(N, model=eqs_neurons, threshold='x > 1', reset='x = 0',
                          refractory=5*ms, method='euler')
    spikes = SpikeMonitor(neurons)

    run(500*ms)
    i = np.asarray(spikes.i)
    t = (np.round(np.asarray(spikes.t / defaultclock.dt)) + 1) * DT   # pyspike's stamps
    return {
        "n_neurons": N, "duration_ms": 500.0,
        "mean_rate_Hz": float(i.size / N / 0.5),
        "mean_isi_cv": mean_isi_cv(i, t, N),
        "first_spike_spread_ms": kth_spike_spread(i, t, N, 1),
        "fifth_spike_spread_ms": kth_spike_spread(i, t, N, 5),
    }
