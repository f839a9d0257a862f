"""BrainPy's input helpers (ps.inputs.section_input and friends): each array is the one
BrainPy 2.4.3's rule gives, worked out by hand for small cases; the random processes
have the statistics of BrainPy's recurrences; bad arguments are refused by name; and a
model reads each returned kind directly (TimedArray read as I(t) or I(t, i), and the
(TimedArray, duration) pair of constant_input)."""
import numpy as np
import pytest

import pyspike as ps

inputs = ps.inputs


def column(stim):
    """BrainPy's 1-d array: a 1-d TimedArray's values, as given."""
    assert stim.ndim == 1 and stim.values.ndim == 1
    return stim.values


# --- section_input and constant_input ----------------------------------------------------

def test_section_input_holds_each_value_for_its_duration_in_steps_of_dt():
    stim = inputs.section_input([0, 1, 0], [1, 2, 1], dt=0.5)
    assert isinstance(stim, ps.TimedArray) and stim.dt == 0.5
    assert column(stim).tolist() == [0, 0, 1, 1, 1, 1, 0, 0]


def test_section_input_with_one_value_per_neuron_gives_one_column_per_neuron():
    stim = inputs.section_input([0, [1, 2]], [1, 1], dt=0.5)
    assert stim.ndim == 2
    assert stim.values.tolist() == [[0, 0], [0, 0], [1, 2], [1, 2]]


def test_section_input_counts_whole_steps_without_floating_point_noise():
    # BrainPy's int(0.2/0.1) and ceil(0.30000000000000004/0.1) would give [0, 1, 0, 0]
    assert column(inputs.section_input([0, 1], [0.1, 0.2], dt=0.1)).tolist() == [0, 1, 1]


def test_section_input_leaves_the_steps_lost_to_rounding_at_zero():
    # ceil(0.3/0.1) = 3 steps in all, int(0.15/0.1) = 1 step per section (BrainPy's rule)
    assert column(inputs.section_input([1, 2], [0.15, 0.15], dt=0.1)).tolist() == [1, 2, 0]


def test_section_input_with_return_length_also_gives_the_total_duration():
    stim, length = inputs.section_input([0, 1], [2.5, 1.5], dt=0.5, return_length=True)
    assert length == 4.0 and column(stim).tolist() == [0] * 5 + [1] * 3


def test_the_step_defaults_to_brainpys_dt_of_a_tenth_of_a_ms():
    stim = inputs.section_input([1.0], [2.0])
    assert stim.dt == 0.1 and stim.values.shape == (20,)


def test_constant_input_gives_the_timed_array_and_the_total_duration():
    stim, duration = inputs.constant_input([(0, 1.0), (2, 0.5)], dt=0.5)
    assert duration == 1.5 and column(stim).tolist() == [0, 0, 2]


# --- spike_input ---------------------------------------------------------------------------

def test_spike_input_puts_each_pulse_at_its_time_for_its_length():
    stim = inputs.spike_input([1.0, 3.0], sp_lens=1.0, sp_sizes=[2.0, 5.0], duration=5.0,
                              dt=0.5)
    assert column(stim).tolist() == [0, 0, 2, 2, 0, 0, 5, 5, 0, 0]


def test_spike_input_lets_a_later_pulse_overwrite_an_earlier_one():
    stim = inputs.spike_input([0.0, 0.5], sp_lens=1.0, sp_sizes=[1.0, 2.0], duration=2.0,
                              dt=0.5)
    assert column(stim).tolist() == [1, 2, 2, 0]


def test_spike_input_cuts_a_pulse_at_the_end_of_the_input():
    stim = inputs.spike_input([1.5], sp_lens=2.0, sp_sizes=3.0, duration=2.0, dt=0.5)
    assert column(stim).tolist() == [0, 0, 0, 3]


# --- ramp_input ----------------------------------------------------------------------------

def test_ramp_input_starts_at_c_start_and_ends_at_c_end_on_its_first_and_last_steps():
    # ceil(0.5/0.5) = step 1 to ceil(2.5/0.5) - 1 = step 4
    values = column(inputs.ramp_input(1.0, 4.0, duration=3.0, t_start=0.5, t_end=2.5,
                                      dt=0.5))
    assert values.tolist() == [0, 1, 2, 3, 4, 0]


def test_ramp_input_without_t_end_ramps_to_the_end_of_the_input():
    values = column(inputs.ramp_input(-1.0, 1.0, duration=10.0, dt=0.1))
    assert values.size == 100 and values[0] == -1.0 and values[-1] == 1.0
    np.testing.assert_allclose(np.diff(values), 2.0 / 99, rtol=1e-9)


# --- sinusoidal_input and square_input ---------------------------------------------------

def test_sinusoid_period_in_ms_is_1000_over_its_frequency_in_hz():
    values = column(inputs.sinusoidal_input(3.0, frequency=50.0, duration=100.0, dt=0.1))
    assert values.size == 1000
    np.testing.assert_allclose(values[200:], values[:-200], atol=1e-12)   # 20 ms
    np.testing.assert_allclose(values[[0, 50, 100, 150]], [0, 3, 0, -3], atol=1e-12)


def test_sinusoid_with_bias_is_raised_by_its_amplitude():
    plain = column(inputs.sinusoidal_input(2.0, 10.0, 200.0))
    raised = column(inputs.sinusoidal_input(2.0, 10.0, 200.0, bias=True))
    np.testing.assert_array_equal(raised, plain + 2.0)
    assert raised.min() >= 0.0


def test_sinusoid_starts_at_phase_zero_in_its_window_and_is_zero_outside():
    values = column(inputs.sinusoidal_input(1.0, 250.0, duration=8.0, dt=1.0, t_start=2.0,
                                            t_end=6.0))
    np.testing.assert_allclose(values, [0, 0, 0, 1, 0, -1, 0, 0], atol=1e-12)


def test_square_input_is_plus_amplitude_for_the_first_half_of_each_period():
    values = column(inputs.square_input(2.0, frequency=100.0, duration=30.0, dt=0.1))
    period = np.r_[np.full(50, 2.0), np.full(50, -2.0)]                  # 10 ms
    np.testing.assert_array_equal(values, np.tile(period, 3))


def test_square_input_with_bias_swings_between_twice_its_amplitude_and_zero():
    values = column(inputs.square_input(1.5, frequency=250.0, duration=8.0, dt=1.0,
                                        bias=True))
    assert values.tolist() == [3, 3, 0, 0, 3, 3, 0, 0]


# --- wiener_process and ou_process -------------------------------------------------------

def test_wiener_increments_have_mean_zero_and_variance_dt():
    dt = 0.2
    W = inputs.wiener_process(400.0, dt=dt, n=50, seed=11).values       # 1e5 increments
    assert W.shape == (2000, 50)
    # 1e5 normal numbers: the sample variance is within sqrt(2/1e5) = 0.45% (1 sd) of dt,
    # the mean within sqrt(dt/1e5) = 0.0014 (1 sd) of 0; the tolerances are 6 and 5 sd
    assert abs(W.var() / dt - 1) < 0.03
    assert abs(W.mean()) < 0.007


def test_wiener_process_is_zero_outside_its_window_and_two_dimensional_for_one_process():
    W = inputs.wiener_process(10.0, dt=1.0, t_start=2.0, t_end=7.0, seed=1)
    assert W.ndim == 2 and W.values.shape == (10, 1)
    assert np.all(W.values[:2] == 0) and np.all(W.values[7:] == 0)
    assert np.all(W.values[2:7] != 0)


def test_a_seed_makes_the_random_processes_reproducible():
    a = inputs.ou_process(0.0, 1.0, 5.0, 20.0, n=3, seed=4).values
    b = inputs.ou_process(0.0, 1.0, 5.0, 20.0, n=3, seed=4).values
    c = inputs.ou_process(0.0, 1.0, 5.0, 20.0, n=3, seed=5).values
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_ou_process_takes_brainpys_euler_maruyama_step_from_the_mean():
    mean, sigma, tau, dt = 1.0, 0.5, 2.0, 0.25
    X = inputs.ou_process(mean, sigma, tau, duration=1.5, dt=dt, n=2, seed=7).values
    xi = np.random.default_rng(7).standard_normal((6, 2))
    x, expected = np.full(2, mean), []
    for k in range(6):
        x = x + dt * ((mean - x) / tau) + sigma * np.sqrt(dt) * xi[k]
        expected.append(x)
    np.testing.assert_array_equal(X, expected)


def _ou_samples():
    mean, sigma, tau, dt = 2.0, 0.3, 5.0, 0.1
    X = inputs.ou_process(mean, sigma, tau, duration=200.0, dt=dt, n=300, seed=3).values
    return X[500:], mean, sigma ** 2 * tau / (2 - dt / tau), 1 - dt / tau


def test_ou_process_has_the_stationary_mean_and_variance_of_its_recurrence():
    X, mean, variance, _ = _ou_samples()
    # 300 processes x 1500 steps, correlated over 2 tau/dt = 100 steps: ~4500 independent
    # samples, so the mean is within sqrt(0.227/4500) = 0.007 (1 sd) and the variance
    # within ~1.3% (1 sd, measured over 30 seeds); the tolerances are 5 and 7 sd
    assert abs(X.mean() - mean) < 0.035
    assert abs(X.var() / variance - 1) < 0.09


def test_ou_process_is_correlated_over_k_steps_as_one_minus_dt_over_tau_to_the_k():
    X, mean, variance, decay = _ou_samples()
    for lag in (10, 50, 100):
        y = X - mean
        r = float(np.mean(y[lag:] * y[:-lag]) / variance)
        # 1 sd ~0.011 (measured over 30 seeds): the tolerance is 4.5 sd
        assert abs(r - decay ** lag) < 0.05, (lag, r, decay ** lag)


# --- bad arguments -------------------------------------------------------------------------

HELPERS = {
    "section_input": lambda dt: inputs.section_input([1.0], [1.0], dt=dt),
    "constant_input": lambda dt: inputs.constant_input([(1.0, 1.0)], dt=dt),
    "spike_input": lambda dt: inputs.spike_input([0.0], 1.0, 1.0, 2.0, dt=dt),
    "ramp_input": lambda dt: inputs.ramp_input(0.0, 1.0, 2.0, dt=dt),
    "sinusoidal_input": lambda dt: inputs.sinusoidal_input(1.0, 10.0, 2.0, dt=dt),
    "square_input": lambda dt: inputs.square_input(1.0, 10.0, 2.0, dt=dt),
    "wiener_process": lambda dt: inputs.wiener_process(2.0, dt=dt),
    "ou_process": lambda dt: inputs.ou_process(0.0, 1.0, 5.0, 2.0, dt=dt),
}


@pytest.mark.parametrize("dt", [0.0, -0.1, float("nan")])
@pytest.mark.parametrize("name", sorted(HELPERS))
def test_every_helper_refuses_a_step_dt_that_is_not_a_positive_number(name, dt):
    with pytest.raises(ps.ModelError, match=f"In {name}: dt must") as err:
        HELPERS[name](dt)
    assert err.value.symbol == "dt"


def test_a_negative_duration_is_refused_naming_the_section_and_the_value():
    with pytest.raises(ps.ModelError, match=r"durations\[1\] .* not -2") as err:
        inputs.section_input([0, 1], [1.0, -2.0])
    assert err.value.symbol == "durations"


def test_values_and_durations_of_different_lengths_are_refused():
    with pytest.raises(ps.ModelError, match="2 values and 3 durations"):
        inputs.section_input([0, 1], [1.0, 1.0, 1.0])


def test_a_value_that_is_not_finite_is_refused_naming_the_section():
    with pytest.raises(ps.ModelError, match=r"values\[1\] must be a finite number") as err:
        inputs.section_input([0, float("inf")], [1.0, 1.0])
    assert err.value.symbol == "values"


def test_sections_of_per_neuron_values_for_different_numbers_of_neurons_are_refused():
    with pytest.raises(ps.ModelError, match=r"different lengths \[2, 3\]"):
        inputs.section_input([[1, 2], [1, 2, 3]], [1.0, 1.0])


def test_constant_input_refuses_an_item_that_is_not_a_value_duration_pair():
    with pytest.raises(ps.ModelError, match=r"I_and_duration\[1\] must be a pair"):
        inputs.constant_input([(0, 1.0), (1, 2, 3)])


def test_an_input_shorter_than_one_step_is_refused():
    with pytest.raises(ps.ModelError, match="shorter than one step of dt=0.1") as err:
        inputs.sinusoidal_input(1.0, 10.0, duration=0.05)
    assert err.value.symbol == "duration"


def test_spike_input_refuses_pulse_sizes_that_do_not_match_the_spike_times():
    with pytest.raises(ps.ModelError, match=r"one per spike time \(3\)") as err:
        inputs.spike_input([1.0, 2.0, 3.0], 1.0, [1.0, 2.0], duration=5.0)
    assert err.value.symbol == "sp_sizes"


def test_spike_input_refuses_a_negative_spike_time():
    with pytest.raises(ps.ModelError, match=r"sp_times\[0\] .* not -1.0"):
        inputs.spike_input([-1.0], 1.0, 1.0, duration=5.0)


def test_a_window_that_ends_after_the_input_is_refused():
    with pytest.raises(ps.ModelError, match="t_end=12 ms lies after the end") as err:
        inputs.ramp_input(0.0, 1.0, duration=10.0, t_end=12.0)
    assert err.value.symbol == "t_end"


def test_a_window_that_starts_after_it_ends_is_refused():
    with pytest.raises(ps.ModelError, match="t_start=6 ms lies after t_end=4 ms"):
        inputs.square_input(1.0, 10.0, duration=10.0, t_start=6.0, t_end=4.0)


def test_a_negative_frequency_is_refused():
    with pytest.raises(ps.ModelError, match="frequency must be at least 0 Hz, not -5"):
        inputs.sinusoidal_input(1.0, -5.0, duration=10.0)


def test_a_process_count_below_one_is_refused():
    with pytest.raises(ps.ModelError, match="n must be a whole number >= 1, not 0"):
        inputs.wiener_process(10.0, n=0)


def test_a_seed_that_is_not_a_whole_number_is_refused():
    with pytest.raises(ps.ModelError, match="seed must be a whole number") as err:
        inputs.wiener_process(10.0, seed=1.5)
    assert err.value.symbol == "seed"


def test_a_negative_noise_strength_is_refused():
    with pytest.raises(ps.ModelError, match="sigma must be .*>= 0, not -1.0"):
        inputs.ou_process(0.0, -1.0, 5.0, 10.0)


def test_an_ou_time_constant_at_or_below_half_a_step_is_refused():
    with pytest.raises(ps.ModelError, match="tau must be above dt/2 = 0.05 ms") as err:
        inputs.ou_process(0.0, 1.0, 0.05, 10.0)
    assert err.value.symbol == "tau"


# --- end to end: a model reads each kind directly ----------------------------------------

def _relax(stim, N, duration, call):
    """dv/dt = (I - v)/tau integrated exactly on the NumPy backend, monitored each step."""
    model = ps.NeuronModel(f"dv/dt = ({call} - v)/tau : mV", method="exact",
                           params={"I": stim, "tau": 2.0})
    net = ps.Network(dt=0.1, backend="numpy")
    with net:
        G = ps.NeuronGroup(N, model)
        mon = ps.StateMonitor(G, "v", record=True)
    net.run(duration)
    return G, mon


def _steps_of(t, level, t_on, t_off, tau=2.0):
    """v(t) from v = 0 for an input of ``level`` on [t_on, t_off), 0 elsewhere."""
    on = level * (1 - np.exp(-np.clip(t - t_on, 0, t_off - t_on) / tau))
    return on * np.exp(-np.clip(t - t_off, 0, None) / tau)


def test_a_group_driven_by_section_input_follows_the_closed_form_trace():
    stim = inputs.section_input([0, 2, 0], [1, 3, 2])
    _, mon = _relax(stim, 1, 6.0, "I(t)")
    np.testing.assert_allclose(mon.v[0], _steps_of(mon.t, 2.0, 1.0, 4.0), atol=1e-12)


def test_per_neuron_section_input_drives_each_neuron_by_its_own_column():
    stim = inputs.section_input([0, [1.0, -3.0], 0], [1, 3, 2])
    _, mon = _relax(stim, 2, 6.0, "I(t, i)")
    for i, level in enumerate([1.0, -3.0]):
        np.testing.assert_allclose(mon.v[i], _steps_of(mon.t, level, 1.0, 4.0), atol=1e-12)


def test_a_constant_input_pair_gives_the_input_and_how_long_to_run():
    stim, duration = inputs.constant_input([(0.0, 2.0), (1.5, 3.0)])
    G, _ = _relax(stim, 1, duration, "I(t)")
    assert duration == 5.0
    np.testing.assert_allclose(G.v[0], 1.5 * (1 - np.exp(-3.0 / 2.0)), atol=1e-12)
