"""Initial values given as expressions are evaluated in order, after those they read."""
import numpy as np

import pyspike as ps


def test_a_value_that_reads_a_random_one_waits_for_it():
    model = ps.NeuronModel("dv/dt = -v/tau : mV\ndu/dt = -u/tau : mV", params={"tau": 10.0})
    net = ps.Network(dt=0.1, seed=4, backend="numpy")
    G = ps.NeuronGroup(5, model, init={"v": "-70 + 10*rand()", "u": "2*v"})
    net.add(G)
    assert len(set(G.v)) == 5
    np.testing.assert_array_equal(G.u, 2 * G.v)


def test_hh_gates_start_at_steady_state_for_a_random_voltage():
    net = ps.Network(dt=0.01, seed=2, backend="numpy")
    G = ps.NeuronGroup(3, "HH", init={"V": "-70 + 10*rand()"})
    net.add(G)
    V = G.V
    alpha = 0.1 * (V + 40) / (1 - np.exp(-(V + 40) / 10))
    beta = 4 * np.exp(-(V + 65) / 18)
    np.testing.assert_allclose(G.m, alpha / (alpha + beta), rtol=1e-12)
