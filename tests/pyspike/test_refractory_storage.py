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
    assert G._lastspike.dtype == np.int32
    assert np.all((G.lastspike > 0.0) & (G.lastspike <= 10.0))


def test_a_run_past_2_31_steps_with_refractoriness_is_refused(make_lif):
    net, G = _net(make_lif)
    net.step = 2 ** 31 - 5
    with pytest.raises(ps.ModelError, match="2\\*\\*31 steps"):
        net.run(1.0)


def test_a_snapshot_holding_int64_last_spikes_is_read_back_as_int32(make_lif):
    net, G = _net(make_lif)
    net.run(5.0)
    G.__dict__["_lastspike"] = np.full(5, -(2 ** 62), dtype=np.int64)   # an old snapshot
    net.run(1.0)
    assert G._lastspike.dtype == np.int32
