"""Units written in model text as Brian2 users write them are numbers in base units."""
import pytest

import pyspike as ps
from pyspike.codegen.equations import symbol
from pyspike.codegen.expressions import Context, parse_expression


def _value(text, names=()):
    expr = parse_expression(text, {n: symbol(n) for n in names}, Context(line=text, lineno=1))
    return float(expr) if not expr.free_symbols else expr


@pytest.mark.parametrize("text, value", [("10*mV", 10.0), ("-65*mV", -65.0), ("2*nA", 2000.0),
                                         ("200*pF", 200.0), ("1*second", 1000.0),
                                         ("5*Hz", 0.005), ("10*nS", 10.0), ("0.1*volt", 100.0),
                                         ("3*msecond", 3.0), ("1*Mohm", 0.001)])
def test_a_unit_in_text_is_its_value_in_base_units(text, value):
    assert _value(text) == pytest.approx(value, rel=1e-15)


def test_a_models_own_name_comes_before_a_unit():
    assert _value("ms + 1", names=["ms"]) == symbol("ms") + 1


def test_a_name_of_one_letter_is_never_a_unit():
    with pytest.raises(ps.ModelError, match="unknown name 'V'"):
        _value("2*V")


def test_a_name_that_is_no_unit_is_still_unknown():
    with pytest.raises(ps.ModelError, match="unknown name 'mVolts'"):
        _value("2*mVolts")


def test_a_brian2_model_runs_as_written():
    m = ps.NeuronModel("dv/dt = (-65*mV - v)/(10*ms) : volt", threshold="v > -50*mV",
                       reset="v = -65*mV")
    net = ps.Network(dt=0.1, backend="numpy")
    with net:
        G = ps.NeuronGroup(1, m, init={"v": -40.0})
    net.run(0.1)
    assert G.v[0] == pytest.approx(-65.0)            # spiked at once and was reset
