"""Brian2's ``examples/frompapers/Sturzl_et_al_2000.py``, at the scale of
examples/brian2/Sturzl_et_al_2000.py, returning the quantities that example returns (run
with the peer venv's python only). The wave's random phases come from NumPy's generator,
seeded by ``seed`` through brian2.seed; the port draws its own."""
import numpy as np

#: How each compared result must agree (keys returned by both sides' main()): a random wave
#: and noisy receptors, so over 3 seeds per side within 4 standard deviations; the
#: inhibitory connections follow a rule without randomness: equal.
COMPARE = {"n_inhibitory_synapses": ("exact",), "estimated_angle_deg": ("spread", 4),
           "leg_rate_Hz": ("spread", 4), "max_command_rate_Hz": ("spread", 4)}
STOCHASTIC = True


def main(quick: bool = False, seed: int = 1) -> dict:
    from brian2 import (Hz, NeuronGroup, SpikeMonitor, Synapses, TimedArray, cm, defaultclock,
                        meter, ms, run, second)
    from brian2 import seed as brian2_seed
    from numpy import arange, cos, exp, imag, log, pi
    from numpy.random import rand

    brian2_seed(seed)
    # Parameters
    degree = 2 * pi / 360.
    duration = 500*ms
    R = 2.5*cm  # radius of scorpion
    vr = 50*meter/second  # Rayleigh wave speed
    phi = 144*degree  # angle of prey
    deltaI = .7*ms  # inhibitory delay
    gamma = (22.5 + 45 * arange(8)) * degree  # leg angle
    delay = R / vr * (1 - cos(phi - gamma))   # wave delay

    # Wave (vector w)
    time = arange(int(duration / defaultclock.dt) + 1) * defaultclock.dt
    Dtot = 0.
    w = 0.
    for f in arange(150, 451)*Hz:
        D = exp(-(f/Hz - 300) ** 2 / (2 * (50 ** 2)))
        rand_angle = 2 * pi * rand()
        w += 100 * D * cos(2 * pi * f * time + rand_angle)
        Dtot += D
    w = .01 * w / Dtot

    # Rates from the wave
    rates = TimedArray(w, dt=defaultclock.dt)

    # Leg mechanical receptors
    tau_legs = 1 * ms
    sigma = .01
    eqs_legs = """
    dv/dt = (1 + rates(t - d) - v)/tau_legs + sigma*(2./tau_legs)**.5*xi:1
    d : second
    """
    legs = NeuronGroup(8, model=eqs_legs, threshold='v > 1', reset='v = 0',
                       refractory=1*ms, method='euler')
    legs.d = delay
    spikes_legs = SpikeMonitor(legs)

    # Command neurons
    tau = 1 * ms
    taus = 1.001 * ms
    wex = 7
    winh = -2
    eqs_neuron = '''
    dv/dt = (x - v)/tau : 1
    dx/dt = (y - x)/taus : 1 # alpha currents
    dy/dt = -y/taus : 1
    '''
    neurons = NeuronGroup(8, model=eqs_neuron, threshold='v>1', reset='v=0',
                          method='exact')
    synapses_ex = Synapses(legs, neurons, on_pre='y+=wex')
    synapses_ex.connect(j='i')
    synapses_inh = Synapses(legs, neurons, on_pre='y+=winh', delay=deltaI)
    synapses_inh.connect('abs(((j - i) % N_post) - N_post/2) <= 1')
    spikes = SpikeMonitor(neurons)

    run(duration)

    nspikes = np.asarray(spikes.count)
    phi_est = imag(log(sum(nspikes * exp(gamma * 1j))))
    error = (phi_est - phi + pi) % (2 * pi) - pi
    seconds = float(duration / second)
    return {
        "duration_ms": float(duration / ms),
        "true_angle_deg": float(phi / degree),
        "estimated_angle_deg": float(phi_est / degree),
        "error_deg": float(error / degree),
        "leg_rate_Hz": float(np.mean(spikes_legs.count) / seconds),
        "max_command_rate_Hz": float(nspikes.max() / seconds),
        "n_inhibitory_synapses": int(len(synapses_inh)),
        "command_spikes": nspikes,
    }
