"""The command line (pyspike/cli/): ``pyspike run`` of a model file, its refusals of bad
command lines in one sentence, ``--set`` without compiling again, ``info`` and ``cache``."""
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import pyspike as ps
from pyspike import model_file
from pyspike.cli import main
from pyspike.cli.common import Progress

pytest.importorskip("h5py")

MODEL = '''
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
    return net
'''


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A folder with the model file, and the module's own cache of compiled code."""
    path = tmp_path_factory.mktemp("cli")
    (path / "model.py").write_text(MODEL)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PYSPIKE_CACHE_DIR", str(path / "cache"))
        yield path


def pyspike_command(*argv, cwd):
    """``python -m pyspike argv`` in a process of its own, importing this pyspike."""
    env = dict(os.environ, PYTHONPATH=str(Path(ps.__file__).parent.parent))
    return subprocess.run([sys.executable, "-m", "pyspike", *map(str, argv)], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=300)


def spikes_in(path):
    trains = ps.load_results(path).spikes["exc"]
    return trains.node_ids.astype(int), trains.timestamps


def libraries(folder):
    return sorted((folder / "cache").rglob("*.so"))


def test_run_writes_in_sonata_the_spikes_of_the_same_run_in_python(folder):
    done = pyspike_command("run", "model.py", "--duration", "200ms", "--seed", "3",
                           "--backend", "cpu", "--out", "cli.h5", cwd=folder)
    assert done.returncode == 0, done.stderr
    net = model_file.load(folder / "model.py").build(seed=3, backend="cpu")
    net.run(200.0)
    monitor, = net.objects_of(ps.SpikeMonitor)
    ids, times = spikes_in(folder / "cli.h5")
    order = np.lexsort((monitor.i, monitor.t))
    assert ids.size > 0
    np.testing.assert_array_equal(ids, monitor.i[order])
    np.testing.assert_array_equal(times, monitor.t[order])


def test_run_writes_timestamped_lines_where_its_output_is_not_a_terminal(folder, capsys):
    assert main(["run", str(folder / "model.py"), "--duration", "5ms"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines and all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d pyspike run: ", line)
                         for line in lines)


def test_progress_on_a_terminal_is_a_bar_in_model_time():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    progress = Progress("pyspike run", stream=screen)
    progress.start(1000, 0, scale=0.1)
    progress.update(500)
    progress.say("a message")
    progress.close()
    text = screen.getvalue()
    assert "50 of 100 ms" in text and "pyspike run: a message" in text
    assert not re.search(r"\d{4}-\d\d-\d\d", text)


def test_set_changes_a_parameter_without_compiling_again(folder):
    model = str(folder / "model.py")
    assert main(["run", model, "--duration", "100ms", "--seed", "3", "--out",
                 str(folder / "plain.h5")]) == 0
    compiled = libraries(folder)
    assert main(["run", model, "--duration", "100ms", "--seed", "3", "--set", "exc.tau=5",
                 "--set", "rec.w=0.2", "--out", str(folder / "set.h5")]) == 0
    assert libraries(folder) == compiled
    assert spikes_in(folder / "set.h5")[0].size > spikes_in(folder / "plain.h5")[0].size


@pytest.mark.parametrize("arguments, named", [
    (["--set", "exc.tau_m=5"], "'tau_m'"),                  # unknown parameter
    (["--set", "rec.tau=5"], "'tau'"),                      # not the synapses'
    (["--set", "inh.tau=5"], "'inh'"),                      # unknown group
    (["--set", "exc.tau=fast"], "'fast'"),                  # not a number
    (["--set", "exc.tau"], "<group>.<parameter>=<value>"),  # no value
    (["--duration", "1 parsec"], "'1 parsec'"),             # not a duration
    (["--duration", "0.05ms"], "whole number of time steps"),
    (["--seed", "x"], "'x'"),
    (["--backend", "fpga"], "fpga"),
    (["--checkpoint-every", "1ms"], "--checkpoint"),
    (["--out", "no/such/folder/out.h5"], "does not exist"),
])
def test_a_bad_command_line_exits_non_zero_with_one_sentence(folder, capsys, arguments,
                                                               named):
    argv = ["run", str(folder / "model.py"), "--duration", "10ms", *arguments]
    assert main(argv) != 0
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and named in err and "Traceback" not in err


def test_a_missing_model_file_exits_non_zero_with_one_sentence(folder, capsys):
    assert main(["run", str(folder / "nothing.py"), "--duration", "10ms"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"pyspike run: the model file '{folder / 'nothing.py'}' does not exist"


def test_an_error_in_the_model_file_names_its_kind_and_line(folder, capsys):
    (folder / "broken.py").write_text("def build(**network):\n    return 1/0\n")
    assert main(["run", str(folder / "broken.py"), "--duration", "10ms"]) == 1
    err = capsys.readouterr().err
    assert "ZeroDivisionError" in err and "line 2" in err and len(err.splitlines()) == 1


def test_debug_shows_the_traceback(folder, capsys):
    (folder / "broken.py").write_text("def build(**network):\n    return 1/0\n")
    assert main(["run", str(folder / "broken.py"), "--duration", "10ms", "--debug"]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_threads_reach_the_network(folder, capsys, monkeypatch):
    made = []

    def build(*args):
        made.append(built(*args))
        return made[-1]

    built = model_file.build
    monkeypatch.setattr(model_file, "build", build)
    code = main(["run", str(folder / "model.py"), "--duration", "1ms", "--threads", "3"])
    assert code == 0, capsys.readouterr().err
    assert made[0].threads == 3


def test_info_names_the_backends_the_compilers_and_the_cache(folder, capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    for line in ("backends:", "  cpu ", "  numpy  available", "compilers:", "cpu: ",
                 "gpus:", f"cache: {folder / 'cache'}"):
        assert line in out


def test_info_starts_with_the_version_and_names_the_cpus_instruction_sets(capsys):
    import platform
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith(f"pyspike {ps.__version__} (Python "
                                          f"{platform.python_version()}, NumPy ")
    sets = next(line for line in out.splitlines() if "instruction sets:" in line)
    flags = open("/proc/cpuinfo").read() if Path("/proc/cpuinfo").exists() else ""
    for name in ("avx2", "avx512f", "sse4_2"):       # said exactly where the CPU has it
        assert (name in sets.split()) == (f" {name} " in f" {flags} ".replace("\n", " "))


def test_cache_clear_removes_the_cached_code_and_nothing_else(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PYSPIKE_CACHE_DIR", str(tmp_path))
    for name in ("ab/network_ab12.so", "ab/network_ab12.cpp", "generated/cd/cd34.json",
                 "notes.txt", "mine/network_ef56.so"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x" * 100)
    assert main(["cache"]) == 0
    assert f"cache: {tmp_path} (300 bytes in 3 files)" in capsys.readouterr().out
    assert main(["cache", "clear"]) == 0
    assert "removed 3 files (300 bytes)" in capsys.readouterr().out
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert left == ["mine/network_ef56.so", "notes.txt"]


def test_run_started_as_several_mpi_ranks_is_refused_in_one_sentence(tmp_path, monkeypatch,
                                                                     capsys):
    (tmp_path / "model.py").write_text("def build(**network):\n    raise AssertionError\n")
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "2")
    assert main(["run", str(tmp_path / "model.py"), "--duration", "1ms"]) != 0
    err = capsys.readouterr().err.strip()
    assert "2 MPI ranks" in err and len(err.splitlines()) == 1
