"""More parts of pyspike.brainpy, each checked against BrainPy 2.4.3's definition written
out here with NumPy: ``bp.dyn.ProjAlignPost2``, the ``bp.dyn.MgBlock`` output, the
``bp.conn.FixedPostNum`` / ``FixedPreNum`` connectors and ``bp.visualize``'s
``raster_plot`` / ``line_plot``.

BrainPy's step, as the NumPy loops below write it (brainpy/_src/dyn/projections/aligns.py,
synapses/abstract_models.py, outs/outputs.py and delay.py at tag V2.4.3):

- a projection called before its presynaptic group reads that group's spikes of K steps
  ago, K = max(1, ceil(delay/dt)) (delay None: the spike variable itself, one step old);
- it adds ``x @ W`` to the Expon state g, which the postsynaptic group's before-update then
  decays by d = exp(-dt/tau) (exp_auto is exact for dg/dt = -g/tau): g_n = d*(g_{n-1} + x_n @ W);
- a neuron without LTC (``Lif``) takes the current I_n = out(g_n, V_{n-1}) with V at the
  step's start and integrates tau*dV/dt = -(V - V_rest) + R*I exactly (exp_auto, linear):
  V_n = V_rest + R*I_n + (V_{n-1} - V_rest - R*I_n)*exp(-dt/tau);
- a neuron with LTC (``LifLTC``) puts the current inside the derivative f(V), and exp_auto
  takes one linearised step: V_n = V + dt*phi1(dt*f'(V))*f(V), phi1(z) = (e^z - 1)/z.

Tolerances: pyspike runs these models in double precision, and the references compute the
same closed forms in another order (pyspike pre-scales the weights by d, for instance), so
they differ by rounding only (about 1e-14 mV per step here).  ``ATOL`` = 1e-9 mV leaves a
wide margin for that over 300 steps, yet is far below what any real difference would make:
one step more or less of delay moves V here by more than 1e-2 mV.
"""
import io
import math

import numpy as np
import pytest

import pyspike as ps
import pyspike.brainpy as bp
import pyspike.brainpy.math as bm
from pyspike.brainpy.context import SIMULATIONS

DT = 0.1
#: absolute tolerance (mV) of V against the NumPy references: see the module's docstring.
ATOL = 1e-9
STEPS = 300
#: weights of the 2 presynaptic neurons onto the 3 postsynaptic ones
W = np.array([[1.0, 2.0, 3.0], [0.5, 0.0, 1.5]])
#: A's drive: its neurons first spike at steps 81 and 102 (and again at 213, 255)
DRIVE = np.array([30., 25.])
#: BrainPy's MgBlock defaults (V_offset, added in 2.4.6, defaults to 0; 2.4.3 has none)
MG = dict(E=0.0, cc_Mg=1.2, alpha=0.062, beta=3.57)
PARS = dict(V_rest=-60., V_th=-50., V_reset=-60., tau=20., tau_ref=5.)
#: resting (and initial) V of B's neurons in the tests of conductance-based outputs: a
#: hyperpolarised, a middle and a depolarised one, where the Mg block differs most
REST = np.array([-70., -40., -10.])


@pytest.fixture(autouse=True)
def _global_dt():
    bm.set_dt(DT)
    yield
    bm.set_dt(0.1)


# ---------------------------------------------------------------------------------------
# BrainPy's definitions, in NumPy


def expon_conductance(spikes, K, tau, weights=W):
    """The post-aligned Expon state each postsynaptic neuron reads at each step:
    g_n = d*(g_{n-1} + spikes[n - K] @ weights), d = exp(-dt/tau)."""
    d = math.exp(-DT / tau)
    g = np.zeros(weights.shape[1])
    out = []
    for n in range(len(spikes)):
        x = spikes[n - K].astype(float) if n >= K else np.zeros(weights.shape[0])
        g = d * (g + x @ weights)
        out.append(g)
    return np.array(out)


def g_inf(V, E=0.0, cc_Mg=1.2, alpha=0.062, beta=3.57, V_offset=0.0):
    """BrainPy's documented magnesium block: 1 + cc_Mg/beta*exp(alpha*(V_offset - V))."""
    return 1 + cc_Mg / beta * np.exp(alpha * (V_offset - V))


def mg_current(g, V, **mg):
    """MgBlock's output: g*(E - V)/g_inf(V)."""
    return g * (mg.get("E", 0.0) - V) / g_inf(V, **mg)


def lif_held(current, n_steps, V0, V_rest=-60., tau=20., R=1.):
    """V of a Lif without LTC: the current ``current(n, V)`` held over the step."""
    e = math.exp(-DT / tau)
    V = np.array(V0, dtype=float)
    out = []
    for n in range(n_steps):
        I = current(n, V)
        V = V_rest + R * I + (V - V_rest - R * I) * e
        out.append(V)
    return np.array(out)


def lif_ltc_mg(g, V0, V_rest=-60., tau=20., **mg):
    """V of a LifLTC with an MgBlock input: one exp_auto step of
    f(V) = (-(V - V_rest) + I(V))/tau, linearised about V with f'(V) written out."""
    E, alpha = mg.get("E", 0.0), mg.get("alpha", 0.062)
    V = np.array(V0, dtype=float)
    out = []
    for gn in g:
        block = g_inf(V, **mg)
        f = (-(V - V_rest) + gn * (E - V) / block) / tau
        d_block = -alpha * (block - 1)                   # d g_inf / dV
        J = (-1 + gn * (-block - (E - V) * d_block) / block ** 2) / tau
        V = V + DT * np.expm1(DT * J) / (DT * J) * f
        out.append(V)
    return np.array(out)


# ---------------------------------------------------------------------------------------
# The model: A (2 driven LifRef neurons) projects onto B (3 neurons that never spike)


class Post2Net(bp.DynSysGroup):
    """A projects onto B through the ProjAlignPost2 projections ``projs``, each a dict of
    ``delay``, ``weights``, ``syn`` and ``out``; ``order`` is 'proj_first' (projections,
    then A, then B, as BrainPy's examples) or 'neu_first' (A, B, then the projections)."""

    def __init__(self, projs, order="proj_first", post_cls=None, V_rest=-60., V0=-60.):
        super().__init__()
        self.order = order
        self.A = bp.dyn.LifRef(2, V_initializer=bp.init.OneInit(-60.), **PARS)
        self.B = (post_cls or bp.dyn.Lif)(3, V_rest=V_rest, V_th=1000., V_reset=-60.,
                                          tau=20., V_initializer=V0)
        self.projs = [bp.dyn.ProjAlignPost2(pre=self.A, delay=p.get("delay"),
                                            comm=bp.dnn.AllToAll(2, 3, p.get("weights", W)),
                                            syn=p.get("syn") or bp.dyn.Expon(3, tau=5.),
                                            out=p["out"], post=self.B)
                      for p in projs]

    def update(self):
        if self.order == "proj_first":
            for P in self.projs:
                P()
        self.A(DRIVE)
        self.B(0.)
        if self.order == "neu_first":
            for P in self.projs:
                P()


def monitors(*projs, steps=STEPS, **kwargs):
    """The runner's monitors of A's spikes and B's V over ``steps`` steps."""
    runner = bp.DSRunner(Post2Net(list(projs), **kwargs), monitors=['A.spike', 'B.V'],
                         progress_bar=False)
    runner.run(steps * DT)
    return runner.mon


def simulate(*projs, **kwargs):
    """A's spikes (steps x 2) and B's V (steps x 3)."""
    mon = monitors(*projs, **kwargs)
    spikes = mon['A.spike']
    assert spikes[:, 0].any() and spikes[:, 1].any()        # (the test means something)
    return spikes, mon['B.V']


def first_move(V, rest=-60.):
    """The first step at which any of B's neurons leaves its resting value."""
    return int(np.flatnonzero(np.any(V != rest, axis=1))[0])


# ---------------------------------------------------------------------------------------
# ProjAlignPost2


def test_post2_without_delay_feeds_the_expon_state_one_step_after_the_spike():
    spikes, V = simulate(dict(out=bp.dyn.CUBA()))
    g = expon_conductance(spikes, K=1, tau=5.)
    np.testing.assert_allclose(V, lif_held(lambda n, v: g[n], STEPS, [-60.] * 3),
                               rtol=0, atol=ATOL)
    assert first_move(V) == np.flatnonzero(spikes.any(axis=1))[0] + 1


@pytest.mark.parametrize("delay, K", [(0.5, 5), (0.25, 3), (0.05, 1), (0.0, 1)])
def test_post2_delays_a_spike_by_ceil_delay_over_dt_steps_and_at_least_one(delay, K):
    spikes, V = simulate(dict(delay=delay, out=bp.dyn.CUBA()))
    g = expon_conductance(spikes, K=K, tau=5.)
    np.testing.assert_allclose(V, lif_held(lambda n, v: g[n], STEPS, [-60.] * 3),
                               rtol=0, atol=ATOL)
    assert first_move(V) == np.flatnonzero(spikes.any(axis=1))[0] + K


@pytest.mark.parametrize("tau", [2., 12.])
def test_post2s_expon_state_decays_by_exp_minus_dt_over_tau_each_step(tau):
    spikes, V = simulate(dict(out=bp.dyn.CUBA(), syn=bp.dyn.Expon(3, tau=tau)))
    g = expon_conductance(spikes, K=1, tau=tau)
    np.testing.assert_allclose(V, lif_held(lambda n, v: g[n], STEPS, [-60.] * 3),
                               rtol=0, atol=ATOL)


def test_expon_has_brainpys_default_time_constant_of_8_ms():
    spikes, V = simulate(dict(out=bp.dyn.CUBA(), syn=bp.dyn.Expon(3)))
    g = expon_conductance(spikes, K=1, tau=8.)
    np.testing.assert_allclose(V, lif_held(lambda n, v: g[n], STEPS, [-60.] * 3),
                               rtol=0, atol=ATOL)


def test_post2_called_after_its_presynaptic_group_reads_that_steps_spikes_whatever_delay():
    # BrainPy 2.4.3's delay is a ring buffer as long as the delay, written in the
    # presynaptic group's after-update: read after that write, the slot holds the spikes
    # just written.  The target, updated before the projection, sees them one step later.
    spikes, V = simulate(dict(delay=0.5, out=bp.dyn.CUBA()), order="neu_first")
    g = expon_conductance(spikes, K=1, tau=5.)
    np.testing.assert_allclose(V, lif_held(lambda n, v: g[n], STEPS, [-60.] * 3),
                               rtol=0, atol=ATOL)


def test_two_post2_projections_onto_one_group_add_their_conductances():
    # BrainPy keeps one state per ProjAlignPost2 (no merging); the currents add.
    spikes, V = simulate(dict(out=bp.dyn.CUBA()),
                         dict(delay=0.5, weights=0.5 * W, out=bp.dyn.CUBA()))
    g = expon_conductance(spikes, 1, 5.) + expon_conductance(spikes, 5, 5., 0.5 * W)
    np.testing.assert_allclose(V, lif_held(lambda n, v: g[n], STEPS, [-60.] * 3),
                               rtol=0, atol=ATOL)


def test_post2_with_coba_gives_g_times_e_minus_v_with_v_at_the_steps_start():
    spikes, V = simulate(dict(out=bp.dyn.COBA(E=-80.)), V_rest=REST, V0=REST)
    g = expon_conductance(spikes, K=1, tau=5.)
    want = lif_held(lambda n, v: g[n] * (-80. - v), STEPS, REST, V_rest=REST)
    np.testing.assert_allclose(V, want, rtol=0, atol=ATOL)


def test_post2_projections_of_one_kinetics_keep_each_outputs_current():
    spikes, V = simulate(dict(out=bp.dyn.COBA(E=0.)), dict(out=bp.dyn.MgBlock()),
                         V_rest=REST, V0=REST)
    g = expon_conductance(spikes, K=1, tau=5.)
    want = lif_held(lambda n, v: g[n] * (0. - v) + mg_current(g[n], v, **MG), STEPS, REST,
                    V_rest=REST)
    np.testing.assert_allclose(V, want, rtol=0, atol=ATOL)


# ---------------------------------------------------------------------------------------
# MgBlock


def test_mgblock_by_default_is_g_times_e_minus_v_over_brainpys_documented_block():
    # The documented g_inf with E = 0, cc_Mg = 1.2, alpha = 0.062, beta = 3.57.  (BrainPy
    # 2.4.3's code sets beta from alpha, a bug fixed in 2.4.4; pyspike follows the
    # documentation, as the reference here does.)
    spikes, V = simulate(dict(out=bp.dyn.MgBlock()), V_rest=REST, V0=REST)
    g = expon_conductance(spikes, K=1, tau=5.)
    want = lif_held(lambda n, v: mg_current(g[n], v, **MG), STEPS, REST, V_rest=REST)
    np.testing.assert_allclose(V, want, rtol=0, atol=ATOL)


def test_mgblock_uses_each_of_its_parameters_where_brainpy_documents_it():
    mg = dict(E=10., cc_Mg=2.0, alpha=0.1, beta=5.0)
    spikes, V = simulate(dict(out=bp.dyn.MgBlock(**mg)), V_rest=REST, V0=REST)
    g = expon_conductance(spikes, K=1, tau=5.)
    want = lif_held(lambda n, v: mg_current(g[n], v, **mg), STEPS, REST, V_rest=REST)
    np.testing.assert_allclose(V, want, rtol=0, atol=ATOL)


def test_the_mg_block_divides_the_coba_current_by_g_inf_and_relieves_with_depolarisation():
    # Neurons resting at -70, -40 and -10 mV: the first step a conductance reaches them
    # moves V by I*(1 - exp(-dt/tau)), so MgBlock's move over COBA's is 1/g_inf(V_rest).
    moves = []
    for out in (bp.dyn.COBA(E=0.), bp.dyn.MgBlock()):
        _, V = simulate(dict(out=out), V_rest=REST, V0=REST)
        k = first_move(V, REST)
        moves.append(V[k] - REST)
    ratio = moves[1] / moves[0]
    # rtol 1e-9: the moves are 0.05 to 1 mV, differences of V of at most 70 mV in double
    # precision (rounding about 1e-14 mV), so their ratio is good to about 1e-12.
    np.testing.assert_allclose(ratio, 1 / g_inf(REST, **MG), rtol=1e-9, atol=0)
    assert ratio[0] < ratio[1] < ratio[2] < 1


def test_mgblock_on_an_ltc_neuron_enters_its_exp_auto_step_with_its_voltage_derivative():
    mg = dict(E=10., cc_Mg=2.0, alpha=0.1, beta=5.0)
    spikes, V = simulate(dict(out=bp.dyn.MgBlock(**mg)), post_cls=bp.dyn.LifLTC,
                         V_rest=REST, V0=REST)
    g = expon_conductance(spikes, K=1, tau=5.)
    np.testing.assert_allclose(V, lif_ltc_mg(g, REST, V_rest=REST, **mg), rtol=0,
                               atol=ATOL)


# ---------------------------------------------------------------------------------------
# FixedPostNum and FixedPreNum


def connections(conn, n_pre, n_post, layer=bp.dnn.EventCSRLinear, same=False):
    """The synapses a ProjAlignPost2 through ``layer(conn, 1.)`` makes (one step run)."""

    class One(bp.DynSysGroup):
        def __init__(self):
            super().__init__()
            self.A = bp.dyn.LifRef(n_pre, **PARS)
            self.B = self.A if same else bp.dyn.LifRef(n_post, **PARS)
            self.P = bp.dyn.ProjAlignPost2(pre=self.A, delay=None, comm=layer(conn, 1.),
                                           syn=bp.dyn.Expon(n_post, tau=5.),
                                           out=bp.dyn.COBA(E=0.), post=self.B)

        def update(self):
            self.P()
            self.A(0.)
            if not same:
                self.B(0.)

    bm.random.seed(5)
    net = One()
    bp.DSRunner(net, progress_bar=False).run(DT)
    (S,) = SIMULATIONS[net].synapses
    return np.asarray(S.i), np.asarray(S.j)


def test_fixed_post_num_gives_every_presynaptic_neuron_exactly_num_targets():
    i, j = connections(bp.conn.FixedPostNum(5), 20, 30)
    assert np.all(np.bincount(i, minlength=20) == 5)
    assert j.min() >= 0 and j.max() < 30


def test_fixed_post_num_draws_each_neurons_targets_without_repeats():
    i, j = connections(bp.conn.FixedPostNum(12), 20, 30)
    assert len(set(zip(i.tolist(), j.tolist()))) == len(i) == 20 * 12


def test_fixed_post_num_as_a_fraction_takes_int_n_post_times_num_targets():
    i, _ = connections(bp.conn.FixedPostNum(0.2), 20, 30)
    assert np.all(np.bincount(i, minlength=20) == int(30 * 0.2))


def test_fixed_post_num_with_include_self_keeps_the_self_pairs():
    # num = n_post on one group: every neuron to every neuron, itself included
    i, j = connections(bp.conn.FixedPostNum(20), 20, 20, same=True)
    assert len(set(zip(i.tolist(), j.tolist()))) == 400 and np.sum(i == j) == 20


def test_fixed_post_num_without_self_pairs_is_refused_rather_than_ignored():
    with pytest.raises(bp.FeatureError, match="include_self=False"):
        bp.conn.FixedPostNum(5, include_self=False)


def test_fixed_post_num_with_multiple_connections_still_gives_num_targets_each():
    i, j = connections(bp.conn.FixedPostNum(25, allow_multi_conn=True), 20, 30)
    assert np.all(np.bincount(i, minlength=20) == 25)
    # 25 draws with replacement among 30 repeat one with probability 1 - 30!/(5!*30^25),
    # above 0.9999 for each neuron (and bm.random.seed fixes the draw)
    assert len(set(zip(i.tolist(), j.tolist()))) < len(i)


def test_fixed_post_num_above_the_postsynaptic_count_is_refused():
    with pytest.raises(ValueError):
        connections(bp.conn.FixedPostNum(31), 20, 30)


def test_fixed_pre_num_gives_every_postsynaptic_neuron_exactly_num_sources():
    i, j = connections(bp.conn.FixedPreNum(4), 20, 30)
    assert np.all(np.bincount(j, minlength=30) == 4)
    assert i.min() >= 0 and i.max() < 20


def test_fixed_pre_num_draws_each_neurons_sources_without_repeats():
    i, j = connections(bp.conn.FixedPreNum(15), 20, 30)
    assert len(set(zip(i.tolist(), j.tolist()))) == len(i) == 30 * 15


def test_fixed_pre_num_as_a_fraction_takes_int_n_pre_times_num_sources():
    i, j = connections(bp.conn.FixedPreNum(0.25), 20, 30)
    assert np.all(np.bincount(j, minlength=30) == int(20 * 0.25))


def test_fixed_pre_num_through_a_dense_mask_gives_the_same_in_degree():
    _, j = connections(bp.conn.FixedPreNum(4), 20, 30, layer=bp.dnn.MaskedLinear)
    assert np.all(np.bincount(j, minlength=30) == 4)


def test_fixed_pre_num_without_self_pairs_is_refused_rather_than_ignored():
    with pytest.raises(bp.FeatureError, match="include_self=False"):
        bp.conn.FixedPreNum(5, include_self=False)


def test_fixed_pre_num_above_the_presynaptic_count_is_refused():
    with pytest.raises(ValueError):
        connections(bp.conn.FixedPreNum(21), 20, 30)


# ---------------------------------------------------------------------------------------
# raster_plot and line_plot


@pytest.fixture
def plt():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as pyplot
    pyplot.close("all")
    yield pyplot
    pyplot.close("all")


def drawn(ax):
    """The (x, y) points of each line of ``ax``."""
    return [(np.asarray(line.get_xdata()), np.asarray(line.get_ydata())) for line in ax.lines]


def rendered(fig) -> bool:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue().startswith(b"\x89PNG")


def test_raster_plot_draws_a_dot_at_the_time_and_index_of_each_spike(plt):
    ts = np.array([0., 0.1, 0.2, 0.3])
    spikes = np.array([[1, 0, 0], [0, 0, 1], [1, 1, 0], [0, 0, 0]], dtype=bool)
    fig, ax = plt.subplots()
    bp.visualize.raster_plot(ts, spikes, ax=ax)
    ((x, y),) = drawn(ax)
    # (exact: the points are the given times and indices, nothing computed)
    np.testing.assert_array_equal(x, [0., 0.1, 0.2, 0.2])
    np.testing.assert_array_equal(y, [0, 2, 0, 1])
    assert rendered(fig)


def test_raster_plot_draws_dots_not_a_line_with_brainpys_defaults(plt):
    fig, ax = plt.subplots()
    bp.visualize.raster_plot(np.arange(3.), np.eye(3, dtype=bool), ax=ax)
    (line,) = ax.lines
    assert line.get_linestyle() == "None" and line.get_marker() == "."
    assert line.get_markersize() == 2 and line.get_color() == "k"
    assert ax.get_xlabel() == "Time (ms)" and ax.get_ylabel() == "Neuron index"


def test_raster_plot_applies_its_limits_and_title(plt):
    fig, ax = plt.subplots()
    bp.visualize.raster_plot(np.arange(3.), np.eye(3, dtype=bool), ax=ax, xlim=(-1., 5.),
                             ylim=(0., 4.), title="spikes")
    assert ax.get_xlim() == (-1., 5.) and ax.get_ylim() == (0., 4.)
    assert ax.get_title() == "spikes"


def test_raster_plot_of_a_runners_monitors_places_each_spike_at_its_step_time(plt):
    mon = monitors(dict(out=bp.dyn.CUBA()))
    steps, index = np.nonzero(mon['A.spike'])
    assert steps.size >= 4
    bp.visualize.raster_plot(mon.ts, mon['A.spike'])      # on the current axes
    ((x, y),) = drawn(plt.gca())
    np.testing.assert_array_equal(x, mon.ts[steps])
    np.testing.assert_array_equal(y, index)
    assert rendered(plt.gcf())


def test_line_plot_draws_the_chosen_columns_against_the_times(plt):
    ts = np.array([0., 0.1, 0.2])
    values = np.array([[1., 2., 3.], [4., 5., 6.], [7., 8., 9.]])
    fig, ax = plt.subplots()
    bp.visualize.line_plot(ts, values, plot_ids=[0, 2], ax=ax)
    lines = drawn(ax)
    assert len(lines) == 2
    for (x, y), k in zip(lines, (0, 2)):
        np.testing.assert_array_equal(x, ts)
        np.testing.assert_array_equal(y, values[:, k])
    assert ax.get_xlabel() == "Time (ms)"
    assert rendered(fig)


def test_line_plot_takes_one_index_as_a_list_of_one(plt):
    fig, ax = plt.subplots()
    bp.visualize.line_plot(np.arange(3.), np.arange(6.).reshape(3, 2), plot_ids=1, ax=ax)
    ((x, y),) = drawn(ax)
    np.testing.assert_array_equal(y, [1., 3., 5.])


def test_line_plot_flattens_each_steps_values_of_more_dimensions(plt):
    values = np.arange(12.).reshape(3, 2, 2)
    fig, ax = plt.subplots()
    bp.visualize.line_plot(np.arange(3.), values, plot_ids=[3], ax=ax)
    ((_, y),) = drawn(ax)
    np.testing.assert_array_equal(y, values.reshape(3, 4)[:, 3])


def test_line_plot_labels_each_line_legend_dash_index_and_applies_its_limits(plt):
    fig, ax = plt.subplots()
    bp.visualize.line_plot(np.arange(3.), np.arange(9.).reshape(3, 3), plot_ids=[0, 1],
                           ax=ax, legend="V", xlim=(0., 2.), ylim=(-1., 9.), title="t")
    assert [line.get_label() for line in ax.lines] == ["V-0", "V-1"]
    assert ax.get_legend() is not None and ax.get_title() == "t"
    assert ax.get_xlim() == (0., 2.) and ax.get_ylim() == (-1., 9.)


def test_line_plot_without_plot_ids_draws_the_first_column_only(plt):
    values = np.arange(9.).reshape(3, 3)
    fig, ax = plt.subplots()
    bp.visualize.line_plot(np.arange(3.), values, ax=ax)
    ((_, y),) = drawn(ax)
    np.testing.assert_array_equal(y, values[:, 0])


def test_line_plot_of_one_line_is_labelled_with_the_legend_itself(plt):
    fig, ax = plt.subplots()
    bp.visualize.line_plot(np.arange(3.), np.arange(9.).reshape(3, 3), plot_ids=[2], ax=ax,
                           legend="V")
    assert [line.get_label() for line in ax.lines] == ["V"]
    assert ax.get_ylabel() == ""                  # (BrainPy sets no y label unless given)


@pytest.mark.parametrize("num", [-3, "3", True, 1.5, -0.1, None])
def test_a_fixed_degree_that_is_no_count_or_fraction_is_refused_naming_num(num):
    for kind in (bp.conn.FixedPostNum, bp.conn.FixedPreNum):
        with pytest.raises(ps.ModelError, match="num must be a number of neurons") as err:
            kind(num)
        assert err.value.symbol == "num"


def test_a_refused_option_of_a_fixed_degree_is_named_alone():
    with pytest.raises(bp.FeatureError, match=r"FixedPostNum\(include_self=False\)"):
        bp.conn.FixedPostNum(3, include_self=False)
