"""``mpirun -n 2`` and ``-n 4`` with ``Network(partition=True)`` (pyspike/partition.py): every
rank ends with the spikes, recordings and state of the one-process run, bit for bit, for
the network below and for CUBA with a delay of five steps.

The network (partition_network.py) draws noise, Poisson spikes and random initial
values, so its blocks must draw by global neuron; its per-synapse delays reach 2.1 ms
over a minimum of one step; its group of 10 neurons leaves 1 or 3 ranks with no neuron.
Open MPI's mpirun and mpi4py are test dependencies (scripts/test.sh installs them); the
ranks oversubscribe CI's 2 cores."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import pyspike as ps

NETWORK = (Path(__file__).parent / "partition_network.py").read_text()

MAIN = '''
import sys
from mpi4py import MPI
results_ = run(True)
np.savez(sys.argv[1] + f"_{MPI.COMM_WORLD.Get_rank()}.npz", **results_)
'''
HANG = 300          # seconds: a run that hangs fails the test instead of blocking it


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    if shutil.which("mpirun") is None:
        pytest.fail("mpirun is not installed: install Open MPI (apt-get install openmpi-bin "
                    "libopenmpi-dev; scripts/test.sh does) to test networks split over ranks")
    path = tmp_path_factory.mktemp("partition_mpi")
    (path / "split.py").write_text(NETWORK + MAIN)
    return path


def _in_one_process(text: str, name: str) -> dict:
    """What ``run(False)`` of the script ``text`` gives in this process."""
    space = {}
    exec(compile(text, name, "exec"), space)
    return space["run"](False)


def _every_rank_has(folder, script: str, ranks: int, expected: dict) -> None:
    """``mpirun -n ranks`` of ``script`` (its run(True), saved per rank by MAIN): each
    rank's arrays equal ``expected``, bit for bit."""
    env = dict(os.environ, PYTHONPATH=str(Path(ps.__file__).parent.parent),
               OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    prefix = folder / f"{Path(script).stem}{ranks}"
    done = subprocess.run(["mpirun", "-n", str(ranks), "--oversubscribe", sys.executable,
                           str(folder / script), str(prefix)],
                          env=env, cwd=str(folder), capture_output=True, text=True,
                          timeout=HANG)
    assert done.returncode == 0, done.stdout + done.stderr
    for rank in range(ranks):
        with np.load(f"{prefix}_{rank}.npz") as split:
            for name, value in expected.items():
                np.testing.assert_array_equal(split[name], value,
                                              err_msg=f"{name} on rank {rank} of {ranks}")


@pytest.fixture(scope="module")
def one_process():
    return _in_one_process(NETWORK, "partition_network")


@pytest.mark.parametrize("ranks", [2, 4])
def test_every_rank_ends_with_the_one_process_results(folder, one_process, ranks):
    assert one_process["i"].size > 200 and one_process["small_i"].size > 0
    _every_rank_has(folder, "split.py", ranks, one_process)


MODEL = '''
import pyspike as ps

def build(**network):
    net = ps.Network(dt=0.1, **network)
    lif = ps.NeuronModel("dv/dt = (1.05 - v)/tau + 0.3*xi/sqrt(tau) : 1", threshold="v > 1",
                         reset="v = 0", params={"tau": 10.0})
    with net:
        exc = ps.NeuronGroup(200, lif, name="exc", init={"v": "rand()"})
        rec = ps.Synapses(exc, exc, "w : 1", on_pre="v_post += w", delay=0.2, name="rec")
        rec.connect(p=0.1)
        rec.w = 0.04
        ps.SpikeMonitor(exc)
        ps.StateMonitor(exc, "v", record=[0, 199])
    return net
'''


def test_pyspike_run_partition_writes_the_one_process_results_on_rank_0(folder):
    (folder / "model.py").write_text(MODEL)
    env = dict(os.environ, PYTHONPATH=str(Path(ps.__file__).parent.parent),
               OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    command = [sys.executable, "-m", "pyspike", "run", str(folder / "model.py"),
               "--duration", "60ms", "--seed", "3", "--quiet"]
    one = subprocess.run(command + ["--out", str(folder / "one.h5")], env=env,
                         cwd=str(folder), capture_output=True, text=True, timeout=HANG)
    split = subprocess.run(["mpirun", "-n", "2", "--oversubscribe"] + command +
                           ["--partition", "--out", str(folder / "split.h5")], env=env,
                           cwd=str(folder), capture_output=True, text=True, timeout=HANG)
    assert one.returncode == 0 and split.returncode == 0, one.stderr + split.stderr
    a, b = ps.load_results(folder / "one.h5"), ps.load_results(folder / "split.h5")
    assert a.spikes["exc"].timestamps.size > 50
    for field in ("node_ids", "timestamps"):
        np.testing.assert_array_equal(getattr(b.spikes["exc"], field),
                                      getattr(a.spikes["exc"], field))
    np.testing.assert_array_equal(b.reports["exc"]["v"].data, a.reports["exc"]["v"].data)


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
#: Brette et al.'s CUBA (examples/networks.py) with a delay of 5 steps: the ranks swap
#: spikes every fifth step, each swap carrying spikes of 5 steps for the next 5.
CUBA = f'''
import sys
import numpy as np
import pyspike as ps
sys.path.insert(0, {str(EXAMPLES)!r})
import networks

def run(partition):
    net = ps.Network(dt=0.1, seed=7, partition=partition, threads=1)
    P = networks.cuba(net, 800, delay=0.5)["P"]
    with net:
        spikes = ps.SpikeMonitor(P)
    net.run(100.0)
    return {{"i": spikes.i, "t": spikes.t, "v": P.v, "lastspike": P.lastspike}}
'''


@pytest.fixture(scope="module")
def cuba_one_process():
    return _in_one_process(CUBA, "cuba")


@pytest.mark.parametrize("ranks", [2, 4])
def test_cuba_split_over_ranks_gives_the_one_process_spikes(folder, cuba_one_process, ranks):
    (folder / "cuba.py").write_text(CUBA + MAIN)
    assert cuba_one_process["i"].size > 500
    _every_rank_has(folder, "cuba.py", ranks, cuba_one_process)

FAILING = '''
import pyspike as ps
from mpi4py import MPI

net = ps.Network(dt=0.1, seed=1, partition=True)
with net:
    G = ps.NeuronGroup(100, ps.NeuronModel("dv/dt = (1.2 - v)/tau : 1", threshold="v > 1",
                                           reset="v = 0", params={"tau": 10.0}))
    S = ps.Synapses(G, G, on_pre="v_post += 0.01", delay=0.1)
    S.connect(p=0.1)

@ps.network_operation(dt=5.0)
def fail(t):
    if t > 0 and MPI.COMM_WORLD.Get_rank() == 1:
        raise RuntimeError("the node died")

net.add(fail)
net.run(1000.0)
'''


def test_an_error_on_one_rank_ends_the_job_with_one_line(folder):
    (folder / "failing.py").write_text(FAILING)
    env = dict(os.environ, PYTHONPATH=str(Path(ps.__file__).parent.parent),
               OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    done = subprocess.run(["mpirun", "-n", "2", "--oversubscribe", sys.executable,
                           str(folder / "failing.py")], env=env, cwd=str(folder),
                          capture_output=True, text=True, timeout=HANG)
    assert done.returncode != 0
    assert "rank 1 of 2 stopped the job: RuntimeError: the node died" in done.stderr
