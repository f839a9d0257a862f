"""Synaptic delays: when an on_pre event becomes visible, homogeneous and per-synapse,
and runs in pieces while delayed spikes are still in flight.

Convention under test: a spike stamped s (a generator spike at t belongs to the step that
starts at floor(t/dt + 0.001)*dt, Brian2's timestep(), and is stamped at its end:
s = floor(t/dt + 0.001) + 1), arriving through a synapse of delay d ms, changes the
postsynaptic state first visible in StateMonitor sample k = s + floor(d/dt + 0.5) (half a
step rounds up); delay 0 is sample s.
"""
import numpy as np
import pytest

import pyspike as ps

DT = 0.1
#: The stamp of a generator spike at 1.0 ms: the step from 1.0 ms ends at sample 11.
STAMP_1MS = 11
#: Neurons that only hold what synapses add to them: v moves only through on_pre.
STILL = ps.NeuronModel("v : 1")


def expected_sample(stamp, delay, dt=DT):
    return stamp + np.floor(np.asarray(delay, dtype=np.float64) / dt + 0.5).astype(np.int64)


def first_sample_above(mon, level=0.5):
    """Index of the first sample where each recorded neuron's v exceeds level (-1: never)."""
    above = mon.v > level
    return np.where(above.any(axis=1), above.argmax(axis=1), -1)


def _fan_out(backend, delays, dt=DT, spike_time=1.0, duration=6.0, per_synapse=True):
    """One generator neuron spiking once, one synapse to each of len(delays) neurons."""
    delays = np.asarray(delays, dtype=np.float64)
    net = ps.Network(dt=dt, seed=1, backend=backend)
    with net:
        gen = ps.SpikeGeneratorGroup(1, indices=[0], times=[spike_time])
        P = ps.NeuronGroup(delays.size, STILL)
        S = ps.Synapses(gen, P, on_pre="v_post += 1")
        S.connect(i=np.zeros(delays.size, dtype=int), j=np.arange(delays.size))
        S.delay = delays if per_synapse else float(delays[0])
        mon = ps.StateMonitor(P, "v", record=True)
    net.run(duration)
    return S, P, mon


MANY_DELAYS = [0.0, 0.1, 0.25, 0.3, 0.35, 0.5, 0.55, 0.75, 0.9, 1.0, 1.05, 1.25, 1.5, 1.65,
               1.75, 2.0, 2.25, 2.45, 2.75, 3.0]


def test_heterogeneous_delays_land_at_the_stamp_plus_rounded_delay(backend):
    S, P, mon = _fan_out(backend, MANY_DELAYS)
    np.testing.assert_array_equal(first_sample_above(mon), expected_sample(STAMP_1MS, MANY_DELAYS))
    np.testing.assert_array_equal(P.v, 1.0)          # every event arrives exactly once
    np.testing.assert_array_equal(S.delay, MANY_DELAYS)


@pytest.mark.parametrize("delay", [0.1, 0.25, 0.5, 1.0, 1.45, 3.0])
def test_a_homogeneous_delay_lands_at_the_stamp_plus_rounded_delay(backend, delay):
    _, P, mon = _fan_out(backend, [delay] * 3, per_synapse=False)
    np.testing.assert_array_equal(first_sample_above(mon), expected_sample(STAMP_1MS, [delay] * 3))
    np.testing.assert_array_equal(P.v, 1.0)


def test_a_zero_delay_is_visible_in_the_sample_of_the_spike_stamp(backend):
    _, _, mon = _fan_out(backend, [0.0, 0.0], per_synapse=False)
    np.testing.assert_array_equal(first_sample_above(mon), [STAMP_1MS, STAMP_1MS])


def test_no_delay_given_means_zero_delay(backend):
    net = ps.Network(dt=DT, seed=1, backend=backend)
    with net:
        gen = ps.SpikeGeneratorGroup(1, indices=[0], times=[0.7])
        P = ps.NeuronGroup(1, STILL)
        S = ps.Synapses(gen, P, on_pre="v_post += 1")
        S.connect(i=[0], j=[0])
        mon = ps.StateMonitor(P, "v", record=True)
    net.run(2.0)
    np.testing.assert_array_equal(S.delay, [0.0])
    # the spike at 0.7 ms (the step from 0.7 ms) acts at 0.8 ms
    np.testing.assert_array_equal(first_sample_above(mon), [8])


def test_half_step_delays_round_up_not_to_even(backend):
    # dt = 0.5 makes d/dt exactly x.5: 0.25 ms -> 1 step (to-even would give 0),
    # 1.25 ms -> 3 steps (to-even would give 2), 0.75 ms -> 2 steps; the spike at 2.0 ms
    # is stamped 5 (the end of the step from 2.0 ms).
    _, _, mon = _fan_out(backend, [0.25, 0.75, 1.25], dt=0.5, spike_time=2.0, duration=8.0)
    np.testing.assert_array_equal(first_sample_above(mon), [5 + 1, 5 + 2, 5 + 3])


def test_a_delay_longer_than_the_run_arrives_in_the_next_run(backend):
    S, P, mon = _fan_out(backend, [2.5, 4.0], duration=2.0)
    np.testing.assert_array_equal(P.v, 0.0)
    S.network.run(6.0)
    np.testing.assert_array_equal(first_sample_above(mon), [STAMP_1MS + 25, STAMP_1MS + 40])


def test_two_spikes_in_flight_on_one_synapse_both_arrive(backend):
    # spikes every 0.3 ms (stamps 11, 14, ..., 23) through a 2 ms delay: several are in
    # the ring at once
    times = [1.0, 1.3, 1.6, 1.9, 2.2]
    net = ps.Network(dt=DT, seed=1, backend=backend)
    with net:
        gen = ps.SpikeGeneratorGroup(1, indices=[0] * 5, times=times)
        P = ps.NeuronGroup(1, STILL)
        S = ps.Synapses(gen, P, on_pre="v_post += 1", delay=2.0)
        S.connect(i=[0], j=[0])
        mon = ps.StateMonitor(P, "v", record=True)
    net.run(6.0)
    jumps = np.nonzero(np.diff(mon.v[0]))[0] + 1
    np.testing.assert_array_equal(jumps, [31, 34, 37, 40, 43])
    assert mon.v[0, -1] == 5.0


def test_delays_given_as_a_string_are_evaluated_per_synapse(backend):
    net = ps.Network(dt=DT, seed=1, backend=backend)
    with net:
        gen = ps.SpikeGeneratorGroup(1, indices=[0], times=[1.0])
        P = ps.NeuronGroup(6, STILL)
        S = ps.Synapses(gen, P, on_pre="v_post += 1")
        S.connect(i=np.zeros(6, dtype=int), j=np.arange(6))
        S.delay = "0.3*j"
        mon = ps.StateMonitor(P, "v", record=True)
    net.run(4.0)
    np.testing.assert_allclose(S.delay, 0.3 * np.arange(6), rtol=0, atol=1e-15)
    np.testing.assert_array_equal(first_sample_above(mon), expected_sample(STAMP_1MS, S.delay))


def test_a_negative_delay_is_rejected():
    net = ps.Network(dt=DT, seed=1, backend="numpy")
    with net:
        gen = ps.SpikeGeneratorGroup(1, indices=[0], times=[1.0])
        P = ps.NeuronGroup(2, STILL)
        S = ps.Synapses(gen, P, on_pre="v_post += 1")
        S.connect(i=[0, 0], j=[0, 1])
    with pytest.raises(ps.ModelError):
        S.delay = -0.1
    with pytest.raises(ps.ModelError):
        S.delay = np.array([0.5, -0.5])
    with pytest.raises(ps.ModelError):
        S.delay = np.array([0.5, 0.5, 0.5])       # one value per synapse, not three


# --- runs in pieces -------------------------------------------------------------------

LIF = ps.NeuronModel("dv/dt = (I + ge - v)/tau : 1\ndge/dt = -ge/tau_e : 1\nI : 1",
                     threshold="v > 1", reset="v = 0", method="euler",
                     params={"tau": 10.0, "tau_e": 2.0})


def _delayed_network(backend, pieces, seed=3):
    """Poisson input -> 40 LIF neurons (per-synapse delays), recurrent (shared delay)."""
    net = ps.Network(dt=DT, seed=seed, backend=backend)
    with net:
        inp = ps.PoissonGroup(40, rates=300.0)
        P = ps.NeuronGroup(40, LIF, init={"I": "0.9 + 0.4*rand()", "v": "0.9*rand()"})
        ff = ps.Synapses(inp, P, model="w : 1", on_pre="ge_post += w")
        ff.connect(j="i")
        ff.w = "1.0 + rand()"
        ff.delay = "2.5*rand()"
        rec = ps.Synapses(P, P, model="w : 1", on_pre="ge_post += w", delay=1.3)
        rec.connect(condition="(i + 3*j) % 7 == 0")
        rec.w = 0.4
        spikes = ps.SpikeMonitor(P)
        inputs = ps.SpikeMonitor(inp)
        states = ps.StateMonitor(P, ["v", "ge"], record=True)
    for duration in pieces:
        net.run(duration)
    return spikes, inputs, states, P


@pytest.mark.parametrize("pieces", [(2.0, 2.0, 2.0), (0.7, 0.0, 1.9, 3.4), (0.1,) * 60])
def test_a_run_in_pieces_with_spikes_in_flight_equals_one_run_bit_for_bit(backend, pieces):
    whole = _delayed_network(backend, (6.0,))
    parts = _delayed_network(backend, pieces)
    # delayed spikes must really be in flight at some cut: an input spike less than the
    # longest delay (2.5 ms) before one of the cut points
    cuts = np.cumsum(pieces)[:-1]
    t_in = whole[1].t
    assert any(((t_in <= c) & (t_in > c - 2.5)).any() for c in cuts)
    assert whole[0].num_spikes > 0
    np.testing.assert_array_equal(parts[0].i, whole[0].i)
    np.testing.assert_array_equal(parts[0].t, whole[0].t)
    np.testing.assert_array_equal(parts[2].v, whole[2].v)
    np.testing.assert_array_equal(parts[2].ge, whole[2].ge)
    np.testing.assert_array_equal(parts[3].v, whole[3].v)


def test_changing_a_homogeneous_delay_between_runs_applies_to_later_spikes(backend):
    net = ps.Network(dt=DT, seed=1, backend=backend)
    with net:
        gen = ps.SpikeGeneratorGroup(1, indices=[0, 0], times=[1.0, 6.0])
        P = ps.NeuronGroup(2, STILL)
        S = ps.Synapses(gen, P, on_pre="v_post += 1", delay=1.0)
        S.connect(i=[0, 0], j=[0, 1])
        mon = ps.StateMonitor(P, "v", record=True)
    net.run(5.0)                      # the first spike has arrived (at 2.1 ms)
    S.delay = 2.5
    net.run(5.0)
    for row in mon.v:               # stamps 11 and 61
        np.testing.assert_array_equal(np.nonzero(np.diff(row))[0] + 1, [21, 86])


def test_switching_from_a_homogeneous_to_per_synapse_delays_between_runs(backend):
    net = ps.Network(dt=DT, seed=1, backend=backend)
    with net:
        gen = ps.SpikeGeneratorGroup(1, indices=[0, 0], times=[1.0, 6.0])
        P = ps.NeuronGroup(3, STILL)
        S = ps.Synapses(gen, P, on_pre="v_post += 1", delay=1.0)
        S.connect(i=[0, 0, 0], j=[0, 1, 2])
        mon = ps.StateMonitor(P, "v", record=True)
    net.run(5.0)
    S.delay = np.array([0.0, 0.4, 3.0])
    net.run(5.0)
    landing = [np.nonzero(np.diff(row))[0] + 1 for row in mon.v]
    # stamps 11 and 61
    np.testing.assert_array_equal(landing, [[21, 61], [21, 65], [21, 91]])


def test_switching_from_per_synapse_delays_to_zero_between_runs(backend):
    net = ps.Network(dt=DT, seed=1, backend=backend)
    with net:
        gen = ps.SpikeGeneratorGroup(1, indices=[0, 0], times=[1.0, 6.0])
        P = ps.NeuronGroup(2, STILL)
        S = ps.Synapses(gen, P, on_pre="v_post += 1")
        S.connect(i=[0, 0], j=[0, 1])
        S.delay = np.array([0.5, 2.0])
        mon = ps.StateMonitor(P, "v", record=True)
    net.run(5.0)
    S.delay = 0.0
    net.run(5.0)
    landing = [np.nonzero(np.diff(row))[0] + 1 for row in mon.v]
    # stamps 11 and 61
    np.testing.assert_array_equal(landing, [[16, 61], [31, 61]])


def test_spikes_in_flight_when_the_delay_changes_arrive_with_the_new_delay(backend):
    net = ps.Network(dt=DT, seed=1, backend=backend)
    with net:
        gen = ps.SpikeGeneratorGroup(1, indices=[0, 0], times=[4.5, 4.8])
        P = ps.NeuronGroup(2, STILL)
        S = ps.Synapses(gen, P, on_pre="v_post += 1", delay=1.0)
        S.connect(i=[0, 0], j=[0, 1])
        mon = ps.StateMonitor(P, "v", record=True)
    net.run(5.0)                      # spikes stamped 46 and 49 are in flight
    S.delay = np.array([2.5, 3.0])    # a longer ring, per synapse
    net.run(5.0)
    landing = [np.nonzero(np.diff(row))[0] + 1 for row in mon.v]
    np.testing.assert_array_equal(landing, [[71, 74], [76, 79]])


def test_cpu_and_numpy_agree_on_heterogeneous_delays_in_a_recurrent_network():
    ref = _delayed_network("numpy", (6.0,))
    cpu = _delayed_network("cpu", (6.0,))
    assert ref[0].num_spikes > 0
    np.testing.assert_array_equal(cpu[0].i, ref[0].i)
    np.testing.assert_array_equal(cpu[0].t, ref[0].t)
    # same operations in the same order; only exp-free Euler arithmetic here, so the
    # traces agree to rounding (1e-12 leaves room for compiler contraction)
    np.testing.assert_allclose(cpu[2].v, ref[2].v, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(cpu[2].ge, ref[2].ge, rtol=1e-12, atol=1e-12)
