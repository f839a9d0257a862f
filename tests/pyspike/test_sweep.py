"""``pyspike sweep`` (pyspike/sweep.py, pyspike/cli/sweep.py): a grid compiled once, its
points equal to single runs, and a sweep started again runs only what is missing."""
import json

import numpy as np
import pytest

import pyspike as ps
from pyspike import model_file
from pyspike import sweep as sweeps
from pyspike.cli import main

pytest.importorskip("h5py")

MODEL = '''
import os
import pyspike as ps

built = 0

def build(**network):
    global built
    built += 1
    net = ps.Network(dt=0.1, **network)
    m = ps.NeuronModel("dv/dt = (I - v)/tau + 0.5*xi/sqrt(tau) : 1", threshold="v > 1",
                       reset="v = 0", params={"I": 1.1, "tau": 10.0})
    with net:
        exc = ps.NeuronGroup(30, m, name="exc")
        rec = ps.Synapses(exc, exc, "w : 1", on_pre="v += w", name="rec")
        rec.connect(p=0.1)
        rec.w = 0.05
        ps.SpikeMonitor(exc)
    if built == int(os.environ.get("CRASH_IN_NETWORK", "0")):   # a node dying midway
        @ps.network_operation(dt=50.0)
        def die(t):
            if t > 0:
                raise RuntimeError("the node died")
        net.add(die)
    return net
'''
GRID = ["--grid", "exc.tau=10,20,30", "--grid", "seed=1:4"]       # 12 points


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("sweep")
    (path / "model.py").write_text(MODEL)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PYSPIKE_CACHE_DIR", str(path / "cache"))
        yield path


def sweep(folder, out, *extra):
    return main(["sweep", str(folder / "model.py"), "--duration", "100ms", *GRID,
                 "--backend", "cpu", "--out", str(folder / out), *extra])


def test_a_sweep_of_12_points_compiles_once_and_holds_12_runs(folder, capsys, monkeypatch,
                                                               tmp_path):
    monkeypatch.setenv("PYSPIKE_CACHE_DIR", str(tmp_path))          # an empty cache
    assert sweep(folder, "first") == 0
    assert len(list(tmp_path.rglob("*.so"))) == 1
    assert "the compiler ran 1 time" in capsys.readouterr().out
    index = json.loads((folder / "first" / "sweep.json").read_text())
    points = sorted({k for b in index["batches"] for k in b["points"]})
    assert points == list(range(12))
    for batch in index["batches"]:
        spikes = ps.load_results(folder / "first" / batch["file"]).spikes
        assert sorted(spikes) == [f"exc_{k}" for k in range(len(batch["points"]))]


def test_a_point_of_a_sweep_is_the_run_of_its_seed_and_parameters(folder):
    assert sweep(folder, "first", "--quiet") == 0
    index = json.loads((folder / "first" / "sweep.json").read_text())
    batch = index["batches"][2]
    k = 1                                         # instance 1: the grid's point ...
    point = batch["points"][k]
    tau, seed = index["grid"][0][1][point // 4], index["grid"][1][1][point % 4]
    net = model_file.build(model_file.load(folder / "model.py"),
                           {"seed": seed, "backend": "cpu"}, [f"exc.tau={tau}"], ps.Network)
    net.run(100.0)
    monitor, = net.objects_of(ps.SpikeMonitor)
    order = np.lexsort((monitor.i, monitor.t))
    swept = ps.load_results(folder / "first" / batch["file"]).spikes[f"exc_{k}"]
    assert swept.node_ids.size > 0
    np.testing.assert_array_equal(swept.node_ids, monitor.i[order])
    np.testing.assert_array_equal(swept.timestamps, monitor.t[order])


def test_a_sweep_that_died_midway_runs_only_the_missing_networks_again(folder, capsys,
                                                                        monkeypatch):
    monkeypatch.setenv("CRASH_IN_NETWORK", "3")
    assert sweep(folder, "died", "--quiet") == 1
    assert "the node died" in capsys.readouterr().err
    finished = {p.name: p.stat().st_mtime_ns for p in (folder / "died").glob("*.h5")}
    assert sorted(finished) == ["batch_0000.h5", "batch_0001.h5"]
    monkeypatch.delenv("CRASH_IN_NETWORK")
    assert sweep(folder, "died") == 0
    assert "2 done already, 2 to run" in capsys.readouterr().out
    assert {p: (folder / "died" / p).stat().st_mtime_ns for p in finished} == finished
    assert len(list((folder / "died").glob("*.h5"))) == 4


def test_a_half_written_network_of_a_sweep_is_run_again(folder, capsys):
    assert sweep(folder, "half", "--quiet") == 0
    damaged = folder / "half" / "batch_0001.h5"
    damaged.write_bytes(damaged.read_bytes()[:1000])
    assert sweep(folder, "half") == 0
    assert "3 done already, 1 to run" in capsys.readouterr().out
    assert "exc_0" in ps.load_results(damaged).spikes


def test_a_folder_of_another_sweep_is_refused(folder, capsys):
    assert sweep(folder, "other", "--quiet") == 0
    assert main(["sweep", str(folder / "model.py"), "--duration", "100ms",
                 "--grid", "exc.tau=10,40", "--out", str(folder / "other")]) == 1
    err = capsys.readouterr().err
    assert "holds another sweep (its grid differs)" in err and len(err.splitlines()) == 1


@pytest.mark.parametrize("grid, named", [("exc.tau=fast,slow", "not numbers"),
                                         ("inh.tau=1,2", "'inh'"),
                                         ("exc.tau_m=1,2", "'tau_m'"),
                                         ("seed=1:x", "whole numbers")])
def test_a_bad_grid_exits_non_zero_with_one_sentence(folder, capsys, grid, named):
    assert main(["sweep", str(folder / "model.py"), "--duration", "10ms", "--grid", grid,
                 "--out", str(folder / f"bad{abs(hash(grid))}")]) == 1
    err = capsys.readouterr().err
    assert named in err and len(err.splitlines()) == 1


def test_a_sweep_puts_fewer_points_in_a_network_where_they_would_not_fit(folder, capsys,
                                                                         monkeypatch):
    net = model_file.build(model_file.load(folder / "model.py"),
                           {"seed": 1, "batch": 3, "backend": "numpy"}, [], ps.Network)
    one = sweeps.OVERHEAD * sum(a.nbytes for a in net.state.values()) / 3
    room = 2 * one / sweeps.MEMORY_SHARE                  # room for two instances
    assert sweeps.fitting(net, int(room)) == 2
    monkeypatch.setattr(sweeps, "available_memory", lambda: int(room))
    assert main(["sweep", str(folder / "model.py"), "--duration", "5ms", *GRID,
                 "--backend", "numpy", "--out", str(folder / "tight")]) == 0
    assert "3 instances would fill more than half the memory available: 2 per network" \
        in capsys.readouterr().out
    index = json.loads((folder / "tight" / "sweep.json").read_text())
    assert {len(b["points"]) for b in index["batches"]} == {2}
    assert len(index["batches"]) == 8                      # 4 seeds x (2 + 1 and a copy)
