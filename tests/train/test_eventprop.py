"""EventProp: the adjoint derived from a model's text is the paper's, and the gradients of
whole networks equal central finite differences of the loss (float64)."""
import numpy as np
import pytest
import sympy as sp

from pyspike.codegen.equations import symbol
from pyspike.codegen.errors import ModelError
from pyspike.codegen.eventprop import DLDT, eventprop_model, lam
from pyspike.model import NeuronModel
from pyspike.train import Adam, fit
from pyspike.train.eventprop import (EventPropLayer, EventPropNetwork, latency_code,
                                     latency_cross_entropy)
from pyspike.train.losses import cross_entropy_membrane

LIF = "dV/dt = (-V + I)/tau_m : 1\ndI/dt = -I/tau_s : 1"
PARAMS = ("tau_m", "tau_s", "theta")
#: 3 samples, one spike per input neuron at these times (ms)
INPUT = np.random.default_rng(0).uniform(0.0, 10.0, (3, 5))
LABELS = np.array([0, 1, 0])


def lif_model():
    return eventprop_model(LIF, threshold="V > theta", reset="V = 0", on_pre="I += w",
                           params=PARAMS)


def paper_symbols():
    tau_m, tau_s, theta, w = (symbol(n) for n in ("tau_m", "tau_s", "theta", "w"))
    Lv, Li, Lv_post, Li_post = sp.symbols("Lambda_V Lambda_I Lambda_V_post Lambda_I_post")
    return tau_m, tau_s, theta, w, Lv, Li, Lv_post, Li_post


def test_the_derived_lif_adjoint_odes_are_the_papers():
    # Wunderlich & Pehle, free dynamics, no voltage loss, with ' = d/dt' in reversed time
    # t' = T - t: tau_m Lambda_V' = -Lambda_V and tau_s Lambda_I' = -Lambda_I + Lambda_V.
    # Their Lambda come from the Lagrangian of tau_m dV/dt + V - I, so that ours
    # (lambda = dL/dx) are lambda_V = -tau_m Lambda_V and lambda_I = -tau_s Lambda_I.
    tau_m, tau_s, _, _, Lv, Li, _, _ = paper_symbols()
    ours = {lam("V"): -tau_m * Lv, lam("I"): -tau_s * Li}
    paper_dLv_dt = -(-Lv / tau_m)                 # d/dt = -d/dt'
    paper_dLi_dt = -((-Li + Lv) / tau_s)
    adjoint = dict(lif_model().adjoint)
    assert sp.simplify(adjoint["V"].xreplace(ours) - (-tau_m * paper_dLv_dt)) == 0
    assert sp.simplify(adjoint["I"].xreplace(ours) - (-tau_s * paper_dLi_dt)) == 0


def test_the_derived_lif_jump_at_a_spike_is_the_papers():
    # The paper: Lambda_V^- = Lambda_V^+ + [theta Lambda_V^+ + (W^T (Lambda_V^+ -
    # Lambda_I))_n + dl_p/dt] / (tau_m dV/dt^-), with tau_m dV/dt^- = I - theta at the
    # spike; Lambda_I is continuous.  Ours: dL/dt_s collects dl_p/dt and the next
    # layer's input_time terms, one per postsynaptic neuron.
    tau_m, tau_s, theta, w, Lv, Li, Lv_post, Li_post = paper_symbols()
    m = lif_model()
    post = {lam("V"): -tau_m * Lv_post, lam("I"): -tau_s * Li_post}
    assert sp.simplify(m.input_time.xreplace(post) - w * (Lv_post - Li_post)) == 0
    dlp = sp.Symbol("dlp_dt")
    total = dlp + w * (Lv_post - Li_post)
    jump = dict(m.spike_jump)
    ours_v = jump["V"].xreplace({lam("V"): -tau_m * Lv, DLDT: total})
    paper_v = Lv + (theta * Lv + total) / (symbol("I") - theta)
    assert sp.simplify(ours_v - (-tau_m * paper_v)) == 0
    assert jump["I"] == lam("I")


def test_the_weight_gradient_is_minus_tau_s_lambda_i_at_the_presynaptic_spikes():
    tau_s, Li = symbol("tau_s"), sp.Symbol("Lambda_I")
    assert lif_model().weight_grad.xreplace({lam("I"): -tau_s * Li}) == -tau_s * Li


def test_a_lif_saves_only_its_current_at_a_spike_as_the_threshold_gives_v():
    m = lif_model()
    assert m.saved_at_spike == ("I",) and m.solved == ("V", symbol("theta"))
    assert m.saved_at_input == () and m.linear and not m.adjoint_reads_state


def fd_check(net, x, labels, loss, eps=1e-6):
    """(largest |gradient - central difference| / largest |difference|, the differences)
    over every weight, asserting that no perturbation changes any spike count."""
    value, grad = loss(net.forward(x), labels)
    counts = [s.time.size for s in net.spikes]
    net.backward(grad)
    grads = {k: g.copy() for k, g in net.grads.items()}
    worst = 0.0
    for name, w in net.params.items():
        fd = np.zeros_like(w)
        for idx in np.ndindex(w.shape):
            old = w[idx]
            w[idx] = old + eps
            plus = loss(net.forward(x), labels)[0]
            assert [s.time.size for s in net.spikes] == counts
            w[idx] = old - eps
            minus = loss(net.forward(x), labels)[0]
            assert [s.time.size for s in net.spikes] == counts
            w[idx] = old
            fd[idx] = (plus - minus) / (2 * eps)
        assert np.count_nonzero(fd) >= fd.size // 2, name     # the check has teeth
        worst = max(worst, np.abs(grads[name] - fd).max() / np.abs(fd).max())
    return worst, counts


def test_first_spike_time_gradients_of_a_two_layer_lif_network_equal_finite_differences():
    # 5 inputs -> 4 LIF -> 2 LIF, the latency loss on the output's first spikes; with
    # exact integration the only error left is the finite difference's (eps = 1e-6 on
    # weights of order 1, loss of order 1: about 1e-9 relative); the bound is 1e-6
    net = EventPropNetwork(EventPropLayer(5, 4, seed=0, mean=1.5, std=0.5),
                           EventPropLayer(4, 2, seed=1, mean=3.0, std=0.5),
                           duration=30.0, dt=1.0)
    worst, counts = fd_check(net, INPUT, LABELS, latency_cross_entropy)
    assert counts[1] > 0 and worst < 1e-6


def test_voltage_readout_gradients_with_neurons_spiking_repeatedly_equal_finite_differences():
    # 5 inputs -> 4 LIF, several spikes each -> 2 LI readout, cross-entropy on the
    # maximum of V over the 0.5 ms grid (the paper's max-over-time loss, sampled)
    net = EventPropNetwork(EventPropLayer(5, 4, seed=0, mean=5.0, std=0.5),
                           EventPropLayer(4, 2, "li", record="V", seed=1, mean=1.0, std=0.5),
                           duration=30.0, dt=0.5)
    worst, counts = fd_check(net, INPUT, LABELS, cross_entropy_membrane)
    assert counts[0] > 3 * 4 * 2 and worst < 1e-6


def test_an_adaptive_threshold_lif_is_derived_and_its_gradients_equal_finite_differences():
    # the threshold theta + A rises by beta at each spike: the reset map changes A, the
    # threshold's gradient reads A, and the jump saves I and A (V = theta + A)
    layer = EventPropLayer(5, 4, "alif", seed=0, mean=5.0, std=0.5)
    assert layer.model.saved_at_spike == ("I", "A")
    net = EventPropNetwork(layer, EventPropLayer(4, 2, "li", record="V", seed=1),
                           duration=30.0, dt=0.5)
    worst, counts = fd_check(net, INPUT, LABELS, cross_entropy_membrane)
    per_neuron = np.bincount(net.spikes[0].sample * 4 + net.spikes[0].neuron)
    assert per_neuron.max() > 2 and worst < 1e-6


def test_a_users_nonlinear_model_is_integrated_with_rk4_and_its_gradients_nearly_agree():
    # a quadratic leak: the adjoint reads V, so the backward pass integrates V back from
    # the states saved at the stops; rk4 with dt = 0.5 ms leaves about 1e-6 relative
    model = NeuronModel(equations="dV/dt = (-V + 0.5*V**2 + I)/tau_m : 1\n"
                                  "dI/dt = -I/tau_s : 1",
                        threshold="V > 1", reset="V = 0", params={"tau_m": 20.0, "tau_s": 5.0})
    layer = EventPropLayer(5, 3, model, seed=0, mean=2.0, std=0.5)
    assert layer.model.adjoint_reads_state and not layer.model.linear
    net = EventPropNetwork(layer, EventPropLayer(3, 2, "li", record="V", seed=1),
                           duration=20.0, dt=0.5)
    worst, counts = fd_check(net, INPUT[:2], LABELS[:2], cross_entropy_membrane)
    assert counts[0] > 0 and worst < 1e-5


def test_a_spike_time_is_where_the_closed_form_potential_reaches_the_threshold():
    # one input spike of weight w at t = 1 ms into a LIF: V(t) = w tau_s/(tau_m - tau_s)
    # (exp(-s/tau_m) - exp(-s/tau_s)), s = t - 1
    layer = EventPropLayer(1, 1, seed=0)
    layer.params["weight"][:] = 8.0
    net = EventPropNetwork(layer, duration=30.0, dt=1.0)
    net.forward(np.array([[1.0]]))
    s = net.spikes[0].time[0] - 1.0
    v = 8.0 * 5.0 / 15.0 * (np.exp(-s / 20.0) - np.exp(-s / 5.0))
    assert abs(v - 1.0) < 1e-13


def test_a_crossing_that_falls_back_below_the_threshold_within_one_grid_step_is_found():
    # dt = the whole run: the only stop is its end, where V is back below threshold
    layer = EventPropLayer(1, 1, seed=0)
    layer.params["weight"][:] = 6.5            # peak V = 6.5 * 0.157 = 1.02 at 9.2 ms
    net = EventPropNetwork(layer, duration=30.0, dt=30.0)
    net.forward(np.array([[0.0]]))
    assert net.spikes[0].time.size == 1 and 5.0 < net.spikes[0].time[0] < 9.3


def test_fit_trains_an_eventprop_network_with_adam_on_a_latency_task():
    rng = np.random.default_rng(1)
    x = rng.random((64, 2))
    y = (x[:, 0] > x[:, 1]).astype(int)
    net = EventPropNetwork(EventPropLayer(3, 16, seed=0, mean=2.0, std=1.0),
                           EventPropLayer(16, 2, seed=1, mean=1.5, std=0.5),
                           duration=20.0, dt=1.0)
    h = fit(net, x, y, epochs=6, batch_size=32, loss=latency_cross_entropy, on="membrane",
            optimizer=Adam(2e-2), encode=latency_code(t_max=10.0, bias=0.0), progress=False)
    assert h.epochs[-1]["loss"] < 0.9 * h.epochs[0]["loss"]


def test_the_latency_loss_gradient_equals_finite_differences():
    out = -np.array([[[3.0, 5.0, 4.0], [7.0, 2.0, 9.0]]])
    value, grad = latency_cross_entropy(out, np.array([2, 1]))
    fd = np.zeros_like(out)
    for idx in np.ndindex(out.shape):
        step = np.zeros_like(out)
        step[idx] = 1e-6
        fd[idx] = (latency_cross_entropy(out + step, np.array([2, 1]))[0]
                   - latency_cross_entropy(out - step, np.array([2, 1]))[0]) / 2e-6
    assert np.allclose(grad, fd, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("threshold, reset, on_pre, message", [
    ("", "V = 0", "I += w", "has no threshold"),
    ("V > theta or I > 2", "V = 0", "I += w", "not a single threshold crossing"),
    ("abs(V) > theta", "V = 0", "I += w", "not a single smooth crossing"),
    ("c > theta", "V = 0", "I += w", "never crosses it"),
    ("V > theta", "I = 0", "I += w", "leaves the threshold"),
    ("V > theta", "V = 0", "I += w*I", "additive jumps only"),
    ("V > theta", "V = 0", "I += 1", "does not read the weight"),
])
def test_models_eventprop_does_not_apply_to_are_refused_naming_why(threshold, reset,
                                                                    on_pre, message):
    with pytest.raises(ModelError, match=message):
        eventprop_model(LIF + "\nc : 1", threshold=threshold, reset=reset, on_pre=on_pre,
                        params=PARAMS)


def test_a_model_with_noise_is_refused():
    with pytest.raises(ModelError, match="noise"):
        eventprop_model("dV/dt = -V/tau_m + xi*tau_m**-0.5 : 1\ndI/dt = -I/tau_m : 1",
                        "V > 1", "V = 0", "I += w", params=("tau_m",))


def test_a_model_with_a_refractory_period_is_refused_by_the_layer():
    model = NeuronModel(equations=LIF, threshold="V > 1", reset="V = 0", refractory=2.0,
                        params={"tau_m": 20.0, "tau_s": 5.0})
    with pytest.raises(ModelError, match="refractory"):
        EventPropLayer(2, 2, model)


def test_a_readout_without_a_threshold_must_name_what_it_records():
    with pytest.raises(ModelError, match="record="):
        EventPropLayer(2, 2, "li")


def test_a_weight_named_as_a_model_variable_is_refused_and_another_name_is_taken():
    adaptive = LIF + "\ndw/dt = -w/tau_m : 1"
    with pytest.raises(ModelError, match="weight="):
        eventprop_model(adaptive, "V > theta", "V = 0; w += 0.1", "I += w", params=PARAMS)
    m = eventprop_model(adaptive, "V > theta", "V = 0; w += 0.1", "I += wt", params=PARAMS,
                        weight="wt")
    assert m.weight_grad == lam("I")


def test_a_state_that_blows_up_between_stops_is_reported_with_the_step_to_shrink():
    model = NeuronModel(equations="dV/dt = (-V + exp(V) + I)/tau_m : 1\nI : 1",
                        threshold="V > 50", reset="V = 0", params={"tau_m": 1.0})
    net = EventPropNetwork(EventPropLayer(1, 1, model, init={"V": 0.0}, mean=5.0, std=0.0),
                           duration=10.0, dt=5.0)
    with pytest.raises(ModelError, match="smaller dt"):
        net.forward(np.array([[0.0]]))
