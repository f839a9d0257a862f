"""The pieces of pyspike.brainpy: neurons of bp.dyn standing for the model library,
connectors and communication layers, projections' checks, bm's helpers, and the errors
for BrainPy features that are not offered."""
import numpy as np
import pytest

import pyspike as ps
import pyspike.brainpy as bp
import pyspike.brainpy.math as bm
from pyspike.brainpy.context import SIMULATIONS
from pyspike.codegen.errors import ModelError

PARS = dict(V_rest=-60., V_th=-50., V_reset=-60., tau=20., tau_ref=5.)


@pytest.fixture(autouse=True)
def _global_dt():
    bm.set_dt(0.1)
    yield
    bm.set_dt(0.1)


class Proj(bp.DynSysGroup):
    """One projection of ``comm`` from A to B (or A onto itself), run for one step."""

    def __init__(self, comm, n_pre, n_post, same=False, **proj):
        super().__init__()
        self.A = bp.dyn.LifRef(n_pre, **PARS)
        self.B = self.A if same else bp.dyn.LifRef(n_post, **PARS)
        self.P = bp.dyn.ProjAlignPostMg2(pre=self.A, delay=None, comm=comm,
                                         syn=bp.dyn.Expon.desc(n_post, tau=5.),
                                         out=bp.dyn.COBA.desc(E=0.), post=self.B, **proj)

    def update(self):
        self.P()
        self.A(0.)
        if self.B is not self.A:
            self.B(0.)


def synapses(comm, n_pre, n_post, same=False):
    net = Proj(comm, n_pre, n_post, same)
    bp.DSRunner(net, progress_bar=False).run(0.1)
    (S,) = SIMULATIONS[net].synapses
    return S


@pytest.mark.parametrize("name", ["neurons", "synapses", "LoopOverTime"])
def test_a_brainpy_name_not_offered_raises_a_feature_error_naming_it(name):
    with pytest.raises(bp.FeatureError, match=f"brainpy.{name} "):
        getattr(bp, name)
    assert not hasattr(bp, name)


@pytest.mark.parametrize("module, name", [(bp.dyn, "NMDA"), (bp.dyn, "ProjAlignPreMg2"),
                                          (bm, "vmap"), (bp.conn, "GaussianProb"),
                                          (bp.dnn, "Dense"), (bp.init, "KaimingUniform"),
                                          (bp.visualize, "animate_1D"), (bm.random, "beta")])
def test_a_name_not_offered_in_a_submodule_is_a_model_error_naming_it(module, name):
    with pytest.raises(ModelError, match=name):
        getattr(module, name)


def test_each_integrate_and_fire_model_comes_in_brainpys_four_forms():
    for name in ("Lif", "ExpIF", "AdExIF", "QuaIF", "AdQuaIF", "Gif", "Izhikevich"):
        for ref in ("", "Ref"):
            for ltc in ("", "LTC"):
                cls = getattr(bp.dyn, name + ref + ltc)
                assert cls.library_name == name + ref and cls.ltc == bool(ltc)
                assert cls.library_name in ps.models.neurons


def test_a_neuron_group_takes_brainpys_parameters_and_initializers():
    bm.random.seed(3)
    E = bp.dyn.LifRef(4, V_rest=-60., tau=np.array([10., 20., 30., 40.]),
                      V_initializer=bp.init.Uniform(-70., -65.))
    assert E.group.model.name == "LifRef" and E.V_rest == -60.
    np.testing.assert_array_equal(E.tau, [10., 20., 30., 40.])
    assert E.V.value.shape == (4,) and np.all((E.V.value >= -70.) & (E.V.value < -65.))
    assert E.varshape == (4,) and E.num == 4 and not E.spike.value.any()


def test_an_unknown_neuron_parameter_is_refused_with_the_known_ones():
    with pytest.raises(ModelError, match="no parameter 'tau_ref'.*V_rest"):
        bp.dyn.Lif(3, tau_ref=2.)


def test_writing_a_neuron_variable_sets_the_groups_state():
    E = bp.dyn.LifRef(3, **PARS)
    E.V.value = [-61., -62., -63.]
    E.V[0] = -70.
    np.testing.assert_array_equal(E.group.V, [-70., -62., -63.])


def test_a_neuron_has_no_input_variable_and_says_how_inputs_are_given():
    with pytest.raises(AttributeError, match="argument of their call"):
        bp.dyn.LifRef(2).input


def test_fixed_prob_gives_each_presynaptic_neuron_int_n_post_p_targets():
    S = synapses(bp.dnn.EventCSRLinear(bp.conn.FixedProb(0.1, pre=30, post=50), 0.6), 30, 50)
    assert np.all(np.bincount(S.i, minlength=30) == 5)
    assert all(len(set(S.j[S.i == i])) == 5 for i in range(30))


def test_fixed_prob_without_self_pairs_makes_none():
    conn = bp.conn.FixedProb(0.5, include_self=False, seed=4)
    S = synapses(bp.dnn.CSRLinear(conn, 1.0), 20, 20, same=True)
    assert S.n > 0 and not np.any(S.i == S.j)


def test_fixed_prob_with_its_own_seed_makes_the_same_synapses_again():
    made = [synapses(bp.dnn.CSRLinear(bp.conn.FixedProb(0.2, seed=7), 1.0), 20, 30)
            for _ in range(2)]
    np.testing.assert_array_equal(made[0].j, made[1].j)


def test_a_masked_layer_draws_each_pair_with_probability_p():
    S = synapses(bp.dnn.MaskedLinear(bp.conn.FixedProb(0.1), 1.0), 100, 100)
    assert 1000 - 4 * 30 < S.n < 1000 + 4 * 30      # binomial(10000, 0.1): sd 30


def test_the_weights_of_an_align_post_projection_are_scaled_by_one_step_of_decay():
    W = np.arange(6.).reshape(2, 3)
    S = synapses(bp.dnn.AllToAll(2, 3, W), 2, 3)
    np.testing.assert_allclose(S.w, W[S.i, S.j] * np.exp(-0.1 / 5.))


def test_one_to_one_joins_each_neuron_to_its_namesake():
    S = synapses(bp.dnn.OneToOne(4, np.array([1., 2., 3., 4.])), 4, 4)
    np.testing.assert_array_equal(S.i, S.j)


def test_a_jit_layer_gives_each_neuron_about_p_inputs_with_its_weights():
    S = synapses(bp.dnn.EventJitFPUniformLinear(100, 100, 0.1, w_low=1., w_high=2.), 100, 100)
    assert 1000 - 4 * 30 < S.n < 1000 + 4 * 30
    w = S.w / np.exp(-0.1 / 5.)
    assert np.all((w >= 1.) & (w < 2.)) and abs(w.mean() - 1.5) < 0.05


def test_jit_connectivity_varies_less_per_neuron_than_independent_pairs_as_brainpys():
    bm.random.seed(2)
    pre, post = bp.dnn.jit_pairs(3200, 800, 0.02, bm.random.generator)
    inputs = np.bincount(post, minlength=800)
    # BrainPy 2.4.3's EventJitFPHomoLinear(3200, 800, 0.02): mean 63.7, sd 4.6
    assert abs(inputs.mean() - 64.) < 0.5 and 4.0 < inputs.std() < 5.2


def test_a_layer_made_for_other_sizes_is_refused():
    with pytest.raises(ModelError, match="made for 5 presynaptic neurons"):
        Proj(bp.dnn.AllToAll(5, 3, 1.), 2, 3)


def test_a_synaptic_state_of_another_size_than_its_group_is_refused():
    class Wrong(bp.DynSysGroup):
        def __init__(self):
            super().__init__()
            self.A, self.B = bp.dyn.LifRef(2), bp.dyn.LifRef(3)
            bp.dyn.ProjAlignPostMg2(pre=self.A, delay=None, comm=bp.dnn.AllToAll(2, 3, 1.),
                                    syn=bp.dyn.Expon.desc(2), out=bp.dyn.CUBA.desc(),
                                    post=self.B)

    with pytest.raises(ModelError, match="syn has 2 units"):
        Wrong()


def test_projections_of_the_same_kinetics_onto_a_group_share_one_state():
    class Two(bp.DynSysGroup):
        def __init__(self):
            super().__init__()
            self.A, self.B = bp.dyn.LifRef(2), bp.dyn.LifRef(3)

            def proj(tau):
                return bp.dyn.ProjAlignPostMg2(pre=self.A, delay=None,
                                               comm=bp.dnn.AllToAll(2, 3, 1.),
                                               syn=bp.dyn.Expon.desc(3, tau=tau),
                                               out=bp.dyn.COBA.desc(E=0.), post=self.B)
            self.P, self.Q, self.R = proj(5.), proj(5.), proj(10.)

        def update(self):
            self.P(), self.Q(), self.R()
            self.A(0.)
            self.B(0.)

    net = Two()
    bp.DSRunner(net, progress_bar=False).run(0.1)
    assert [e.suffix for e in net.B.group.model.extensions] == ["expon", "expon2"]


def test_a_projection_feeding_its_target_within_the_step_is_refused():
    class Within(bp.DynSysGroup):
        def __init__(self):
            super().__init__()
            self.A, self.B = bp.dyn.LifRef(2), bp.dyn.LifRef(3)
            self.P = bp.dyn.ProjAlignPostMg2(pre=self.A, delay=None,
                                             comm=bp.dnn.AllToAll(2, 3, 1.),
                                             syn=bp.dyn.Expon.desc(3), out=bp.dyn.CUBA.desc(),
                                             post=self.B)

        def update(self):
            self.A(0.)
            self.P()
            self.B(0.)

    with pytest.raises(ModelError, match="within that step"):
        bp.DSRunner(Within(), progress_bar=False).run(0.1)


def test_a_projection_whose_groups_are_not_updated_is_refused():
    net = Proj(bp.dnn.AllToAll(2, 3, 1.), 2, 3)
    net.update = lambda: (net.P(), net.A(0.))
    with pytest.raises(ModelError, match="never the postsynaptic neurons"):
        bp.DSRunner(net, progress_bar=False).run(0.1)


def test_the_default_update_of_a_group_calls_projections_then_neurons():
    A = bp.dyn.LifRef(2, V_initializer=bp.init.OneInit(25.))       # spikes at once
    B = bp.dyn.LifRef(2, V_initializer=bp.init.OneInit(0.))
    P = bp.dyn.ProjAlignPostMg2(pre=A, delay=None, comm=bp.dnn.OneToOne(2, 1.),
                                syn=bp.dyn.Expon.desc(2, tau=5.), out=bp.dyn.CUBA.desc(),
                                post=B)
    runner = bp.DSRunner(bp.Network(P, A=A, B=B), monitors=['A.spike', 'B.V'],
                         progress_bar=False)
    runner.run(0.3)
    assert runner.mon['A.spike'][0].all()
    assert runner.mon['B.V'][0, 0] == 0. and runner.mon['B.V'][1, 0] > 0.


def test_bm_random_seed_makes_initial_values_reproducible():
    draws = []
    for _ in range(2):
        bm.random.seed(11)
        draws.append(bp.dyn.LifRef(5, V_initializer=bp.init.Normal(-55., 2.)).V.value)
    np.testing.assert_array_equal(*draws)


def test_a_per_step_input_computes_with_numbers_and_arrays():
    x = bm.Series(np.arange(3.))
    np.testing.assert_array_equal((2 * x + 1).values, [1., 3., 5.])


def test_a_batching_mode_is_refused_naming_it():
    with pytest.raises(bp.FeatureError, match="BatchingMode"):
        bp.dyn.LifRef(3, mode=bm.BatchingMode(4))
