"""SPAIC's local learning rules on pyspike: single pairings against SPAIC's formula."""
import math

import numpy as np
import pytest

import pyspike.spaic as spaic
from pyspike import ModelError

DECAY = math.exp(-1.0 / 20.0)          # SPAIC's trace_decay per step
#: a weight no rule changed (the default network computes in float64 and holds 0.2 as given)
W_32 = 0.2


def _float64(name="numpy"):
    """A float64 backend (the default, named for the tests that check SPAIC's formula to
    1e-12: float32, SPAIC's, rounds the weights at ~1e-8)."""
    return spaic.Backend(name, data_type="float64")


def _two_inputs(algorithm, pre_step=3, drive_step=10, backend="numpy", monitor=None,
                **options):
    """Input 0 (trained, weight 0.2, too weak to fire) spikes at pre_step; input 1 (its own
    untrained connection, weight 5) makes the neuron fire one step after drive_step.
    Built, 30 steps of input given: (net, trained connection, kick connection, learner,
    the monitor of the learner's variable ``monitor`` or None)."""
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=2, coding_method="null")
        out = spaic.NeuronGroup(1, model="lif")
        learnt = spaic.Connection(inp, out, link_type="full", weight=np.array([[0.2, 0.0]]))
        kick = spaic.Connection(inp, out, link_type="full", weight=np.array([[0.0, 5.0]]))
        learner = spaic.Learner(trainable=learnt, algorithm=algorithm, **options)
        mon = None if monitor is None else spaic.StateMonitor(learner, monitor)
    spikes = np.zeros((1, 30, 2))
    spikes[0, pre_step, 0] = spikes[0, drive_step, 1] = 1.0
    inp(spikes)
    net.build(backend=backend)
    return net, learnt, kick, learner, mon


def _pairing(pre_step, drive_step, algorithm="nearest_online_stdp", steps=30, w0=0.2,
             backend="numpy", training=True, **options):
    """Input 0 (trained, weight w0, too weak to fire) spikes at pre_step; input 1
    (untrained, weight 5) makes the neuron fire one step after drive_step."""
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=2, coding_method="null")
        out = spaic.NeuronGroup(1, model="lif")
        learnt = spaic.Connection(inp, out, link_type="full", weight=np.array([[w0, 0.0]]))
        spaic.Learner(trainable=learnt, algorithm=algorithm, w_norm=None, **options)
    drive = spaic.Encoder(num=1, coding_method="null")
    net.add_assembly("drive", drive)
    net.add_connection("kick", spaic.Connection(drive, out, link_type="full",
                                                weight=np.array([[5.0]])))
    spikes = np.zeros((1, steps, 2))
    spikes[0, pre_step, 0] = 1.0
    kick = np.zeros((1, steps, 1))
    kick[0, drive_step, 0] = 1.0
    inp(spikes)
    drive(kick)
    net.build(backend=backend)
    if not training:
        net.eval()
    net.run(steps * 0.1)
    return float(learnt.weight[0, 0])


def test_pre_before_post_potentiates_by_apost_times_the_decayed_trace():
    # pre at step 3, post at step 11 (one step after its drive at 10): 8 steps apart
    w = _pairing(3, 10, backend=_float64())
    assert w == pytest.approx(0.2 + 1e-2 * DECAY ** 8, rel=1e-12)


def test_post_before_pre_depresses_by_apre_times_the_decayed_trace():
    # post at step 4, pre at step 9: 5 steps apart
    w = _pairing(9, 3, backend=_float64())
    assert w == pytest.approx(0.2 - 1e-4 * DECAY ** 5, rel=1e-12)


def test_the_options_set_the_amplitudes_and_the_decay():
    w = _pairing(3, 10, backend=_float64(), Apost=0.05, trace_decay=0.5)
    assert w == pytest.approx(0.2 + 0.05 * 0.5 ** 8, rel=1e-12)


def test_full_online_stdp_adds_the_traces_of_every_presynaptic_spike():
    net_w = _pairing(3, 10, algorithm="full_online_stdp", backend=_float64())
    assert net_w == pytest.approx(0.2 + 1e-2 * DECAY ** 8, rel=1e-12)


def test_eval_leaves_the_weights_as_they_are():
    assert _pairing(3, 10, training=False) == W_32


def test_the_compiled_backend_learns_what_the_reference_learns():
    assert _pairing(3, 10, backend="cpu") == _pairing(3, 10, backend="numpy")


def test_normalisation_makes_each_row_sum_to_w_norm():
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=6, coding_method="poisson")
        out = spaic.NeuronGroup(3, model="lif")
        con = spaic.Connection(inp, out, link_type="full", weight=np.full((3, 6), 0.4))
        spaic.Learner(trainable=con, algorithm="nearest_online_stdp", w_norm=2.0)
    net.set_random_seed(2)
    net.build(backend=_float64())
    inp(np.full((1, 6), 2.0))
    net.run(5.0)
    assert np.allclose(con.weight.sum(axis=1), 2.0, rtol=1e-12)


def test_a_batch_sums_the_changes_of_its_samples():
    # two samples, the same pairing in each: twice the change of one
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=2, coding_method="null")
        out = spaic.NeuronGroup(1, model="lif")
        con = spaic.Connection(inp, out, link_type="full", weight=np.array([[0.2, 5.0]]))
        spaic.Learner(trainable=con, algorithm="nearest_online_stdp", w_norm=None,
                      Apre=0.0)
    spikes = np.zeros((2, 30, 2))
    spikes[:, 3, 0] = 1.0
    spikes[:, 10, 1] = 1.0
    inp(spikes)
    net.build(backend=_float64())
    net.run(3.0)
    # the second input's weight grows too (its spike precedes the post spike by 1 step)
    assert con.weight[0, 0] == pytest.approx(0.2 + 2 * 1e-2 * DECAY ** 8, rel=1e-12)


def test_an_unknown_algorithm_is_refused_with_the_known_ones():
    con = spaic.Connection(spaic.NeuronGroup(1, model="lif"),
                           spaic.NeuronGroup(1, model="lif"), link_type="full")
    with pytest.raises(ModelError, match="nearest_online_stdp"):
        spaic.Learner(trainable=con, algorithm="stdpp")


def test_an_unknown_option_is_refused():
    con = spaic.Connection(spaic.NeuronGroup(1, model="lif"),
                           spaic.NeuronGroup(1, model="lif"), link_type="full")
    with pytest.raises(ModelError, match="Apost"):
        spaic.Learner(trainable=con, algorithm="nearest_online_stdp", A_plus=0.1)


def _rstdp_pairing(reward, backend="numpy", **options):
    """rstdp on the pairing of _pairing (pre at step 3, post at step 11)."""
    net, learnt, kick, learner, _ = _two_inputs("rstdp", backend=backend, **options)
    learner.reward = reward
    net.run(3.0)
    return float(learnt.weight[0, 0]), float(kick.weight[0, 1])


def test_rstdp_with_zero_reward_changes_nothing():
    assert _rstdp_pairing(0.0) == (W_32, 5.0)


def test_rstdp_changes_w_by_lr_reward_and_the_pre_trace_at_the_post_spike():
    # 8 steps of 0.1 ms between the spikes: p+ = A_plus*exp(-0.8/tau_plus)
    w, _ = _rstdp_pairing(2.0, backend=_float64())
    assert w == pytest.approx(0.2 + 0.1 * 2.0 * np.exp(-0.8 / 20.0), rel=1e-12)


def test_rstdp_takes_spaic_options():
    w, _ = _rstdp_pairing(1.0, backend=_float64(), lr=0.5, A_plus=0.3, tau_plus=5.0)
    assert w == pytest.approx(0.2 + 0.5 * 0.3 * np.exp(-0.8 / 5.0), rel=1e-12)


def test_rstdp_reads_the_reward_node_after_the_run():
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=2, coding_method="null")
        out = spaic.NeuronGroup(1, model="lif")
        learnt = spaic.Connection(inp, out, link_type="full", weight=np.array([[0.2, 5.0]]))
        reward = spaic.Reward(num=1, dec_target=out, coding_method="global_reward")
        spaic.Learner(trainable=learnt, algorithm="rstdp", reward=reward, w_max=10.0)
    spikes = np.zeros((1, 30, 2))
    spikes[0, 3, 0] = 1.0
    spikes[0, 10, 1] = 1.0
    inp(spikes)
    reward(np.array([0]))               # the one output neuron is class 0: rewarded
    net.build(backend="numpy")
    net.run(3.0)
    assert float(np.ravel(reward.reward)[0]) == 1.0
    assert learnt.weight[0, 0] > 0.2


def test_rstdp_without_a_reward_is_refused_after_the_run():
    with pytest.raises(ModelError, match="reward"):
        _rstdp_pairing(None)


def _hebb_net(backend="numpy", **options):
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=2, coding_method="null")
        out = spaic.NeuronGroup(1, model="lif")
        con = spaic.Connection(inp, out, link_type="full", weight=np.array([[0.2, 5.0]]))
        spaic.Learner(trainable=con, algorithm="custom_rule", **options)
    spikes = np.zeros((1, 30, 2))
    spikes[0, 3, 0] = spikes[0, 10, 1] = 1.0
    inp(spikes)
    net.build(backend=backend)
    return net, con


def test_a_custom_rule_given_as_text_is_compiled_into_the_synapses():
    net, con = _hebb_net(_float64(), on_post="w += eta", params={"eta": 0.25})
    net.run(3.0)                       # one postsynaptic spike: every weight + eta
    assert con.weight.tolist() == [[0.45, 5.25]]


def test_a_custom_rule_is_off_in_eval():
    net, con = _hebb_net(on_post="w += eta", params={"eta": 0.25})
    net.eval()
    net.run(3.0)
    assert con.weight.tolist() == [[W_32, 5.0]]


def test_a_custom_rule_is_clipped_by_w_max_at_the_end_of_a_run():
    net, con = _hebb_net(_float64(), on_post="w += eta", params={"eta": 0.25}, w_max=1.0)
    net.run(3.0)
    assert con.weight.tolist() == [[0.45, 1.0]]


def test_a_custom_rule_with_a_mistake_names_it_before_compiling():
    with pytest.raises(ModelError, match="undefined_name"):
        _hebb_net(on_post="w += undefined_name")


def test_a_subclass_overriding_connection_rule_gives_the_rule():
    from pyspike.models import PlasticityRule

    class Halving(spaic.Learner):
        def connection_rule(self, con):
            return PlasticityRule("halving", "w halves at each postsynaptic spike.",
                                  on_post="w = w/2")

    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=2, coding_method="null")
        out = spaic.NeuronGroup(1, model="lif")
        con = spaic.Connection(inp, out, link_type="full", weight=np.array([[0.2, 5.0]]))
        Halving(trainable=con, algorithm="custom_rule")
    spikes = np.zeros((1, 30, 2))
    spikes[0, 10, 1] = 1.0
    inp(spikes)
    net.build(backend=_float64())
    net.run(3.0)
    assert con.weight.tolist() == [[0.1, 2.5]]


def test_a_new_run_starts_the_traces_from_zero():
    # post spikes at the end of one run must not depress a pre spike early in the next
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=2, coding_method="null")
        out = spaic.NeuronGroup(1, model="lif")
        con = spaic.Connection(inp, out, link_type="full", weight=np.array([[0.2, 5.0]]))
        spaic.Learner(trainable=con, algorithm="nearest_online_stdp", w_norm=None,
                      Apost=0.0)
    net.build(backend="numpy")
    late = np.zeros((1, 10, 2))
    late[0, 7, 1] = 1.0                # a postsynaptic spike at step 8
    inp(late)
    net.run(1.0)
    early = np.zeros((1, 10, 2))
    early[0, 0, 0] = 1.0               # a presynaptic spike at step 0 of the next run
    inp(early)
    net.run(1.0)
    assert con.weight[0, 0] == W_32


def _post_run(backend="numpy"):
    return _two_inputs("nearest_online_stdp", backend=backend, w_norm=None,
                       param_run_update=True)[:4]


def test_in_post_run_update_mode_a_run_leaves_the_weights_until_optim_step():
    net, con, _, learner = _post_run(_float64())
    net.run(3.0)
    assert con.weight[0, 0] == 0.2
    learner.optim_step()
    assert con.weight[0, 0] == pytest.approx(0.2 + 1e-2 * DECAY ** 8, rel=1e-12)


def test_in_post_run_update_mode_optim_zero_grad_forgets_the_run():
    net, con, _, learner = _post_run()
    net.run(3.0)
    learner.optim_zero_grad()
    learner.optim_step()
    assert con.weight[0, 0] == W_32


def _spaic_rstdpet(pre_step, post_step, steps, reward, lr=0.1, dt=0.1, tau=20.0,
                   tau_e_trace=25.0, tau_e=25.0):
    """SPAIC's RSTDPET recurrences, step by step, for one synapse (the reference)."""
    b_pm, b_e = np.exp(-dt / tau), np.exp(-dt / tau_e_trace)
    p_plus = p_minus = z = dw = 0.0
    for k in range(steps):
        pre, post = float(k == pre_step), float(k == post_step)
        p_plus = b_pm * p_plus + 1.0 * pre
        p_minus = b_pm * p_minus - 1.0 * post
        e = post * p_plus + p_minus * pre
        z = b_e * z + dt / tau_e * e
        dw += lr * dt * reward * z
    return dw


@pytest.mark.parametrize("pre_step, drive_step", [(3, 10), (20, 5)])
def test_rstdpet_changes_w_as_spaic_s_recurrences_do(pre_step, drive_step):
    net, learnt, _, learner, _ = _two_inputs("rstdpet", pre_step, drive_step, _float64())
    learner.reward = 2.0
    net.run(3.0)
    want = _spaic_rstdpet(pre_step, drive_step + 1, 30, 2.0)   # post fires one step later
    assert want != 0.0
    assert learnt.weight[0, 0] - 0.2 == pytest.approx(want, rel=1e-9)


def test_a_monitor_of_a_learner_records_a_variable_of_its_rule():
    net, learnt, _, learner, mon = _two_inputs("rstdp", backend=_float64(), monitor="elig")
    learner.reward = 0.0
    net.run(3.0)
    elig = mon.values[0, 0, 0]                      # (batch, post, pre, time)
    assert mon.values.shape == (1, 1, 2, 30)
    # the pairing's eligibility, A_plus*exp(-0.8/tau_plus), once the post spike is in
    assert elig[-1] == pytest.approx(np.exp(-0.8 / 20.0), rel=1e-12) and elig[5] == 0.0


def test_a_monitor_of_a_learner_of_several_connections_is_refused():
    net = spaic.Network()
    with net:
        a, b = spaic.NeuronGroup(2, model="lif"), spaic.NeuronGroup(2, model="lif")
        c1 = spaic.Connection(a, b, link_type="full")
        c2 = spaic.Connection(b, a, link_type="full")
        learner = spaic.Learner(trainable=[c1, c2], algorithm="rstdp")
        spaic.StateMonitor(learner, "elig")
    with pytest.raises(ModelError, match="one connection"):
        net.build(backend="numpy")
