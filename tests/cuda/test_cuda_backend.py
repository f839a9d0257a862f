"""The CUDA backend runs what the C++ backend runs: same spikes on small float64 networks,
same statistics on the benchmark networks.  These tests need a GPU (marked ``gpu``); the
one that checks the message on machines without one runs everywhere else."""
import numpy as np
import pytest

import pyspike as ps
from pyspike.backends.cuda import gpu_missing

from . import networks

gpu = pytest.mark.gpu


def _run(name, backend, duration=40.0, precision="double", pieces=None):
    net, objects = networks.build(name, backend, precision)
    for piece in pieces or (duration,):
        net.run(piece)
    return objects


def _state_names(group):
    return [n for n in group.model.variables if not group.model.variables[n].is_param]


@gpu
@pytest.mark.parametrize("name", sorted(networks.NETWORKS))
def test_a_small_float64_network_gives_the_same_spikes_as_the_cpu_backend(name):
    cpu, cuda = _run(name, "cpu"), _run(name, "cuda")
    spiked = False
    for a, b in zip(cpu, cuda):
        if isinstance(a, ps.SpikeMonitor):
            np.testing.assert_array_equal(b.i, a.i)
            np.testing.assert_array_equal(b.t, a.t)
            np.testing.assert_array_equal(b.count, a.count)
            spiked |= a.num_spikes > 0
        elif isinstance(a, ps.PopulationRateMonitor):
            np.testing.assert_array_equal(b.rate, a.rate)
        elif isinstance(a, ps.StateMonitor):
            for var in a.variables:
                # Device exp/log/cos and the order of atomic additions may differ from the
                # CPU in the last ulp; 40 ms of these dynamics keep that below 1e-9.
                np.testing.assert_allclose(getattr(b, var), getattr(a, var), rtol=1e-9,
                                           atol=1e-9)
    assert spiked or name == "iterative_no_threshold"


@gpu
@pytest.mark.parametrize("name", sorted(networks.NETWORKS))
def test_a_batch_on_the_gpu_gives_the_spikes_of_the_same_batch_on_the_cpu(name):
    # The CPU batch equals K separate runs (tests/pyspike/test_batch.py): so does this one.
    runs = {}
    for backend in ("cpu", "cuda"):
        net, objects = networks.build(name, backend, batch=3)
        net.run(40.0)
        runs[backend] = objects
    for a, b in zip(runs["cpu"], runs["cuda"]):
        if isinstance(a, ps.SpikeMonitor):
            for k in range(3):
                np.testing.assert_array_equal(b.i[k], a.i[k])
                np.testing.assert_array_equal(b.t[k], a.t[k])


@gpu
def test_a_run_in_pieces_on_the_gpu_equals_one_run_bit_for_bit():
    whole = _run("noisy_condition", "cuda", pieces=(30.0,))
    parts = _run("noisy_condition", "cuda", pieces=(10.0, 0.0, 12.5, 7.5))
    np.testing.assert_array_equal(parts[1].i, whole[1].i)
    np.testing.assert_array_equal(parts[1].t, whole[1].t)
    np.testing.assert_array_equal(parts[0].v, whole[0].v)


@gpu
def test_float32_gpu_runs_agree_with_float32_cpu_runs_in_their_statistics():
    cpu = _run("lif_monitors", "cpu", 200.0, "single")
    cuda = _run("lif_monitors", "cuda", 200.0, "single")
    assert cuda[0].v.dtype == np.float32
    # float32 rounding differs by an ulp here and there (device exp, t in float), so
    # trajectories may part after a while; rates stay within a few percent.
    assert abs(cuda[1].num_spikes - cpu[1].num_spikes) <= 0.05 * cpu[1].num_spikes + 2


@gpu
@pytest.mark.parametrize("example", ["cuba", "coba", "cobahh", "brunel"])
def test_the_benchmark_networks_have_the_cpu_backends_statistics(example):
    examples = networks.examples()
    rates = {}
    for backend in ("cpu", "cuda"):
        net = ps.Network(dt=0.1, seed=4, backend=backend)
        with net:
            objs = getattr(examples, example)(net)
            P = objs["P"]
            mon = ps.SpikeMonitor(P)
        net.run(300.0)
        rates[backend] = mon.num_spikes / P.N / 0.3
    # chaotic networks: the GPU's different rounding gives other spikes, the same rates
    assert rates["cuda"] == pytest.approx(rates["cpu"], rel=0.15, abs=0.5)


@gpu
def test_state_read_after_a_gpu_run_is_numpy():
    G = _run("lif_monitors", "cuda", 5.0)[0]
    assert isinstance(G.v, np.ndarray)


@pytest.mark.skipif(gpu_missing() is None, reason="this machine has a GPU")
def test_a_machine_without_a_gpu_is_told_what_is_missing():
    net, _ = networks.build("lif_monitors", "cuda")
    with pytest.raises(ps.BuildError, match=r"backend='cuda' needs (CuPy|an NVIDIA GPU)"):
        net.run(1.0)


@gpu
def test_the_state_stays_on_the_gpu_and_device_returns_it_without_a_copy():
    import cupy
    net, (G, *_) = networks.build("lif_monitors", "cuda")
    net.run(5.0)
    v = G.device("v")
    assert isinstance(v, cupy.ndarray) and v.shape == (G.N,)
    assert G.device("v").data.ptr == v.data.ptr          # the same memory, no copy
    v[:] = -65.0                                         # a write on the GPU ...
    net.run(0.1)
    assert np.all(G.v < -60.0)                           # ... is where the next run starts


@gpu
def test_reading_the_state_between_gpu_runs_changes_nothing():
    whole = _run("noisy_condition", "cuda", pieces=(20.0,))
    networks.assert_reading_the_state_between_runs_changes_nothing("cuda", whole)


@gpu
def test_device_arrays_go_to_pytorch_through_dlpack():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    net, (G, *_) = networks.build("lif_monitors", "cuda")
    net.run(2.0)
    t = torch.from_dlpack(G.device("v"))
    assert t.is_cuda and t.shape == (G.N,)
    np.testing.assert_array_equal(t.cpu().numpy(), G.v)


def test_device_arrays_need_the_cuda_backend():
    net, (G, *_) = networks.build("lif_monitors", "cpu")
    net.run(1.0)
    with pytest.raises(ps.ModelError, match="backend='cuda'"):
        G.device("v")
