"""The CUDA training kernels (templates/cuda/training.cu.j2, pyspike/train/cuda.py): every
generated source compiles with nvcc for sm_80 and sm_90; run by the CUDA emulator
(tests/cuda/emulator: g++ on the CPU, its "device" memory host memory) they give the C++
kernels' outputs, saved values, states and gradients; on a GPU (marked gpu), through CuPy.

Tolerances, float64: 1e-12 relative.  The emulator calls the host's scalar libm where the
C++ kernels call glibc's vector math (libmvec), which differ in the last bits; the
parameter gradients are sums in another order (per block, then one atomic per block in
the emulator's shuffled block order, against the C++ kernels' vectorised reduction).
float32: 1e-5 (a few ulps over the steps).  Spikes are compared exactly.  On a GPU, CUDA's
libm differs from glibc's by an ulp or two: the same tolerances.
"""
import ctypes
import functools
import importlib
import re
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple, Optional, Tuple

import numpy as np
import pytest

import pyspike as ps
import pyspike.codegen
from pyspike.codegen.errors import BuildError, ModelError
from pyspike.codegen.render_training import render_training
from pyspike.models import registry
from pyspike.toolchain import compile_cuda
from pyspike.train import NeuronKernels
from pyspike.train.cuda import MAX_RECURRENT, CudaKernels, open_library

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cuda"))
from emulator.backend import compile_emulated, emulator_missing  # noqa: E402

sys.path.pop(0)

CSRC = Path(pyspike.codegen.__file__).resolve().parent.parent / "csrc"
NVCC = compile_cuda.find_nvcc()
needs_nvcc = pytest.mark.skipif(NVCC is None, reason="nvcc is not installed on this machine")
MISSING = emulator_missing()
needs_emulator = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")

T, B, N = 10, 7, 40      # B*N = 280: two blocks of 256 threads; 40 neurons: 64 threads

#: A user's model: two states, a subtractive reset that also moves w, rk4.
USER = ps.NeuronModel(
    equations="dv/dt = (-v + R*I - w)/tau : 1\ndw/dt = (a*v - w)/tau_w : 1\nI : 1",
    threshold="v > theta", reset="v = v - theta\nw += b",
    params={"R": 1.5, "tau": 5.0, "tau_w": 20.0, "a": 0.3, "b": 0.1, "theta": 1.0},
    method="rk4")
#: BrainPy's LifRef held 3 steps (dt = 1 ms here; its default period, dt, holds none)
REFRACTORY = registry.neurons["LifRef"].with_params({"tau_ref": 3.0})
#: A readout: its output is its potential (real values, none of them 0, feed back).
READOUT = ps.NeuronModel(equations="dv/dt = (-v + I)/tau : 1\nI : 1", params={"tau": 4.0})


class Layer(NamedTuple):
    model: object
    dtype: str
    recurrent: bool
    trainable: Tuple[str, ...]
    scale: float = 1.0          # of the random inputs (Izhikevich's are tens of pA)
    output: Optional[str] = None
    rtol: Optional[float] = None    # the dtype's (see the module's text) if None
    per_neuron: Tuple[str, ...] = ()

    def kernels(self, backend: str = "cpu") -> NeuronKernels:
        k = NeuronKernels(self.model, dtype=self.dtype, recurrent=self.recurrent,
                          trainable=self.trainable, output=self.output, backend=backend,
                          per_neuron=self.per_neuron)
        for p in self.per_neuron:         # values that differ from neuron to neuron
            k.values[p] = k.values[p] * np.linspace(0.8, 1.2, N)
        return k

    def source(self) -> str:
        real = "double" if self.dtype == "float64" else "float"
        return render_training(self.kernels("numpy").kernel, "cuda", real, self.recurrent)


LAYERS = {
    "lif-float64-recurrent-trained": Layer("lif", "float64", True, ("tau_m", "v_th")),
    "lif-float32": Layer("lif", "float32", False, ()),
    "clif-float32-recurrent": Layer("clif", "float32", True, ()),
    "aclif-float64-recurrent-trained": Layer("aclif", "float64", True,
                                             ("tau_a", "beta_adaptive")),
    "plif-float64-recurrent-trained": Layer("plif", "float64", True, ("tau_m",)),
    # Izhikevich's upstroke (0.04 V^2 per ms) amplifies the last-bit differences of expf
    # over the steps: its float32 kernels differ from its float64 ones by 3e-3 here, and
    # the emulated from the C++ ones by 1.5e-3; in float64 the input's gradient of a neuron
    # near its threshold differed by 7.5e-12 relative with AVX2's libmvec (4 doubles a
    # vector; AVX-512's 8 gave < 1e-12)
    "Izhikevich-float64-trained": Layer("Izhikevich", "float64", False, ("a", "b", "c", "d"),
                                        scale=12.0, rtol=5e-11),
    "Izhikevich-float32-recurrent-trained": Layer("Izhikevich", "float32", True, ("a",),
                                                  scale=12.0, rtol=5e-3),
    "user-float64-recurrent-trained": Layer(USER, "float64", True, ("tau", "theta", "b")),
    "user-float32-trained": Layer(USER, "float32", False, ("R",)),
    "readout-float64-recurrent-trained": Layer(READOUT, "float64", True, ("tau",),
                                               output="v"),
    # parameters with a value per neuron, trained (their gradients summed per neuron)
    "clif-float64-recurrent-per-neuron": Layer("clif", "float64", True, ("tau_m", "v_th"),
                                               per_neuron=("tau_m", "v_th")),
    "lif-float64-per-neuron": Layer("lif", "float64", False, ("tau_m",),
                                    per_neuron=("tau_m", "v_th")),
    # a timed refractory period of 3 steps (the clock and the saved flag)
    "LifRef-float64-recurrent-trained": Layer(REFRACTORY, "float64", True, ("tau", "R"),
                                              scale=300.0),
}


def _nvcc(source: str, tmp_path: Path, *options: str) -> subprocess.CompletedProcess:
    src = tmp_path / "training.cu"
    src.write_text(source)
    return subprocess.run([NVCC, *options, f"-I{CSRC}", str(src)], capture_output=True,
                          text=True, cwd=tmp_path)


@needs_nvcc
@pytest.mark.parametrize("name", sorted(LAYERS))
def test_every_training_cuda_source_compiles_with_nvcc_for_sm80_and_sm90(name, tmp_path):
    # the device code for both architectures; nvcc's front end checks the host code, and
    # the host compiler's run (a third of the call) is left to tests/cuda's example networks
    flags = [f for f in compile_cuda.cuda_flags(["80", "90"]) if f != "-shared"]
    out = _nvcc(LAYERS[name].source(), tmp_path, *flags, "--fatbin", "-o",
                str(tmp_path / "k.fatbin"))
    assert out.returncode == 0, out.stderr[-3000:]
    assert "warning" not in out.stderr, out.stderr[-3000:]


def _ptx_entry(ptx: str, kernel: str) -> str:
    """The body of one kernel in PTX (its mangled name holds its own)."""
    for part in ptx.split(".entry")[1:]:
        if kernel in part.split("(")[0]:
            return part
    raise AssertionError(f"no kernel {kernel} in the PTX")


@needs_nvcc
def test_a_float32_forward_kernel_holds_no_double_precision_instruction(tmp_path):
    # the parameters reach the kernels as float32 launch arguments; only the gradient
    # sums of the backward pass are double (the ABI's accumulators)
    source = LAYERS["Izhikevich-float32-recurrent-trained"].source()
    out = _nvcc(source, tmp_path, *compile_cuda.NVCC_FLAGS[:5], "-ptx", "-arch=compute_90",
                "-o", str(tmp_path / "k.ptx"))
    assert out.returncode == 0, out.stderr[-3000:]
    ptx = (tmp_path / "k.ptx").read_text()
    doubles = re.compile(r"\.f64\b|%fd\d")
    assert not doubles.findall(_ptx_entry(ptx, "train_forward"))
    assert doubles.search(_ptx_entry(ptx, "train_backward"))     # (the check can fail)


@functools.lru_cache(maxsize=None)
def _emulated_library(name: str):
    return open_library(str(compile_emulated(LAYERS[name].source()).path))


def _emulated(name: str) -> CudaKernels:
    """The layer's CUDA kernels run by the emulator, on NumPy arrays."""
    return CudaKernels(_emulated_library(name), xp=np, synchronize=True)


def _inputs(layer: Layer, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.normal(0.4, 1.0, (T, B, N)) * layer.scale
    g = rng.normal(size=(T, B, N))
    w = rng.normal(0, 1.5 / np.sqrt(N), (N, N)) if layer.recurrent else None
    return x, g, w


def _close(actual, expected, rtol: float) -> None:
    expected = np.asarray(expected, dtype=np.float64)
    scale = np.abs(expected).max() if expected.size else 0.0
    np.testing.assert_allclose(np.asarray(actual, dtype=np.float64), expected, rtol=rtol,
                               atol=rtol * scale)


@needs_emulator
@pytest.mark.parametrize("name", sorted(LAYERS))
def test_the_emulated_cuda_kernels_give_the_cpp_kernels_outputs_states_and_gradients(name):
    layer = LAYERS[name]
    rtol = layer.rtol or (1e-12 if layer.dtype == "float64" else 1e-5)
    cpu, emu = layer.kernels(), _emulated(name)
    x, g, w = _inputs(layer)
    out, ctx = cpu.forward(x, wrec=w)
    state = cpu.state
    gin, gp = cpu.backward(g, ctx)
    gwrec = cpu.gwrec
    e_out, e_ctx = emu.forward(cpu, x, wrec=w)      # (sets cpu.state, then cpu.gwrec)
    _close(cpu.state, state, rtol)
    e_gin, e_gp = emu.backward(cpu, g, e_ctx)
    if layer.output is None:
        assert 0 < out[:-1].sum() < out.size / 2       # spikes, and silent neurons
        np.testing.assert_array_equal(e_out, out)
    else:
        _close(e_out, out, rtol)
    _close(e_ctx.saved, ctx.saved, rtol)
    _close(e_gin, gin, rtol)
    assert set(e_gp) == set(gp) == set(layer.trainable)
    for p in gp:       # (a number, or one per neuron: per_neuron)
        np.testing.assert_allclose(np.asarray(e_gp[p], dtype=np.float64), gp[p],
                                   rtol=rtol * 10, atol=rtol)
    if layer.recurrent:
        assert np.abs(gwrec).max() > 0
        _close(cpu.gwrec, gwrec, rtol)


@needs_emulator
def test_the_emulated_kernels_continue_from_a_given_state():
    layer = LAYERS["lif-float64-recurrent-trained"]
    cpu, emu = layer.kernels(), _emulated("lif-float64-recurrent-trained")
    x, g, w = _inputs(layer, seed=1)
    state0 = np.random.default_rng(2).uniform(-0.5, 0.9, (1, B, N))
    out, ctx = cpu.forward(x, state0, w)
    gin, _ = cpu.backward(g, ctx)
    e_out, e_ctx = emu.forward(cpu, x, state0, w)
    np.testing.assert_array_equal(e_out, out)
    _close(emu.backward(cpu, g, e_ctx)[0], gin, 1e-12)
    assert not np.array_equal(out, cpu.forward(x, wrec=w)[0])     # the state mattered


@needs_emulator
def test_the_input_and_weight_gradients_have_the_same_bits_whatever_the_block_order():
    # one thread per weight sums the recurrent weights' gradient in a fixed order: no
    # atomics (only the parameter gradients are summed in the GPU's order)
    layer, name = LAYERS["user-float64-recurrent-trained"], "user-float64-recurrent-trained"
    k, emu = layer.kernels("numpy"), _emulated(name)
    x, g, w = _inputs(layer, seed=3)
    results, configure = [], _emulated_library(name).ps_emu_configure
    try:
        for schedule in (0, 1, 2):  # the emulator's blocks and threads: forward, reverse, shuffled
            configure(schedule, ctypes.c_uint64(7), 1)
            out, ctx = emu.forward(k, x, wrec=w)
            gin, _ = emu.backward(k, g, ctx)
            results.append((out, gin, k.gwrec))
    finally:
        configure(2, ctypes.c_uint64(1), 1)         # the emulator's default
    for out, gin, gwrec in results[1:]:
        for a, b in zip((out, gin, gwrec), results[0]):
            np.testing.assert_array_equal(a, b)


@needs_emulator
def test_a_recurrent_layer_of_more_than_1024_neurons_is_refused_before_any_launch():
    layer = LAYERS["lif-float64-recurrent-trained"]
    k, emu = layer.kernels("numpy"), _emulated("lif-float64-recurrent-trained")
    n = MAX_RECURRENT + 1
    with pytest.raises(ModelError, match="1025 neurons.*at most 1024"):
        emu.forward(k, np.zeros((2, 1, n)), wrec=np.zeros((n, n)))


@needs_emulator
def test_the_cuda_library_itself_refuses_a_recurrent_layer_of_more_than_1024_neurons():
    lib = _emulated_library("lif-float64-recurrent-trained")
    params = LAYERS["lif-float64-recurrent-trained"].kernels("numpy").param_vector()
    # no array is touched: the sizes are checked first
    lib.ps_train_forward(2, 1, MAX_RECURRENT + 1, *[None] * 5, params.ctypes.data, None,
                         None, None, None)
    assert b"1025 neurons" in lib.ps_train_last_error()
    assert lib.ps_train_synchronize() == 0


def test_pyspike_train_cuda_imports_without_cupy(monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", None)      # import cupy raises ImportError
    monkeypatch.delitem(sys.modules, "pyspike.train.cuda")
    module = importlib.import_module("pyspike.train.cuda")
    assert module.CudaKernels is not CudaKernels        # imported anew, without CuPy


def test_the_cuda_backend_without_cupy_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", None)
    with pytest.raises(BuildError, match="needs CuPy.*pyspike-sim\\[cuda\\]"):
        NeuronKernels("lif", backend="cuda")


# ---- on a GPU, through CuPy ----------------------------------------------------------


@pytest.mark.gpu
@pytest.mark.parametrize("name", ["lif-float32", "user-float64-recurrent-trained"])
def test_the_cuda_backend_gives_the_cpp_kernels_results_on_cupy_arrays(name):
    cupy = pytest.importorskip("cupy", reason="the GPU tests run the kernels through CuPy")
    layer = LAYERS[name]
    rtol = 1e-12 if layer.dtype == "float64" else 1e-5
    cpu, gpu = layer.kernels(), layer.kernels("cuda")
    x, g, w = _inputs(layer)
    out, ctx = cpu.forward(x, wrec=w)
    gin, gp = cpu.backward(g, ctx)
    d_out, d_ctx = gpu.forward(cupy.asarray(x), wrec=None if w is None else cupy.asarray(w))
    d_gin, d_gp = gpu.backward(cupy.asarray(g), d_ctx)
    assert all(isinstance(a, cupy.ndarray) for a in (d_out, d_ctx.saved, d_gin, gpu.state))
    np.testing.assert_array_equal(d_out.get(), out)
    _close(d_ctx.saved.get(), ctx.saved, rtol)
    _close(d_gin.get(), gin, rtol)
    for p in gp:
        assert float(d_gp[p]) == pytest.approx(gp[p], rel=rtol * 10, abs=rtol)
    if layer.recurrent:
        _close(gpu.gwrec.get(), cpu.gwrec, rtol)


def _p(a):
    return None if a is None else a.ctypes.data


@needs_emulator
@pytest.mark.parametrize("name", ["aclif-float64-recurrent-trained",
                                  "Izhikevich-float64-trained"])
def test_the_emulated_kernels_run_in_pieces_as_the_cpp_kernels_in_one(name):
    # a run cut in two: the states, the last outputs (recurrent input) and the adjoints
    # (lam_io, grec_io) carried from one piece to the other, as checkpoint= does
    layer = LAYERS[name]
    cpu, lib = layer.kernels(), _emulated_library(name)
    x, g, w = _inputs(layer, seed=3)
    out, ctx = cpu.forward(x, wrec=w)
    gin, gp = cpu.backward(g, ctx)
    gwrec = cpu.gwrec
    pieces = [slice(0, 6), slice(6, T)]
    S, C = cpu.saved_per_step, len(cpu.init)
    outs, states, saved, prev = np.empty_like(x), [ctx.state0], [], None
    for sl in pieces:
        xs = np.ascontiguousarray(x[sl])
        o, st = np.empty_like(xs), np.empty_like(ctx.state0)
        saved.append(np.empty((S,) + xs.shape))
        lib.ps_train_forward(len(xs), B, N, _p(xs), _p(o), _p(saved[-1]), _p(states[-1]),
                             _p(st), ctx.params.ctypes.data, _p(w), _p(prev), None, None)
        assert lib.ps_train_synchronize() == 0
        outs[sl], prev = o, o[-1].copy()
        states.append(st)
    np.testing.assert_array_equal(outs, out)
    lam = np.zeros((C, B, N))
    grec = np.zeros((B, N)) if layer.recurrent else None
    gw = np.zeros((N, N)) if layer.recurrent else None
    gins, gpar = np.empty_like(g), np.zeros(max(1, len(layer.trainable)))
    for k in (1, 0):
        sl = pieces[k]
        gs, o = np.ascontiguousarray(g[sl]), np.ascontiguousarray(outs[sl])
        gi = np.empty_like(gs)
        before = outs[sl.start - 1].copy() if sl.start > 0 else None
        lib.ps_train_backward(len(gs), B, N, _p(gs), _p(saved[k]), _p(states[k]),
                              ctx.params.ctypes.data, _p(gi), _p(gpar), _p(o), _p(w),
                              _p(gw), _p(before), _p(lam), _p(grec), None, None)
        assert lib.ps_train_synchronize() == 0
        gins[sl] = gi
    _close(gins, gin, 1e-12)
    for n, p in enumerate(layer.trainable):
        assert gpar[n] == pytest.approx(gp[p], rel=1e-11)
    if layer.recurrent:
        _close(gw, gwrec, 1e-12)


@needs_emulator
@pytest.mark.parametrize("name", ["clif-float32-recurrent", "lif-float32"])
def test_the_emulated_kernels_add_a_bias_as_the_cpp_kernels(name):
    layer = LAYERS[name]
    cpu, lib = layer.kernels(), _emulated_library(name)
    x, _, w = _inputs(layer, seed=5)
    x = x.astype(np.float32)
    w = None if w is None else w.astype(np.float32)
    bias = np.random.default_rng(6).normal(0, 0.5, N).astype(np.float32)
    out, ctx = cpu.forward(x, wrec=w, bias=bias)
    e_out, saved = np.empty_like(x), np.empty_like(ctx.saved)
    state = np.empty_like(ctx.state0)
    lib.ps_train_forward(T, B, N, _p(x), _p(e_out), _p(saved), _p(ctx.state0), _p(state),
                         ctx.params.ctypes.data, _p(w), None, _p(bias), None)
    assert lib.ps_train_synchronize() == 0
    np.testing.assert_array_equal(e_out, out)
