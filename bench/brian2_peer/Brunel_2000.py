"""Brian2's ``examples/frompapers/Brunel_2000.py``, at the scale of
examples/brian2/Brunel_2000.py, returning the quantities that example returns (run with
the peer venv's python only).  Like Brian2's example, it builds and runs one network per
panel (runtime mode; the cpp_standalone target cannot run four networks in one process)."""
import numpy as np

#: How each compared result must agree (keys returned by both sides' main()): stochastic
#: (random connectivity and Poisson input), means over the seeds within 4 spreads, seeds
#: never paired (the two simulators' random streams are unrelated).  Given the same
#: connectivity and the same Poisson counts, Brian2 2.9 reproduces pyspike's spikes
#: exactly in all four panels (732,144, 153,812, 91,462 and 11,650 spikes in 200 ms, and
#: 450,967 in 600 ms of panel B; issue 15's Brunel investigation); what remains is
#: seed-to-seed variation, mostly from the connectivity (panel B's rate spans 54.7 to 60.7
#: Hz over Brian2's seeds 1-12; at the quick scale panel A settles by chance near 299 or
#: near 313 Hz).  Three seeds underestimate that spread about fourfold, hence SEEDS = 5.
COMPARE = {f"{p}_{what}": ("spread", 4) for p in "ABCD"
           for what in ("rate_Hz", "synchrony", "oscillation_Hz", "isi_cv")
           if not (p == "D" and what == "isi_cv") and not (p == "A" and what ==
                                                              "oscillation_Hz")}
#: seeds per side (the harness's --seeds otherwise)
SEEDS = 5
STOCHASTIC = True

PARAMETERS = {
    "A": {"g": 3, "nu_ext_over_nu_thr": 2, "t_range": [500, 600]},
    "B": {"g": 6, "nu_ext_over_nu_thr": 4, "t_range": [1000, 1200]},
    "C": {"g": 5, "nu_ext_over_nu_thr": 2, "t_range": [1000, 1200]},
    "D": {"g": 4.5, "nu_ext_over_nu_thr": 0.9, "t_range": [1000, 1200]},
}
QUICK_RANGES = {"A": [30, 60], "B": [100, 200], "C": [100, 200], "D": [100, 200]}


def sim(g, nu_ext_over_nu_thr, sim_time):
    """Brian2's sim(), plotting left out: returns the rate (Hz) and spikes (i, t in ms)."""
    from brian2 import (Hz, NeuronGroup, PoissonInput, PopulationRateMonitor, SpikeMonitor,
                        Synapses, defaultclock, ms, mV, run, start_scope)
    start_scope()
    # network parameters
    N_E = 10000
    gamma = 0.25
    N_I = round(gamma * N_E)
    N = N_E + N_I
    epsilon = 0.1
    C_E = epsilon * N_E
    C_ext = C_E

    # neuron parameters
    tau = 20 * ms  # noqa: F841 (read by Brian2's namespace)
    theta = 20 * mV
    V_r = 10 * mV  # noqa: F841
    tau_rp = 2 * ms

    # synapse parameters
    J = 0.1 * mV
    D = 1.5 * ms

    # external stimulus
    nu_thr = theta / (J * C_E * tau)

    defaultclock.dt = 0.1 * ms

    neurons = NeuronGroup(N,
                          """
                          dv/dt = -v/tau : volt (unless refractory)
                          """,
                          threshold="v > theta",
                          reset="v = V_r",
                          refractory=tau_rp,
                          method="exact",
                          )

    excitatory_neurons = neurons[:N_E]
    inhibitory_neurons = neurons[N_E:]

    exc_synapses = Synapses(excitatory_neurons, target=neurons, on_pre="v += J", delay=D)
    exc_synapses.connect(p=epsilon)

    inhib_synapses = Synapses(inhibitory_neurons, target=neurons, on_pre="v += -g*J",
                              delay=D)
    inhib_synapses.connect(p=epsilon)

    nu_ext = nu_ext_over_nu_thr * nu_thr

    external_poisson_input = PoissonInput(  # noqa: F841 (run finds it)
        target=neurons, target_var="v", N=C_ext, rate=nu_ext, weight=J
    )

    rate_monitor = PopulationRateMonitor(neurons)

    # record from the first 50 excitatory neurons
    spike_monitor = SpikeMonitor(neurons[:50])

    run(sim_time)
    return (np.asarray(rate_monitor.rate / Hz), np.asarray(spike_monitor.i),
            np.asarray(spike_monitor.t / ms))


def main(quick: bool = False, seed: int = 1) -> dict:
    from brian2 import ms
    from brian2 import seed as brian2_seed
    dt = 0.1
    results = {"quick": quick}
    for panel, params in PARAMETERS.items():
        brian2_seed(seed * 10 + ord(panel))        # each panel a network of its own
        start, stop = QUICK_RANGES[panel] if quick else params["t_range"]
        rate, i, t = sim(params["g"], params["nu_ext_over_nu_thr"], stop * ms)
        r = rate[int(round(start / dt)):int(round(stop / dt))]
        binned = r.reshape(-1, int(round(1.0 / dt))).mean(axis=1)
        power = np.abs(np.fft.rfft(r - r.mean())) ** 2
        f = np.fft.rfftfreq(r.size, dt / 1000.0)
        above = f > 5.0
        cvs = []
        for neuron in range(50):
            isi = np.diff(t[(i == neuron) & (t >= start) & (t < stop)])
            if isi.size >= 2:
                cvs.append(isi.std() / isi.mean())
        results[f"{panel}_rate_Hz"] = float(r.mean())
        results[f"{panel}_synchrony"] = float(binned.std() / binned.mean())
        if panel != "A":
            results[f"{panel}_oscillation_Hz"] = float(f[above][np.argmax(power[above])])
        if panel != "D":
            results[f"{panel}_isi_cv"] = float(np.mean(cvs)) if cvs else float("nan")
    return results
