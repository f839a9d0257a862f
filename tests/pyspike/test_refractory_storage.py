"""The step of each neuron's last spike is kept in four bytes (int32)."""
import numpy as np
import pytest

import pyspike as ps


def _net(make_lif, backend="cpu"):
    net = ps.Network(dt=0.1, seed=1, backend=backend)
    with net:
        G = ps.NeuronGroup(5, make_lif(), init={"v": -65.0, "I": 30.0})
    return net, G


def test_the_last_spike_is_stored_as_int32_and_read_in_ms(make_lif):
    net, G = _net(make_lif)
    net.run(10.0)
    assert G.state.lastspike.dtype == np.int32
    assert np.all((G.lastspike > 0.0) & (G.lastspike <= 10.0))


def test_a_run_past_2_31_steps_with_refractoriness_is_refused(make_lif):
    net, G = _net(make_lif)
    net.step = 2 ** 31 - 5
    with pytest.raises(ps.ModelError, match="2\\*\\*31 steps"):
        net.run(1.0)


def test_a_snapshot_holding_int64_last_spikes_is_read_back_as_int32(make_lif):
    net, G = _net(make_lif)
    net.run(5.0)
    G.state.lastspike = np.full(5, -(2 ** 62), dtype=np.int64)   # an old snapshot
    net.run(1.0)
    assert G.state.lastspike.dtype == np.int32


def test_a_neuron_that_never_spiked_is_not_refractory_however_long_the_period(backend,
                                                                            make_lif):
    # 1e12 ms is 1e13 steps, far more than int32 holds: the test against the stored int32
    # step is clamped (codegen.expressions.StepBound), and a neuron that never spiked
    # counts as having spiked infinitely long ago, as Brian2's lastspike = -inf does
    net = ps.Network(dt=0.1, seed=1, backend=backend)
    with net:
        G = ps.NeuronGroup(3, make_lif(refractory=1e12), init={"v": -65.0, "I": 30.0})
        spikes = ps.SpikeMonitor(G)
    net.run(20.0)
    # each neuron fires once, then stays refractory at the reset value
    np.testing.assert_array_equal(spikes.count, [1, 1, 1])
    np.testing.assert_array_equal(G.v, [-65.0] * 3)


def test_the_refractory_period_ends_after_its_steps_late_in_a_long_run(backend, make_lif):
    # near the int32 limit of steps, the period still ends exactly: the spike train of a
    # late stretch equals that of the first stretch
    def train(start_step):
        net = ps.Network(dt=0.1, seed=1, backend=backend)
        with net:
            G = ps.NeuronGroup(2, make_lif(refractory=5.0), init={"v": -65.0, "I": 30.0})
            spikes = ps.SpikeMonitor(G)
        net.step = start_step
        net.run(30.0)
        return np.round((spikes.t - start_step * 0.1) / 0.1).astype(np.int64), spikes.i
    early, late = train(0), train(2 ** 31 - 400)
    assert len(early[0]) >= 4
    np.testing.assert_array_equal(late[0], early[0])
    np.testing.assert_array_equal(late[1], early[1])
