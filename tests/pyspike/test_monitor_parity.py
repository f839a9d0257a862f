"""Brian2's monitor API: SpikeMonitor(variables=...) records values at each spike (after
the threshold, before the reset, as Brian2's thresholds slot), SpikeMonitor.it, and
PopulationRateMonitor.smooth_rate with Brian2 2.9's windows."""
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
from pyspike.codegen.spec import GroupSpec, NetworkSpec, SpikeMonitorSpec
from pyspike.toolchain import compile_cuda

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cuda"))
from emulator.backend import EmulatedBackend, emulator_missing  # noqa: E402

sys.path.pop(0)

EMULATED = pytest.param("cuda_emulated", marks=pytest.mark.skipif(
    emulator_missing() is not None, reason=emulator_missing() or ""))
#: every backend that compiles or interprets the recording of values
BACKENDS = ["numpy", "cpu", EMULATED, pytest.param("cuda", marks=pytest.mark.gpu)]

#: v climbs by dt*rate = 0.25*rate per step (exact in binary) until v > 1, then resets
#: to 0; w counts the neuron's spikes in the reset.  So the value at a spike, before the
#: reset, is the first multiple of 0.25*rate above 1, and w is the spikes before it.
MODEL = ps.NeuronModel("dv/dt = rate : 1\nrate : 1/ms\nw : 1", threshold="v > 1",
                       reset="v = 0\nw += 1", method="euler", params={"c": 3.0})


def _at_spike(rate):
    """v at a spike of a neuron climbing by 0.25*rate per step, before the reset."""
    return (np.floor(1 / (0.25 * rate)) + 1) * 0.25 * rate


def _spikes_so_far(i):
    """For each spike, how many spikes its neuron fired before it."""
    return np.array([np.sum(i[:k] == n) for k, n in enumerate(i)], dtype=float)


@pytest.fixture(autouse=True)
def emulated(monkeypatch):
    monkeypatch.setitem(pyspike.backends.BACKENDS, "cuda_emulated", EmulatedBackend)


def _network(backend, variables=("v", "w"), batch=None, rate="i + 1"):
    net = ps.Network(dt=0.25, backend=backend, batch=batch)
    with net:
        G = ps.NeuronGroup(4, MODEL, init={"rate": rate})
        M = ps.SpikeMonitor(G, variables=list(variables))
    return net, G, M


# --- SpikeMonitor(variables=...) -------------------------------------------------------

@pytest.mark.parametrize("backend", BACKENDS)
def test_recorded_values_are_the_state_at_the_spike_before_the_reset(backend):
    net, G, M = _network(backend)
    net.run(2.0)
    assert len(M.i) == 11
    np.testing.assert_array_equal(M.v, _at_spike(M.i + 1.0))
    np.testing.assert_array_equal(M.w, _spikes_so_far(M.i))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_batch_records_one_array_of_values_per_instance(backend):
    net, G, M = _network(backend, batch=2)
    rates = np.array([[1.0, 2.0, 3.0, 4.0], [4.0, 3.0, 2.0, 1.0]])
    G.rate = rates
    net.run(2.0)
    assert isinstance(M.v, list) and len(M.v) == 2
    for b in range(2):
        assert len(M.v[b]) == len(M.i[b]) == 11
        np.testing.assert_array_equal(M.v[b], _at_spike(rates[b][M.i[b]]))
        np.testing.assert_array_equal(M.w[b], _spikes_so_far(M.i[b]))


@pytest.mark.parametrize("backend", ["numpy", "cpu", EMULATED])
def test_values_outgrowing_the_spike_buffers_in_chunked_runs_are_kept_in_order(
        backend, monkeypatch):
    # every neuron spikes every step: 1200 spikes overflow the first 1024 entries
    monkeypatch.setattr(pacing.Pacer, "next", lambda self, left: min(left, 70))
    net, G, M = _network(backend, variables=("w",), rate="8.0")
    net.run(70.0)               # 1120 spikes: the buffers grow within the run
    net.run(5.0)
    assert len(M.i) == 1200
    np.testing.assert_array_equal(M.w, np.repeat(np.arange(300.0), 4))


def test_a_shared_parameter_is_recorded_as_its_value():
    net, G, M = _network("cpu", variables=("c",))
    net.run(2.0)
    np.testing.assert_array_equal(M.c, np.full(11, 3.0))


def test_values_gives_each_neurons_values_in_time_order():
    net, G, M = _network("numpy")
    net.run(2.0)
    w = M.values("w")
    assert sorted(w) == [0, 1, 2, 3]
    for n in range(4):
        np.testing.assert_array_equal(w[n], np.arange(float(np.sum(M.i == n))))


def test_values_of_a_batch_are_one_dict_per_instance():
    net, G, M = _network("numpy", batch=2)
    net.run(2.0)
    per = M.values("v")
    assert isinstance(per, list) and len(per) == 2
    np.testing.assert_array_equal(per[1][3], M.v[1][M.i[1] == 3])


def test_all_values_has_the_spike_trains_and_each_variable_by_neuron():
    net, G, M = _network("numpy")
    net.run(2.0)
    every = M.all_values()
    assert sorted(every) == ["t", "v", "w"]
    np.testing.assert_array_equal(every["t"][2], M.spike_trains()[2])
    np.testing.assert_array_equal(every["v"][2], M.values("v")[2])


def test_a_subgroup_monitor_records_the_values_of_its_own_neurons():
    net = ps.Network(dt=0.25, backend="cpu")
    with net:
        G = ps.NeuronGroup(4, MODEL, init={"rate": "i + 1"})
        whole = ps.SpikeMonitor(G, variables="v")
        part = ps.SpikeMonitor(G[1:3], variables="v")
    net.run(2.0)
    mine = (whole.i >= 1) & (whole.i < 3)
    np.testing.assert_array_equal(part.v, whole.v[mine])
    assert sorted(part.values("v")) == [0, 1]


def test_a_variable_the_group_lacks_is_refused_naming_it():
    with ps.Network(backend="numpy"):
        G = ps.NeuronGroup(4, MODEL)
        with pytest.raises(ModelError, match="SpikeMonitor cannot record 'u'") as err:
            ps.SpikeMonitor(G, variables=["v", "u"])
    assert (err.value.where, err.value.symbol) == ("SpikeMonitor", "u")


def test_values_of_a_variable_not_recorded_are_refused_naming_it():
    net, G, M = _network("numpy", variables=("v",))
    with pytest.raises(ModelError, match="records v, not 'w'") as err:
        M.values("w")
    assert err.value.symbol == "w"


def test_the_values_are_restored_with_the_spikes():
    net, G, M = _network("cpu")
    net.run(1.0)
    net.store()
    net.run(1.0)
    first = (M.i.copy(), M.v.copy(), M.w.copy())
    net.restore()
    assert len(M.v) == len(M.i) < len(first[0])
    net.run(1.0)
    for a, b in zip((M.i, M.v, M.w), first):
        np.testing.assert_array_equal(a, b)


def test_the_values_come_back_from_a_snapshot_file(tmp_path):
    net, G, M = _network("numpy")
    net.run(2.0)
    net.store(filename=str(tmp_path / "run.npz"))
    v = M.v.copy()
    net.run(1.0)
    net.restore(filename=str(tmp_path / "run.npz"))
    np.testing.assert_array_equal(M.v, v)


def test_the_values_are_laid_out_as_a_real_buffer_per_variable_beside_the_spikes():
    g = GroupSpec("g", 4, equations="dv/dt = -v/tau : 1\nw : 1", params=("tau",),
                  threshold="v > 1", reset="v = 0")
    net = build_network(NetworkSpec(groups=(g,), spike_monitors=(
        SpikeMonitorSpec("g", ("w", "v")),)))
    mon = net.groups[0].spike_monitors[0]
    buffers = [net.manifest.buffers[s] for s in mon.value_slots]
    assert [(b.name, b.dtype, b.extent) for b in buffers] == [
        ("w", "real", "capacity"), ("v", "real", "capacity")]
    assert mon.record_slots == (mon.i_slot, mon.step_slot) + mon.value_slots


# --- SpikeMonitor.it -------------------------------------------------------------------

@pytest.mark.parametrize("batch", [None, 2])
def test_it_is_the_pair_of_i_and_t(batch):
    net, G, M = _network("numpy", variables=(), batch=batch)
    net.run(2.0)
    i, t = M.it
    for a, b in ((i, M.i), (t, M.t)):
        np.testing.assert_equal(a, b)
    assert len(M.t if batch is None else M.t[0]) == 11


# --- PopulationRateMonitor.smooth_rate -------------------------------------------------

def _rates(batch=None, duration=20.0):
    """A constant population rate of 1000 Hz: 8 neurons, each spiking every 4 steps of
    0.25 ms, two of them at every step."""
    net = ps.Network(dt=0.25, backend="numpy", batch=batch)
    m = ps.NeuronModel("dv/dt = 1/tau : 1", threshold="v > 0.9", reset="v = 0",
                       method="euler", params={"tau": 1.0})
    with net:
        R = ps.PopulationRateMonitor(ps.NeuronGroup(8, m, init={"v": "0.25*(i % 4)"}))
    net.run(duration)
    return R


def _burst(dt, duration, at):
    """The rate of 10 neurons that spike together once, about ``at`` ms into the run."""
    net = ps.Network(dt=dt, backend="numpy")
    m = ps.NeuronModel("dv/dt = 1/tau : 1", threshold="v > 1", reset="v = -1e9",
                       method="euler", params={"tau": at})
    with net:
        R = ps.PopulationRateMonitor(ps.NeuronGroup(10, m))
    net.run(duration)
    assert np.count_nonzero(R.rate) == 1
    return R


def test_a_constant_rate_smoothed_is_that_rate_away_from_the_ends():
    R = _rates()
    np.testing.assert_array_equal(R.rate, 1000.0)
    for window in ("gaussian", "flat"):
        smooth = R.smooth_rate(window, width=1.0)
        assert smooth.shape == R.rate.shape
        np.testing.assert_allclose(smooth[16:-16], 1000.0)


def test_a_flat_window_is_np_convolve_with_equal_weights_over_an_odd_number_of_steps():
    R = _rates()
    # width 1.6 ms at dt 0.25 ms: int(1.6/2/0.25)*2 + 1 = 7 steps, as Brian2 2.9
    np.testing.assert_allclose(R.smooth_rate("flat", width=1.6),
                               np.convolve(R.rate, np.ones(7) / 7, mode="same"))


def test_a_gaussian_window_is_normalised_and_cut_at_two_standard_deviations():
    R = _rates()
    k = np.arange(-8, 9)                    # round(2*1.0/0.25) = 8 steps either side
    weights = np.exp(-k ** 2 / (2 * 4.0 ** 2))
    np.testing.assert_allclose(R.smooth_rate("gaussian", width=1.0),
                               np.convolve(R.rate, weights / weights.sum(), mode="same"))


def test_a_gaussian_smoothing_of_a_lone_burst_keeps_its_spikes_and_is_symmetric():
    R = _burst(0.25, 20.0, 10.0)
    smooth = R.smooth_rate("gaussian", width=2.0)
    peak = int(np.argmax(R.rate))
    assert smooth.sum() == pytest.approx(R.rate.sum())
    assert np.argmax(smooth) == peak
    np.testing.assert_allclose(smooth[peak - 8:peak], smooth[peak + 8:peak:-1])


def test_a_flat_window_on_the_edge_of_rounding_has_brian2s_number_of_steps():
    # Brian2 2.9 computes int(width/2/dt) in seconds: 5 ms at dt 0.01 ms is 249*2 + 1
    # steps (in ms it would be 250*2 + 1)
    R = _burst(0.01, 10.0, 5.0)
    assert np.count_nonzero(R.smooth_rate("flat", width=5.0)) == 499


def test_an_array_window_is_normalised_to_a_sum_of_one():
    R = _rates()
    np.testing.assert_allclose(R.smooth_rate(np.array([1.0, 2.0, 1.0])),
                               np.convolve(R.rate, [0.25, 0.5, 0.25], mode="same"))


def test_a_batch_is_smoothed_instance_by_instance():
    R = _rates(batch=2)
    smooth = R.smooth_rate("flat", width=1.0)
    assert smooth.shape == R.rate.shape == (2, 80)
    np.testing.assert_allclose(smooth[1], np.convolve(R.rate[1], np.ones(5) / 5, "same"))


def test_a_rate_shorter_than_the_window_keeps_its_length():
    R = _rates(duration=1.0)
    assert R.smooth_rate("gaussian", width=2.0).shape == (4,)


@pytest.mark.parametrize("args,symbol,message", [
    (("boxcar", 1.0), "window", "unknown window 'boxcar'"),
    (("gaussian", 0.1), "width", "at least the time step dt = 0.25 ms, not 0.1 ms"),
    (("flat", None), "width", "the flat window needs its width"),
    (([1.0, 1.0], None), "window", "an odd number of weights"),
    (([1.0, 1.0, 1.0], 2.0), "width", "sizes the 'gaussian' and 'flat' windows only"),
])
def test_a_window_or_width_smooth_rate_cannot_use_is_refused_naming_it(args, symbol,
                                                                       message):
    R = _rates(duration=1.0)
    with pytest.raises(ModelError, match=message) as err:
        R.smooth_rate(*args)
    assert (err.value.where, err.value.symbol) == ("PopulationRateMonitor.smooth_rate",
                                                    symbol)


def test_a_width_may_be_a_quantity():
    R = _rates()
    np.testing.assert_array_equal(R.smooth_rate("flat", width=1.6 * ps.units.ms),
                                  R.smooth_rate("flat", width=1.6))


@pytest.mark.skipif(compile_cuda.find_nvcc() is None, reason="nvcc is not installed here")
def test_the_cuda_source_recording_values_compiles_with_nvcc_without_warnings(tmp_path):
    net = ps.Network(dt=0.25, backend="cuda", precision="single", batch=2)
    with net:
        G = ps.NeuronGroup(4, MODEL)
        ps.SpikeMonitor(G, variables=["v", "w", "c"])
    (tmp_path / "network.cu").write_text(render_cuda(build_network(net._spec())))
    csrc = Path(pyspike.codegen.__file__).resolve().parent.parent / "csrc"
    out = subprocess.run([compile_cuda.find_nvcc(), *compile_cuda.cuda_flags(["90"]),
                          f"-I{csrc}", "network.cu", "-o", "lib.so"], cwd=tmp_path,
                         capture_output=True, text=True)
    assert out.returncode == 0 and "warning" not in out.stderr, out.stderr[-3000:]
