"""Synapses.run_regularly (Brian2's, with sums): statements on every synapse, every dt,
at the start or the end of the step, after sums over each postsynaptic neuron's synapses
or over all of them; the same numbers on every backend, and the generated CUDA source
compiles; what is malformed is refused with a ModelError naming it."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import pyspike
import pyspike as ps
import pyspike.codegen
from pyspike.codegen.errors import ModelError
from pyspike.codegen.kernels import build_network
from pyspike.codegen.render_cuda import render_cuda
from pyspike.toolchain import compile_cuda

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cuda"))
from emulator.backend import EmulatedBackend, emulator_missing  # noqa: E402

sys.path.pop(0)

EMULATED = pytest.param("cuda_emulated", marks=pytest.mark.skipif(
    emulator_missing() is not None, reason=emulator_missing() or ""))
GPU = pytest.param("cuda", marks=pytest.mark.gpu)
NVCC = compile_cuda.find_nvcc()
CSRC = Path(os.path.dirname(pyspike.codegen.__file__)).parent / "csrc"
PLAIN = ps.NeuronModel("v : 1")
LIF = ps.NeuronModel("dv/dt = (1.5 - v)/tau : 1", threshold="v > 1", reset="v = 0",
                     params={"tau": 10.0})


@pytest.fixture(autouse=True)
def emulated(monkeypatch):
    monkeypatch.setitem(pyspike.backends.BACKENDS, "cuda_emulated", EmulatedBackend)


def _pair(backend="numpy", w=(1.0, 3.0, 1.0, 1.0), dt=1.0):
    """Two neurons connected all to all: synapses (i, j) = (0, 0), (0, 1), (1, 0), (1, 1)."""
    net = ps.Network(dt=dt, backend=backend)
    with net:
        G = ps.NeuronGroup(2, PLAIN, init={"v": [1.0, 2.0]})
        S = ps.Synapses(G, G, model="w : 1\nx : 1", params={"c": 2.0})
    S.connect()
    S.w = list(w)
    return net, G, S


def test_a_sum_per_postsynaptic_neuron_sums_its_synapses():
    net, _, S = _pair()
    S.run_regularly("w = w/total_post", sums={"total_post": "w"})
    net.run(1.0)
    np.testing.assert_allclose(S.w, [0.5, 0.75, 0.5, 0.25], rtol=1e-15)


def test_a_sum_without_post_in_its_name_sums_all_the_synapses():
    net, _, S = _pair()
    S.run_regularly("x = w/total", sums={"total": "w"})
    net.run(1.0)
    np.testing.assert_allclose(S.x, [1 / 6, 3 / 6, 1 / 6, 1 / 6], rtol=1e-15)


def test_the_statements_read_the_neurons_the_indices_and_parameters():
    net, _, S = _pair()
    S.run_regularly("x = v_pre + 10*v_post + 100*i + 1000*j + c")
    net.run(1.0)
    np.testing.assert_array_equal(S.x, [13.0, 1023.0, 114.0, 1124.0])


def test_the_sums_see_the_state_before_the_statements():
    # both statements read the one sum of w as it was: 6, not the halved weights' sum
    net, _, S = _pair()
    S.run_regularly("w = w/2\nx = total", sums={"total": "w"})
    net.run(1.0)
    np.testing.assert_array_equal(S.x, 6.0)


def test_dt_runs_the_operation_on_the_steps_that_are_its_multiples():
    net, _, S = _pair()
    S.run_regularly("x += 1", dt=2.0)
    net.run(5.0)                    # steps 0, 2, 4
    np.testing.assert_array_equal(S.x, 3.0)


def test_an_inactive_operation_is_skipped_until_made_active_again():
    net, _, S = _pair()
    op = S.run_regularly("x += 1")
    op.active = False
    net.run(2.0)
    op.active = True
    net.run(3.0)
    assert op.active and np.all(S.x == 3.0)


def _delivered(when, backend="numpy"):
    """A spike at 0.5 ms delivered through w, which the operation sets to 7 (from 1)."""
    net = ps.Network(dt=0.5, backend=backend)
    with net:
        gen = ps.SpikeGeneratorGroup(1, indices=[0], times=[0.0])
        G = ps.NeuronGroup(1, PLAIN)
        S = ps.Synapses(gen, G, model="w : 1", on_pre="v_post += w")
    S.connect()
    S.w = 1.0
    S.run_regularly("w = 7", when=when)
    net.run(1.0)
    return float(G.v[0])


def test_when_start_runs_before_the_step_s_synaptic_events():
    assert _delivered("start") == 7.0


def test_when_end_runs_after_the_step_s_synaptic_events():
    assert _delivered("end") == 1.0


def test_a_monitor_of_the_weights_records_them_before_a_start_operation():
    net, _, S = _pair()
    with net:
        M = ps.StateMonitor(S, "x", record=True)
    S.run_regularly("x += 1")
    net.run(2.0)
    np.testing.assert_array_equal(M.x[:, 0], 0.0)     # (Brian2's order of names)


def _network(backend, dense=True, batch=None, precision="double"):
    """Spiking groups, on_pre and on_post, and operations with both kinds of sums, random
    numbers, neuron reads, dt and when="end"."""
    net = ps.Network(dt=0.5, seed=2, backend=backend, batch=batch, precision=precision)
    with net:
        P = ps.NeuronGroup(7, LIF, init={"v": "rand()"})
        Q = ps.NeuronGroup(5, LIF, init={"v": "rand()"})
        S = ps.Synapses(P, Q, model="w : 1\nx : 1", on_pre="v_post += 0.1*w",
                        on_post="w += 0.05", params={"c": 2.0})
    S.connect() if dense else S.connect(p=0.5)
    S.w = "rand()"
    S.run_regularly("w = c*w/total_post + 0.01*(rand() - 0.5) + 0.001*mean\n"
                    "x = x + v_post*j - i", sums={"total_post": "abs(w)", "mean": "w*x"})
    S.run_regularly("w = where(w > 1, 1, w)", when="end", dt=1.0)
    return net, S


@pytest.mark.parametrize("backend", ["cpu", EMULATED, GPU])
@pytest.mark.parametrize("dense", [True, False])
@pytest.mark.parametrize("batch", [None, 3])
def test_every_backend_computes_the_reference_s_operations(backend, dense, batch):
    ref, S_ref = _network("numpy", dense, batch)
    ref.run(20.0)
    net, S = _network(backend, dense, batch)
    net.run(20.0)
    # the C++ loop adds the sums in the reference's order; a GPU's atomics in any
    rtol = 0 if backend == "cpu" else 1e-12
    np.testing.assert_allclose(S.w, S_ref.w, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(S.x, S_ref.x, rtol=rtol, atol=rtol)


def _normalised(backend, dense):
    """An operation whose sums read only what it writes (added up ahead in C++)."""
    net = ps.Network(dt=0.5, seed=3, backend=backend)
    with net:
        P = ps.NeuronGroup(6, LIF, init={"v": "rand()"})
        Q = ps.NeuronGroup(4, LIF, init={"v": "rand()"})
        S = ps.Synapses(P, Q, model="w : 1\nd : 1", on_pre="v_post += 0.2*w\nd += 0.01")
    S.connect() if dense else S.connect(p=0.6)
    S.w = "rand()"
    S.run_regularly("w = 1.5*w/total_post + 0.001*j", sums={"total_post": "w*w + 1"})
    return net, S


@pytest.mark.parametrize("dense", [True, False])
def test_sums_added_up_ahead_are_the_reference_s_across_runs_and_writes(dense):
    out = []
    for backend in ("numpy", "cpu"):
        net, S = _normalised(backend, dense)
        net.run(10.0)
        S.w = np.asarray(S.w) * 0.5          # (seen by the next run's first sums)
        net.run(10.0)
        out.append(np.asarray(S.w))
    np.testing.assert_array_equal(out[1], out[0])


def test_only_sums_of_what_only_the_operation_writes_are_added_up_ahead():
    from pyspike.codegen.spec import GroupSpec, NetworkSpec, SynapsesSpec
    g = GroupSpec("P", 3, equations="v : 1")
    ops = tuple((f"{x} = {x}/s_post", (("s_post", x),), "start", 1) for x in ("w", "d"))
    s = SynapsesSpec("S", "P", "P", 0, 3, 0, 3, model="w : 1\nd : 1", on_pre="d += 1",
                     operations=ops)
    net = build_network(NetworkSpec(groups=(g,), synapses=(s,)))
    assert [op.ahead for op in net.syn_operations] == [True, False]


def test_operations_run_in_float32():
    net, S = _network("cpu", precision="single")
    net.run(20.0)
    ref, S_ref = _network("numpy", precision="single")
    ref.run(20.0)
    assert np.asarray(S.w).dtype == np.float32
    np.testing.assert_allclose(S.w, S_ref.w, rtol=1e-5, atol=1e-5)   # (float32 rounding)


@pytest.mark.skipif(NVCC is None, reason="nvcc is not installed on this machine")
@pytest.mark.parametrize("dense", [True, False])
@pytest.mark.parametrize("batch,precision", [(None, "double"), (3, "single")])
def test_the_cuda_source_of_an_operation_compiles(dense, batch, precision, tmp_path):
    net, _ = _network("cuda", dense, batch, precision)
    (tmp_path / "network.cu").write_text(render_cuda(build_network(net._spec())))
    # (device code only: nvcc's front end checks the host code, tests/cuda/test_compile_cuda
    # compiles and links host code)
    out = subprocess.run([NVCC, *compile_cuda.cuda_flags(["80", "90"]), f"-I{CSRC}",
                          "--fatbin", "network.cu", "-o", "lib.fatbin"], capture_output=True,
                         text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "warning" not in out.stderr, out.stderr[-3000:]


@pytest.mark.parametrize("code,sums,symbol", [
    ("w = w/total_pre", {"total_pre": "w"}, "total_pre"),      # no sums per pre neuron
    ("v_post = 0", None, "v_post"),                             # neurons are read-only
    ("w = w + undefined", None, "undefined"),
    ("w = total", {"total": "rand()"}, "total"),                # a sum draws nothing
    ("w = w", {"w": "x"}, "w"),                                 # a sum's name is taken
    ("w = t", None, "w"),                                       # a time is not w's unit
])
def test_a_malformed_operation_is_refused_naming_what(code, sums, symbol):
    net, _, S = _pair()
    with pytest.raises(ModelError) as err:
        S.run_regularly(code, sums=sums)
    assert err.value.symbol == symbol


def test_an_unknown_when_is_refused_naming_the_known_ones():
    net, _, S = _pair()
    with pytest.raises(ModelError, match="'start', 'end'"):
        S.run_regularly("w = 0", when="resets")


def test_an_operation_without_statements_is_refused():
    net, _, S = _pair()
    with pytest.raises(ModelError, match="at least one statement"):
        S.run_regularly("  ")


def test_a_dt_that_is_not_a_whole_number_of_steps_is_refused_at_the_run():
    net, _, S = _pair(dt=1.0)
    S.run_regularly("x += 1", dt=1.5)
    with pytest.raises(ModelError, match="whole number of steps"):
        net.run(1.0)


def test_synapses_of_synapses_have_no_operations():
    net, G, S = _pair()
    with net:
        R = ps.Synapses(G, S, model="y : 1", on_pre="x_post += 1")
    with pytest.raises(ModelError, match="Synapses of synapses"):
        R.run_regularly("y = 0")


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_synapses_with_further_pathways_run_their_operation_once_a_step(backend):
    net = ps.Network(dt=1.0, backend=backend)
    with net:
        G = ps.NeuronGroup(2, ps.NeuronModel("v : 1\nu : 1"))
        S = ps.Synapses(G, G, model="w : 1", on_pre={"pre": "v_post += w",
                                                    "gpath": "u_post += w"})
    S.connect()
    S.run_regularly("w += 1")
    net.run(3.0)
    np.testing.assert_array_equal(S.w, 3.0)
