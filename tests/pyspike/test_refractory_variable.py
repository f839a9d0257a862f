"""A refractory period held in a state variable (Brian2's refractory='ref', ref : second)."""
import numpy as np
import pytest

import pyspike as ps

RAMP = "dv/dt = 1/tau : 1 (unless refractory)\nref : ms"


def _spikes(backend, refs, change=None):
    m = ps.NeuronModel(RAMP, threshold="v > 0.95", reset="v = 0", refractory="ref",
                       params={"tau": 1.0}, method="euler")
    net = ps.Network(dt=0.1, backend=backend)
    with net:
        G = ps.NeuronGroup(len(refs), m, init={"ref": np.array(refs)})
        M = ps.SpikeMonitor(G)
    net.run(10.0)
    if change is not None:
        G.ref = change
        net.run(10.0)
    return M


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_each_neuron_is_held_for_its_own_period(backend):
    M = _spikes(backend, [1.0, 3.0])
    # 1 ms to threshold, then held for ref/dt - 1 updates (Brian2's count): spikes every
    # ref + 0.9 ms (the minimal case: 1.0, 2.9, 4.8 for ref = 1 ms)
    np.testing.assert_allclose(M.t[M.i == 0], [1.0, 2.9, 4.8, 6.7, 8.6], atol=1e-9)
    np.testing.assert_allclose(M.t[M.i == 1], [1.0, 4.9, 8.8], atol=1e-9)


def test_a_changed_period_takes_effect_from_the_next_spike_on():
    M = _spikes("numpy", [1.0], change=3.0)
    later = M.t[M.t > 10.0]
    assert np.allclose(np.diff(later), 3.9)


def test_a_period_that_depends_on_t_is_refused():
    m = ps.NeuronModel(RAMP, threshold="v > 0.95", reset="v = 0", refractory="ref + t/1000",
                       params={"tau": 1.0})
    net = ps.Network(dt=0.1, backend="numpy")
    with net:
        ps.NeuronGroup(1, m)
    with pytest.raises(ps.ModelError, match="may not depend on t"):
        net.run(1.0)
