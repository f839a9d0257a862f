"""Network(threads=N): the CPU backend's threads give the results of one thread, bit for
bit, on every feature network (tests/cuda/networks.py), batched and not (the threads
sharing each instance's kernels, or whole instances of a batch), and on a CUBA network of
several blocks of neurons per thread; the number is checked and defaults to
OMP_NUM_THREADS or the cores this process may use."""
import importlib.util
import os
from pathlib import Path
from typing import Tuple

import numpy as np
import pytest

import pyspike as ps
from pyspike.backends import cpu
from pyspike.codegen.errors import ModelError

TESTS = Path(__file__).resolve().parents[1]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


networks = _load("thread_feature_networks", TESTS / "cuda" / "networks.py")


@pytest.fixture
def threads_on_small_networks(monkeypatch):
    """Every network runs on its threads, however small (the results are the same)."""
    monkeypatch.setattr(cpu, "PARALLEL_NEURONS", 0)


def _outcome(net, objects) -> list:
    """Everything a run leaves: each state array, the monitors' records."""
    out = [np.array(v, copy=True) for v in net.state.values()]
    for obj in objects:
        if isinstance(obj, ps.SpikeMonitor):
            out += [np.asarray(x) for x in (obj.i if isinstance(obj.i, list) else [obj.i])]
            out += [np.asarray(x) for x in (obj.t if isinstance(obj.t, list) else [obj.t])]
        elif isinstance(obj, ps.StateMonitor):
            out += [np.asarray(getattr(obj, var)) for var in obj.variables]
        elif isinstance(obj, ps.PopulationRateMonitor):
            out.append(np.asarray(obj.rate))
    return out


def _run(name: str, threads: int, batch=None) -> list:
    net, objects = networks.build(name, "cpu", batch=batch)
    net.threads = threads
    net.run(20.0)
    assert net.backend.threads_used() == threads       # the threads did run
    return _outcome(net, objects)


def _assert_identical(a: list, b: list) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(y, x)        # bit for bit (NaN equal to NaN)


@pytest.mark.parametrize("name", sorted(networks.NETWORKS))
def test_a_feature_network_gives_the_same_spikes_and_state_on_one_two_and_four_threads(
        name, threads_on_small_networks):
    one = _run(name, 1)
    _assert_identical(one, _run(name, 2))
    _assert_identical(one, _run(name, 4))


@pytest.mark.parametrize("name", ["generator_delays", "stdp_sparse"])
def test_a_batch_gives_the_same_results_on_one_and_three_threads(name,
                                                                  threads_on_small_networks):
    _assert_identical(_run(name, 1, batch=2), _run(name, 3, batch=2))


def _instance_run(name: str, threads: int, monkeypatch) -> Tuple[list, int]:
    """A batch of 3 small instances whose neurons in all reach PARALLEL_NEURONS (set to
    twice an instance's): the threads share the instances."""
    net, objects = networks.build(name, "cpu", batch=3)
    neurons = sum(o.N for o in objects if isinstance(o, ps.NeuronGroup))
    monkeypatch.setattr(cpu, "PARALLEL_NEURONS", 2 * neurons)
    net.threads = threads
    net.run(20.0)
    return _outcome(net, objects), net.backend.threads_used()


@pytest.mark.parametrize("name", ["generator_delays", "stdp_sparse", "summed_gap"])
def test_a_batch_of_small_instances_gives_the_same_results_with_its_instances_on_threads(
        name, monkeypatch):
    one, used = _instance_run(name, 1, monkeypatch)
    assert used == 1
    three, used = _instance_run(name, 3, monkeypatch)
    assert used == 3
    _assert_identical(one, three)


def test_a_batch_shared_by_instance_uses_no_more_threads_than_it_has_instances(monkeypatch):
    _, used = _instance_run("stdp_sparse", 8, monkeypatch)
    assert used == 3


def _cuba(threads: int) -> list:
    """CUBA of 4500 neurons (18 blocks of the update) with a delayed pathway and a state
    monitor of every neuron (its neurons shared by the threads)."""
    net = ps.Network(dt=0.1, seed=5, threads=threads)
    P = networks.examples().cuba(net, 4500)["P"]
    with net:
        late = ps.Synapses(P, P, on_pre="ge_post += 0.2", delay="1.0 + 0.5*rand()")
        late.connect(p=0.002)
        objects = [ps.SpikeMonitor(P), ps.StateMonitor(P, "v", record=True, every=20)]
    net.run(15.0)
    assert net.backend.threads_used() == threads
    return _outcome(net, objects)


def test_cuba_gives_the_same_spikes_and_state_on_one_and_two_threads(
        threads_on_small_networks):
    one = _cuba(1)
    assert one[-2].size > 0                            # (it spikes)
    _assert_identical(one, _cuba(2))


def test_a_network_below_parallel_neurons_runs_on_one_thread():
    net, _ = networks.build("noisy_condition", "cpu")
    net.threads = 2
    net.run(1.0)
    assert net.backend.threads_used() == 1


@pytest.mark.parametrize("bad", [0, -2, 1.5, 2.0, True, "2"])
def test_a_number_of_threads_that_is_not_a_whole_number_of_at_least_one_is_refused(bad):
    with pytest.raises(ModelError, match="threads must be a whole number of at least 1"):
        ps.Network(threads=bad)


def test_the_default_number_of_threads_is_omp_num_threads(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert ps.Network().threads == 3


def test_without_omp_num_threads_the_default_is_the_cores_this_process_may_use(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert ps.Network().threads == len(os.sched_getaffinity(0))
