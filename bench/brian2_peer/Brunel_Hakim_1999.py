"""Brian2's ``examples/frompapers/Brunel_Hakim_1999.py``, at the scale of
examples/brian2/Brunel_Hakim_1999.py (its quick scale: N = 2000, C = 400, J scaled by
1000/C so that C*J stays), returning the quantities that example returns (run with the peer
venv's python only)."""
import numpy as np

#: How each compared result must agree (keys returned by both sides' main()): white noise
#: and random connections, so over 3 seeds per side within 4 standard deviations.
COMPARE = {"mean_rate_Hz": ("spread", 4), "fraction_of_neurons_firing": ("spread", 4),
           "max_spikes_per_neuron": ("spread", 4), "oscillation_Hz": ("spread", 4),
           "rate_peak_to_mean": ("spread", 4)}
STOCHASTIC = True


def oscillation_frequency(rate: np.ndarray, dt: float, fmin: float = 20.0) -> float:
    """Hz: the peak of the power spectrum of ``rate`` (sampled every dt ms) above fmin."""
    x = rate - rate.mean()
    power = np.abs(np.fft.rfft(x)) ** 2
    freq = np.fft.rfftfreq(x.size, dt / 1000.0)
    keep = freq >= fmin
    return float(freq[keep][np.argmax(power[keep])])


def main(quick: bool = False, seed: int = 1) -> dict:
    from brian2 import (Hz, NeuronGroup, PopulationRateMonitor, SpikeMonitor, Synapses, mV,
                        ms, run, second)
    from brian2 import seed as brian2_seed

    brian2_seed(seed)
    N = 2000 if quick else 5000
    Vr = 10*mV
    theta = 20*mV
    tau = 20*ms
    delta = 2*ms
    taurefr = 2*ms
    duration = .1*second
    C = 400 if quick else 1000
    sparseness = float(C)/N
    J = .1*mV * 1000 / C
    muext = 25*mV
    sigmaext = 1*mV

    eqs = """
    dV/dt = (-V+muext + sigmaext * sqrt(tau) * xi)/tau : volt
    """

    group = NeuronGroup(N, eqs, threshold='V>theta',
                        reset='V=Vr', refractory=taurefr, method='euler')
    group.V = Vr
    conn = Synapses(group, group, on_pre='V += -J', delay=delta)
    conn.connect(p=sparseness)
    M = SpikeMonitor(group)
    LFP = PopulationRateMonitor(group)

    run(duration)
    i = np.asarray(M.i)
    smooth = np.asarray(LFP.smooth_rate(window='flat', width=0.5*ms) / Hz)
    after = np.asarray(LFP.t / ms) > 20.0
    return {
        "n_neurons": N, "connections_per_neuron": C, "duration_ms": float(duration / ms),
        "mean_rate_Hz": float(i.size / N / float(duration / second)),
        "fraction_of_neurons_firing": float(np.unique(i).size / N),
        "max_spikes_per_neuron": int(np.max(M.count)),
        "oscillation_Hz": oscillation_frequency(smooth[after], 0.1),
        "rate_peak_to_mean": float(smooth[after].max() / max(smooth[after].mean(), 1e-12)),
    }
