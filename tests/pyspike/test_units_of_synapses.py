"""Synaptic code is unit-checked against the groups it connects, before any compiler runs."""
import pytest

import pyspike as ps

COBA = ps.NeuronModel("""
    dv/dt = (g*(E - v) + I)/C : mV
    dg/dt = -g/tau : nS
    I : pA
""", params={"E": 0.0, "C": 200.0, "tau": 5.0})


def _groups():
    return ps.NeuronGroup(2, COBA), ps.NeuronGroup(2, COBA)


def test_on_pre_adding_a_conductance_to_a_conductance_passes():
    A, B = _groups()
    ps.Synapses(A, B, model="w : nS", on_pre="g_post += w")


def test_on_pre_adding_a_voltage_to_a_conductance_is_refused_naming_the_term():
    A, B = _groups()
    with pytest.raises(ps.ModelError, match="(?s)on_pre code.*"
                       "the term 'v_pre' is in mV, but 'g_post' must be in nS"):
        ps.Synapses(A, B, model="w : nS", on_pre="g_post += v_pre")


def test_a_synaptic_weight_in_the_wrong_unit_is_refused():
    A, B = _groups()
    with pytest.raises(ps.ModelError, match="'w' .*in pA.*'g_post'"):
        ps.Synapses(A, B, model="w : pA", on_pre="g_post += w")


def test_on_post_is_checked_too():
    A, B = _groups()
    with pytest.raises(ps.ModelError, match="on_post code"):
        ps.Synapses(A, B, model="w : nS", on_pre="g_post += w", on_post="w += v_post")


def test_a_summed_subexpression_must_have_the_unit_of_the_variable_it_sets():
    A, B = _groups()
    with pytest.raises(ps.ModelError, match="postsynaptic 'I_post'"):
        ps.Synapses(A, B, model="w : nS\nI_post = w : nS (summed)")


def test_a_summed_current_in_the_right_unit_passes():
    A, B = _groups()
    ps.Synapses(A, B, model="w : nS\nI_post = w*(E_post - v_post) : pA (summed)")


def test_a_connect_condition_comparing_unlike_things_is_refused():
    A, B = _groups()
    S = ps.Synapses(A, B, model="w : nS", on_pre="g_post += w")
    with pytest.raises(ps.ModelError, match="(?s)connection condition.*"
                       "'I_post' \\(in pA\\) is added to or compared with 'v_pre'"):
        S.connect(condition="v_pre > I_post")


def test_a_connect_condition_over_indices_passes():
    A, B = _groups()
    S = ps.Synapses(A, B, model="w : nS", on_pre="g_post += w")
    S.connect(condition="i != j")
    assert S.n == 2


def test_a_parameter_given_as_a_number_takes_the_unit_its_use_needs():
    A, B = _groups()
    S = ps.Synapses(A, B, on_pre="g_post += we", params={"we": 0.5})
    assert S.params["we"] == 0.5


def test_a_group_without_a_model_constrains_nothing():
    P = ps.PoissonGroup(2, rates=10.0)
    B = ps.NeuronGroup(2, COBA)
    ps.Synapses(P, B, model="w : nS", on_pre="g_post += w")
