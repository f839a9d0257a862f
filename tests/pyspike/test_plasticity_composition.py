"""A PlasticityRule is composed with a Synapses model as blocks of its own."""
import numpy as np
import pytest

import pyspike as ps

NEURON = ps.NeuronModel("dv/dt = (ge - v)/tau : mV\ndge/dt = -ge/5.0 : mV", threshold="v > 1",
                        reset="v = 0", params={"tau": 10.0})
TRACE = ps.models.PlasticityRule(
    "trace", "A presynaptic trace that sets w at each presynaptic spike.",
    model="dapre/dt = -apre/taupre : 1 (event-driven)",
    on_pre="apre += 1.0; w = wmax*apre", params={"taupre": 20.0, "wmax": 0.5})


def _net(rule, backend="numpy", **kw):
    net = ps.Network(dt=0.1, seed=1, backend=backend)
    with net:
        gen = ps.SpikeGeneratorGroup(1, indices=[0, 0], times=[1.0, 11.0])
        P = ps.NeuronGroup(1, NEURON)
        S = ps.Synapses(gen, P, model="w : mV", on_pre="ge_post += w", plasticity=rule, **kw)
        S.connect(i=[0], j=[0])
    return net, S


def test_the_rule_adds_its_variables_and_parameters_to_the_synapses():
    _, S = _net(TRACE)
    assert "apre" in S.variables and {"taupre", "wmax"} <= set(S.param_names)


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_the_rule_runs_after_the_synapses_own_code(backend):
    net, S = _net(TRACE, backend)
    net.run(15.0)
    # second spike: apre = 1 + exp(-10/20), w = 0.5*apre (exp in libm and NumPy: ulps)
    np.testing.assert_allclose(S.w, [0.5 * (1 + np.exp(-0.5))], rtol=1e-12)


def test_params_given_to_the_synapses_replace_the_rules_defaults():
    _, S = _net(TRACE, params={"wmax": 2.0})
    assert S.params["wmax"] == 2.0 and S.params["taupre"] == 20.0


def test_a_mistake_in_the_rule_names_the_rule_and_its_line():
    bad = ps.models.PlasticityRule("bad", "x", on_pre="w = wmax\nw += nope",
                                   params={"wmax": 1.0})
    with pytest.raises(ps.ModelError, match="(?s)plasticity rule 'bad'.*line 2.*nope"):
        _net(bad)


def test_a_rule_declaring_a_name_the_model_declares_is_refused():
    clash = ps.models.PlasticityRule("clash", "x", model="w : mV", on_pre="w += 0.1")
    with pytest.raises(ps.ModelError, match="'w' is defined twice"):
        _net(clash)


def test_the_rules_units_are_checked_against_the_synapses():
    wrong = ps.models.PlasticityRule("wrong", "x", model="dx/dt = -x/tau : 1 (event-driven)",
                                     on_pre="x += 1; w = x", params={"tau": 5.0})
    with pytest.raises(ps.ModelError, match="(?s)plasticity rule 'wrong'.*'w' must be in mV"):
        _net(wrong)


def test_an_unknown_rule_name_suggests_the_library_names():
    with pytest.raises(ps.ModelError, match="plasticity rule"):
        _net("no such rule")


def test_a_rule_may_integrate_the_weight_the_synapses_declare_in_its_unit():
    drift = ps.models.PlasticityRule("drift", "w grows at a constant rate",
                                     model="dw/dt = rate : (clock-driven)",
                                     params={"rate": 0.01})
    net, S = _net(drift)
    S.w = 1.0
    net.run(10.0)
    np.testing.assert_allclose(S.w, [1.1], rtol=1e-12)   # 100 exact steps of 0.001 mV
    assert S.dims["w"] == ps.units.mV.dim


def test_a_rule_giving_the_weight_a_unit_of_its_own_is_refused():
    clash = ps.models.PlasticityRule("clash", "x", model="dw/dt = rate : 1 (clock-driven)",
                                     params={"rate": 0.01})
    with pytest.raises(ps.ModelError, match="'w' is defined twice"):
        _net(clash)
