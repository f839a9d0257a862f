"""Custom events, as Brian2's: a model's ``events={name: condition}``, the group's
``run_on_event``, ``EventMonitor`` and Synapses' ``on_event``, compiled on every
backend; what is malformed is refused with a ModelError naming it."""
import sys
from pathlib import Path

import numpy as np
import pytest

import pyspike
import pyspike as ps
from pyspike.codegen.errors import ModelError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cuda"))
from emulator.backend import EmulatedBackend, emulator_missing  # noqa: E402

sys.path.pop(0)

EMULATED = pytest.param("cuda_emulated", marks=pytest.mark.skipif(
    emulator_missing() is not None, reason=emulator_missing() or ""))
BACKENDS = ["numpy", "cpu", EMULATED, pytest.param("cuda", marks=pytest.mark.gpu)]
#: v climbs 0.1 per step of 1 ms; "half" holds from 0.5 on, "high" from 0.8 on
RAMP = ps.NeuronModel("dv/dt = 1/(10*ms) : 1\nc : 1\nd : 1",
                      events={"half": "v > 0.5", "high": "v > 0.8"})
TARGET = ps.NeuronModel("x : 1\ny : 1")


@pytest.fixture(autouse=True)
def emulated(monkeypatch):
    monkeypatch.setitem(pyspike.backends.BACKENDS, "cuda_emulated", EmulatedBackend)


def _ramp(backend="numpy", start=(0.0, 0.35, 0.65), model=RAMP, batch=None):
    net = ps.Network(dt=1.0, backend=backend, batch=batch)
    with net:
        G = ps.NeuronGroup(len(start), model, init={"v": list(start)})
    return net, G


@pytest.mark.parametrize("backend", BACKENDS)
def test_run_on_event_runs_on_each_neuron_while_its_condition_holds(backend):
    net, G = _ramp(backend)
    G.run_on_event("half", "c += 1")
    G.run_on_event("high", "d += v")
    net.run(4.0)
    # v after the steps: 0.1 ... 0.4; 0.45 ... 0.75; 0.75 ... 1.05
    np.testing.assert_array_equal(G.c, [0, 3, 4])
    np.testing.assert_allclose(G.d, [0, 0, 0.85 + 0.95 + 1.05], rtol=1e-12)


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_event_monitor_records_its_neurons_in_order_with_their_values(backend):
    net, G = _ramp(backend)
    with net:
        M = ps.EventMonitor(G, "half", variables="v")
    net.run(3.0)
    # stamped at the end of their step, as spikes are; ascending neurons within a step
    assert list(zip(M.t, M.i)) == [(1.0, 2), (2.0, 1), (2.0, 2), (3.0, 1), (3.0, 2)]
    np.testing.assert_allclose(M.v, [0.75, 0.55, 0.85, 0.65, 0.95], rtol=1e-12)
    np.testing.assert_array_equal(M.count, [0, 2, 3])


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_pathway_on_an_event_runs_for_the_sources_events(backend):
    net, G = _ramp(backend)
    with net:
        H = ps.NeuronGroup(1, TARGET)
        S = ps.Synapses(G, H, on_pre={"pre": "x += 1", "gpath": "y += 1"},
                        on_event={"gpath": "high"})
    S.connect()
    net.run(4.0)
    assert (float(H.x[0]), float(H.y[0])) == (0.0, 3.0)   # no spikes; "high": 3 events


def test_a_string_on_event_names_the_main_pathways_event():
    net, G = _ramp("cpu")
    with net:
        H = ps.NeuronGroup(1, TARGET)
        S = ps.Synapses(G, H, on_pre="x += 1", on_event="half", delay=1.0)
    S.connect()
    net.run(4.0)
    assert float(H.x[0]) == 7.0 - 2.0     # 7 events, the last step's 2 still in flight


def test_an_events_condition_is_found_with_the_threshold_before_the_reset():
    model = ps.NeuronModel("dv/dt = 1/(10*ms) : 1\nc : 1", threshold="v > 0.55",
                           reset="v = 0", events={"half": "v > 0.5"})
    net, G = _ramp("cpu", start=(0.5,), model=model)
    G.run_on_event("half", "c += 1")
    net.run(1.0)               # v reaches 0.6: spike and event (Brian2's thresholds slot)
    assert (float(G.c[0]), float(G.v[0])) == (1.0, 0.0)


def test_each_instance_of_a_batch_has_its_own_events():
    net, G = _ramp("cpu", start=(0.0,), batch=2)
    G.v = np.array([[0.0], [0.45]])
    G.run_on_event("half", "c += 1")
    net.run(2.0)
    np.testing.assert_array_equal(G.c, [[0], [2]])


def test_an_event_without_statements_still_lists_its_neurons():
    net, G = _ramp("cpu")
    with net:
        M = ps.EventMonitor(G, "high")
    net.run(3.0)
    assert M.i.tolist() == [2, 2]


def test_an_event_condition_in_the_wrong_units_is_refused_where_the_model_is_made():
    with pytest.raises(ModelError, match="event 'half'"):
        ps.NeuronModel("dv/dt = -v/tau : mV\ntau : ms (constant)", events={"half": "v > tau"})


@pytest.mark.parametrize("events, message", [
    ({"spike": "v > 1"}, "other than 'spike'"),
    ({"2x": "v > 1"}, "plain name"),
    ({"half": 3}, "must be a string"),
    ("v > 1", "dict of event names"),
])
def test_a_malformed_event_is_refused(events, message):
    with pytest.raises(ModelError, match=message):
        ps.NeuronModel("dv/dt = 1/(10*ms) : 1", events=events)


def test_run_on_event_of_an_event_the_model_lacks_is_refused():
    net, G = _ramp()
    with pytest.raises(ModelError, match="no event 'low'"):
        G.run_on_event("low", "c += 1")


def test_run_on_event_with_a_mistake_names_it():
    net, G = _ramp()
    with pytest.raises(ModelError, match="run_on_event"):
        G.run_on_event("half", "q += 1")


def test_an_event_monitor_of_an_unknown_event_is_refused():
    net, G = _ramp()
    with pytest.raises(ModelError, match="no event 'low'"):
        ps.EventMonitor(G, "low")


def test_on_event_of_an_unknown_event_is_refused():
    net, G = _ramp()
    with pytest.raises(ModelError, match="the source has the events"):
        ps.Synapses(G, G, on_pre="c += 1", on_event="low")


def test_on_event_for_an_on_post_pathway_is_refused():
    net, G = _ramp()
    with pytest.raises(ModelError, match="target's spikes only"):
        ps.Synapses(G, G, on_pre="c += 1", on_post="d += 1", on_event={"post": "half"})


def test_random_numbers_in_an_events_statements_are_refused_before_compiling():
    net, G = _ramp()
    G.run_on_event("half", "c += rand()")
    with pytest.raises(ModelError, match="random numbers in an event"):
        net.run(1.0)
