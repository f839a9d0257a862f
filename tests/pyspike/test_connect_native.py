"""pyspike._native connectivity builders: fixed probability, fixed in-degree, fixed
out-degree.  Every call is seeded, so each statistical check is deterministic; its
tolerance (about 5 standard deviations) is only there to tell a right distribution from a
wrong one, which misses by far more."""
import math
import threading

import numpy as np
import pytest

from pyspike import _native
from pyspike.random import philox_draw, u01_f64

SEED, STREAM = 1234, 7


def prob(n_pre, n_post, p, **kw):
    return _native.connect_fixed_probability(SEED, STREAM, n_pre, n_post, p, **kw)


def indeg(n_pre, n_post, k, **kw):
    return _native.connect_fixed_indegree(SEED, STREAM, n_pre, n_post, k, **kw)


def outdeg(n_pre, n_post, k, **kw):
    return _native.connect_fixed_outdegree(SEED, STREAM, n_pre, n_post, k, **kw)


def pairs(i, j):
    return set(zip(i.tolist(), j.tolist()))


def all_pairs(n_pre, n_post, keep=lambda i, j: True):
    return {(i, j) for i in range(n_pre) for j in range(n_post) if keep(i, j)}


def assert_csr_order(i, j, n_post):
    key = i.astype(np.int64) * n_post + j
    assert np.all(np.diff(key) >= 0)


def assert_variance_near(counts, expected_var):
    # the sample variance of N near-normal values has a relative sd of sqrt(2 / (N - 1))
    tolerance = 5 * math.sqrt(2 / (len(counts) - 1)) * expected_var
    assert abs(counts.var(ddof=1) - expected_var) < tolerance


# ---------------------------------------------------------------- fixed probability

def test_fixed_probability_indegrees_follow_binomial():
    n_pre, n_post, p = 200, 4000, 0.1
    _, j = prob(n_pre, n_post, p)
    degrees = np.bincount(j, minlength=n_post)
    # chi-square over degree bins, tails pooled so that every bin expects >= 5 counts
    pmf = np.array([math.comb(n_pre, d) * p**d * (1 - p) ** (n_pre - d)
                    for d in range(n_pre + 1)])
    expected = n_post * pmf
    lo, hi = np.nonzero(expected >= 5)[0][[0, -1]]
    observed = np.bincount(np.clip(degrees, lo, hi), minlength=hi + 1)[lo:hi + 1]
    expected = np.concatenate(([expected[:lo + 1].sum()], expected[lo + 1:hi],
                               [expected[hi:].sum()]))
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    df = len(expected) - 1
    # chi2(df) has mean df and sd sqrt(2 df)
    assert chi2 < df + 5 * math.sqrt(2 * df)


def test_fixed_probability_degree_mean_and_variance_are_binomial():
    n_pre, n_post, p = 300, 3000, 0.2
    _, j = prob(n_pre, n_post, p)
    degrees = np.bincount(j, minlength=n_post)
    mean, var = n_pre * p, n_pre * p * (1 - p)
    assert abs(degrees.mean() - mean) < 5 * math.sqrt(var / n_post)
    assert_variance_near(degrees, var)


def test_fixed_probability_total_count_has_binomial_mean():
    n_pre, n_post, p = 1000, 1000, 0.05
    i, _ = prob(n_pre, n_post, p)
    n = n_pre * n_post
    assert abs(len(i) - n * p) < 5 * math.sqrt(n * p * (1 - p))


def test_fixed_probability_small_p_still_connects_at_the_right_rate():
    # geometric skipping with long gaps: 2e7 pairs, 20 expected synapses
    i, _ = prob(2000, 10000, 1e-6)
    assert abs(len(i) - 20) < 5 * math.sqrt(20)


def test_fixed_probability_zero_gives_no_synapse():
    i, j = prob(50, 60, 0.0)
    assert len(i) == len(j) == 0


def test_fixed_probability_one_gives_every_pair():
    i, j = prob(7, 9, 1.0)
    assert len(i) == 63
    assert pairs(i, j) == all_pairs(7, 9)


def test_self_offset_excludes_exactly_the_diagonal_pairs():
    i, j = prob(20, 20, 1.0, self_offset=0)
    assert pairs(i, j) == all_pairs(20, 20, lambda a, b: a != b)
    # subgroups of one group: pre = neurons 5..34, post = neurons 0..19, so j == i + 5
    # is the same neuron
    i, j = prob(30, 20, 1.0, self_offset=5)
    assert pairs(i, j) == all_pairs(30, 20, lambda a, b: b != a + 5)
    assert len(i) == 30 * 20 - 15


def test_self_offset_keeps_the_rate_of_the_other_pairs():
    n, p = 400, 0.3
    i, j = prob(n, n, p, self_offset=0)
    assert not np.any(i == j)
    pairs_left = n * n - n
    assert abs(len(i) - pairs_left * p) < 5 * math.sqrt(pairs_left * p * (1 - p))


def test_per_pair_repeats_each_connected_pair_consecutively():
    i1, j1 = prob(40, 50, 0.3)
    i3, j3 = prob(40, 50, 0.3, per_pair=3)
    np.testing.assert_array_equal(i3, np.repeat(i1, 3))
    np.testing.assert_array_equal(j3, np.repeat(j1, 3))


# ---------------------------------------------------------------- fixed degrees

def test_fixed_indegree_gives_exactly_k_distinct_per_post():
    i, j = indeg(50, 80, 45)
    assert np.all(np.bincount(j, minlength=80) == 45)
    assert len(pairs(i, j)) == len(i)


def test_fixed_indegree_with_multapses_may_repeat_pre():
    # 45 draws out of 50 with replacement: some repeat in every row, practically surely
    i, j = indeg(50, 80, 45, multapses=True)
    assert np.all(np.bincount(j, minlength=80) == 45)
    assert len(pairs(i, j)) < len(i)
    # more than n_pre is fine with multapses
    i, j = indeg(3, 4, 10, multapses=True)
    assert np.all(np.bincount(j, minlength=4) == 10)


@pytest.mark.parametrize("n_pre, n_post, k", [(1000, 2000, 100),   # bitmap sampler
                                              (5000, 50000, 4)])   # hash-set sampler
def test_fixed_indegree_picks_pre_uniformly(n_pre, n_post, k):
    i, j = indeg(n_pre, n_post, k)
    assert len(pairs(i, j)) == len(i)
    assert_csr_order(i, j, n_post)
    # each post takes each pre with probability k / n_pre, independently of other posts
    q = k / n_pre
    assert_variance_near(np.bincount(i, minlength=n_pre), n_post * q * (1 - q))


def test_fixed_indegree_self_offset_and_k_of_all_others():
    i, j = indeg(10, 10, 9, self_offset=0)
    assert pairs(i, j) == all_pairs(10, 10, lambda a, b: a != b)
    i, j = indeg(12, 10, 11, self_offset=-2)   # post j is pre j + 2
    assert pairs(i, j) == all_pairs(12, 10, lambda a, b: b != a - 2)


def test_fixed_outdegree_gives_exactly_k_distinct_per_pre():
    i, j = outdeg(80, 50, 45)
    assert np.all(np.bincount(i, minlength=80) == 45)
    assert len(pairs(i, j)) == len(i)


def test_fixed_outdegree_with_multapses_may_repeat_post():
    i, j = outdeg(80, 50, 45, multapses=True)
    assert np.all(np.bincount(i, minlength=80) == 45)
    assert len(pairs(i, j)) < len(i)


@pytest.mark.parametrize("n_pre, n_post, k", [(2000, 1000, 100), (50000, 5000, 4)])
def test_fixed_outdegree_picks_post_uniformly(n_pre, n_post, k):
    i, j = outdeg(n_pre, n_post, k)
    assert len(pairs(i, j)) == len(i)
    assert_csr_order(i, j, n_post)
    q = k / n_post
    assert_variance_near(np.bincount(j, minlength=n_post), n_pre * q * (1 - q))


def test_fixed_outdegree_self_offset_and_k_of_all_others():
    i, j = outdeg(10, 10, 9, self_offset=0)
    assert pairs(i, j) == all_pairs(10, 10, lambda a, b: a != b)


def test_degree_draws_follow_the_documented_philox_counter():
    # with multapses and k = 2, row r's targets are floor(u n) of the two uniforms of
    # Philox (elem r, step 0, stream): the result is the same on every machine
    n, rows = 97, 5
    x, y, z, w = (v.astype(np.float64)
                  for v in philox_draw(SEED, 0, np.arange(rows), STREAM))
    u = np.stack([(np.floor(x / 32) * 2**26 + np.floor(y / 64)) / 2**53,
                  (np.floor(z / 32) * 2**26 + np.floor(w / 64)) / 2**53], axis=1)
    expected = np.sort(np.floor(u * n).astype(np.int32), axis=1).ravel()
    np.testing.assert_array_equal(outdeg(rows, n, 2, multapses=True)[1], expected)
    i, j = indeg(n, rows, 2, multapses=True)
    np.testing.assert_array_equal(np.sort(i), np.sort(expected))
    np.testing.assert_array_equal(i[np.lexsort((i, j))], expected)


def reference_rows(n_rows, n_cols, k, multapses, shift=None):
    """Each fixed-degree row's columns, sorted, from NumPy's Philox: floor(u_c n) of row r's
    uniforms u_c (block c // 2: elem r, step c // 2), as k draws or by Floyd's algorithm
    (without multapses) from the n allowed columns, mapped past column r + shift."""
    blocks = [philox_draw(SEED, s, np.arange(n_rows), STREAM) for s in range((k + 1) // 2)]
    u = np.stack([u01_f64(x, y) for x, y, _, _ in blocks] +
                 [u01_f64(z, w) for _, _, z, w in blocks], axis=1)
    u = u[:, np.argsort(np.r_[0:2 * len(blocks):2, 1:2 * len(blocks):2], kind="stable")][:, :k]
    out = np.empty((n_rows, k), dtype=np.int64)
    for r in range(n_rows):
        skip = r + shift if shift is not None and 0 <= r + shift < n_cols else n_cols
        m = n_cols - (skip < n_cols)
        if multapses:
            cols = np.minimum(np.floor(u[r] * m), m - 1).astype(np.int64)
        else:
            taken = set()
            for c, v in enumerate(range(m - k, m)):
                t = min(int(u[r, c] * (v + 1)), v)
                taken.add(v if t in taken else t)
            cols = np.array(sorted(taken), dtype=np.int64)
        out[r] = np.sort(cols + (cols >= skip))
    return out


@pytest.mark.parametrize("n_pre, n_post, k, multapses, self_offset, threads", [
    (97, 300, 41, True, None, 1),       # the rows drawn eight blocks at a time, and the rest
    (97, 300, 40, True, 2, 3),
    (300, 700, 37, True, None, 2),      # presynaptic neurons sorted in buckets of two
    (257, 1024, 64, False, 0, 2),       # bitmap sampler
    (20000, 600, 3, False, -5, 3),      # hash-set sampler, buckets of 2**7
    (1000, 513, 999, False, 0, 2),      # every allowed partner
])
def test_fixed_indegree_equals_the_numpy_reference(n_pre, n_post, k, multapses, self_offset,
                                                    threads):
    shift = None if self_offset is None else -self_offset
    cols = reference_rows(n_post, n_pre, k, multapses, shift)
    i_ref, j_ref = cols.ravel(), np.repeat(np.arange(n_post), k)
    order = np.lexsort((j_ref, i_ref))
    i, j = indeg(n_pre, n_post, k, self_offset=self_offset, multapses=multapses,
                 threads=threads)
    np.testing.assert_array_equal(i, i_ref[order])
    np.testing.assert_array_equal(j, j_ref[order])


@pytest.mark.parametrize("n_pre, n_post, k, multapses, self_offset", [(300, 97, 41, True, None),
    (300, 97, 17, True, 2), (600, 20000, 3, False, -5), (1024, 257, 64, False, 0)])
def test_fixed_outdegree_equals_the_numpy_reference(n_pre, n_post, k, multapses, self_offset):
    cols = reference_rows(n_pre, n_post, k, multapses, self_offset)
    i, j = outdeg(n_pre, n_post, k, self_offset=self_offset, multapses=multapses, threads=2)
    np.testing.assert_array_equal(i, np.repeat(np.arange(n_pre), k))
    np.testing.assert_array_equal(j, cols.ravel())


@pytest.mark.parametrize("threads", [1, 2])
def test_fixed_indegree_of_many_neurons_on_both_sides_is_sorted_as_one(threads):
    # 2**20 + 1 pre and 2**20 post: the sort's uint32 (j << b) + l leaves b = 12 bits for
    # the low part of i (its buckets then hold 2**12 neurons, not 2**13), and the largest
    # j << 12 uses the top bit
    n_pre, n_post = 2**20 + 1, 2**20
    x, y, _, _ = philox_draw(SEED, 0, np.arange(n_post), STREAM)
    pre = np.minimum(np.floor(u01_f64(x, y) * n_pre), n_pre - 1).astype(np.int32)
    order = np.argsort(pre, kind="stable")
    i, j = indeg(n_pre, n_post, 1, multapses=True, threads=threads)
    np.testing.assert_array_equal(i, pre[order])
    np.testing.assert_array_equal(j, order)


# ---------------------------------------------------------------- all builders

BUILDERS = {
    "probability": lambda **kw: prob(60, 70, 0.2, **kw),
    "indegree": lambda **kw: indeg(60, 70, 20, **kw),
    "outdegree": lambda **kw: outdeg(60, 70, 20, **kw),
}


@pytest.mark.parametrize("name", BUILDERS)
def test_output_is_sorted_in_csr_order(name):
    i, j = BUILDERS[name]()
    assert_csr_order(i, j, 70)
    i, j = BUILDERS[name](self_offset=3)
    assert_csr_order(i, j, 70)


@pytest.mark.parametrize("name", BUILDERS)
def test_output_is_two_owned_int32_arrays_of_equal_length(name):
    i, j = BUILDERS[name]()
    for a in (i, j):
        assert a.dtype == np.int32 and a.ndim == 1 and a.flags.c_contiguous
        assert a.flags.writeable and a.base is not None   # the C++ buffer, not a copy
    assert len(i) == len(j) > 0


@pytest.mark.parametrize("fn, arg", [(_native.connect_fixed_probability, 0.2),
                                     (_native.connect_fixed_indegree, 20),
                                     (_native.connect_fixed_outdegree, 20)])
def test_deterministic_for_equal_arguments_and_different_for_another_stream_or_seed(fn, arg):
    first = fn(SEED, STREAM, 60, 70, arg)
    again = fn(SEED, STREAM, 60, 70, arg)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    for seed, stream in [(SEED, STREAM + 1), (SEED + 1, STREAM), (2**40 + SEED, STREAM)]:
        other = fn(seed, stream, 60, 70, arg)
        assert len(first[0]) != len(other[0]) or not np.array_equal(first[1], other[1])


def test_same_results_from_concurrent_threads():
    # the GIL is released while building: calls in threads overlap and must not interfere
    expected = prob(300, 300, 0.3)
    results = [None] * 4

    def work(t):
        results[t] = prob(300, 300, 0.3)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for got in results:
        np.testing.assert_array_equal(got[0], expected[0])
        np.testing.assert_array_equal(got[1], expected[1])


@pytest.mark.parametrize("fn", [indeg, outdeg])
@pytest.mark.parametrize("threads", [2, 3, 7])
def test_fixed_degree_rows_drawn_on_threads_are_those_of_one_thread(fn, threads):
    # 3000 rows: 256 and more per thread, so each of the threads draws some (the bitmap
    # sampler at k = 40 of 900, the hashed one at k = 3 of 9000, multapses)
    for n_cols, k, multapses in [(900, 40, False), (9000, 3, False), (50, 60, True)]:
        size = dict(n_pre=n_cols, n_post=3000) if fn is indeg else dict(n_pre=3000, n_post=n_cols)
        one = fn(size["n_pre"], size["n_post"], k, self_offset=2, multapses=multapses)
        many = fn(size["n_pre"], size["n_post"], k, self_offset=2, multapses=multapses,
                  threads=threads)
        np.testing.assert_array_equal(one[0], many[0])
        np.testing.assert_array_equal(one[1], many[1])


@pytest.mark.parametrize("n_pre, n_post", [(1, 1), (1, 9), (9, 1), (13, 17), (300, 7)])
@pytest.mark.parametrize("self_offset", [None, 0, -3, 4])
def test_no_index_lies_outside_its_range(n_pre, n_post, self_offset):
    off = self_offset
    # the fewest partners a neuron can choose from, with its excluded pair taken away
    fewest_in = n_pre - any(off is not None and 0 <= j - off < n_pre for j in range(n_post))
    fewest_out = n_post - any(off is not None and 0 <= i + off < n_post for i in range(n_pre))
    results = [prob(n_pre, n_post, 0.5, self_offset=off),
               prob(n_pre, n_post, 1.0, self_offset=off, per_pair=2)]
    if fewest_in > 0:
        results += [indeg(n_pre, n_post, fewest_in, self_offset=off),
                    indeg(n_pre, n_post, 2, self_offset=off, multapses=True)]
    if fewest_out > 0:
        results += [outdeg(n_pre, n_post, fewest_out, self_offset=off),
                    outdeg(n_pre, n_post, 2, self_offset=off, multapses=True)]
    for i, j in results:
        assert np.all((i >= 0) & (i < n_pre)) and np.all((j >= 0) & (j < n_post))
        if off is not None:
            assert not np.any(j == i + off)


def test_empty_groups_give_no_synapse():
    for i, j in [prob(0, 10, 0.5), prob(10, 0, 0.5), indeg(10, 0, 3), outdeg(0, 10, 3),
                 indeg(10, 10, 0), outdeg(10, 10, 0)]:
        assert len(i) == len(j) == 0


@pytest.mark.parametrize("call, match", [
    (lambda: prob(-1, 10, 0.1), "n_pre"),
    (lambda: prob(10, -1, 0.1), "n_post"),
    (lambda: prob(2**31, 10, 0.1), "n_pre"),
    (lambda: indeg(10, 2**31, 1), "n_post"),
    (lambda: outdeg(2**31, 10, 1), "n_pre"),
    (lambda: prob(10, 10, -0.1), "p must"),
    (lambda: prob(10, 10, 1.5), "p must"),
    (lambda: prob(10, 10, float("nan")), "p must"),
    (lambda: prob(10, 10, 0.1, per_pair=0), "per_pair"),
    (lambda: indeg(10, 10, -1), "k must"),
    (lambda: indeg(10, 10, 2**31, multapses=True), "k must"),
    (lambda: indeg(10, 5, 11), "only 10 presynaptic"),
    (lambda: outdeg(5, 10, 11), "only 10 postsynaptic"),
    (lambda: indeg(10, 10, 10, self_offset=0), "only 9 presynaptic"),
    (lambda: outdeg(10, 10, 10, self_offset=0), "only 9 postsynaptic"),
    (lambda: indeg(0, 5, 1, multapses=True), "no presynaptic"),
    (lambda: outdeg(1, 1, 1, self_offset=0, multapses=True), "no postsynaptic"),
    (lambda: _native.connect_fixed_probability(-1, 0, 10, 10, 0.1), "seed"),
    (lambda: _native.connect_fixed_probability(2**64, 0, 10, 10, 0.1), "seed"),
    (lambda: _native.connect_fixed_indegree(1, -1, 10, 10, 1), "stream"),
    (lambda: _native.connect_fixed_outdegree(1, 2**32, 10, 10, 1), "stream"),
    (lambda: indeg(10, 10, 1, threads=0), "threads must"),
    (lambda: outdeg(10, 10, 1, threads=5000), "threads must"),
])
def test_bad_arguments_raise_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_largest_seed_and_stream_are_accepted():
    i, _ = _native.connect_fixed_probability(2**64 - 1, 2**32 - 1, 10, 10, 0.5)
    assert 0 < len(i) < 100
