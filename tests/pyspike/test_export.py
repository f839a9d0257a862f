"""Standalone programs (pyspike/export.py): a network exported as a CMake project, built
and run with no Python, writes the in-process run's results file; its command line sets
the seed and parameters without compiling, and refuses what it cannot do in one sentence.

One CUBA-like network (Poisson inputs for random numbers; excitatory synapses with a
delay of 1.5 ms, inhibitory ones with a delay per synapse; a whole-group and a subgroup
spike monitor, merged in the file; a state monitor) is exported and built once for the
CPU; its CUDA export is compiled with nvcc, not run.  Its checkpoints: a run killed (SIGKILL)
or stopped (SIGTERM) and resumed writes the file of a run never interrupted; damaged and
mismatched checkpoints are refused.  The tools the builds need (CMake,
a C++ compiler, the HDF5 C library: ``apt-get install libhdf5-dev``, which
scripts/test.sh does where it may) are required: without them these tests fail, saying
which is missing."""
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import pyspike as ps
from pyspike import cli
from pyspike.codegen.errors import ModelError
from pyspike.toolchain.compile_cuda import find_nvcc

sys.path.insert(0, str(Path(__file__).resolve().parent))
from standalone_files import build, same_file  # noqa: E402

SEED = 3
DURATION = 300.0
NVCC = find_nvcc()
if NVCC is None and os.environ.get("CI"):
    raise RuntimeError("CI must have nvcc: the CUDA export is compiled in tests")


def cuba(seed: int = SEED, taum: float = 20.0) -> ps.Network:
    net = ps.Network(dt=0.1, seed=seed)
    with net:
        P = ps.NeuronGroup(400, ps.models.neurons["brette_cuba"], name="exc",
                           init={"v": "Vr + rand()*(Vt - Vr)"}, params={"taum": taum})
        ps.PoissonInput(P, "v", N=10, rate=50.0, weight=0.5)
        Ce = ps.Synapses(P[:320], P, on_pre="ge_post += we", params={"we": 1.6}, delay=1.5,
                         name="Ce")
        Ci = ps.Synapses(P[320:], P, on_pre="gi_post += wi", params={"wi": -9.0}, name="Ci")
        Ce.connect(p=0.05)
        Ci.connect(p=0.05)
        Ci.delay = "0.5 + 2*rand()"
        ps.SpikeMonitor(P)
        ps.SpikeMonitor(P[:50])
        ps.StateMonitor(P, ["v", "ge"], record=[0, 7, 300], every=3)
    return net


@pytest.fixture(scope="module")
def program(tmp_path_factory) -> Path:
    """The built program of the exported network."""
    folder = tmp_path_factory.mktemp("standalone") / "cuba"
    assert cuba().export(folder, name="cuba") == folder
    build(folder)
    return folder / "build" / "cuba"


def run(program: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(program), "--duration", str(DURATION), *args],
                          capture_output=True, text=True)


def in_process(path: Path, **kw) -> Path:
    net = cuba(**kw)
    net.run(DURATION)
    ps.save_results(net, path)
    return path


def standalone(program: Path, path: Path, *args: str) -> Path:
    out = run(program, "--out", str(path), *args)
    assert out.returncode == 0, out.stderr
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """The in-process run's results file."""
    return in_process(tmp_path_factory.mktemp("reference") / "run.h5")


def test_the_program_writes_the_in_process_run_s_results_file(program, reference, tmp_path):
    out = standalone(program, tmp_path / "run.h5", "--seed", str(SEED))
    assert same_file(reference, out) == []
    assert len(ps.load_results(out).spikes["exc"].node_ids) > 1000


def test_the_program_on_two_threads_writes_the_same_file(program, reference, tmp_path):
    out = subprocess.run([str(program), "--duration", str(DURATION), "--seed", str(SEED),
                          "--threads", "2", "--out", str(tmp_path / "two.h5")],
                         capture_output=True, text=True,
                         env=dict(os.environ, PYSPIKE_PARALLEL_NEURONS="0"))
    assert out.returncode == 0, out.stderr
    assert "on 2 threads" in out.stdout         # (every network shares its steps from 0 on)
    assert same_file(reference, tmp_path / "two.h5") == []


def test_the_results_do_not_depend_on_the_steps_per_call(program, reference, tmp_path):
    out = standalone(program, tmp_path / "run.h5", "--steps-per-call", "77")
    assert same_file(reference, out) == []


def test_set_changes_a_parameter_without_compiling(program, reference, tmp_path):
    built = program.stat().st_mtime_ns
    out = standalone(program, tmp_path / "set.h5", "--set", "exc.taum=12.5")
    assert same_file(in_process(tmp_path / "ref.h5", taum=12.5), out) == []
    assert same_file(reference, out) != []
    assert program.stat().st_mtime_ns == built


def test_set_gives_a_variable_its_value_at_the_start(program, tmp_path):
    out = standalone(program, tmp_path / "v.h5", "--set", "exc.v=-55.5")
    v = ps.load_results(out).reports["exc"]["v"].data
    assert (v[0] == -55.5).all() and not (v[1] == -55.5).all()


def test_another_seed_gives_other_spikes(program, reference, tmp_path):
    out = standalone(program, tmp_path / "seed.h5", "--seed", "4")
    spikes = ps.load_results(out).spikes["exc"]
    assert not np.array_equal(spikes.timestamps, ps.load_results(reference).spikes["exc"]
                              .timestamps)


@pytest.mark.parametrize("args, words", [
    (["--set", "exc.tau_x=1"], "unknown parameter 'exc.tau_x'"),
    (["--set", "exc.taum=fast"], "takes a finite number, not 'fast'"),
    (["--seed", "1.5"], "--seed takes a whole number"),
    (["--data", "/no/such/folder"], "cannot open /no/such/folder/program.txt"),
    (["--colour", "red"], "unknown option '--colour'"),
    (["--checkpoint-every", "10"], "--checkpoint-every needs --checkpoint PATH"),
    (["--threads", "0"], "--threads takes a whole number"),
])
def test_a_bad_command_line_exits_with_one_sentence(program, args, words):
    out = run(program, *args)
    assert out.returncode != 0
    assert words in out.stderr and out.stderr.count("\n") == 1 and out.stderr.endswith(".\n")


def test_sigterm_stops_the_run_with_the_results_so_far(program, tmp_path):
    out = tmp_path / "long.h5"
    job = subprocess.Popen([str(program), "--duration", "1e7", "--steps-per-call", "50",
                            "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
    while not Path(f"{out}.tmp").exists() and job.poll() is None:
        time.sleep(0.01)
    job.send_signal(signal.SIGTERM)
    _, stderr = job.communicate(timeout=60)
    assert job.returncode == 128 + signal.SIGTERM
    stopped = float(re.search(r"stopped by SIGTERM at t = (\S+) ms", stderr).group(1))
    results = ps.load_results(out)          # complete: the samples until it stopped
    assert results.reports["exc"]["v"].stop == pytest.approx(stopped, abs=0.3)  # (every 3)
    assert stopped < 1e7 and (results.spikes["exc"].timestamps <= stopped).all()


# --- checkpoints: --checkpoint PATH, --checkpoint-every MS, --resume ---------------------

#: A run long enough, at one step per call, that a signal sent after its first checkpoint
#: (at 100 ms) lands seconds before its end (its results file does not depend on the calls
#: nor on where the checkpoints are).
LONG = 10000.0


@pytest.fixture(scope="module")
def long_reference(program, tmp_path_factory) -> Path:
    """An uninterrupted run of LONG ms, without checkpoints."""
    path = tmp_path_factory.mktemp("long") / "run.h5"
    return standalone(program, path, "--duration", str(LONG))


def start(program: Path, out: Path, checkpoint: Path) -> subprocess.Popen:
    """A checkpointed run of LONG ms, one step per call, stopped as soon as its first
    checkpoint is written (the caller sends the signal)."""
    job = subprocess.Popen([str(program), "--duration", str(LONG), "--out", str(out),
                            "--checkpoint", str(checkpoint), "--checkpoint-every", "100",
                            "--steps-per-call", "1"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    while not checkpoint.exists() and job.poll() is None:
        time.sleep(0.001)
    return job


def resume(program: Path, out: Path, checkpoint: Path, *args: str) -> subprocess.CompletedProcess:
    done = run(program, "--duration", str(LONG), "--out", str(out), "--checkpoint",
               str(checkpoint), "--checkpoint-every", "1000", "--resume", *args)
    assert done.returncode == 0, done.stderr
    return done


def test_a_run_killed_and_resumed_writes_the_uninterrupted_run_s_file(program, long_reference,
                                                                      tmp_path):
    out, checkpoint = tmp_path / "run.h5", tmp_path / "run.ckpt"
    job = start(program, out, checkpoint)
    job.kill()
    job.communicate(timeout=60)
    assert job.returncode == -signal.SIGKILL and not out.exists()     # (killed running)
    resume(program, out, checkpoint)
    assert same_file(long_reference, out) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.ckpt", "run.h5"]


def test_sigterm_writes_a_checkpoint_where_the_run_stopped(program, long_reference, tmp_path):
    out, checkpoint = tmp_path / "run.h5", tmp_path / "run.ckpt"
    job = start(program, out, checkpoint)
    job.send_signal(signal.SIGTERM)
    _, stderr = job.communicate(timeout=60)
    assert job.returncode == 128 + signal.SIGTERM and stderr.count("\n") == 1
    stopped = re.search(r"stopped by SIGTERM at t = (\S+) ms, .*, which the checkpoint \S+ "
                        r"holds: the same command with --resume continues", stderr).group(1)
    assert f"resumed from {checkpoint} at t = {stopped} ms" in \
        resume(program, out, checkpoint).stdout
    assert same_file(long_reference, out) == []


def test_a_longer_duration_continues_a_finished_run(program, long_reference, tmp_path):
    out, checkpoint = tmp_path / "run.h5", tmp_path / "run.ckpt"
    standalone(program, out, "--duration", str(LONG / 2), "--checkpoint", str(checkpoint))
    resume(program, out, checkpoint)
    assert same_file(long_reference, out) == []


def test_resume_without_a_checkpoint_starts_at_zero(program, long_reference, tmp_path):
    out = tmp_path / "run.h5"
    done = resume(program, out, tmp_path / "run.ckpt")
    assert "starting at t = 0" in done.stdout and same_file(long_reference, out) == []


def test_a_checkpoint_half_written_by_a_crash_leaves_the_last_one_valid(program,
                                                                       long_reference,
                                                                       tmp_path):
    out, checkpoint = tmp_path / "run.h5", tmp_path / "run.ckpt"
    standalone(program, out, "--duration", str(LONG / 2), "--checkpoint", str(checkpoint))
    Path(f"{checkpoint}.tmp").write_bytes(checkpoint.read_bytes()[:1000])
    resume(program, out, checkpoint)
    assert same_file(long_reference, out) == []


@pytest.fixture(scope="module")
def checkpointed(program, tmp_path_factory) -> Path:
    """The folder of a finished run of 100 ms: run.h5 and its checkpoint run.ckpt."""
    folder = tmp_path_factory.mktemp("checkpointed")
    standalone(program, folder / "run.h5", "--duration", "100", "--checkpoint",
               str(folder / "run.ckpt"))
    return folder


def _truncated(data: bytes) -> bytes:
    return data[:len(data) // 2]


def _flipped(data: bytes) -> bytes:
    return data[:len(data) // 2] + bytes([data[len(data) // 2] ^ 1]) + data[len(data) // 2 + 1:]


@pytest.mark.parametrize("change, args, words", [
    (_truncated, [], "is truncated (it holds"),
    (_flipped, [], "is damaged (its content does not match its checksum)"),
    (None, ["--seed", "4"], "is of a run with --seed 3 and no --set, not --seed 4 and no"),
    (None, ["--set", "exc.taum=12.5"], "is of a run with --seed 3 and no --set, not --seed "
     "3 --set exc.taum=12.5: give the same --seed and --set"),
])
def test_a_damaged_or_mismatched_checkpoint_is_refused(program, checkpointed, tmp_path,
                                                       change, args, words):
    folder = shutil.copytree(checkpointed, tmp_path / "run")
    checkpoint = folder / "run.ckpt"
    if change is not None:
        checkpoint.write_bytes(change(checkpoint.read_bytes()))
    out = run(program, "--out", str(folder / "run.h5"), "--checkpoint", str(checkpoint),
              "--resume", *args)
    assert out.returncode == 1 and out.stderr.count("\n") == 1
    assert f"the checkpoint {checkpoint} {words}" in out.stderr
    assert (folder / "run.h5").read_bytes() == (checkpointed / "run.h5").read_bytes()


def test_a_checkpoint_of_other_exported_data_is_refused(program, checkpointed, tmp_path):
    data = shutil.copytree(program.parent.parent / "data", tmp_path / "data")
    slot = sorted(data.glob("slot*.bin"))[0]
    slot.write_bytes(_flipped(slot.read_bytes()))
    out = run(program, "--data", str(data), "--out", str(checkpointed / "run.h5"),
              "--checkpoint", str(checkpointed / "run.ckpt"), "--resume")
    assert out.returncode == 1
    assert "run.ckpt is of another exported network" in out.stderr


def test_a_state_become_infinite_stops_the_run_naming_it(program, tmp_path):
    out = run(program, "--set", "exc.taum=-0.1", "--out", str(tmp_path / "inf.h5"))
    assert out.returncode == 1 and out.stderr.count("\n") == 1
    assert re.search(r"in group 'exc', \w+ of neuron \d+ is (-?inf|nan) between", out.stderr)
    assert ps.load_results(tmp_path / "inf.h5").reports["exc"]["v"].data.shape[0] > 0


def test_a_truncated_data_file_is_refused(program, tmp_path):
    data = shutil.copytree(program.parent.parent / "data", tmp_path / "data")
    slot = sorted(data.glob("slot*.bin"))[0]
    slot.write_bytes(slot.read_bytes()[:-8])
    out = run(program, "--data", str(data))
    assert out.returncode == 1 and "truncated" in out.stderr
    assert out.stderr.count("\n") == 1


def test_a_network_operation_is_refused_before_anything_is_written(tmp_path):
    net = cuba()
    net.add(ps.NetworkOperation(lambda: None, name="nudge"))
    with pytest.raises(ModelError, match="network operations \\(nudge\\) run Python"):
        net.export(tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_batch_is_refused(tmp_path):
    net = ps.Network(batch=2, seed=1)
    with net:
        ps.NeuronGroup(2, ps.NeuronModel("dv/dt = -v/tau : 1", params={"tau": 10.0}))
    with pytest.raises(ModelError, match="batched network"):
        net.export(tmp_path / "out")


MODEL_FILE = """
import pyspike as ps

def build(**network):
    net = ps.Network(dt=0.1, **network)
    with net:
        exc = ps.NeuronGroup(10, ps.NeuronModel("dv/dt = (I - v)/tau : 1", threshold="v > 1",
                                                reset="v = 0", params={"I": 2.0, "tau": 10.0}),
                             name="exc")
        ps.SpikeMonitor(exc)
    return net
"""


def test_the_command_line_exports_a_model_file(tmp_path):
    model = tmp_path / "model.py"
    model.write_text(MODEL_FILE)
    status = cli.main(["export", str(model), "--out", str(tmp_path / "project"), "--seed",
                       "7", "--set", "exc.tau=12.5", "--name", "lif", "--quiet"])
    program = (tmp_path / "project" / "data" / "program.txt").read_text().splitlines()
    assert status == 0 and "seed 7" in program
    assert "project(lif " in (tmp_path / "project" / "CMakeLists.txt").read_text()
    rarg = next(int(x.split()[-1]) for x in program if x.startswith("param exc.tau "))
    rargs = np.fromfile(tmp_path / "project" / "data" / "rargs.bin")
    assert rargs[rarg] == 12.5


@pytest.mark.skipif(NVCC is None, reason="nvcc is not installed on this machine")
def test_the_cuda_export_compiles_with_nvcc(tmp_path):
    folder = cuba().export(tmp_path / "cuda", target="cuda", name="cuba_gpu")
    build(folder)
    assert (folder / "build" / "cuba_gpu").is_file()
