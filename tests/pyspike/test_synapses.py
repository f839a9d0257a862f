"""Synapses: the generated C++ equals the NumPy reference for every connectivity rule and
kind of event code; what synaptic code may name; subgroups; errors raised up front."""
import numpy as np
import pytest

import pyspike as ps

DT = 0.1
#: A LIF neuron with an exponential synaptic current, an extra variable x that synapses
#: read and write, and a refractory period.
NEURON = ps.NeuronModel(
    equations="""
        dv/dt = (I + ge - v)/tau : 1 (unless refractory)
        dge/dt = -ge/tau_e : 1
        I : 1
        x : 1
    """,
    threshold="v > 1", reset="v = 0; x += 0.1", refractory=1.0, method="euler",
    params={"tau": 10.0, "tau_e": 3.0})
STILL = ps.NeuronModel("v : 1")

#: Connectivity rules of the recurrent synapses (60 -> 60 neurons unless said otherwise).
RULES = {
    "explicit": dict(i=[0, 3, 3, 10, 59, 20, 7, 7, 41], j=[1, 2, 2, 11, 0, 59, 30, 31, 5]),
    "one_to_one_expression": dict(j="(i*7 + 3) % 60"),
    "fixed_probability": dict(p=0.1),
    "all_to_all": dict(),
    "condition": dict(condition="abs(i - j) <= 3 and i != j"),
    "condition_and_probability": dict(condition="i != j", p=0.15),
    "fixed_indegree": dict(n_pre=6),
    "fixed_outdegree": dict(n_post=6),
    "two_synapses_per_pair": dict(condition="(i + j) % 9 == 0", n=2),
}

#: Event code of the recurrent synapses: (model, on_pre, on_post, params).
CODE = {
    "additive": ("w : 1", "ge_post += w", "", {}),
    "reads_and_writes_pre_post_and_synapse": (
        "w : 1",
        "ge += w*(1 - 0.2*x_pre); x_pre += 0.01; w = w*0.95 + 0.01*v_post + 0.001*i - 0.0005*j",
        "", {}),
    "stdp_on_post": (
        "w : 1\napre : 1\napost : 1\ntl : ms",
        "apre = apre*exp((tl - t)/tau_s) + Ap; apost = apost*exp((tl - t)/tau_s); tl = t; "
        "ge_post += w; w = clip(w - apost, 0, wmax)",
        "apre = apre*exp((tl - t)/tau_s); apost = apost*exp((tl - t)/tau_s) + Am; tl = t; "
        "w = clip(w + apre, 0, wmax)",
        {"tau_s": 5.0, "Ap": 0.02, "Am": 0.025, "wmax": 0.6}),
    "random_in_on_pre": ("w : 1", "ge_post += w*rand() + 0.05*randn()", "", {}),
    "on_post_only_writes_pre": ("w : 1", "", "x_pre += w; v_pre -= 0.01*w", {}),
}


def _simulate(backend, rule="fixed_probability", code="additive", seed=7, delay=None,
              precision="double", duration=40.0, n=60):
    model, on_pre, on_post, params = CODE[code]
    net = ps.Network(dt=DT, seed=seed, backend=backend, precision=precision)
    with net:
        inp = ps.PoissonGroup(n, rates=150.0)
        P = ps.NeuronGroup(n, NEURON, init={"I": "0.7 + 0.5*rand()", "v": "rand()"})
        ff = ps.Synapses(inp, P, on_pre="ge_post += 0.6")
        ff.connect(j="i")
        S = ps.Synapses(P, P, model=model, on_pre=on_pre, on_post=on_post, params=params)
        S.connect(**RULES[rule])
        S.w = "0.05 + 0.25*rand()"
        if delay == "per_synapse":
            S.delay = "2.0*rand()"
        elif delay is not None:
            S.delay = delay
        spikes = ps.SpikeMonitor(P)
        states = ps.StateMonitor(P, ["v", "ge", "x"], record=[0, 1, 17, n - 1], every=2)
    net.run(duration)
    return dict(S=S, P=P, spikes=spikes, states=states, net=net)


def _assert_backends_agree(ref, cpu, synaptic=("w",)):
    assert ref["spikes"].num_spikes > 20, "the network should spike for the test to mean much"
    np.testing.assert_array_equal(cpu["S"].i, ref["S"].i)
    np.testing.assert_array_equal(cpu["S"].j, ref["S"].j)
    np.testing.assert_array_equal(cpu["spikes"].i, ref["spikes"].i)
    np.testing.assert_array_equal(cpu["spikes"].t, ref["spikes"].t)
    # Same operations in the same order in both backends; only libm and NumPy exp/log
    # may differ in the last ulp, which 40 ms of bounded dynamics keeps below 1e-12.
    for var in ("v", "ge", "x"):
        np.testing.assert_allclose(getattr(cpu["states"], var), getattr(ref["states"], var),
                                   rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(getattr(cpu["P"], var), getattr(ref["P"], var),
                                   rtol=1e-12, atol=1e-12)
    for var in synaptic:
        np.testing.assert_allclose(getattr(cpu["S"], var), getattr(ref["S"], var),
                                   rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_cpu_equals_numpy_reference_for_connectivity_rule(rule):
    ref, cpu = _simulate("numpy", rule), _simulate("cpu", rule)
    assert ref["S"].n > 0
    _assert_backends_agree(ref, cpu)


@pytest.mark.parametrize("rule", ["fixed_probability", "all_to_all"])
@pytest.mark.parametrize("code", sorted(set(CODE) - {"additive"}))
def test_cpu_equals_numpy_reference_for_event_code(code, rule):
    # code that reads what it writes in neuron variables runs event by event in the
    # reference: slow with 60 synapses per spike, hence fewer neurons there
    n = 20 if (code, rule) == ("reads_and_writes_pre_post_and_synapse", "all_to_all") else 60
    ref = _simulate("numpy", rule, code, n=n)
    cpu = _simulate("cpu", rule, code, n=n)
    synaptic = [v for v in ("w", "apre", "apost", "tl") if v in CODE[code][0]]
    _assert_backends_agree(ref, cpu, synaptic)
    if code == "stdp_on_post":
        assert np.ptp(ref["S"].apost) > 0 and np.ptp(ref["S"].apre) > 0


@pytest.mark.parametrize("rule", ["explicit", "fixed_probability", "all_to_all",
                                  "two_synapses_per_pair"])
@pytest.mark.parametrize("delay", [0.8, "per_synapse"])
def test_cpu_equals_numpy_reference_with_delays(rule, delay):
    ref = _simulate("numpy", rule, delay=delay)
    cpu = _simulate("cpu", rule, delay=delay)
    np.testing.assert_array_equal(cpu["S"].delay, ref["S"].delay)
    _assert_backends_agree(ref, cpu)


def test_cpu_equals_numpy_reference_for_stdp_with_per_synapse_delays():
    ref = _simulate("numpy", "fixed_probability", "stdp_on_post", delay="per_synapse")
    cpu = _simulate("cpu", "fixed_probability", "stdp_on_post", delay="per_synapse")
    _assert_backends_agree(ref, cpu, ("w", "apre", "apost", "tl"))


def test_the_same_seed_gives_identical_synaptic_results_and_another_seed_does_not():
    a = _simulate("cpu", code="random_in_on_pre", seed=3)
    b = _simulate("cpu", code="random_in_on_pre", seed=3)
    c = _simulate("cpu", code="random_in_on_pre", seed=4)
    np.testing.assert_array_equal(a["states"].v, b["states"].v)
    np.testing.assert_array_equal(a["S"].w, b["S"].w)
    assert not np.array_equal(a["states"].v, c["states"].v)


@pytest.mark.parametrize("code", ["additive", "stdp_on_post"])
def test_float32_build_stays_close_to_float64(code):
    double = _simulate("cpu", "fixed_probability", code, duration=15.0)
    single = _simulate("cpu", "fixed_probability", code, duration=15.0, precision="single")
    assert single["P"].v.dtype == np.float32
    assert single["S"].w.dtype == np.float32
    # float32 keeps ~7 digits: 150 steps of rounding stay far inside 1e-3, but a spike
    # one step earlier or later changes a neuron's trace by O(1), and through the
    # recurrent synapses its partners' traces.  So: nearly the same spikes, and traces
    # compared only up to the first step at which the spike trains differ.
    d_steps = np.round(double["spikes"].t / DT).astype(int)
    s_steps = np.round(single["spikes"].t / DT).astype(int)
    assert abs(len(s_steps) - len(d_steps)) <= max(2, 0.05 * len(d_steps))
    first_diff = next((k for k, (a, b) in enumerate(zip(
        zip(d_steps, double["spikes"].i), zip(s_steps, single["spikes"].i))) if a != b),
        min(len(d_steps), len(s_steps)))
    horizon = d_steps[first_diff] if first_diff < len(d_steps) else 150
    samples = (np.arange(double["states"].v.shape[1]) * 2) < horizon
    assert samples.sum() > 20
    for var in ("v", "ge"):
        np.testing.assert_allclose(getattr(single["states"], var)[:, samples],
                                   getattr(double["states"], var)[:, samples],
                                   rtol=1e-4, atol=1e-4)


def _excitatory_inhibitory(backend, seed=5):
    """48 excitatory and 12 inhibitory neurons as slices of one group, four pathways
    (sparse and dense, with and without delays, one with on_post)."""
    net = ps.Network(dt=DT, seed=seed, backend=backend)
    with net:
        inp = ps.PoissonGroup(20, rates=400.0)
        P = ps.NeuronGroup(60, NEURON, init={"I": "0.8 + 0.4*rand()", "v": "rand()"})
        E, I = P[:48], P[48:]
        drive = ps.Synapses(inp, E, on_pre="ge_post += 0.5")
        drive.connect(condition="j % 20 == i")
        ee = ps.Synapses(E, E, model="w : 1", on_pre="ge_post += w",
                         on_post="w = clip(w + 0.01, 0, 0.4)")
        ee.connect(condition="(3*i + j) % 8 == 0", autapses=False)
        ee.w = "0.1 + 0.1*rand()"
        ee.delay = "1.5*rand()"
        ei = ps.Synapses(E, I, model="w : 1", on_pre="ge_post += w")
        ei.connect()
        ei.w = 0.05
        ie = ps.Synapses(I, E, on_pre="ge_post -= 0.3; x_pre += 0.01", delay=0.7)
        ie.connect(j="4*i + 1")
        spikes = ps.SpikeMonitor(P)
        states = ps.StateMonitor(P, ["v", "ge", "x"], record=[0, 47, 48, 59])
    net.run(40.0)
    return dict(S=ee, P=P, spikes=spikes, states=states, net=net, others=(ei, ie))


def test_cpu_equals_numpy_reference_for_synapses_between_subgroups():
    ref, cpu = _excitatory_inhibitory("numpy"), _excitatory_inhibitory("cpu")
    assert ref["others"][0].dense
    _assert_backends_agree(ref, cpu)
    assert np.any(ref["spikes"].i >= 48), "the inhibitory neurons should spike too"
    assert np.any(ref["P"].x[48:] > 0.1 * ref["spikes"].count[48:])   # ie's x_pre += 0.01


# --- what synaptic code means -------------------------------------------------------------

def test_two_synapses_onto_one_neuron_both_add(backend):
    net = ps.Network(dt=DT, seed=1, backend=backend)
    with net:
        gen = ps.SpikeGeneratorGroup(2, indices=[0, 1], times=[1.0, 1.0])
        P = ps.NeuronGroup(2, STILL)
        S = ps.Synapses(gen, P, model="w : 1", on_pre="v_post += w")
        S.connect(i=[0, 0, 1], j=[1, 1, 1])
        S.w = [0.5, 0.25, 2.0]
    net.run(2.0)
    np.testing.assert_array_equal(P.v, [0.0, 2.75])


def test_events_run_in_storage_order_one_after_another(backend):
    # v = 2*v + w is not additive: its result depends on the order of the two events
    net = ps.Network(dt=DT, seed=1, backend=backend)
    with net:
        gen = ps.SpikeGeneratorGroup(2, indices=[0, 1], times=[1.0, 1.0])
        P = ps.NeuronGroup(1, STILL)
        S = ps.Synapses(gen, P, model="w : 1", on_pre="v_post = 2*v_post + w")
        S.connect(i=[1, 0], j=[0, 0])          # stored sorted by i: first 0 -> 0, then 1 -> 0
        S.w = "1.0 + 9.0*i"                    # w = 1 for i = 0, 10 for i = 1
    net.run(2.0)
    np.testing.assert_array_equal(S.i, [0, 1])
    assert P.v[0] == 2 * (2 * 0 + 1) + 10       # 12, not 2*(2*0 + 10) + 1 = 21


def test_an_unsuffixed_neuron_name_means_the_postsynaptic_neuron(backend):
    net = ps.Network(dt=DT, seed=1, backend=backend)
    with net:
        P = ps.NeuronGroup(2, STILL)
        gen = ps.SpikeGeneratorGroup(1, indices=[0], times=[1.0])
        Q = ps.NeuronGroup(3, STILL)
        drive = ps.Synapses(gen, P, on_pre="v += 1")
        drive.connect(i=[0], j=[0])
        S = ps.Synapses(gen, Q, on_pre="v += 5")
        S.connect(i=[0], j=[2])
    net.run(2.0)
    np.testing.assert_array_equal(P.v, [1.0, 0.0])
    np.testing.assert_array_equal(Q.v, [0.0, 0.0, 5.0])


def test_the_plain_and_the_post_suffixed_name_are_one_variable(backend):
    # "v" and "v_post" both name the postsynaptic v: both changes must add up, and a
    # read after a write must see it
    net = ps.Network(dt=DT, seed=1, backend=backend)
    with net:
        gen = ps.SpikeGeneratorGroup(1, indices=[0], times=[1.0])
        P = ps.NeuronGroup(1, STILL)
        S = ps.Synapses(gen, P, model="w : 1", on_pre="v += 1; v_post += 10; w = v")
        S.connect(i=[0], j=[0])
    net.run(2.0)
    assert P.v[0] == 11.0
    assert S.w[0] == 11.0


def test_an_autapse_changing_pre_and_post_changes_its_one_neuron_twice(backend):
    m = ps.NeuronModel("v : 1\nx : 1", threshold="v > 0.5", reset="v = 0")
    net = ps.Network(dt=DT, seed=1, backend=backend)
    with net:
        P = ps.NeuronGroup(2, m)
        S = ps.Synapses(P, P, on_pre="x_pre += 1; x_post += 10")
        S.connect(i=[0], j=[0])
    P.v = [1.0, 0.0]                  # P[0] spikes in the first step
    net.run(1.0)
    np.testing.assert_array_equal(P.x, [11.0, 0.0])


def test_pre_and_post_suffixes_address_the_two_groups(backend):
    m = ps.NeuronModel("dv/dt = 0/tau : 1\nx : 1", threshold="v > 0.5", reset="v = 0",
                       params={"tau": 10.0})
    net = ps.Network(dt=DT, seed=1, backend=backend)
    with net:
        A = ps.NeuronGroup(3, m, init={"x": "10.0*i"})
        B = ps.NeuronGroup(4, m, init={"x": "100.0*i"})
        S = ps.Synapses(A, B, model="w : 1",
                        on_pre="w = x_pre + x_post; x_pre += 1; x_post += 1000")
        S.connect(i=[2, 1], j=[3, 0])
    A.v = [0.0, 1.0, 1.0]            # A[1] and A[2] spike in the first step
    net.run(1.0)
    np.testing.assert_array_equal(S.w, [10.0 + 0.0, 20.0 + 300.0])
    np.testing.assert_array_equal(A.x, [0.0, 11.0, 21.0])
    np.testing.assert_array_equal(B.x, [1000.0, 100.0, 200.0, 1300.0])


def test_i_and_j_in_synaptic_code_are_indices_within_the_connected_groups(backend):
    net = ps.Network(dt=DT, seed=1, backend=backend)
    with net:
        gen = ps.SpikeGeneratorGroup(3, indices=[0, 1, 2], times=[1.0, 1.0, 1.0])
        P = ps.NeuronGroup(4, STILL)
        S = ps.Synapses(gen, P, model="w : 1", on_pre="w = 10*i + j; v_post += 1")
        S.connect(i=[0, 1, 2, 2], j=[3, 0, 1, 2])
    net.run(2.0)
    np.testing.assert_array_equal(S.w, [3.0, 10.0, 21.0, 22.0])


def test_t_and_dt_are_readable_in_synaptic_code(backend):
    net = ps.Network(dt=0.25, seed=1, backend=backend)
    with net:
        gen = ps.SpikeGeneratorGroup(1, indices=[0], times=[1.0])
        P = ps.NeuronGroup(1, STILL)
        S = ps.Synapses(gen, P, model="a : ms\nb : ms", on_pre="a = t; b = dt")
        S.connect(i=[0], j=[0])
    net.run(2.0)
    assert S.b[0] == 0.25
    # the spike given at 1.0 ms is delivered in the step from 1.0 to 1.25 ms and stamped
    # 1.25 ms; with delay 0 that is its arrival time, which synaptic code reads as t
    assert S.a[0] == 1.25


def test_shared_and_per_synapse_parameters(backend):
    net = ps.Network(dt=DT, seed=1, backend=backend)
    with net:
        gen = ps.SpikeGeneratorGroup(1, indices=[0], times=[1.0])
        P = ps.NeuronGroup(3, STILL)
        shared = ps.Synapses(gen, P, on_pre="v_post += we", params={"we": 0.5})
        shared.connect(i=[0, 0, 0], j=[0, 1, 2])
        own = ps.Synapses(gen, P, on_pre="v_post += 10*we", params={"we": 0.0})
        own.connect(i=[0, 0, 0], j=[0, 1, 2])
        own.we = np.array([1.0, 2.0, 3.0])
    net.run(2.0)
    assert shared.we == 0.5
    np.testing.assert_array_equal(own.we, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(P.v, [10.5, 20.5, 30.5])


def test_a_shared_parameter_changed_between_runs_is_used_by_the_next_run(backend):
    net = ps.Network(dt=DT, seed=1, backend=backend)
    with net:
        gen = ps.SpikeGeneratorGroup(1, indices=[0, 0], times=[1.0, 3.0])
        P = ps.NeuronGroup(1, STILL)
        S = ps.Synapses(gen, P, on_pre="v_post += we", params={"we": 0.5})
        S.connect(i=[0], j=[0])
    net.run(2.0)
    S.we = 4.0
    net.run(2.0)
    assert P.v[0] == 4.5


def test_synaptic_values_from_numbers_arrays_and_expressions():
    net = ps.Network(dt=DT, seed=1, backend="numpy")
    with net:
        A = ps.NeuronGroup(3, STILL)
        S = ps.Synapses(A, A, model="w : 1\nu : 1\nz : 1", on_pre="v_post += w")
        S.connect(i=[2, 0, 1], j=[0, 2, 1])
        S.w = 0.5
        S.u = [1.0, 2.0, 3.0]
        S.z = "0.1*i + j"
    np.testing.assert_array_equal(S.i, [0, 1, 2])
    np.testing.assert_array_equal(S.j, [2, 1, 0])
    np.testing.assert_array_equal(S.w, [0.5, 0.5, 0.5])
    np.testing.assert_array_equal(S.u, [1.0, 2.0, 3.0])
    np.testing.assert_allclose(S.z, [2.0, 1.1, 0.2], rtol=0, atol=1e-15)


def test_random_synaptic_values_come_from_the_seed_not_the_backend():
    values = []
    for backend, seed in (("numpy", 5), ("cpu", 5), ("cpu", 6)):
        net = ps.Network(dt=DT, seed=seed, backend=backend)
        with net:
            A = ps.NeuronGroup(10, STILL)
            S = ps.Synapses(A, A, model="w : 1", on_pre="v_post += w")
            S.connect()
            S.w = "rand()"
        values.append(S.w.copy())
    np.testing.assert_array_equal(values[0], values[1])
    assert not np.array_equal(values[1], values[2])
    assert 0.0 <= values[0].min() and values[0].max() < 1.0
    assert np.unique(values[0]).size == values[0].size


def test_on_post_runs_for_every_postsynaptic_spike_over_incoming_synapses(backend):
    net = ps.Network(dt=DT, seed=1, backend=backend)
    with net:
        A = ps.SpikeGeneratorGroup(3, indices=[0], times=[10.0])     # after the run
        B = ps.SpikeGeneratorGroup(2, indices=[0, 0, 1], times=[1.0, 2.0, 3.0])
        S = ps.Synapses(A, B, model="w : 1", on_post="w += 1")
        S.connect()
    net.run(5.0)
    assert S.dense
    np.testing.assert_array_equal(S.j, [0, 1, 0, 1, 0, 1])
    np.testing.assert_array_equal(S.w, [2, 1, 2, 1, 2, 1])


def test_on_post_can_change_the_presynaptic_neuron(backend):
    net = ps.Network(dt=DT, seed=1, backend=backend)
    with net:
        P = ps.NeuronGroup(3, STILL)
        B = ps.SpikeGeneratorGroup(2, indices=[1, 0, 1], times=[1.0, 2.0, 2.0])
        S = ps.Synapses(P, B, model="w : 1", on_post="v_pre += w")
        S.connect(i=[0, 2, 2], j=[1, 0, 1])
        S.w = [1.0, 10.0, 100.0]
    net.run(3.0)
    np.testing.assert_array_equal(P.v, [2.0, 0.0, 10.0 + 200.0])


def test_synapses_onto_a_subgroup_address_its_neurons(backend):
    net = ps.Network(dt=DT, seed=1, backend=backend)
    with net:
        gen = ps.SpikeGeneratorGroup(10, indices=[2, 4, 0, 9], times=[1.0, 1.0, 1.0, 1.0])
        P = ps.NeuronGroup(10, STILL)
        S = ps.Synapses(gen[2:5], P[6:], model="w : 1", on_pre="v_post += 1 + i + 10*j")
        S.connect(i=[0, 2, 1], j=[1, 3, 0])
    net.run(2.0)
    expected = np.zeros(10)
    expected[6 + 1] = 1 + 0 + 10          # from gen 2 (i = 0)
    expected[6 + 3] = 1 + 2 + 30          # from gen 4 (i = 2); gen 3 (i = 1) never spikes
    np.testing.assert_array_equal(P.v, expected)


def test_recurrent_synapses_between_subgroups_of_one_group(backend):
    m = ps.NeuronModel("dv/dt = 1/tau : 1\nge : 1", threshold="v > 1", reset="v = 0",
                       params={"tau": 1.0})
    net = ps.Network(dt=DT, seed=1, backend=backend)
    with net:
        P = ps.NeuronGroup(8, m)
        exc, inh = P[:5], P[5:]
        P.v = [0.0, 0.0, 0.95, 0.0, 0.0, 0.0, 0.0, 0.0]     # only P[2] spikes in step 0
        S = ps.Synapses(exc, inh, on_pre="ge_post += 1; ge_pre += 100")
        S.connect(i=[2, 2, 3], j=[0, 2, 0])
        mon = ps.SpikeMonitor(P)
    net.run(0.1)
    np.testing.assert_array_equal(mon.i, [2])
    np.testing.assert_array_equal(P.ge, [0, 0, 200, 0, 0, 1, 0, 1])


def test_setting_a_subgroup_variable_writes_the_parents_slice():
    P = ps.NeuronGroup(10, STILL)
    P[3:6].v = 1.0
    P[8:].v = [2.0, 3.0]
    np.testing.assert_array_equal(P.v, [0, 0, 0, 1, 1, 1, 0, 0, 2, 3])
    np.testing.assert_array_equal(P[2:5].v, [0, 1, 1])


def test_a_random_value_for_a_subgroup_set_outside_a_network_fails_cleanly_or_waits():
    # a whole group given "rand()" outside a network waits for the network's seed; a
    # subgroup must do the same or say why it cannot (a ModelError), not crash
    P = ps.NeuronGroup(6, STILL)
    try:
        P[:3].v = "rand()"
    except ps.ModelError:
        return
    ps.Network(dt=DT, seed=1, backend="numpy").add(P)
    assert np.all((P.v[:3] > 0) & (P.v[:3] < 1))
    np.testing.assert_array_equal(P.v[3:], 0.0)


def test_a_random_value_for_a_subgroup_inside_a_network_changes_only_the_slice():
    net = ps.Network(dt=DT, seed=1, backend="numpy")
    with net:
        P = ps.NeuronGroup(6, STILL)
        P[2:5].v = "rand()"
    assert np.all((P.v[2:5] > 0) & (P.v[2:5] < 1))
    np.testing.assert_array_equal(P.v[[0, 1, 5]], 0.0)


def test_synapses_can_be_created_and_connected_before_joining_a_network(backend):
    gen = ps.SpikeGeneratorGroup(2, indices=[0, 1], times=[1.0, 2.0])
    P = ps.NeuronGroup(3, STILL)
    S = ps.Synapses(gen, P, model="w : 1", on_pre="v_post += w")
    S.connect(condition="i != j", p=0.999999)
    S.w = "1.0 + j"
    with pytest.raises(ps.ModelError):
        S.n
    with pytest.raises(ps.ModelError):
        S.w
    net = ps.Network(dt=DT, seed=1, backend=backend)
    net.add(gen, P, S)
    assert S.n == 4
    np.testing.assert_array_equal(S.w, [2.0, 3.0, 1.0, 3.0])
    net.run(3.0)
    np.testing.assert_array_equal(P.v, [1.0, 2.0, 6.0])


def test_the_same_synapse_spec_builds_once(cache_dir):
    def run():
        net = ps.Network(dt=DT, seed=1, backend="cpu")
        with net:
            gen = ps.SpikeGeneratorGroup(1, indices=[0], times=[1.0])
            P = ps.NeuronGroup(2, STILL)
            S = ps.Synapses(gen, P, model="w : 1", on_pre="v_post += w", delay=0.5)
            S.connect(i=[0, 0], j=[0, 1])
        net.run(1.0)
        return net
    assert run().last_build.compiled
    assert not run().last_build.compiled


# --- errors, raised where the synapses are written -------------------------------------

def _groups():
    return ps.NeuronGroup(3, NEURON), ps.NeuronGroup(2, NEURON)


@pytest.mark.parametrize("kwargs, name", [
    (dict(model="w : 1", on_pre="v_post += w + q"), "q"),
    (dict(model="w : 1", on_pre="zz = w"), "zz"),
    (dict(model="w : 1", on_pre="zz_post += w"), "zz_post"),
    (dict(model="w : 1", on_pre="v_post += w", on_post="w += foo"), "foo"),
    (dict(model="w : 1", on_pre="we = 2", params={"we": 1.0}), "we"),
    (dict(model="w : 1", on_pre="tau_post = 2"), "tau_post"),
    (dict(model="w : 1", on_pre="tau = w"), "tau"),
    (dict(model="dw/dt = -w/tau_w + xi/sqrt(tau_w) : 1", on_pre="v_post += w",
          params={"tau_w": 5.0}), "w"),                     # no noise in synapses
    (dict(model="w : 1", on_pre="v_post += w; nope(w)"), "nope"),
])
def test_bad_synaptic_code_raises_a_model_error_naming_the_symbol(kwargs, name):
    A, B = _groups()
    with pytest.raises(ps.ModelError) as err:
        ps.Synapses(A, B, **kwargs)
    assert err.value.symbol == name or name in str(err.value)


def test_model_errors_are_value_errors_raised_before_any_build(cache_dir):
    A, B = _groups()
    with pytest.raises(ValueError):
        ps.Synapses(A, B, model="w : 1", on_pre="v_post += undefined_name")
    assert not cache_dir.exists() or not any(cache_dir.rglob("*.so"))


def test_a_synapse_source_that_is_not_a_group_is_rejected():
    A, _ = _groups()
    with pytest.raises(ps.ModelError):
        ps.Synapses([1, 2, 3], A, on_pre="v_post += 1")


def test_a_synaptic_value_of_the_wrong_length_is_rejected():
    net = ps.Network(dt=DT, seed=1, backend="numpy")
    with net:
        A, B = _groups()
        S = ps.Synapses(A, B, model="w : 1", on_pre="v_post += w")
        S.connect(i=[0, 1], j=[1, 1])
    with pytest.raises(ps.ModelError):
        S.w = [1.0, 2.0, 3.0]


def test_a_synapse_parameter_without_a_value_is_reported_before_the_run():
    net = ps.Network(dt=DT, seed=1, backend="cpu")
    with net:
        A, B = _groups()
        S = ps.Synapses(A, B, on_pre="v_post += we", params={"we": None})
        S.connect(i=[0], j=[1])
    with pytest.raises(ps.ModelError) as err:
        net.run(1.0)
    assert err.value.symbol == "we"


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_synapses_without_code_hold_their_connectivity_as_in_brian2(backend):
    net = ps.Network(dt=0.1, backend=backend)
    with net:
        G = ps.NeuronGroup(4, ps.NeuronModel("dv/dt = 1/ms : 1", threshold="v > 1",
                                             reset="v = 0"))
        S = ps.Synapses(G, G, model="w : 1")      # no on_pre, on_post or equations
    S.connect(condition="abs(i - j) == 1")
    S.w = "i + j"
    net.run(1.0)                                  # compiled with nothing to run per step
    assert S.i.tolist() == [0, 1, 1, 2, 2, 3] and S.w.tolist() == [1, 1, 3, 3, 5, 5]
