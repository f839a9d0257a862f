"""SPAIC's encoders, generators, rewards and an action as nodes of a built and run
``spaic.Network`` (their definitions as functions are tested in test_coding.py and
test_rewards.py).  Each test feeds a small network hand-made input, runs it, and holds
what the node did inside the network (its SpikeMonitor or StateMonitor record, the
Reward's ``reward``, the Action's ``action``) to the node's definition worked out here,
in the test, from the input or from the recorded spikes.

Conventions the tests rely on (pyspike/spaic/monitors.py, README "Nodes"): a SpikeMonitor
stamps a spike of step k with k*dt; a spike of an input at step k reaches a group through
a connection in step k + 1; a generator's current of step k reaches its target's Iext at
the start of step k + 1.  The backend computes in float64 (pyspike's default), and hand-made
values are chosen away from the truncation boundaries of the definitions (int(), ceil()),
so that the expected steps do not depend on how a product is rounded.
"""
import math

import numpy as np
import pytest

import pyspike.spaic as spaic
from pyspike import ModelError

DT = 0.1  # ms, SPAIC's default step


def _steps_of(mon, b):
    """{neuron: [steps of its spikes]} of sample b of a SpikeMonitor."""
    k = np.rint(mon.spk_times[b] / DT).astype(int)
    out = {}
    for n, s in zip(mon.spk_index[b].tolist(), k.tolist()):
        out.setdefault(n, []).append(s)
    return {n: sorted(s) for n, s in out.items()}


def _encoded(method, data, run_ms, backend="numpy", num=None, **options):
    """Encoder -> full Connection -> LIF group; a SpikeMonitor on the encoder; ``data``
    given by calling the encoder, then one run."""
    n_in = num if num is not None else int(np.prod(np.shape(data)[1:]))
    net = spaic.Network()
    with net:
        enc = spaic.Encoder(num=n_in, coding_method=method, **options)
        out = spaic.NeuronGroup(3, model="lif")
        spaic.Connection(enc, out, link_type="full", weight=np.full((3, n_in), 0.3))
        s_enc = spaic.SpikeMonitor(enc)
    net.set_random_seed(7)
    net.build(backend=backend)
    enc(data)
    net.run(run_ms)
    return net, s_enc


# ---------------------------------------------------------------------------- encoders
def test_a_relative_latency_encoder_in_a_network_spikes_at_its_definitions_steps():
    # definition: per sample e = exp(-amp*x) - min_sample(exp(-amp*x)); step =
    # int((T - 1) * scale * e); spikes at or after the cut int(lo + 0.8*(hi - lo)), lo and
    # hi over the WHOLE batch, are dropped
    data = np.array([[0.0, 0.2, 0.4, 0.6, 0.8, 1.0],
                     [0.6, 0.5, 0.4, 0.3, 0.2, 0.55]])
    steps, scale = 30, 0.9999999
    _, s_enc = _encoded("relative_latency", data, steps * DT)
    e = np.exp(-data)
    e = e - e.min(axis=1, keepdims=True)
    step = np.floor((steps - 1) * scale * e).astype(int)
    cut = int(step.min() + 0.8 * (step.max() - step.min()))
    for b in range(2):
        want = {n: [int(step[b, n])] for n in range(6) if step[b, n] < cut}
        assert _steps_of(s_enc, b) == want
    # worked out by hand: sample 0's x = 0 lands at step 18 >= cut 14 and is dropped;
    # sample 1's steps 5 and 7 stay although they lie past 80 % of its own range (the cut
    # is the batch's)
    assert _steps_of(s_enc, 0) == {1: [13], 2: [8], 3: [5], 4: [2], 5: [0]}
    assert _steps_of(s_enc, 1) == {0: [0], 1: [1], 2: [3], 3: [5], 4: [7], 5: [0]}


def test_a_uniform_encoder_in_a_network_spikes_every_period_of_its_definition():
    # definition: input i spikes in step k where (k + 1) mod P_i == 0, P_i =
    # ceil(amp*max_time*(bias + max - x_i) / ((bias + max - min)*dt)), plus
    # 10*max_time/dt for the inputs equal to the minimum; min and max over the whole batch
    data = np.array([[0.0, 0.25, 0.5, 0.75, 1.0],
                     [0.5, 0.6, 0.9, 0.2, 0.1]])
    steps, max_time, bias = 30, 1.0, 0.05
    _, s_enc = _encoded("uniform", data, steps * DT, max_time=max_time)
    lo, hi = data.min(), data.max()
    period = np.ceil(max_time * (bias + hi - data) / ((bias + hi - lo) * DT))
    period += (data == lo) * 10 * max_time / DT
    for b in range(2):
        want = {n: [k for k in range(steps) if (k + 1) % int(period[b, n]) == 0]
                for n in range(5)}
        assert _steps_of(s_enc, b) == {n: s for n, s in want.items() if s}
    # by hand: periods 110 (the minimum: silent), 8, 6, 3, 1 and 6, 5, 2, 9, 10
    assert period.astype(int).tolist() == [[110, 8, 6, 3, 1], [6, 5, 2, 9, 10]]


def test_an_sstb_encoder_in_a_network_spikes_once_in_the_step_of_each_given_time():
    # definition: input i spikes once, in step int(t_i / dt) (times in ms, mid-step here)
    times = np.array([[0.05, 0.25, 1.07, 2.93],
                      [2.45, 0.01, 0.55, 1.62]])
    _, s_enc = _encoded("sstb", times, 3.0)
    want = np.floor(times / DT).astype(int)
    assert want.tolist() == [[0, 2, 10, 29], [24, 0, 5, 16]]
    for b in range(2):
        assert _steps_of(s_enc, b) == {n: [int(want[b, n])] for n in range(4)}


def test_an_mstb_encoder_in_a_network_spikes_at_each_event_step_and_clamps_late_ones():
    # definition: each event (t, i) of a sample spikes input i in step min(int(t/dt), T-1)
    samples = [([0.05, 0.33, 0.77, 5.0], [2, 0, 2, 1]),     # 5.0 ms: after the 1 ms run
               ([0.95, 0.12], [3, 3])]
    _, s_enc = _encoded("mstb", samples, 1.0, num=4)
    for b, (t, i) in enumerate(samples):
        want = {}
        for time, n in zip(t, i):
            want.setdefault(n, []).append(min(int(time / DT), 9))
        assert _steps_of(s_enc, b) == {n: sorted(s) for n, s in want.items()}
    assert _steps_of(s_enc, 0) == {0: [3], 1: [9], 2: [0, 7]}


def test_an_mstb_encoder_refuses_two_events_of_one_input_in_one_step():
    # mstb's definition ADDS two events of one input in one step (a value of 2); the
    # network's connections carry spikes (0 or 1), so the run refuses it
    with pytest.raises(ModelError, match="not spikes"):
        _encoded("mstb", [([0.31, 0.35], [1, 1])], 1.0, num=2)


# -------------------------------------------------------------------------- generators
@pytest.mark.parametrize("unit_conversion, rate", [(0.1, 2.0), (0.01, 20.0)],
                         ids=["dense-model", "sparse-model"])
def test_a_poisson_generator_feeding_a_group_spikes_at_rate_times_unit_conversion(
        unit_conversion, rate):
    # definition: a spike with probability p = rate * unit_conversion (no dt) in every step
    # of every neuron, independently: p = 0.2 both ways (unit_conversion <= 0.02 runs the
    # model that draws the gaps between spikes, larger the one that draws every step).
    # 50 neurons x 100 steps = 5000 Bernoulli(0.2) draws: the count is Binomial(5000, 0.2),
    # mean 1000, sd 28.3; 5 sd bounds fail a correct generator with probability < 1e-6
    # (and the seed is fixed), while a p off by 15 % (150 spikes) fails them
    n, steps = 50, 100
    net = spaic.Network()
    with net:
        gen = spaic.Generator(num=n, coding_method="poisson_generator",
                              unit_conversion=unit_conversion)
        out = spaic.NeuronGroup(n, model="lif")
        spaic.Connection(gen, out, link_type="one_to_one", weight=np.eye(n) * 2.0)
        s_gen, s_out = spaic.SpikeMonitor(gen), spaic.SpikeMonitor(out)
    net.set_random_seed(5)
    net.build(backend="cpu")
    gen(rate)
    net.run(steps * DT)
    p = rate * unit_conversion
    draws = n * steps
    count = s_gen.spk_count.sum()
    assert abs(count - draws * p) < 5 * math.sqrt(draws * p * (1 - p))
    # the group it feeds: each generator spike (weight 2 > v_th 1, V reset to 0 after a
    # spike) makes its LIF neuron spike in the next step, and nothing else does
    g, o = _steps_of(s_gen, 0), _steps_of(s_out, 0)
    want = {i: [k + 1 for k in s if k + 1 < steps] for i, s in g.items()}
    assert o == {i: s for i, s in want.items() if s}


def test_a_poisson_generator_spikes_only_strictly_inside_its_start_and_end_times():
    # p = rate * unit_conversion = 10 * 0.1 = 1: a spike in every step k with start_time <
    # k*dt < end_time (strict), none elsewhere; a rate of 0 never spikes
    net = spaic.Network()
    with net:
        gen = spaic.Generator(num=3, coding_method="poisson_generator", start_time=0.25,
                              end_time=0.75)
        out = spaic.NeuronGroup(3, model="lif")
        spaic.Connection(gen, out, link_type="one_to_one", weight=np.eye(3) * 2.0)
        s_gen = spaic.SpikeMonitor(gen)
    net.build(backend="numpy")
    gen([10.0, 10.0, 0.0])
    net.run(1.0)
    window = [k for k in range(10) if 0.25 < k * DT < 0.75]
    assert window == [3, 4, 5, 6, 7]
    assert _steps_of(s_gen, 0) == {0: window, 1: window}


def _current_generator(method, data, steps, **options):
    """A current generator -> one_to_one (weight 2) -> a 'null' relay (O = its input of
    the step); StateMonitors on the generator's O and the relay's O."""
    net = spaic.Network()
    with net:
        gen = spaic.Generator(num=3, coding_method=method, **options)
        relay = spaic.NeuronGroup(3, model="null")
        spaic.Connection(gen, relay, link_type="one_to_one", weight=np.eye(3) * 2.0)
        m_gen, m_relay = spaic.StateMonitor(gen, "O"), spaic.StateMonitor(relay, "O")
    net.build(backend="numpy")
    gen(data)
    net.run(steps * DT)
    return m_gen.values[0], m_relay.values[0]


def _assert_generated(got_gen, got_relay, want):
    # the generator's O of step k is its definition's value at t = k*dt, and the relay
    # reads 2 * that in step k + 1 (nothing in step 0).  Tolerance: rtol 1e-12, atol 1e-15:
    # the library and this test compute the same float64 formula, possibly in another
    # order (a few ulp apart); a wrong step or slope is off by > 1e-5 relative here
    np.testing.assert_allclose(got_gen, want, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(got_relay[:, 0], 0.0, atol=1e-15)
    np.testing.assert_allclose(got_relay[:, 1:], 2.0 * want[:, :-1], rtol=1e-12, atol=1e-15)


def test_a_ramp_generator_feeding_a_group_rises_by_its_slope_and_stops_at_end_time():
    # definition: amp * (slope * t + base) at t = k*dt, 0 from step int(end_time/dt) on;
    # amp defaults to SPAIC's 0.001; a slope per neuron
    slope, base, end_time, steps = np.array([1.0, 2.0, -1.0]), 0.5, 0.75, 10
    got_gen, got_relay = _current_generator("ramp", slope, steps, base=base,
                                            end_time=end_time)
    t = np.arange(steps) * DT
    want = 0.001 * (slope[:, None] * t[None, :] + base)
    want[:, int(end_time / DT):] = 0.0                  # from step 7 on
    assert int(end_time / DT) == 7 and got_gen[0, 6] > 0
    _assert_generated(got_gen, got_relay, want)


def test_a_cc_generator_feeding_a_group_gives_its_current_in_every_step():
    # definition: the input current, per neuron, in every step
    current = np.array([0.5, -0.25, 3.0])
    got_gen, got_relay = _current_generator("cc_generator", current, 8)
    _assert_generated(got_gen, got_relay, np.repeat(current[:, None], 8, axis=1))


def test_a_sin_generator_feeding_a_group_gives_amp_sin_of_two_pi_t_over_period():
    # definition: amp * sin(2*pi*t/period) at t = k*dt, for every neuron
    amp, period, steps = 1.5, 0.8, 12
    got_gen, got_relay = _current_generator("sin", [amp, period], steps)
    wave = amp * np.sin(2 * np.pi * np.arange(steps) * DT / period)
    _assert_generated(got_gen, got_relay, np.repeat(wave[None, :], 3, axis=0))


# ----------------------------------------------------------------- rewards and actions
def _driven(counts, steps, node, **options):
    """A 'null' encoder gives input neuron n of sample b counts[b][n] spikes (steps 0, 2,
    4, ...) -> one_to_one (weight 2 > v_th 1) -> a LIF output that spikes a step after
    each; ``node`` (Reward or Action) reads the output; a SpikeMonitor records it too.
    Returns (net, encoder, node, output monitor)."""
    counts = np.asarray(counts)
    batch, n = counts.shape
    train = np.zeros((batch, steps, n))
    for b in range(batch):
        for i in range(n):
            train[b, 0:2 * counts[b, i]:2, i] = 1.0
    assert 2 * counts.max() < steps                       # every spike reaches the output
    net = spaic.Network()
    with net:
        enc = spaic.Encoder(num=n, coding_method="null")
        out = spaic.NeuronGroup(n, model="lif")
        spaic.Connection(enc, out, link_type="one_to_one", weight=np.eye(n) * 2.0)
        made = node(num=n, dec_target=out, **options)
        s_out = spaic.SpikeMonitor(out)
    net.build(backend="numpy")
    enc(train)
    return net, enc, made, s_out


def _counts(mon, n):
    """(batch, n) spike counts of a SpikeMonitor's record, by hand."""
    return np.array([np.bincount(i, minlength=n) for i in mon.spk_index])


def test_a_da_reward_node_rewards_the_neurons_of_each_rightly_predicted_population():
    # definition: predict = the population (pop_size consecutive neurons) with the most
    # spikes over the run (lowest on a tie); a reward per neuron, punish_signal everywhere
    # and reward_signal on the predicted population of a sample whose label it is; a
    # batch's rewards are SUMMED over its samples into one row
    counts = [[3, 1, 0, 1],        # populations 4, 1: predicts 0, label 0 (right)
              [0, 1, 2, 2],        # 1, 4: predicts 1, label 0 (wrong)
              [2, 2, 1, 2]]        # 4, 3: predicts 0, label 0 (right)
    labels = np.array([0, 0, 0])
    pop, hit, miss, steps = 2, 2.0, -0.5, 10
    net, _, reward, s_out = _driven(counts, steps, spaic.Reward, coding_method="da_reward",
                                    pop_size=pop, reward_signal=hit, punish_signal=miss)
    reward(labels)
    net.run(steps * DT)
    got = _counts(s_out, 4)
    assert got.tolist() == counts
    pops = got.reshape(3, 2, pop).sum(axis=2)
    want = np.full((3, 4), miss)
    for b in range(3):
        predicted = int(np.argmax(pops[b]))
        if predicted == labels[b]:
            want[b, predicted * pop:(predicted + 1) * pop] = hit
    want = want.sum(axis=0, keepdims=True)
    assert want.tolist() == [[3.5, 3.5, -1.5, -1.5]]              # by hand
    assert np.asarray(reward.reward).tolist() == want.tolist()     # sums of halves: exact


def test_an_xor_reward_node_rewards_a_spiking_output_for_label_one_only():
    # definition: reward_signal where the label is 1 and the population spiked during the
    # run, punish_signal everywhere else (a silent output is punished for label 0 too)
    counts = [[2, 0], [2, 0], [0, 0], [0, 0], [0, 3]]
    labels = np.array([1, 0, 1, 0, 1])
    steps = 10
    net, _, reward, s_out = _driven(counts, steps, spaic.Reward, coding_method="xor_reward")
    reward(labels)
    net.run(steps * DT)
    spiked = _counts(s_out, 2) > 0
    want = np.where((labels[:, None] == 1) & spiked, 1.0, -1.0)
    assert want.tolist() == [[1, -1], [-1, -1], [-1, -1], [-1, -1], [-1, 1]]   # by hand
    assert np.asarray(reward.reward).tolist() == want.tolist()


def test_a_classify_reward_node_gives_one_hot_label_minus_softmax_of_the_normalised_rates():
    # definition: out = mean over the run's steps of each neuron's spikes (the running
    # output starts at 0 each run); z = (out - mean(out)) / (std(out) + 0.1) + 1e-8 with
    # the mean and the unbiased std over the whole batch; p = softmax(z) per sample;
    # reward = 1 - p on the label's neuron and -p on the others
    counts = [[1, 0, 3], [2, 2, 0]]
    labels = np.array([2, 0])
    steps = 10
    net, _, reward, s_out = _driven(counts, steps, spaic.Reward,
                                    coding_method="classify_reward")
    reward(labels)
    net.run(steps * DT)
    out = _counts(s_out, 3) / steps
    z = (out - out.mean()) / (np.std(out, ddof=1) + 0.1) + 1e-8
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    want = -p
    want[np.arange(2), labels] += 1.0
    # Tolerance 1e-12: the same float64 arithmetic on the same counts, in another order
    # (exp, sums and the division each a few ulp apart); a reward one spike off moves by
    # > 1e-2 here
    np.testing.assert_allclose(reward.reward, want, rtol=0, atol=1e-12)
    assert want[0, 2] > 0 and want[1, 0] > 0 and (want[0, :2] < 0).all()


def test_a_highest_spikes_action_node_chooses_the_most_spiking_neuron_lowest_on_a_tie():
    # definition: the output neuron with the most spikes over the run; on a tie the lowest
    # index (neurons 1 and 2 tie here with 3 spikes each)
    counts = [[1, 3, 3, 0]]
    steps = 10
    net, _, action, s_out = _driven(counts, steps, spaic.Action,
                                    coding_method="highest_spikes_action")
    net.run(steps * DT)
    got = _counts(s_out, 4)[0]
    best = max(got)
    want = min(n for n in range(4) if got[n] == best)
    assert want == 1
    assert action.action == want


def test_a_highest_voltage_action_node_turns_greedy_once_its_calls_decay_epsilon():
    # SPAIC's epsilon-greedy with seed 1: random while its fixed draw (0.134...) is at
    # most epsilon(steps_done), i.e. for calls 0 to 462; the largest voltage after that
    net = spaic.Network()
    with net:
        enc = spaic.Encoder(num=3, coding_method="constant_current")
        out = spaic.NeuronGroup(3, model="lif", v_th=1e9)
        spaic.Connection(enc, out, link_type="one_to_one", weight=np.eye(3))
        # (coding_var_name="V": an Action records O unless told, in SPAIC as here)
        act = spaic.Action(num=3, dec_target=out, coding_method="highest_voltage_action",
                           coding_var_name="V", seed=1)
    net.build(backend="numpy")
    enc(np.array([[0.0, 0.0, 5.0]]))
    actions = []
    for _ in range(480):
        net.run(0.3)
        actions.append(act.action)
    assert act.steps_done == 480
    assert set(actions[:463]) == {0, 1, 2}          # random while epsilon is high
    assert actions[463:] == [2] * 17                  # greedy: the largest voltage
