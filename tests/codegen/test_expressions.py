"""The safe parser: user text -> sympy, over a whitelist of operators and functions."""
import pytest
import sympy as sp

from pyspike.codegen.equations import symbol
from pyspike.codegen.expressions import (Context, Rand, Randn, is_condition, parse_condition,
                                         parse_expression)
from pyspike.codegen.statements import Statement, parse_statements, split_statements

v, w, tau, a, b = (symbol(n) for n in ("v", "w", "tau", "a", "b"))
NAMES = {"v": v, "w": w, "tau": tau, "a": a, "b": b}


def expr(text):
    return parse_expression(text, NAMES)


def cond(text):
    return parse_condition(text, NAMES)


# --- numbers and names -----------------------------------------------------------------

def test_an_integer_literal_is_a_sympy_integer():
    assert expr("3") == sp.Integer(3) and isinstance(expr("3"), sp.Integer)


def test_a_float_literal_is_a_sympy_float():
    assert isinstance(expr("2.5"), sp.Float) and float(expr("2.5")) == 2.5


def test_scientific_notation_is_a_float():
    assert float(expr("1e-3")) == 1e-3


def test_a_declared_name_is_its_symbol():
    assert expr("v") is v


def test_pi_e_and_inf_are_the_sympy_constants():
    assert expr("pi") is sp.pi and expr("e") is sp.E and expr("inf") is sp.oo


def test_a_name_in_the_mapping_shadows_a_builtin_constant():
    e_sym = symbol("e")
    assert parse_expression("e", {"e": e_sym}) is e_sym


def test_surrounding_whitespace_is_ignored():
    assert expr("   v + 1  ") == v + 1


# --- arithmetic ------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("v + w", v + w),
    ("v - w", v - w),
    ("v * w", v * w),
    ("v / w", v / w),
    ("v ** 2", v ** 2),
    ("-v", -v),
    ("+v", v),
    ("(a - v) / tau", (a - v) / tau),
    ("a - v / tau", a - v / tau),
    ("2 * v ** 2", 2 * v ** 2),
    ("-v ** 2", -(v ** 2)),
    ("v % 3", sp.Mod(v, 3)),
])
def test_arithmetic_builds_the_same_sympy_as_python_precedence(text, expected):
    assert expr(text) == expected


def test_integer_division_stays_exact():
    assert expr("1/3") == sp.Rational(1, 3)


# --- comparisons and logic -------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("v > a", sp.Gt(v, a)),
    ("v >= a", sp.Ge(v, a)),
    ("v < a", sp.Lt(v, a)),
    ("v <= a", sp.Le(v, a)),
    ("v == a", sp.Eq(v, a)),
    ("v != a", sp.Ne(v, a)),
])
def test_each_comparison_operator_is_the_matching_relation(text, expected):
    assert cond(text) == expected


def test_a_chained_comparison_is_a_conjunction():
    assert cond("a < v < b") == sp.And(sp.Lt(a, v), sp.Lt(v, b))


def test_and_or_not_build_boolean_functions():
    assert cond("v > a and not w < b") == sp.And(sp.Gt(v, a), sp.Not(sp.Lt(w, b)))
    assert cond("v > a or w > b") == sp.Or(sp.Gt(v, a), sp.Gt(w, b))


def test_true_and_false_are_conditions():
    assert cond("True") is sp.true and cond("False") is sp.false


def test_is_condition_tells_conditions_from_numbers():
    assert is_condition("v > 1") and is_condition("not v > 1") and is_condition("a or b")
    assert not is_condition("v + 1") and not is_condition("2.0") and not is_condition("v >")


# --- whitelisted functions -------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("exp(v)", sp.exp(v)),
    ("log(v)", sp.log(v)),
    ("sqrt(v)", sp.sqrt(v)),
    ("abs(v)", sp.Abs(v)),
    ("sin(v)", sp.sin(v)),
    ("cos(v)", sp.cos(v)),
    ("tan(v)", sp.tan(v)),
    ("tanh(v)", sp.tanh(v)),
    ("floor(v)", sp.floor(v)),
    ("ceil(v)", sp.ceiling(v)),
    ("min(v, w)", sp.Min(v, w)),
    ("max(v, w)", sp.Max(v, w)),
    ("clip(v, a, b)", sp.Min(sp.Max(v, a), b)),
])
def test_each_whitelisted_function_builds_its_sympy_function(text, expected):
    assert expr(text) == expected


def test_functions_nest():
    assert expr("exp(-v/tau) * sqrt(abs(w))") == sp.exp(-v / tau) * sp.sqrt(sp.Abs(w))


def test_rand_and_randn_are_call_sites_numbered_in_order():
    ctx = Context(line="rand() + randn() + rand()")
    e = parse_expression("rand() + randn() + rand()", NAMES, ctx)
    assert e == Rand(0) + Randn(1) + Rand(2)
    assert ctx.random_sites == [Rand(0), Randn(1), Rand(2)]


def test_each_rand_call_site_is_a_distinct_draw_even_when_written_alike():
    ctx = Context(line="rand() - rand()")
    e = parse_expression("rand() - rand()", NAMES, ctx)
    assert e != 0                                   # not cancelled as x - x
    assert len(set(ctx.random_sites)) == 2


def test_call_site_ids_continue_across_texts_sharing_a_site_list():
    sites = []
    parse_expression("rand()", NAMES, Context(line="rand()", random_sites=sites))
    parse_expression("randn()", NAMES, Context(line="randn()", random_sites=sites))
    assert sites == [Rand(0), Randn(1)]


# --- statements ------------------------------------------------------------------------

TARGETS = {"v": v, "w": w}


def stmts(text):
    return parse_statements(text, NAMES, TARGETS, "the reset")


@pytest.mark.parametrize("text,op", [("v = a", "="), ("v += a", "+="), ("v -= a", "-="),
                                     ("v *= a", "*="), ("v /= a", "/=")])
def test_each_assignment_operator_is_kept(text, op):
    assert stmts(text) == [Statement("v", op, a)]


@pytest.mark.parametrize("op,expected", [("=", a), ("+=", v + a), ("-=", v - a),
                                         ("*=", v * a), ("/=", v / a)])
def test_a_statement_gives_the_new_value_from_the_old(op, expected):
    assert Statement("v", op, a).value(v) == expected


def test_statements_are_separated_by_semicolons_and_newlines_in_order():
    out = stmts("v = a; w += 1\nv *= 2")
    assert [(s.target, s.op, s.expr) for s in out] == [("v", "=", a), ("w", "+=", 1),
                                                      ("v", "*=", 2)]


def test_comments_blank_lines_and_empty_statements_are_skipped():
    out = stmts("# reset\n\nv = a  # to rest\n;; w = b;\n   # done")
    assert [(s.target, s.expr) for s in out] == [("v", a), ("w", b)]


def test_indented_statements_parse():
    assert stmts("    v = a\n\tw = b") == [Statement("v", "=", a), Statement("w", "=", b)]


def test_statements_may_read_every_name_but_assign_only_targets():
    assert stmts("v = tau*w + b")[0].expr == tau * w + b


def test_split_statements_numbers_lines_from_one():
    assert split_statements("v = 1; w = 2\n\nv = 3 # c") == [(1, "v = 1"), (1, " w = 2"),
                                                              (3, "v = 3 ")]


def test_rand_in_statements_numbers_sites_in_the_shared_list():
    sites = []
    out = parse_statements("v = rand(); w += randn()", NAMES, TARGETS, "reset", sites)
    assert out[0].expr == Rand(0) and out[1].expr == Randn(1) and len(sites) == 2
