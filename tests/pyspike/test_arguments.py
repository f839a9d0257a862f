"""Every argument of the front end is checked where it is given, by a ModelError naming
the argument and the value; no text a user gives is pasted into model text."""
import math

import numpy as np
import pytest

import pyspike as ps

TAU = {"tau": 10.0}


def model():
    return ps.NeuronModel("dv/dt = -v/tau : 1\nI : 1\nw : 1", threshold="v > 1",
                          reset="v = 0", params=dict(TAU))


def network():
    return ps.Network(dt=0.1, seed=1, backend="numpy")


def assert_names(err, argument, value=None):
    """The error names the argument (as its symbol) and, where given, the value."""
    assert err.symbol == argument, (err.symbol, str(err))
    if value is not None:
        assert value in str(err), str(err)


# --- PoissonGroup rates -------------------------------------------------------------------

@pytest.mark.parametrize("rates", ["1)#", "5.0) + (1", "0) or t >= (0", "1) + (0*t",
                                   "0)*0 + (1"])
def test_a_rate_string_that_closes_its_parenthesis_is_refused(rates):
    with pytest.raises(ps.ModelError, match="rates"):
        ps.PoissonGroup(5, rates=rates)


@pytest.mark.parametrize("rates", ["-5", "2 - 7", "-(1 + t**2)", "-abs(i) - 1"])
def test_a_rate_expression_known_to_be_negative_is_refused(rates):
    with pytest.raises(ps.ModelError, match=">= 0 Hz") as err:
        ps.PoissonGroup(5, rates=rates)
    assert_names(err.value, "rates")


@pytest.mark.parametrize("rates", ["inf", "2*inf + t"])
def test_a_rate_expression_with_an_infinite_constant_is_refused(rates):
    with pytest.raises(ps.ModelError, match="rates") as err:
        ps.PoissonGroup(5, rates=rates)
    assert "finite" in str(err.value)


@pytest.mark.parametrize("rates", [math.nan, math.inf, [1.0, math.nan, 2.0], [5.0, math.inf, 1.0]])
def test_nan_and_infinite_rates_are_refused(rates):
    with pytest.raises(ps.ModelError) as err:
        ps.PoissonGroup(3, rates=rates)
    assert_names(err.value, "rates")


def test_a_negative_rate_set_on_the_group_is_refused():
    P = ps.PoissonGroup(3, rates=5.0)
    with pytest.raises(ps.ModelError, match=">= 0") as err:
        P.rates = -5.0
    assert_names(err.value, "rates")
    assert P.rates == 5.0


# --- Connection post_var ------------------------------------------------------------------

@pytest.mark.parametrize("post_var", ["w = 9; v", "v; w", "v += 1; I", "tau", "v_post", 5,
                                      ""])
def test_a_post_var_that_is_not_a_declared_variable_is_refused_listing_them(post_var):
    net = network()
    with net:
        A = ps.NeuronGroup(2, model())
        with pytest.raises(ps.ModelError) as err:
            ps.Connection(A, A, post_var=post_var)
    assert_names(err.value, "post_var")
    assert "v, I, w" in str(err.value)
    assert net.synapses == []


# --- NeuronGroup ---------------------------------------------------------------------------

@pytest.mark.parametrize("N,shown", [(math.nan, "nan"), (math.inf, "inf"), (None, "None"),
                                     (True, "True"), (2.5, "2.5"), (-1, "-1"), ("3", "'3'"),
                                     (np.float64(np.nan), "nan")])
def test_a_neuron_count_that_is_not_a_positive_whole_number_is_refused_naming_n(N, shown):
    with pytest.raises(ps.ModelError) as err:
        ps.NeuronGroup(N, model())
    assert_names(err.value, "N", shown)


@pytest.mark.parametrize("name", ["a\nb", "", " ", "x\x00", 5, ["g"]])
def test_a_name_that_is_not_printable_text_on_one_line_is_refused(name):
    with pytest.raises(ps.ModelError) as err:
        ps.NeuronGroup(2, model(), name=name)
    assert_names(err.value, "name")


def test_init_must_be_a_dict():
    with pytest.raises(ps.ModelError) as err:
        ps.NeuronGroup(2, model(), init=[("v", 1.0)])
    assert_names(err.value, "init")


@pytest.mark.parametrize("value", [math.nan, None, [1.0, math.nan], True])
def test_an_initial_value_that_is_not_a_number_is_refused_naming_the_variable(value):
    with pytest.raises(ps.ModelError) as err:
        ps.NeuronGroup(2, model(), init={"v": value})
    assert "'v'" in str(err.value) or err.value.symbol == "v", str(err.value)


@pytest.mark.parametrize("value", [None, ["a", "b", "c"], True, np.array([True, False, True]),
                                   [[1.0, 2.0], [3.0]]])
def test_setting_a_variable_to_something_that_is_not_numbers_names_the_variable(value):
    G = ps.NeuronGroup(3, model())
    with pytest.raises(ps.ModelError) as err:
        G.v = value
    assert_names(err.value, "v")


def test_setting_a_parameter_to_text_that_is_not_numbers_names_the_parameter():
    G = ps.NeuronGroup(3, model())
    with pytest.raises(ps.ModelError) as err:
        G.tau = ["a", "b", "c"]
    assert_names(err.value, "tau")


def test_setting_a_subgroup_with_the_wrong_number_of_values_names_the_variable():
    G = ps.NeuronGroup(3, model())
    with pytest.raises(ps.ModelError, match=r"\(2,\)") as err:
        G[:2].v = [1.0, 2.0, 3.0]
    assert_names(err.value, "v")


def test_an_expression_value_that_is_nan_for_a_neuron_is_refused_naming_it():
    G = ps.NeuronGroup(3, model())
    with pytest.raises(ps.ModelError, match="NaN") as err:
        G.v = "sqrt(i - 1)"                # sqrt(-1) for neuron 0
    assert "'v'" in str(err.value)
    assert not np.isnan(G.v).any()


# --- NeuronModel ---------------------------------------------------------------------------

def test_a_parameter_name_that_is_not_a_string_is_refused():
    with pytest.raises(ps.ModelError, match="parameter name must be a string"):
        ps.NeuronModel("dv/dt = -v/tau : 1", params={"tau": 1.0, 1: 2.0})


@pytest.mark.parametrize("value", ["abc", "10.0", math.nan, [1.0, "x"], True])
def test_a_parameter_value_that_is_not_a_number_is_refused_naming_it(value):
    with pytest.raises(ps.ModelError) as err:
        ps.NeuronModel("dv/dt = -v/tau : 1", params={"tau": value})
    assert_names(err.value, "tau")


@pytest.mark.parametrize("refractory", [math.nan, math.inf, True, [2.0]])
def test_a_refractory_period_that_is_not_a_finite_duration_is_refused(refractory):
    with pytest.raises(ps.ModelError) as err:
        ps.NeuronModel("dv/dt = -v/tau : 1", threshold="v > 1", reset="v = 0",
                       params=dict(TAU), refractory=refractory)
    assert_names(err.value, "refractory")


@pytest.mark.parametrize("refractory", ["-1.0", "2.0", "2*3"])
def test_a_number_written_as_refractory_text_is_refused_with_advice(refractory):
    with pytest.raises(ps.ModelError, match="give the number of ms itself") as err:
        ps.NeuronModel("dv/dt = -v/tau : 1", threshold="v > 1", reset="v = 0",
                       params=dict(TAU), refractory=refractory)
    assert_names(err.value, "refractory")


@pytest.mark.parametrize("argument", ["equations", "threshold", "reset", "update"])
def test_model_text_must_be_a_string(argument):
    with pytest.raises(ps.ModelError) as err:
        ps.NeuronModel(**{argument: 5})
    assert_names(err.value, argument)


# --- Synapses and connect ----------------------------------------------------------------

def synapses(net, **kw):
    with net:
        G = ps.NeuronGroup(3, model())
        return ps.Synapses(G, G, model="x : 1", on_pre="v_post += x", **kw)


@pytest.mark.parametrize("p", ["0.5", True, "1"])
def test_a_probability_that_is_not_a_number_in_0_1_is_refused_naming_p(p):
    S = synapses(network())
    with pytest.raises(ps.ModelError, match=r"probability in \[0, 1\]") as err:
        S.connect(p=p)
    assert_names(err.value, "p")


def test_j_alone_as_an_array_is_refused_rather_than_connecting_all_to_all():
    S = synapses(network())
    with pytest.raises(ps.ModelError) as err:
        S.connect(j=[0, 1])
    assert_names(err.value, "j")


@pytest.mark.parametrize("argument", ["autapses", "multapses"])
def test_connection_switches_take_true_or_false(argument):
    S = synapses(network())
    with pytest.raises(ps.ModelError, match="True or False") as err:
        S.connect(**{argument: "no"})
    assert_names(err.value, argument)


@pytest.mark.parametrize("delay,shown", [(math.inf, "inf"), (1e300, "1e+300")])
def test_a_shared_delay_that_no_run_could_reach_is_refused_naming_it(delay, shown):
    net = network()
    with pytest.raises(ps.ModelError) as err:
        synapses(net, delay=delay)
    assert_names(err.value, "delay", shown)
    assert net.synapses == []         # a refused object joins no network


@pytest.mark.parametrize("bad,shown", [(math.inf, "inf"), (1e300, "1e+300")])
def test_a_per_synapse_delay_that_no_run_could_reach_is_refused_naming_it(bad, shown):
    S = synapses(network())
    S.connect(i=[0, 1], j=[1, 2])
    with pytest.raises(ps.ModelError) as err:
        S.delay = [1.0, bad]
    assert_names(err.value, "delay", shown)
    np.testing.assert_array_equal(S.delay, [0.0, 0.0])


@pytest.mark.parametrize("delay", [math.inf, [1.0, 1.0, math.inf], True])
def test_a_connection_delay_that_is_not_a_finite_number_is_refused(delay):
    net = network()
    with net:
        A = ps.NeuronGroup(3, model())
        with pytest.raises(ps.ModelError) as err:
            ps.Connection(A, A, link_type="one_to_one", delay=delay)
    assert_names(err.value, "delay")
    assert net.synapses == []


def test_a_connection_probability_given_as_text_is_refused():
    net = network()
    with net:
        A = ps.NeuronGroup(3, model())
        with pytest.raises(ps.ModelError) as err:
            ps.Connection(A, A, link_type="sparse", p="0.5")
    assert_names(err.value, "p")


@pytest.mark.parametrize("value", [None, [1.0, math.nan]])
def test_setting_a_synaptic_variable_to_something_that_is_not_numbers_names_it(value):
    S = synapses(network())
    S.connect(i=[0, 1], j=[1, 2])
    with pytest.raises(ps.ModelError) as err:
        S.x = value
    assert_names(err.value, "x")


def test_a_synaptic_parameter_given_as_text_is_refused_naming_it():
    with pytest.raises(ps.ModelError) as err:
        synapses(network(), params={"x0": "abc"})
    assert_names(err.value, "x0")


# --- monitors ------------------------------------------------------------------------------

@pytest.mark.parametrize("record", [[0.5], [[0, 1]], [1.5, 2], [5], [-1], "0",
                                    np.array([True, False, True])])
def test_record_that_is_not_whole_indices_within_the_group_is_refused(record):
    G = ps.NeuronGroup(3, model())
    with pytest.raises(ps.ModelError) as err:
        ps.StateMonitor(G, "v", record=record)
    assert_names(err.value, "record")


@pytest.mark.parametrize("every", [True, 0.5, "2", math.nan])
def test_every_that_is_not_a_whole_number_of_steps_is_refused(every):
    G = ps.NeuronGroup(3, model())
    with pytest.raises(ps.ModelError) as err:
        ps.StateMonitor(G, "v", every=every)
    assert_names(err.value, "every")


def test_a_variable_recorded_twice_is_refused():
    G = ps.NeuronGroup(3, model())
    with pytest.raises(ps.ModelError, match="twice"):
        ps.StateMonitor(G, ["v", "v"])


# --- SpikeGeneratorGroup, TimedArray, PoissonInput -----------------------------------------

@pytest.mark.parametrize("times,shown", [([-1.0], "-1.0"), (["a"], "'a'")])
def test_spike_times_that_are_not_finite_non_negative_numbers_are_refused(times, shown):
    with pytest.raises(ps.ModelError) as err:
        ps.SpikeGeneratorGroup(3, indices=[0], times=times)
    assert_names(err.value, "times", shown)


@pytest.mark.parametrize("values", [[1.0, math.nan], [[1.0], [math.inf]], ["a", "b"]])
def test_timed_array_values_that_are_not_finite_numbers_are_refused(values):
    with pytest.raises(ps.ModelError) as err:
        ps.TimedArray(values, dt=1.0)
    assert_names(err.value, "values")


@pytest.mark.parametrize("dt", ["1.0", True, 5e-324])
def test_a_timed_array_step_that_is_not_a_usable_number_is_refused(dt):
    with pytest.raises(ps.ModelError) as err:
        ps.TimedArray([1.0, 2.0], dt=dt)
    assert_names(err.value, "dt")


@pytest.mark.parametrize("argument,value", [("N", math.nan), ("N", True),
                                            ("rate", math.nan), ("rate", math.inf),
                                            ("weight", math.nan), ("weight", math.inf)])
def test_poisson_input_numbers_must_be_finite(argument, value):
    G = ps.NeuronGroup(3, model())
    kw = dict(N=10, rate=5.0, weight=0.1)
    kw[argument] = value
    with pytest.raises(ps.ModelError) as err:
        ps.PoissonInput(G, "v", **kw)
    assert_names(err.value, argument)


# --- found by the model-text fuzz (tests/codegen/test_model_text_fuzz.py) -------------


def test_a_synaptic_parameter_declared_constant_without_a_value_is_named_at_the_run():
    net = ps.Network(dt=0.1, backend="numpy")
    with net:
        G = ps.NeuronGroup(3, ps.NeuronModel("dv/dt = -v/tau : 1\nge : 1",
                                             params={"tau": 10.0}))
        S = ps.Synapses(G, G, model="w : 1\nc : 1 (constant)", on_pre="ge_post += w*c")
        S.connect()
    with pytest.raises(ps.ModelError, match=r"no value for the parameter\(s\) c"):
        net.run(0.3)
    S.c = 0.5
    net.run(0.3)
    assert S.c == 0.5


def test_an_initial_value_that_divides_by_t_at_zero_is_inf_not_a_python_error():
    net = ps.Network(dt=0.1, backend="numpy")
    with net:
        G = ps.NeuronGroup(2, ps.NeuronModel("dv/dt = -v/10 : 1"), init={"v": "3/t"})
    assert np.isinf(G.v).all()


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_an_integer_beyond_int64_is_a_real_number_on_every_backend(backend):
    net = ps.Network(dt=0.1, backend=backend)
    with net:
        ps.NeuronGroup(2, ps.NeuronModel("dv/dt = -v/10 : 1", threshold="v > sin(10**30)"))
    net.run(0.2)
