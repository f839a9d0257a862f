"""Brian2's ``examples/synapses/licklider.py``, at the scale of examples/brian2/licklider.py,
returning the quantities that example returns (run with the peer venv's python only)."""
import numpy as np

_WINDOWS = (0, 100, 200, 300, 400)
#: How each compared result must agree (keys returned by both sides' main()):
#: stochastic (noisy receptors and detectors): means over 3 seeds within 3 spreads; the
#: reported pitch is the f_j of a detector, a grid of ~1% steps, which seeds move by a few
#: steps (the harness's absolute floor covers windows where all seeds agree)
COMPARE = {
    "n_spikes": ("spread", 3), "mean_relative_pitch_error": ("spread", 3),
    **{f"pitch_{w}ms_Hz": ("spread", 3) for w in _WINDOWS},
    **{f"sound_{w}ms_Hz": ("exact",) for w in _WINDOWS},
}
STOCHASTIC = True


def main(quick: bool = False, seed: int = 1) -> dict:
    from brian2 import (Hz, NeuronGroup, SpikeMonitor, Synapses, defaultclock, ms, run,
                        second, start_scope)
    from brian2 import seed as brian2_seed
    start_scope()
    brian2_seed(seed)

    defaultclock.dt = .02 * ms

    # Ear and sound
    max_delay = 20*ms  # 50 Hz  # noqa: F841 (as Brian2's)
    tau_ear = 1*ms  # noqa: F841 (read by Brian2's namespace)
    sigma_ear = 0.0  # noqa: F841
    eqs_ear = '''
    dx/dt = (sound-x)/tau_ear+0.1*(2./tau_ear)**.5*xi : 1 (unless refractory)
    sound = 5*sin(2*pi*frequency*t)**3 : 1 # nonlinear distortion
    #sound = 5*(sin(4*pi*frequency*t)+.5*sin(6*pi*frequency*t)) : 1 # missing fundamental
    frequency = (200+200*t*Hz)*Hz : Hz # increasing pitch
    '''
    receptors = NeuronGroup(2, eqs_ear, threshold='x>1', reset='x=0',
                            refractory=2*ms, method='euler')
    # Coincidence detectors
    min_freq = 50*Hz  # noqa: F841
    max_freq = 1000*Hz  # noqa: F841
    num_neurons = 300
    tau = 1*ms  # noqa: F841
    sigma = .1  # noqa: F841
    eqs_neurons = '''
    dv/dt = -v/tau+sigma*(2./tau)**.5*xi : 1
    '''

    neurons = NeuronGroup(num_neurons, eqs_neurons, threshold='v>1', reset='v=0',
                          method='euler')

    synapses = Synapses(receptors, neurons, on_pre='v += 0.5')
    synapses.connect()
    synapses.delay = \
        'i*1.0/exp(log(min_freq/Hz)+(j*1.0/(num_neurons-1))*log(max_freq/min_freq))*second'

    spikes = SpikeMonitor(neurons)

    run(500*ms)

    i, t = np.asarray(spikes.i), np.asarray(spikes.t / ms)
    best = 1.0 / np.asarray(synapses.delay[1, :] / second)
    results = {"duration_ms": 500.0, "n_spikes": int(i.size)}
    errors = []
    for start in _WINDOWS:
        inside = (t >= start) & (t < start + 100.0)
        counts = np.bincount(i[inside], minlength=num_neurons).astype(float)
        pitch = float(best[np.argmax(np.convolve(counts, np.ones(9) / 9, mode="same"))])
        sound = 200.0 + 400.0 * (start + 50.0) / 1000.0
        results[f"pitch_{start}ms_Hz"] = pitch
        results[f"sound_{start}ms_Hz"] = sound
        if start > 0:
            errors.append(abs(pitch / sound - 1))
    results["mean_relative_pitch_error"] = float(np.mean(errors))
    return results
