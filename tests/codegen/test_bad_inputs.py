"""A corpus of bad model text: each raises ModelError naming the problem, and no compiler
ever runs.  Text that could smuggle C++ into the generated source is among them."""
import functools
import re

import pytest
from hypothesis import given, settings, strategies as st

from pyspike.codegen.equations import parse_equations, symbol
from pyspike.codegen.errors import ModelError
from pyspike.codegen.expressions import parse_condition, parse_expression
from pyspike.codegen.statements import parse_statements
from pyspike.codegen.kernels import build_network
from pyspike.codegen.render import render_cpp
from pyspike.codegen.spec import GroupSpec, NetworkSpec
from pyspike.toolchain import compile as cc
from pyspike.toolchain.generation import generate

LIF = "dv/dt = (v_rest - v + I)/tau : mV (unless refractory)\nI : mV"
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


def assert_points_at_user_text(err, text):
    """The message quotes the offending part of ``text``; where a column is known a caret
    line marks it, and where a symbol is named the caret stands under it."""
    lines = str(err).splitlines()
    assert err.source is not None, str(err)
    assert err.source.strip() and err.source.strip() in text, (err.source, text)
    quoted = [k for k, line in enumerate(lines) if line.strip() == err.source.strip()]
    assert quoted, str(err)
    if err.col is not None:
        caret = lines[quoted[0] + 1]
        assert caret.strip() == "^", str(err)
        assert caret.index("^") - lines[quoted[0]].index(err.source[0]) == err.col
        if err.symbol:
            assert err.source[err.col:].startswith(err.symbol), str(err)


def test_the_no_compiler_guard_is_armed():
    with pytest.raises(AssertionError, match="compiler was started"):
        cc.subprocess.run(["g++", "--version"])


# (what is changed, the bad text, a fragment the message must contain)
EQUATION_CASES = [
    ("syntax error", "dv/dt = (v_rest - v / tau : mV", "not a valid expression"),
    ("unknown name", "dv/dt = (v_rest - v + J)/tau : mV", "unknown name 'J'"),
    ("a unit that is no unit", "dv/dt = (v_rest - v)/(10*msec) : mV", "unknown name 'msec'"),
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
    ("unknown flag", "v : mV (linkd)", "unknown flag 'linkd'"),
    ("event-driven neuron", "v : mV (event-driven)", "synapse models only"),
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
    ("reserved index i", "i : 1", "reserved"),
    ("reserved size N", "N : 1", "reserved"),
    ("reserved step", "step : 1", "reserved"),
    ("reserved lastspike", "lastspike : 1", "reserved"),
    ("reserved not_refractory", "not_refractory : 1", "reserved"),
    ("reserved constant pi", "pi : 1", "reserved"),
    ("rand as variable", "rand : 1", "reserved"),
    ("reserved name as ODE", "dt/dt = 1 : 1", "reserved"),
    ("unicode name", "d\u00e9/dt = 1 : 1", "expected"),
    ("subexpression named like a builtin", "t = 1 : 1", "reserved"),
    ("unless refractory on a subexpression", "a = 1 : 1 (unless refractory)",
     "only applies to differential"),
    ("empty flags", "v : mV ()", "is not a unit"),
]
# These come out of the integrators, which see sympy, not lines: they name the variable.
NO_LINE = {"nonlinear noise"}
EQUATION_CASES.append(("nonlinear noise", "dv/dt = xi*xi : 1", "not linear"))


@pytest.mark.parametrize("what,equations,fragment", EQUATION_CASES,
                         ids=[c[0] for c in EQUATION_CASES])
def test_bad_equations_raise_model_error_before_any_compiler(what, equations, fragment,
                                                               tmp_path):
    with pytest.raises(ModelError) as err:
        build(tmp_path, equations=equations, threshold="", reset="")
    assert isinstance(err.value, ValueError)
    assert fragment in str(err.value), str(err.value)
    if what not in NO_LINE:
        assert_points_at_user_text(err.value, equations)


GROUP_CASES = [
    ("reset smuggling C++", dict(reset="v = 0; }; int x = 1; {"), "not a valid expression"),
    ("reset assigning a parameter", dict(reset="tau = 1"), "cannot assign to 'tau'"),
    ("reset assigning an unknown name", dict(reset="w = 1"), "cannot assign to 'w'"),
    ("reset as comparison", dict(reset="v == 0"), "expected an assignment"),
    ("reset with two targets", dict(reset="v = I = 0"), "one variable"),
    ("reset with unknown augmented op", dict(reset="v //= 2"), "only =, +="),
    ("threshold that is a number", dict(threshold="v + 1"), "number where a condition"),
    ("threshold with unknown name", dict(threshold="v > vt"), "unknown name 'vt'"),
    ("refractory without threshold", dict(threshold="", reset="", refractory=2.0),
     "no threshold"),
    ("reset without threshold", dict(threshold=""), "no threshold"),
    ("unknown method", dict(method="magic"), "unknown integration method 'magic'"),
    ("exact on a nonlinear system", dict(equations="dv/dt = -v**2/tau : 1", reset="",
                                         threshold="", method="exact"), "linear"),
    ("rk4 with noise", dict(equations="dv/dt = -v/tau + xi/sqrt(tau) : 1", reset="",
                            threshold="", method="rk4"), "cannot integrate equations with noise"),
    ("exponential euler on a nonlinear equation",
     dict(equations="dv/dt = -v**2/tau : 1", reset="", threshold="",
          method="exponential_euler"), "linear in v"),
    ("per-neuron value for a non-parameter", dict(per_neuron=("nope",)), "not a parameter"),
    ("update assigning a parameter", dict(update="tau = 2"), "cannot assign to 'tau'"),
    ("update smuggling C++", dict(update="I = 0; } int x; {"), "not a valid expression"),
    ("threshold with a statement", dict(threshold="v > v_th; system()"),
     "not a valid expression"),
    ("threshold that is an assignment", dict(threshold="v = 1"), "not a valid expression"),
    ("threshold that is a constant number", dict(threshold="1"), "number where a condition"),
    ("threshold calling an unknown function", dict(threshold="system('ls') > 0"),
     "unknown function 'system'"),
    ("threshold with a string", dict(threshold="v > '1'"), "not a number"),
    ("threshold with a backslash", dict(threshold="v > v_th \\"), "backslash"),
    ("reset reading an unknown name", dict(reset="v = q"), "unknown name 'q'"),
    ("reset with a brace", dict(reset="v = 0 }"), "not a valid expression"),
    ("reset calling eval", dict(reset="v = eval('1')"), "unknown function 'eval'"),
    ("reset assigning a subscript", dict(reset="v[0] = 1"), "expected a variable name"),
    ("reset assigning an attribute", dict(reset="v.x = 1"), "expected a variable name"),
    ("reset with an import", dict(reset="import os"), "expected an assignment"),
    ("refractory calling an unknown function", dict(refractory="system(1)"),
     "unknown function 'system'"),
    ("refractory with an unknown name", dict(refractory="v > q"), "unknown name 'q'"),
    ("refractory depending on time", dict(refractory="t"), "may not depend on t"),
]
# Errors about the group as a whole, or from the integrators: no line to quote.
NO_LINE_GROUP = {"refractory without threshold", "reset without threshold", "unknown method",
                 "exact on a nonlinear system", "rk4 with noise",
                 "exponential euler on a nonlinear equation",
                 "per-neuron value for a non-parameter"}


@pytest.mark.parametrize("what,change,fragment", GROUP_CASES, ids=[c[0] for c in GROUP_CASES])
def test_bad_group_definitions_raise_model_error_before_any_compiler(what, change, fragment,
                                                                     tmp_path):
    with pytest.raises(ModelError) as err:
        build(tmp_path, **change)
    assert fragment in str(err.value), str(err.value)
    if what not in NO_LINE_GROUP:
        text = "\n".join(v for v in change.values() if isinstance(v, str))
        assert_points_at_user_text(err.value, text)


def test_cpp_keywords_are_harmless_names_because_user_names_are_prefixed():
    spec = NetworkSpec(groups=(GroupSpec("g", 2, equations="dlong/dt = -long/return : 1",
                                         params=("return",)),))
    with pytest.raises(ModelError, match="reserved"):       # a Python keyword
        build_network(spec)
    # ("int" is a function of model text, Brian2's int(): "long" stands for the C++ word)
    spec = NetworkSpec(groups=(GroupSpec("g", 2, equations="dlong/dt = -long/double : 1",
                                         params=("double",)),))
    source = render_cpp(build_network(spec))
    assert "u_long" in source and "u_double" in source


def test_the_message_quotes_the_line_and_marks_the_symbol(tmp_path):
    with pytest.raises(ModelError) as err:
        build(tmp_path, equations="I : mV\ndv/dt = (v_rest - v + R*J)/tau : mV")
    lines = str(err.value).splitlines()
    assert lines[0] == "In the equations of group 'g', line 2:"
    assert lines[1].strip() == "dv/dt = (v_rest - v + R*J)/tau : mV"
    caret = lines[2].index("^")
    assert lines[1][caret] == "R"   # R is the first unknown name
    assert err.value.symbol == "R"


def test_carets_account_for_indentation_and_earlier_lines(tmp_path):
    with pytest.raises(ModelError) as err:
        build(tmp_path, equations="""
            I : mV
                dv/dt = (v_rest - v + I)/tau : mV (sticky)
        """)
    assert err.value.lineno == 3 and err.value.symbol == "sticky"
    assert_points_at_user_text(err.value, "dv/dt = (v_rest - v + I)/tau : mV (sticky)")


def test_the_caret_marks_the_unknown_flag_among_several():
    with pytest.raises(ModelError) as err:
        parse_equations("dv/dt = -v : mV (unless refractory, sticky)")
    assert err.value.symbol == "sticky"
    assert_points_at_user_text(err.value, "dv/dt = -v : mV (unless refractory, sticky)")


def test_the_caret_marks_an_unknown_name_in_the_second_reset_statement(tmp_path):
    with pytest.raises(ModelError) as err:
        build(tmp_path, reset="v = v_rest\n   I +=  2*q")
    assert err.value.lineno == 2 and err.value.symbol == "q"
    assert_points_at_user_text(err.value, "I +=  2*q")


def test_the_caret_marks_an_unknown_name_in_an_indented_threshold(tmp_path):
    with pytest.raises(ModelError) as err:
        build(tmp_path, threshold="   v > v_th + vt")
    assert err.value.symbol == "vt"
    assert_points_at_user_text(err.value, "v > v_th + vt")


# --- the parsers directly ----------------------------------------------------------------

v, tau = symbol("v"), symbol("tau")
NAMES = {"v": v, "tau": tau}

EXPRESSION_CASES = [
    ("syntax error", "v +* 2", "not a valid expression"),
    ("unknown name", "v + J", "unknown name 'J'"),
    ("a unit that is no unit", "10*msec", "unknown name 'msec'"),
    ("undeclared function", "system(1)", "unknown function 'system'"),
    ("dunder import", "__import__('os')", "unknown function '__import__'"),
    ("eval", "eval('1')", "unknown function 'eval'"),
    ("exec", "exec('1')", "unknown function 'exec'"),
    ("attribute", "v.__class__", "not allowed"),
    ("module attribute", "os.system", "not allowed"),
    ("method call", "v.conjugate()", "not a function pyspike knows"),
    ("subscript", "v[0]", "not allowed"),
    ("slice", "v[0:1]", "not allowed"),
    ("list", "[v]", "not allowed"),
    ("tuple", "(v, v)", "not allowed"),
    ("dict", "{1: v}", "not allowed"),
    ("lambda", "lambda: 1", "not allowed"),
    ("called lambda", "(lambda: 1)()", "not a function pyspike knows"),
    ("string", "'abc'", "not a number"),
    ("bytes", "b'abc'", "not a number"),
    ("complex", "1j", "not a number"),
    ("None", "None", "not a number"),
    ("f-string", "f'{v}'", "not allowed"),
    ("walrus", "(x := 1)", "not allowed"),
    ("caret power", "v^2", "use ** for powers"),
    ("shift", "v << 1", "not allowed"),
    ("matrix product", "v @ v", "not allowed"),
    ("bitwise not", "~v", "use 'not'"),
    ("identity comparison", "v is v", "not allowed"),
    ("membership", "v in v", "not allowed"),
    ("conditional expression", "1 if v else 2", "not allowed"),
    ("comprehension", "[x for x in v]", "not allowed"),
    ("starred", "exp(*v)", "not allowed"),
    ("keyword argument", "exp(x=v)", "no keyword"),
    ("wrong arity", "clip(v, 1)", "takes 3 argument"),
    ("rand with argument", "rand(1)", "takes 0 argument"),
    ("function not called", "sqrt", "must be called"),
    ("condition as number", "(v > 1) + 1", "condition where a number"),
    ("backslash", "v + \\\n 1", "backslash"),
    ("semicolon", "v; 1", "not a valid expression"),
    ("two lines", "v\nimport os", "not a valid expression"),
]


@pytest.mark.parametrize("what,text,fragment", EXPRESSION_CASES,
                         ids=[c[0] for c in EXPRESSION_CASES])
def test_parse_expression_refuses_everything_outside_the_whitelist(what, text, fragment):
    with pytest.raises(ModelError) as err:
        parse_expression(text, NAMES)
    assert fragment in str(err.value), str(err.value)
    assert text.splitlines()[0].strip()[:3] in str(err.value)   # the text is quoted
    if err.value.col is not None:
        assert "^" in str(err.value)


CONDITION_CASES = [
    ("a number", "v + 1", "number where a condition"),
    ("and with a number", "v > 1 and 2", "number where a condition"),
    ("not of a number", "not 2", "number where a condition"),
    ("an assignment", "v = 1", "not a valid expression"),
    ("a call of an unknown function", "system(v) > 0", "unknown function 'system'"),
]


@pytest.mark.parametrize("what,text,fragment", CONDITION_CASES,
                         ids=[c[0] for c in CONDITION_CASES])
def test_parse_condition_wants_a_condition(what, text, fragment):
    with pytest.raises(ModelError) as err:
        parse_condition(text, NAMES)
    assert fragment in str(err.value), str(err.value)
    assert_points_at_user_text(err.value, text)


STATEMENT_CASES = [
    ("comparison", "v == 0", "expected an assignment"),
    ("bare expression", "v + 1", "expected an assignment"),
    ("annotated assignment", "v: int = 1", "expected an assignment"),
    ("two targets", "v = v = 1", "one variable"),
    ("tuple target", "v, v = 1, 2", "expected a variable name"),
    ("subscript target", "v[0] = 1", "expected a variable name"),
    ("attribute target", "v.x = 1", "expected a variable name"),
    ("read-only target", "tau = 1", "read-only"),
    ("unknown target", "w = 1", "cannot assign to 'w'"),
    ("floor-division update", "v //= 2", "only =, +="),
    ("power update", "v **= 2", "only =, +="),
    ("unknown name on the right", "v = q", "unknown name 'q'"),
    ("C++ block", "v = 0; }; int x = 1; {", "not a valid expression"),
    ("import", "import os", "expected an assignment"),
    ("function definition", "def f(): pass", "expected an assignment"),
    ("del", "del v", "expected an assignment"),
    ("condition assigned", "v = v > 1", "condition where a number"),
]


@pytest.mark.parametrize("what,text,fragment", STATEMENT_CASES,
                         ids=[c[0] for c in STATEMENT_CASES])
def test_parse_statements_accepts_only_plain_assignments_to_targets(what, text, fragment):
    with pytest.raises(ModelError) as err:
        parse_statements(text, NAMES, {"v": v}, "the reset")
    assert fragment in str(err.value), str(err.value)
    assert_points_at_user_text(err.value, text)


EQUATION_PARSER_CASES = [
    ("param that is reserved", "dv/dt = -v : 1", ["dt"], "reserved"),
    ("param that is not an identifier", "dv/dt = -v : 1", ["a;b"], "not a valid"),
    ("param with a brace", "dv/dt = -v : 1", ["a}"], "not a valid"),
    ("param named xi", "dv/dt = -v : 1", ["xi"], "reserved"),
    ("param private", "dv/dt = -v : 1", ["_x"], "not a valid"),
    ("param also an ODE", "dv/dt = -v : 1", ["v"], "also defined by an equation"),
    ("param also a subexpression", "dv/dt = -a : 1\na = v : 1", ["a"],
     "also defined by an equation"),
]


@pytest.mark.parametrize("what,equations,params,fragment", EQUATION_PARSER_CASES,
                         ids=[c[0] for c in EQUATION_PARSER_CASES])
def test_parse_equations_checks_parameter_names(what, equations, params, fragment):
    with pytest.raises(ModelError) as err:
        parse_equations(equations, params)
    assert fragment in str(err.value), str(err.value)
    assert err.value.symbol == params[0]


@pytest.mark.parametrize("text", ["v", "not v", "v > 1 and tau", "tau or v > 1"])
def test_a_bare_name_is_not_a_condition(text):
    with pytest.raises(ModelError, match="number where a condition"):
        parse_condition(text, NAMES)


def test_a_threshold_that_is_a_bare_variable_is_refused(tmp_path):
    with pytest.raises(ModelError, match="number where a condition"):
        build(tmp_path, threshold="v")


def test_j_is_reserved_for_the_postsynaptic_index():
    with pytest.raises(ModelError, match="reserved"):
        parse_equations("j : 1")


def test_a_parameter_name_with_a_trailing_newline_is_refused():
    with pytest.raises(ModelError, match="not a valid"):
        parse_equations("dv/dt = -v : 1", ["tau\n"])


def test_nonlinear_noise_error_quotes_the_equation_line():
    with pytest.raises(ModelError) as err:
        build_network(NetworkSpec(groups=(GroupSpec("g", 1, equations="dv/dt = xi*xi : 1"),)))
    assert err.value.source is not None and "xi*xi" in str(err.value)


# --- properties: user text reaches C++ only as u_-prefixed identifiers -------------------

_TOKENS = ["v", "v_th", "v_rest", "I", "tau", "x", "int", "system", "real_t", "u_v", "_h0",
           ">", "<", ">=", "==", "=", "+=", "*", "+", "-", "/", "**", "(", ")", ";", "\n",
           "#", " and ", " not ", " or ", "0", "1.5", "1e3", "exp(", "rand()", "randn()", " ",
           "}", "{", '"', "'", "\\", "__", ".", ",", "[", "]", "%", "^", ":", "\t"]
ASCII = st.text(alphabet=st.characters(codec="ascii"), min_size=1, max_size=20)
TOKEN_SOUP = st.lists(st.sampled_from(_TOKENS), min_size=1, max_size=8).map("".join)
NAMEISH = st.one_of(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True), ASCII,
                    TOKEN_SOUP)
_LEFT = st.sampled_from(["v", "v_th", "I", "1.5", "exp(v)", "rand()", "-v", "(v"])
CONDITIONISH = st.tuples(_LEFT, st.sampled_from([">", "<", ">=", "==", "and", "+"]),
                         NAMEISH).map(" ".join)
STATEMENTISH = st.tuples(st.sampled_from(["v", "I", "v_th", "x", "v;"]),
                         st.sampled_from(["=", "+=", "-=", "/=", "=="]), NAMEISH).map(" ".join)
PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def _bare(source, text):
    """Occurrences of ``text`` in ``source`` that are not part of a u_-prefixed name,
    outside the manifest's string literals (JSON data of identifiers only, checked by
    codegen.layout.c_string)."""
    source = re.sub(r'R"\(.*?\)"', "", source)
    text = text.strip()
    if not text:
        return 0
    pattern = re.escape(text)
    if re.match(r"\w", text):
        pattern = r"(?<!\w)" + pattern
    if re.search(r"\w$", text):
        pattern += r"(?!\w)"
    return len(re.findall(pattern, source))


@functools.lru_cache(maxsize=None)
def _baseline():
    return _render()


def _render(**kw):
    return render_cpp(build_network(NetworkSpec(groups=(group(**kw),))))


def _check(text, baseline=None, **kw):
    """Either ModelError, or the source gains no bare copy of ``text`` (against
    ``baseline``, the same model with a neutral name in the place of ``text``) and every
    name in the model is a plain identifier."""
    baseline = _baseline() if baseline is None else baseline
    try:
        net = build_network(NetworkSpec(groups=(group(**kw),)))
    except ModelError:
        return
    assert all(PLAIN.fullmatch(n) for n in net.groups[0].equations.variables), \
        list(net.groups[0].equations.variables)
    source = render_cpp(net)
    assert _bare(source, text) <= _bare(baseline, text), text


@settings(max_examples=60, deadline=None, derandomize=True)
@given(name=NAMEISH)
def test_any_variable_name_is_refused_or_printed_prefixed(name):
    _check(name, equations=f"d{name}/dt = -{name}/tau : 1\n" + LIF, threshold="", reset="")


@settings(max_examples=60, deadline=None, derandomize=True)
@given(name=NAMEISH)
def test_any_declared_name_is_refused_or_printed_prefixed(name):
    _check(name, equations=LIF.replace("I", name), threshold="", reset="")


@settings(max_examples=60, deadline=None, derandomize=True)
@given(name=NAMEISH)
def test_any_parameter_name_is_refused_or_printed_prefixed(name):
    # against a model with one more parameter too: each parameter adds its declaration
    # and its read (`real_t u_q;`, `(real_t)rargs[3]`), so that a parameter named
    # real_t finds two more of its name, none of them its own
    _check(name, baseline=_render(params=PARAMS + ("q",)), params=PARAMS + (name,))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(text=st.one_of(ASCII, TOKEN_SOUP, CONDITIONISH))
def test_any_threshold_text_is_refused_or_printed_from_sympy(text):
    _check(text, threshold=text)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(text=st.one_of(ASCII, TOKEN_SOUP, STATEMENTISH))
def test_any_reset_text_is_refused_or_printed_from_sympy(text):
    _check(text, reset=text)


STRUCTURE = '{}"\'#\\[]'


def _structure(source):
    return {c: source.count(c) for c in STRUCTURE}


@functools.lru_cache(maxsize=None)
def _most_structure(**kw):
    """The most of each structure character in the sources of ``kw``'s baselines: the
    texts of the template's own that a valid text may bring in (an array read and
    stored, a block of random numbers and its #define), none of them the text's."""
    out = {}
    for base in kw["bases"]:
        counts = _structure(_render(**dict(base)))
        out = {c: max(out.get(c, 0), counts[c]) for c in STRUCTURE}
    return out


_THRESHOLDS = ((("threshold", "v > v_th"), ("reset", "")),
               (("threshold", "v > v_th + (rand() + randn())*mV + I"), ("reset", "")))
_RESETS = ((("reset", "v = v_rest + (rand() + randn())*mV\nI = v_th"),),)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(text=st.one_of(ASCII, TOKEN_SOUP, CONDITIONISH, STATEMENTISH))
def test_any_threshold_or_reset_text_is_refused_or_adds_no_cpp_structure(text):
    """Whatever the text, it is refused or re-printed from sympy: it can add no brace,
    quote, bracket, backslash or preprocessor line to the generated source."""
    for kw, bases in ((dict(threshold=text, reset=""), _THRESHOLDS),
                      (dict(reset=text), _RESETS)):
        baseline = _most_structure(bases=bases)
        try:
            source = _render(**kw)
        except ModelError:
            continue
        counts = _structure(source)
        assert all(counts[c] <= baseline[c] for c in STRUCTURE), (counts, baseline)
