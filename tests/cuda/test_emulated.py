"""The CUDA backend's generated code, run on the CPU by a test-only emulator
(tests/cuda/emulator): every feature network gives the C++ backend's spikes.  This runs
everywhere g++ does, and catches what a GPU run would catch of the CUDA templates' logic
(indexing, ordering, launch sequence, batching, graph replay), but not what depends on
the GPU's memory model, real concurrency between blocks or timing
(emulator/include/ps_emu_block.h)."""
import functools
import subprocess

import numpy as np
import pytest

import pyspike as ps
import pyspike.backends

from . import networks
from .emulator.backend import INCLUDE, EmulatedBackend, emulator_missing

MISSING = emulator_missing()
pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")

#: as the GPU tests: 20 ms would see no spike in stdp_sparse and timed_and_poisson
DURATION = 40.0
#: networks whose spike monitors see no spike: their events show in states and weights
SILENT = ("iterative_no_threshold",)
#: networks whose batch is emulated too: ordered spikes, delay rings, generators, atomics
BATCHED = ("order_sensitive", "generator_delays", "stdp_sparse", "summed_gap")


@pytest.fixture(autouse=True)
def emulated(monkeypatch):
    monkeypatch.setitem(pyspike.backends.BACKENDS, "cuda_emulated", EmulatedBackend)


def _run(name, backend, batch=None, pieces=(DURATION,), precision="double"):
    net, objects = networks.build(name, backend, precision, batch=batch)
    for piece in pieces:
        net.run(piece)
    return net, objects


@functools.lru_cache(maxsize=None)
def _cpu(name, batch=None, pieces=(DURATION,), precision="double"):
    """The C++ backend's run (the reference of several tests: run once)."""
    return _run(name, "cpu", batch, pieces, precision)[1]


def _assert_same(cpu, emu, batch=None, tolerance=1e-9):
    """Identical spikes and rates; states within 1e-9: atomic additions of floats happen
    in the order the emulated threads run (shuffled), and the C++ backend's vectorised
    loops call libmvec's exp/log where the emulated kernels call libm's.  Returns the
    number of spikes compared."""
    close = dict(rtol=tolerance, atol=tolerance)
    spikes = 0
    for a, b in zip(cpu, emu):
        if isinstance(a, ps.SpikeMonitor):
            for k in range(batch or 1):
                ai, at, bi, bt = (a.i[k], a.t[k], b.i[k], b.t[k]) if batch else \
                    (a.i, a.t, b.i, b.t)
                np.testing.assert_array_equal(bi, ai)
                np.testing.assert_array_equal(bt, at)
                spikes += len(ai)
            np.testing.assert_array_equal(b.count, a.count)
        elif isinstance(a, ps.PopulationRateMonitor):
            np.testing.assert_array_equal(b.rate, a.rate)
        elif isinstance(a, ps.StateMonitor):
            for var in a.variables:
                np.testing.assert_allclose(getattr(b, var), getattr(a, var), **close)
        elif isinstance(a, ps.NeuronGroup):
            for var in a.model.variables:
                np.testing.assert_allclose(getattr(b, var), getattr(a, var), **close)
            np.testing.assert_array_equal(b.lastspike, a.lastspike)
        elif isinstance(a, ps.Synapses):
            for var in a.variables:
                np.testing.assert_allclose(getattr(b, var), getattr(a, var), **close)
    return spikes


@pytest.mark.parametrize("name", sorted(networks.NETWORKS))
def test_every_feature_network_emulated_gives_the_cpu_backends_spikes(name):
    cpu = _cpu(name)
    net, emu = _run(name, "cuda_emulated")
    assert _assert_same(cpu, emu) > 0 or name in SILENT
    assert net.backend.stats()["launches"] >= DURATION / 0.1     # the kernels did run here


@pytest.mark.parametrize("name", BATCHED)
def test_an_emulated_batch_gives_the_spikes_of_the_cpu_batch(name):
    cpu = _cpu(name, batch=3)
    _, emu = _run(name, "cuda_emulated", batch=3)
    assert _assert_same(cpu, emu, batch=3)


@pytest.mark.parametrize("schedule,seed", [("forward", 1), ("reverse", 1), ("random", 2),
                                           ("random", 3)])
@pytest.mark.parametrize("name", ["order_sensitive", "generator_delays", "bitmask_dense"])
def test_the_order_in_which_threads_and_blocks_run_changes_no_spike(name, schedule, seed,
                                                                    monkeypatch):
    # The default ("random", 1) runs above; a forward order alone would hide a missing
    # ordering of spikes (warps would append them in ascending order anyway).
    monkeypatch.setattr(EmulatedBackend, "schedule", schedule)
    monkeypatch.setattr(EmulatedBackend, "seed", seed)
    cpu = _cpu(name)
    _, emu = _run(name, "cuda_emulated")
    assert _assert_same(cpu, emu)


@pytest.mark.parametrize("name", ["lif_monitors", "timed_and_poisson"])
def test_float32_kernels_emulated_give_the_cpu_backends_float32_spikes(name):
    # Host float arithmetic in both; on a GPU, expf and float time may part them.
    cpu = _cpu(name, precision="single")
    _, emu = _run(name, "cuda_emulated", precision="single")
    assert emu[0].v.dtype == np.float32
    assert _assert_same(cpu, emu, tolerance=1e-5) > 0


def test_an_emulated_run_in_pieces_equals_one_run_bit_for_bit():
    # Each run captures its graph anew and replays it; no atomics of floats here.
    _, whole = _run("noisy_condition", "cuda_emulated", pieces=(30.0,))
    _, parts = _run("noisy_condition", "cuda_emulated", pieces=(10.0, 0.0, 12.5, 7.5))
    np.testing.assert_array_equal(parts[1].i, whole[1].i)
    np.testing.assert_array_equal(parts[1].t, whole[1].t)
    np.testing.assert_array_equal(parts[0].v, whole[0].v)


def test_an_emulated_run_in_pieces_keeps_the_spikes_in_flight():
    # the delay rings and the generator's position carry over from one run to the next
    pieces = (7.0, 0.1, 5.4, 7.5)
    cpu = _cpu("generator_delays", pieces=pieces)
    _, emu = _run("generator_delays", "cuda_emulated", pieces=pieces)
    assert _assert_same(cpu, emu)


def test_the_state_stays_on_the_emulated_device_between_runs():
    # CUDABackend's own bookkeeping: the host copy is fetched when read, the device array
    # (no copy) written on the "GPU" is where the next run starts.
    net, (G, *_) = networks.build("lif_monitors", "cuda_emulated")
    net.run(5.0)
    assert isinstance(G.v, np.ndarray) and G.v.shape == (40,)
    v = G.device("v")
    assert G.device("v").data.ptr == v.data.ptr
    v[:] = -65.0
    net.run(0.1)
    assert np.all(G.v < -60.0)


def test_reading_the_state_between_emulated_runs_changes_nothing():
    _, whole = _run("noisy_condition", "cuda_emulated", pieces=(20.0,))
    networks.assert_reading_the_state_between_runs_changes_nothing("cuda_emulated", whole)


def test_the_emulator_computes_what_cuda_computes_and_fails_where_cuda_is_undefined(
        tmp_path):
    # compiled as it is: its launches go through the shim's PS_LAUNCH (-x c++: a .cu file)
    build = subprocess.run(["g++", "-std=c++17", "-O1", f"-I{INCLUDE}", "-x", "c++",
                            str(INCLUDE.parent / "selftest.cu"),
                            "-o", str(tmp_path / "selftest")],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-3000:]
    out = subprocess.run([str(tmp_path / "selftest")], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0 and " 0 failed" in out.stdout, out.stdout + out.stderr


@pytest.mark.parametrize("example", ["cuba", "coba", "cobahh", "brunel"])
def test_the_benchmark_networks_emulated_have_the_cpu_backends_rates(example):
    # examples/networks.py down-scaled (the GPU test runs them whole); float additions by
    # atomics in another order may part chaotic trajectories, not the rates
    examples = networks.examples()
    size = {"brunel": dict(n_exc=800, n_inh=200)}.get(example, dict(n=1000))
    rates = {}
    for backend in ("cpu", "cuda_emulated"):
        net = ps.Network(dt=0.1, seed=4, backend=backend)
        with net:
            objs = getattr(examples, example)(net, **size)
            mon = ps.SpikeMonitor(objs["P"])
        net.run(100.0)
        rates[backend] = mon.num_spikes / objs["P"].N / 0.1
    assert rates["cpu"] > 1.0
    assert rates["cuda_emulated"] == pytest.approx(rates["cpu"], rel=0.15, abs=0.5)
