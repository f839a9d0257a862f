"""A custom event's statements (run_on_event) run after the step's synaptic events and
resets, in Brian2's ``after_resets`` slot."""
import pytest

import pyspike as ps

#: Brian2 2.9 (numpy target, dt 0.1 ms) on the same model: NeuronGroup(1, "dv/dt =
#: 1/(1*ms) : 1\nc : 1", threshold="v > 1", reset="v = 0", events={"half": "v > 0.5"},
#: method="euler"), run_on_event("half", "c = v"), Synapses(G, G, on_pre="v += 0.25")
#: joining the neuron to itself, StateMonitor(G, "c"), run(3*ms): in the step of each
#: spike, c takes the value the reset left (0), not the crossing value.
BRIAN2_C = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.6, 0.7, 0.8, 0.9, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.6, 0.7, 0.8, 0.9, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.6, 0.7]


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_event_statements_see_the_state_after_the_reset_and_synaptic_events(backend):
    m = ps.NeuronModel("dv/dt = 1/tau : 1\nc : 1", threshold="v > 1", reset="v = 0",
                       events={"half": "v > 0.5"}, params={"tau": 1.0}, method="euler")
    net = ps.Network(dt=0.1, backend=backend)
    with net:
        G = ps.NeuronGroup(1, m)
        G.run_on_event("half", "c = v")
        S = ps.Synapses(G, G, on_pre="v_post += 0.25")
        S.connect(i=[0], j=[0])
        M = ps.StateMonitor(G, "c")
    net.run(3.0)
    assert [round(float(x), 9) for x in M.c[0]] == BRIAN2_C
