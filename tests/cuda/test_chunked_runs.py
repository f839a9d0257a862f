"""A run is cut into chunks of wall time (pyspike.pacing): whatever the chunks, every
feature network gives the numbers of one uninterrupted chunk, bit for bit, on every
backend; between chunks the state is checked for inf and NaN, on the device too."""
import numpy as np
import pytest

import pyspike as ps
from pyspike import pacing

from . import networks
from .emulator.backend import EmulatedBackend, emulator_missing


@pytest.fixture
def emulated(monkeypatch):
    missing = emulator_missing()
    if missing:
        pytest.skip(missing)
    from pyspike import backends
    monkeypatch.setitem(backends.BACKENDS, "cuda_emulated", EmulatedBackend)


def _chunks_of(monkeypatch, steps):
    """Every chunk ``steps`` long (None: the whole run in one chunk)."""
    monkeypatch.setattr(pacing.Pacer, "next",
                        lambda self, left: left if steps is None else min(left, steps))


def _run(monkeypatch, name, backend, steps, pieces=(20.0,), batch=None):
    _chunks_of(monkeypatch, steps)
    net, objects = networks.build(name, backend, batch=batch)
    for duration in pieces:
        net.run(duration)
    return net, objects


def _assert_identical(a_objects, b_objects):
    for a, b in zip(a_objects, b_objects):
        if isinstance(a, ps.SpikeMonitor):
            np.testing.assert_array_equal(a.count, b.count)
            for x, y in ((a.i, b.i), (a.t, b.t)):
                if isinstance(x, list):
                    for u, v in zip(x, y):
                        np.testing.assert_array_equal(u, v)
                else:
                    np.testing.assert_array_equal(x, y)
        elif isinstance(a, ps.StateMonitor):
            np.testing.assert_array_equal(a.t, b.t)
            for var in a.variables:
                np.testing.assert_array_equal(getattr(a, var), getattr(b, var))
        elif isinstance(a, ps.PopulationRateMonitor):
            np.testing.assert_array_equal(a.t, b.t)
            np.testing.assert_array_equal(a.rate, b.rate)
        elif isinstance(a, ps.NeuronGroup):
            for var in a.model.variables:
                np.testing.assert_array_equal(getattr(a, var), getattr(b, var))


@pytest.mark.parametrize("name", sorted(networks.NETWORKS))
def test_a_run_in_chunks_of_seven_steps_equals_one_chunk_on_the_cpu(monkeypatch, name):
    _, whole = _run(monkeypatch, name, "cpu", None)
    _, chunked = _run(monkeypatch, name, "cpu", 7)
    _assert_identical(whole, chunked)


@pytest.mark.parametrize("name", ["generator_delays", "stdp_sparse", "lif_monitors"])
def test_a_run_in_chunks_of_one_step_equals_one_chunk_on_the_numpy_reference(
        monkeypatch, name):
    _, whole = _run(monkeypatch, name, "numpy", None, pieces=(5.0,))
    _, chunked = _run(monkeypatch, name, "numpy", 1, pieces=(5.0,))
    _assert_identical(whole, chunked)


def test_a_batched_run_in_chunks_equals_one_chunk(monkeypatch):
    _, whole = _run(monkeypatch, "lif_monitors", "cpu", None, batch=2)
    _, chunked = _run(monkeypatch, "lif_monitors", "cpu", 13, batch=2)
    _assert_identical(whole, chunked)


def test_chunks_that_fill_the_spike_buffers_lose_no_spike(monkeypatch):
    # dense_and_serial spikes often: buffers grow between chunks and within them
    _, whole = _run(monkeypatch, "dense_and_serial", "cpu", None, pieces=(60.0,))
    _, chunked = _run(monkeypatch, "dense_and_serial", "cpu", 3, pieces=(60.0,))
    _assert_identical(whole, chunked)


@pytest.mark.parametrize("name", ["lif_monitors", "generator_delays"])
def test_an_emulated_cuda_run_in_chunks_equals_one_chunk(monkeypatch, emulated, name):
    _, whole = _run(monkeypatch, name, "cuda_emulated", None, pieces=(10.0,))
    _, chunked = _run(monkeypatch, name, "cuda_emulated", 9, pieces=(10.0,))
    _assert_identical(whole, chunked)


def test_the_pacer_aims_at_a_tenth_of_a_second_per_chunk():
    p = pacing.Pacer(seconds_per_step=1e-4)
    assert p.next(10 ** 9) == int(pacing.CHUNK_SECONDS / 1e-4)


def test_the_pacer_grows_a_chunk_at_most_sixteenfold():
    p = pacing.Pacer()
    first = p.next(10 ** 9)
    p.record(first, 1e-9)                 # absurdly fast: a warm-up artefact
    assert p.next(10 ** 9) == pacing.GROWTH * first


def test_the_pacer_never_asks_for_more_steps_than_are_left():
    p = pacing.Pacer(seconds_per_step=1e-9)
    assert p.next(5) == 5


def test_emulated_cuda_finds_a_non_finite_state_on_the_device(emulated):
    from pyspike.finite import NonFiniteError
    net = ps.Network(dt=0.01, seed=1, backend="cuda_emulated")
    with net:
        G = ps.NeuronGroup(5, ps.NeuronModel("dv/dt = v**2/ms : 1", params={"ms": 1.0},
                                             method="euler"), init={"v": "1 + i/10"})
    net.run(0.5)                              # finite so far; the state stays on the device
    with pytest.raises(NonFiniteError) as err:
        net.run(5.0)
    assert (err.value.owner, err.value.variable) == (G.name, "v")
    assert net.step == err.value.step
    assert not np.isfinite(G.v[err.value.index])
