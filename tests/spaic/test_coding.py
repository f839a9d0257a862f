"""SPAIC's encoders and generators (pyspike/spaic/coding.py) on hand-made inputs: each
expected train below is worked out by hand from SPAIC's definition."""
import math

import numpy as np
import pytest

from pyspike.codegen.errors import ModelError
from pyspike.spaic import coding


def spike_steps(train):
    """{(sample, neuron): [steps]} of a (B, T, N) train."""
    out = {}
    for b, k, n in zip(*np.nonzero(train)):
        out.setdefault((int(b), int(n)), []).append(int(k))
    return out


# ----------------------------------------------------------------------------- latency
def test_latency_puts_the_largest_input_first_and_the_smallest_last():
    # S = steps - 1 = 10; step = int(10 * (1 - x / (1 + 1e-10)))
    steps = coding.latency_steps(np.array([[0.0, 1.0, 0.5, 0.25]]), 11)
    assert steps.tolist() == [[10, 0, 5, 7]]


def test_latency_train_has_one_spike_per_input_at_its_step():
    train = coding.encode_latency(np.array([[0.0, 1.0, 0.5, 0.25]]), 11, 0.1)
    assert train.shape == (1, 11, 4)
    assert spike_steps(train) == {(0, 0): [10], (0, 1): [0], (0, 2): [5], (0, 3): [7]}


def test_latency_scales_by_the_minimum_and_maximum_of_the_whole_batch():
    # per sample, the flat second sample would spike last (step 10); over the batch it
    # sits halfway
    steps = coding.latency_steps(np.array([[0.0, 1.0], [0.5, 0.5]]), 11)
    assert steps.tolist() == [[10, 0], [5, 5]]


def test_latency_max_scale_shrinks_the_window_to_a_fraction_of_the_run():
    steps = coding.latency_steps(np.array([[0.0, 0.5, 1.0]]), 11, max_scale=0.5)
    assert steps.tolist() == [[5, 2, 0]]


def test_latency_cut_off_silences_inputs_at_most_five_percent_of_the_row_maximum():
    train = coding.encode_latency(np.array([[0.01, 1.0, 0.5]]), 11, 0.1, cut_off=True)
    assert spike_steps(train) == {(0, 1): [0], (0, 2): [5]}


def test_latency_refuses_negative_inputs():
    with pytest.raises(ModelError, match="non-negative"):
        coding.encode_latency(np.array([[-1.0, 1.0]]), 5, 0.1)


def test_relative_latency_drops_the_spikes_after_eighty_percent_of_the_step_range():
    # e = exp(-x) - min = [1, 1/2, 1/4, e^-10] - e^-10; step = int(99.99999 * e)
    # = [99, 49, 24, 0]; cut = int(0.8 * 99) = 79 removes the spike at 99
    x = np.array([[0.0, math.log(2.0), math.log(4.0), 10.0]])
    assert coding.relative_latency_steps(x, 101).tolist() == [[101, 49, 24, 0]]


def test_relative_latency_of_equal_inputs_gives_no_spike_at_all():
    train = coding.encode_relative_latency(np.full((1, 3), 0.7), 20, 0.1)
    assert not train.any()


def test_relative_latency_refuses_a_scale_outside_zero_to_one():
    with pytest.raises(ModelError, match="scale"):
        coding.encode_relative_latency(np.ones((1, 2)), 5, 0.1, scale=1.0)


# ----------------------------------------------------------------------------- poisson
def test_poisson_probability_is_input_times_unit_conversion_times_dt():
    p = coding.poisson_probability(np.array([[0.2, 1.0]]), 0.5, unit_conversion=2.0)
    assert p.tolist() == [[0.2, 1.0]]


def test_poisson_reference_train_spikes_exactly_where_the_uniform_is_below_p():
    u = np.array([[[0.1, 0.5]], [[0.3, 0.5]], [[0.29, 0.9]]]).transpose(1, 0, 2)
    train = coding.encode_poisson(np.array([[0.3, 0.5]]), 3, 1.0, u)
    assert train[0].tolist() == [[1.0, 0.0], [0.0, 0.0], [1.0, 0.0]]


def test_poisson_rates_lie_within_binomial_bounds():
    rng = np.random.default_rng(7)
    x, steps, dt = np.array([[0.0, 0.05, 0.2, 0.5]]), 4000, 1.0
    counts = coding.encode_poisson(x, steps, dt, rng.random((1, steps, 4)))[0].sum(axis=0)
    p = x[0] * dt
    assert counts[0] == 0
    assert np.all(np.abs(counts - steps * p) <= 5.0 * np.sqrt(steps * p * (1 - p)))


def test_poisson_window_counts_steps_from_one_and_so_opens_a_step_early():
    # index = k + 1 is active for start_time/dt <= index <= end_time/dt: k = 2 .. 6
    active = coding.poisson_active_steps(10, 1.0, start_time=3.0, end_time=7.0)
    assert np.flatnonzero(active).tolist() == [2, 3, 4, 5, 6]


def test_poisson_train_is_silent_outside_its_window():
    train = coding.encode_poisson(np.ones((1, 2)), 10, 1.0, np.zeros((1, 10, 2)),
                                  start_time=3.0, end_time=7.0)
    assert np.flatnonzero(train[0, :, 0]).tolist() == [2, 3, 4, 5, 6]


def test_poisson_refuses_uniforms_of_the_wrong_shape():
    with pytest.raises(ModelError, match="uniforms"):
        coding.encode_poisson(np.ones((2, 3)), 5, 1.0, np.zeros((1, 5, 3)))


# ----------------------------------------------------------------- spike times, others
def test_sstb_spikes_in_the_step_of_each_time_truncated():
    train = coding.encode_sstb(np.array([[0.0, 0.25, 0.95]]), 10, 0.1)
    assert spike_steps(train) == {(0, 0): [0], (0, 1): [2], (0, 2): [9]}


def test_sstb_refuses_a_time_after_the_run():
    with pytest.raises(ModelError, match="after the run"):
        coding.encode_sstb(np.array([[1.0]]), 10, 0.1)


def test_mstb_adds_two_spikes_of_a_neuron_in_one_step_and_clamps_late_ones():
    sample = (np.array([0.1, 0.15, 0.5, 9.0]), np.array([1, 1, 3, 0]))
    train = coding.encode_mstb([sample], 5, 0.1, num=4)
    assert train[0, 1, 1] == 2.0
    assert train[0, 4, 3] == 1.0 and train[0, 4, 0] == 1.0
    assert train.sum() == 4.0


def test_mstb_needs_the_number_of_inputs():
    with pytest.raises(ModelError, match="num"):
        coding.encode_mstb([(np.array([0.1]), np.array([0]))], 5, 0.1)


def test_null_passes_the_first_steps_of_encoded_data():
    data = np.arange(2 * 4 * 3, dtype=float).reshape(2, 4, 3)
    assert np.array_equal(coding.encode_null(data, 3, 1.0), data[:, :3])


def test_null_refuses_data_shorter_than_the_run():
    with pytest.raises(ModelError, match="at least 5 steps"):
        coding.encode_null(np.zeros((1, 4, 3)), 5, 1.0)


def test_constant_current_repeats_amp_times_the_input_in_every_step():
    out = coding.encode_constant_current(np.array([[1.0, -2.0]]), 3, 0.1, amp=2.0)
    assert out.tolist() == [[[2.0, -4.0]] * 3]


def test_uniform_fires_with_a_period_that_shrinks_as_the_input_grows():
    # periods: ceil(10 * (1.05 - x) / 1.05) = 1, 6; the minimum gets 10 + 100 steps
    train = coding.encode_uniform(np.array([[0.0, 0.5, 1.0]]), 10, 1.0)
    assert spike_steps(train) == {(0, 1): [5], (0, 2): list(range(10))}


# -------------------------------------------------------------------------- generators
def test_poisson_generator_probability_is_rate_times_unit_conversion_without_dt():
    p = coding.poisson_generator_probability(np.array([[2.0, 4.0]]), 2)
    assert np.allclose(p, [[0.2, 0.4]])


def test_poisson_generator_window_is_strict_at_each_steps_time():
    active = coding.poisson_generator_active_steps(8, 1.0, start_time=2.0, end_time=5.0)
    assert np.flatnonzero(active).tolist() == [3, 4]


def test_poisson_generator_spikes_carry_the_weight():
    train = coding.generate_poisson_generator(5.0, 3, 1.0, 2, np.zeros((1, 3, 2)),
                                              weight=0.5)
    assert train.tolist() == [[[0.5, 0.5]] * 3]


def test_cc_generator_gives_a_scalar_to_every_neuron_in_every_step():
    assert coding.generate_cc_generator(1.5, 2, 0.1, 3).tolist() == [[1.5] * 3] * 2


def test_cc_generator_keeps_the_batch_of_a_batched_input():
    out = coding.generate_cc_generator(np.array([[1.0, 2.0], [3.0, 4.0]]), 2, 0.1, 2)
    assert out.shape == (2, 2, 2) and out[1, 1].tolist() == [3.0, 4.0]


def test_sin_generator_takes_amplitude_and_period():
    out = coding.generate_sin([2.0, 4.0], 4, 1.0, 2)
    assert np.allclose(out[:, 0], [0.0, 2.0, 0.0, -2.0]) and out.shape == (4, 2)


def test_ramp_rises_with_the_slope_and_stops_at_end_time():
    out = coding.generate_ramp(2.0, 4, 1.0, 1, base=1.0, amp=0.5, end_time=3.0)
    assert out[:, 0].tolist() == [0.5, 1.5, 2.5, 0.0]


# -------------------------------------------------------------------------- registries
def test_an_unknown_encoder_is_refused_with_the_known_names():
    with pytest.raises(ModelError, match="latency, mstb") as err:
        coding.lookup_encoder("latensy")
    assert err.value.symbol == "latensy" and err.value.where == "Encoder"


def test_an_unknown_option_is_refused_with_the_known_ones():
    with pytest.raises(ModelError, match="unit_conversion") as err:
        coding.lookup_encoder("poisson", {"unit_convertion": 0.5})
    assert err.value.symbol == "unit_convertion"


def test_lookup_merges_options_over_defaults_and_leaves_node_options_out():
    function, options = coding.lookup_encoder("Poisson", {"unit_conversion": 0.5,
                                                          "time": 50.0})
    assert function is coding.encode_poisson
    assert options == {"unit_conversion": 0.5, "start_time": None, "end_time": None,
                       "single_test": False}


def test_generators_answer_to_spaics_aliases():
    assert coding.lookup_generator("sin_generator")[0] is coding.generate_sin
    assert coding.lookup_generator("ramp")[1]["amp"] == 0.001
    with pytest.raises(ModelError, match="Generator"):
        coding.lookup_generator("square")
