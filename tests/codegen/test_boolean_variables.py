"""Brian2's ``boolean`` type in model text: ``b : boolean`` holds True or False (stored as
1.0 or 0.0), is a condition by itself where one is expected, and reads as 1 or 0 in
arithmetic; a boolean subexpression stands for its condition.  (The Brian2 behaviours
these follow were checked with Brian2 2.9, cython and numpy targets.)"""
import pytest
import sympy as sp

from pyspike.codegen.equations import parse_equations, symbol
from pyspike.codegen.errors import ModelError
from pyspike.codegen.expressions import parse_condition, parse_expression
from pyspike.codegen.statements import parse_statements
from pyspike.codegen.unit_check import check_condition, check_statements, equation_units
from pyspike.codegen.units import DIMENSIONLESS, dimension

v, g, b, c = (symbol(n) for n in ("v", "g", "b", "c"))
MODEL = "dv/dt = (g - v)/(50*ms) : 1\ndg/dt = -g/(10*ms) : 1\nb : boolean\nc : boolean"


def names():
    return parse_equations(MODEL).names()


def statement(text):
    eqs = parse_equations(MODEL)
    (st,) = parse_statements(text, eqs.names(), {n: symbol(n) for n in eqs.state}, "reset")
    return st


# --- declaring ---------------------------------------------------------------------------

def test_a_variable_declared_boolean_is_a_boolean_state_variable():
    eqs = parse_equations(MODEL)
    assert eqs.variables["b"].boolean and not eqs.variables["v"].boolean
    assert "b" in eqs.state


def test_boolean_is_a_dimensionless_type_not_a_unit_that_combines():
    assert dimension("boolean") == DIMENSIONLESS
    with pytest.raises(ModelError):
        equation_units(parse_equations("b : boolean*mV"))


def test_a_differential_equation_cannot_be_boolean():
    with pytest.raises(ModelError, match="cannot be boolean") as err:
        parse_equations("dx/dt = -x/(10*ms) : boolean")
    assert err.value.symbol == "x"


# --- a condition by itself ---------------------------------------------------------------

def test_a_boolean_variable_alone_is_a_condition():
    assert parse_condition("b", names()) == sp.Ne(b, 0)


def test_a_boolean_variable_joins_a_condition_with_and():
    assert parse_condition("g > 1 and b", names()) == sp.And(g > 1, sp.Ne(b, 0))


def test_not_of_a_boolean_variable_holds_when_it_is_false():
    assert parse_condition("g < 1 and not b", names()) == sp.And(g < 1, sp.Eq(b, 0))


def test_where_takes_a_boolean_variable_as_its_condition():
    e = parse_expression("where(b, 2, 3)", names())
    assert e == sp.Piecewise((2, sp.Ne(b, 0)), (3, True))


def test_a_number_where_a_condition_is_expected_is_still_refused():
    with pytest.raises(ModelError, match="'v' is a number where a condition is expected"):
        parse_condition("b and v", names())


def test_a_condition_over_a_boolean_checks_its_units():
    eqs = parse_equations(MODEL)
    check_condition(equation_units(eqs), parse_condition("g > 1 and b", eqs.names()),
                    "g > 1 and b", "the event")


# --- a number elsewhere (Brian2's int conversion) ----------------------------------------

def test_a_boolean_variable_reads_as_its_number_in_arithmetic():
    e = parse_expression("where(b, b + 1, 0)", names())
    assert e == sp.Piecewise((b + 1, sp.Ne(b, 0)), (0, True))


def test_int_of_a_boolean_variable_is_one_or_zero():
    e = parse_expression("int(b)", names())
    assert e.subs(b, 1) == 1 and e.subs(b, 0) == 0


# --- assigning ---------------------------------------------------------------------------

def test_assigning_true_stores_one():
    assert statement("b = True").expr == 1


def test_assigning_false_stores_zero():
    assert statement("b = False").expr == 0


def test_assigning_a_condition_stores_one_where_it_holds():
    assert statement("b = v > 1").expr == sp.Piecewise((1, v > 1), (0, True))


def test_assigning_another_boolean_copies_it():
    assert statement("b = not c").expr == sp.Piecewise((1, sp.Eq(c, 0)), (0, True))


def test_assigning_the_numbers_one_and_zero_means_true_and_false():
    assert statement("b = 1").expr == 1 and statement("b = 0").expr == 0


def test_assigning_another_number_to_a_boolean_is_refused():
    with pytest.raises(ModelError, match="'b' is boolean") as err:
        statement("b = 0.5")
    assert err.value.symbol == "b"
    with pytest.raises(ModelError, match="'b' is boolean"):
        statement("b = v")


def test_an_augmented_assignment_to_a_boolean_is_refused():
    with pytest.raises(ModelError, match="assign it with '='"):
        statement("b += 1")


def test_an_unknown_name_in_a_boolean_assignment_is_named():
    with pytest.raises(ModelError, match="unknown name 'w'"):
        statement("b = w > 1")


def test_boolean_assignments_pass_the_unit_check():
    eqs = parse_equations(MODEL)
    st = statement("b = g > 1")
    check_statements(equation_units(eqs), [(b, st.expr)], "b = g > 1", "the reset")


# --- boolean subexpressions --------------------------------------------------------------

SUB = "dv/dt = -v/(10*ms) : 1\nactive = v > 1 : boolean\nquiet = not active : boolean"


def test_a_boolean_subexpression_stands_for_its_condition():
    eqs = parse_equations(SUB)
    assert parse_condition("active", eqs.names()) == (v > 1)
    assert parse_condition("quiet", eqs.names()) == (v <= 1)


def test_int_of_a_boolean_subexpression_counts_it_in_an_equation():
    eqs = parse_equations("dv/dt = int(active)/(10*ms) : 1\nactive = v < 1 : boolean")
    assert float(eqs.odes["v"].subs(v, 0.5)) == 0.1
    assert eqs.odes["v"].subs(v, 2) == 0


def test_a_boolean_subexpression_in_arithmetic_is_refused_as_in_brian2():
    with pytest.raises(ModelError, match=r"int\(\.\.\.\) counts it") as err:
        parse_equations("dv/dt = active/(10*ms) : 1\nactive = v < 1 : boolean")
    assert err.value.symbol == "active"


def test_a_boolean_subexpression_needs_a_condition():
    with pytest.raises(ModelError, match="number where a condition is expected"):
        parse_equations("dv/dt = -v/(10*ms) : 1\nactive = v + 1 : boolean")


def test_a_boolean_subexpression_passes_the_unit_check():
    equation_units(parse_equations(SUB))


def test_a_refractory_condition_reads_a_boolean_variable():
    from pyspike.codegen.refractoriness import NOT_REFRACTORY, refractory_period
    from pyspike.codegen.spec import GroupSpec
    eqs = parse_equations(MODEL)
    kind, expr = refractory_period(GroupSpec("g", 2, threshold="v > 1", refractory="not b"),
                                   eqs.names(), eqs)
    assert (kind, expr) == ("condition", sp.Or(NOT_REFRACTORY, sp.Ne(b, 0)))
