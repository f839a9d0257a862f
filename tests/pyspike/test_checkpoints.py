"""Checkpoints (pyspike/checkpoint.py): a network rebuilt from its checkpoint continues bit
for bit, also after the run was killed (SIGKILL); truncated, corrupted and mismatched
checkpoints are refused, and a failed write leaves the previous checkpoint as it was."""
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import pyspike as ps
from pyspike import checkpoint, store
from pyspike.cli import main

MODEL = '''
import os, signal
import pyspike as ps

def build(**network):
    net = ps.Network(dt=0.1, **network)
    m = ps.NeuronModel("dv/dt = (I - v)/tau + 0.5*xi/sqrt(tau) : 1", threshold="v > 1",
                       reset="v = 0", params={"I": 1.1, "tau": 10.0})
    with net:
        exc = ps.NeuronGroup(40, m, name="exc")
        rec = ps.Synapses(exc, exc, "w : 1", on_pre="v += w", name="rec")
        rec.connect(p=0.1)
        rec.w = 0.05
        rec.delay = 1.5
        ps.SpikeMonitor(exc)
        ps.StateMonitor(exc, "v", record=[0, 1])
    kill_at = float(os.environ.get("KILL_AT_MS", "0"))
    if kill_at:           # the test's stand-in for a node that dies: SIGKILL at this time
        @ps.network_operation(dt=kill_at)
        def die(t):
            if t >= kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
        net.add(die)
    term_at = float(os.environ.get("TERM_AT_MS", "0"))
    if term_at:           # a batch scheduler ending the job: SIGTERM at this time
        @ps.network_operation(dt=term_at)
        def end_job(t):
            if t >= term_at:
                os.kill(os.getpid(), signal.SIGTERM)
        net.add(end_job)
    return net
'''


def make(n=3, threshold="v > 1"):
    """A small noisy network made in Python (no model file)."""
    net = ps.Network(dt=0.1, seed=7, backend="numpy")
    m = ps.NeuronModel("dv/dt = (1.1 - v)/(10.0) + 0.5*xi/sqrt(10.0) : 1",
                       threshold=threshold, reset="v = 0")
    with net:
        G = ps.NeuronGroup(n, m, name="G")
        ps.SpikeMonitor(G)
    return net


def same(a, b) -> bool:
    """Bit for bit: the same nested dicts, lists and tuples of the same arrays and numbers
    (a monitor's recording, a list of one array per piece of a run, as one array: how a
    run is cut into pieces follows the wall clock)."""
    if isinstance(a, list) and a and all(isinstance(x, np.ndarray) for x in a + b):
        a, b = np.concatenate(a, axis=-1), np.concatenate(b, axis=-1)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape \
            and a.tobytes() == b.tobytes()
    return a == b


@pytest.fixture
def written(tmp_path):
    """A checkpoint of ``make()`` at 5 ms, and that network run on to 10 ms."""
    net = make()
    net.run(5.0)
    path = tmp_path / "run.ckpt"
    net.checkpoint(path)
    net.run(5.0)
    return path, net


def test_a_network_rebuilt_from_its_checkpoint_continues_bit_for_bit(written):
    path, net = written
    again = ps.Network.from_checkpoint(path, build=make)
    assert again.t == 5.0
    again.run(5.0)
    assert same(store.snapshot(again), store.snapshot(net))


def test_a_checkpoint_of_a_network_made_in_python_asks_for_a_build_function(written):
    with pytest.raises(ps.ModelError, match="build="):
        ps.Network.from_checkpoint(written[0])


def test_a_truncated_checkpoint_is_refused(written):
    path = written[0]
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(ps.ModelError, match="damaged"):
        ps.Network.from_checkpoint(path, build=make)


def test_a_corrupted_checkpoint_is_refused(written):
    path = written[0]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ps.ModelError, match="checkpoint"):
        ps.Network.from_checkpoint(path, build=make)


@pytest.mark.parametrize("other", [lambda: make(n=4), lambda: make(threshold="v > 2")])
def test_a_checkpoint_of_another_network_is_refused(written, other):
    with pytest.raises(ps.ModelError, match="another network"):
        ps.Network.from_checkpoint(written[0], build=other)


def test_a_snapshot_file_is_not_taken_for_a_checkpoint(tmp_path):
    net = make()
    net.store(filename=tmp_path / "snap.npz")
    with pytest.raises(ps.ModelError, match="not a pyspike checkpoint"):
        ps.Network.from_checkpoint(tmp_path / "snap.npz", build=make)


def test_a_write_that_fails_midway_leaves_the_previous_checkpoint(written, monkeypatch):
    path, net = written

    def disk_full(f, *args, **kwargs):
        f.write(b"PK\x03\x04 half an archive")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", disk_full)
    with pytest.raises(OSError):
        net.checkpoint(path)
    monkeypatch.undo()
    assert ps.Network.from_checkpoint(path, build=make).t == 5.0
    assert [p.name for p in path.parent.iterdir()] == [path.name]


# --- from the command line, killed and resumed -------------------------------------------


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("checkpoints")
    (path / "model.py").write_text(MODEL)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PYSPIKE_CACHE_DIR", str(path / "cache"))
        yield path


def run_command(folder, *extra, env=()):
    argv = ["run", "model.py", "--duration", "300ms", "--seed", "5", "--backend", "cpu",
            "--checkpoint-every", "100ms", *extra]
    environment = dict(os.environ, PYTHONPATH=str(Path(ps.__file__).parent.parent), **dict(env))
    return subprocess.run([sys.executable, "-m", "pyspike", *argv], cwd=folder,
                          env=environment, capture_output=True, text=True, timeout=300)


def test_a_run_killed_after_a_checkpoint_and_resumed_ends_as_an_uninterrupted_one(folder,
                                                                                   capsys):
    killed = run_command(folder, "--checkpoint", "resumed.ckpt", "--out", "resumed.h5",
                         env={"KILL_AT_MS": "250"})
    assert killed.returncode == -signal.SIGKILL
    assert not (folder / "resumed.h5").exists()
    assert checkpoint.read(folder / "resumed.ckpt")["snapshot"]["step"] == 2000
    for name, resume in (("resumed", ["--resume"]), ("whole", ["--quiet"])):
        assert main(["run", str(folder / "model.py"), "--duration", "300ms", "--seed", "5",
                     "--backend", "cpu", "--checkpoint-every", "100ms", *resume,
                     "--checkpoint", str(folder / f"{name}.ckpt"),
                     "--out", str(folder / f"{name}.h5")]) == 0
    assert f"resumed from {folder / 'resumed.ckpt'} at t = 200 ms" in capsys.readouterr().out
    resumed, uninterrupted = (ps.load_results(folder / f"{n}.h5") for n in ("resumed", "whole"))
    assert resumed.spikes["exc"].node_ids.size > 0
    assert same(vars(resumed.spikes["exc"]), vars(uninterrupted.spikes["exc"]))
    assert same(vars(resumed.reports["exc"]["v"]), vars(uninterrupted.reports["exc"]["v"]))
    assert same(checkpoint.read(folder / "resumed.ckpt")["snapshot"],
                checkpoint.read(folder / "whole.ckpt")["snapshot"])


def test_a_checkpoint_of_the_command_line_is_rebuilt_from_its_model_file(folder):
    assert main(["run", str(folder / "model.py"), "--duration", "20ms", "--seed", "5",
                 "--checkpoint", str(folder / "short.ckpt"), "--quiet"]) == 0
    net = ps.Network.from_checkpoint(folder / "short.ckpt")
    assert (net.t, net.seed) == (20.0, 5)


def test_a_checkpoint_whose_model_file_has_changed_is_refused(folder):
    (folder / "changed.py").write_text(MODEL)
    assert main(["run", str(folder / "changed.py"), "--duration", "20ms",
                 "--checkpoint", str(folder / "changed.ckpt"), "--quiet"]) == 0
    (folder / "changed.py").write_text(MODEL + "\n# edited\n")
    with pytest.raises(ps.ModelError, match="has changed since"):
        ps.Network.from_checkpoint(folder / "changed.ckpt")


@pytest.mark.parametrize("sigint", [signal.default_int_handler, signal.SIG_IGN],
                         ids=["in a terminal", "in a background job (SIGINT ignored)"])
def test_a_run_ended_by_sigterm_writes_a_checkpoint_where_it_stopped(folder, capsys,
                                                                      monkeypatch, sigint):
    argv = ["run", str(folder / "model.py"), "--duration", "300ms", "--seed", "5",
            "--checkpoint", str(folder / "ended.ckpt")]
    monkeypatch.setenv("TERM_AT_MS", "150")
    before = signal.signal(signal.SIGINT, sigint)
    try:
        assert main(argv) == 130
    finally:
        signal.signal(signal.SIGINT, before)
    err = capsys.readouterr().err
    assert "stopped at t = 150 ms, which the checkpoint" in err and len(err.splitlines()) == 1
    assert checkpoint.read(folder / "ended.ckpt")["snapshot"]["step"] == 1500
    monkeypatch.delenv("TERM_AT_MS")
    assert main(argv + ["--resume"]) == 0
    assert "resumed from" in capsys.readouterr().out


def _cli_run(folder, name, duration, *extra):
    return main(["run", str(folder / "model.py"), "--duration", duration, "--seed", "5",
                 "--backend", "cpu", "--checkpoint-every", "100ms", "--quiet",
                 "--checkpoint", str(folder / f"{name}.ckpt"),
                 "--out", str(folder / f"{name}.h5"), *extra])


def test_the_checkpoints_of_a_run_writing_its_results_do_not_grow_with_it(folder):
    assert _cli_run(folder, "short_run", "100ms") == 0
    assert _cli_run(folder, "long_run", "300ms") == 0
    short, long = ((folder / f"{n}_run.ckpt").stat().st_size for n in ("short", "long"))
    # the recordings are in the results file's parts, not in the checkpoint (3 x the
    # samples and spikes would be kilobytes more); the state itself is the same size
    assert abs(long - short) < 256
    assert not list(folder.glob("long_run.h5.part*"))       # joined, and removed


def test_a_finished_run_continued_longer_writes_the_results_of_one_long_run(folder):
    assert _cli_run(folder, "continued", "200ms") == 0
    assert _cli_run(folder, "continued", "300ms", "--resume") == 0
    assert _cli_run(folder, "in_one", "300ms") == 0
    continued, in_one = (ps.load_results(folder / f"{n}.h5") for n in ("continued", "in_one"))
    assert same(vars(continued.spikes["exc"]), vars(in_one.spikes["exc"]))
    assert same(vars(continued.reports["exc"]["v"]), vars(in_one.reports["exc"]["v"]))


def test_resuming_a_run_that_wrote_results_without_out_is_refused(folder, capsys):
    assert _cli_run(folder, "needs_out", "100ms") == 0
    argv = ["run", str(folder / "model.py"), "--duration", "200ms", "--seed", "5",
            "--backend", "cpu", "--checkpoint", str(folder / "needs_out.ckpt"), "--resume"]
    assert main(argv) != 0
    assert "give --out" in capsys.readouterr().err
