"""Clock-driven synaptic equations and (summed) variables, as Brian2 writes them."""
import numpy as np
import pytest

import pyspike as ps

TARGET = ps.NeuronModel("dv/dt = (I_syn - v)/tau : mV\nI_syn : mV", params={"tau": 10.0})
SYNAPSE = """
    dg/dt = -g/taus : 1
    I_syn_post = g*(E - v_post) : mV (summed)
    w : 1
"""


def _single_event(backend):
    net = ps.Network(dt=0.1, seed=1, backend=backend)
    with net:
        gen = ps.SpikeGeneratorGroup(1, indices=[0], times=[1.0])
        P = ps.NeuronGroup(2, TARGET)
        S = ps.Synapses(gen, P, model=SYNAPSE, on_pre="g += w",
                        params={"taus": 5.0, "E": 2.0})
        S.connect(i=[0], j=[1])
        S.w = 0.5
        trace = ps.StateMonitor(P, "I_syn", record=[0, 1])
        gmon = ps.StateMonitor(P, "v", record=[1])
    net.run(6.0)
    return S, trace, gmon


def test_a_clock_driven_conductance_decays_exactly(backend):
    S, _, _ = _single_event(backend)
    # the spike given at 1 ms is delivered in the step from 1 to 1.1 ms: g jumps to 0.5
    # at t = 1.1 ms and decays for 4.9 ms (linear: integrated exactly); the exponential
    # of libm and NumPy agree to ulps
    np.testing.assert_allclose(S.g, [0.5 * np.exp(-4.9 / 5.0)], rtol=1e-12)


def test_a_summed_variable_is_the_sum_over_incoming_synapses_of_its_expression(backend):
    S, trace, volts = _single_event(backend)
    np.testing.assert_array_equal(trace.I_syn[0], 0.0)          # no synapse: a sum of none
    # the sum of step k is computed first in the step, from g and v at t_k, and recorded
    # with them: I = g*(E - v); g jumps to 0.5 at t = 1.1 ms (step 11: the spike given at
    # 1 ms is delivered in the step from 1 to 1.1 ms) and decays exactly
    k = np.arange(trace.I_syn.shape[1])
    g = np.where(k >= 11, 0.5 * np.exp(-(k - 11) * 0.1 / 5.0), 0.0)
    expected = g * (2.0 - volts.v[0])
    # exp in libm and NumPy agree to ulps; the products add a few more: rtol 1e-12
    np.testing.assert_allclose(trace.I_syn[1], expected, rtol=1e-12, atol=1e-15)


def _network(backend, precision="double"):
    m = ps.NeuronModel("dv/dt = (I_syn - v)/tau : mV\nI_syn : mV", threshold="v > 0.8",
                       reset="v = 0", params={"tau": 10.0})
    net = ps.Network(dt=0.1, seed=1, backend=backend, precision=precision)
    with net:
        inp = ps.PoissonGroup(20, rates=40.0)
        P = ps.NeuronGroup(5, m)
        S = ps.Synapses(inp, P, model="""
            dg/dt = -g/taus + 0.01*v_post : 1
            I_syn_post = g*(2.0 - v_post) : mV (summed)
            w : 1""", on_pre="g += w", params={"taus": 5.0})
        S.connect(p=0.5)
        S.w = "rand()*0.3"
        spikes = ps.SpikeMonitor(P)
    net.run(200.0)
    return S, spikes


def test_clock_driven_and_summed_synapses_agree_on_both_backends():
    cpu, cpu_spikes = _network("cpu")
    ref, ref_spikes = _network("numpy")
    assert cpu_spikes.num_spikes > 10
    np.testing.assert_array_equal(cpu_spikes.i, ref_spikes.i)
    np.testing.assert_array_equal(cpu_spikes.t, ref_spikes.t)
    # the same operations in the same order; exp may differ by an ulp: 1e-12
    np.testing.assert_allclose(cpu.g, ref.g, rtol=1e-12, atol=1e-15)


def test_clock_driven_synapses_run_in_float32():
    single, _ = _network("cpu", "single")
    double, _ = _network("cpu")
    assert single.g.dtype == np.float32
    assert np.all(np.isfinite(single.g)) and abs(single.g.mean() - double.g.mean()) < 0.05


def _error(model, **extra):
    G = ps.NeuronGroup(2, TARGET)
    with pytest.raises(ps.ModelError) as err:
        ps.Synapses(G, G, model=model, on_pre="g += 1", params={"taus": 5.0, **extra})
    return err.value


def test_a_summed_name_must_be_a_postsynaptic_variable_with_post_suffix():
    assert _error("dg/dt = -g/taus : 1\nI_syn = g : 1 (summed)").symbol == "I_syn"
    assert _error("dg/dt = -g/taus : 1\nq_post = g : 1 (summed)").symbol == "q_post"


def test_a_summed_flag_on_a_neuron_model_is_refused():
    with pytest.raises(ps.ModelError, match="synapse models only"):
        ps.NeuronModel("v : 1\nx = 2*v : 1 (summed)")


def test_a_clock_driven_equation_may_not_read_an_event_driven_variable():
    err = _error("dg/dt = -g/taus + a : 1\nda/dt = -a/taus : 1/ms (event-driven)")
    assert err.symbol == "a"


def test_two_synapses_summing_into_one_variable_are_refused():
    net = ps.Network(dt=0.1, backend="numpy")
    with net:
        G = ps.NeuronGroup(2, TARGET)
        for _ in range(2):
            S = ps.Synapses(G, G, model=SYNAPSE, on_pre="g += 1",
                            params={"taus": 5.0, "E": 0.0})
            S.connect()
    with pytest.raises(ps.ModelError, match="both set 'I_syn'"):
        net.build()


def test_synapses_with_only_a_summed_variable_couple_neurons_without_spikes(backend):
    """Gap junctions: I_gap = sum of w*(v_pre - v_post), no events at all."""
    m = ps.NeuronModel("dv/dt = (I_gap + I0 - v)/tau : mV\nI_gap : mV\nI0 : mV",
                       params={"tau": 10.0})
    net = ps.Network(dt=0.1, seed=1, backend=backend)
    with net:
        G = ps.NeuronGroup(2, m, init={"I0": [2.0, 0.0]})
        S = ps.Synapses(G, G, model="w : 1\nI_gap_post = w*(v_pre - v_post) : mV (summed)")
        S.connect(condition="i != j")
        S.w = 0.5
    net.run(50.0)
    assert G.v[1] > 0.1          # driven only through the coupling
    # steady state of the coupled pair: v0 = 2 + 0.5(v1 - v0), v1 = 0.5(v0 - v1)
    np.testing.assert_allclose(G.v, [1.5, 0.5], atol=0.02)   # 50 ms = 5 tau: within 2%


def test_the_clock_driven_flag_is_accepted_and_means_the_default():
    flagged = SYNAPSE.replace("dg/dt = -g/taus : 1", "dg/dt = -g/taus : 1 (clock-driven)")
    S = ps.Synapses(ps.NeuronGroup(1, TARGET), ps.NeuronGroup(1, TARGET), model=flagged,
                    params={"taus": 5.0, "E": 2.0})
    assert "g" in S.variables


def test_an_equation_cannot_be_both_clock_driven_and_event_driven():
    with pytest.raises(ps.ModelError, match="both"):
        ps.Synapses(ps.NeuronGroup(1, TARGET), ps.NeuronGroup(1, TARGET),
                    model="dg/dt = -g/5.0 : 1 (event-driven, clock-driven)", on_pre="g += 1")


def test_the_clock_driven_flag_is_refused_in_a_neuron_model():
    with pytest.raises(ps.ModelError, match="synapse models only"):
        ps.NeuronModel("dv/dt = -v/10.0 : 1 (clock-driven)")
