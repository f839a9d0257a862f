"""Monitors of contiguous subgroups report the subgroup's neurons, numbered from 0."""
import numpy as np

import pyspike as ps


def _network(backend):
    # neuron k reaches threshold 1 at t = 1/(k+1) * 10 ms: every neuron spikes
    m = ps.NeuronModel("dv/dt = rate : 1\nrate : 1/ms", threshold="v > 1", reset="v = 0")
    net = ps.Network(dt=0.1, seed=1, backend=backend)
    with net:
        G = ps.NeuronGroup(6, m, init={"rate": "0.1*(i + 1)"})
        whole = ps.SpikeMonitor(G)
        part = ps.SpikeMonitor(G[2:5])
        trace = ps.StateMonitor(G[3:], "v", record=[0, 2])
        full_trace = ps.StateMonitor(G, "v", record=[3, 5])
    net.run(30.0)
    return whole, part, trace, full_trace


def test_a_subgroup_spike_monitor_keeps_its_neurons_renumbered(backend):
    whole, part, _, _ = _network(backend)
    mine = (whole.i >= 2) & (whole.i < 5)
    np.testing.assert_array_equal(part.i, whole.i[mine] - 2)
    np.testing.assert_array_equal(part.t, whole.t[mine])
    np.testing.assert_array_equal(part.count, whole.count[2:5])
    assert part.num_spikes == int(whole.count[2:5].sum())
    assert set(part.spike_trains()) == {0, 1, 2}


def test_a_subgroup_state_monitor_records_the_chosen_neurons_of_the_slice(backend):
    _, _, trace, full_trace = _network(backend)
    np.testing.assert_array_equal(trace.v, full_trace.v)      # G[3:][0, 2] = G[3, 5]
    np.testing.assert_array_equal(trace.record, [0, 2])


def test_a_subgroup_population_rate_counts_the_subgroup_only(backend):
    m = ps.NeuronModel("dv/dt = rate : 1\nrate : 1/ms", threshold="v > 1", reset="v = 0")
    net = ps.Network(dt=0.1, seed=1, backend=backend)
    with net:
        G = ps.NeuronGroup(6, m, init={"rate": "0.1*(i + 1)"})
        spikes = ps.SpikeMonitor(G)
        part = ps.PopulationRateMonitor(G[2:5])
        whole = ps.PopulationRateMonitor(G)
    net.run(30.0)
    steps = np.round(spikes.t / 0.1).astype(int) - 1          # the step that found each spike
    mine = (spikes.i >= 2) & (spikes.i < 5)
    expected = np.bincount(steps[mine], minlength=300) / (3 * 0.1e-3)
    np.testing.assert_array_equal(part.rate, expected)
    np.testing.assert_array_equal(whole.rate, np.bincount(steps, minlength=300) / (6 * 0.1e-3))
