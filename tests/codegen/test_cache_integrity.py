"""The cache verifies what it loads: damaged libraries and generated files are detected,
warned about, rebuilt, and the network then runs as from a clean cache; nothing in the
cache is unpickled; a killed build or a failed write leaves no temporary file behind;
processes building one model at once run sympy once.

Builds that may meet a damaged library run in a subprocess: before these checks, a
truncated library crashed the loading process (SIGBUS)."""
import fcntl
import hashlib
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from pyspike.codegen.errors import BuildError
from pyspike.codegen.spec import GroupSpec, NetworkSpec
from pyspike.toolchain import compile as cc, compile_cuda
from pyspike.toolchain.generation import generate

MODEL_A = "dv/dt = (I - v)/tau : 1 (unless refractory)\nI : 1"
MODEL_B = "dv/dt = (2*I - v)/tau : 1 (unless refractory)\nI : 1"
RUN = r"""
import json, sys, warnings
import pyspike as ps
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    net = ps.Network(dt=0.1, seed=1, backend="cpu", cache_dir=sys.argv[1])
    model = ps.NeuronModel(sys.argv[2], threshold="v > 1", reset="v = 0", refractory=1.0,
                           params={"tau": 10.0})
    with net:
        G = ps.NeuronGroup(8, model, init={"v": "rand()", "I": "1 + 0.2*i"})
        spikes = ps.SpikeMonitor(G)
    net.run(30.0)
print(json.dumps({"i": spikes.i.tolist(), "t": spikes.t.tolist(), "v": G.v.tolist(),
                  "generated": net.last_build.generated, "compiled": net.last_build.compiled,
                  "warnings": [str(w.message) for w in caught]}))
"""


def _run(cache: Path, model: str = MODEL_A, env=None) -> dict:
    out = subprocess.run([sys.executable, "-c", RUN, str(cache), model], capture_output=True,
                         text=True, cwd=cache.parent, timeout=120, env=env)
    assert out.returncode == 0, f"exit status {out.returncode}: {out.stderr[-2000:]}"
    return json.loads(out.stdout.splitlines()[-1])


def _same_run(a: dict, b: dict) -> bool:
    return all(a[k] == b[k] for k in ("i", "t", "v"))


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """Model A's and model B's caches, each built from empty, and A's results."""
    root = tmp_path_factory.mktemp("clean")
    a, b = root / "a", root / "b"
    reference = _run(a)
    assert reference["generated"] and reference["compiled"] and reference["i"]
    _run(b, MODEL_B)
    return {"a": a, "b": b, "reference": reference}


def _one(folder: Path, pattern: str) -> Path:
    found = list(folder.glob(pattern))
    assert len(found) == 1, found
    return found[0]


def _copy(clean, tmp_path: Path) -> Path:
    cache = tmp_path / "cache"
    shutil.copytree(clean["a"], cache)
    return cache


def _truncated(data: bytes, other: bytes) -> bytes:
    return data[:len(data) // 2]


def _empty(data: bytes, other: bytes) -> bytes:
    return b""


def _garbage(data: bytes, other: bytes) -> bytes:
    return bytes((k * 7919 + 13) % 256 for k in range(len(data)))


def _swapped(data: bytes, other: bytes) -> bytes:
    return other


DAMAGES = [_truncated, _empty, _garbage, _swapped]


@pytest.mark.parametrize("damage", DAMAGES, ids=lambda f: f.__name__[1:])
def test_a_damaged_library_is_detected_warned_about_and_rebuilt(damage, clean, tmp_path):
    cache = _copy(clean, tmp_path)
    lib = _one(cache, "*/network_*.so")
    lib.write_bytes(damage(lib.read_bytes(), _one(clean["b"], "*/network_*.so").read_bytes()))
    result = _run(cache)
    assert [w for w in result["warnings"] if lib.name in w and "damaged" in w
            and "rebuilt" in w], result["warnings"]
    assert result["compiled"] and not result["generated"]
    assert _same_run(result, clean["reference"])
    assert cc.verify(lib) is None


@pytest.mark.parametrize("damage", DAMAGES, ids=lambda f: f.__name__[1:])
def test_a_damaged_generated_file_is_detected_warned_about_and_regenerated(
        damage, clean, tmp_path):
    cache = _copy(clean, tmp_path)
    entry = _one(cache, "generated/*/*.json")
    other = _one(clean["b"], "generated/*/*.json").read_bytes()
    entry.write_bytes(damage(entry.read_bytes(), other))
    result = _run(cache)
    assert [w for w in result["warnings"] if entry.name in w and "damaged" in w], \
        result["warnings"]
    assert result["generated"] and not result["compiled"]   # the same source: same library
    assert _same_run(result, clean["reference"])
    assert _run(cache)["warnings"] == []                    # and it is whole again


def test_a_library_whose_checksum_file_is_missing_is_rebuilt(clean, tmp_path):
    cache = _copy(clean, tmp_path)
    lib = _one(cache, "*/network_*.so")
    cc.checksum_path(lib).unlink()
    result = _run(cache)
    assert any("checksum file is missing" in w for w in result["warnings"])
    assert result["compiled"] and _same_run(result, clean["reference"])


def test_another_models_library_with_its_own_checksum_file_is_rebuilt(clean, tmp_path):
    cache = _copy(clean, tmp_path)
    lib = _one(cache, "*/network_*.so")
    other = _one(clean["b"], "*/network_*.so")
    lib.write_bytes(other.read_bytes())
    cc.checksum_path(lib).write_bytes(cc.checksum_path(other).read_bytes())
    result = _run(cache)
    assert any("another file" in w for w in result["warnings"]), result["warnings"]
    assert result["compiled"] and _same_run(result, clean["reference"])


def test_a_library_the_loader_refuses_despite_its_checksum_is_rebuilt(clean, tmp_path):
    cache = _copy(clean, tmp_path)
    lib = _one(cache, "*/network_*.so")
    lib.write_bytes(b"\x7fELF not really a library")
    cc.checksum_path(lib).write_text(f"{hashlib.sha256(lib.read_bytes()).hexdigest()}  "
                                     f"{lib.name}\n")
    result = _run(cache)
    assert any("failed to load" in w for w in result["warnings"]), result["warnings"]
    assert result["compiled"] and _same_run(result, clean["reference"])


class _Planted:
    """Unpickling this creates the file ``marker``: proof that code ran."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


SPEC = NetworkSpec(groups=(GroupSpec("g", 3, equations="dv/dt = -v/tau : 1",
                                     params=("tau",)),))


def test_nothing_in_the_generated_cache_is_unpickled(tmp_path):
    cache, marker = tmp_path / "cache", tmp_path / "code-ran"
    generate(SPEC, cache_dir=cache)
    entry = next(p for p in cache.glob("generated/*/*") if p.suffix != ".lock")
    entry.unlink()
    payload = pickle.dumps((_Planted(marker), "source"))
    for suffix in (".pickle", ".json"):
        entry.with_suffix(suffix).write_bytes(payload)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        again = generate(SPEC, cache_dir=cache)
    assert not marker.exists()
    assert any("damaged" in str(w.message) for w in caught)
    assert not again.cached and again.kernel.groups[0].N == 3


def test_a_generated_file_holding_unknown_classes_is_refused(tmp_path):
    cache = tmp_path / "cache"
    generate(SPEC, cache_dir=cache)
    entry = _one(cache, "generated/*/*.json")
    head, body = entry.read_bytes().split(b"\n", 1)
    body = json.dumps({"kernel": ["dc", "subprocess.Popen", {}], "source": ""}).encode()
    head = b" ".join(head.split()[:2] + [f"sha256={hashlib.sha256(body).hexdigest()}".encode()])
    entry.write_bytes(head + b"\n" + body)
    with pytest.warns(cc.CacheWarning, match="does not hold a kernel IR"):
        assert not generate(SPEC, cache_dir=cache).cached


def test_a_build_removes_stale_temporary_files_but_not_those_of_a_live_build(tmp_path):
    source = 'extern "C" int pyspike_abi_version(void) { return 1; }\n'
    compiler = cc.find_compiler()
    key = cc.library_key(source, compiler, cc.CXXFLAGS + cc.LIBMVEC)
    folder = tmp_path / key[:2]
    folder.mkdir()
    own = folder / f"{key}.x1.so.tmp"                  # a killed build of this library
    dead = folder / "feedc0ffee.x2.tmp"               # another key, its lock free
    (folder / "feedc0ffee.lock").touch()
    live = folder / "0badcafe.x3.tmp"                  # another key, its lock held
    ancient = folder / "tmpold.so.tmp"                 # no lock to ask: by age
    recent = folder / "tmpnew.so.tmp"
    for path in (own, dead, live, ancient, recent):
        path.write_bytes(b"partial")
    os.utime(ancient, (time.time() - 7 * 86400,) * 2)       # a week old
    with open(folder / "0badcafe.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        assert cc.compile_library(source, cache_dir=tmp_path).compiled
    assert not own.exists() and not dead.exists() and not ancient.exists()
    assert live.exists() and recent.exists()


def test_a_write_that_fails_removes_its_temporary_file(tmp_path, monkeypatch):
    def full(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cc.os, "replace", full)
    with pytest.raises(BuildError, match="disk is full"):
        cc.compile_library('int x;\n', cache_dir=tmp_path)
    monkeypatch.undo()
    assert list(tmp_path.rglob("*.tmp")) == []


def test_a_build_killed_while_the_compiler_runs_is_completed_by_the_next(clean, tmp_path):
    # a compiler that waits while `hold` exists, so that the kill lands during the compile
    hold, wrapper = tmp_path / "hold", tmp_path / "slow-g++"
    wrapper.write_text("#!/bin/sh\ncase \"$*\" in *--version*) exec g++ \"$@\";; esac\n"
                       f"while [ -e '{hold}' ]; do sleep 0.05; done\nexec g++ \"$@\"\n")
    wrapper.chmod(0o755)
    hold.touch()
    env = dict(os.environ, CXX=str(wrapper))
    cache = tmp_path / "cache"
    proc = subprocess.Popen([sys.executable, "-c", RUN, str(cache), MODEL_A], cwd=tmp_path,
                            env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while not list(cache.glob("*/*.so.tmp")):
            assert proc.poll() is None and time.time() < deadline, "the build did not start"
            time.sleep(0.01)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert list(cache.glob("*/*.so.tmp"))          # what the killed build left
    hold.unlink()
    result = _run(cache, env=env)
    assert result["compiled"] and _same_run(result, clean["reference"])
    assert list(cache.rglob("*.tmp")) == []


GENERATE = r"""
import sys, time
from pathlib import Path
from pyspike.codegen.spec import GroupSpec, NetworkSpec
from pyspike.toolchain.generation import generate
spec = NetworkSpec(groups=(GroupSpec("g", 3, equations='''
    dv/dt = (ge - gi - v)/tau : 1
    dge/dt = -ge/taue : 1
    dgi/dt = -gi/taui : 1''', params=("tau", "taue", "taui")),))
Path(sys.argv[3]).touch()                        # ready
while not Path(sys.argv[2]).exists():
    time.sleep(0.005)
print(generate(spec, cache_dir=sys.argv[1]).cached)
"""


def test_processes_generating_one_model_at_once_run_sympy_once(tmp_path):
    go, ready = tmp_path / "go", [tmp_path / f"ready{k}" for k in range(3)]
    procs = [subprocess.Popen([sys.executable, "-c", GENERATE, str(tmp_path / "cache"),
                               str(go), str(r)], stdout=subprocess.PIPE, text=True,
                              cwd=tmp_path) for r in ready]
    try:
        deadline = time.time() + 120
        while not all(r.exists() for r in ready):     # all imported, at the barrier
            assert time.time() < deadline
            time.sleep(0.01)
        go.touch()
        cached = [p.communicate(timeout=120)[0].strip() for p in procs]   # sympy: ~0.5 s
    finally:
        for p in procs:
            p.kill()
            p.wait()
    assert sorted(cached) == ["False", "True", "True"]


@pytest.mark.skipif(compile_cuda.find_nvcc() is None, reason="nvcc is not installed here")
def test_a_damaged_cuda_library_is_detected_warned_about_and_rebuilt(tmp_path):
    source = 'extern "C" int pyspike_abi_version(void) { return 2; }\n'
    first = compile_cuda.compile_cuda_library(source, cache_dir=tmp_path, archs=["80"])
    first.path.write_bytes(first.path.read_bytes()[:100])
    with pytest.warns(cc.CacheWarning, match=r"network_cuda_.*\.so is damaged"):
        again = compile_cuda.compile_cuda_library(source, cache_dir=tmp_path, archs=["80"])
    assert again.compiled and again.path == first.path and cc.verify(again.path) is None
