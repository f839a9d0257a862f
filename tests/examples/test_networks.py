"""The benchmark networks of examples/networks.py, checked by whole-network statistics
against the published models: CUBA (Brette et al. 2007 benchmark 1), COBA and COBAHH
(benchmarks 2 and 3), and Brunel (2000) regimes A and D.

Each network runs once per module (fixtures) and several tests read its spikes.  The
whole file takes some 30 s on two cores.
"""
import sys
from pathlib import Path

import numpy as np
import pytest

import pyspike as ps

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))
import networks  # noqa: E402

DT = 0.1


def _spikes_after(mon, t0):
    keep = mon.t > t0
    return mon.i[keep], mon.t[keep]


def mean_rate(mon, n, t0, t1):
    """Spikes per neuron per second in (t0, t1] ms."""
    i, _ = _spikes_after(mon, t0)
    return i.size / n / ((t1 - t0) * 1e-3)


def mean_isi_cv(mon, n, t0=0.0, min_isis=2):
    """The mean over neurons (with at least ``min_isis`` intervals after t0) of the
    coefficient of variation of their inter-spike intervals, and how many neurons count."""
    i, t = _spikes_after(mon, t0)
    order = np.lexsort((t, i))
    i, t = i[order], t[order]
    same = i[1:] == i[:-1]
    who, isi = i[1:][same], np.diff(t)[same]
    count = np.bincount(who, minlength=n)
    s1 = np.bincount(who, isi, minlength=n)
    s2 = np.bincount(who, isi * isi, minlength=n)
    ok = count >= min_isis
    mean = s1[ok] / count[ok]
    sd = np.sqrt(np.maximum(s2[ok] / count[ok] - mean ** 2, 0.0))
    return float(np.mean(sd / mean)) if ok.any() else np.nan, int(ok.sum())


def population_fano(mon, t0, t1, bin_ms=1.0):
    """Variance over mean of the population spike count in bins of ``bin_ms``: about 1
    for independent Poisson neurons, much larger when the population fires in waves."""
    _, t = _spikes_after(mon, t0)
    counts = np.histogram(t, bins=np.arange(t0, t1 + 1e-9, bin_ms))[0]
    return counts.var() / counts.mean()


def _run(builder, backend, seed, duration, **kwargs):
    net = ps.Network(dt=DT, seed=seed, backend=backend)
    parts = builder(net, **kwargs)
    with net:
        mon = ps.SpikeMonitor(parts["P"])
    net.run(duration)
    return parts, mon


# --- CUBA --------------------------------------------------------------------------------

CUBA_N, CUBA_T = 4000, 1000.0


@pytest.fixture(scope="module", params=[1, 2, 3], ids=lambda s: f"seed{s}")
def cuba(request):
    return _run(networks.cuba, "cpu", request.param, CUBA_T, n=CUBA_N)


def test_cuba_mean_rate_is_that_of_the_published_model(cuba):
    _, mon = cuba
    rate = mean_rate(mon, CUBA_N, 0.0, CUBA_T)
    # Reference 5.6 Hz (Brian2 2.9 and NEST 3.10 with this model, El = -49 mV).  Seeds
    # change the connectivity and initial state: this implementation gives 5.6-6.0 Hz
    # over 1 s for seeds 1-3, and the reference simulators spread similarly from seed to
    # seed.  4.5-7.0 Hz allows that spread (~ +-0.4 Hz) with margin, and still fails for
    # a wrong synaptic weight (+-10% of we or wi moves the rate by >2 Hz) or a wrong
    # integration of the exponential synapses.
    assert 4.5 < rate < 7.0


def test_cuba_neurons_fire_irregularly(cuba):
    _, mon = cuba
    cv, counted = mean_isi_cv(mon, CUBA_N)
    # the self-sustained asynchronous irregular state: measured 0.51-0.54 (regular firing
    # would give ~0, Poisson 1); most neurons fire at least 3 times in 1 s at ~6 Hz
    assert counted > CUBA_N // 2
    assert 0.3 < cv < 1.0


def test_cuba_activity_is_sustained_to_the_end(cuba):
    _, mon = cuba
    # no decay to silence: the last 200 ms carry their share of the spikes (rate within
    # a factor 2 of the whole run's)
    late = mean_rate(mon, CUBA_N, CUBA_T - 200.0, CUBA_T)
    whole = mean_rate(mon, CUBA_N, 0.0, CUBA_T)
    assert 0.5 * whole < late < 2.0 * whole


# --- COBA and COBAHH ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def coba():
    return _run(networks.coba, "cpu", 1, 500.0, n=4000)


@pytest.fixture(scope="module")
def cobahh():
    return _run(networks.cobahh, "cpu", 1, 300.0, n=4000)


@pytest.mark.parametrize("name, duration", [("coba", 500.0), ("cobahh", 300.0)])
def test_rate_is_positive_and_finite(name, duration, request):
    _, mon = request.getfixturevalue(name)
    rate = mean_rate(mon, 4000, 0.0, duration)
    assert np.isfinite(rate) and rate > 0


@pytest.mark.parametrize("name", ["coba", "cobahh"])
def test_state_has_no_nan_or_inf(name, request):
    parts, _ = request.getfixturevalue(name)
    P = parts["P"]
    for var in P.model.variables:
        assert np.all(np.isfinite(getattr(P, var))), var


def test_coba_voltage_stays_between_the_reversal_potentials(coba):
    parts, _ = coba
    # every conductance is >= 0 and exponential Euler moves v towards a weighted mean of
    # Ei = -80, El + I = -40 and Ee = 0 mV: v cannot leave [-80, 0] (float rounding aside)
    v = parts["P"].v
    assert v.min() >= -80.0 - 1e-9 and v.max() <= 0.0 + 1e-9
    assert parts["P"].ge.min() >= 0 and parts["P"].gi.min() >= 0


def test_cobahh_voltage_and_gates_stay_in_their_physical_ranges(cobahh):
    parts, _ = cobahh
    P = parts["P"]
    # v moves towards a conductance-weighted mean of EK = -90 ... ENa = 50 mV; the gates
    # relax towards alpha/(alpha + beta) in [0, 1] (both exactly, by exponential Euler)
    assert P.v.min() >= -90.0 - 1e-9 and P.v.max() <= 50.0 + 1e-9
    for gate in ("m", "n", "h"):
        x = getattr(P, gate)
        assert x.min() >= 0.0 and x.max() <= 1.0, gate


@pytest.mark.parametrize("builder", [networks.coba, networks.cobahh],
                         ids=["coba", "cobahh"])
def test_cpu_equals_numpy_reference_on_a_small_network(builder):
    ref_parts, ref = _run(builder, "numpy", 4, 50.0, n=200)
    cpu_parts, cpu = _run(builder, "cpu", 4, 50.0, n=200)
    assert ref.num_spikes > 10
    np.testing.assert_array_equal(cpu.i, ref.i)
    np.testing.assert_array_equal(cpu.t, ref.t)
    # the same arithmetic in the same order: only exp/log/exprel may differ in the last
    # ulp, which 500 steps of these contracting dynamics keep far below 1e-9 mV
    np.testing.assert_allclose(cpu_parts["P"].v, ref_parts["P"].v, rtol=0, atol=1e-9)


# --- Brunel 2000 -------------------------------------------------------------------------

BRUNEL_N = 10000 + 2500
BRUNEL_T, BRUNEL_SKIP = 400.0, 100.0       # the first 100 ms are the transient


@pytest.fixture(scope="module")
def brunel_a():
    return _run(networks.brunel, "cpu", 1, BRUNEL_T, regime="A")


@pytest.fixture(scope="module")
def brunel_d():
    return _run(networks.brunel, "cpu", 1, BRUNEL_T, regime="D")


def test_brunel_regime_a_fires_near_the_refractory_limit(brunel_a):
    _, mon = brunel_a
    rate = mean_rate(mon, BRUNEL_N, BRUNEL_SKIP, BRUNEL_T)
    # excitation dominates (g = 3): neurons fire as fast as the 2 ms refractory period
    # and the 1.5 ms delay allow; measured 476 Hz.  Any rate above 200 Hz is this regime.
    assert rate > 200.0


def test_brunel_regime_a_is_regular(brunel_a):
    _, mon = brunel_a
    cv, counted = mean_isi_cv(mon, BRUNEL_N, BRUNEL_SKIP)
    # every neuron fires on every population wave: all intervals equal (measured CV 0.00)
    assert counted == BRUNEL_N
    assert cv < 0.1


def test_brunel_regime_a_is_synchronous(brunel_a):
    _, mon = brunel_a
    # the population fires in waves, bins alternate between full and empty
    assert population_fano(mon, BRUNEL_SKIP, BRUNEL_T) > 20.0


def test_brunel_regime_d_fires_at_a_low_rate(brunel_d):
    _, mon = brunel_d
    rate = mean_rate(mon, BRUNEL_N, BRUNEL_SKIP, BRUNEL_T)
    # inhibition dominates (g = 4.5) with weak external drive (eta = 0.9): measured
    # 4.9-5.4 Hz (seeds 1, 2; 5.1 Hz over 600 ms); the limit of 15 Hz is far from the
    # ~100+ Hz of the excitation-dominated or strongly driven regimes
    assert 0.5 < rate < 15.0


def test_brunel_regime_d_population_activity_oscillates(brunel_d):
    _, mon = brunel_d
    fano = population_fano(mon, BRUNEL_SKIP, BRUNEL_T)
    # slow global oscillation: population rate in 1 ms bins has mean ~5 Hz and sd ~7 Hz,
    # i.e. a count of ~63 per bin with sd ~90: Fano ~120-200 (seeds 1, 2).  Independent
    # Poisson neurons would give 1 (see the control test below); 20 leaves a wide margin
    assert fano > 20.0


def test_brunel_regime_d_neurons_fire_irregularly(brunel_d):
    _, mon = brunel_d
    cv, counted = mean_isi_cv(mon, BRUNEL_N, BRUNEL_SKIP)
    # synchronous *irregular*: single neurons skip most waves at random.  Measured 0.29-0.30
    # over 300 ms from the neurons with >= 3 spikes (the window biases this low: 0.44 over
    # 600 ms); regime A gives 0.00.  0.2 separates the two with margin.
    assert counted > 500
    assert cv > 0.2


def test_population_fano_factor_of_independent_poisson_neurons_is_about_one():
    # the control for the statistic above: 12500 Poisson neurons at 5 Hz, 1 ms bins
    net = ps.Network(dt=DT, seed=1, backend="cpu")
    with net:
        G = ps.PoissonGroup(BRUNEL_N, rates=5.0)
        mon = ps.SpikeMonitor(G)
    net.run(BRUNEL_T)
    fano = population_fano(mon, BRUNEL_SKIP, BRUNEL_T)
    # binomial counts (62.5 per bin) have Fano 1 - p = 0.9995; the sample variance of 300
    # bins has a relative sd of sqrt(2/300) = 0.08: 1 +- 0.4 is 5 sd
    assert 0.6 < fano < 1.4
