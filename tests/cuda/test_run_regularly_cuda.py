"""run_regularly's Operation kernels in CUDA: the source compiles for sm_80 and sm_90, and
the emulated kernels give the C++ backend's spikes and states."""
import numpy as np
import pytest

import pyspike as ps
import pyspike.backends
from pyspike.codegen.kernels import build_network
from pyspike.codegen.render_cuda import render_cuda
from pyspike.toolchain import compile_cuda

from .emulator.backend import EmulatedBackend, emulator_missing
from .test_compile_cuda import _nvcc, needs_nvcc

MISSING = emulator_missing()


def _network(backend, batch=None, precision="double"):
    m = ps.NeuronModel("dv/dt = (1.2 - v)/tau : 1\nx : 1", threshold="v > 1",
                       reset="v = 0", params={"tau": 10.0, "a": 0.5})
    seed = list(range(7, 7 + batch)) if batch else 7
    net = ps.Network(dt=0.1, seed=seed, batch=batch, backend=backend, precision=precision)
    with net:
        G = ps.NeuronGroup(50, m, init={"v": "rand()"})
        H = ps.NeuronGroup(10, m)
        mon = ps.SpikeMonitor(G)
        state = ps.StateMonitor(H, ["v", "x"], record=[0, 9])
    G.run_regularly("v = v + 0.2*randn()", dt=0.5)
    G.run_regularly("x += a*rand()")
    H.run_regularly("v = 0.1*i + t*0.01", dt=1.0)
    return net, (G, H, mon, state)


@needs_nvcc
@pytest.mark.parametrize("batch", [None, 3])
def test_operation_kernels_compile_for_sm80_and_sm90(batch, tmp_path):
    net, _ = _network("cuda", batch=batch)
    source = render_cuda(build_network(net._spec()))
    assert source.count("PS_LAUNCH(group0_op") == 2 and "PS_LAUNCH(group1_op2" in source
    # (device code only: nvcc's front end checks the host code, test_compile_cuda compiles
    # and links host code)
    out = _nvcc(source, tmp_path, *compile_cuda.cuda_flags(["80", "90"]), "--fatbin", "-o",
                str(tmp_path / "lib.fatbin"))
    assert out.returncode == 0, out.stderr[-3000:]
    assert "warning" not in out.stderr, out.stderr[-3000:]


@pytest.mark.skipif(MISSING is not None, reason=MISSING or "")
@pytest.mark.parametrize("batch", [None, 2])
def test_emulated_operation_kernels_give_the_cpu_backends_results(batch, monkeypatch):
    monkeypatch.setitem(pyspike.backends.BACKENDS, "cuda_emulated", EmulatedBackend)
    results = []
    for backend in ("cpu", "cuda_emulated"):
        net, (G, H, mon, state) = _network(backend, batch)
        net.run(10.0)
        results.append((G.v.copy(), G.x.copy(), H.v.copy(), mon.count.copy(),
                        state.v.copy(), state.x.copy()))
    cpu, emu = results
    assert cpu[3].sum() > 0
    np.testing.assert_array_equal(emu[3], cpu[3])                  # spikes per neuron
    for a, b in zip(cpu, emu):
        # libmvec (vectorised C++ loops) and libm (emulated kernels) may differ in the
        # last bits of exp; nothing else differs
        np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-12)
