"""pyspike._native.delay_index: the order in which a delayed pathway visits its synapses,
equal to what NumPy's stable lexsort by (presynaptic neuron, delay in steps) gives."""
import numpy as np
import pytest

from pyspike import _native


def numpy_index(row, delay, dt):
    steps = np.floor(np.asarray(delay, dtype=np.float64) / dt + 0.5).astype(np.int64)
    R = int(steps.max()) + 1 if steps.size else 1
    i = np.repeat(np.arange(row.size - 1), np.diff(row))
    order = np.lexsort((steps, i)).astype(np.int32)
    counts = np.bincount(i * R + steps, minlength=(row.size - 1) * R)
    return order, np.concatenate([[0], np.cumsum(counts)]), R


def random_rows(rng, n_pre, most):
    return np.concatenate([[0], np.cumsum(rng.integers(0, most, n_pre))]).astype(np.int64)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_order_and_starts_are_numpys(seed):
    # delays on and near half steps (rounded half up), ties within rows, empty rows
    rng = np.random.default_rng(seed)
    row = random_rows(rng, 50, 30)
    dt = 0.1
    delay = rng.choice([0.0, 0.05, 0.15, 0.25, 1.0, 2.35, 0.7, 0.1 * 7.5], row[-1])
    delay[::7] = rng.uniform(0.0, 3.0, delay[::7].size)
    order, doff, R = _native.delay_index(row, delay, dt)
    expected = numpy_index(row, delay, dt)
    assert order.dtype == np.int32 and doff.dtype == np.int32
    np.testing.assert_array_equal(order, expected[0])
    np.testing.assert_array_equal(doff, expected[1])
    assert R == expected[2]


def test_no_synapse_gives_a_ring_of_one_step():
    order, doff, R = _native.delay_index(np.zeros(4, dtype=np.int64), np.zeros(0), 0.1)
    assert order.size == 0 and R == 1
    np.testing.assert_array_equal(doff, np.zeros(4))


@pytest.mark.parametrize("row, delay, dt, match", [
    (np.array([0, 2], dtype=np.int64), np.array([0.1, -0.1]), 0.1, "finite and >= 0"),
    (np.array([0, 2], dtype=np.int64), np.array([0.1, np.nan]), 0.1, "finite and >= 0"),
    (np.array([0, 3], dtype=np.int64), np.array([0.1, 0.2]), 0.1, "number of synapses"),
    (np.array([0, 2], dtype=np.int64), np.array([0.1, 0.2]), 0.0, "dt"),
])
def test_inconsistent_arguments_are_refused(row, delay, dt, match):
    with pytest.raises(ValueError, match=match):
        _native.delay_index(row, delay, dt)


@pytest.mark.parametrize("in_row", [False, True])
@pytest.mark.parametrize("threads", [2, 3, 7])
def test_the_index_is_numpys_on_any_number_of_threads(threads, in_row):
    # rows of up to 400 synapses, 2**16 and more in all (fewer run on one thread)
    rng = np.random.default_rng(threads)
    row = random_rows(rng, 700, 400)
    steps = rng.integers(0, 40, row[-1]).astype(np.uint8)
    order, doff, R = _native.step_index(row, steps, in_row, threads)
    expected = numpy_index(row, steps * 0.1, 0.1)
    i = np.repeat(np.arange(row.size - 1), np.diff(row)).astype(np.int64)
    places = expected[0] - row[i[expected[0]]] if in_row else expected[0]
    np.testing.assert_array_equal(order, places)
    np.testing.assert_array_equal(doff, expected[1])
    assert row[-1] >= 2 ** 16 and R == expected[2]
    same = _native.delay_index(row, steps * 0.1, 0.1, in_row, threads)
    np.testing.assert_array_equal(same[0], order)
