"""Brian2 syntax met while porting its examples: the functions sinh, cosh, arcsin, arccos,
arctan and log10 (Brian2's names), floor division ``//``, ``%`` over a unit, equations
continued over lines by an operator, and the unit radian.  (The Brian2 behaviours were
checked with Brian2 2.9, cython target.)"""
import math

import numpy as np
import pytest
import sympy as sp

import pyspike as ps
from pyspike.codegen.equations import logical_lines, parse_equations, symbol
from pyspike.codegen.errors import ModelError
from pyspike.codegen.expressions import parse_expression
from pyspike.codegen.unit_check import check_units
from pyspike.codegen.units import DIMENSIONLESS, dimension, unit_constant

x = symbol("x")


def expr(text):
    return parse_expression(text, {"x": x})


# --- functions ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, function", [
    ("sinh", sp.sinh), ("cosh", sp.cosh), ("arcsin", sp.asin), ("arccos", sp.acos),
    ("arctan", sp.atan)])
def test_brian2s_hyperbolic_and_inverse_trigonometric_functions_are_sympys(name, function):
    assert expr(f"{name}(x)") == function(x)


def test_log10_is_the_decimal_logarithm():
    assert expr("log10(1000)") == 3
    assert float(expr("log10(x)").subs(x, 50.0)) == pytest.approx(math.log10(50.0), rel=1e-15)


def test_the_argument_of_cosh_must_be_dimensionless():
    with pytest.raises(ModelError, match="argument of cosh must be dimensionless"):
        check_units(parse_equations("dv/dt = cosh(v)/(10*ms) : mV"))


def test_the_new_functions_run_compiled():
    m = ps.NeuronModel("x : 1\na : 1\nb : 1\nc : 1", threshold="x > -10",
                       reset="a = cosh(x) - sinh(x); b = arcsin(x/2) + arccos(x/2); "
                             "c = arctan(x) + log10(abs(x) + 1)")
    net = ps.Network(dt=0.1, backend="cpu")
    with net:
        G = ps.NeuronGroup(2, m, init={"x": np.array([0.5, -1.0])})
    net.run(0.1)
    np.testing.assert_allclose(G.a, np.exp([-0.5, 1.0]), rtol=1e-14)
    np.testing.assert_allclose(G.b, [np.pi / 2] * 2, rtol=1e-14)
    np.testing.assert_allclose(G.c, np.arctan([0.5, -1.0]) + np.log10([1.5, 2.0]),
                               rtol=1e-14)


# --- // and % ----------------------------------------------------------------------------

def test_floor_division_rounds_toward_minus_infinity_as_python():
    e = expr("x // 2")
    assert e == sp.floor(x / 2)
    assert e.subs(x, -7.5) == -4 and e.subs(x, 7.5) == 3      # Brian2: -4, 3


def test_floor_division_by_zero_is_refused():
    with pytest.raises(ModelError, match="'x // 0' has no finite value"):
        expr("x // 0")


def test_modulo_of_like_units_is_in_that_unit():
    # Brian2: 'x % (2*mV)' with x in volt is in volt
    check_units(parse_equations("x : mV\ny = x % (2*mV) : mV"))


# --- lines continued by an operator ------------------------------------------------------

def test_a_line_ending_in_an_operator_goes_on_on_the_next():
    eqs = parse_equations("dv/dt = (1 - v)/tau +\n        2/tau : 1", params=["tau"])
    assert sp.simplify(eqs.odes["v"] - (3 - symbol("v")) / symbol("tau")) == 0


def test_a_line_starting_with_an_operator_goes_on_with_the_line_before():
    # Brian2's Tsodyks_Uziel_Markram_2000.py writes '+ I_b/tau_mem : volt' so
    text = "dv/dt = (I_a - v)/tau\n        + I_b/tau : 1 (unless refractory)\nI_a : 1"
    assert logical_lines(text) == [
        (1, "dv/dt = (I_a - v)/tau + I_b/tau : 1 (unless refractory)"), (3, "I_a : 1")]
    assert "I_b" in str(parse_equations(text, params=["tau", "I_b"]).odes["v"])


def test_a_comment_line_does_not_end_a_line_continued_by_an_operator():
    assert logical_lines("y = x *  # times\n  # two\n  2 : 1") == [(1, "y = x * 2 : 1")]


# --- radian ------------------------------------------------------------------------------

def test_radian_is_a_dimensionless_unit():
    assert dimension("radian") == DIMENSIONLESS and unit_constant("radian") == 1.0
    check_units(parse_equations("phi : radian\ny = sin(phi) : 1"))
