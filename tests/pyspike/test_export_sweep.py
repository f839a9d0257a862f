"""A standalone program's sweeps (templates/standalone/sweep.h): ``--grid`` runs every
point of a grid, one run each, into a folder that the same command completes; under
``mpirun`` the ranks share the points (the MPI C API, where CMake found MPI) and write
the one-process sweep's files; a failure on one rank ends every rank, said once.

One small network is exported and built once.  CMake, a C++ compiler, the HDF5 C library
and Open MPI (mpirun and its C library) are required, as scripts/test.sh installs them."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import pyspike as ps

sys.path.insert(0, str(Path(__file__).resolve().parent))
from standalone_files import build, same_file  # noqa: E402

DURATION = "40"
GRID = ["--grid", "exc.I=1.1,1.3", "--grid", "seed=1:2"]
# the points, the last axis fastest: (I, seed)
POINTS = [("1.1", 1), ("1.1", 2), ("1.3", 1), ("1.3", 2)]
HANG = 300          # seconds: a run that hangs fails the test instead of blocking it


def network() -> ps.Network:
    net = ps.Network(dt=0.1, seed=5)
    m = ps.NeuronModel("dv/dt = (I - v)/tau : 1", threshold="v > 1", reset="v = 0",
                       params={"I": 1.1, "tau": 10.0})
    with net:
        exc = ps.NeuronGroup(40, m, name="exc", init={"v": "rand()"})
        ps.PoissonInput(exc, "v", N=5, rate=40.0, weight=0.2)
        rec = ps.Synapses(exc, exc, "w : 1", on_pre="v += w", name="rec", delay=1.0)
        rec.connect(p=0.1)
        rec.w = 0.05
        ps.SpikeMonitor(exc)
    return net


@pytest.fixture(scope="module")
def program(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("standalone") / "sweeper"
    network().export(folder, name="sweeper")
    build(folder)
    return folder / "build" / "sweeper"


def run(program: Path, *args: str, ranks: int = 0) -> subprocess.CompletedProcess:
    """The program (under ``mpirun -n ranks``, oversubscribed: CI has 2 cores)."""
    cmd = [str(program), "--duration", DURATION, *args]
    env = dict(os.environ)
    if ranks:
        if shutil.which("mpirun") is None:
            pytest.fail("mpirun is not installed: install Open MPI (apt-get install "
                        "openmpi-bin libopenmpi-dev; scripts/test.sh does)")
        cmd = ["mpirun", "-n", str(ranks), "--oversubscribe"] + cmd
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=HANG)


def point(folder: Path, k: int) -> Path:
    return folder / f"point_{k:04d}.h5"


@pytest.fixture(scope="module")
def one_process(program, tmp_path_factory) -> Path:
    """The sweep run by one process."""
    folder = tmp_path_factory.mktemp("sweep") / "one"
    out = run(program, *GRID, "--out", str(folder))
    assert out.returncode == 0, out.stderr
    return folder


def test_each_point_writes_the_file_of_one_run_with_its_seed_and_value(program, one_process,
                                                                      tmp_path):
    assert sorted(p.name for p in one_process.glob("point_*")) == \
        [point(one_process, k).name for k in range(4)]
    for k, (value, seed) in enumerate(POINTS):
        single = tmp_path / f"single{k}.h5"
        out = run(program, "--seed", str(seed), "--set", f"exc.I={value}", "--out",
                  str(single))
        assert out.returncode == 0, out.stderr
        assert same_file(point(one_process, k), single) == []


def test_the_points_differ(one_process):
    assert same_file(point(one_process, 0), point(one_process, 1)) != []
    assert same_file(point(one_process, 0), point(one_process, 2)) != []


def test_two_mpi_ranks_share_the_points_and_write_the_one_process_files(program, one_process,
                                                                       tmp_path):
    out = run(program, *GRID, "--out", str(tmp_path / "two"), ranks=2)
    assert out.returncode == 0, out.stderr
    assert "on rank 0 of 2" in out.stdout and "on rank 1 of 2" in out.stdout
    for k in range(4):
        assert same_file(point(tmp_path / "two", k), point(one_process, k)) == []


def test_a_sweep_run_again_runs_only_the_points_not_written(program, one_process, tmp_path):
    folder = tmp_path / "again"
    shutil.copytree(one_process, folder)
    point(folder, 2).unlink()
    (folder / "point_0003.h5").rename(folder / "point_0003.h5.tmp")   # killed while writing
    out = run(program, *GRID, "--out", str(folder))
    assert out.returncode == 0, out.stderr
    assert "ran 2 points, 2 were done already" in out.stdout
    for k in range(4):
        assert same_file(point(folder, k), point(one_process, k)) == []


def test_a_failure_on_one_rank_ends_every_rank_said_once(program, tmp_path):
    folder = tmp_path / "failing"
    # point 1 (a negative tau, on rank 1) makes v grow without bound: the run stops where
    # it becomes infinite, failing; the ranks stop after that round (points 0 and 1)
    out = run(program, "--grid", "seed=1:2", "--grid", "exc.tau=10,-0.001", "--out",
              str(folder), ranks=2)
    assert out.returncode == 1
    ours = [line for line in out.stderr.splitlines() if line.startswith(str(program))]
    assert len(ours) == 1, out.stderr             # (the rest is mpirun's)
    assert "point 1 (seed=1, exc.tau=-0.001) failed on rank 1 of 2: in group 'exc'" in ours[0]
    assert point(folder, 0).exists() and not point(folder, 2).exists()


def test_a_folder_holding_another_sweep_is_refused(program, one_process, tmp_path):
    folder = tmp_path / "other"
    shutil.copytree(one_process, folder)
    out = run(program, "--grid", "exc.I=1.1,1.5", "--grid", "seed=1:2", "--out", str(folder))
    assert out.returncode == 2
    assert "holds another sweep" in out.stderr and len(out.stderr.splitlines()) == 1


@pytest.mark.parametrize("args, words", [
    (["--grid", "exc.I"], "write an axis as"),
    (["--grid", "I=1,2"], "neither seed nor"),
    (["--grid", "seed=a:3"], "not whole numbers"),
    (["--grid", "seed=1.5,2"], "not whole numbers"),
    (["--grid", "exc.I=1,x"], "not numbers"),
    (["--grid", "seed=5:1"], "holds no value"),
    (["--grid", "seed=1:4:0"], "not whole numbers"),
    (["--grid", "exc.I=1,2", "--grid", "exc.I=3"], "twice"),
    (["--grid", "exc.I=1,2", "--set", "exc.I=3"], "both give exc.I"),
    (["--grid", "seed=1:2", "--seed", "4"], "both give the seed"),
    (["--grid", "exc.nothing=1,2"], "--grid names an unknown parameter 'exc.nothing'"),
])
def test_a_bad_grid_exits_with_one_sentence_before_anything_is_written(program, tmp_path, args,
                                                                        words):
    out = run(program, *args, "--out", str(tmp_path / "s"))
    assert out.returncode == 2, out.stdout + out.stderr
    assert words in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize("args, words", [
    (["--grid", "seed=1:2"], "--grid needs --out FOLDER"),
    (["--grid", "seed=1:2", "--out", "x", "--checkpoint", "c"], "no --checkpoint"),
])
def test_a_sweep_s_options_are_checked(program, args, words):
    out = run(program, *args)
    assert out.returncode == 2 and words in out.stderr, out.stderr


def test_a_single_run_under_mpirun_is_refused(program, tmp_path):
    out = run(program, "--out", str(tmp_path / "r.h5"), ranks=2)
    assert out.returncode == 2
    assert "start it without mpirun" in out.stderr
    assert not (tmp_path / "r.h5").exists()
