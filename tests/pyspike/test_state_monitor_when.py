"""StateMonitor(..., when=) as Brian2's: "start" (the default) records the state at the
step's start, "end" the state the step leaves (after the update, the reset and the
synaptic events), stamped with the step's start time as Brian2 stamps it; the slots that
fall inside pyspike's fused neuron kernel are refused, naming the supported ones.  On
NumPy, C++ and the emulated CUDA backend, batched, chunked and through store/restore."""
import sys
from pathlib import Path

import numpy as np
import pytest

import pyspike as ps
import pyspike.backends
from pyspike import pacing
from pyspike.codegen.errors import ModelError
from pyspike.codegen.kernels import build_network

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cuda"))
from emulator.backend import EmulatedBackend, emulator_missing  # noqa: E402

sys.path.pop(0)

EMULATED = pytest.param("cuda_emulated", marks=pytest.mark.skipif(
    emulator_missing() is not None, reason=emulator_missing() or ""))
BACKENDS = ["numpy", "cpu", EMULATED]

#: v decays, a presynaptic spike adds 0.75 to it (and 0.25 to w); v > 1 resets it to 0
MODEL = ps.NeuronModel("dv/dt = -v/tau : 1", threshold="v > 1", reset="v = 0",
                       params={"tau": 10.0})
PLASTIC = dict(model="w : 1", on_pre="w += 0.25\nv_post += 0.75")


@pytest.fixture(autouse=True)
def emulated(monkeypatch):
    monkeypatch.setitem(pyspike.backends.BACKENDS, "cuda_emulated", EmulatedBackend)


def _network(backend, when="end", batch=None, every=1):
    net = ps.Network(dt=0.5, backend=backend, batch=batch)
    with net:
        P = ps.SpikeGeneratorGroup(2, [0, 1, 0, 1, 0], [1.0, 1.5, 2.0, 4.0, 4.5])
        G = ps.NeuronGroup(2, MODEL)
        S = ps.Synapses(P, G, **PLASTIC)
        S.connect()
        MG = ps.StateMonitor(G, "v", record=True, when=when, every=every)
        MS = ps.StateMonitor(S, "w", record=[3, 0], when=when, every=every)
        spikes = ps.SpikeMonitor(G)
    return net, G, S, MG, MS, spikes


def _after_each_step(net, G, S, steps):
    """G.v and S.w after each of ``steps`` runs of one step."""
    v, w = [], []
    for _ in range(steps):
        net.run(net.dt)
        v.append(G.v.copy())
        w.append(S.w[..., [3, 0]].copy())
    return np.stack(v, axis=-1), np.stack(w, axis=-1)


@pytest.mark.parametrize("backend", BACKENDS)
def test_at_the_end_each_sample_is_the_state_after_its_step(backend):
    net, G, S, MG, MS, spikes = _network(backend)
    v, w = _after_each_step(net, G, S, 14)
    np.testing.assert_array_equal(MG.v, v)
    np.testing.assert_array_equal(MS.w, w)
    # (generator spikes act in the step from their time: at 1.0 and 1.5 ms, steps 2 and 3)
    # v ends step 3 above 1; step 4 finds the spike, an event adds 0.75, then the reset
    # (after the synaptic events, as in Brian2) sets v to 0
    assert spikes.num_spikes == 4 and (v[:, 3] > 1).all() and (v[:, 4] == 0).all()
    assert w.max() > 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_end_sample_is_stamped_with_the_start_of_its_step_as_by_brian2(backend):
    net, G, S, MG, MS, _ = _network(backend)
    net.run(3.0)
    np.testing.assert_array_equal(MG.t, np.arange(6) * 0.5)
    np.testing.assert_array_equal(MS.t, MG.t)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_end_of_a_step_is_the_start_of_the_next(backend):
    net, G, S, end_v, end_w, _ = _network(backend)
    with net:
        start_v = ps.StateMonitor(G, "v", record=True)
        start_w = ps.StateMonitor(S, "w", record=[3, 0], when="start")
    net.run(7.0)
    np.testing.assert_array_equal(start_v.v[:, 1:], end_v.v[:, :-1])
    np.testing.assert_array_equal(start_w.w[:, 1:], end_w.w[:, :-1])
    assert not np.array_equal(start_v.v, end_v.v)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_batch_records_each_instance_at_the_end_on_a_leading_axis(backend):
    net, G, S, MG, MS, _ = _network(backend, batch=2)
    S.w = np.array([[0.0] * 4, [1.0] * 4])
    v, w = _after_each_step(net, G, S, 10)
    assert MG.v.shape == (2, 2, 10) and MS.w.shape == (2, 2, 10)
    np.testing.assert_array_equal(MG.v, v)
    np.testing.assert_array_equal(MS.w, w)
    np.testing.assert_array_equal(MS.w[1] - MS.w[0], np.ones((2, 10)))


@pytest.mark.parametrize("backend", ["cpu", EMULATED])
def test_chunked_runs_record_at_the_end_what_the_reference_records(backend, monkeypatch):
    monkeypatch.setattr(pacing.Pacer, "next", lambda self, left: min(left, 3))
    recorded = []
    for name in ("numpy", backend):
        net, G, S, MG, MS, _ = _network(name, every=2)
        net.run(4.0)
        net.run(3.5)
        recorded.append((MG.v, MS.w))
    for ours, reference in zip(recorded[1], recorded[0]):
        np.testing.assert_array_equal(ours, reference)
    assert recorded[0][0].shape == (2, 8) and recorded[0][1].max() > 0


def test_the_end_recording_is_restored_with_the_state():
    net, G, S, MG, MS, _ = _network("cpu")
    net.run(1.5)
    net.store()
    net.run(3.0)
    first = MG.v.copy(), MS.w.copy()
    net.restore()
    assert MG.v.shape == (2, 3)
    net.run(3.0)
    np.testing.assert_array_equal(MG.v, first[0])
    np.testing.assert_array_equal(MS.w, first[1])


def test_end_records_run_last_in_the_step_after_the_synaptic_events_and_resets():
    net, *_ = _network("numpy")
    schedule = [str(c) for c in build_network(net._spec()).schedule]
    # (the target group's monitor 0 records its neurons, monitor 1 the synapses)
    assert schedule[-4:] == ["events: pre 0 of synapses 0", "resets: reset 0 of group 1",
                             "end: record 0 of group 1", "end: record 1 of group 1"]


def test_start_is_the_default_and_records_before_the_update():
    net, G, *_ = _network("numpy", when="start")
    default = ps.StateMonitor(G, "v")
    assert default.when == "start"
    schedule = [str(c) for c in build_network(net._spec()).schedule]
    assert "update: record 0 of group 1" in schedule and not \
        [c for c in schedule if c.startswith("end:")]


@pytest.mark.parametrize("when", ["groups", "thresholds", "synapses", "resets"])
def test_a_brian2_slot_inside_the_fused_neuron_kernel_is_refused_naming_the_supported(when):
    G = ps.NeuronGroup(2, MODEL)
    with pytest.raises(ModelError, match=f"slot when='{when}'.*fused neuron kernel.*"
                                         "'start'.*'end'") as err:
        ps.StateMonitor(G, "v", when=when)
    assert err.value.symbol == "when" and err.value.where == "StateMonitor"


@pytest.mark.parametrize("when", ["middle", "after_end", None, 1])
def test_a_when_that_names_no_supported_slot_is_refused(when):
    G = ps.NeuronGroup(2, MODEL)
    with pytest.raises(ModelError, match="when must name a Brian2 slot.*'start'.*'end'"):
        ps.StateMonitor(G, "v", when=when)
