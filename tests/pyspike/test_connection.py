"""Connection: the SPAIC-style shorthand for weighted synapses, ``post_var += w`` per
presynaptic spike, connected full (dense), sparse (probability p) or one_to_one."""
import numpy as np
import pytest

import pyspike as ps

DT = 0.1
#: Targets that only hold what the connections add: I by default, v for post_var tests.
TARGET = ps.NeuronModel("v : 1\nI : 1")


def _driven(backend, link_type, n_pre=4, n_post=4, spikes=((0, 1.0),), duration=3.0,
            **kwargs):
    """A generator (neuron, time) -> Connection -> TARGET, with a StateMonitor on I and v."""
    net = ps.Network(dt=DT, seed=2, backend=backend)
    with net:
        indices, times = zip(*spikes) if spikes else ((), ())
        gen = ps.SpikeGeneratorGroup(n_pre, indices=list(indices), times=list(times))
        post = ps.NeuronGroup(n_post, TARGET)
        C = ps.Connection(gen, post, link_type=link_type, **kwargs)
        mon = ps.StateMonitor(post, ["v", "I"], record=True)
    net.run(duration)
    return C, post, mon


# --- connectivity ------------------------------------------------------------------------

def test_full_connects_every_pair_and_is_stored_densely():
    net = ps.Network(dt=DT, seed=1, backend="numpy")
    with net:
        A, B = ps.NeuronGroup(5, TARGET), ps.NeuronGroup(7, TARGET)
        C = ps.Connection(A, B, link_type="full")
    assert C.dense
    assert C.n == 35
    np.testing.assert_array_equal(C.i, np.repeat(np.arange(5), 7))
    np.testing.assert_array_equal(C.j, np.tile(np.arange(7), 5))
    assert C.link_type == "full"


def test_full_is_the_default_link_type():
    net = ps.Network(dt=DT, seed=1, backend="numpy")
    with net:
        A, B = ps.NeuronGroup(3, TARGET), ps.NeuronGroup(2, TARGET)
        C = ps.Connection(A, B)
    assert C.link_type == "full" and C.n == 6


def test_sparse_connects_each_pair_with_probability_p():
    net = ps.Network(dt=DT, seed=1, backend="numpy")
    with net:
        A, B = ps.NeuronGroup(200, TARGET), ps.NeuronGroup(300, TARGET)
        C = ps.Connection(A, B, link_type="sparse", p=0.05)
    assert not C.dense
    # 60000 pairs at p = 0.05: 3000 expected, binomial sd sqrt(60000*0.05*0.95) = 53; 5 sd
    assert abs(C.n - 3000) < 5 * 53
    assert np.all(np.diff(C.i) >= 0)                        # CSR order by i
    pairs = C.i.astype(np.int64) * 300 + C.j
    assert np.unique(pairs).size == C.n                    # each pair at most once


def test_sparse_uses_p_0_1_by_default():
    net = ps.Network(dt=DT, seed=1, backend="numpy")
    with net:
        A, B = ps.NeuronGroup(100, TARGET), ps.NeuronGroup(100, TARGET)
        C = ps.Connection(A, B, link_type="sparse")
    # 10000 pairs at p = 0.1: 1000 expected, sd 30; 5 sd
    assert abs(C.n - 1000) < 5 * 30


def test_sparse_connectivity_follows_the_seed():
    def build(seed):
        net = ps.Network(dt=DT, seed=seed, backend="numpy")
        with net:
            A, B = ps.NeuronGroup(50, TARGET), ps.NeuronGroup(50, TARGET)
            return ps.Connection(A, B, link_type="sparse", p=0.1)
    a, b, c = build(1), build(1), build(2)
    np.testing.assert_array_equal(a.i, b.i)
    np.testing.assert_array_equal(a.j, b.j)
    assert not (a.n == c.n and np.array_equal(a.j, c.j))


def test_one_to_one_connects_neuron_k_to_neuron_k():
    net = ps.Network(dt=DT, seed=1, backend="numpy")
    with net:
        A, B = ps.NeuronGroup(6, TARGET), ps.NeuronGroup(6, TARGET)
        C = ps.Connection(A, B, link_type="one_to_one")
    np.testing.assert_array_equal(C.i, np.arange(6))
    np.testing.assert_array_equal(C.j, np.arange(6))


def test_one_to_one_between_groups_of_different_sizes_is_an_error():
    net = ps.Network(dt=DT, seed=1, backend="numpy")
    with net:
        A, B = ps.NeuronGroup(3, TARGET), ps.NeuronGroup(4, TARGET)
        with pytest.raises(ps.ModelError, match="one_to_one"):
            ps.Connection(A, B, link_type="one_to_one")


def test_an_unknown_link_type_is_an_error_naming_it():
    net = ps.Network(dt=DT, seed=1, backend="numpy")
    with net:
        A = ps.NeuronGroup(3, TARGET)
        with pytest.raises(ps.ModelError, match="dense") as err:
            ps.Connection(A, A, link_type="dense")
    assert err.value.symbol == "dense"


def test_a_connection_that_raises_is_not_left_in_the_network():
    # the user never gets the object: it must not take part in the runs
    net = ps.Network(dt=DT, seed=1, backend="numpy")
    with net:
        A, B = ps.NeuronGroup(3, TARGET), ps.NeuronGroup(4, TARGET)
        with pytest.raises(ps.ModelError):
            ps.Connection(A, B, link_type="one_to_one")
        with pytest.raises(ps.ModelError):
            ps.Connection(A, B, link_type="full", weight=[1.0, 2.0])
    assert net.synapses == []


def test_a_connection_made_outside_a_network_joins_when_added():
    # as for Synapses: objects made outside a `with net:` block are added afterwards
    A, B = ps.NeuronGroup(3, TARGET), ps.NeuronGroup(3, TARGET)
    C = ps.Connection(A, B, link_type="one_to_one", weight=0.5)
    net = ps.Network(dt=DT, seed=1, backend="numpy")
    net.add(A, B, C)
    np.testing.assert_array_equal(C.w, [0.5, 0.5, 0.5])
    np.testing.assert_array_equal(C.j, [0, 1, 2])


def test_connections_between_subgroups():
    net = ps.Network(dt=DT, seed=1, backend="numpy")
    with net:
        P = ps.NeuronGroup(10, TARGET)
        C = ps.Connection(P[:4], P[6:], link_type="one_to_one", weight=2.0)
    np.testing.assert_array_equal(C.i, np.arange(4))       # within the subgroups
    np.testing.assert_array_equal(C.j, np.arange(4))
    assert C.n_pre == 4 and C.n_post == 4


# --- weights -----------------------------------------------------------------------------

def test_a_scalar_weight_is_given_to_every_synapse():
    net = ps.Network(dt=DT, seed=1, backend="numpy")
    with net:
        A, B = ps.NeuronGroup(3, TARGET), ps.NeuronGroup(4, TARGET)
        C = ps.Connection(A, B, weight=0.75)
    np.testing.assert_array_equal(C.w, np.full(12, 0.75))


def test_one_weight_per_synapse_in_synapse_order():
    net = ps.Network(dt=DT, seed=1, backend="numpy")
    with net:
        A, B = ps.NeuronGroup(3, TARGET), ps.NeuronGroup(4, TARGET)
        C = ps.Connection(A, B, weight=np.arange(12) * 0.5)
    np.testing.assert_array_equal(C.w, np.arange(12) * 0.5)


def test_a_weight_array_of_the_wrong_length_is_an_error():
    net = ps.Network(dt=DT, seed=1, backend="numpy")
    with net:
        A, B = ps.NeuronGroup(3, TARGET), ps.NeuronGroup(4, TARGET)
        with pytest.raises(ps.ModelError, match="w"):
            ps.Connection(A, B, weight=[1.0, 2.0])


def test_a_weight_expression_with_rand_gives_each_synapse_its_own_value():
    net = ps.Network(dt=DT, seed=1, backend="numpy")
    with net:
        A, B = ps.NeuronGroup(20, TARGET), ps.NeuronGroup(20, TARGET)
        C = ps.Connection(A, B, link_type="sparse", p=0.5, weight="rand()")
    w = C.w
    assert w.shape == (C.n,)
    assert np.all((w >= 0) & (w < 1))
    assert np.unique(w).size == C.n
    # ~200 uniform values: mean 0.5 with sd 0.29/sqrt(200) = 0.02; 5 sd
    assert abs(w.mean() - 0.5) < 0.1


def test_a_weight_expression_may_use_the_indices():
    net = ps.Network(dt=DT, seed=1, backend="numpy")
    with net:
        A, B = ps.NeuronGroup(3, TARGET), ps.NeuronGroup(4, TARGET)
        C = ps.Connection(A, B, weight="i*10.0 + j")
    np.testing.assert_array_equal(C.w, C.i * 10.0 + C.j)


def test_rand_weights_follow_the_seed():
    def build(seed):
        net = ps.Network(dt=DT, seed=seed, backend="numpy")
        with net:
            A, B = ps.NeuronGroup(5, TARGET), ps.NeuronGroup(5, TARGET)
            return ps.Connection(A, B, weight="rand()").w
    np.testing.assert_array_equal(build(3), build(3))
    assert not np.array_equal(build(3), build(4))


# --- the effect of a spike ---------------------------------------------------------------

def test_each_presynaptic_spike_adds_the_weight_to_I(backend):
    # neuron 0 spikes at 1.0 and 2.0 ms; neuron 1 at 1.5 ms; full 2 -> 3 with distinct w
    weights = np.array([0.5, 1.0, 2.0, 0.25, 4.0, 8.0])       # w[i*3 + j]
    C, post, mon = _driven(backend, "full", n_pre=2, n_post=3,
                           spikes=[(0, 1.0), (1, 1.5), (0, 2.0)], weight=weights)
    expected = 2 * weights[:3] + weights[3:]
    np.testing.assert_array_equal(post.I, expected)
    np.testing.assert_array_equal(post.v, 0.0)
    # the increments, sample by sample: at stamps 11, 16 and 21 (no delay; a generator
    # spike at T acts at T + dt)
    steps = np.diff(mon.I, axis=1)
    np.testing.assert_array_equal(steps[:, 10], weights[:3])
    np.testing.assert_array_equal(steps[:, 15], weights[3:])
    np.testing.assert_array_equal(steps[:, 20], weights[:3])
    assert np.count_nonzero(steps) == 9


def test_one_to_one_spikes_reach_only_their_partner(backend):
    C, post, mon = _driven(backend, "one_to_one", n_pre=4, n_post=4,
                           spikes=[(2, 1.0)], weight=1.5)
    np.testing.assert_array_equal(post.I, [0.0, 0.0, 1.5, 0.0])


def test_sparse_spikes_add_the_weight_along_existing_synapses(backend):
    spikes = [(i, 1.0 + 0.1 * i) for i in range(30)]
    C, post, _ = _driven(backend, "sparse", n_pre=30, n_post=20, spikes=spikes, p=0.2,
                         weight="1.0 + i", duration=5.0)
    expected = np.bincount(C.j, weights=C.w, minlength=20)
    assert C.n > 0
    # sums of whole numbers: exact
    np.testing.assert_array_equal(post.I, expected)


def test_post_var_chooses_the_variable_the_weight_is_added_to(backend):
    C, post, _ = _driven(backend, "one_to_one", n_pre=2, n_post=2, spikes=[(0, 1.0)],
                         weight=3.0, post_var="v")
    np.testing.assert_array_equal(post.v, [3.0, 0.0])
    np.testing.assert_array_equal(post.I, 0.0)


def test_a_post_var_the_target_does_not_have_is_an_error_naming_it():
    net = ps.Network(dt=DT, seed=1, backend="numpy")
    with net:
        A = ps.NeuronGroup(3, TARGET)
        with pytest.raises(ps.ModelError, match="ge"):
            ps.Connection(A, A, post_var="ge")


def test_a_connection_drives_a_neuron_to_fire(backend):
    lif = ps.NeuronModel("dv/dt = -v/tau : 1", threshold="v > 1", reset="v = 0",
                         params={"tau": 10.0}, method="exact")
    net = ps.Network(dt=DT, seed=1, backend=backend)
    with net:
        gen = ps.SpikeGeneratorGroup(2, indices=[0, 1], times=[1.0, 1.0])
        P = ps.NeuronGroup(1, lif)
        ps.Connection(gen, P, weight=0.6, post_var="v")
        out = ps.SpikeMonitor(P)
    net.run(3.0)
    # the generator spikes at 1.0 ms act at 1.1 ms: 0.6 + 0.6 arrive in the sample at
    # 1.1 ms; the threshold of the step from 1.1 ms sees 1.2*exp(-0.01) > 1 and the spike
    # is stamped 1.2 ms
    np.testing.assert_allclose(out.t, [1.2], rtol=0, atol=1e-12)


# --- delays ------------------------------------------------------------------------------

def test_a_scalar_delay_shifts_every_arrival(backend):
    C, post, mon = _driven(backend, "full", n_pre=1, n_post=3, spikes=[(0, 1.0)],
                           weight=1.0, delay=1.5)
    np.testing.assert_array_equal(C.delay, [1.5, 1.5, 1.5])
    # stamp 11 (the spike at 1.0 ms acts at 1.1 ms) + 15 steps: first visible in sample 26
    np.testing.assert_array_equal((mon.I > 0.5).argmax(axis=1), [26, 26, 26])
    np.testing.assert_array_equal(post.I, 1.0)


def test_one_delay_per_synapse(backend):
    C, post, mon = _driven(backend, "one_to_one", n_pre=3, n_post=3,
                           spikes=[(0, 1.0), (1, 1.0), (2, 1.0)], weight=1.0,
                           delay=np.array([0.0, 0.5, 1.2]))
    np.testing.assert_array_equal(C.delay, [0.0, 0.5, 1.2])
    # stamp 11 (the spikes at 1.0 ms act at 1.1 ms) + 0, 5 and 12 steps
    np.testing.assert_array_equal((mon.I > 0.5).argmax(axis=1), [11, 16, 23])
    np.testing.assert_array_equal(post.I, 1.0)


def test_a_delay_expression_is_evaluated_per_synapse():
    # Synapses accept delay = "2.0*rand()"; so does Connection's delay (a string is a
    # "number" of ndim 0 for it), and each synapse must get its own value
    net = ps.Network(dt=DT, seed=1, backend="numpy")
    with net:
        A, B = ps.NeuronGroup(50, TARGET), ps.NeuronGroup(50, TARGET)
        C = ps.Connection(A, B, link_type="one_to_one", delay="2.0*rand()")
    d = C.delay
    assert d.shape == (50,)
    assert np.all((d >= 0) & (d < 2.0))
    assert np.unique(d).size == 50


def test_a_delay_array_of_the_wrong_length_is_an_error():
    net = ps.Network(dt=DT, seed=1, backend="numpy")
    with net:
        A, B = ps.NeuronGroup(3, TARGET), ps.NeuronGroup(3, TARGET)
        with pytest.raises(ps.ModelError, match="delay"):
            ps.Connection(A, B, link_type="one_to_one", delay=[0.1, 0.2])


def test_a_negative_delay_is_an_error():
    net = ps.Network(dt=DT, seed=1, backend="numpy")
    with net:
        A, B = ps.NeuronGroup(3, TARGET), ps.NeuronGroup(3, TARGET)
        with pytest.raises(ps.ModelError, match="delay"):
            ps.Connection(A, B, link_type="one_to_one", delay=-1.0)


def test_cpu_equals_numpy_reference_for_a_recurrent_network():
    lif = ps.NeuronModel("dv/dt = (I - v)/tau : 1\nI : 1", threshold="v > 1",
                         reset="v = 0; I = 0", params={"tau": 10.0}, method="exact")
    out = []
    for backend in ("numpy", "cpu"):
        net = ps.Network(dt=DT, seed=9, backend=backend)
        with net:
            inp = ps.PoissonGroup(40, rates=300.0)
            P = ps.NeuronGroup(40, lif)
            ps.Connection(inp, P, link_type="one_to_one", weight=0.9)
            C = ps.Connection(P, P, link_type="sparse", p=0.2, weight="0.3*rand()")
            C.delay = "1.0 + rand()"
            mon = ps.SpikeMonitor(P)
        net.run(30.0)
        out.append((mon, P))
    (ref, ref_P), (cpu, cpu_P) = out
    assert ref.num_spikes > 20
    np.testing.assert_array_equal(cpu.i, ref.i)
    np.testing.assert_array_equal(cpu.t, ref.t)
    # same operations in the same order; exp may differ in the last ulp over 300 steps
    np.testing.assert_allclose(cpu_P.v, ref_P.v, rtol=0, atol=1e-12)
