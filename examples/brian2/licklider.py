"""Brian2's ``examples/synapses/licklider.py``: a spike-based version of Licklider's
model of pitch processing (autocorrelation with delay lines) with phase locking.

Brian2's model text and numbers: two noisy receptors (tau_ear 1 ms, noise 0.1, threshold
1, reset 0, refractory 2 ms, Euler-Maruyama at dt = 0.02 ms) hear the sound 5 sin(2 pi
frequency t)**3 with frequency = 200 Hz + 200 Hz * t/s; 300 noisy coincidence detectors
(tau 1 ms, sigma 0.1) receive both receptors (v += 0.5, threshold 1), receptor 0 without
delay and receptor 1 with a delay of 1/f_j, f_j spaced logarithmically from 50 to 1000
Hz, so that detector j fires most when the sound repeats with period 1/f_j; 500 ms.
Brian2's example plots the raster with f_j on the axis; this port prints the number of
spikes and, for each 100 ms, the pitch the detectors report (the f_j of the most active
group of nine neighbouring detectors) next to the sound's instantaneous frequency: the
phase 2 pi (200 t + 200 t**2) turns at 200 + 400 t Hz (t in s), not at the
``frequency`` the example names, and the detectors follow it (within a few percent after
the first 100 ms).  The mean relative error over the last four windows is printed too.

    python examples/brian2/licklider.py [--quick]
"""
import sys
from typing import Dict, Optional

import numpy as np

import pyspike as ps
from pyspike.units import Hz, ms

# Ear and sound
max_delay = 20*ms  # 50 Hz
tau_ear = 1*ms
sigma_ear = 0.0
eqs_ear = '''
dx/dt = (sound-x)/tau_ear+0.1*(2./tau_ear)**.5*xi : 1 (unless refractory)
sound = 5*sin(2*pi*frequency*t)**3 : 1 # nonlinear distortion
#sound = 5*(sin(4*pi*frequency*t)+.5*sin(6*pi*frequency*t)) : 1 # missing fundamental
frequency = (200+200*t*Hz)*Hz : Hz # increasing pitch
'''
# Coincidence detectors
min_freq = 50*Hz
max_freq = 1000*Hz
num_neurons = 300
tau = 1*ms
sigma = .1
eqs_neurons = '''
dv/dt = -v/tau+sigma*(2./tau)**.5*xi : 1
'''
WINDOW = 100.0      # ms


def reported_pitch(i: np.ndarray, t: np.ndarray, best: np.ndarray, start: float,
                   stop: float) -> float:
    """Hz: the best frequency of the most active group of nine neighbouring detectors
    between start and stop (ms)."""
    inside = (t >= start) & (t < stop)
    counts = np.bincount(i[inside], minlength=best.size).astype(float)
    return float(best[np.argmax(np.convolve(counts, np.ones(9) / 9, mode="same"))])


def main(duration: Optional[float] = None, quick: bool = False, backend: str = "cpu",
         seed: int = 1) -> Dict[str, object]:
    duration = 500.0 if duration is None else float(duration)   # 25000 steps, 300 cells
    net = ps.Network(dt=.02*ms, seed=seed, backend=backend)
    with net:
        receptors = ps.NeuronGroup(2, ps.NeuronModel(equations=eqs_ear, threshold='x>1',
                                                     reset='x=0', refractory=2*ms,
                                                     method='euler',
                                                     params={"tau_ear": tau_ear}))
        neurons = ps.NeuronGroup(num_neurons, ps.NeuronModel(
            equations=eqs_neurons, threshold='v>1', reset='v=0', method='euler',
            params={"tau": tau, "sigma": sigma}))
        synapses = ps.Synapses(receptors, neurons, on_pre='v += 0.5',
                               params={"min_freq": min_freq, "max_freq": max_freq,
                                       "num_neurons": num_neurons})
        synapses.connect()
        synapses.delay = ('i*1.0/exp(log(min_freq/Hz)+(j*1.0/(num_neurons-1))'
                          '*log(max_freq/min_freq))*second')
        spikes = ps.SpikeMonitor(neurons)
    net.run(duration)
    i, t = np.asarray(spikes.i), np.asarray(spikes.t)
    delays = np.asarray(synapses.delay)
    best = 1000.0 / delays[np.asarray(synapses.i) == 1]     # Hz, detector j's f_j
    results: Dict[str, object] = {"duration_ms": duration, "n_spikes": int(i.size)}
    errors = []
    for start in np.arange(0.0, duration - WINDOW + 1e-9, WINDOW):
        middle = (start + WINDOW / 2) / 1000.0
        sound = 200.0 + 400.0 * middle
        pitch = reported_pitch(i, t, best, start, start + WINDOW)
        results[f"pitch_{int(start)}ms_Hz"] = pitch
        results[f"sound_{int(start)}ms_Hz"] = sound
        if start > 0:
            errors.append(abs(pitch / sound - 1))
    results["mean_relative_pitch_error"] = float(np.mean(errors)) if errors \
        else float("nan")
    for key, value in results.items():
        print(f"{key}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
