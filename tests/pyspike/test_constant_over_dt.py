"""Brian2's (constant over dt): a subexpression evaluated once at the start of each step
and held over it, whatever the integration method evaluates in between."""
import numpy as np
import pytest

import pyspike as ps

HELD = """
    dv/dt = I/tau : 1
    I = t/ms_ : 1 (constant over dt)
"""


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_a_held_subexpression_keeps_its_start_of_step_value_over_the_step(backend):
    # rk4 evaluates t at t + dt/2 and t + dt; held, I is t at the start: v = sum(t_k)*dt/tau
    m = ps.NeuronModel(HELD, params={"tau": 1.0, "ms_": 1.0}, method="rk4")
    net = ps.Network(dt=0.5, backend=backend)
    with net:
        G = ps.NeuronGroup(1, m)
    net.run(2.0)
    assert G.v[0] == pytest.approx((0.0 + 0.5 + 1.0 + 1.5) * 0.5, rel=1e-12)
    assert G.I[0] == pytest.approx(1.5, rel=1e-12)      # readable: the last step's value


def test_without_the_flag_the_method_sees_the_subexpression_change():
    m = ps.NeuronModel(HELD.replace(" (constant over dt)", ""),
                       params={"tau": 1.0, "ms_": 1.0}, method="rk4")
    net = ps.Network(dt=0.5, backend="numpy")
    with net:
        G = ps.NeuronGroup(1, m)
    net.run(2.0)
    assert G.v[0] == pytest.approx(2.0 ** 2 / 2, rel=1e-12)    # the exact integral of t


def test_a_held_subexpression_is_checked_against_its_unit():
    with pytest.raises(ps.ModelError, match="the term 'v' is in mV, but I must be in pA"):
        ps.NeuronModel("dv/dt = -v/tau : mV\nI = v : pA (constant over dt)",
                       params={"tau": 1.0})


def test_the_flag_applies_to_neuron_models_only():
    G = ps.NeuronGroup(1, ps.NeuronModel("v : 1"))
    with pytest.raises(ps.ModelError, match="constant over dt"):
        ps.Synapses(G, G, model="w : 1\nx = w : 1 (constant over dt)", on_pre="v_post += w")


def test_a_held_subexpression_may_draw_random_numbers_once_per_step():
    m = ps.NeuronModel("dv/dt = noise/tau : 1\nnoise = rand() : 1 (constant over dt)",
                       params={"tau": 1.0}, method="rk4")
    net = ps.Network(dt=0.1, seed=3, backend="numpy")
    with net:
        G = ps.NeuronGroup(3, m)
        M = ps.StateMonitor(G, ["noise"], record=True)
    net.run(1.0)
    assert np.all((M.noise >= 0) & (M.noise < 1)) and len(np.unique(M.noise)) > 3
