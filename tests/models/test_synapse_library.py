"""The synapse library: PSC shapes against their closed forms, the Mg block against Jahr &
Stevens (1990), Tsodyks-Markram against its recurrence, and post-aligned merging."""
import numpy as np
import pytest

import pyspike as ps

SYN = ps.models.synapses
DT = 0.05
#: A passive membrane integrated exactly with its synaptic state (the system stays
#: linear for current-based outputs), so the state is its closed form to rounding.
PASSIVE = ps.NeuronModel("dV/dt = (-V + R*I)/tau : mV\nI : pA",
                         params={"R": 0.1, "tau": 20.0}, method="exact")
#: A membrane held nearly still (C = 1e12 pF: a few pA move it by 1e-11 mV per ms), for
#: currents at fixed voltages.
CLAMP = ps.NeuronModel("dV/dt = I/C : mV\nI : pA", params={"C": 1e12}, method="euler")


def _one_spike(kind, backend="numpy", model=PASSIVE, w=2.0, duration=60.0, record=("g",),
               **kw):
    """A group of one neuron receiving one spike given at t = 1 ms through ``kind``; the
    times returned count from 1 ms + DT, the first state that shows the spike (README,
    timing conventions: it is delivered in the step from 1 ms to 1 ms + DT)."""
    net = ps.Network(dt=DT, seed=1, backend=backend)
    with net:
        gen = ps.SpikeGeneratorGroup(1, indices=[0], times=[1.0])
        G = ps.NeuronGroup(1, model)
        S = ps.Synapses(gen, G, model=SYN[kind], **kw)
        S.connect(i=[0], j=[0])
        S.w = w
        suffix = G.model.extensions[-1].suffix
        M = ps.StateMonitor(G, [f"{v}_{suffix}" for v in record] or "V", record=True)
    net.run(duration)
    t = np.arange(M.t.size) * DT - (1.0 + DT)     # time since the spike's arrival
    return t, {v: getattr(M, f"{v}_{suffix}")[0] for v in record}, G, S


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_an_exponential_synapse_decays_as_its_closed_form(backend):
    t, g, _, _ = _one_spike("Expon", backend, params={"tau": 5.0})
    after = t >= 0
    # exact integration: rounding only (1e-12 relative, a few ulps per step over 1200 steps)
    np.testing.assert_allclose(g["g"][after], 2.0 * np.exp(-t[after] / 5.0), rtol=1e-12)
    assert not g["g"][~after].any()


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_an_alpha_synapse_peaks_at_tau_with_w_tau_over_e(backend):
    t, g, _, _ = _one_spike("Alpha", backend, params={"tau_decay": 4.0})
    after = t >= 0
    np.testing.assert_allclose(g["g"][after], 2.0 * t[after] * np.exp(-t[after] / 4.0),
                               rtol=1e-9, atol=1e-12)
    k = int(np.argmax(g["g"]))
    assert t[k] == pytest.approx(4.0, abs=DT) and g["g"][k] == pytest.approx(
        2.0 * 4.0 / np.e, rel=1e-4)                # the grid point next to the true peak


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_a_dual_exponential_synapse_peaks_where_its_closed_form_does(backend):
    td, tr = 10.0, 1.0
    t, g, _, _ = _one_spike("DualExpon", backend, params={"tau_decay": td, "tau_rise": tr})
    after = t >= 0
    closed = 2.0 * td * tr / (td - tr) * (np.exp(-t / td) - np.exp(-t / tr))
    np.testing.assert_allclose(g["g"][after], closed[after], rtol=1e-9, atol=1e-12)
    peak = td * tr / (td - tr) * np.log(td / tr)
    k = int(np.argmax(g["g"]))
    assert abs(t[k] - peak) <= DT
    value = 2.0 * td * tr / (td - tr) * (np.exp(-peak / td) - np.exp(-peak / tr))
    assert g["g"][k] == pytest.approx(value, rel=1e-4)


def test_a_delta_synapse_jumps_the_target_by_w():
    net = ps.Network(dt=DT, backend="numpy")
    with net:
        gen = ps.SpikeGeneratorGroup(1, indices=[0], times=[1.0])
        G = ps.NeuronGroup(1, ps.NeuronModel("dV/dt = -V/tau : mV", params={"tau": 1e9}))
        S = ps.Synapses(gen, G, model=SYN["Delta"], post_var="V")
        S.connect(i=[0], j=[0])
        S.w = 0.7
    net.run(2.0)
    assert G.V[0] == pytest.approx(0.7, rel=1e-6)


def _jahr_stevens(v, mg=1.2):
    """The fraction of NMDA current not blocked: 1/(1 + [Mg]/3.57 exp(-0.062 V))."""
    return 1.0 / (1.0 + mg / 3.57 * np.exp(-0.062 * v))


def test_the_mg_block_follows_jahr_and_stevens():
    voltages = np.array([-100.0, -80.0, -60.0, -40.0, -20.0, 0.0, 20.0, 40.0])
    net = ps.Network(dt=DT, backend="numpy")
    with net:
        gen = ps.SpikeGeneratorGroup(1, indices=[0], times=[1.0])
        G = ps.NeuronGroup(voltages.size, CLAMP, init={"V": voltages})
        S = ps.Synapses(gen, G, model=SYN["NMDA"], params={"E": 10.0})
        S.connect(i=np.zeros(voltages.size, dtype=int), j=np.arange(voltages.size))
        S.w = 1.5
    net.run(20.0)
    # the same g at every voltage: the currents' ratios are the block's (1e-12: rounding)
    block = G.I_nmda / (10.0 - G.V)
    np.testing.assert_allclose(block / block[-1], _jahr_stevens(G.V) / _jahr_stevens(G.V[-1]),
                               rtol=1e-12)
    assert G.I_nmda.min() < 0 < S.g[0]


def _tm_amplitudes(n, period, U, tau_f, tau_d):
    """Tsodyks, Pawelzik & Markram (1998): u_n, x_n at each spike of a regular train."""
    u, x, out = 0.0, 1.0, []
    for _ in range(n):
        u = u + U * (1 - u)
        out.append(u * x)
        x = x - u * x
        u = u * np.exp(-period / tau_f)
        x = 1 - (1 - x) * np.exp(-period / tau_d)
    return np.array(out)


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_tsodyks_markram_follows_its_recurrence_on_a_regular_train(backend):
    period, n = 25.0, 8
    net = ps.Network(dt=DT, backend=backend)
    with net:
        gen = ps.SpikeGeneratorGroup(1, indices=[0] * n, times=1.0 + period * np.arange(n))
        G = ps.NeuronGroup(1, PASSIVE)
        S = ps.Synapses(gen, G, model=SYN["STP"], params={"U": 0.2, "tau_f": 100.0,
                                                           "tau_d": 50.0, "tau": 2.0})
        S.connect(i=[0], j=[0])
        S.w = 1.0
        M = ps.StateMonitor(G, "g_stp", record=True)
    net.run(1.0 + period * n)
    # each spike is delivered in the step from its time T, so it first shows at T + DT
    steps = np.rint((1.0 + period * np.arange(n)) / DT).astype(int) + 1
    before = M.g_stp[0][steps - 1] * np.exp(-DT / 2.0)      # what is left of earlier ones
    jumps = M.g_stp[0][steps] - before
    np.testing.assert_allclose(jumps, _tm_amplitudes(n, period, 0.2, 100.0, 50.0), rtol=1e-9)


def test_pathways_of_the_same_kind_and_parameters_share_one_state():
    G = ps.NeuronGroup(3, PASSIVE)
    gens = [ps.SpikeGeneratorGroup(1, indices=[0], times=[1.0]) for _ in range(4)]
    for gen in gens[:3]:
        ps.Synapses(gen, G, model=SYN["Expon"], params={"tau": 5.0})
    ps.Synapses(gens[3], G, model=SYN["Expon"], params={"tau": 7.0})
    states = [v for v in G.model.variables if v.startswith("g_")]
    assert states == ["g_expon", "g_expon2"]


def _merged_or_separate(merged, backend="numpy"):
    taus = (5.0, 5.0, 5.0)
    net = ps.Network(dt=DT, seed=3, backend=backend)
    model = PASSIVE if merged else ps.NeuronModel(
        "dV/dt = (-V + R*(I + g1 + g2 + g3))/tau : mV\nI : pA\n"
        "dg1/dt = -g1/5.0 : pA\ndg2/dt = -g2/5.0 : pA\ndg3/dt = -g3/5.0 : pA",
        params={"R": 0.1, "tau": 20.0}, method="exact")
    with net:
        G = ps.NeuronGroup(4, model)
        for k, tau in enumerate(taus):
            inp = ps.PoissonGroup(20, rates=30.0 + 10 * k)
            if merged:
                S = ps.Synapses(inp, G, model=SYN["Expon"], params={"tau": tau})
            else:
                S = ps.Synapses(inp, G, model="w : pA", on_pre=f"g{k + 1}_post += w")
            S.connect(p=0.5)
            S.w = 1.0 + k
        M = ps.StateMonitor(G, "V", record=True)
    net.run(50.0)
    return M.V


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_merged_post_aligned_synapses_give_what_separate_ones_give(backend):
    # same inputs (same seeds and streams), one shared decay against three: the sums
    # are associated differently, so rounding differs: 1e-10 relative
    np.testing.assert_allclose(_merged_or_separate(True, backend),
                               _merged_or_separate(False, backend), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kind", ["AMPA", "GABAa", "BioNMDA"])
def test_receptor_kinetics_follow_their_equations(kind):
    t, _, G, S = _one_spike(kind, model=CLAMP, record=(), duration=10.0,
                            params={"E": 0.0} if kind != "BioNMDA" else {})
    p = {**SYN[kind].synapse_params}
    g, x, dt = 0.0, 0.0, DT
    for step in range(int(round(10.0 / dt))):    # exponential Euler, as pyspike's
        # the spike given at 1 ms is delivered in the step from 1 ms to 1 ms + dt (README,
        # timing conventions); the transmitter is there in the round(T_dur/dt) steps after
        start = step * dt
        T = p["T"] if 1.0 + dt / 2 < start < 1.0 + p["T_dur"] + dt / 2 else 0.0
        if kind == "BioNMDA":
            a, b = p["alpha1"] * x + p["beta1"], p["alpha1"] * x
            ax, bx = p["alpha2"] * T + p["beta2"], p["alpha2"] * T
            g, x = b / a + (g - b / a) * np.exp(-a * dt), bx / ax + (x - bx / ax) * np.exp(
                -ax * dt)
        else:
            a, b = p["alpha"] * T + p["beta"], p["alpha"] * T
            g = b / a + (g - b / a) * np.exp(-a * dt)
    # both are exponential Euler: rounding only (1e-9 relative)
    assert S.g[0] == pytest.approx(g, rel=1e-9)


def test_a_gap_junction_connected_both_ways_couples_both_neurons():
    net = ps.Network(dt=DT, backend="numpy")
    with net:
        G = ps.NeuronGroup(2, CLAMP, init={"V": [-70.0, -50.0]})
        S = ps.Synapses(G, G, model=SYN["GapJunction"])
        S.connect(i=[0, 1], j=[1, 0])
        S.w = 2.0
    net.run(1.0)
    np.testing.assert_allclose(G.I_gapjunction, [2.0 * (G.V[1] - G.V[0]),
                                                 2.0 * (G.V[0] - G.V[1])], rtol=1e-12)
    assert G.I_gapjunction[0] == pytest.approx(40.0, rel=1e-9)


def test_an_unknown_parameter_is_refused_naming_the_kind():
    G = ps.NeuronGroup(1, PASSIVE)
    gen = ps.SpikeGeneratorGroup(1, indices=[0], times=[1.0])
    with pytest.raises(ps.ModelError, match="'taux' is not a parameter of the synapse model "
                                            "'Expon'"):
        ps.Synapses(gen, G, model=SYN["Expon"], params={"taux": 5.0})


def test_a_refused_library_synapse_leaves_the_target_as_it_was():
    G = ps.NeuronGroup(1, PASSIVE)
    gen = ps.SpikeGeneratorGroup(1, indices=[0], times=[1.0])
    bad = ps.models.PlasticityRule("bad", "a rule with a mistake", on_pre="w += nope")
    with pytest.raises(ps.ModelError, match="nope"):
        ps.Synapses(gen, G, model=SYN["Expon"], plasticity=bad)
    assert G.model.variables == ["V", "I"] and "g_expon" not in G.state.variables


def test_a_conductance_output_needs_a_membrane_potential():
    G = ps.NeuronGroup(1, ps.NeuronModel("dx/dt = (I - x)/tau : pA\nI : pA",
                                         params={"tau": 5.0}))
    gen = ps.SpikeGeneratorGroup(1, indices=[0], times=[1.0])
    with pytest.raises(ps.ModelError, match="membrane potential"):
        ps.Synapses(gen, G, model=SYN["Expon"], output="COBA")


def test_the_weight_of_a_conductance_synapse_is_a_conductance():
    G = ps.NeuronGroup(1, "Lif")
    gen = ps.SpikeGeneratorGroup(1, indices=[0], times=[1.0])
    S = ps.Synapses(gen, G, model=SYN["Expon"], output="COBA", params={"E": 0.0})
    S.connect(i=[0], j=[0])
    with pytest.raises(ps.ModelError, match="w is given in pA, but the model uses it in nS"):
        S.w = 3 * ps.units.pA


def test_every_synapse_model_prints_its_documentation():
    for name in SYN:
        text = str(SYN[name])
        assert text.startswith(name) and "output" in text


def test_a_library_synapse_learns_with_a_library_rule_taking_both_parameters():
    net = ps.Network(dt=DT, seed=2, backend="numpy")
    with net:
        gen = ps.SpikeGeneratorGroup(1, indices=[0, 0], times=[1.0, 30.0])
        G = ps.NeuronGroup(1, "Lif")
        S = ps.Synapses(gen, G, model=SYN["Expon"], plasticity="stdp",
                        params={"tau": 5.0, "wmax": 2.0})
        S.connect(i=[0], j=[0])
        S.w = 1.0
    net.run(40.0)
    assert S.params["wmax"] == 2.0 and G.tau_expon == 5.0
    assert 0.0 <= S.w[0] <= 2.0
