"""Brian2's ``examples/frompapers/Tsodyks_Pawelzik_Markram_1998.py``, at the scale of
examples/brian2/Tsodyks_Pawelzik_Markram_1998.py, returning the quantities that example
returns (run with the peer venv's python only)."""
import numpy as np

#: How each compared result must agree (keys returned by both sides' main()):
#: deterministic (exact neuron, exponential Euler synapse, generator spikes on the grid),
#: read from the same recorded samples: to rounding (seen: 1e-14 relative)
COMPARE = {
    **{f"{p}_n_stimuli": ("exact",) for p in "ABC"},
    **{f"{p}_{what}": ("rel", 1e-9) for p in "ABC"
       for what in ("first_epsp_mV", "max_v_mV", "max_v_ms", "last_epsp_mV", "v_end_mV")},
}
STOCHASTIC = False


def main(quick: bool = False, seed: int = 1) -> dict:
    from brian2 import (Gohm, Hz, Mohm, Network, NeuronGroup, SpikeGeneratorGroup,
                        StateMonitor, Synapses, ms, mV, pA, start_scope)
    start_scope()

    def get_neuron(tau_mem, R_in):
        neuron = NeuronGroup(1,
                             """
                             tau_mem : second
                             I_syn : ampere
                             R_in : ohm
                             dv/dt = -v/tau_mem + (R_in*I_syn)/tau_mem : volt
                             """,
                             method="exact")
        neuron.tau_mem = tau_mem
        neuron.R_in = R_in
        return neuron

    def get_synapses(stimulus, neuron, tau_inact, A_SE, U_SE, tau_rec, tau_facil=None):
        synapses_eqs = """
        dx/dt =  z/tau_rec   : 1 (clock-driven) # recovered
        dy/dt = -y/tau_inact : 1 (clock-driven) # active
        A_SE : ampere
        U_SE : 1
        tau_inact : second
        tau_rec : second
        z = 1 - x - y : 1 # inactive
        I_syn_post = A_SE*y : ampere (summed)
        """
        if tau_facil:
            synapses_eqs += """
            du/dt = -u/tau_facil : 1 (clock-driven)
            tau_facil : second
            """
            synapses_action = """
            u += U_SE*(1-u)
            y += u*x # important: update y first
            x += -u*x
            """
        else:
            synapses_action = """
            y += U_SE*x # important: update y first
            x += -U_SE*x
            """
        synapses = Synapses(stimulus, neuron, model=synapses_eqs, on_pre=synapses_action,
                            method="exponential_euler")
        synapses.connect()
        # start fully recovered
        synapses.x = 1
        synapses.tau_inact = tau_inact
        synapses.A_SE = A_SE
        synapses.U_SE = U_SE
        synapses.tau_rec = tau_rec
        if tau_facil:
            synapses.tau_facil = tau_facil
        return synapses

    def get_stimulus(start, stop, frequency):
        times = np.arange(start / ms, stop / ms, 1 / (frequency / Hz) * 1e3) * ms
        stimulus = SpikeGeneratorGroup(1, [0] * len(times), times)
        return stimulus

    parameters = {
        "A": {"neuron": {"tau_mem": 40 * ms, "R_in": 100*Mohm},
              "synapse": {"tau_inact": 3 * ms, "A_SE": 250 * pA, "tau_rec": 800 * ms,
                          "U_SE": 0.6},
              "stimulus": {"start": 100 * ms, "stop": 1100 * ms, "frequency": 20 * Hz},
              "simulation": {"duration": 1200 * ms}},
        "B": {"neuron": {"tau_mem": 60 * ms, "R_in": 1*Gohm},
              "synapse": {"tau_inact": 1.5 * ms, "A_SE": 1540 * pA, "tau_rec": 130 * ms,
                          "U_SE": 0.03, "tau_facil": 530 * ms},
              "stimulus": {"start": 100 * ms, "stop": 1100 * ms, "frequency": 20 * Hz},
              "simulation": {"duration": 1200 * ms}},
        "C": {"neuron": {"tau_mem": 60 * ms, "R_in": 1*Gohm},
              "synapse": {"tau_inact": 1.5 * ms, "A_SE": 1540 * pA, "tau_rec": 130 * ms,
                          "U_SE": 0.03, "tau_facil": 530 * ms},
              "stimulus": {"start": 100 * ms, "stop": 375 * ms, "frequency": 70 * Hz},
              "simulation": {"duration": 500 * ms}},
    }

    # Brian2's example runs the panels one after another; here they are built side by
    # side (independent objects) and run once for the longest duration, so that C++
    # standalone can run them too; panel C is read over its own 500 ms
    monitors, net = {}, Network()
    for panel, p in parameters.items():
        neuron = get_neuron(**p["neuron"])
        stimulus = get_stimulus(**p["stimulus"])
        synapses = get_synapses(stimulus, neuron, **p["synapse"])
        monitors[panel] = StateMonitor(neuron, ["v"], record=True)
        net.add(neuron, stimulus, synapses, monitors[panel])
    net.run(max(p["simulation"]["duration"] for p in parameters.values()))

    results = {}
    dt = 0.1
    for panel, p in parameters.items():
        steps = int(round(p["simulation"]["duration"] / ms / dt))
        v = np.asarray(monitors[panel][0].v / mV)[:steps]
        t = np.arange(v.size) * dt
        s = p["stimulus"]
        times = np.arange(s["start"] / ms, s["stop"] / ms, 1 / (s["frequency"] / Hz) * 1e3)
        first = (t >= times[0]) & (t < times[1])
        last = t >= times[-1]
        results[f"{panel}_n_stimuli"] = int(times.size)
        results[f"{panel}_first_epsp_mV"] = float(v[first].max())
        results[f"{panel}_max_v_mV"] = float(v.max())
        results[f"{panel}_max_v_ms"] = float(t[np.argmax(v)])
        results[f"{panel}_last_epsp_mV"] = float(v[last].max())
        results[f"{panel}_v_end_mV"] = float(v[-1])
    return results
