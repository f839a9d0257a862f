"""Equation strings -> the equations IR (odes, subexpressions, variables, noise)."""
import sympy as sp

from pyspike.codegen.equations import BUILTINS, T, noise_symbols, parse_equations, symbol
from pyspike.codegen.kernels import model_variables

v, w, g, tau, E, I = (symbol(n) for n in ("v", "w", "g", "tau", "E", "I"))


# --- kinds of lines --------------------------------------------------------------------

def test_a_differential_equation_gives_an_ode_and_a_state_variable():
    eqs = parse_equations("dv/dt = -v/tau : mV", ["tau"])
    assert eqs.odes == {"v": -v / tau}
    assert eqs.state == ["v"]


def test_spaces_inside_the_derivative_are_allowed():
    assert parse_equations("d v / dt = -v : 1").odes == {"v": -v}


def test_a_subexpression_is_recorded_and_not_a_variable():
    eqs = parse_equations("dv/dt = I : mV\nI = g*(E - v) : nA", ["g", "E"])
    assert eqs.subexpressions == {"I": g * (E - v)}
    assert "I" not in eqs.variables


def test_a_declaration_is_a_state_variable_without_an_equation():
    eqs = parse_equations("dv/dt = (I - v)/tau : mV\nI : nA", ["tau"])
    assert eqs.state == ["v", "I"] and "I" not in eqs.odes


def test_units_are_kept_as_documentation():
    eqs = parse_equations("dv/dt = -v/tau : mV\nI : nA\nw : volt/second\nx : 1", ["tau"])
    assert [eqs.variables[n].unit for n in ("v", "I", "w", "x")] == ["mV", "nA",
                                                                     "volt/second", "1"]


def test_a_line_without_unit_is_dimensionless():
    assert parse_equations("dv/dt = -v").variables["v"].unit == "1"


def test_unless_refractory_is_recorded_for_the_ode():
    eqs = parse_equations("dv/dt = -v : mV (unless refractory)\ndw/dt = -w : 1")
    assert eqs.unless_refractory == {"v"}
    assert eqs.variables["v"].flags == {"unless refractory"}


def test_flags_are_comma_separated_and_whitespace_insensitive():
    eqs = parse_equations("a : 1 (constant,   shared)")
    assert eqs.variables["a"].flags == {"constant", "shared"}


def test_constant_or_shared_declarations_are_parameters():
    eqs = parse_equations("a : 1 (constant)\nb : 1 (shared)\nc : 1")
    assert [eqs.variables[n].is_param for n in "abc"] == [True, True, False]
    assert eqs.variables["b"].shared and not eqs.variables["a"].shared
    assert eqs.state == ["c"]


def test_comments_and_blank_lines_are_ignored():
    eqs = parse_equations("""
        # membrane
        dv/dt = -v/tau : mV   # leak only

        # done
    """, ["tau"])
    assert eqs.odes == {"v": -v / tau} and eqs.variables["v"].unit == "mV"


def test_variables_keep_the_order_of_the_equations_then_params():
    eqs = parse_equations("dw/dt = -w : 1\ndv/dt = -v/tau : 1\nI : 1", ["tau"])
    assert list(eqs.variables) == ["w", "v", "I", "tau"]


def test_builtins_t_and_dt_may_be_read():
    eqs = parse_equations("dv/dt = sin(t) - v*dt : 1")
    assert eqs.odes["v"] == sp.sin(T) - v * BUILTINS["dt"]


# --- params ----------------------------------------------------------------------------

def test_params_become_parameters_whose_unit_the_equations_give():
    eqs = parse_equations("dv/dt = -v/tau : mV", ["tau"])
    assert eqs.variables["tau"].is_param and eqs.variables["tau"].unit is None
    assert "tau" not in eqs.state


def test_a_declared_name_listed_in_params_is_a_parameter_with_its_unit():
    eqs = parse_equations("dv/dt = -v/tau : mV\ntau : ms", ["tau"])
    assert eqs.variables["tau"].is_param and eqs.variables["tau"].unit == "ms"
    assert eqs.state == ["v"]


def test_names_cover_builtins_variables_params_and_subexpressions():
    eqs = parse_equations("dv/dt = I : mV\nI = g*v : 1", ["g"])
    assert {"t", "dt", "i", "N", "v", "g", "I"} <= set(eqs.names())
    assert eqs.names()["v"] == v


# --- subexpressions --------------------------------------------------------------------

def test_subexpressions_are_substituted_into_odes():
    eqs = parse_equations("dv/dt = (I - v)/tau : mV\nI = g*(E - v) : nA", ["g", "E", "tau"])
    assert eqs.odes["v"] == (g * (E - v) - v) / tau
    assert I not in eqs.odes["v"].free_symbols


def test_chains_of_subexpressions_are_substituted_whatever_their_order():
    eqs = parse_equations("a = b + 1 : 1\ndv/dt = a : 1\nb = 2*c : 1\nc = v*v : 1")
    assert eqs.odes["v"] == 2 * v ** 2 + 1
    assert eqs.subexpressions["a"] == 2 * v ** 2 + 1


def test_a_subexpression_may_be_used_in_several_odes():
    eqs = parse_equations("dv/dt = -s : 1\ndw/dt = s : 1\ns = v - w : 1")
    assert eqs.odes == {"v": -(v - w), "w": v - w}


# --- noise -----------------------------------------------------------------------------

def test_xi_is_collected_as_a_noise_symbol():
    eqs = parse_equations("dv/dt = -v + xi : 1")
    assert [s.name for s in eqs.noise] == ["_xi"]
    assert noise_symbols(eqs.odes["v"]) == eqs.noise


def test_named_noise_sources_are_independent_symbols_in_order_of_appearance():
    eqs = parse_equations("dv/dt = -v + xi_e : 1\ndw/dt = -w + xi_i + xi_e + xi : 1")
    assert [s.name for s in eqs.noise] == ["_xi_e", "_xi_i", "_xi"]


def test_noise_symbols_cannot_clash_with_user_names():
    eqs = parse_equations("dv/dt = xi : 1")
    assert all(s.name.startswith("_") for s in eqs.noise)


def test_equations_without_noise_have_none():
    assert parse_equations("dv/dt = -v/tau : 1", ["tau"]).noise == []


# --- discrete-time (update=) models ----------------------------------------------------

def test_model_variables_splits_state_from_parameters():
    assert model_variables("dv/dt = -v/tau : 1\nI : 1", ["tau"]) == (["v", "I"], ["tau"])


def test_update_targets_that_are_new_become_state_variables():
    state, params = model_variables("", ["a"], update="x = a*x\ny += 1")
    assert state == ["x", "y"] and params == ["a"]


def test_update_may_assign_existing_state_without_duplicating_it():
    state, _ = model_variables("dv/dt = -v/tau : 1", ["tau"], update="v = 0.5*v; w = v")
    assert state == ["v", "w"]
