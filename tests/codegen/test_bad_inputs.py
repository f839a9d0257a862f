"""A corpus of bad model text: each raises ModelError naming the problem, and no compiler
ever runs.  Text that could smuggle C++ into the generated source is among them."""
import subprocess

import pytest
from hypothesis import assume, given, settings, strategies as st

from pyspike.codegen import compile as cc
from pyspike.codegen.errors import ModelError
from pyspike.codegen.kernels import build_network
from pyspike.codegen.pipeline import generate
from pyspike.codegen.render import render_cpp
from pyspike.codegen.spec import GroupSpec, NetworkSpec

LIF = "dv/dt = (v_rest - v + I)/tau : mV (unless refractory)\nI : nA"
PARAMS = ("v_rest", "tau", "v_th")


@pytest.fixture(autouse=True)
def no_compiler(monkeypatch):
    """Any attempt to run a compiler fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"a compiler was started: {args}")
    monkeypatch.setattr(cc.subprocess, "run", refuse)
    monkeypatch.setattr(cc.subprocess, "Popen", refuse)


def group(**kw):
    base = dict(name="g", N=3, equations=LIF, threshold="v > v_th", reset="v = v_rest",
                params=PARAMS)
    base.update(kw)
    return GroupSpec(**base)


def build(tmp_path, **kw):
    return generate(NetworkSpec(groups=(group(**kw),)), "cpp", cache_dir=tmp_path)


# (what is changed, the bad text, a fragment the message must contain)
EQUATION_CASES = [
    ("syntax error", "dv/dt = (v_rest - v / tau : mV", "not a valid expression"),
    ("unknown name", "dv/dt = (v_rest - v + J)/tau : mV", "unknown name 'J'"),
    ("unit word", "dv/dt = (v_rest - v)/(10*ms) : mV", "plain numbers"),
    ("undeclared function", "dv/dt = system(1) : mV", "unknown function 'system'"),
    ("dunder import", "dv/dt = __import__('os') : mV", "unknown function '__import__'"),
    ("eval", "dv/dt = eval('1') : mV", "unknown function 'eval'"),
    ("attribute", "dv/dt = v.__class__ : mV", "not allowed"),
    ("module attribute", "dv/dt = os.system : mV", "not allowed"),
    ("subscript", "dv/dt = v[0] : mV", "not allowed"),
    ("lambda", "dv/dt = (lambda: 1)() : mV", "':' starts the unit"),
    ("string", "dv/dt = 'abc' : mV", "not a number"),
    ("f-string", "dv/dt = f'{v}' : mV", "not allowed"),
    ("walrus", "dv/dt = (x := 1) : mV", "':' starts the unit"),
    ("conditional expression", "dv/dt = 1 if v > 0 else 2 : mV", "not allowed"),
    ("caret power", "dv/dt = v^2 : mV", "use **"),
    ("bitwise not", "dv/dt = ~v : mV", "not allowed"),
    ("function without call", "dv/dt = exp : mV", "must be called"),
    ("keyword argument", "dv/dt = exp(x=v) : mV", "no keyword"),
    ("wrong arity", "dv/dt = exp(v, v) : mV", "takes 1 argument"),
    ("semicolon name", 'v;system("rm") : mV', "expected"),
    ("python keyword", "class : 1", "reserved"),
    ("private name", "_private : 1", "not a valid"),
    ("time as variable", "t : ms", "reserved"),
    ("dt as variable", "dt : ms", "reserved"),
    ("xi as variable", "xi : 1", "reserved"),
    ("xi_ as variable", "xi_1 : 1", "reserved"),
    ("function name as variable", "exp : 1", "reserved"),
    ("smuggled flag", "v : mV (unless refractory); system()", "is not a unit"),
    ("unknown flag", "v : mV (event-driven)", "unknown flag 'event-driven'"),
    ("unit with semicolon", "v : mV; int x", "is not a unit"),
    ("unit with quote", 'v : "mV"', "is not a unit"),
    ("unit with brace", "v : mV}", "is not a unit"),
    ("defined twice", "v : mV\nv : mV", "defined twice"),
    ("cyclic subexpressions", "a = b : 1\nb = a : 1\ndv/dt = a : 1", "cycle"),
    ("noise in subexpression", "a = xi : 1\ndv/dt = a : 1", "contains noise"),
    ("unless refractory on a declaration", "v : mV (unless refractory)",
     "only applies to differential"),
    ("constant ODE", "dv/dt = -v : mV (constant)", "cannot be (constant)"),
    ("condition as number", "dv/dt = v > 1 : 1", "condition where a number"),
    ("garbage line", "this is not an equation", "expected"),
    ("backslash", "dv/dt = 1 \\\n + 2 : 1", "backslash"),
    ("nonlinear noise", "dv/dt = xi*xi : 1", "not linear"),
]


@pytest.mark.parametrize("what,equations,fragment", EQUATION_CASES,
                         ids=[c[0] for c in EQUATION_CASES])
def test_bad_equations_raise_model_error_before_any_compiler(what, equations, fragment,
                                                               tmp_path):
    with pytest.raises(ModelError) as err:
        build(tmp_path, equations=equations, threshold="", reset="")
    assert isinstance(err.value, ValueError)
    assert fragment in str(err.value), str(err.value)


GROUP_CASES = [
    ("reset smuggling C++", dict(reset="v = 0; }; int x = 1; {"), "not a valid expression"),
    ("reset assigning a parameter", dict(reset="tau = 1"), "cannot assign to 'tau'"),
    ("reset assigning an unknown name", dict(reset="w = 1"), "cannot assign to 'w'"),
    ("reset as comparison", dict(reset="v == 0"), "expected an assignment"),
    ("reset with two targets", dict(reset="v = I = 0"), "one variable"),
    ("reset with unknown augmented op", dict(reset="v //= 2"), "only =, +="),
    ("threshold that is a number", dict(threshold="v + 1"), "number where a condition"),
    ("threshold with unknown name", dict(threshold="v > vt"), "unknown name 'vt'"),
    ("refractory depending on state", dict(refractory="v*2"), "parameters only"),
    ("refractory without threshold", dict(threshold="", reset="", refractory=2.0),
     "no threshold"),
    ("reset without threshold", dict(threshold=""), "no threshold"),
    ("unknown method", dict(method="magic"), "unknown integration method 'magic'"),
    ("exact on a nonlinear system", dict(equations="dv/dt = -v**2 : 1", reset="",
                                         threshold="", method="exact"), "linear"),
    ("rk4 with noise", dict(equations="dv/dt = -v + xi : 1", reset="", threshold="",
                            method="rk4"), "cannot integrate equations with noise"),
    ("exponential euler on a nonlinear equation",
     dict(equations="dv/dt = -v**2 : 1", reset="", threshold="",
          method="exponential_euler"), "linear in v"),
    ("per-neuron value for a non-parameter", dict(per_neuron=("nope",)), "not a parameter"),
    ("update assigning a parameter", dict(update="tau = 2"), "cannot assign to 'tau'"),
]


@pytest.mark.parametrize("what,change,fragment", GROUP_CASES, ids=[c[0] for c in GROUP_CASES])
def test_bad_group_definitions_raise_model_error_before_any_compiler(what, change, fragment,
                                                                     tmp_path):
    with pytest.raises(ModelError) as err:
        build(tmp_path, **change)
    assert fragment in str(err.value), str(err.value)


def test_cpp_keywords_are_harmless_names_because_user_names_are_prefixed():
    spec = NetworkSpec(groups=(GroupSpec("g", 2, equations="dint/dt = -int/return : 1",
                                         params=("return",)),))
    with pytest.raises(ModelError, match="reserved"):       # a Python keyword
        build_network(spec)
    spec = NetworkSpec(groups=(GroupSpec("g", 2, equations="dint/dt = -int/double : 1",
                                         params=("double",)),))
    source = render_cpp(build_network(spec))
    assert "u_int" in source and "u_double" in source


def test_the_message_quotes_the_line_and_marks_the_symbol(tmp_path):
    with pytest.raises(ModelError) as err:
        build(tmp_path, equations="I : nA\ndv/dt = (v_rest - v + R*J)/tau : mV")
    lines = str(err.value).splitlines()
    assert lines[0] == "In the equations of group 'g', line 2:"
    assert lines[1].strip() == "dv/dt = (v_rest - v + R*J)/tau : mV"
    caret = lines[2].index("^")
    assert lines[1][caret] == "R"   # R is the first unknown name
    assert err.value.symbol == "R"


IDENTIFIER_JUNK = st.text(alphabet=st.characters(codec="ascii"), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(name=IDENTIFIER_JUNK)
def test_any_variable_name_is_refused_or_printed_prefixed(name):
    """User text never reaches the C++ source except as a u_-prefixed identifier."""
    assume(name == name.strip() and "#" not in name and not any(c in name for c in "\r\n\x0b\x0c\x1c\x1d\x1e"))
    spec = NetworkSpec(groups=(GroupSpec("g", 2, equations=f"d{name}/dt = -{name}/tau : 1",
                                         params=("tau",)),))
    try:
        source = render_cpp(build_network(spec))
    except ModelError:
        return
    assert name.isidentifier()
    assert f"u_{name}" in source


STRUCTURE = '{}"\'#\\[]'


def _structure(source):
    return {c: source.count(c) for c in STRUCTURE}


@settings(max_examples=80, deadline=None)
@given(text=st.text(alphabet=st.characters(codec="ascii"), min_size=1, max_size=30))
def test_any_threshold_or_reset_text_is_refused_or_adds_no_cpp_structure(text):
    """Whatever the text, it is refused or re-printed from sympy: it can add no brace,
    quote, bracket, backslash or preprocessor line to the generated source."""
    for kw, base in ((dict(threshold=text, reset=""), dict(threshold="v > v_th", reset="")),
                     (dict(reset=text), dict(reset="v = v_rest"))):
        baseline = _structure(render_cpp(build_network(NetworkSpec(groups=(group(**base),)))))
        try:
            source = render_cpp(build_network(NetworkSpec(groups=(group(**kw),))))
        except ModelError:
            continue
        counts = _structure(source)
        assert all(counts[c] <= baseline[c] for c in STRUCTURE), (counts, baseline)
