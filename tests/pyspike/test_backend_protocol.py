"""One backend protocol: every backend inherits BaseBackend and declares a Capabilities
record; the runtime and the front end read the record and call the protocol's methods,
never probe a backend with getattr; the C ABI's version is defined once and both loaders
check it."""
import ast
import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import pyspike as ps
from pyspike import backends
from pyspike.backends import BaseBackend, Capabilities
from pyspike.backends.library import ABI_VERSION, check_version, native
from pyspike.backends.numpy_ref import NumpyBackend
from pyspike.backends.protocol import DEFAULT_POISSON_MEAN
from pyspike.codegen.errors import BuildError
from pyspike.codegen.pipeline import generate

ROOT = Path(__file__).resolve().parents[2]
STILL = ps.NeuronModel("dv/dt = -v/tau : mV", params={"tau": 10.0})
SPIKING = ps.NeuronModel("dv/dt = (2 - v)/tau : mV", threshold="v > 1", reset="v = 0",
                         params={"tau": 1.0})


def _network(monkeypatch, backend_class, **kw) -> ps.Network:
    """A network on ``backend_class``, registered for the test under the name "probe"."""
    monkeypatch.setitem(backends.BACKENDS, "probe", backend_class)
    return ps.Network(dt=0.1, seed=1, backend="probe", **kw)


def _numpy_with(base: type = None, **capabilities) -> type:
    """The NumPy backend (or ``base``, a subclass of it) declaring other capabilities."""
    caps = dataclasses.replace(NumpyBackend.capabilities, **capabilities)
    return type("ProbeBackend", (base or NumpyBackend,), {"capabilities": caps})


def test_every_registered_backend_inherits_the_base_and_declares_its_capabilities():
    for name, cls in backends.BACKENDS.items():
        assert issubclass(cls, BaseBackend), name
        assert isinstance(cls.capabilities, Capabilities), name
        assert cls.capabilities.target in ("cpp", "cuda", "numpy"), name


def test_the_cuda_backend_declares_what_it_does_differently():
    caps = backends.CUDABackend.capabilities
    assert (caps.target, caps.unordered_spikes, caps.resident_state,
            caps.device_arrays) == ("cuda", True, True, True)
    assert caps.poisson_limit(np.float32) == 80.0 and caps.poisson_limit(np.float64) == 500.0


def _backend_probes(source: str, where: str) -> list:
    """Lines of ``source`` that call getattr or hasattr on a backend, or for one."""
    found = []
    for node in ast.walk(ast.parse(source, where)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in ("getattr", "hasattr") and len(node.args) >= 2:
            obj, attr = ast.unparse(node.args[0]), node.args[1]
            if "backend" in obj or (isinstance(attr, ast.Constant) and attr.value == "backend"):
                found.append(f"{where}:{node.lineno}")
    return found


def test_no_module_outside_the_backends_probes_a_backend_with_getattr():
    modules = [p for p in sorted((ROOT / "pyspike").rglob("*.py"))
               if "backends" not in p.relative_to(ROOT / "pyspike").parts]
    assert len(modules) > 10
    probes = [line for p in modules
              for line in _backend_probes(p.read_text(), str(p.relative_to(ROOT)))]
    assert not probes, f"getattr/hasattr on a backend at {probes}"


def test_the_source_scan_finds_the_probes_on_a_backend_and_for_one():
    source = ('sync = getattr(net.backend, "sync", None)\n'
              'backend = getattr(net, "backend", None)\n'
              'model = getattr(group, "model", None)\n')
    assert _backend_probes(source, "m.py") == ["m.py:1", "m.py:2"]


def test_a_capability_left_out_has_the_documented_default():
    caps = Capabilities(target="cpp")
    assert (caps.unordered_spikes, caps.resident_state,
            caps.device_arrays) == (False, False, False)
    assert caps.poisson_limit(np.float64) == caps.poisson_limit(np.float32) \
        == DEFAULT_POISSON_MEAN == 500.0
    assert Capabilities("cuda", {"single": 80.0}).poisson_limit(np.float64) == 500.0


def test_a_precision_the_capabilities_do_not_know_is_refused():
    with pytest.raises(ValueError, match="half"):
        Capabilities(target="cpp", max_poisson_mean={"half": 10.0})


def test_the_base_backend_treats_the_host_arrays_as_the_state():
    base = BaseBackend()
    arrays = [np.zeros(1), np.array([1.0, np.inf]), np.array([0.0, 2.0])]
    assert base.nonfinite_slots(arrays, [1, 2]) == [1]
    assert base.device_array(arrays[2]) is None
    assert base.sync() is None and base.collect(arrays) is None and base.close() is None


def test_a_poisson_input_above_the_backends_capability_is_refused(monkeypatch):
    net = _network(monkeypatch, _numpy_with(max_poisson_mean={"double": 5.0}))
    with net:
        G = ps.NeuronGroup(2, STILL)
    ps.PoissonInput(G, "v", N=100, rate=1000.0, weight=1.0)        # 10 per step
    with pytest.raises(ps.ModelError, match="at most 5 are supported"):
        net.run(1.0)


def test_a_poisson_input_within_the_backends_capability_runs(monkeypatch):
    net = _network(monkeypatch, _numpy_with(max_poisson_mean={"double": 20.0}))
    with net:
        G = ps.NeuronGroup(2, STILL)
    ps.PoissonInput(G, "v", N=100, rate=1000.0, weight=1.0)
    net.run(1.0)
    assert net.step == 10


def _dense_network(backend: str):
    net = ps.Network(dt=0.1, backend=backend)
    with net:
        G = ps.NeuronGroup(8, STILL)
        S = ps.Synapses(G, G, on_pre="v_post += 1.0")
    S.connect(condition="i != j")           # 56 of 64 pairs: dense enough for a bitmask
    return net, S


def test_a_target_that_tests_bits_gets_the_bitmask_of_pairs():
    # (the CUDA backend's target; its runs are checked by the emulated CUDA tests)
    net, S = _dense_network("numpy")
    spec = net._spec()
    assert spec.synapses[0].bitmask
    slot = generate(spec, "cuda").kernel.synapses[0].bitmask_slot
    assert slot is not None


def test_targets_that_deliver_by_rows_get_no_bitmask():
    for backend in ("numpy", "cpu"):
        net, _ = _dense_network(backend)
        net.build()
        assert net._kernel.synapses[0].bitmask_slot is None, backend
        assert all(b.name != "bitmask" for b in net._kernel.manifest.buffers)


def test_crossing_the_density_of_a_bitmask_regenerates_no_cpu_code(tmp_path):
    net = ps.Network(dt=0.1, backend="cpu", cache_dir=str(tmp_path))
    with net:
        G = ps.NeuronGroup(8, STILL)
        S = ps.Synapses(G, G, on_pre="v_post += 1.0")
    S.connect(i=[0], j=[1])
    net.run(0.2)
    S.connect(condition="i != j and i > 0")          # now dense enough for a bitmask
    assert net._spec().synapses[0].bitmask
    net.run(0.2)
    assert not net.last_build.generated and not net.last_build.compiled


class _Reversing(NumpyBackend):
    """The NumPy backend, handing each run's spikes to the monitor in reverse order."""

    def run(self, arrays, iargs, rargs, n_steps):
        m = self.kernel.groups[0].spike_monitors[0]
        start = int(arrays[0][0, m.fill])
        done = super().run(arrays, iargs, rargs, n_steps)
        end = int(arrays[0][0, m.fill])
        for slot in (m.i_slot, m.step_slot):
            arrays[slot][0, start:end] = arrays[slot][0, start:end][::-1].copy()
        return done


def _spikes(monkeypatch, backend_class):
    net = _network(monkeypatch, backend_class)
    with net:
        G = ps.NeuronGroup(3, SPIKING)
        mon = ps.SpikeMonitor(G)
    G.v = [0.0, 0.2, 0.4]
    net.run(5.0)
    return mon.i.tolist(), mon.t.tolist()


def test_unordered_spikes_are_sorted_by_step_and_neuron_where_declared(monkeypatch):
    ordered = _spikes(monkeypatch, NumpyBackend)
    assert len(ordered[0]) > 3
    cls = _numpy_with(_Reversing, unordered_spikes=True)
    assert _spikes(monkeypatch, cls) == ordered


def test_spikes_are_taken_in_the_order_given_where_not_declared_unordered(monkeypatch):
    ordered = _spikes(monkeypatch, NumpyBackend)
    assert _spikes(monkeypatch, _Reversing) != ordered


class _Counting(NumpyBackend):
    """The NumPy backend, counting the calls of sync and collect."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def sync(self):
        self.calls.append("sync")

    def collect(self, arrays):
        self.calls.append("collect")


def _calls(monkeypatch, resident: bool) -> list:
    cls = _numpy_with(_Counting, resident_state=resident)
    net = _network(monkeypatch, cls)
    with net:
        G = ps.NeuronGroup(2, STILL)
    net.run(0.5)
    np.asarray(G.v)          # the host reads the state
    return net.backend.calls


def test_a_backend_with_resident_state_is_asked_to_collect_and_sync(monkeypatch):
    calls = _calls(monkeypatch, resident=True)
    assert "collect" in calls and calls[-1] == "sync"


def test_a_backend_whose_host_arrays_are_the_state_is_never_asked_to_sync(monkeypatch):
    assert _calls(monkeypatch, resident=False) == []


class _Device(NumpyBackend):
    """The NumPy backend, with a stand-in device array."""

    def device_array(self, host):
        return ("device", host.shape)


def test_device_arrays_come_from_a_backend_that_declares_them(monkeypatch):
    cls = _numpy_with(_Device, device_arrays=True)
    net = _network(monkeypatch, cls)
    with net:
        G = ps.NeuronGroup(3, STILL)
    net.run(0.1)
    assert G.device("v") == ("device", (3,))


def test_device_arrays_are_refused_where_not_declared(monkeypatch):
    net = _network(monkeypatch, _Device)
    with net:
        G = ps.NeuronGroup(3, STILL)
    net.run(0.1)
    with pytest.raises(ps.ModelError, match="backend='cuda'"):
        G.device("v")


def test_the_generator_is_asked_for_the_target_the_capabilities_name(monkeypatch):
    class Numpy(NumpyBackend):
        def prepare(self, generated, cache_dir=None):
            type(self).source = generated.source
            return super().prepare(generated, cache_dir)

    cpp = type("Cpp", (Numpy,), {"capabilities": Capabilities(target="cpp")})
    net = _network(monkeypatch, cpp)
    with net:
        ps.NeuronGroup(2, STILL)
    net.build()
    assert "pyspike_run" in cpp.source


def test_the_abi_version_is_defined_once():
    # one #define in csrc/pyspike/abi.h; Python reads it, the C++ loader includes it
    files = [p for folder in ("codegen", "pyspike", "csrc", "templates")
             for p in sorted((ROOT / folder).rglob("*")) if p.is_file()
             and p.suffix in (".py", ".h", ".cpp", ".cuh", ".j2")]
    number = {".py": r"^\s*ABI_VERSION\s*=\s*\d"}
    defined = [str(p.relative_to(ROOT)) for p in files if re.search(
        number.get(p.suffix, r"^#define PYSPIKE_ABI_VERSION|Version\s*=\s*\d|"
                             r"abi_version\(void\)\s*{\s*return\s*\d"), p.read_text(), re.M)]
    assert defined == ["csrc/pyspike/abi.h"]


def test_a_library_of_another_abi_version_is_refused_with_both_versions():
    with pytest.raises(BuildError, match=f"ABI version {ABI_VERSION + 1}, this pyspike "
                                         f"expects {ABI_VERSION}; clear the cache"):
        check_version(ABI_VERSION + 1, "libx.so")
    check_version(ABI_VERSION, "libx.so")


def _toy_library(tmp_path, abi: int = ABI_VERSION, manifest: bool = True,
                 error: str = "") -> str:
    """A library of the C ABI whose run adds 1 to arrays[0][0] per step."""
    name = f"abi{abi}{manifest}{bool(error)}"
    src, lib = tmp_path / f"{name}.cpp", tmp_path / f"lib{name}.so"
    src.write_text(
        '#include <cstdint>\nextern "C" int pyspike_abi_version(void) { return %d; }\n'
        'extern "C" int64_t pyspike_run(void** a, const int64_t*, const double*, '
        'int64_t n) { for (int64_t s = 0; s < n; ++s) ((double*)a[0])[0] += 1; return n; }\n'
        % abi
        + ('extern "C" const char* pyspike_manifest(void) { return "{}"; }\n'
           if manifest else "")
        + ('extern "C" const char* pyspike_last_error(void) { return "%s"; }\n' % error
           if error else ""))
    subprocess.run(["g++", "-shared", "-fPIC", str(src), "-o", str(lib)], check=True)
    return str(lib)


@pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")
def test_one_loader_runs_a_library_on_addresses_the_caller_owns(tmp_path):
    # (as the CUDA backend passes its device arrays)
    lib = native().Library(_toy_library(tmp_path))
    x = np.zeros(1)
    done = lib.run_pointers([x.ctypes.data], np.zeros(2, np.int64), np.zeros(1), 7)
    assert done == 7 and x[0] == 7.0


@pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")
def test_the_loader_reads_why_a_run_failed_where_the_library_says(tmp_path):
    assert native().Library(_toy_library(tmp_path, error="no device")).last_error() == \
        "no device"
    assert native().Library(_toy_library(tmp_path)).last_error() == ""


@pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")
def test_the_loader_refuses_a_library_without_a_manifest(tmp_path):
    with pytest.raises(RuntimeError, match="does not export pyspike_manifest"):
        native().Library(_toy_library(tmp_path, manifest=False))


def test_both_backends_open_libraries_with_the_one_loader():
    import pyspike.backends.cpu as cpu
    import pyspike.backends.cuda as cuda
    for module in (cpu, cuda):
        text = Path(module.__file__).read_text()
        assert "open_native(path)" in text and "ctypes" not in text, module.__name__


def test_a_native_extension_of_another_abi_version_is_named_as_out_of_date(monkeypatch):
    _native = pytest.importorskip("pyspike._native")
    assert native() is _native
    monkeypatch.setattr(_native, "ABI_VERSION", ABI_VERSION + 1)
    with pytest.raises(BuildError, match="extension is out of date"):
        native()
