"""Network(batch=K): K independent instances in the same kernels and launches.

Instance b is the network an unbatched ``Network(seed=net.seeds[b])`` simulates with the
same connectivity: every comparison here is exact (same operations in the same order).
"""
import numpy as np
import pytest

import pyspike as ps


K = 3
TAUS = [8.0, 10.0, 12.0]
NOISY = dict(equations="dv/dt = (I - v)/tau + sigma*xi/sqrt(tau) : 1", threshold="v > 1",
             reset="v = 0", refractory=2.0, params={"I": 1.2, "tau": 10.0, "sigma": 0.3})


def _recurrent(backend, seed=7, batch=K, connect=None):
    """20 noisy neurons with random initial values, delayed random synapses, monitors."""
    net = ps.Network(dt=0.1, seed=seed, backend=backend, batch=batch)
    with net:
        G = ps.NeuronGroup(20, ps.NeuronModel(**NOISY), init={"v": "rand()"})
        S = ps.Synapses(G, G, model="w : 1", on_pre="v_post += w")
        if connect is None:
            S.connect(p=0.3)
            S.delay = "rand()*2"
        else:
            S.connect(i=connect.i, j=connect.j)
            S.delay = connect.delay
        mons = (ps.SpikeMonitor(G), ps.StateMonitor(G, "v", record=[0, 3]),
                ps.PopulationRateMonitor(G))
    return net, G, S, mons


def test_each_instance_equals_a_separate_run_with_its_seed(backend):
    net, G, S, (spikes, volts, rate) = _recurrent(backend)
    S.w = "0.05*rand()"
    G.tau = np.array(TAUS)[:, None]              # one value per instance
    net.run(30.0)
    net.run(20.0)
    for b in range(K):
        one, G1, S1, (spikes1, volts1, rate1) = _recurrent(
            backend, seed=int(net.seeds[b]), batch=None, connect=S)
        S1.w = S.w[b]
        G1.tau = TAUS[b]
        one.run(50.0)
        assert spikes1.num_spikes > 20
        np.testing.assert_array_equal(spikes.i[b], spikes1.i)
        np.testing.assert_array_equal(spikes.t[b], spikes1.t)
        np.testing.assert_array_equal(spikes.count[b], spikes1.count)
        np.testing.assert_array_equal(volts.v[b], volts1.v)
        np.testing.assert_array_equal(rate.rate[b], rate1.rate)
        np.testing.assert_array_equal(G.v[b], G1.v)


def test_instance_zero_equals_the_unbatched_network_with_the_same_seed(backend):
    net, G, S, (spikes, _, _) = _recurrent(backend)
    S.w = "0.05*rand()"
    one, G1, S1, (spikes1, _, _) = _recurrent(backend, batch=None)
    S1.w = "0.05*rand()"
    np.testing.assert_array_equal(S.i, S1.i)       # connectivity from the same seed
    np.testing.assert_array_equal(S.w[0], S1.w)
    net.run(30.0)
    one.run(30.0)
    np.testing.assert_array_equal(spikes.i[0], spikes1.i)
    np.testing.assert_array_equal(spikes.t[0], spikes1.t)


def test_instances_draw_their_own_random_numbers():
    net, G, S, (spikes, _, _) = _recurrent("cpu")
    S.w = "0.05*rand()"
    assert not np.array_equal(G.v[0], G.v[1])
    assert not np.array_equal(S.w[1], S.w[2])
    with net:
        P = ps.PoissonGroup(50, rates=100.0)
        poisson = ps.SpikeMonitor(P)
    net.run(20.0)
    assert not np.array_equal(spikes.t[0], spikes.t[1])
    assert not np.array_equal(poisson.count[0], poisson.count[1])


def test_connectivity_and_delays_are_shared_and_synaptic_variables_are_per_instance():
    net, G, S, _ = _recurrent("numpy")
    S.w = np.arange(K)[:, None] * 1.0
    assert S.w.shape == (K, S.n) and S.i.shape == (S.n,) and S.delay.shape == (S.n,)
    np.testing.assert_array_equal(S.w[:, 0], [0.0, 1.0, 2.0])
    with pytest.raises(ps.ModelError, match="shared by the instances"):
        S.delay = np.ones((K, S.n))


def test_per_neuron_values_per_instance_equal_separate_runs(backend):
    net, G, S, (spikes, _, _) = _recurrent(backend)
    tau = np.linspace(6.0, 14.0, K * 20).reshape(K, 20)
    G.tau = tau
    net.run(20.0)
    for b in range(K):
        one, G1, S1, (spikes1, _, _) = _recurrent(backend, seed=int(net.seeds[b]),
                                                  batch=None, connect=S)
        G1.tau = tau[b]
        one.run(20.0)
        np.testing.assert_array_equal(spikes.t[b], spikes1.t)


def test_one_value_per_instance_keeps_a_parameter_scalar():
    net, G, _, _ = _recurrent("cpu")
    G.tau = [[8.0], [10.0], [12.0]]                # (K, 1): a scalar in each instance
    assert G.tau.shape == (K, 1) and "tau" not in net._spec().groups[0].per_neuron
    net.run(1.0)
    G.tau = [[9.0], [10.0], [11.0]]                # new values: no rebuild
    net.run(1.0)
    assert not net.last_build.generated


def test_poisson_inputs_take_one_rate_per_instance():
    net = ps.Network(dt=0.1, seed=3, backend="cpu", batch=2)
    with net:
        G = ps.NeuronGroup(200, ps.NeuronModel("dv/dt = -v/tau : 1", params={"tau": 10.0}))
    ps.PoissonInput(G, "v", N=100, rate=[0.0, 10.0], weight=0.5)
    net.run(200.0)
    assert (G.v[0] == 0).all() and 4.0 < G.v[1].mean() < 6.0     # N*rate*weight*tau = 5


def test_values_take_one_row_per_instance_or_one_value_per_instance():
    net, G, _, _ = _recurrent("numpy")
    G.v = np.arange(20.0)                          # the same in every instance
    np.testing.assert_array_equal(G.v[2], np.arange(20.0))
    G.v = np.array([[1.0], [2.0], [3.0]])          # (K, 1): one value per instance
    assert G.v.shape == (K, 20) and G.v[1, 5] == 2.0
    G[:5].v = -1.0                                 # a subgroup: its columns in every row
    assert G[:5].v.shape == (K, 5) and (G.v[:, :5] == -1.0).all() and G.v[0, 5] == 1.0
    with pytest.raises(ps.ModelError, match=r"\(3, 20\) for one row per instance"):
        G.v = np.zeros((2, 20))


def test_monitors_gain_a_leading_batch_axis():
    net, G, S, (spikes, volts, rate) = _recurrent("cpu")
    net.run(10.0)
    assert isinstance(spikes.i, list) and len(spikes.i) == len(spikes.t) == K
    assert spikes.count.shape == (K, 20) and spikes.num_spikes.shape == (K,)
    assert volts.v.shape == (K, 2, 100) and volts.t.shape == (100,)
    assert rate.rate.shape == (K, 100)
    assert len(spikes.spike_trains()) == K
    np.testing.assert_array_equal(spikes.num_spikes, [len(i) for i in spikes.i])


def test_a_batch_of_plastic_synapses_on_the_cpu_equals_the_numpy_reference():
    def run(backend):
        net = ps.Network(dt=0.1, seed=11, backend=backend, batch=K)
        with net:
            P = ps.PoissonGroup(30, rates=80.0)
            G = ps.NeuronGroup(10, ps.NeuronModel(**NOISY), init={"v": "rand()"})
            S = ps.Synapses(P, G, model="""w : 1
                                           dapre/dt = -apre/20.0 : 1 (event-driven)
                                           dapost/dt = -apost/20.0 : 1 (event-driven)""",
                            on_pre="v_post += w; apre += 0.01; w = clip(w + apost, 0, 0.3)",
                            on_post="apost -= 0.012; w = clip(w + apre, 0, 0.3)",
                            delay=1.0)
            S.connect(p=0.5)
            S.w = "0.2*rand()"
            mon = ps.SpikeMonitor(G)
        net.run(60.0)
        return S.w.copy(), mon
    w_cpu, cpu = run("cpu")
    w_ref, ref = run("numpy")
    for b in range(K):
        np.testing.assert_array_equal(cpu.i[b], ref.i[b])
        np.testing.assert_array_equal(cpu.t[b], ref.t[b])
    np.testing.assert_allclose(w_cpu, w_ref, rtol=0, atol=1e-15)   # rounding of clip only
    assert not np.array_equal(w_cpu[0], w_cpu[1])      # learning differs per instance


def test_spike_buffers_grow_for_every_instance():
    net = ps.Network(dt=0.1, seed=2, backend="cpu", batch=2)
    with net:
        P = ps.PoissonGroup(10, rates=2000.0)       # ~4000 spikes each: past 1024
        mon = ps.SpikeMonitor(P)
    net.run(200.0)
    assert (mon.num_spikes > 3000).all()
    np.testing.assert_array_equal(mon.num_spikes, [len(i) for i in mon.i])
    assert all((np.diff(t) >= 0).all() for t in mon.t)


def test_store_and_restore_bring_back_every_instance():
    net, G, S, (spikes, _, _) = _recurrent("cpu")
    net.run(10.0)
    net.store()
    net.run(10.0)
    after = [t.copy() for t in spikes.t]
    net.restore()
    net.run(10.0)
    for b in range(K):
        np.testing.assert_array_equal(spikes.t[b], after[b])


def test_seeds_one_per_instance():
    net = ps.Network(seed=[5, 9, 13], batch=3, backend="numpy")
    assert net.seeds.tolist() == [5, 9, 13] and net.seed == 5
    mixed = ps.Network(seed=5, batch=4, backend="numpy").seeds
    assert mixed[0] == 5 and len(set(mixed.tolist())) == 4
    with pytest.raises(ps.ModelError, match="one per instance"):
        ps.Network(seed=[1, 2], batch=3)
    with pytest.raises(ps.ModelError, match="batch must be a whole number"):
        ps.Network(batch=0)


def test_a_shared_parameter_takes_one_value_per_instance():
    m = ps.NeuronModel("""dv/dt = (I - v)/tau : 1
                          I : 1 (shared)""", params={"tau": 10.0})
    net = ps.Network(dt=0.1, seed=1, backend="cpu", batch=K)
    with net:
        G = ps.NeuronGroup(4, m)
    G.I = [[1.0], [2.0], [3.0]]
    net.run(10.0)
    # I * (1 - exp(-1)) with exact integration, per instance; float64 rounding only
    np.testing.assert_allclose(G.v[:, 0], np.array([1.0, 2.0, 3.0]) * (1 - np.exp(-1.0)),
                               rtol=1e-12)
    with pytest.raises(ps.ModelError, match=r"one per instance: shape \(K, 1\)"):
        G.I = np.ones((K, 4))
