"""StateMonitor of a Synapses object, as Brian2's: synaptic variables of chosen synapses
(indices in the order of S.w) recorded at the start of every step (or every `every`
steps), compiled on C++, CUDA and NumPy, batched, through chunked runs and store/restore."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import pyspike as ps
import pyspike.backends
import pyspike.codegen
from pyspike import pacing
from pyspike.codegen.errors import ModelError
from pyspike.codegen.kernels import build_network
from pyspike.codegen.render_cuda import render_cuda
from pyspike.toolchain import compile_cuda

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cuda"))
from emulator.backend import EmulatedBackend, emulator_missing  # noqa: E402

sys.path.pop(0)

EMULATED = pytest.param("cuda_emulated", marks=pytest.mark.skipif(
    emulator_missing() is not None, reason=emulator_missing() or ""))
BACKENDS = ["numpy", "cpu", EMULATED, pytest.param("cuda", marks=pytest.mark.gpu)]

MODEL = ps.NeuronModel("dv/dt = -v/tau : 1", params={"tau": 10.0})
#: 3 x 2 synapses; each presynaptic spike adds 0.25 (exact in binary) to w
PLASTIC = dict(model="w : 1", on_pre="w += 0.25\nv_post += w")


@pytest.fixture(autouse=True)
def emulated(monkeypatch):
    monkeypatch.setitem(pyspike.backends.BACKENDS, "cuda_emulated", EmulatedBackend)


def _network(backend, variables="w", record=True, every=1, batch=None, synapses=PLASTIC,
             neurons=False):
    net = ps.Network(dt=0.5, backend=backend, batch=batch)
    with net:
        P = ps.SpikeGeneratorGroup(3, [0, 1, 2, 0, 2, 1], [1.0, 2.0, 2.0, 3.5, 4.5, 5.0])
        G = ps.NeuronGroup(2, MODEL)
        S = ps.Synapses(P, G, **synapses)
        S.connect()
        M = ps.StateMonitor(S, variables, record=record, every=every)
        MG = ps.StateMonitor(G, "v", record=True) if neurons else None
    return net, S, M, MG


def _stepwise(net, S, name, steps):
    """S.<name> before each of ``steps`` runs of one step (what a monitor records)."""
    before = []
    for _ in range(steps):
        before.append(getattr(S, name).copy())
        net.run(net.dt)
    return np.stack(before, axis=-1)


@pytest.mark.parametrize("backend", BACKENDS)
def test_each_sample_is_the_synaptic_variable_at_the_start_of_its_step(backend):
    net, S, M, _ = _network(backend)
    expected = _stepwise(net, S, "w", 14)
    np.testing.assert_array_equal(M.w, expected)
    assert M.w.shape == (6, 14) and len(np.unique(M.w)) == 3      # 0, 0.25, 0.5
    np.testing.assert_array_equal(M.t, np.arange(14) * 0.5)


@pytest.mark.parametrize("backend", ["cpu", EMULATED])
def test_chunked_runs_record_what_the_reference_records(backend, monkeypatch):
    monkeypatch.setattr(pacing.Pacer, "next", lambda self, left: min(left, 3))
    recorded = []
    for name in ("numpy", backend):
        net, S, M, _ = _network(name, record=[5, 0, 3], every=2)
        net.run(4.0)
        net.run(3.5)
        recorded.append(M.w)
    np.testing.assert_array_equal(recorded[1], recorded[0])
    assert recorded[0].shape == (3, 8) and recorded[0].max() > 0


def test_record_picks_synapses_in_the_order_of_S_w():
    net, S, M, _ = _network("numpy", record=[4, 0, 4])
    expected = _stepwise(net, S, "w", 12)
    np.testing.assert_array_equal(M.w, expected[[4, 0, 4]])


def test_every_samples_the_steps_that_are_multiples_of_it():
    net, S, M, _ = _network("cpu", every=3)
    expected = _stepwise(net, S, "w", 13)
    np.testing.assert_array_equal(M.w, expected[:, ::3])
    np.testing.assert_array_equal(M.t, [0.0, 1.5, 3.0, 4.5, 6.0])


def test_record_true_records_every_synapse_present_when_the_network_is_built():
    net, S, M, _ = _network("numpy")
    assert M.w.shape == (0, 0)
    net.run(1.0)
    assert M.w.shape == (S.n, 2) == (6, 2)


@pytest.mark.parametrize("backend", ["numpy", "cpu", EMULATED])
def test_a_clock_driven_variable_is_recorded_before_it_is_integrated(backend):
    clock = dict(model="dx/dt = k : 1 (clock-driven)", on_pre="x += 0", params={"k": 0.5})
    net, S, M, _ = _network(backend, "x", record=[0, 5], synapses=clock)
    net.run(3.0)
    np.testing.assert_array_equal(M.x, np.tile(np.arange(6) * 0.25, (2, 1)))


def test_an_event_driven_variable_is_recorded_as_stored_at_the_last_event():
    trace = dict(model="dapre/dt = -apre/taupre : 1 (event-driven)", on_pre="apre += 1",
                 params={"taupre": 20.0})
    net, S, M, _ = _network("cpu", "apre", synapses=trace)
    expected = _stepwise(net, S, "apre", 12)
    np.testing.assert_array_equal(M.apre, expected)
    # synapse 0's last event, the spike given at 3.5 ms, is first seen at 4 ms (index -4,
    # README's timing conventions): held from there to 5.5 ms, not decayed
    assert M.apre[0, -1] == M.apre[0, -4] > 1.0


@pytest.mark.parametrize("backend", ["numpy", "cpu", EMULATED])
def test_a_batch_records_each_instances_synapses_on_a_leading_axis(backend):
    net, S, M, _ = _network(backend, record=[1, 3], batch=2)
    S.w = np.array([[0.0] * 6, [1.0] * 6])
    expected = _stepwise(net, S, "w", 10)
    assert M.w.shape == (2, 2, 10)
    np.testing.assert_array_equal(M.w, expected[:, [1, 3]])
    np.testing.assert_array_equal(M.w[1] - M.w[0], np.ones((2, 10)))


def test_the_recording_is_restored_with_the_state():
    net, S, M, _ = _network("cpu")
    net.run(1.5)
    net.store()
    net.run(2.0)
    first = M.w.copy()
    net.restore()
    assert M.w.shape == (6, 3)
    net.run(2.0)
    np.testing.assert_array_equal(M.w, first)


def test_a_group_state_monitor_beside_it_records_the_same_as_without_it():
    net, S, M, MG = _network("cpu", neurons=True)
    net.run(6.0)
    alone = ps.Network(dt=0.5, backend="cpu")
    with alone:
        P = ps.SpikeGeneratorGroup(3, [0, 1, 2, 0, 2, 1], [1.0, 2.0, 2.0, 3.5, 4.5, 5.0])
        G = ps.NeuronGroup(2, MODEL)
        ps.Synapses(P, G, **PLASTIC).connect()
        only = ps.StateMonitor(G, "v", record=True)
    alone.run(6.0)
    np.testing.assert_array_equal(MG.v, only.v)
    assert MG.v.max() > 0


def test_synapses_beyond_those_connected_are_refused_naming_them():
    net, S, M, _ = _network("numpy", record=[0, 7, 6, 2])
    with pytest.raises(ModelError, match=r"record names synapses \[7, 6\].* have 6") as err:
        net.run(1.0)
    assert err.value.symbol == "record"


def test_a_variable_the_synapses_lack_is_refused_naming_it():
    net = ps.Network(dt=0.5, backend="numpy")
    with net:
        S = ps.Synapses(ps.NeuronGroup(2, MODEL), ps.NeuronGroup(2, MODEL), **PLASTIC)
        with pytest.raises(ModelError, match="cannot record 'u': the synapses have w") as err:
            ps.StateMonitor(S, "u")
    assert err.value.symbol == "u"


def test_a_shared_synaptic_parameter_is_refused_as_not_per_synapse():
    shared = dict(model="w : 1", on_pre="w += c", params={"c": 0.5})
    net, S, M, _ = _network("numpy", ["w", "c"], synapses=shared)
    with pytest.raises(ModelError, match="cannot record 'c' of Synapses.*per-synapse "
                                         "variables w") as err:
        net.run(1.0)
    assert err.value.symbol == "c"


def test_synapses_outside_the_network_are_refused():
    net = ps.Network(dt=0.5, backend="numpy")
    with net:
        P, G = ps.NeuronGroup(2, MODEL), ps.NeuronGroup(2, MODEL)
    S = ps.Synapses(P, G, **PLASTIC)
    S.connect()
    net.add(ps.StateMonitor(S, "w"))
    with pytest.raises(ModelError, match="not part of this network") as err:
        net.run(1.0)
    assert err.value.symbol == S.name


def test_the_record_runs_first_in_the_step_ahead_of_the_clock_driven_synapses():
    clock = dict(model="dx/dt = k : 1 (clock-driven)", on_pre="x += 0", params={"k": 0.5})
    net, S, M, MG = _network("numpy", "x", synapses=clock, neurons=True)
    schedule = [str(c) for c in build_network(net._spec()).schedule]
    # (monitor 0 of the target group records S, monitor 1 its neurons)
    assert schedule[:2] == ["before: record 0 of group 1", "before: before 0 of synapses 0"]
    assert schedule.index("update: record 1 of group 1") + 1 == \
        schedule.index("update: neurons 0 of group 1")


@pytest.mark.skipif(compile_cuda.find_nvcc() is None, reason="nvcc is not installed here")
def test_the_cuda_source_recording_synapses_compiles_with_nvcc_without_warnings(tmp_path):
    net, S, M, MG = _network("cuda", ["w"], record=[5, 1], batch=2, neurons=True)
    net.precision = "single"
    (tmp_path / "network.cu").write_text(render_cuda(build_network(net._spec())))
    csrc = Path(pyspike.codegen.__file__).resolve().parent.parent / "csrc"
    out = subprocess.run([compile_cuda.find_nvcc(), *compile_cuda.cuda_flags(["90"]),
                          f"-I{csrc}", "network.cu", "-o", "lib.so"], cwd=tmp_path,
                         capture_output=True, text=True)
    assert out.returncode == 0 and "warning" not in out.stderr, out.stderr[-3000:]
