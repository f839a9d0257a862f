"""Synaptic variables shared by a batch's instances (Synapses(shared=...)): one copy read
by every instance, the same spikes as identical per-instance copies."""
import numpy as np
import pytest

import pyspike as ps
from pyspike import ModelError

LIF = ps.NeuronModel("dv/dt = -v/tau : 1", threshold="v > 1", reset="v = 0",
                     params={"tau": 10.0})


def _run(backend, shared, store=None, duration=20.0):
    net = ps.Network(dt=0.1, backend=backend, batch=3, seed=2)
    with net:
        P = ps.PoissonGroup(50, rates=200.0)
        G = ps.NeuronGroup(10, LIF)
        S = ps.Synapses(P, G, model="w : 1", on_pre="v_post += w", shared=shared)
        S.connect(p=0.5)
        mon = ps.SpikeMonitor(G)
    S.w = np.linspace(0.0, 0.3, S.n)
    if store:
        store(net)
    net.run(duration)
    return S, [t.tolist() for t in mon.t]


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_shared_weights_give_the_spikes_of_identical_copies(backend):
    assert _run(backend, ("w",))[1] == _run(backend, ())[1]


def test_a_shared_variable_has_one_value_per_synapse_in_a_batch():
    S, _ = _run("numpy", ("w",), duration=0.1)
    assert np.shape(S.w) == (S.n,)


def test_synaptic_code_writing_a_shared_variable_is_refused():
    net = ps.Network(dt=0.1, backend="numpy", batch=2)
    with net:
        P = ps.PoissonGroup(5, rates=100.0)
        G = ps.NeuronGroup(5, LIF)
        S = ps.Synapses(P, G, model="w : 1", on_pre="v_post += w\nw += 0.1",
                        shared=("w",))
        S.connect()
    with pytest.raises(ModelError, match="no synaptic code may change it"):
        net.run(1.0)


def test_sharing_a_name_that_is_no_synaptic_variable_is_refused():
    net = ps.Network(dt=0.1, backend="numpy", batch=2)
    with net:
        P = ps.PoissonGroup(5, rates=100.0)
        G = ps.NeuronGroup(5, LIF)
        S = ps.Synapses(P, G, model="w : 1", on_pre="v_post += w", shared=("u",))
        S.connect()
    with pytest.raises(ModelError, match="'u'"):
        net.run(1.0)


def test_a_snapshot_file_keeps_a_shared_variable(tmp_path):
    path = tmp_path / "snap.npz"
    S, first = _run("cpu", ("w",), store=lambda net: net.store("s", filename=path))
    net = S.network
    S.w = 0.0
    net.restore("s", filename=path)
    assert np.shape(S.w) == (S.n,) and S.w[-1] == pytest.approx(0.3)
