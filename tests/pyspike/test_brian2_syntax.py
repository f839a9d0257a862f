"""Model text as Brian2 users write it: long equations over several lines, N_pre and N_post
in connect conditions."""
import numpy as np
import pytest

import pyspike as ps

LONG = """
    dv/dt = (gl*(El - v) +
             ge*(Ee - v))/C : mV   # one equation on two lines, as Brian2's COBAHH writes it
    dge/dt = -ge/tau : nS
"""


def test_an_equation_may_go_on_while_its_parentheses_are_open():
    m = ps.NeuronModel(LONG, params={"gl": 10.0, "El": -60.0, "Ee": 0.0, "C": 200.0,
                                     "tau": 5.0})
    assert m.variables == ["v", "ge"]


def test_a_long_equation_integrates_as_the_same_equation_on_one_line():
    one = LONG.replace("+\n             ge", "+ ge")
    params = {"gl": 10.0, "El": -60.0, "Ee": 0.0, "C": 200.0, "tau": 5.0}
    out = []
    for text in (LONG, one):
        net = ps.Network(dt=0.1, backend="numpy")
        with net:
            G = ps.NeuronGroup(1, ps.NeuronModel(text, params=params),
                               init={"v": -70.0, "ge": 5.0})
        net.run(5.0)
        out.append(G.v.copy())
    np.testing.assert_array_equal(out[0], out[1])


def test_a_parenthesis_left_open_is_still_an_error_naming_the_line():
    with pytest.raises(ps.ModelError, match="line 2"):
        ps.NeuronModel("x : 1\ndv/dt = (1 - v/tau : 1", params={"tau": 1.0})


def test_a_connect_condition_may_read_the_sizes_of_both_sides():
    with ps.Network(dt=0.1, backend="numpy", seed=1):
        G = ps.NeuronGroup(8, ps.NeuronModel("v : 1"))
        S = ps.Synapses(G, G, on_pre="v_post += 1")
        S.connect(condition="abs(((j - i) % N_post) - N_post/2) <= 1")   # Sturzl et al.
    opposite = (S.j - S.i) % 8
    assert S.n == 24 and set(opposite) == {3, 4, 5}


def test_a_connect_condition_may_read_a_parameter_of_the_synapses():
    with ps.Network(dt=0.1, backend="numpy", seed=1):
        G = ps.NeuronGroup(12, ps.NeuronModel("v : 1"))
        S = ps.Synapses(G, G, on_pre="v_post += 1", params={"m": 3.0})
        S.connect(condition="abs(i - j) < m and i != j")
    assert S.n == 42 and np.all(np.abs(S.i - S.j) < 3)


def test_a_connect_generator_may_read_a_parameter_of_the_synapses():
    # Diesmann et al. (1999): each group of group_size neurons onto the next group
    with ps.Network(dt=0.1, backend="numpy", seed=1):
        G = ps.NeuronGroup(12, ps.NeuronModel("v : 1"))
        S = ps.Synapses(G, G, on_pre="v_post += 1", params={"group_size": 4.0})
        S.connect(j="k for k in range((floor(i/group_size) + 1)*group_size, "
                    "(floor(i/group_size) + 2)*group_size)", skip_if_invalid=True)
    assert S.n == 32 and np.all(S.j // 4 == S.i // 4 + 1)


def test_synapses_count_as_n_and_as_brian2s_N():
    with ps.Network(dt=0.1, backend="numpy", seed=1):
        G = ps.NeuronGroup(3, ps.NeuronModel("v : 1"))
        S = ps.Synapses(G, G, on_pre="v_post += 1")
        S.connect(condition="i != j")
    assert S.N == S.n == 6
