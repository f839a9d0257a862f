"""Values drawn from a distribution (ps.Normal, ps.Uniform; pyspike/distributions.py): the
compiled draws equal their NumPy twin bit for bit on any number of threads, ranges are kept
by redrawing, delays are whole steps, and bad distributions are refused by name."""
import math

import numpy as np
import pytest

import pyspike as ps
from pyspike import _native, distributions
from pyspike.codegen.streams import INIT_STEP, group_init, synapse_init
from pyspike.synapse_delays import StepDelays

LEAK = ps.NeuronModel("dv/dt = -v/tau : mV", params={"tau": 10.0})
STEP = INIT_STEP - 3


def compiled(dist, n, seed=7, step=STEP, stream=11, threads=1, dt=0.0, portable=False):
    a, b, low, high = dist.numbers(lambda v, _: float(v))
    return _native.draw_values(dist.normal, seed, step, n, stream, a, b, low, high, dt,
                               threads, portable)


@pytest.mark.parametrize("dist", [
    ps.Normal(1.5, 0.75, low=0.1),              # redraws about 3% of the values
    ps.Normal(0.0, 1.0, low=-0.5, high=0.5),    # redraws most of them, some many times
    ps.Normal(-58.0, 10.0),
    ps.Uniform(-2.0, 3.0),
], ids=repr)
@pytest.mark.parametrize("n", [1, 63, 4097, 10001])
@pytest.mark.parametrize("portable", [False, True], ids=["this CPU's fill", "portable fill"])
def test_compiled_draws_equal_the_numpy_twin_bit_for_bit(dist, n, portable):
    twin = distributions.numpy_values(dist, seed=7, step=STEP, n=n, stream=11)
    assert np.array_equal(compiled(dist, n, portable=portable), twin)


@pytest.mark.parametrize("threads", [2, 3, 8])
def test_the_values_do_not_depend_on_the_threads(threads):
    dist = ps.Normal(0.0, 1.0, low=-1.0, high=2.0)
    assert np.array_equal(compiled(dist, 50000, threads=threads), compiled(dist, 50000))


def test_every_value_lies_in_the_range_and_outliers_are_drawn_again():
    values = compiled(ps.Normal(0.0, 1.0, low=-0.5, high=0.5), 20000)
    plain = compiled(ps.Normal(0.0, 1.0), 20000)
    inside = (plain >= -0.5) & (plain <= 0.5)
    assert values.min() >= -0.5 and values.max() <= 0.5
    assert np.array_equal(values[inside], plain[inside])      # kept where the first was in
    # a truncated normal on [-0.5, 0.5] has sd 0.2831 (its variance formula); 20000 draws
    # give it within 2% (its standard error is 0.5%)
    assert values.std() == pytest.approx(0.2831, rel=0.02)


def test_a_redraw_reads_the_step_lowered_by_2_to_the_32():
    dist = ps.Normal(0.0, 1.0, low=1.0)
    first = compiled(ps.Normal(0.0, 1.0), 200)
    second = compiled(ps.Normal(0.0, 1.0), 200, step=STEP - 2 ** 32)
    values = compiled(dist, 200)
    once = (first < 1.0) & (second >= 1.0)
    assert once.any() and np.array_equal(values[once], second[once])


@pytest.mark.parametrize("mean, dtype", [(1.5, np.uint8), (100.0, np.uint16),
                                         (10000.0, np.uint32)])
def test_delays_are_drawn_as_whole_steps_in_the_narrowest_type(mean, dtype):
    dist = ps.Normal(mean, mean / 2, low=0.1)
    steps = compiled(dist, 5000, dt=0.1)
    values = distributions.numpy_values(dist, seed=7, step=STEP, n=5000, stream=11)
    assert steps.dtype == dtype
    assert np.array_equal(steps, np.floor(values / 0.1 + 0.5))   # steps_of's rounding


def network(seed=1, **kw):
    net = ps.Network(seed=seed, **kw)
    with net:
        G = ps.NeuronGroup(40, LEAK)
        S = ps.Synapses(G, G, model="w : mV", on_pre="v_post += w")
        S.connect(p=0.3)
    return net, G, S


def test_a_group_variable_takes_the_values_of_its_stream_and_step():
    net, G, _ = network()
    G.v = ps.Normal(-58.0, 10.0, high=-50.0)
    twin = distributions.numpy_values(ps.Normal(-58.0, 10.0, high=-50.0), seed=1,
                                      step=INIT_STEP - net.init_draws, n=40,
                                      stream=group_init(G.index, 0))
    assert np.array_equal(G.v, twin)


def test_synaptic_weights_take_the_values_of_their_stream_and_step():
    net, _, S = network()
    S.w = ps.Normal(1.0, 0.2, low=0.0)
    twin = distributions.numpy_values(ps.Normal(1.0, 0.2, low=0.0), seed=1,
                                      step=INIT_STEP - net.init_draws, n=S.n,
                                      stream=synapse_init(S.index, 0))
    assert np.array_equal(S.w, twin)


def test_a_normal_draws_the_numbers_of_the_same_text():
    _, _, S = network()
    _, _, T = network()
    S.w = ps.Normal(1.0, 0.2)
    T.w = "1.0 + 0.2*randn()"
    assert np.array_equal(S.w, T.w)


def test_a_drawn_delay_is_kept_in_steps_and_read_in_ms():
    _, _, S = network()
    S.delay = ps.Normal(1.5, 0.75, low=0.1)
    assert isinstance(S.state.delay, StepDelays) and S.state.delay.steps.dtype == np.uint8
    assert np.array_equal(S.delay, np.round(S.delay, 10))       # read as decimals: 0.3
    assert S.delay.min() >= 0.1


def test_a_distribution_set_before_connect_is_drawn_for_the_synapses_made():
    net = ps.Network(seed=2)
    with net:
        G = ps.NeuronGroup(30, LEAK)
        S = ps.Synapses(G, G, model="w : mV", on_pre="v_post += w")
        S.w = ps.Uniform(2.0, 3.0)
        S.connect(p=0.5)
    assert S.n > 0 and S.w.min() >= 2.0 and S.w.max() < 3.0


def test_a_group_outside_a_network_draws_once_it_is_added():
    G = ps.NeuronGroup(10, LEAK)
    G.v = ps.Uniform(-70.0, -60.0)
    net = ps.Network(seed=3)
    net.add(G)
    assert G.v.min() >= -70.0 and G.v.max() < -60.0


def test_each_instance_of_a_batch_draws_its_own_values():
    net, G, S = network(batch=3)
    G.v = ps.Normal(-60.0, 5.0)
    S.w = ps.Normal(1.0, 0.1)
    assert G.v.shape == (3, 40) and S.w.shape == (3, S.n)
    assert not np.array_equal(G.v[0], G.v[1]) and not np.array_equal(S.w[1], S.w[2])


def test_a_subgroup_takes_its_slice_of_the_group_draw():
    _, G, _ = network()
    G[10:20].v = ps.Uniform(5.0, 6.0)
    assert (G.v[10:20] >= 5.0).all() and (G.v[:10] == 0).all() and (G.v[20:] == 0).all()


def test_quantities_are_converted_to_the_variable_unit():
    _, G, _ = network()
    G.v = ps.Uniform(-0.07 * ps.units.volt, -0.06 * ps.units.volt)
    assert G.v.min() >= -70.0 and G.v.max() < -60.0


def test_the_same_seed_draws_the_same_network():
    nets = [network(seed=5) for _ in range(2)]
    for net, G, S in nets:
        G.v = ps.Normal(-60.0, 5.0)
        S.w = ps.Normal(1.0, 0.1, low=0.9)
        S.delay = ps.Uniform(0.5, 2.0)
    (_, G1, S1), (_, G2, S2) = nets
    assert np.array_equal(G1.v, G2.v) and np.array_equal(S1.w, S2.w)
    assert np.array_equal(S1.delay, S2.delay)


def test_a_run_with_drawn_values_matches_the_numpy_reference():
    runs = []
    for backend in ("numpy", "cpu"):
        net, G, S = network(seed=4, backend=backend)
        G.v = ps.Normal(0.0, 1.0)
        S.w = ps.Normal(1.0, 0.5, low=0.0)
        S.delay = ps.Uniform(0.0, 3.0)
        net.run(5.0)
        runs.append(np.array(G.v))
    # the backends integrate the same exact update; float64 rounding differences only
    np.testing.assert_allclose(runs[1], runs[0], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dist, message", [
    (ps.Normal(0.0, -1.0), "finite std >= 0"),
    (ps.Normal(0.0, 1.0, low=2.0, high=1.0), "low > high"),
    (ps.Normal(0.0, 1.0, low=3.0), "keeps 0.00135 of the normal distribution"),
    (ps.Normal(math.nan, 1.0), "the mean of Normal for 'w' must be a number"),
    (ps.Uniform(1.0, 0.0), "finite low <= high"),
])
def test_a_bad_distribution_is_refused_naming_the_variable(dist, message):
    _, _, S = network()
    with pytest.raises(ps.ModelError, match=message) as err:
        S.w = dist
    assert err.value.symbol == "w"


def test_a_delay_that_could_be_negative_is_refused():
    _, _, S = network()
    with pytest.raises(ps.ModelError, match="give low >= 0"):
        S.delay = ps.Normal(1.0, 0.5)
    with pytest.raises(ps.ModelError, match="give a low >= 0"):
        S.delay = ps.Uniform(-1.0, 1.0)


def test_a_quantity_of_the_wrong_dimension_is_refused():
    _, G, _ = network()
    with pytest.raises(ps.ModelError, match="v"):
        G.v = ps.Normal(1.0 * ps.units.ms, 1.0 * ps.units.ms)


def test_a_boolean_variable_takes_no_distribution():
    model = ps.NeuronModel("dv/dt = -v/tau : mV\nflag : boolean", params={"tau": 10.0})
    G = ps.NeuronGroup(3, model)
    with pytest.raises(ps.ModelError, match="'flag' is boolean"):
        G.flag = ps.Uniform(0.0, 1.0)


def test_single_precision_weights_are_the_draws_rounded_to_float32_in_place():
    net, _, S = network(precision="single")
    before = S.w                                  # a live view of the weights
    S.w = ps.Normal(1.0, 0.2, low=0.0)
    twin = distributions.numpy_values(ps.Normal(1.0, 0.2, low=0.0), seed=1,
                                      step=INIT_STEP - net.init_draws, n=S.n,
                                      stream=synapse_init(S.index, 0))
    assert S.w.dtype == np.float32 and np.array_equal(S.w, twin.astype(np.float32))
    assert np.shares_memory(before, S.w)


@pytest.mark.parametrize("into", [np.zeros(10, np.int32), np.zeros(9), np.zeros((2, 10))[:, 0]])
def test_the_draws_refuse_an_array_they_cannot_write(into):
    with pytest.raises(ValueError, match="into must be"):
        _native.draw_values(True, 1, 2, 10, 3, 0.0, 1.0, -np.inf, np.inf, into=into)


def test_a_group_takes_distributions_in_init_and_params():
    net = ps.Network(seed=6)
    with net:
        G = ps.NeuronGroup(50, LEAK, init={"v": ps.Normal(-60.0, 2.0)},
                           params={"tau": ps.Uniform(9.0, 11.0)})
    assert G.tau.shape == (50,) and G.tau.min() >= 9.0 and G.tau.max() < 11.0
    assert G.v.std() > 0 and abs(G.v.mean() + 60.0) < 1.5


def test_a_synapses_delay_argument_takes_a_distribution():
    net = ps.Network(seed=7)
    with net:
        G = ps.NeuronGroup(20, LEAK)
        S = ps.Synapses(G, G, on_pre="v_post += 1", delay=ps.Uniform(1.0, 2.0))
        S.connect(p=0.5)
    assert S.delay.min() >= 1.0 and S.delay.max() <= 2.0
