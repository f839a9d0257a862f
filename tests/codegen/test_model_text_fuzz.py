"""Whatever text a user gives for a model (equations, threshold, reset, refractoriness,
initial values, synaptic model and code, connection conditions), pyspike builds a working
model or raises ModelError, in bounded time; never another exception, never a hang.  And
text it accepts reaches the generated C++ only re-printed from sympy: as prefixed
identifiers, numbers, operators and known functions.

Random text comes from two sources: characters drawn at random (with hostile ones: quotes,
braces, comment markers, unicode, NUL) and expressions drawn from a small grammar of
names, numbers, operators, functions, units and flags, with hostile pieces mixed in
(``)#``, ``;``, ``{{ }}``, ``/*``, ``__import__``, ``lambda``, towers such as 9**9**8).
Models are run for three steps with the NumPy backend (no compiler), and the C++ source is
rendered (not compiled) and checked.
"""
import contextlib
import re
import signal
import string
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

import pyspike as ps
from pyspike.codegen import render
from pyspike.codegen.errors import ModelError
from pyspike.codegen.kernels import build_network
from pyspike.codegen.printing import CPrinter
from pyspike.codegen.render import render_cpp
from pyspike.codegen.spec import (GroupSpec, NetworkSpec, RateMonitorSpec, SpikeMonitorSpec,
                                  StateMonitorSpec, SynapsesSpec)

#: Random models compute inf and nan; NumPy says so, and that is not what is tested here.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

# --- the generated text -------------------------------------------------------------------

#: Names the models below know, in neurons and in synapses; numbers and functions that
#: parse: text built from them is often accepted, so that the checks of the source run.
NEURON = ["t", "v", "I", "ge", "tau", "v_rest", "v_th", "dt", "i", "N"]
SYNAPSE = ["t", "w", "x", "v", "v_post", "v_pre", "ge_post", "I_pre", "i", "j", "dt"]
SAFE_NUMBERS = ["0", "1", "2.5", "1e-3", "0.5", "3", "1e3", "10**3", "2**-8", "pi", "inf",
                "1e300"]
SAFE_FUNCTIONS = ["exp", "log", "sqrt", "abs", "sin", "cos", "tan", "tanh", "floor", "ceil",
                  "exprel"]
ARITHMETIC = ["+", "-", "*", "/", "**", "%"]
COMPARISONS = ["<", ">", "<=", ">=", "==", "!="]
#: And hostile pieces.
NAMES = NEURON + SYNAPSE + [
    "g", "xi", "xi_a", "xi_\u00e9", "int", "double", "u_v", "_h0", "__import__", "lambda",
    "e", "nan", "True", "None", "zork", "w_post", "x_pre"]
NUMBERS = SAFE_NUMBERS + ["-1", "0.0", "1e400", "10**400", "9**9**8", "2**2**40",
                          "2**-2000", "0x" + "f" * 300, "1j", "3.", "1_0"]
HOSTILE = [")#", ";", "{{", "}}", "{", "}", "/*", "*/", "//", "\n", "\u00e9", "\u2028",
           "'", '"', "\\", "#", ":", "(", ")", ",", "[", "]", "@", "$", "`", "\t", "=",
           "+=", "lambda: 1", "__import__('os')", "\x00", "#include", "?", "..."]
FUNCTIONS = SAFE_FUNCTIONS + ["system", "eval"]
OPERATORS = ARITHMETIC + COMPARISONS + [" and ", " or ", "^", "//", "&"]
UNITS = ["mV", "1", "1/ms", "siemens/meter**2", "Hz", "nA", "", "1/(ms*mV)", "metre^-2",
         "mV nA", "(mV", "mV)", "\u00b5V", "mV; int x", "mV}", "1e400", "mV*"]
FLAGS = ["", "", "", "(unless refractory)", "(constant)", "(shared)", "(event-driven)",
         "(clock-driven)", "(summed)", "(unless refractory", "unless refractory", "(typo)",
         "(constant, constant)", "()", "(unless refractory) typo", "(constant, shared)",
         "(event-driven", "(constant,)"]

RANDOM_TEXT = st.text(alphabet=st.sampled_from(
    list(string.printable) + ["\u00e9", "\u00b5", "\u2028", "\x00", "\u00df", "\u0131"]),
    max_size=25)
TOKEN_SOUP = st.lists(st.sampled_from(NAMES + NUMBERS + HOSTILE + FUNCTIONS + OPERATORS),
                      min_size=1, max_size=7).map("".join)


def _expressions(names, numbers, functions, operators, hostile=()):
    """Random expressions over the given pieces (``hostile`` ones appended to terms)."""
    leaf = st.sampled_from(names + numbers + ["rand()", "randn()"])

    def extend(inner):
        parts = [
            st.tuples(st.sampled_from(functions), inner).map(lambda p: f"{p[0]}({p[1]})"),
            st.tuples(inner, st.sampled_from(operators), inner).map(
                lambda p: f"({p[0]} {p[1]} {p[2]})"),
            st.tuples(st.sampled_from(["clip({}, {}, {})", "min({}, {})", "max({}, {})",
                                       "-{}"]), st.lists(inner, min_size=3, max_size=3)).map(
                lambda p: p[0].format(*p[1]))]
        if hostile:
            parts.append(st.tuples(inner, st.sampled_from(hostile)).map("".join))
        return st.one_of(*parts)
    return st.recursive(leaf, extend, max_leaves=6)


HOSTILE_EXPRESSIONS = st.one_of(_expressions(NAMES, NUMBERS, FUNCTIONS, OPERATORS, HOSTILE),
                                RANDOM_TEXT, TOKEN_SOUP)


def texts(names, condition=False):
    """Expression (or ``condition``) text over ``names``: plausible or hostile."""
    plausible = _expressions(names, SAFE_NUMBERS, SAFE_FUNCTIONS, ARITHMETIC)
    conditions = st.tuples(plausible, st.sampled_from(COMPARISONS), plausible,
                           st.sampled_from(["", " and t >= 0", " or not i < 2"])).map(
        lambda p: f"{p[0]} {p[1]} {p[2]}{p[3]}")
    return st.one_of(conditions if condition else plausible, conditions, HOSTILE_EXPRESSIONS)


def statements(names, targets):
    """Code: one to three statements, on lines or separated by ';'."""
    one = st.one_of(
        st.tuples(st.sampled_from(targets), st.sampled_from(["=", "+=", "-=", "*=", "/="]),
                  texts(names)).map(" ".join),
        st.tuples(st.sampled_from(NAMES), st.sampled_from(["=", "+=", "==", "//=", ":"]),
                  HOSTILE_EXPRESSIONS).map(" ".join), RANDOM_TEXT)
    return st.lists(one, min_size=1, max_size=3).map(
        lambda parts: (";" if len(parts) % 2 else "\n").join(parts))


def equations(names, defined, flags=FLAGS):
    """One to three lines of equations (differential, subexpression, declaration) defining
    mostly the names ``defined``."""
    left = st.one_of(st.sampled_from(defined), st.sampled_from(defined),
                     st.sampled_from(NAMES))
    suffix = st.tuples(st.sampled_from(UNITS), st.sampled_from(flags)).map(
        lambda p: f" : {p[0]} {p[1]}")
    line = st.one_of(
        st.tuples(left, texts(names), suffix).map(lambda p: f"d{p[0]}/dt = {p[1]}{p[2]}"),
        st.tuples(left, texts(names), suffix).map(lambda p: f"{p[0]} = {p[1]}{p[2]}"),
        st.tuples(left, suffix).map("".join), RANDOM_TEXT)
    return st.lists(line, min_size=1, max_size=3).map("\n".join)


SETTINGS = settings(max_examples=150, deadline=timedelta(seconds=2), derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# --- building and running: a working model or a ModelError --------------------------------

LIF = ("dv/dt = (v_rest - v + I + ge)/tau : mV (unless refractory)\n"
       "I : mV\nge : mV")
PARAMS = {"v_rest": -65.0, "tau": 10.0, "v_th": -50.0}


@contextlib.contextmanager
def _time_limit(seconds: float):
    """A backstop beyond hypothesis' deadline, which only measures an example that ends:
    a hang fails the test instead of stopping the suite."""
    def stop(*_):
        raise TimeoutError(f"an example ran for more than {seconds} s")
    if not hasattr(signal, "SIGALRM"):
        yield
        return
    old = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return str(tmp_path_factory.mktemp("fuzz-cache"))


def _run(cache, model=None, init=None, synapses=None):
    """Build a network of one group (and Synapses onto itself) and run three steps with
    NumPy; the network, or None where a ModelError refused the text."""
    with _time_limit(20.0):
        try:
            net = ps.Network(dt=0.1, seed=1, backend="numpy", cache_dir=cache,
                             check_finite=False)
            with net:
                G = ps.NeuronGroup(3, model or ps.NeuronModel(
                    LIF, threshold="v > v_th", reset="v = v_rest", refractory=1.0,
                    params=PARAMS), init=init)
                if synapses is not None:
                    syn = dict(model="w : mV", on_pre="ge_post += w")
                    syn.update(synapses.get("args", {}))
                    S = ps.Synapses(G, G, **syn)
                    S.connect(**synapses.get("connect", {}))
                    for name, value in synapses.get("values", {}).items():
                        setattr(S, name, value)
            net.run(0.3)
        except ModelError:
            return None
        check_source(render_cpp(build_network(net._spec())))
        return net


# --- the generated source holds only re-printed text ---------------------------------------

_TOKEN = re.compile(r"\d[\d.]*(?:[eE][+-]?\d+)?[FfUuLl]*|[A-Za-z_]\w*|\S")
#: What an expression may print besides user names (u_...) and pyspike's own (_...).
_PRINTED_WORDS = frozenset(
    "t dt i N j step lastspike not_refractory real_t int64_t double float true false "
    "INFINITY M_PI M_PI_2 M_PI_4 M_1_PI M_2_PI M_2_SQRTPI M_E M_LN2 M_LN10 M_LOG2E "
    "M_LOG10E M_SQRT2 M_SQRT1_2 pow powf exp expf expm1 expm1f log logf sqrt sqrtf fabs "
    "fabsf sin sinf cos cosf tan tanf tanh tanhf floor floorf ceil ceilf fmin fminf fmax fmaxf "
    "ps_select ps_selectf ps_mod ps_modf ps_exprel ps_exprelf ps_timed ps_poisson "
    "ps_step_bound ps_step_boundf".split())
_PRINTED_PUNCTUATION = set("+-*/%<>=!&|?:,(). ")
#: A user name (u_v) or pyspike's (_h0), maybe after a pointer's prefix (p_u_v, p__h0).
_PREFIXED = re.compile(r"(?:[a-z]+_)*(?:u_|_)\w+")


def _words(source: str):
    """The identifiers of a source other than prefixed names (a user name never starts with
    '_', so _new_v is pyspike's), with numbers as 0; the manifest's string literals are
    data (identifiers checked by codegen.layout.c_string), not code."""
    source = re.sub(r'R"\(.*?\)"', "", source)
    return {re.sub(r"\d+", "0", t) for t in _TOKEN.findall(source)
            if (t[0].isalpha() or t[0] == "_") and not _PREFIXED.fullmatch(t)}


def _reference_words():
    """What the templates and the renderer write besides user names: the words of a
    network using every feature the properties reach, its names unlike any they draw."""
    group = GroupSpec("P", 4, equations="dqv/dt = (qs(t) - qv)/qtau + 0.1*xi_q : 1 "
                      "(unless refractory)\nqge : 1\nqI : 1", params=("qtau",),
                      threshold="qv > 1", reset="qv = rand() + randn()", refractory=2.0,
                      functions=(("qs", 1),), per_neuron=("qtau",), inputs=("qge",))
    other = GroupSpec("Q", 4, equations="dqv/dt = -qv/qtau : 1\nqge : 1",
                      params=("qtau",), threshold="qv > randn()", reset="qv = 0",
                      refractory="qv > 0.5", update="qge = 0.9*qge")
    synapses = (SynapsesSpec("S", "P", "P", 0, 4, 0, 4, model="qw : 1\ndqa/dt = -qa/5 : 1 "
                             "(event-driven)\ndqg/dt = -qg/5 : 1\nqI_post = qw : 1 (summed)",
                             on_pre="qge_post += qw + rand()", on_post="qw += qa",
                             delay="per_synapse"),
                SynapsesSpec("T", "P", "Q", 0, 4, 0, 4, model="qw : 1", on_pre="qv_post += qw",
                             delay="shared", dense=True),
                SynapsesSpec("U", "Q", "P", 0, 4, 0, 4, on_pre="qge_post += 1"),
                SynapsesSpec("V", "Q", "Q", 0, 4, 0, 4, on_pre="qge_post += 1", bitmask=True),
                # (a write of P's qv, held unless refractory: guarded by P's flag)
                SynapsesSpec("W", "Q", "P", 0, 4, 0, 4, on_pre="qv_post += 1"),
                # (the same guard on the presynaptic side)
                SynapsesSpec("X", "P", "Q", 0, 4, 0, 4, on_pre="qv_pre += 1"))
    spec = NetworkSpec(groups=(group, other), synapses=synapses,
                       state_monitors=(StateMonitorSpec("P", ("qv",), 3),),
                       spike_monitors=(SpikeMonitorSpec("P"),),
                       rate_monitors=(RateMonitorSpec("Q"),))
    # with every word of the C++ templates: their comments and branches that only some
    # models reach (a note on libmvec's rounding where a threshold calls exp, say) are
    # pyspike's text too
    ours = " ".join(f.read_text() for f in sorted((render.TEMPLATES / "cpp").glob("*.j2")))
    return _words(render_cpp(build_network(spec)) + " ".join(_PRINTED_WORDS) + " " + ours)


_SOURCE_WORDS = _reference_words()


def check_printed(code: str) -> None:
    """One expression printed by the C++ printer: prefixed names, pyspike's names,
    known functions, numbers, operators, nothing else."""
    assert code.isascii(), code
    for token in _TOKEN.findall(code):
        if token[0].isdigit():
            continue
        if token[0].isalpha() or token[0] == "_":
            assert token.startswith(("u_", "_")) or token in _PRINTED_WORDS, (token, code)
        else:
            assert token in _PRINTED_PUNCTUATION, (token, code)


def check_source(source: str) -> None:
    """A whole translation unit: ASCII, and every identifier a prefixed name or a word
    the templates, the renderer or the printer write."""
    assert source.isascii()
    assert _words(source) <= _SOURCE_WORDS, _words(source) - _SOURCE_WORDS


@pytest.fixture(autouse=True)
def printed_expressions_are_checked(monkeypatch):
    """Every expression the printer writes during a test is checked as it is printed."""
    doprint = CPrinter.doprint

    def checked(self, expr, assign_to=None):
        code = doprint(self, expr, assign_to)
        check_printed(code)
        return code
    monkeypatch.setattr(CPrinter, "doprint", checked)


# --- the checks can fail --------------------------------------------------------------------

def test_the_printed_expression_check_refuses_a_bare_name_or_foreign_text():
    check_printed("u_v + _h0*exp(-dt/u_tau) - 1.0e+300F")
    for bad in ("zork + u_v", "u_v /* x */", "u_v; system()", 'u_v + "a"', "u_v\u00e9"):
        with pytest.raises(AssertionError):
            check_printed(bad)


ZORK = ps.NeuronModel("dzork/dt = (1 - zork)/10 : 1", threshold="zork > 0.5", reset="zork = 0")


def test_a_printer_writing_a_bare_name_fails_the_checks(cache, monkeypatch):
    assert _run(cache, model=ZORK) is not None
    monkeypatch.setattr(CPrinter, "_print_Symbol", lambda self, e: e.name)
    with pytest.raises(AssertionError, match="zork"):
        _run(cache, model=ZORK)


def test_a_renderer_writing_a_bare_name_fails_the_source_check(cache, monkeypatch):
    monkeypatch.setattr(render, "c_name", lambda name: name)
    with pytest.raises(AssertionError, match="zork"):
        _run(cache, model=ZORK)


# --- the properties ------------------------------------------------------------------------

@SETTINGS
@given(text=equations(["x", "y", "z", "q", "tau", "g", "t", "i"], ["z", "q"]))
@example(text="dz/dt = log(0) : 1")         # each @example failed before issue 12
def test_any_equations_give_a_working_model_or_a_model_error(text, cache):
    try:
        model = ps.NeuronModel("dx/dt = -x/tau : 1\ny : 1\n" + text,
                               params={"tau": 10.0, "g": 0.5})
    except ModelError:
        return
    _run(cache, model=model)


@SETTINGS
@given(threshold=texts(NEURON, condition=True))
@example(threshold="v > sqrt(-1)")
def test_any_threshold_gives_a_working_model_or_a_model_error(threshold, cache):
    try:
        model = ps.NeuronModel(LIF, threshold=threshold, params=PARAMS)
    except ModelError:
        return
    _run(cache, model=model)


@SETTINGS
@given(code=statements(NEURON, ["v", "I", "ge"]), update=st.booleans())
@example(code="v = 10**400", update=False)
@example(code="I = v % 0", update=True)
def test_any_reset_or_update_gives_a_working_model_or_a_model_error(code, update, cache):
    try:
        model = ps.NeuronModel(LIF, threshold="v > v_th", params=PARAMS,
                               **({"update": code} if update else {"reset": code}))
    except ModelError:
        return
    _run(cache, model=model)


@SETTINGS
@given(refractory=st.one_of(texts(NEURON, condition=True), texts(NEURON)))
@example(refractory="v > sqrt(-1)")
def test_any_refractory_text_gives_a_working_model_or_a_model_error(refractory, cache):
    try:
        model = ps.NeuronModel(LIF, threshold="v > v_th", reset="v = v_rest",
                               refractory=refractory, params=PARAMS)
    except ModelError:
        return
    _run(cache, model=model)


@SETTINGS
@given(value=st.one_of(texts(NEURON), texts(SYNAPSE)), synaptic=st.booleans())
@example(value="1/0", synaptic=False)
@example(value="sqrt(-1)", synaptic=True)
@example(value="3/t", synaptic=False)
@example(value="v_rest % t", synaptic=True)
@example(value="sin(10**30)", synaptic=False)
def test_any_initial_value_text_gives_a_working_model_or_a_model_error(value, synaptic,
                                                                       cache):
    if synaptic:
        _run(cache, synapses={"values": {"w": value}})
    else:
        _run(cache, init={"v": value})


@SETTINGS
@given(text=equations(SYNAPSE + ["g", "y", "tau"], ["g", "y"], flags=FLAGS))
@example(text="dg/dt = -g/0 : 1")
@example(text="dg/dt = -g/tau + xi : 1 (event-driven)")
@example(text="c : 1 (constant)")
def test_any_synaptic_model_gives_a_working_model_or_a_model_error(text, cache):
    _run(cache, synapses={"args": {"model": text + "\nw : 1", "params": {"tau": 5.0}}})


@SETTINGS
@given(code=statements(SYNAPSE, ["w", "x", "v_post", "ge_post", "v_pre", "ge"]),
       kind=st.sampled_from(["on_pre", "on_post"]))
@example(code="x += log(0)", kind="on_pre")
def test_any_synaptic_code_gives_a_working_model_or_a_model_error(code, kind, cache):
    _run(cache, synapses={"args": {"model": "w : 1\nx : 1", kind: code}})


@SETTINGS
@given(condition=texts(["i", "j", "v_pre", "v_post", "ge_post", "I_pre"], condition=True))
@example(condition="v_pre > sqrt(-1)")
def test_any_connection_condition_gives_a_working_model_or_a_model_error(condition, cache):
    _run(cache, synapses={"connect": {"condition": condition}})
