"""Synapses.connect: which pairs each rule makes, their number and order, and that random
rules follow the network's seed (and their distributions)."""
import math

import numpy as np
import pytest

import pyspike as ps

MODEL = ps.NeuronModel("dv/dt = -v/tau : 1\nx : 1", params={"tau": 10.0})


def _connect(size_pre=30, size_post=40, seed=1, same_group=False, pre=None, post=None, **rule):
    """Synapses between two groups (or slices of one group of 100), connected by rule."""
    net = ps.Network(dt=0.1, seed=seed, backend="numpy")
    with net:
        if same_group or pre is not None:
            G = ps.NeuronGroup(100, MODEL, init={"x": "i*1.0"})
            source = G[pre] if pre is not None else G
            target = G[post] if post is not None else G
        else:
            source = ps.NeuronGroup(size_pre, MODEL, init={"x": "i*1.0"})
            target = ps.NeuronGroup(size_post, MODEL, init={"x": "100.0 - 2.0*i"})
        S = ps.Synapses(source, target, model="w : 1", on_pre="v_post += w")
        S.connect(**rule)
    return S


def _pairs(S):
    return list(zip(S.i.tolist(), S.j.tolist()))


def _absolute_self_pairs(S):
    """Synapses whose pre- and postsynaptic neurons are the same neuron of the group."""
    return np.count_nonzero(S.i + S.pre_range[0] == S.j + S.post_range[0])


# --- deterministic rules ------------------------------------------------------------------

def test_explicit_pairs_are_made_as_given_and_stored_sorted_by_i():
    S = _connect(i=[3, 0, 3, 1], j=[5, 7, 2, 7])
    assert S.n == 4
    np.testing.assert_array_equal(S.i, [0, 1, 3, 3])
    np.testing.assert_array_equal(S.j, [7, 7, 5, 2])       # stable within a row


def test_explicit_indices_out_of_range_are_rejected():
    with pytest.raises(ps.ModelError):
        _connect(i=[0, 30], j=[1, 1])
    with pytest.raises(ps.ModelError):
        _connect(i=[0, 1], j=[1, 40])
    with pytest.raises(ps.ModelError):
        _connect(i=[0, 1], j=[1])


def test_one_to_one_by_expression():
    S = _connect(size_pre=30, size_post=30, j="i")
    np.testing.assert_array_equal(S.i, np.arange(30))
    np.testing.assert_array_equal(S.j, np.arange(30))


def test_a_target_expression_out_of_range_makes_no_synapse():
    S = _connect(size_pre=30, size_post=40, j="2*i - 5")
    i = np.arange(30)
    keep = (2 * i - 5 >= 0) & (2 * i - 5 < 40)
    np.testing.assert_array_equal(S.i, i[keep])
    np.testing.assert_array_equal(S.j, (2 * i - 5)[keep])


def test_all_to_all_is_stored_densely_and_reads_as_all_pairs():
    S = _connect(size_pre=7, size_post=5)
    assert S.dense
    assert S.n == 35
    np.testing.assert_array_equal(S.i, np.repeat(np.arange(7), 5))
    np.testing.assert_array_equal(S.j, np.tile(np.arange(5), 7))


def test_probability_one_is_all_to_all():
    S = _connect(size_pre=7, size_post=5, p=1.0)
    assert S.n == 35 and S.dense


def test_probability_zero_makes_no_synapse():
    assert _connect(p=0.0).n == 0


@pytest.mark.parametrize("condition, numpy_condition", [
    ("i != j", lambda i, j, xp, xq: i != j),
    ("abs(i - j) <= 2", lambda i, j, xp, xq: np.abs(i - j) <= 2),
    ("(i + 2*j) % 5 == 1 or i > 27", lambda i, j, xp, xq: ((i + 2 * j) % 5 == 1) | (i > 27)),
    ("x_pre > x_post - 60 and j < 30", lambda i, j, xp, xq: (xp > xq - 60) & (j < 30)),
    ("x_pre*2 >= x", lambda i, j, xp, xq: xp * 2 >= xq),     # plain x: the postsynaptic one
])
def test_a_condition_selects_exactly_the_pairs_meeting_it(condition, numpy_condition):
    S = _connect(size_pre=30, size_post=40, condition=condition)
    i, j = np.meshgrid(np.arange(30), np.arange(40), indexing="ij")
    xp, xq = 1.0 * i, 100.0 - 2.0 * j
    keep = numpy_condition(i, j, xp, xq)
    assert 0 < keep.sum() < keep.size
    np.testing.assert_array_equal(S.i, i[keep])
    np.testing.assert_array_equal(S.j, j[keep])


def test_a_condition_on_slices_uses_the_slices_neurons():
    # G[10:40] -> G[50:90] with x = absolute neuron number
    S = _connect(pre=slice(10, 40), post=slice(50, 90),
                 condition="x_pre + 45 > x_post and x > 60")
    i, j = np.meshgrid(np.arange(30), np.arange(40), indexing="ij")
    keep = (10 + i + 45 > 50 + j) & (50 + j > 60)
    assert 0 < keep.sum() < keep.size
    np.testing.assert_array_equal(S.i, i[keep])
    np.testing.assert_array_equal(S.j, j[keep])


def test_synaptic_values_on_slices_read_the_slices_neurons():
    S = _connect(pre=slice(10, 40), post=slice(50, 90), j="i")
    with S.network:
        S.w = "x_pre*1000 + x_post"
    np.testing.assert_array_equal(S.w, (10 + S.i) * 1000.0 + (50 + S.j))


def test_a_condition_with_probability_selects_a_random_subset_of_its_pairs():
    S = _connect(size_pre=60, size_post=60, condition="i < j", p=0.3)
    assert np.all(S.i < S.j)
    candidates = 60 * 59 // 2
    # Binomial(1770, 0.3): mean 531, sd 19.3; 5 sd either way
    assert abs(S.n - 0.3 * candidates) < 5 * math.sqrt(candidates * 0.3 * 0.7)
    assert len(set(_pairs(S))) == S.n


def test_random_numbers_are_not_allowed_in_a_condition():
    with pytest.raises(ps.ModelError):
        _connect(condition="rand() < 0.5")


def test_unknown_names_in_a_condition_are_rejected():
    with pytest.raises(ps.ModelError) as err:
        _connect(condition="i != k")
    assert "k" in str(err.value)


def test_several_connect_calls_add_up_and_stay_sorted_by_i():
    net = ps.Network(dt=0.1, seed=2, backend="numpy")
    with net:
        A = ps.NeuronGroup(10, MODEL)
        S = ps.Synapses(A, A, model="w : 1", on_pre="v_post += w")
        S.connect(i=[5, 1], j=[0, 0])
        S.w = S.i          # w = 1 on (1, 0), 5 on (5, 0)
        S.connect(j="i")
        S.connect(condition="j == 9 - i")
    assert S.n == 2 + 10 + 10
    assert np.all(np.diff(S.i) >= 0)
    assert sorted(_pairs(S)) == sorted([(5, 0), (1, 0)] + [(k, k) for k in range(10)]
                                       + [(k, 9 - k) for k in range(10)])
    # values already set follow their synapses; new synapses start at 0
    w = {(int(a), int(b)): float(c) for a, b, c in zip(S.i, S.j, S.w)
         if (a, b) in [(5, 0), (1, 0)]}
    assert w == {(5, 0): 5.0, (1, 0): 1.0}
    assert np.count_nonzero(S.w) == 2


def test_all_to_all_then_more_synapses_is_no_longer_dense():
    S = _connect(size_pre=4, size_post=3)
    net = S.network
    with net:
        S.connect(i=[2], j=[1])
    assert not S.dense
    assert S.n == 13
    assert _pairs(S).count((2, 1)) == 2
    assert np.all(np.diff(S.i) >= 0)


# --- n, autapses, multapses -------------------------------------------------------------

@pytest.mark.parametrize("rule", [dict(i=[0, 4, 4], j=[1, 2, 3]), dict(j="i"),
                                  dict(condition="(i*j) % 4 == 1"), dict()])
def test_n_two_makes_two_synapses_for_every_pair(rule):
    once = _connect(size_pre=12, size_post=12, **rule)
    twice = _connect(size_pre=12, size_post=12, n=2, **rule)
    assert twice.n == 2 * once.n
    np.testing.assert_array_equal(twice.i, np.repeat(once.i, 2))
    np.testing.assert_array_equal(twice.j, np.repeat(once.j, 2))


def test_n_two_with_a_probability_doubles_every_chosen_pair():
    S = _connect(size_pre=40, size_post=40, p=0.2, n=2)
    pairs, counts = np.unique(np.stack([S.i, S.j]), axis=1, return_counts=True)
    assert S.n > 0
    np.testing.assert_array_equal(counts, 2)


@pytest.mark.parametrize("rule", [dict(n_pre=3), dict(n_post=3)])
def test_n_two_with_a_fixed_degree_doubles_every_pair_or_is_rejected(rule):
    # n synapses per chosen pair applies to every rule; a rule that cannot honour it
    # must say so rather than silently make one synapse per pair
    try:
        S = _connect(size_pre=20, size_post=20, n=2, multapses=False, **rule)
    except ps.ModelError:
        return
    pairs, counts = np.unique(np.stack([S.i, S.j]), axis=1, return_counts=True)
    np.testing.assert_array_equal(counts, 2)
    assert S.n == 20 * 3 * 2


def test_a_bad_number_of_synapses_per_pair_is_rejected():
    with pytest.raises(ps.ModelError):
        _connect(n=0)
    with pytest.raises(ps.ModelError):
        _connect(p=1.5)


@pytest.mark.parametrize("rule", [dict(), dict(p=0.5), dict(condition="i >= j - 3"),
                                  dict(j="i"), dict(i=[0, 1, 2, 3], j=[0, 2, 2, 3]),
                                  dict(n_pre=5), dict(n_post=5)])
def test_no_autapses_on_one_group(rule):
    with_self = _connect(same_group=True, **rule)
    S = _connect(same_group=True, autapses=False, **rule)
    assert _absolute_self_pairs(S) == 0
    if "n_pre" not in rule and "n_post" not in rule and "p" not in rule:
        expected = [pair for pair in _pairs(with_self) if pair[0] != pair[1]]
        assert _pairs(S) == expected


@pytest.mark.parametrize("rule", [dict(), dict(p=0.5), dict(condition="i >= j"),
                                  dict(j="i - 10 + (i % 2)"),
                                  dict(i=[10, 11, 12, 5], j=[0, 5, 2, 5]),
                                  dict(n_pre=5), dict(n_post=5)])
def test_no_autapses_between_overlapping_slices_compares_absolute_neuron_numbers(rule):
    # G[0:40] -> G[10:60]: presynaptic i and postsynaptic j are the same neuron when
    # i == j + 10; i == j is a synapse between different neurons and must stay
    S = _connect(pre=slice(0, 40), post=slice(10, 60), autapses=False, **rule)
    assert S.n > 0
    assert _absolute_self_pairs(S) == 0
    reference = _connect(pre=slice(0, 40), post=slice(10, 60), **rule)
    assert _absolute_self_pairs(reference) > 0
    if "n_pre" not in rule and "n_post" not in rule and "p" not in rule:
        expected = [(a, b) for a, b in _pairs(reference) if a != b + 10]
        assert _pairs(S) == expected
    if not rule:
        assert (5, 5) in _pairs(S)


def test_autapses_between_different_groups_are_not_removed():
    S = _connect(size_pre=10, size_post=10, j="i", autapses=False)
    assert S.n == 10


def test_disjoint_slices_of_one_group_lose_no_synapse_to_autapses_false():
    S = _connect(pre=slice(0, 20), post=slice(20, 40), j="i", autapses=False)
    assert S.n == 20


def test_explicit_pairs_without_multapses_are_made_once():
    S = _connect(i=[1, 1, 0, 1], j=[2, 2, 3, 2], multapses=False)
    assert _pairs(S) == [(0, 3), (1, 2)]


# --- fixed in- and out-degree -----------------------------------------------------------

@pytest.mark.parametrize("k", [1, 7, 30])
def test_fixed_indegree_gives_every_postsynaptic_neuron_exactly_k(k):
    net = ps.Network(dt=0.1, seed=4, backend="numpy")
    with net:
        A, B = ps.NeuronGroup(30, MODEL), ps.NeuronGroup(40, MODEL)
        S = ps.Synapses(A, B, model="w : 1", on_pre="v_post += w")
        S.connect(n_pre=k)
    assert S.n == 40 * k
    np.testing.assert_array_equal(np.bincount(S.j, minlength=40), k)
    assert S.i.min() >= 0 and S.i.max() < 30
    assert np.all(np.diff(S.i) >= 0)


@pytest.mark.parametrize("k", [1, 7, 40])
def test_fixed_outdegree_gives_every_presynaptic_neuron_exactly_k(k):
    net = ps.Network(dt=0.1, seed=4, backend="numpy")
    with net:
        A, B = ps.NeuronGroup(30, MODEL), ps.NeuronGroup(40, MODEL)
        S = ps.Synapses(A, B, model="w : 1", on_pre="v_post += w")
        S.connect(n_post=k)
    assert S.n == 30 * k
    np.testing.assert_array_equal(np.bincount(S.i, minlength=30), k)
    assert S.j.min() >= 0 and S.j.max() < 40


@pytest.mark.parametrize("rule", [dict(n_pre=12), dict(n_post=12)])
def test_fixed_degree_without_multapses_picks_distinct_partners(rule):
    S = _connect(size_pre=15, size_post=15, multapses=False, **rule)
    assert S.n == 15 * 12
    assert len(set(_pairs(S))) == S.n


def test_fixed_degree_equal_to_the_group_size_without_multapses_takes_everyone():
    S = _connect(size_pre=9, size_post=11, n_pre=9, multapses=False)
    assert sorted(_pairs(S)) == [(a, b) for a in range(9) for b in range(11)]


def test_fixed_indegree_with_multapses_allowed_repeats_partners_sometimes():
    # 40 postsynaptic neurons each drawing 10 of 10 with replacement: all distinct for
    # one neuron has probability 10!/10**10 = 3.6e-4
    S = _connect(size_pre=10, size_post=40, n_pre=10)
    assert len(set(_pairs(S))) < S.n


def test_fixed_indegree_without_autapses_on_one_group():
    S = _connect(same_group=True, n_pre=99, autapses=False, multapses=False)
    assert _absolute_self_pairs(S) == 0
    np.testing.assert_array_equal(np.bincount(S.j, minlength=100), 99)
    assert len(set(_pairs(S))) == S.n


def test_fixed_degree_rules_reject_a_probability_or_condition():
    with pytest.raises(ps.ModelError):
        _connect(n_pre=3, p=0.5)
    with pytest.raises(ps.ModelError):
        _connect(n_post=3, condition="i != j")


# --- fixed probability: the distribution --------------------------------------------------

def _binomial_pmf(n, p):
    return np.array([math.comb(n, k) * p ** k * (1 - p) ** (n - k) for k in range(n + 1)])


def _chi_square(observed_values, n, p):
    """Pearson's statistic of values against Binomial(n, p), bins merged so that every
    bin expects at least 5; returns (statistic, degrees of freedom)."""
    pmf = _binomial_pmf(n, p)
    expected = pmf * len(observed_values)
    counts = np.bincount(observed_values, minlength=n + 1).astype(float)
    bins_e, bins_o, e_acc, o_acc = [], [], 0.0, 0.0
    for e, o in zip(expected, counts):
        e_acc += e
        o_acc += o
        if e_acc >= 5:
            bins_e.append(e_acc)
            bins_o.append(o_acc)
            e_acc = o_acc = 0.0
    bins_e[-1] += e_acc
    bins_o[-1] += o_acc
    bins_e, bins_o = np.array(bins_e), np.array(bins_o)
    return float(((bins_o - bins_e) ** 2 / bins_e).sum()), len(bins_e) - 1


@pytest.mark.parametrize("seed", [1, 2])
def test_fixed_probability_indegrees_follow_the_binomial_distribution(seed):
    n_pre, n_post, p = 200, 400, 0.1
    S = _connect(size_pre=n_pre, size_post=n_post, p=p, seed=seed)
    indegree = np.bincount(S.j, minlength=n_post)
    # the total is Binomial(80000, 0.1): mean 8000, sd 85; 5 sd either way
    assert abs(S.n - n_pre * n_post * p) < 5 * math.sqrt(n_pre * n_post * p * (1 - p))
    # sample mean of 400 in-degrees: sd sqrt(18/400) = 0.21; 5 sd
    assert abs(indegree.mean() - n_pre * p) < 5 * math.sqrt(n_pre * p * (1 - p) / n_post)
    # sample variance (true 18): its sd is about 18*sqrt(2/399) = 1.27; 5 sd
    assert abs(indegree.var(ddof=1) - n_pre * p * (1 - p)) < 5 * 1.27
    # chi-square against the pmf: mean = df, sd = sqrt(2 df); a threshold of
    # df + 6 sqrt(2 df) is passed by a correct generator with probability > 0.999
    stat, df = _chi_square(indegree, n_pre, p)
    assert stat < df + 6 * math.sqrt(2 * df), (stat, df)


def test_fixed_probability_outdegrees_follow_the_binomial_distribution():
    n_pre, n_post, p = 400, 150, 0.2
    S = _connect(size_pre=n_pre, size_post=n_post, p=p, seed=9)
    outdegree = np.bincount(S.i, minlength=n_pre)
    assert abs(outdegree.mean() - n_post * p) < 5 * math.sqrt(n_post * p * (1 - p) / n_pre)
    stat, df = _chi_square(outdegree, n_post, p)
    assert stat < df + 6 * math.sqrt(2 * df), (stat, df)


def test_fixed_probability_pairs_are_distinct_and_sorted_by_i():
    S = _connect(size_pre=80, size_post=90, p=0.3)
    assert len(set(_pairs(S))) == S.n
    assert np.all(np.diff(S.i) >= 0)
    assert S.i.min() >= 0 and S.i.max() < 80 and S.j.min() >= 0 and S.j.max() < 90


def test_fixed_probability_has_no_pattern_across_rows():
    # each pair independently: the rows' out-degrees are not correlated with i, and
    # (i + j) parity is balanced among the chosen pairs
    S = _connect(size_pre=100, size_post=100, p=0.25, seed=5)
    parity = np.mean((S.i + S.j) % 2)
    # a Bernoulli(1/2) mean of ~2500 pairs: sd 0.01; 5 sd
    assert abs(parity - 0.5) < 0.05
    out = np.bincount(S.i, minlength=100)
    r = np.corrcoef(np.arange(100), out)[0, 1]
    assert abs(r) < 0.4      # sd of r for 100 independent samples is about 0.1


# --- seeds --------------------------------------------------------------------------------

@pytest.mark.parametrize("rule", [dict(p=0.1), dict(n_pre=5), dict(n_post=5),
                                  dict(condition="i != j", p=0.2)])
def test_the_same_seed_gives_the_same_connectivity_and_another_seed_does_not(rule):
    a = _connect(seed=11, **rule)
    b = _connect(seed=11, **rule)
    c = _connect(seed=12, **rule)
    assert _pairs(a) == _pairs(b)
    assert _pairs(a) != _pairs(c)


def test_connectivity_does_not_depend_on_the_backend():
    pairs = []
    for backend in ("numpy", "cpu"):
        net = ps.Network(dt=0.1, seed=21, backend=backend)
        with net:
            A = ps.NeuronGroup(30, MODEL)
            S = ps.Synapses(A, A, model="w : 1", on_pre="v_post += w")
            S.connect(p=0.2)
            S.connect(n_pre=3)
            S.connect(condition="i > j", p=0.1)
        pairs.append(_pairs(S))
    assert pairs[0] == pairs[1]


def test_two_random_connect_calls_draw_different_pairs():
    net = ps.Network(dt=0.1, seed=3, backend="numpy")
    with net:
        A = ps.NeuronGroup(50, MODEL)
        S1 = ps.Synapses(A, A, model="w : 1", on_pre="v_post += w")
        S1.connect(p=0.2)
        S2 = ps.Synapses(A, A, model="w : 1", on_pre="v_post += w")
        S2.connect(p=0.2)
    assert _pairs(S1) != _pairs(S2)


def test_random_connect_outside_a_network_waits_for_its_seed():
    A = ps.NeuronGroup(20, MODEL)
    S = ps.Synapses(A, A, model="w : 1", on_pre="v_post += w")
    S.connect(p=0.3)
    with pytest.raises(ps.ModelError):
        S.n
    with pytest.raises(ps.ModelError):
        S.i
    net = ps.Network(dt=0.1, seed=8, backend="numpy")
    net.add(A, S)
    assert S.n > 0
    # the same as connecting inside `with net:` (same seed, same order of connect calls)
    inside = ps.Network(dt=0.1, seed=8, backend="numpy")
    with inside:
        B = ps.NeuronGroup(20, MODEL)
        T = ps.Synapses(B, B, model="w : 1", on_pre="v_post += w")
        T.connect(p=0.3)
    assert _pairs(S) == _pairs(T)


# --- storage -------------------------------------------------------------------------------

@pytest.mark.parametrize("precision, n_post, limit", [
    ("single", 300, 6), ("double", 300, 10),        # a 2-byte index: targets <= 65,536
    ("single", 70000, 8)])                           # a 4-byte index beyond
def test_a_static_weighted_synapse_costs_an_index_and_a_weight(precision, n_post, limit):
    """2 bytes of index per synapse (4 for targets of more than 65,536 neurons) and its
    weight (4 or 8); row pointers are per presynaptic neuron, not per synapse."""
    model = ps.NeuronModel("v : 1")
    net = ps.Network(dt=0.1, seed=1, backend="cpu", precision=precision)
    with net:
        A, B = ps.NeuronGroup(200, model), ps.NeuronGroup(n_post, model)
        S = ps.Synapses(A, B, model="w : 1", on_pre="v_post += w")
        S.connect(p=0.1 if n_post < 1000 else 0.001)
        S.w = "rand()"
    net.run(1.0)
    per_synapse = [a for a in (S.state.col, S.state.variables["w"]) if a.size == S.n]
    assert sum(a.nbytes for a in per_synapse) / S.n == limit
    assert S.state.row.size == A.N + 1


def test_all_to_all_synapses_store_no_index():
    model = ps.NeuronModel("v : 1")
    net = ps.Network(dt=0.1, seed=1, backend="cpu", precision="single")
    with net:
        A, B = ps.NeuronGroup(20, model), ps.NeuronGroup(30, model)
        S = ps.Synapses(A, B, model="w : 1", on_pre="v_post += w")
        S.connect()
    net.run(1.0)
    assert S.dense and S.state.col is None and S.state.variables["w"].nbytes == 4 * S.n
