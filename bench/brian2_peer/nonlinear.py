"""Brian2's ``examples/synapses/nonlinear.py``, at the scale of
examples/brian2/nonlinear.py, returning the quantities that example returns (run with the
peer venv's python only). Monitors as the port has them: g_syn of both synapses (Brian2's
text records ``'g'`` there), g and v of the neuron, and the input spikes."""
import numpy as np

#: How each compared result must agree (keys returned by both sides' main()): the model is
#: deterministic; the input neurons fire on the same steps, and the traces (Euler and
#: exact updates of a smooth system over 10000 steps) agree to float64 rounding.
COMPARE = {"input_spikes": ("exact",),
           "max_g_syn_w1": ("rel", 1e-9), "max_g_syn_w10": ("rel", 1e-9),
           "mean_late_g_syn_w1": ("rel", 1e-9), "mean_late_g_syn_w10": ("rel", 1e-9),
           "max_g": ("rel", 1e-9), "mean_late_g": ("rel", 1e-9),
           "mean_late_v": ("rel", 1e-9)}
STOCHASTIC = False


def main(quick: bool = False, seed: int = 1) -> dict:
    from brian2 import NeuronGroup, SpikeMonitor, StateMonitor, Synapses, ms, run

    duration = 1000*ms
    a = 1 / (10*ms)
    b = 1 / (10*ms)
    c = 1 / (10*ms)

    neuron_input = NeuronGroup(2, 'dv/dt = 1/(10*ms) : 1', threshold='v>1', reset='v = 0',
                               method='euler')
    neurons = NeuronGroup(1, """dv/dt = (g-v)/(10*ms) : 1
                                g : 1""", method='exact')
    S = Synapses(neuron_input, neurons, '''
                    dg_syn/dt = -a*g_syn+b*x*(1-g_syn) : 1 (clock-driven)
                    g_post = g_syn : 1 (summed)
                    dx/dt=-c*x : 1 (clock-driven)
                    w : 1 # synaptic weight
                 ''', on_pre='x += w')  # NMDA synapses

    S.connect()
    S.w = [1., 10.]
    neuron_input.v = [0., 0.5]

    M = StateMonitor(S, 'g_syn', record=np.arange(len(neuron_input)*len(neurons)))
    Mn = StateMonitor(neurons, 'g', record=0)
    Mv = StateMonitor(neurons, 'v', record=0)
    inputs = SpikeMonitor(neuron_input)

    run(duration)
    t = np.asarray(M.t / ms)
    late = t >= float(duration / ms) - 500.0
    g_syn, g = np.asarray(M.g_syn), np.asarray(Mn.g[0])
    return {
        "duration_ms": float(duration / ms),
        "input_spikes": [int(k) for k in np.asarray(inputs.count)],
        "max_g_syn_w1": float(g_syn[0].max()), "max_g_syn_w10": float(g_syn[1].max()),
        "mean_late_g_syn_w1": float(g_syn[0][late].mean()),
        "mean_late_g_syn_w10": float(g_syn[1][late].mean()),
        "max_g": float(g.max()), "mean_late_g": float(g[late].mean()),
        "mean_late_v": float(np.asarray(Mv.v[0])[late].mean()),
    }
