"""``Network(partition=True)`` (pyspike/partition.py): a network split over MPI ranks gives
the spikes, state and recordings of one process for the same seed.

In one process the split network runs through the same blocks, proxies, shortened
delays and exchange with a single rank; under ``mpirun -n 2`` and ``-n 4`` (oversubscribed:
CI has 2 cores) each rank holds a block of every group, and every rank's results must
equal the one-process run's, bit for bit (test_partition_mpi.py)."""
from pathlib import Path

import numpy as np
import pytest

import pyspike as ps
from pyspike.codegen.errors import ModelError

#: The network of both test files (a file of its own, run as text).
NETWORK = (Path(__file__).parent / "partition_network.py").read_text()


def _namespace():
    space = {}
    exec(compile(NETWORK, "partition_network", "exec"), space)
    return space


@pytest.fixture(scope="module")
def one_process():
    return _namespace()["run"](False)


def test_a_split_network_on_one_rank_equals_the_network(one_process):
    split = _namespace()["run"](True)
    assert one_process["i"].size > 200 and one_process["small_i"].size > 0
    w = one_process["w"]                        # STDP moved weights out of [0.02, 0.04]
    assert ((w < 0.02) | (w > 0.04)).any()
    for name, value in one_process.items():
        np.testing.assert_array_equal(split[name], value, err_msg=name)


def test_a_split_network_on_threads_equals_the_network(one_process, monkeypatch):
    from pyspike.backends import cpu
    monkeypatch.setattr(cpu, "PARALLEL_NEURONS", 64)    # (blocks of 300 on 2 threads)
    space = _namespace()
    net, monitors = space["build"](True)
    net.threads = 2
    net.run(30.0)
    net.run(20.3)
    assert net.ranks.local.backend.threads_used() == 2
    split = space["results"](net, monitors)
    for name, value in one_process.items():
        np.testing.assert_array_equal(split[name], value, err_msg=name)


def _cuba(partition, delay, runs=(30.0, 20.0)):
    net = ps.Network(dt=0.1, seed=3, partition=partition)
    with net:
        P = ps.NeuronGroup(400, ps.models.neurons["brette_cuba"],
                           init={"v": "Vr + rand()*(Vt - Vr)"})
        Ce = ps.Synapses(P[:320], P, on_pre="ge_post += 1.62", delay=delay)
        Ci = ps.Synapses(P[320:], P, on_pre="gi_post += -9", delay=delay)
        Ce.connect(p=0.2)
        Ci.connect(p=0.2)
        mon = ps.SpikeMonitor(P)
    for duration in runs:
        net.run(duration)
    return mon.i, mon.t, P.v


def test_runs_that_end_within_an_exchange_interval_continue_as_one_run():
    # D = 7 steps: runs of 3.1 and 4.4 ms end inside intervals; the spikes of the
    # unfinished interval and those waiting in the proxies carry over to the next run
    alone = _cuba(False, 0.7, (3.1, 4.4, 12.5))
    split = _cuba(True, 0.7, (3.1, 4.4, 12.5))
    assert alone[0].size > 50
    for a, b in zip(alone, split):
        np.testing.assert_array_equal(a, b)


def test_values_set_between_runs_reach_the_blocks():
    out = []
    for partition in (False, True):
        net = ps.Network(dt=0.1, seed=1, partition=partition)
        model = ps.NeuronModel("dv/dt = (I - v)/tau : 1", threshold="v > 1",
                               reset="v = 0", params={"I": 0.0, "tau": 10.0})
        with net:
            G = ps.NeuronGroup(80, model, init={"v": "rand()"})
            S = ps.Synapses(G, G, "w : 1", on_pre="v_post += w", delay=0.2)
            S.connect(p=0.1)
            mon = ps.SpikeMonitor(G)
        net.run(5.0)
        G.I = 1.5                    # a shared parameter
        G.v[:40] = 0.9               # a variable, in part
        S.w = 0.05
        net.run(20.0)
        out.append((mon.i.copy(), mon.t.copy(), G.v.copy()))
    assert out[0][0].size > 0
    for a, b in zip(*out):
        np.testing.assert_array_equal(a, b)


def test_network_operations_see_and_set_the_whole_state():
    out = []
    for partition in (False, True):
        net = ps.Network(dt=0.1, seed=4, partition=partition)
        model = ps.NeuronModel("dv/dt = (I - v)/tau + 0.2*xi/sqrt(tau) : 1",
                               threshold="v > 1", reset="v = 0", params={"I": 0.5, "tau": 10.0})
        with net:
            G = ps.NeuronGroup(100, model)
            S = ps.Synapses(G, G, on_pre="v_post += 0.05", delay=0.3)
            S.connect(p=0.1)
            mon = ps.SpikeMonitor(G)
        means = []

        @ps.network_operation(dt=2.0)
        def drive(t):
            means.append(float(G.v.mean()))
            G.I = 0.5 + t / 20.0

        net.add(drive)
        net.run(20.0)
        out.append((mon.i.copy(), mon.t.copy(), np.array(means)))
    assert out[0][0].size > 0
    for a, b in zip(*out):
        np.testing.assert_array_equal(a, b)


def _small(**synapses):
    net = ps.Network(dt=0.1, seed=2, partition=True)
    model = ps.NeuronModel("dv/dt = -v/tau : 1", threshold="v > 1", reset="v = 0",
                           params={"tau": 10.0})
    with net:
        G = ps.NeuronGroup(10, model, name="G")
        S = ps.Synapses(G, G, **{"on_pre": "v_post += 0.1", "delay": 0.1, **synapses})
        S.connect(p=0.5)
    return net


@pytest.mark.parametrize("synapses, named", [
    ({"delay": 0.0}, "delay"),
    ({"on_pre": "v_post += v_pre"}, "v_pre"),
    ({"on_pre": "v_post += rand()"}, "rand"),
])
def test_what_needs_more_of_another_rank_than_its_spikes_is_refused(synapses, named):
    net = _small(**synapses)
    with pytest.raises(ModelError, match="split over MPI ranks") as err:
        net.run(1.0)
    assert err.value.symbol == named


def test_neuron_code_reading_its_index_is_refused():
    net = ps.Network(dt=0.1, seed=2, partition=True)
    with net:
        ps.NeuronGroup(10, ps.NeuronModel("dv/dt = (i - v)/tau : 1", params={"tau": 10.0}),
                       name="G")
    with pytest.raises(ModelError, match="reads 'i'"):
        net.run(1.0)


def test_a_split_network_needs_a_seed():
    with pytest.raises(ModelError, match="needs a seed"):
        ps.Network(partition=True)


def test_a_split_network_runs_on_the_cpu_backend():
    net = ps.Network(dt=0.1, seed=2, partition=True, backend="numpy")
    with net:
        ps.NeuronGroup(10, ps.NeuronModel("dv/dt = -v/tau : 1", params={"tau": 10.0}))
    with pytest.raises(ModelError, match="backend='cpu'"):
        net.run(1.0)


def test_store_of_a_split_network_is_refused():
    with pytest.raises(ModelError, match="has no store"):
        _small().store()


def test_objects_added_after_the_first_run_are_refused():
    net = _small()
    net.run(1.0)
    net.add(ps.SpikeMonitor(net.groups[0]))
    with pytest.raises(ModelError, match="added to the network after its first run"):
        net.run(1.0)
