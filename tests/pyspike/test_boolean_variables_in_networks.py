"""Boolean variables (Brian2's ``b : boolean``) in running networks, on the NumPy
reference and the C++ backend: set from Python, read as conditions, assigned by
statements."""
import numpy as np
import pytest

import pyspike as ps
from pyspike.codegen.errors import ModelError

GATED = ps.NeuronModel("dv/dt = 1/(1*ms) : 1\nallow : boolean", threshold="v > 1 and allow",
                       reset="v = 0")


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_only_neurons_whose_boolean_holds_pass_a_threshold_that_reads_it(backend):
    net = ps.Network(dt=0.1, backend=backend)
    with net:
        G = ps.NeuronGroup(3, GATED)
        S = ps.SpikeMonitor(G)
    G.allow = [True, False, True]
    net.run(3.0)
    assert sorted(set(S.i.tolist())) == [0, 2]


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_events_and_their_statements_toggle_a_boolean(backend):
    # Brian2's custom_events.py: an event sets the flag False, another sets it True again
    m = ps.NeuronModel("dg/dt = -g/(10*ms) : 1\nallow : boolean",
                       events={"up": "g > 1 and allow", "down": "g < 1 and not allow"})
    net = ps.Network(dt=0.1, backend=backend)
    with net:
        G = ps.NeuronGroup(1, m, init={"allow": True, "g": 2.0})
        G.run_on_event("up", "allow = False")
        G.run_on_event("down", "allow = True")
        up = ps.EventMonitor(G, "up")
        down = ps.EventMonitor(G, "down")
    net.run(10.0)
    assert len(up.t) == 1 and len(down.t) == 1 and down.t[0] > up.t[0]
    assert G.allow[0] == 1.0


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_a_reset_assigns_a_boolean_a_condition(backend):
    m = ps.NeuronModel("dv/dt = x/(1*ms) : 1\nx : 1\nbig : boolean", threshold="v > 1",
                       reset="big = x > 5; v = 0")
    net = ps.Network(dt=0.1, backend=backend)
    with net:
        G = ps.NeuronGroup(2, m, init={"x": np.array([10.0, 2.0])})
    net.run(2.0)
    np.testing.assert_array_equal(G.big, [1.0, 0.0])


def test_true_and_false_set_a_boolean_as_one_and_zero():
    net = ps.Network(dt=0.1, backend="numpy")
    with net:
        G = ps.NeuronGroup(3, GATED, init={"allow": True})
    np.testing.assert_array_equal(G.allow, [1.0, 1.0, 1.0])
    G.allow = np.array([False, True, False])
    np.testing.assert_array_equal(G.allow, [0.0, 1.0, 0.0])
    G.allow = 0
    np.testing.assert_array_equal(G.allow, [0.0, 0.0, 0.0])


def test_a_condition_string_sets_a_boolean_where_it_holds():
    net = ps.Network(dt=0.1, backend="numpy")
    with net:
        G = ps.NeuronGroup(4, GATED)
    G.allow = "i >= 2"
    np.testing.assert_array_equal(G.allow, [0.0, 0.0, 1.0, 1.0])


def test_a_number_other_than_one_or_zero_is_refused_for_a_boolean():
    net = ps.Network(dt=0.1, backend="numpy")
    with net:
        G = ps.NeuronGroup(2, GATED)
    with pytest.raises(ModelError, match="'allow' is boolean") as err:
        G.allow = 0.5
    assert err.value.symbol == "allow"
