"""``mpirun -n R pyspike sweep`` (pyspike/mpi.py, pyspike/cli/sweep.py): the networks of a
sweep shared out over MPI ranks give the one-process sweep's spikes, compile once, end
every rank with one sentence where one fails, and resume as a one-process sweep does.

Open MPI's mpirun and mpi4py are test dependencies (scripts/test.sh installs them)."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import pyspike as ps
from pyspike.cli import main

MODEL = '''
import os
import pyspike as ps

def build(**network):
    net = ps.Network(dt=0.1, **network)
    m = ps.NeuronModel("dv/dt = (I - v)/tau + 0.5*xi/sqrt(tau) : 1", threshold="v > 1",
                       reset="v = 0", params={"I": 1.1, "tau": 10.0})
    with net:
        exc = ps.NeuronGroup(30, m, name="exc")
        rec = ps.Synapses(exc, exc, "w : 1", on_pre="v += w", name="rec")
        rec.connect(p=0.1)
        rec.w = 0.05
        ps.SpikeMonitor(exc)
    if str(net.seed) == os.environ.get("CRASH_SEED"):      # a node dying midway
        @ps.network_operation(dt=10.0)
        def die(t):
            if t > 0:
                raise RuntimeError("the node died")
        net.add(die)
    return net
'''
# 8 points in 4 networks (one per seed) of 2 instances; round robin: rank r runs the
# networks r, r + R, ...
SWEEP = ["--duration", "50ms", "--grid", "exc.tau=10,20", "--grid", "seed=1:4",
         "--backend", "cpu"]
NETWORKS = [f"batch_{n:04d}.h5" for n in range(4)]
HANG = 300          # seconds: a run that hangs fails the test instead of blocking it


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    if shutil.which("mpirun") is None:
        pytest.fail("mpirun is not installed: install Open MPI (apt-get install openmpi-bin "
                    "libopenmpi-dev; scripts/test.sh does) to test sweeps over MPI ranks")
    path = tmp_path_factory.mktemp("sweep_mpi")
    (path / "model.py").write_text(MODEL)
    return path


def mpirun(folder, ranks, out, cache, **env):
    """``mpirun -n ranks python -m pyspike sweep ...`` (oversubscribed: CI has 2 cores)."""
    env = dict(os.environ, PYTHONPATH=str(Path(ps.__file__).parent.parent),
               PYSPIKE_CACHE_DIR=str(cache), OMPI_ALLOW_RUN_AS_ROOT="1",
               OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", **env)
    return subprocess.run(["mpirun", "-n", str(ranks), "--oversubscribe", sys.executable,
                           "-m", "pyspike", "sweep", str(folder / "model.py"), *SWEEP,
                           "--out", str(folder / out)],
                          env=env, cwd=str(folder), capture_output=True, text=True,
                          timeout=HANG)


@pytest.fixture(scope="module")
def four_ranks(folder):
    """A sweep on 4 ranks, compiling into an empty cache."""
    return mpirun(folder, 4, "four", folder / "cache")


@pytest.fixture(scope="module")
def reference(folder, four_ranks):
    """The same sweep in one process (the cache holds its code by now)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PYSPIKE_CACHE_DIR", str(folder / "cache"))
        assert main(["sweep", str(folder / "model.py"), *SWEEP, "--out",
                     str(folder / "one"), "--quiet"]) == 0
    return folder / "one"


@pytest.fixture(scope="module")
def crashed(folder, four_ranks):
    """A sweep on 2 ranks whose network of seed 2 dies midway: rank 1's first network (it
    runs no other after it) while rank 0 finishes both of its own."""
    return mpirun(folder, 2, "two", folder / "cache", CRASH_SEED="2")


def assert_same_spikes(folder, reference):
    assert json.loads((folder / "sweep.json").read_text())["batches"] == \
        json.loads((reference / "sweep.json").read_text())["batches"]
    for name in NETWORKS:
        ours, theirs = (ps.load_results(f / name).spikes for f in (folder, reference))
        assert sorted(ours) == sorted(theirs) == ["exc_0", "exc_1"]
        for population in theirs:
            assert theirs[population].node_ids.size > 0
            np.testing.assert_array_equal(ours[population].node_ids,
                                          theirs[population].node_ids)
            np.testing.assert_array_equal(ours[population].timestamps,
                                          theirs[population].timestamps)


def test_a_sweep_on_4_ranks_gives_the_one_process_sweeps_spikes(folder, four_ranks,
                                                                 reference):
    assert four_ranks.returncode == 0, four_ranks.stderr
    assert "4 to run, on 4 ranks" in four_ranks.stdout
    assert_same_spikes(folder / "four", reference)


def test_a_sweep_on_4_ranks_compiles_once(folder, four_ranks):
    assert four_ranks.returncode == 0, four_ranks.stderr
    assert "the compiler ran 1 time" in four_ranks.stdout          # summed over the ranks
    assert len(list((folder / "cache").rglob("*.so"))) == 1


def test_a_failure_on_one_rank_ends_every_rank_with_one_sentence(folder, crashed):
    assert crashed.returncode != 0
    ours = [line for line in crashed.stderr.splitlines() if line.startswith("pyspike")]
    assert len(ours) == 1
    assert ours[0].startswith("pyspike sweep: network 1 (points 1, 5) failed on rank 1 of 2")
    assert "the node died" in ours[0]
    assert sorted(p.name for p in (folder / "two").glob("*.h5")) == \
        ["batch_0000.h5", "batch_0002.h5"]


def test_a_resumed_sweep_on_2_ranks_runs_only_the_missing_networks(folder, crashed,
                                                                  reference):
    finished = {p.name: p.stat().st_mtime_ns for p in (folder / "two").glob("*.h5")}
    resumed = mpirun(folder, 2, "two", folder / "cache")
    assert resumed.returncode == 0, resumed.stderr
    assert "2 done already, 2 to run, on 2 ranks" in resumed.stdout
    assert {p: (folder / "two" / p).stat().st_mtime_ns for p in finished} == finished
    assert_same_spikes(folder / "two", reference)
