"""The precompiled header of generated sources' includes (pyspike/toolchain/prelude.py):
it changes how long g++ takes, never what it makes; it is made once, in the default
cache, for every cache_dir."""
import numpy as np

import pyspike as ps
from pyspike.toolchain import compile as toolchain


def _build(cache, monkeypatch, pch: str):
    monkeypatch.setenv("PYSPIKE_PCH", pch)
    monkeypatch.setenv("PYSPIKE_CACHE_DIR", str(cache))  # (where precompiled headers go)
    net = ps.Network(dt=0.1, seed=1, cache_dir=str(cache))
    model = ps.NeuronModel("dv/dt = (1.1 - v)/tau + 0.1*xi/sqrt(tau) : 1", threshold="v > 1",
                           reset="v = 0", params={"tau": 10.0})
    with net:
        G = ps.NeuronGroup(50, model)
        mon = ps.SpikeMonitor(G)
    net.run(20.0)
    return net.last_build, mon


def test_a_library_built_with_the_precompiled_header_is_the_same_file(tmp_path, monkeypatch):
    with_pch, mon = _build(tmp_path / "a", monkeypatch, "1")
    without, mon2 = _build(tmp_path / "b", monkeypatch, "0")
    assert list((tmp_path / "a" / "pch").glob("*/prelude.h.gch"))
    assert not (tmp_path / "b" / "pch").exists()
    with open(with_pch.library, "rb") as a, open(without.library, "rb") as b:
        assert a.read() == b.read()
    np.testing.assert_array_equal(mon.t, mon2.t)


def test_the_precompiled_header_is_built_once_per_head(tmp_path, monkeypatch):
    built, _ = _build(tmp_path, monkeypatch, "1")
    made = list((tmp_path / "pch").glob("*/prelude.h.gch"))
    stamp = made[0].stat().st_mtime_ns
    with open(built.source) as f:             # another source with the same head
        other = toolchain.compile_library(f.read() + "\n// another network\n",
                                          cache_dir=tmp_path / "other")
    assert other.compiled
    assert list((tmp_path / "pch").glob("*/prelude.h.gch")) == made
    assert made[0].stat().st_mtime_ns == stamp
