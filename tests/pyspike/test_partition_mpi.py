"""``mpirun -n 2`` and ``-n 4`` with ``Network(partition=True)`` (pyspike/partition.py): every
rank ends with the spikes, recordings and state of the one-process run, bit for bit.

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


@pytest.fixture(scope="module")
def one_process():
    space = {}
    exec(compile(NETWORK, "partition_network", "exec"), space)
    return space["run"](False)


@pytest.mark.parametrize("ranks", [2, 4])
def test_every_rank_ends_with_the_one_process_results(folder, one_process, ranks):
    env = dict(os.environ, PYTHONPATH=str(Path(ps.__file__).parent.parent),
               OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    done = subprocess.run(["mpirun", "-n", str(ranks), "--oversubscribe", sys.executable,
                           str(folder / "split.py"), str(folder / f"ranks{ranks}")],
                          env=env, cwd=str(folder), capture_output=True, text=True,
                          timeout=HANG)
    assert done.returncode == 0, done.stdout + done.stderr
    assert one_process["i"].size > 200 and one_process["small_i"].size > 0
    for rank in range(ranks):
        with np.load(folder / f"ranks{ranks}_{rank}.npz") as split:
            for name, value in one_process.items():
                np.testing.assert_array_equal(split[name], value,
                                              err_msg=f"{name} on rank {rank} of {ranks}")
