"""A SpikeGeneratorGroup in a batch: spikes given per instance (each sample its own)."""
import numpy as np
import pytest

import pyspike as ps
from pyspike import ModelError


def _run(backend, split=None):
    net = ps.Network(dt=0.1, backend=backend, batch=3, seed=1)
    with net:
        G = ps.SpikeGeneratorGroup(4, indices=[], times=[])
        mon = ps.SpikeMonitor(G)
    G.set_spikes([0, 1, 2, 3, 3], [0.0, 0.1, 0.2, 0.3, 0.5], instances=[0, 0, 1, 2, 2])
    for duration in split or (0.8,):
        net.run(duration)
    return [i.tolist() for i in mon.i], [np.round(t, 9).tolist() for t in mon.t]


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_each_instance_emits_only_its_own_spikes(backend):
    assert _run(backend) == ([[0, 1], [2], [3, 3]], [[0.1, 0.2], [0.3], [0.4, 0.6]])


def test_a_run_split_in_pieces_emits_the_same_spikes():
    assert _run("cpu", split=(0.3, 0.5)) == _run("cpu")


def test_instances_outside_the_batch_are_refused():
    net = ps.Network(dt=0.1, backend="numpy", batch=2)
    with net:
        G = ps.SpikeGeneratorGroup(2, indices=[], times=[])
    with pytest.raises(ModelError, match="instance"):
        G.set_spikes([0], [0.0], instances=[2])


def test_spikes_per_instance_need_a_batched_network():
    net = ps.Network(dt=0.1, backend="numpy")
    with net:
        G = ps.SpikeGeneratorGroup(2, indices=[], times=[])
    with pytest.raises(ModelError, match="batched"):
        G.set_spikes([0], [0.0], instances=[0])


def test_one_instance_per_spike_is_required():
    with pytest.raises(ModelError, match="one instance per spike"):
        ps.SpikeGeneratorGroup(2, indices=[0, 1], times=[0.0, 0.1]).set_spikes(
            [0, 1], [0.0, 0.1], instances=[0])


def test_store_and_restore_keep_the_spikes_of_each_instance():
    net = ps.Network(dt=0.1, backend="numpy", batch=2, seed=1)
    with net:
        G = ps.SpikeGeneratorGroup(2, indices=[], times=[])
        mon = ps.SpikeMonitor(G)
    G.set_spikes([0, 1], [0.2, 0.2], instances=[1, 0])
    net.store()
    net.run(0.5)
    net.restore()
    net.run(0.5)
    assert [i.tolist() for i in mon.i] == [[1], [0]]
