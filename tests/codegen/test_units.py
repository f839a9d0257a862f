"""Units: annotations become dimensions, and a model whose equations mix dimensions is
refused naming the term (issue 14, part 4; work in progress: not yet called when a model
is parsed)."""
import pytest

from pyspike.codegen.equations import parse_equations
from pyspike.codegen.errors import ModelError
from pyspike.codegen.unit_check import check_units
from pyspike.codegen.units import UnitError, dimension, pretty

#: Models written as users write them (examples/networks.py and the tests' networks).
CONSISTENT = {
    "lif": ("dv/dt = (v_rest - v + R*I)/tau_m : mV (unless refractory)\nI : nA",
            ("v_rest", "R", "tau_m")),
    "cuba": ("dv/dt = (ge + gi - (v - El)) / taum : mV\ndge/dt = -ge / taue : mV\n"
             "dgi/dt = -gi / taui : mV", ("El", "taum", "taue", "taui")),
    "coba": ("dv/dt = (ge*(Ee - v) + gi*(Ei - v) - (v - El) + I) / taum : mV\n"
             "dge/dt = -ge / taue : 1\ndgi/dt = -gi / taui : 1",
             ("Ee", "Ei", "El", "I", "taum", "taue", "taui")),
    "adex": ("dv/dt = (gL*(EL - v) + gL*DeltaT*exp((v - VT)/DeltaT) - w + I)/C : mV\n"
             "dw/dt = (a*(v - EL) - w)/tau_w : nA\nI : nA",
             ("gL", "EL", "DeltaT", "VT", "C", "a", "tau_w")),
    "noise": ("dv/dt = (1.2 - v)/tau + sigma*xi/sqrt(tau) : 1", ("tau", "sigma")),
    "subexpression": ("dv/dt = (I_syn - v)/tau : mV\nI_syn = g*(E - v) : mV", ("g", "E", "tau")),
}

#: Mismatched models and the term each must be refused for.
MISMATCHED = {
    "mV plus nA": ("dv/dt = -v/tau + I : mV\nI : nA", ("tau",), "I"),
    "exp of a voltage": ("dv/dt = exp(v)/tau : mV", ("tau",), "v"),
    "missing /ms": ("dv/dt = v_rest - v : mV", ("v_rest",), "-v"),
    "subexpression in the wrong unit": ("dv/dt = -v/tau : mV\nI_syn = v : nA", ("tau",),
                                        "v"),
    "a declared time used as a voltage": ("dv/dt = (tau - v)/tau : mV\ntau : ms (constant)",
                                          (), "-v"),
}


@pytest.mark.parametrize("text, expected", [("mV/ms", "mV/ms"), ("nS*mV", "pA"), ("1/ms", "1/ms"),
                                            ("pF", "pF"), ("volt", "mV"), ("msecond", "ms"),
                                            ("1", "1"), ("1/(ms*mV)", "SI m^-2 kg^-1 s^2 A")])
def test_an_annotation_reads_as_a_dimension(text, expected):
    assert pretty(dimension(text)) == expected


def test_a_name_that_is_no_unit_is_refused_naming_it():
    with pytest.raises(UnitError) as err:
        dimension("mV/fortnight")
    assert err.value.name == "fortnight"


@pytest.mark.parametrize("name", sorted(CONSISTENT))
def test_consistent_models_pass(name):
    check_units(parse_equations(*CONSISTENT[name]))


def test_parameters_given_as_numbers_get_their_dimension_from_the_equations():
    inferred = check_units(parse_equations(*CONSISTENT["lif"]))
    assert {n: pretty(d) for n, d in inferred.items()} == {
        "v_rest": "mV", "R": "Gohm", "tau_m": "ms"}


def test_a_parameter_the_equations_do_not_constrain_has_no_inferred_dimension():
    inferred = check_units(parse_equations("dv/dt = -v/tau : mV", ("tau", "unused")))
    assert inferred.get("unused") is None


@pytest.mark.parametrize("name", sorted(MISMATCHED))
def test_a_mismatched_model_is_refused_naming_the_term(name):
    text, params, term = MISMATCHED[name]
    with pytest.raises(ModelError) as err:
        check_units(parse_equations(text, params))
    assert f"'{term}'" in str(err.value)


def test_the_argument_of_exp_must_be_dimensionless():
    with pytest.raises(ModelError, match="the argument of exp must be dimensionless"):
        check_units(parse_equations("dv/dt = exp(v)/tau : mV", ("tau",)))


def test_a_number_in_model_text_is_in_base_units_and_takes_the_dimension_it_needs():
    check_units(parse_equations("dge/dt = -ge/5.0 : mV", ()))          # 5.0 ms
    check_units(parse_equations("dv/dt = 0.04*v**2 + 5*v + 140 - u : mV\nu : mV/ms", ()))


def test_a_sign_is_no_number_that_could_hide_a_missing_time():
    with pytest.raises(ModelError, match="'-v'"):
        check_units(parse_equations("dv/dt = 3 - v : mV", ()))


def _checker(text, params=()):
    from pyspike.codegen.unit_check import equation_units
    return equation_units(parse_equations(text, params))


def test_a_threshold_compares_like_with_like():
    import sympy as sp
    from pyspike.codegen.unit_check import check_condition
    v, v_th, w = (sp.Symbol(n, real=True) for n in ("v", "v_th", "w"))
    checker = _checker("dv/dt = (v_rest - v)/tau : mV\ndw/dt = -w/tau : nA",
                       ("v_rest", "tau", "v_th"))
    check_condition(checker, v > v_th, "v > v_th", "the threshold")
    with pytest.raises(ModelError, match="'w' .*in pA.* is added to or compared with 'v'"):
        check_condition(checker, v > w, "v > w", "the threshold")


def test_a_reset_sets_a_variable_to_a_value_of_its_dimension():
    import sympy as sp
    from pyspike.codegen.unit_check import check_statements
    v, w, v_reset = (sp.Symbol(n, real=True) for n in ("v", "w", "v_reset"))
    checker = _checker("dv/dt = (v_rest - v)/tau : mV\ndw/dt = -w/tau : nA",
                       ("v_rest", "tau", "v_reset"))
    check_statements(checker, [(v, v_reset), (w, w + 0.5)], "v = v_reset; w += 0.5",
                     "the reset")
    with pytest.raises(ModelError, match="the units do not match"):
        check_statements(checker, [(v, w)], "v = w", "the reset")


def test_noise_is_named_as_written_and_its_unit_shown_per_square_root_of_time():
    with pytest.raises(ModelError, match=r"'xi' is in 1/sqrt\(ms\), but dv/dt must be in 1/ms"):
        check_units(parse_equations("dv/dt = -v/tau + xi : 1", ("tau",)))


def test_numbers_that_multiply_to_one_still_carry_a_dimension():
    # 1000 Hz * dt * 0.001: sympy makes it 1.0*dt, a probability per step
    import sympy as sp
    from pyspike.codegen.expressions import Rand
    from pyspike.codegen.unit_check import check_condition
    dt = sp.Symbol("dt", real=True)
    checker = _checker("dv/dt = -v/tau : mV", ("tau",))
    check_condition(checker, sp.Lt(Rand(0), sp.Float(1.0) * dt), "rand() < 1e3*dt*0.001",
                    "the threshold")


def test_pi_is_a_number_like_any_other():
    check_units(parse_equations("dv/dt = pi*(v_rest - v)/tau : mV", ("v_rest", "tau")))


@pytest.mark.parametrize("power", ["inf", "-inf"])
def test_an_infinite_exponent_asks_for_a_dimensionless_base_and_crashes_nothing(power):
    import pyspike as ps
    lif = "dv/dt = (v_rest - v)/tau : mV"
    with pytest.raises(ModelError, match="the term 't' is in ms"):
        ps.NeuronModel(lif, threshold="v > 1", reset="v = 0", refractory=f"t < t**{power}",
                       params={"v_rest": 0.0, "tau": 10.0})
    ps.NeuronModel("dv/dt = -v/tau : 1", threshold=f"v**{power} > 1", reset="v = 0",
                   params={"tau": 10.0})
