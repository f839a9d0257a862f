"""SPAIC's decoders (pyspike/spaic/decoding.py) on hand-made records (batch, steps,
neurons); each expected value is worked out by hand from SPAIC's definition."""
import math

import numpy as np
import pytest

from pyspike.codegen.errors import ModelError
from pyspike.spaic import decoding


def record_with(spikes, steps, neurons, batch=1):
    """A (batch, steps, neurons) record with a spike at each (sample, step, neuron)."""
    r = np.zeros((batch, steps, neurons))
    for b, k, n in spikes:
        r[b, k, n] = 1.0
    return r


def test_spike_counts_sums_each_neurons_spikes_over_the_run():
    r = record_with([(0, 0, 1), (0, 3, 1), (0, 2, 0)], 5, 3)
    assert decoding.decode_spike_counts(r, 0.1).tolist() == [[1.0, 2.0, 0.0]]


def test_spike_counts_pools_consecutive_neurons_and_drops_the_remainder():
    # 7 neurons, pop_size 3: populations {0,1,2} and {3,4,5}; neuron 6 is dropped
    r = record_with([(0, 0, 0), (0, 1, 2), (0, 0, 4), (0, 1, 6), (0, 2, 6)], 3, 7)
    assert decoding.decode_spike_counts(r, 0.1, pop_size=3).tolist() == [[2.0, 1.0]]


def test_spike_counts_adds_bias_then_scales():
    r = record_with([(0, 0, 0)], 2, 2)
    out = decoding.decode_spike_counts(r, 0.1, bias=1.0, scale=2.0)
    assert out.tolist() == [[4.0, 2.0]]


def test_a_population_larger_than_the_target_is_refused():
    with pytest.raises(ModelError, match="pop_size"):
        decoding.decode_spike_counts(np.zeros((1, 2, 3)), 0.1, pop_size=4)


def test_spike_rate_averages_over_the_steps_before_pooling():
    r = record_with([(0, 0, 0), (0, 1, 1), (0, 3, 1)], 4, 2)
    assert decoding.decode_spike_rate(r, 0.1, pop_size=2).tolist() == [[0.75]]


def test_first_spike_marks_every_neuron_that_fires_in_the_first_spiking_step():
    r = record_with([(0, 4, 0), (0, 2, 1), (0, 2, 3), (0, 3, 2)], 6, 4)
    assert decoding.decode_first_spike(r, 0.1).tolist() == [[0.0, 1.0, 0.0, 1.0]]


def test_first_spike_of_a_silent_sample_is_all_zero():
    r = record_with([(1, 1, 0)], 3, 2, batch=2)
    out = decoding.decode_first_spike(r, 0.1)
    assert out.tolist() == [[0.0, 0.0], [1.0, 0.0]]
    assert decoding.first_spike_step(r).tolist() == [0, 1]


def test_time_spike_counts_weights_step_k_by_a_tenth_of_exp_of_minus_2k_over_t():
    r = record_with([(0, 0, 0), (0, 2, 1), (0, 3, 1)], 4, 2)
    out = decoding.decode_time_spike_counts(r, 0.1)
    assert np.allclose(out, [[0.1, 0.1 * (math.exp(-1.0) + math.exp(-1.5))]])


def test_time_softmax_sums_exponentials_of_the_lag_behind_the_first_spike():
    # dt 1, T 2: neuron 0 spikes at step 1 only. Times s: neuron 0 [0 + 2, 1],
    # neuron 1 [2, 3]; first = 1; rateloss = |mean(1, 0) - 3| = 2.5
    out, rateloss = decoding.decode_time_softmax(record_with([(0, 1, 0)], 2, 2), 1.0)
    expect = [5 * (math.exp(-1 / 50) + 1.0), 5 * (math.exp(-1 / 50) + math.exp(-2 / 50))]
    assert np.allclose(out, [expect]) and rateloss == pytest.approx(2.5)


def test_final_step_voltage_is_the_last_row():
    v = np.arange(12, dtype=float).reshape(1, 4, 3)
    assert decoding.decode_final_step_voltage(v, 0.1).tolist() == [[9.0, 10.0, 11.0]]


def test_voltage_sum_is_the_last_step_less_its_mean_over_the_whole_batch():
    v = np.zeros((2, 3, 2))
    v[0, -1], v[1, -1] = [1.0, 3.0], [5.0, 7.0]
    assert decoding.decode_voltage_sum(v, 0.1).tolist() == [[-3.0, -1.0], [1.0, 3.0]]


def test_v_t_keeps_the_whole_trajectory_batch_first():
    v = np.random.default_rng(1).random((2, 5, 3))
    assert np.array_equal(decoding.decode_v_t(v, 0.1), v)


def test_a_record_that_is_not_batch_steps_neurons_is_refused():
    with pytest.raises(ModelError, match="shape"):
        decoding.decode_spike_counts(np.zeros((5, 3)), 0.1)


def test_an_unknown_decoder_is_refused_with_the_known_names():
    with pytest.raises(ModelError, match="first_spike") as err:
        decoding.lookup_decoder("spike_count")
    assert err.value.where == "Decoder" and err.value.symbol == "spike_count"


def test_decoders_read_voltage_or_spikes_as_spaic_defaults_them():
    assert decoding.RECORDED_VARIABLE["voltage_sum"] == "V"
    assert decoding.RECORDED_VARIABLE["spike_counts"] == "O"
