"""The plasticity library (``ps.models.plasticity``) against NumPy references written from
the published equations (``plasticity_reference.py``), on the NumPy and C++ backends.

Spikes are placed exactly with SpikeGeneratorGroups; each scenario is one network per
backend (one build), run once and read by several tests (on the GPU too, where there is
one).  Tolerance on a weight change Δw: |Δw - expected| <= 1e-9*|expected| + 1e-12*wmax.
The traces are solved exactly, and so is R-STDP's weight: pyspike integrates its linear
clock-driven pair dc/dt = -c/tau_c, dw/dt = wmax*eta*c*reward with the matrix
exponential (method "exact"), the reference with the same closed form, the reward held
over each step in both.  What is left is rounding (about 5e-14 of the change in double
precision, most of it exp(dt/tau_c) - 1 at dt/tau_c = 1e-3); an Euler step in w would
be off by dt/(2*tau_c) = 5e-4 of the change.
"""
import functools

import numpy as np
import pytest

import pyspike as ps
import pyspike.models.plasticity_rules  # noqa: F401  (registers the rules)
from pyspike.models.plasticity_rules import normalize_weights

from . import plasticity_reference as ref

BACKENDS = ["numpy", "cpu", pytest.param("cuda", marks=pytest.mark.gpu)]
WMAX = 2.0                                       # nS: the rules scale by wmax
SONG = dict(tau_plus=20.0, tau_minus=20.0, A_plus=0.005, A_minus=0.00525)


def _close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-9, atol=1e-12 * WMAX)


# --- pair-based rules: one network of single pairs, bursts and long pairings -----------

LAGS = [-40.0, -20.0, -10.0, -5.0, -1.0, 0.0, 1.0, 5.0, 10.0, 20.0, 40.0]   # t_post - t_pre
#: per pair of generator neurons: (presynaptic times, postsynaptic times, w0/wmax)
PAIRS = ([([50.0], [50.0 + lag], 0.5) for lag in LAGS]
         + [([50.0, 55.0, 60.0], [65.0], 0.5),                  # a presynaptic burst
            ([65.0], [50.0, 55.0, 60.0], 0.5)]                  # a postsynaptic burst
         + [([50.0], [60.0], f) for f in (0.2, 0.5, 0.8)]       # weight dependence
         + [([50.0], [40.0], f) for f in (0.2, 0.5, 0.8)]
         + [(list(50.0 + 50.0 * np.arange(20)), list(55.0 + 50.0 * np.arange(20)), 0.99),
            (list(55.0 + 50.0 * np.arange(20)), list(50.0 + 50.0 * np.arange(20)), 0.01)])
BURST_PRE, BURST_POST = len(LAGS), len(LAGS) + 1
DEPENDENCE = slice(len(LAGS) + 2, len(LAGS) + 8)
BOUNDS = slice(len(LAGS) + 8, len(LAGS) + 10)
RULES = {"stdp": ("stdp", {}), "stdp_nearest": ("stdp_nearest", {}),
         "stdp_multiplicative": ("stdp_multiplicative", {}), "diehl_cook": ("diehl_cook", {}),
         "diehl_cook_paper": ("diehl_cook", {"x_tar": 0.2, "mu": 1.0})}


def _generators(pairs):
    pre = [(k, t) for k, (times, _, _) in enumerate(pairs) for t in times]
    post = [(k, t) for k, (_, times, _) in enumerate(pairs) for t in times]
    return (ps.SpikeGeneratorGroup(len(pairs), indices=[k for k, _ in pre],
                                   times=[t for _, t in pre]),
            ps.SpikeGeneratorGroup(len(pairs), indices=[k for k, _ in post],
                                   times=[t for _, t in post]))


@functools.lru_cache(maxsize=None)
def _pairs(backend: str):
    """rule label -> (w0, w after all spikes), in nS, one synapse per pair of PAIRS."""
    net = ps.Network(dt=0.1, seed=1, backend=backend, precision="double")
    with net:
        pre, post = _generators(PAIRS)
        syn = {}
        for label, (name, params) in RULES.items():
            syn[label] = ps.Synapses(pre, post, model="w : nS", plasticity=name,
                                     params={"wmax": WMAX, **params})
            syn[label].connect(j="i")
    w0 = WMAX * np.array([f for _, _, f in PAIRS])
    for S in syn.values():
        S.w = w0
    net.run(1100.0)
    return {label: (w0, S.w.copy()) for label, S in syn.items()}


def _change(backend, label):
    w0, w = _pairs(backend)[label]
    return w - w0


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("rule", ["stdp", "stdp_nearest"])
def test_the_stdp_window_is_a_plus_exp_for_pre_then_post_and_a_minus_exp_for_post_then_pre(
        backend, rule):
    lags = np.array(LAGS)
    window = np.where(lags >= 0, SONG["A_plus"] * np.exp(-lags / SONG["tau_plus"]),
                      -SONG["A_minus"] * np.exp(lags / SONG["tau_minus"]))
    _close(_change(backend, rule)[:len(LAGS)], WMAX * window)


@pytest.mark.parametrize("backend", BACKENDS)
def test_all_to_all_pairs_a_burst_with_every_spike_and_nearest_with_the_latest(backend):
    e = np.exp(-np.array([15.0, 10.0, 5.0]) / 20.0)
    all_to_all = _change(backend, "stdp")[[BURST_PRE, BURST_POST]]
    nearest = _change(backend, "stdp_nearest")[[BURST_PRE, BURST_POST]]
    _close(all_to_all, WMAX * np.array([SONG["A_plus"] * e.sum(), -SONG["A_minus"] * e.sum()]))
    _close(nearest, WMAX * np.array([SONG["A_plus"] * e[2], -SONG["A_minus"] * e[2]]))


@pytest.mark.parametrize("backend", BACKENDS)
def test_multiplicative_stdp_potentiates_by_wmax_minus_w_and_depresses_by_w(backend):
    f = np.array([0.2, 0.5, 0.8])
    decay = np.exp(-10.0 / 20.0)
    expected = WMAX * np.concatenate([SONG["A_plus"] * (1 - f) * decay,
                                      -SONG["A_minus"] * f * decay])
    _close(_change(backend, "stdp_multiplicative")[DEPENDENCE], expected)


@pytest.mark.parametrize("backend", BACKENDS)
def test_additive_stdp_does_not_depend_on_the_weight(backend):
    change = _change(backend, "stdp")[DEPENDENCE]
    _close(change[:3], np.full(3, change[0]))
    _close(change[3:], np.full(3, change[3]))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("rule", ["stdp", "stdp_nearest"])
def test_hard_bounds_stop_the_weight_at_wmax_and_at_zero(backend, rule):
    _, w = _pairs(backend)[rule]                 # 20 pairings up from 0.99, down from 0.01
    assert list(w[BOUNDS]) == [WMAX, 0.0]


@pytest.mark.parametrize("backend", BACKENDS)
def test_multiplicative_weights_stay_strictly_inside_the_bounds(backend):
    _, w = _pairs(backend)["stdp_multiplicative"]      # the same pairings: soft bounds
    assert 0.0 < w[BOUNDS].min() and w[BOUNDS].max() < WMAX


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("label", list(RULES))
def test_pair_rules_match_the_reference_on_every_pattern(backend, label):
    name, given = RULES[label]
    p = {**ps.models.plasticity[name].params, **given}
    expected = []
    for pre, post, f in PAIRS:
        if name == "diehl_cook":
            w = ref.diehl_cook(pre, post, f, p["tau_plus"], p["tau_minus"], p["nu_minus"],
                               p["nu_plus"], p["x_tar"], p["mu"])
        else:
            w = ref.pair_stdp(pre, post, f, p["tau_plus"], p["tau_minus"], p["A_plus"],
                              p["A_minus"], nearest=name == "stdp_nearest",
                              mu_plus=p.get("mu_plus", 0.0), mu_minus=p.get("mu_minus", 0.0))
        expected.append(WMAX * (w - f))
    _close(_change(backend, label), np.array(expected))


@pytest.mark.parametrize("backend", BACKENDS)
def test_diehl_cook_target_trace_turns_late_pairs_into_depression(backend):
    lags = np.array(LAGS)
    later = lags >= 0
    plain = _change(backend, "diehl_cook")[:len(LAGS)][later]
    paper = _change(backend, "diehl_cook_paper")[:len(LAGS)][later]
    _close(plain, WMAX * 1e-2 * np.exp(-lags[later] / 20.0))
    _close(paper, WMAX * 1e-2 * (np.exp(-lags[later] / 20.0) - 0.2) * 0.5)
    assert paper[-1] < 0 < paper[0]


# --- triplet STDP: Pfister & Gerstner's pairing protocol --------------------------------

RATES = [1.0, 5.0, 10.0, 20.0, 40.0, 50.0]     # Hz
#: 60 pairings at each rate, pre-post (+10 ms, from w = 0) and post-pre (-10 ms, from
#: w = wmax/2): the changes stay within the bounds
PROTOCOL = ([(*ref.pairing(r, 10.0), 0.0) for r in RATES]
            + [(*ref.pairing(r, -10.0), 0.5) for r in RATES])


@functools.lru_cache(maxsize=None)
def _protocol(backend: str) -> np.ndarray:
    """Δw/wmax of the triplet rule, pre-post rates then post-pre rates."""
    net = ps.Network(dt=1.0, seed=1, backend=backend, precision="double")
    with net:
        pre, post = _generators(PROTOCOL)
        S = ps.Synapses(pre, post, model="w : nS", plasticity="stdp_triplet",
                        params={"wmax": WMAX})
        S.connect(j="i")
    w0 = WMAX * np.array([f for _, _, f in PROTOCOL])
    S.w = w0
    net.run(60200.0)
    return (S.w - w0) / WMAX


@pytest.mark.parametrize("backend", BACKENDS)
def test_triplet_stdp_matches_the_reference_on_the_pairing_protocol(backend):
    p = ps.models.plasticity["stdp_triplet"].params
    expected = [ref.triplet(pre, post, f, **{k: v for k, v in p.items() if k != "wmax"}) - f
                for pre, post, f in PROTOCOL]
    np.testing.assert_allclose(_protocol(backend), expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("backend", BACKENDS)
def test_triplet_stdp_post_pre_pairs_depress_at_low_rates_and_potentiate_at_high(backend):
    post_pre = _protocol(backend)[len(RATES):]
    assert post_pre[0] < -0.3 and post_pre[-1] > 0.4
    assert post_pre[RATES.index(20.0)] < 0 < post_pre[RATES.index(40.0)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_triplet_stdp_pre_post_potentiation_grows_with_the_rate(backend):
    pre_post = _protocol(backend)[:len(RATES)]
    assert abs(pre_post[0]) < 1e-3 and pre_post[-1] > 0.8
    assert np.all(np.diff(pre_post) > 0)


# --- reward-modulated STDP: the three ways of giving the reward ------------------------

T_PRE, T_REWARD, STEPS_REWARDED, T_LAST = 10.0, 50.0, 100, 300.0
T_END = T_LAST + 10.0
#: ms, the network's dt: a generator's spike given at T is delivered in the step from T to
#: T + DT and stamped T + DT (README, timing conventions)
DT = 1.0
#: synapse k: pre k -> post k, each from w = wmax/2; pre spikes at T_PRE and T_LAST
#: (which clips), posts 0, 2, 4 and 5 spike after T_PRE (eligibility)
ELIGIBLE = np.array([1, 0, 1, 0, 1, 1], dtype=bool)
#: the reward of each synapse on the rewarded steps (first and second way), times REWARD:
#: posts 4 and 5 ten times as much, one way and the other, so that their weights pass
#: wmax and 0 before their next spike
REWARDED = np.array([1.0, 1.0, 0.0, 0.0, 10.0, -10.0])
#: the third way: the dopamine kick reaches posts 0 and 1
DOPAMINE = np.array([1, 1, 0, 0, 0, 0], dtype=bool)
#: the reward on each rewarded step, varying from step to step
REWARD = 1.0 + 0.5 * np.sin(0.1 * np.arange(STEPS_REWARDED))
TAU_D = 200.0                 # ms: the decay of the dopamine variable (third way)
SNAPSHOTS = {"w_100": 100.0, "w_200": 200.0, "w_end": T_END}     # name -> time (ms)


def _reward_timed_array() -> ps.TimedArray:
    values = np.zeros((int(T_LAST), len(REWARDED)))
    start = int(T_REWARD)
    values[start:start + STEPS_REWARDED] = REWARD[:, None] * REWARDED
    return ps.TimedArray(values, dt=1.0)


@functools.lru_cache(maxsize=None)
def _rstdp(backend: str) -> dict:
    """way -> snapshots of one synapse set: reward set from Python each step ("python"),
    the postsynaptic variable ``reward`` set from a TimedArray ("timed"), a dopamine
    variable kicked by a reward spike ("dopamine")."""
    n = len(REWARDED)
    post_model = ps.NeuronModel(
        "v : 1\ndda/dt = -da/tau_d : 1", update="reward = R(t + dt, i)",
        threshold="v > 0.5", reset="v = 0",
        params={"tau_d": TAU_D, "R": _reward_timed_array()})
    net = ps.Network(dt=DT, seed=1, backend=backend, precision="double")
    with net:
        pre = ps.SpikeGeneratorGroup(n, indices=list(range(n)) * 2,
                                     times=[T_PRE] * n + [T_LAST] * n)
        post = ps.NeuronGroup(n, post_model)
        kick = ps.SpikeGeneratorGroup(2, indices=[0, 1], times=[T_PRE + 4.0, T_REWARD])
        drive = ps.Synapses(kick, post, on_pre="v_post += 1")      # the eligible posts spike
        drive.connect(i=[0] * int(ELIGIBLE.sum()), j=np.flatnonzero(ELIGIBLE))
        dopamine = ps.Synapses(kick, post, on_pre="da_post += 1")
        dopamine.connect(i=[1] * int(DOPAMINE.sum()), j=np.flatnonzero(DOPAMINE))
        spikes = ps.SpikeMonitor(post)
        syn = {"python": ps.Synapses(pre, post, model="w : nS", plasticity="rstdp",
                                     params={"reward": 0.0, "wmax": WMAX}),
               "timed": ps.Synapses(pre, post, model="w : nS", plasticity="rstdp",
                                    params={"wmax": WMAX}),
               "dopamine": ps.Synapses(pre, post, model="w : nS\nreward = da_post : 1",
                                       plasticity="rstdp", params={"wmax": WMAX})}
    for S in syn.values():
        S.connect(j="i")
        S.w = WMAX / 2
    out = {way: {} for way in syn}

    def snapshot(name):
        for way, S in syn.items():
            out[way][name] = S.w.copy()

    net.run(T_REWARD)
    for k, r in enumerate(REWARD):                 # the first way: one value per step
        if T_REWARD + k == SNAPSHOTS["w_100"]:
            snapshot("w_100")
        syn["python"].reward = r * REWARDED
        net.run(1.0)
    syn["python"].reward = 0.0
    net.run(SNAPSHOTS["w_200"] - net.t)
    snapshot("w_200")
    for way, S in syn.items():
        out[way]["c_200"] = S.c.copy()
    net.run(T_END - net.t)
    snapshot("w_end")
    out["post_spikes"] = (spikes.i.copy(), spikes.t.copy())
    return out


def _reward_per_step(way: str) -> np.ndarray:
    """(steps, synapses): the reward that each step of the run holds, as the reference
    takes it."""
    steps = np.arange(int(T_END))
    start = int(T_REWARD)
    if way == "dopamine":      # the kick given at T_REWARD is delivered in the step from
        first = int(T_REWARD + DT)      # there: da = 1 from the next step on, decaying
        da = np.where(steps >= first, np.exp(-(steps - first) / TAU_D), 0.0)
        return da[:, None] * DOPAMINE
    reward = np.zeros((len(steps), len(REWARDED)))
    reward[start:start + STEPS_REWARDED] = REWARD[:, None] * REWARDED
    return reward


def _reference(backend: str, way: str) -> dict:
    """snapshot -> the reference's weights (nS), from the postsynaptic spikes of the run."""
    p = {k: v for k, v in ps.models.plasticity["rstdp"].params.items() if k != "wmax"}
    i, t = _rstdp(backend)["post_spikes"]
    reward = _reward_per_step(way)
    pre = [T_PRE + DT, T_LAST + DT]          # the presynaptic spikes' stamps
    w = np.array([ref.rstdp(pre, t[i == k], reward[:, k], DT, 0.5, **p)
                  for k in range(len(REWARDED))])
    return {name: WMAX * w[:, int(time)] for name, time in SNAPSHOTS.items()}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("way", ["python", "timed", "dopamine"])
def test_rstdp_changes_weights_only_where_reward_and_eligibility_coincide(backend, way):
    snap = _rstdp(backend)[way]
    rewarded = DOPAMINE if way == "dopamine" else REWARDED != 0
    assert list(snap["c_200"] != 0) == list(ELIGIBLE)
    for name in SNAPSHOTS:
        assert list(snap[name] != WMAX / 2) == list(ELIGIBLE & rewarded)


@pytest.mark.parametrize("backend", BACKENDS)
def test_rstdp_weight_changes_every_step_without_waiting_for_a_spike(backend):
    i, t = _rstdp(backend)["post_spikes"]
    # the kick given at T_PRE + 4 shows in v at T_PRE + 5; the threshold finds it in the
    # step from there, stamped T_PRE + 6.  Synapse 0: no spike from 16 to 300
    assert list(t[i == 0]) == [T_PRE + 4.0 + 2 * DT]
    w = np.array([_rstdp(backend)["timed"][name][0] for name in ("w_100", "w_200")])
    assert WMAX / 2 < w[0] < w[1]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("way", ["python", "timed", "dopamine"])
def test_rstdp_weights_are_the_exact_integral_of_wmax_eta_c_reward(backend, way):
    # both integrate exactly (see the module's docstring): the tolerance is rounding
    snap, expected = _rstdp(backend)[way], _reference(backend, way)
    for name in SNAPSHOTS:
        _close(snap[name], expected[name])


@pytest.mark.parametrize("backend", BACKENDS)
def test_rstdp_reward_from_a_timed_array_equals_the_same_values_set_from_python(backend):
    snap = _rstdp(backend)
    for name in SNAPSHOTS:
        np.testing.assert_allclose(snap["timed"][name], snap["python"][name], rtol=1e-13)


@pytest.mark.parametrize("backend", BACKENDS)
def test_rstdp_weight_may_pass_a_bound_between_spikes_and_is_clipped_at_the_next(backend):
    snap = _rstdp(backend)["python"]
    assert snap["w_200"][4] > WMAX and snap["w_200"][5] < 0      # no spike since 15 ms
    assert (snap["w_end"][4], snap["w_end"][5]) == (WMAX, 0.0)   # the spike at T_LAST


def test_rstdp_without_a_reward_asks_for_the_name_reward():
    net = ps.Network(dt=0.1, backend="numpy")
    with net:
        pre = ps.SpikeGeneratorGroup(1, indices=[0], times=[1.0])
        with pytest.raises(ps.ModelError, match="(?s)plasticity rule 'rstdp'.*'reward'"):
            ps.Synapses(pre, pre, model="w : 1", plasticity="rstdp")


# --- weights between runs: reading, writing, normalising --------------------------------

@functools.lru_cache(maxsize=None)
def _between_runs(backend: str) -> dict:
    """stdp from 3 presynaptic onto 2 postsynaptic neurons, all-to-all, one pairing
    (pre at t, post at t + 5 ms) in each of three runs: normalised after the first, set
    by hand after the second."""
    times = [10.0, 1010.0, 2010.0]       # 1 s apart: pairs across runs add < 1e-21
    net = ps.Network(dt=0.1, seed=1, backend=backend, precision="double")
    with net:
        pre = ps.SpikeGeneratorGroup(3, indices=np.repeat(np.arange(3), 3),
                                     times=times * 3)
        post = ps.SpikeGeneratorGroup(2, indices=np.repeat(np.arange(2), 3),
                                      times=[t + 5.0 for t in times] * 2)
        S = ps.Synapses(pre, post, model="w : nS", plasticity="stdp", params={"wmax": WMAX})
        S.connect()
    S.w = np.linspace(0.2, 0.7, 6)
    out = {"w0": S.w.copy(), "j": S.j.copy()}
    for k, given in enumerate(["normalized", "written"]):
        net.run(1000.0)
        out[f"run{k}"] = S.w.copy()
        if given == "normalized":
            normalize_weights(S, 1.5)
        else:
            S.w = np.array([0.1, 0.3, 0.5, 0.2, 0.4, 0.6])
        out[given] = S.w.copy()
    net.run(1000.0)
    out["run2"] = S.w.copy()
    return out


PAIR_CHANGE = WMAX * SONG["A_plus"] * np.exp(-5.0 / 20.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_weights_written_between_runs_are_where_learning_continues(backend):
    runs = _between_runs(backend)
    _close(runs["run0"], runs["w0"] + PAIR_CHANGE)
    _close(runs["run1"], runs["normalized"] + PAIR_CHANGE)
    _close(runs["run2"], runs["written"] + PAIR_CHANGE)


@pytest.mark.parametrize("backend", BACKENDS)
def test_normalize_weights_scales_each_neurons_incoming_weights_to_the_total(backend):
    runs = _between_runs(backend)
    sums = np.bincount(runs["j"], weights=runs["normalized"], minlength=2)
    np.testing.assert_allclose(sums, [1.5, 1.5], rtol=1e-14)
    ratio = runs["normalized"] / runs["run0"]
    for j in (0, 1):                          # one factor per postsynaptic neuron
        np.testing.assert_allclose(ratio[runs["j"] == j], ratio[runs["j"] == j][0],
                                   rtol=1e-14)


def _unbuilt(batch=None, **kw):
    net = ps.Network(dt=0.1, seed=1, backend="numpy", batch=batch)
    with net:
        pre = ps.SpikeGeneratorGroup(2, indices=[0], times=[1.0])
        post = ps.SpikeGeneratorGroup(2, indices=[0], times=[1.0])
        S = ps.Synapses(pre, post, model="w : 1", plasticity="diehl_cook", **kw)
        S.connect()
    return S


def test_normalize_weights_scales_each_instance_of_a_batch_on_its_own():
    S = _unbuilt(batch=2)
    S.w = np.array([[1.0, 1.0, 3.0, 1.0], [2.0, 4.0, 2.0, 0.0]])   # j = 0, 1, 0, 1
    normalize_weights(S, [4.0, 2.0])
    np.testing.assert_allclose(S.w, [[1.0, 1.0, 3.0, 1.0], [2.0, 2.0, 2.0, 0.0]])


def test_normalize_weights_leaves_a_neuron_without_weight_alone():
    S = _unbuilt()
    S.w = [1.0, 0.0, 1.0, 0.0]
    normalize_weights(S, 3.0)
    np.testing.assert_allclose(S.w, [1.5, 0.0, 1.5, 0.0])


def test_normalize_weights_refuses_a_total_of_the_wrong_length():
    with pytest.raises(ps.ModelError, match="total must be one number or one per"):
        normalize_weights(_unbuilt(), [1.0, 2.0, 3.0])


def test_normalize_weights_refuses_what_is_not_synapses():
    with pytest.raises(ps.ModelError, match="needs a Synapses object"):
        normalize_weights(np.ones(3), 1.0)


# --- the library -----------------------------------------------------------------------

NAMES = ["stdp", "stdp_nearest", "stdp_multiplicative", "stdp_triplet", "diehl_cook", "rstdp"]


def test_the_library_has_every_rule_by_name_with_a_reference():
    assert set(NAMES) <= set(ps.models.plasticity)
    for name in NAMES:
        text = str(ps.models.plasticity[name])
        assert "Reference" in text and "parameters:" in text


@pytest.mark.parametrize("unit, target", [("nS", "g"), ("pA", "I"), ("mV", "v"), ("1", "x")])
def test_every_rule_works_with_weights_of_any_unit(unit, target):
    model = ps.NeuronModel("dv/dt = -v/10.0 : mV\ndg/dt = -g/5.0 : nS\ndI/dt = -I/5.0 : pA\n"
                           "dx/dt = -x/5.0 : 1\nreward : 1")
    net = ps.Network(dt=0.1, backend="numpy")
    with net:
        pre = ps.SpikeGeneratorGroup(1, indices=[0], times=[1.0])
        G = ps.NeuronGroup(1, model)
        for name in NAMES:
            S = ps.Synapses(pre, G, model=f"w : {unit}", on_pre=f"{target}_post += w",
                            plasticity=name)
            assert S.plasticity.name == name
