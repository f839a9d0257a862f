"""SPAIC's rewards and actions (pyspike/spaic/rewards.py) on hand-made records (batch,
steps, neurons); each expected value is worked out by hand from SPAIC's definition."""
import math

import numpy as np
import pytest

from pyspike.codegen.errors import ModelError
from pyspike.spaic import rewards


def record_with(spikes, steps, neurons, batch=1):
    r = np.zeros((batch, steps, neurons))
    for b, k, n in spikes:
        r[b, k, n] = 1.0
    return r


# ----------------------------------------------------------------------------- rewards
def test_global_reward_rewards_a_right_prediction_and_punishes_a_wrong_one():
    r = record_with([(0, 0, 2), (0, 1, 2), (0, 1, 0)], 2, 3)
    assert rewards.reward_global_reward(r, [2]).tolist() == [1.0]
    assert rewards.reward_global_reward(r, [0]).tolist() == [-1.0]


def test_global_reward_averages_over_the_batch():
    r = record_with([(0, 0, 0), (1, 0, 0)], 1, 2, batch=2)
    reward = rewards.reward_global_reward(r, [0, 1])
    assert reward.shape == () and float(reward) == 0.0


def test_global_reward_counts_a_silent_output_as_predicting_population_zero():
    r = np.zeros((1, 3, 4))
    assert rewards.reward_global_reward(r, [0], pop_size=2).tolist() == [1.0]


def test_da_reward_rewards_the_neurons_of_a_rightly_predicted_population():
    r = record_with([(0, 0, 2), (0, 0, 3)], 1, 4)
    assert rewards.reward_da_reward(r, [1], pop_size=2).tolist() == [[0, 0, 1, 1]]
    assert rewards.reward_da_reward(r, [0], pop_size=2).tolist() == [[0, 0, 0, 0]]


def test_da_reward_sums_a_batch_into_one_row():
    r = record_with([(0, 0, 1), (1, 0, 1)], 1, 2, batch=2)
    assert rewards.reward_da_reward(r, [1, 1]).tolist() == [[0.0, 2.0]]


def test_xor_reward_follows_the_label_when_the_output_spikes():
    fired = record_with([(0, 0, 0)], 2, 1)
    assert rewards.reward_xor_reward(fired, [1]).tolist() == [[1.0]]
    assert rewards.reward_xor_reward(fired, [0]).tolist() == [[-1.0]]


def test_xor_reward_punishes_a_silent_output_whatever_the_label():
    silent = np.zeros((1, 2, 1))
    assert rewards.reward_xor_reward(silent, [0]).tolist() == [[-1.0]]
    assert rewards.reward_xor_reward(silent, [1]).tolist() == [[-1.0]]


def test_classify_reward_is_one_minus_softmax_on_the_label_and_minus_softmax_elsewhere():
    # out = [1, 0]; z = (out - 0.5) / (std_unbiased + 0.1), std = sqrt(0.5)
    reward, out = rewards.reward_classify_reward(record_with([(0, 0, 0)], 1, 2), [0])
    p0 = 1.0 / (1.0 + math.exp(-1.0 / (math.sqrt(0.5) + 0.1)))
    assert np.allclose(reward, [[1.0 - p0, -(1.0 - p0)]]) and out.tolist() == [[1.0, 0.0]]


def test_classify_reward_carries_its_running_output_at_rate_point_99():
    _, out = rewards.reward_classify_reward(record_with([(0, 0, 0)], 1, 2), [1],
                                            np.array([[1.0, 0.0]]))
    assert np.allclose(out, [[1.99, 0.0]])


def test_environment_reward_passes_the_given_reward():
    assert rewards.reward_environment_reward(np.zeros((1, 1, 2)), 0.5).tolist() == 0.5


def test_reward_steps_writes_a_reward_every_dec_sample_step_and_zeros_between():
    r = record_with([(0, 0, 1), (0, 3, 0)], 4, 2)
    out = rewards.reward_steps("global_reward", r, [1], dec_sample_step=2)
    assert [o.tolist() for o in out] == [[0.0], [1.0], [0.0], [-1.0]]


def test_labels_that_do_not_match_the_batch_are_refused():
    with pytest.raises(ModelError, match="2 labels"):
        rewards.reward_global_reward(np.zeros((1, 1, 2)), [0, 1])


def test_an_unknown_reward_or_option_is_refused():
    with pytest.raises(ModelError, match="global_reward") as err:
        rewards.lookup_reward("globl_reward")
    assert err.value.where == "Reward"
    with pytest.raises(ModelError, match="punish_signal"):
        rewards.lookup_reward("global_reward", {"punishment": -2})


# ----------------------------------------------------------------------------- actions
def test_highest_spikes_action_takes_the_lowest_index_on_a_tie_and_0_when_silent():
    rng = np.random.default_rng(0)
    r = record_with([(0, 0, 1), (0, 1, 3)], 2, 4)
    assert rewards.action_highest_spikes_action(r, 4, rng) == 1
    assert rewards.action_highest_spikes_action(np.zeros((1, 2, 4)), 4, rng) == 0


def test_first_spike_action_takes_the_earliest_spike_then_the_lowest_index():
    r = record_with([(0, 3, 0), (0, 1, 2), (0, 1, 3)], 4, 4)
    assert rewards.action_first_spike_action(r, 4, np.random.default_rng(0)) == 2


def test_pop_rate_action_draws_only_populations_that_spiked():
    r = record_with([(0, 0, 2), (0, 1, 3)], 2, 4)
    rng = np.random.default_rng(3)
    assert {rewards.action_pop_rate_action(r, 2, rng) for _ in range(20)} == {1}


def test_softmax_action_is_uniform_for_one_sample_as_spaics_batch_axis_softmax():
    r = record_with([(0, k, 0) for k in range(10)], 10, 3)
    rng = np.random.default_rng(5)
    counts = np.bincount([rewards.action_softmax_action(r, 3, rng) for _ in range(600)],
                         minlength=3)
    assert np.all(np.abs(counts - 200) < 5 * math.sqrt(600 * (1 / 3) * (2 / 3)))


def test_highest_voltage_action_explores_until_its_fixed_draw_beats_epsilon():
    v = np.zeros((1, 2, 3))
    v[0, -1] = [0.1, 0.9, 0.3]
    assert rewards.action_highest_voltage_action(v, 3, np.random.default_rng(0), 463) == 1
    assert rewards.epsilon_threshold(462) >= 0.13436424411240122
    explored = rewards.action_highest_voltage_action(v, 3, np.random.default_rng(0), 0)
    assert explored == np.random.default_rng(0).integers(3)


def test_a_one_sample_action_refuses_a_batch():
    with pytest.raises(ModelError, match="batch of 2"):
        rewards.action_first_spike_action(np.zeros((2, 3, 4)), 4, np.random.default_rng(0))


def test_an_unknown_action_is_refused_with_the_known_names():
    with pytest.raises(ModelError, match="softmax_action") as err:
        rewards.lookup_action("greedy_action")
    assert err.value.where == "Action" and err.value.symbol == "greedy_action"
