"""Brian2's generator syntax in Synapses.connect (j='k for k in range(...) if ...',
sample(...), i='...') and skip_if_invalid: which pairs it makes, its random numbers
(seeded, the same on every backend) and the errors it gives."""
import math

import numpy as np
import pytest

import pyspike as ps
from pyspike import connect_generator

MODEL = ps.NeuronModel("dv/dt = -v/tau : 1\nx : 1", params={"tau": 10.0})


def _connect(n_pre=10, n_post=10, seed=1, same=False, **rule):
    """Synapses from n_pre neurons (x = i) to n_post neurons (x = 100 - 2 j)."""
    net = ps.Network(dt=0.1, seed=seed, backend="numpy")
    with net:
        source = ps.NeuronGroup(n_pre, MODEL, init={"x": "i*1.0"})
        target = source if same else ps.NeuronGroup(n_post, MODEL, init={"x": "100.0 - 2.0*i"})
        S = ps.Synapses(source, target, model="w : 1", on_pre="v_post += w")
        S.connect(**rule)
    return S


def _pairs(S):
    return list(zip(S.i.tolist(), S.j.tolist()))


def _error(**rule) -> ps.ModelError:
    with pytest.raises(ps.ModelError) as err:
        _connect(**rule)
    return err.value


# --- range and its arguments -------------------------------------------------------------

def test_neighbours_in_a_window_leave_out_the_edges_with_skip_if_invalid():
    S = _connect(j="k for k in range(i-2, i+3) if k != i", skip_if_invalid=True)
    assert _pairs(S) == [(a, b) for a in range(10) for b in range(a - 2, a + 3)
                         if 0 <= b < 10 and b != a]


def test_a_target_outside_the_group_without_skip_if_invalid_names_the_generator_and_index():
    err = _error(j="k for k in range(i-2, i+3)")
    assert "k for k in range(i-2, i+3)" in err.message
    assert "j = -2" in err.message and "i = 0" in err.message
    assert "skip_if_invalid" in err.message
    assert err.symbol == "j"


def test_a_ring_wraps_its_neighbours_with_modulo_and_needs_no_skip():
    S = _connect(n_pre=8, n_post=8, j="(i + k) % N_post for k in range(-1, 2) if k != 0")
    assert sorted(_pairs(S)) == sorted((a, (a + d) % 8) for a in range(8) for d in (-1, 1))


def test_range_takes_a_step():
    S = _connect(n_pre=2, n_post=10, j="k for k in range(i, N_post, 3)")
    assert _pairs(S) == [(0, 0), (0, 3), (0, 6), (0, 9), (1, 1), (1, 4), (1, 7)]


def test_a_negative_step_counts_down_and_keeps_that_order_within_a_row():
    S = _connect(n_pre=1, n_post=10, j="k for k in range(N_post - 1, 2, -3)")
    assert _pairs(S) == [(0, 9), (0, 6), (0, 3)]


def test_range_bounds_may_read_presynaptic_variables():
    S = _connect(n_pre=4, n_post=10, j="k for k in range(x_pre, 2*x_pre)")
    assert _pairs(S) == [(1, 1), (2, 2), (2, 3), (3, 3), (3, 4), (3, 5)]


def test_the_expression_maps_the_generator_variable_to_targets():
    S = _connect(n_pre=3, n_post=10, j="2*k + i for k in range(3)")
    assert _pairs(S) == [(a, 2 * k + a) for a in range(3) for k in range(3)]


# --- conditions ----------------------------------------------------------------------------

def test_a_condition_excluding_i_gives_the_pairs_of_condition_i_not_j():
    S = _connect(j="k for k in range(N_post) if k != i")
    assert _pairs(S) == _pairs(_connect(condition="i != j"))


def test_conditions_read_pre_and_post_neuron_variables():
    S = _connect(n_pre=30, n_post=40, j="k for k in range(N_post) if x_pre > x_post and j > 5")
    reference = _connect(n_pre=30, n_post=40, condition="x_pre > x_post and j > 5")
    assert 0 < S.n < 30 * 40
    assert _pairs(S) == _pairs(reference)


def test_a_condition_that_rules_out_invalid_targets_needs_no_skip():
    # Brian2's order: a condition reading no postsynaptic variable is asked first
    S = _connect(j="k for k in range(i-1, i+2) if k >= 0 and k < N_post")
    assert S.n == 3 * 10 - 2


def test_a_condition_reading_target_variables_needs_valid_targets():
    err = _error(j="k for k in range(i-1, i+2) if k >= 0 and k < N_post and x_post > 0")
    assert "j = -1" in err.message


def test_several_if_clauses_must_all_hold():
    S = _connect(j="k for k in range(N_post) if k > 1 if k < 4 if i == 2")
    assert _pairs(S) == [(2, 2), (2, 3)]


def test_rand_in_the_condition_keeps_about_that_fraction_of_candidates():
    S = _connect(n_pre=100, n_post=100, j="k for k in range(N_post) if rand() < 0.2")
    # Binomial(10000, 0.2): mean 2000, sd 40; 5 sd either way
    assert abs(S.n - 2000) < 5 * 40


# --- sample -------------------------------------------------------------------------------

def test_sample_with_p_keeps_about_p_of_the_candidates():
    S = _connect(n_pre=100, n_post=100, j="k for k in sample(N_post, p=0.1)")
    # Binomial(10000, 0.1): mean 1000, sd 30; 5 sd either way
    assert abs(S.n - 1000) < 5 * 30
    assert len(set(_pairs(S))) == S.n


def test_sample_in_a_window_with_skip_if_invalid_stays_in_the_window():
    S = _connect(n_pre=200, n_post=200, j="k for k in sample(i-3, i+4, p=0.5)",
                 skip_if_invalid=True)
    assert np.all(np.abs(S.i - S.j) <= 3)
    candidates = 200 * 7 - 2 * (3 + 2 + 1)
    assert abs(S.n - 0.5 * candidates) < 5 * math.sqrt(candidates * 0.25)


def test_the_same_seed_gives_the_same_sample_and_another_seed_another():
    rule = dict(j="k for k in sample(N_post, p=0.3) if rand() < 0.5")
    a, b, c = _connect(seed=4, **rule), _connect(seed=4, **rule), _connect(seed=5, **rule)
    assert _pairs(a) == _pairs(b)
    assert _pairs(a) != _pairs(c)


def test_sample_with_size_picks_that_many_distinct_targets_per_row():
    S = _connect(n_pre=20, n_post=30, j="k for k in sample(N_post, size=4)")
    np.testing.assert_array_equal(np.bincount(S.i, minlength=20), 4)
    assert len(set(_pairs(S))) == S.n


def test_a_sample_size_beyond_the_candidates_is_an_error_unless_skip_if_invalid():
    assert "size=12" in _error(j="k for k in sample(N_post, size=12)").message
    S = _connect(j="k for k in sample(N_post, size=12)", skip_if_invalid=True)
    assert S.n == 100


def test_blocks_of_candidates_do_not_change_the_synapses(monkeypatch):
    rules = [dict(j="k for k in sample(N_post, p=0.3) if rand() < 0.7"),
             dict(j="k for k in sample(i-5, i+6, size=3)", skip_if_invalid=True),
             dict(j="k for k in range(N_post) if x_pre + k > 30")]
    whole = [_pairs(_connect(n_pre=40, n_post=40, **r)) for r in rules]
    monkeypatch.setattr(connect_generator, "BLOCK", 7)
    assert [_pairs(_connect(n_pre=40, n_post=40, **r)) for r in rules] == whole


# --- i='...': presynaptic partners for every j ----------------------------------------------

def test_an_i_generator_yields_presynaptic_partners_for_every_j():
    S = _connect(n_pre=6, n_post=4, i="k for k in range(j, j+3)")
    assert _pairs(S) == sorted((a, b) for b in range(4) for a in range(b, b + 3))


def test_an_i_expression_is_one_partner_for_every_j_as_j_expression_is():
    S = _connect(n_pre=10, n_post=6, i="2*j")
    assert _pairs(S) == [(0, 0), (2, 1), (4, 2), (6, 3), (8, 4)]


# --- n, autapses, multapses -----------------------------------------------------------------

def test_n_makes_that_many_synapses_for_every_generated_pair():
    S = _connect(j="k for k in range(i, i+2)", skip_if_invalid=True, n=3)
    once = _connect(j="k for k in range(i, i+2)", skip_if_invalid=True)
    assert _pairs(S) == [p for p in _pairs(once) for _ in range(3)]


def test_without_multapses_a_pair_generated_twice_is_made_once():
    S = _connect(j="i for _ in range(3)", multapses=False)
    assert _pairs(S) == [(a, a) for a in range(10)]


def test_without_autapses_a_neuron_gets_no_synapse_onto_itself():
    S = _connect(same=True, j="k for k in range(i-1, i+2)", skip_if_invalid=True,
                 autapses=False)
    assert all(a != b for a, b in _pairs(S)) and S.n == 18


# --- errors ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "k for k in [1, 2]", "k for k in range(3) for m in range(2)", "k for k, m in range(3)",
    "k for k in sample(10)", "k for k in range(1, 2, 3, 4)", "k for k in range(3, p=0.5)",
    "k for k in sample(10, p=0.1, size=2)", "k for k in range(*x)", "(k, 1) for k in range(3)",
    "k for k in range(3) if"])
def test_unsupported_generator_syntax_is_refused_quoting_the_text(text):
    err = _error(j=text)
    assert err.source == text and "generator" in err.where


@pytest.mark.parametrize("text, name", [("v for v in range(3)", "v"),
                                        ("x_pre for x_pre in range(3)", "x_pre"),
                                        ("N_post for N_post in range(3)", "N_post"),
                                        ("i for i in range(3)", "i")])
def test_a_generator_variable_that_shadows_a_name_is_refused(text, name):
    assert _error(j=text).symbol == name


def test_range_arguments_may_not_read_what_depends_on_the_target():
    err = _error(j="k for k in range(i + x_post)")
    assert err.symbol == "x_post" and "if" in err.message


@pytest.mark.parametrize("text", ["k + rand() for k in range(3)",
                                  "k for k in range(3) if randn() < 0"])
def test_random_numbers_outside_rand_in_the_condition_are_refused(text):
    assert _error(j=text).symbol in ("rand", "randn")


def test_an_index_that_is_not_a_whole_number_is_refused():
    assert "0.5" in _error(j="k/2 for k in range(3)").message


def test_a_condition_comparing_different_units_is_refused():
    model = ps.NeuronModel("dv/dt = -v/tau : mV\ntau : ms", init={"tau": 10.0})
    net = ps.Network(dt=0.1, seed=1, backend="numpy")
    with net, pytest.raises(ps.ModelError) as err:
        G = ps.NeuronGroup(5, model)
        S = ps.Synapses(G, G, model="w : mV", on_pre="v_post += w")
        S.connect(j="k for k in range(3) if v_post > tau_pre")
    assert "units" in err.value.message


@pytest.mark.parametrize("extra", [dict(p=0.5), dict(condition="i != j")])
def test_a_generator_takes_no_p_or_condition_argument(extra):
    assert "sample" in _error(j="k for k in range(N_post)", **extra).message


def test_skip_if_invalid_with_explicit_pairs_is_refused():
    assert _error(i=[0], j=[1], skip_if_invalid=True).symbol == "skip_if_invalid"


# --- seeds, backends and runs ----------------------------------------------------------------

def test_a_random_generator_outside_a_network_waits_for_its_seed():
    A = ps.NeuronGroup(20, MODEL)
    S = ps.Synapses(A, A, model="w : 1", on_pre="v_post += w")
    S.connect(j="k for k in sample(N_post, p=0.3)")
    with pytest.raises(ps.ModelError):
        S.n
    ps.Network(dt=0.1, seed=8, backend="numpy").add(A, S)
    assert _pairs(S) == _pairs(_connect(n_pre=20, seed=8, same=True,
                                        j="k for k in sample(N_post, p=0.3)"))


def _chain(backend):
    """A spike at neuron 0 travels along a chain wired by a generator."""
    model = ps.NeuronModel("v : 1", threshold="v > 0.5", reset="v = 0")
    net = ps.Network(dt=0.1, seed=3, backend=backend)
    with net:
        kick = ps.SpikeGeneratorGroup(1, indices=[0], times=[0.5])
        G = ps.NeuronGroup(8, model)
        ps.Synapses(kick, G, on_pre="v_post += 1").connect(i=[0], j=[0])
        S = ps.Synapses(G, G, model="w : 1", on_pre="v_post += w")
        S.connect(j="k for k in range(i+1, i+2)", skip_if_invalid=True)
        S.w = 1.0
        spikes = ps.SpikeMonitor(G)
    net.run(3.0)
    return S, spikes


def test_generated_synapses_carry_spikes():
    S, spikes = _chain("numpy")
    assert _pairs(S) == [(a, a + 1) for a in range(7)]
    np.testing.assert_array_equal(spikes.i, np.arange(8))
    assert np.all(np.diff(spikes.t) > 0)


def _recurrent(backend):
    net = ps.Network(dt=0.1, seed=9, backend=backend)
    model = ps.NeuronModel("dv/dt = (I - v)/tau : 1\nI : 1", threshold="v > 1",
                           reset="v = 0", params={"tau": 10.0}, method="euler")
    with net:
        G = ps.NeuronGroup(30, model, init={"I": "0.9 + 0.3*rand()"})
        S = ps.Synapses(G, G, model="w : 1", on_pre="v_post += w")
        S.connect(j="k for k in sample(i-5, i+6, p=0.5) if k != i and rand() < 0.8",
                  skip_if_invalid=True)
        S.w = 0.2
        spikes = ps.SpikeMonitor(G)
    net.run(30.0)
    return S, spikes


def test_numpy_and_cpu_make_the_same_synapses_and_spikes():
    (a, sa), (b, sb) = _recurrent("numpy"), _recurrent("cpu")
    assert a.n > 0 and sa.num_spikes > 20
    assert _pairs(a) == _pairs(b)
    np.testing.assert_array_equal(sa.i, sb.i)
    np.testing.assert_array_equal(sa.t, sb.t)
