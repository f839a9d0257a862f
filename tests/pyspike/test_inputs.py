"""Input groups: SpikeGeneratorGroup (given spike times) and PoissonGroup (random spike
trains at given rates), alone and driving neurons through synapses."""
import math

import numpy as np
import pytest

import pyspike as ps

DT = 0.1
STILL = ps.NeuronModel("v : 1")


def _generator(backend, N, indices, times, pieces=(5.0,), dt=DT):
    net = ps.Network(dt=dt, seed=1, backend=backend)
    with net:
        G = ps.SpikeGeneratorGroup(N, indices=indices, times=times)
        mon = ps.SpikeMonitor(G)
    for duration in pieces:
        net.run(duration)
    return net, G, mon


# --- SpikeGeneratorGroup --------------------------------------------------------------

def test_a_generator_created_inside_a_network_context_joins_the_network():
    net = ps.Network(dt=DT, seed=1, backend="numpy")
    with net:
        G = ps.SpikeGeneratorGroup(2, indices=[1], times=[0.5])
    assert G in net.groups


def test_a_generator_created_outside_joins_when_added(backend):
    G = ps.SpikeGeneratorGroup(2, indices=[1, 0], times=[0.5, 0.7])
    net = ps.Network(dt=DT, seed=1, backend=backend)
    net.add(G)
    with net:
        mon = ps.SpikeMonitor(G)
    net.run(1.0)
    np.testing.assert_array_equal(mon.i, [1, 0])


def test_generator_spikes_are_stamped_at_time_plus_dt_sorted_by_time_then_index(backend):
    # a spike given at T belongs to the step from T and is stamped at its end, T + dt
    _, _, mon = _generator(backend, 4, indices=[3, 0, 2, 0, 1],
                           times=[2.5, 1.0, 1.0, 4.2, 0.1])
    np.testing.assert_array_equal(mon.i, [1, 0, 2, 3, 0])
    np.testing.assert_allclose(mon.t, [0.2, 1.1, 1.1, 2.6, 4.3], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(mon.count, [2, 1, 1, 1])


def test_generator_times_are_floored_to_their_step_as_brian2s_timestep(backend):
    # 1.04 and 1.06 -> the step from 1.0 ms (stamped 1.1; rounding would give 1.06 the
    # step from 1.1 ms), 2.449 -> the step from 2.4 ms (stamped 2.5)
    _, _, mon = _generator(backend, 3, indices=[0, 1, 2], times=[1.04, 1.06, 2.449])
    np.testing.assert_array_equal(np.round(mon.t / DT).astype(int), [11, 11, 25])


def test_generator_times_on_the_grid_belong_to_their_step_despite_float_rounding(backend):
    # 0.3/0.1, 0.7/0.1 and 4.8/0.1 are just below 3, 7 and 48 in floating point: Brian2's
    # timestep() floors t/dt + 0.001, so they still belong to the steps from 0.3, 0.7, 4.8
    _, _, mon = _generator(backend, 3, indices=[0, 1, 2], times=[0.3, 0.7, 4.8])
    np.testing.assert_array_equal(np.round(mon.t / DT).astype(int), [4, 8, 49])


@pytest.mark.parametrize("pieces", [(2.0, 3.0), (1.0, 0.0, 0.1, 0.9, 3.0), (0.1,) * 50])
def test_generator_spikes_are_the_same_when_the_run_is_split(backend, pieces):
    indices = [0, 1, 0, 2, 1, 0, 2]
    times = [0.1, 0.9, 1.0, 1.1, 2.0, 3.3, 4.9]      # 4.9: the run's last step
    _, _, whole = _generator(backend, 3, indices, times, pieces=(5.0,))
    _, _, parts = _generator(backend, 3, indices, times, pieces=pieces)
    np.testing.assert_array_equal(parts.i, whole.i)
    np.testing.assert_array_equal(parts.t, whole.t)
    assert whole.num_spikes == 7


def test_generator_spikes_after_the_run_come_in_the_next_run(backend):
    net, _, mon = _generator(backend, 2, indices=[0, 1], times=[1.0, 7.0], pieces=(5.0,))
    assert mon.num_spikes == 1
    net.run(5.0)
    np.testing.assert_array_equal(mon.i, [0, 1])
    np.testing.assert_allclose(mon.t, [1.1, 7.1], rtol=0, atol=1e-12)


def test_new_spikes_given_between_runs_take_effect_in_the_next_run(backend):
    net, G, mon = _generator(backend, 2, indices=[0], times=[1.0], pieces=(2.0,))
    G.set_spikes([1, 0], [3.0, 2.5])
    net.run(2.0)
    np.testing.assert_array_equal(mon.i, [0, 0, 1])
    np.testing.assert_allclose(mon.t, [1.1, 2.6, 3.1], rtol=0, atol=1e-12)


def test_generator_drives_a_target_through_synapses(backend):
    net = ps.Network(dt=DT, seed=1, backend=backend)
    with net:
        G = ps.SpikeGeneratorGroup(2, indices=[0, 1, 0], times=[1.0, 2.0, 3.0])
        P = ps.NeuronGroup(3, STILL)
        S = ps.Synapses(G, P, model="w : 1", on_pre="v_post += w")
        S.connect(i=[0, 1, 1], j=[0, 1, 2])
        S.w = [0.5, 0.25, 0.125]
    net.run(5.0)
    np.testing.assert_array_equal(P.v, [1.0, 0.25, 0.125])


def _generator_error(indices, times):
    """Give the spikes and run; the ModelError may come when the group joins the network
    (dt known) or at the latest when the run starts."""
    net = ps.Network(dt=DT, seed=1, backend="numpy")
    with pytest.raises(ps.ModelError) as err:
        with net:
            ps.SpikeGeneratorGroup(2, indices=indices, times=times)
        net.run(1.0)
    return err.value


@pytest.mark.parametrize("times", [[-1.0], [-1e-9], [1.0, -0.5]])
def test_negative_generator_times_are_rejected(times):
    assert _generator_error([0] * len(times), times).symbol == "times"


@pytest.mark.parametrize("time", [0.0, 0.04, 0.06])
def test_generator_times_in_the_first_step_are_stamped_at_dt(backend, time):
    # times in [0, dt) belong to the step from 0 (Brian2's timestep floors them)
    _, _, mon = _generator(backend, 1, indices=[0], times=[time], pieces=(1.0,))
    np.testing.assert_allclose(mon.t, [DT], rtol=0, atol=1e-12)


def test_a_generator_spike_at_zero_acts_on_its_target_at_dt(backend):
    # the state at t = 0 is the initial state; the spike's effect is first seen at dt
    net = ps.Network(dt=DT, seed=1, backend=backend)
    with net:
        G = ps.SpikeGeneratorGroup(1, indices=[0], times=[0.0])
        P = ps.NeuronGroup(1, STILL)
        S = ps.Synapses(G, P, on_pre="v_post += 1")
        S.connect(i=[0], j=[0])
        mon = ps.StateMonitor(P, "v", record=True)
    net.run(0.5)
    np.testing.assert_array_equal(mon.v[0], [0.0, 1.0, 1.0, 1.0, 1.0])


def test_a_generator_neuron_given_two_spikes_in_one_step_is_rejected():
    assert _generator_error([1, 0, 1], [1.0, 1.0, 1.04]).symbol == "times"


def test_bad_spikes_given_between_runs_are_rejected(backend):
    net, G, _ = _generator(backend, 2, indices=[0], times=[1.0], pieces=(2.0,))
    with pytest.raises(ps.ModelError):
        G.set_spikes([0, 0], [3.0, 3.01])
        net.run(2.0)


def test_two_generator_neurons_may_spike_in_the_same_step(backend):
    _, _, mon = _generator(backend, 2, indices=[1, 0], times=[1.0, 1.0])
    np.testing.assert_array_equal(mon.i, [0, 1])


@pytest.mark.parametrize("indices, times", [([0, 3], [1.0, 2.0]), ([-1], [1.0]),
                                            ([0, 1], [1.0]), ([0.5], [1.0]),
                                            ([0], [float("nan")])])
def test_bad_generator_spikes_are_rejected_where_they_are_given(indices, times):
    with pytest.raises(ps.ModelError):
        ps.SpikeGeneratorGroup(3, indices=indices, times=times)


# --- PoissonGroup -----------------------------------------------------------------------

def _poisson(backend, N, rates, duration=200.0, seed=5):
    net = ps.Network(dt=DT, seed=seed, backend=backend)
    with net:
        G = ps.PoissonGroup(N, rates=rates)
        mon = ps.SpikeMonitor(G)
    net.run(duration)
    return mon


def _within(count, expected, sds=5.0):
    """A count of independent Bernoulli trials: within `sds` Poisson sd of its mean."""
    return abs(count - expected) < sds * math.sqrt(expected)


def test_poisson_mean_rate_with_one_rate_for_all():
    mon = _poisson("cpu", 200, 50.0)
    # 200 neurons * 50 Hz * 0.2 s = 2000 expected; sd < sqrt(2000) = 45; 5 sd
    assert _within(mon.num_spikes, 2000)


def test_poisson_mean_rate_with_one_rate_per_neuron():
    rates = np.where(np.arange(200) < 100, 10.0, 80.0)
    mon = _poisson("cpu", 200, rates)
    low, high = mon.count[:100].sum(), mon.count[100:].sum()
    # 100 neurons * 0.2 s: 200 expected at 10 Hz (sd 14), 1600 at 80 Hz (sd 40); 5 sd
    assert _within(low, 200) and _within(high, 1600)


def test_poisson_mean_rate_from_an_expression_over_i():
    mon = _poisson("cpu", 200, "10.0 + 40.0*(i % 2)")
    even, odd = mon.count[0::2].sum(), mon.count[1::2].sum()
    # 100 neurons each at 10 Hz (200 expected) and 50 Hz (1000 expected) for 0.2 s
    assert _within(even, 200) and _within(odd, 1000)


def test_poisson_rate_from_an_expression_over_time():
    mon = _poisson("cpu", 200, "0.5*t")          # a ramp: 0 Hz at 0 ms, 100 Hz at 200 ms
    early, late = np.count_nonzero(mon.t <= 100.0), np.count_nonzero(mon.t > 100.0)
    # integral of 0.5 t dt over 0..100 ms: 2.5 spikes per neuron (500 in all);
    # over 100..200 ms: 7.5 per neuron (1500)
    assert _within(early, 500) and _within(late, 1500)


def test_poisson_rate_expression_may_use_the_group_size():
    mon = _poisson("cpu", 100, "N*2.0", duration=50.0)
    # 100 neurons at 200 Hz for 0.05 s: 1000 expected
    assert _within(mon.num_spikes, 1000)


def test_poisson_rate_zero_never_spikes(backend):
    mon = _poisson(backend, 20, 0.0, duration=20.0)
    assert mon.num_spikes == 0


def test_poisson_spikes_are_the_same_on_both_backends_for_the_same_seed():
    ref = _poisson("numpy", 50, "20.0 + 5.0*i + 0.1*t", duration=50.0)
    cpu = _poisson("cpu", 50, "20.0 + 5.0*i + 0.1*t", duration=50.0)
    assert ref.num_spikes > 50
    np.testing.assert_array_equal(cpu.i, ref.i)
    np.testing.assert_array_equal(cpu.t, ref.t)


def test_poisson_spikes_follow_the_seed():
    a = _poisson("cpu", 50, 40.0, duration=50.0, seed=1)
    b = _poisson("cpu", 50, 40.0, duration=50.0, seed=1)
    c = _poisson("cpu", 50, 40.0, duration=50.0, seed=2)
    np.testing.assert_array_equal(a.t, b.t)
    assert not (np.array_equal(a.i, c.i) and np.array_equal(a.t, c.t))


def test_poisson_neurons_are_independent():
    # spike counts of neighbouring neurons should not correlate
    mon = _poisson("cpu", 400, 100.0, duration=100.0)
    c = mon.count.astype(float)
    r = np.corrcoef(c[0::2], c[1::2])[0, 1]
    # 200 independent pairs: sd of r about 0.07; 5 sd
    assert abs(r) < 0.35


def test_negative_poisson_rates_are_rejected():
    with pytest.raises(ps.ModelError):
        ps.PoissonGroup(3, rates=-1.0)
    with pytest.raises(ps.ModelError):
        ps.PoissonGroup(3, rates=[1.0, -1.0, 2.0])


def test_poisson_rates_per_neuron_of_the_wrong_length_are_rejected():
    with pytest.raises(ps.ModelError):
        ps.PoissonGroup(3, rates=[1.0, 2.0])


def test_poisson_input_drives_a_target_through_synapses(backend):
    net = ps.Network(dt=DT, seed=2, backend=backend)
    with net:
        inp = ps.PoissonGroup(20, rates=100.0)
        P = ps.NeuronGroup(4, STILL)
        S = ps.Synapses(inp, P, on_pre="v_post += 1")
        S.connect(j="i % 4")
        spikes = ps.SpikeMonitor(inp)
    net.run(50.0)
    # every input spike adds 1 to its target: the target's v counts its inputs' spikes
    expected = np.bincount(spikes.i % 4, minlength=4)
    assert spikes.num_spikes > 20
    np.testing.assert_array_equal(P.v, expected)


def test_poisson_input_makes_neurons_fire_through_synapses(backend):
    m = ps.NeuronModel("dv/dt = -v/tau : 1", threshold="v > 1", reset="v = 0",
                       params={"tau": 10.0})
    net = ps.Network(dt=DT, seed=2, backend=backend)
    with net:
        inp = ps.PoissonGroup(50, rates=200.0)
        P = ps.NeuronGroup(5, m)
        S = ps.Synapses(inp, P, on_pre="v_post += 0.3", delay=1.0)
        S.connect(condition="i % 5 == j")
        out = ps.SpikeMonitor(P)
    net.run(50.0)
    # 10 inputs at 200 Hz per neuron: 20 inputs of 0.3 per 10 ms time constant
    assert np.all(out.count > 0)
