"""Compile once: parameter changes and new networks of the same model never recompile."""
import numpy as np

import pyspike as ps


def _net(make_lif, cache_dir, **params):
    net = ps.Network(dt=0.1, seed=1, backend="cpu", cache_dir=str(cache_dir))
    with net:
        G = ps.NeuronGroup(10, make_lif(**params), init={"I": 20.0})
        spikes = ps.SpikeMonitor(G)
    return net, G, spikes


def test_first_build_compiles_and_a_second_network_finds_it_in_the_cache(make_lif, tmp_path):
    net, _, _ = _net(make_lif, tmp_path)
    net.run(1.0)
    assert net.last_build.generated and net.last_build.compiled
    net2, _, _ = _net(make_lif, tmp_path)
    net2.run(1.0)
    assert not net2.last_build.generated and not net2.last_build.compiled


def test_changing_a_parameter_value_does_not_recompile_but_takes_effect(make_lif, tmp_path):
    net, G, spikes = _net(make_lif, tmp_path)
    net.run(50.0)
    before = spikes.num_spikes
    net2, G2, spikes2 = _net(make_lif, tmp_path, v_th=-60.0)     # a new value only
    net2.run(50.0)
    assert not net2.last_build.compiled
    assert spikes2.num_spikes > before
    G2.tau_m = 3.0                                               # a shared value set later
    net2.run(50.0)
    assert not net2.last_build.compiled and not net2.last_build.generated


def test_a_parameter_becomes_per_neuron_with_one_build_then_new_values_reuse_it(
        make_lif, tmp_path):
    net, G, spikes = _net(make_lif, tmp_path)
    net.run(1.0)
    G.tau_m = np.linspace(5.0, 20.0, 10)
    net.run(1.0)
    assert net.last_build.compiled
    G.tau_m = np.linspace(8.0, 9.0, 10)
    net.run(1.0)
    assert not net.last_build.compiled and not net.last_build.generated
    G.tau_m = 7.0            # a scalar on a per-neuron parameter fills the array
    net.run(1.0)
    assert not net.last_build.compiled
    np.testing.assert_array_equal(G.tau_m, 7.0)
