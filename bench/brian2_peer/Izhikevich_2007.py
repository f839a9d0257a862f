"""Brian2's ``examples/frompapers/Izhikevich_2007.py``, at the scale of
examples/brian2/Izhikevich_2007.py (the whole 6 s protocol), returning the quantities that
example returns (run with the peer venv's python only)."""
import numpy as np

#: How each compared result must agree: the model is deterministic, so the spike counts
#: are equal; the strengths and traces are sums of Euler steps of the same formulas in
#: the same order, equal to rounding (1e-9 relative leaves room for a differently
#: associated product or two).
COMPARE = {"spikes_neuron0": ("exact",), "spikes_neuron1": ("exact",),
           "s_after_classical_over_gmax": ("rel", 1e-9), "s_final_over_gmax": ("rel", 1e-9),
           "max_c_over_gmax": ("rel", 1e-9), "max_d": ("rel", 1e-9),
           "d_final": ("rel", 1e-9)}
STOCHASTIC = False


def main(quick: bool = False, seed: int = 1) -> dict:
    from brian2 import (NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, StateMonitor,
                        Synapses, array, get_device, ms, mV, run, second)

    if type(get_device()).__name__ == "CPPStandaloneDevice":
        # the example reads s and sets mode between its two runs: Brian2's standalone
        # mode runs the whole script at its first run() and reads nothing in between
        raise RuntimeError("Izhikevich_2007 needs Brian2's runtime target (two runs with "
                           "a variable read and set between them)")

    simulation_duration = 6 * second
    taum = 10*ms
    Ee = 0*mV
    vt = -54*mV
    vr = -60*mV
    El = -74*mV
    taue = 5*ms
    taupre = 20*ms
    taupost = taupre
    gmax = .01
    dApre = .01
    dApost = -dApre * taupre / taupost * 1.05
    dApost *= gmax
    dApre *= gmax
    tauc = 1000*ms
    taud = 200*ms
    taus = 1*ms
    epsilon_dopa = 5e-3
    namespace = dict(locals())

    input_indices = array([0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0])
    input_times = array([500, 550, 1000, 1010, 1500, 1510,
                         3500, 3550, 4000, 4010, 4500, 4510])*ms
    spike_input = SpikeGeneratorGroup(2, input_indices, input_times)
    neurons = NeuronGroup(2, '''dv/dt = (ge * (Ee-v) + El - v) / taum : volt
                                dge/dt = -ge / taue : 1''',
                          threshold='v>vt', reset='v = vr', method='euler',
                          namespace=namespace)
    neurons.v = vr
    neurons_monitor = SpikeMonitor(neurons)
    synapse = Synapses(spike_input, neurons, model='''s: volt''', on_pre='v += s')
    synapse.connect(i=[0, 1], j=[0, 1])
    synapse.s = 100. * mV
    synapse_stdp = Synapses(neurons, neurons,
                            model='''mode: 1
                         dc/dt = -c / tauc : 1 (clock-driven)
                         dd/dt = -d / taud : 1 (clock-driven)
                         ds/dt = mode * c * d / taus : 1 (clock-driven)
                         dApre/dt = -Apre / taupre : 1 (event-driven)
                         dApost/dt = -Apost / taupost : 1 (event-driven)''',
                            on_pre='''ge += s
                          Apre += dApre
                          c = clip(c + mode * Apost, -gmax, gmax)
                          s = clip(s + (1-mode) * Apost, -gmax, gmax)
                          ''',
                            on_post='''Apost += dApost
                          c = clip(c + mode * Apre, -gmax, gmax)
                          s = clip(s + (1-mode) * Apre, -gmax, gmax)
                          ''',
                            method='euler', namespace=namespace)
    synapse_stdp.connect(i=0, j=1)
    synapse_stdp.mode = 0
    synapse_stdp.s = 1e-10
    synapse_stdp.c = 1e-10
    synapse_stdp.d = 0
    synapse_stdp_monitor = StateMonitor(synapse_stdp, ['s', 'c', 'd'], record=[0])
    dopamine = SpikeGeneratorGroup(1, array([0, 0, 0]), array([3520, 4020, 4520])*ms)
    reward = Synapses(dopamine, synapse_stdp, model='''''',
                      on_pre='''d_post += epsilon_dopa''', method='exact',
                      namespace=namespace)
    reward.connect()
    synapse_stdp.mode = 0
    run(simulation_duration/2, namespace=namespace)
    s_classical = float(synapse_stdp.s[0])
    synapse_stdp.mode = 1
    run(simulation_duration/2, namespace=namespace)
    counts = np.asarray(neurons_monitor.count)
    return {
        "duration_ms": float(simulation_duration / ms),
        "spikes_neuron0": int(counts[0]), "spikes_neuron1": int(counts[1]),
        "s_after_classical_over_gmax": s_classical / gmax,
        "s_final_over_gmax": float(synapse_stdp.s[0]) / gmax,
        "max_c_over_gmax": float(np.max(synapse_stdp_monitor.c)) / gmax,
        "max_d": float(np.max(synapse_stdp_monitor.d)),
        "d_final": float(synapse_stdp.d[0]),
    }
