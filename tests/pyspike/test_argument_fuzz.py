"""Random and hostile values for every argument of the front end: each gives a working
object or a ModelError/TypeError/ValueError naming the argument, never another exception
or a hang; an accepted rate string is exactly one expression, and gives the spikes of the
threshold written out by hand."""
import math

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

import pyspike as ps
from pyspike.codegen.equations import BUILTINS
from pyspike.codegen.expressions import parse_expression

HOSTILE = ["1)#", "5.0) + (1", "0) or t >= (0", "w = 9; v", "v; w", "v\nw", "1 # x",
           "__import__('os')", "v_post", "0)*0 + (1", "1e400", "-0.0", "nan", "inf",
           "é", "ξ", "\u2028", "", " ", "rand()", "t > 0", "i", "N - i", "(", ")", ":", ";",
           "}", "{{ x }}", "//", "\x00"]

floats = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [math.nan, math.inf, -math.inf, 1e300, -1e300, 5e-324, -0.0, 0.5, 2.0])
ints = st.integers(-10, 10) | st.sampled_from([2 ** 31, 2 ** 63, 10 ** 400, -(2 ** 31)])
texts = st.text(max_size=12) | st.sampled_from(HOSTILE)
scalars = floats | ints | st.booleans() | st.none() | texts
values = (scalars | st.lists(floats | ints, max_size=4)
          | st.lists(st.lists(ints | floats, max_size=3), max_size=3)
          | st.builds(np.array, st.lists(floats | ints, min_size=1, max_size=4)))

FAST = settings(max_examples=60, deadline=2000, derandomize=True,
                suppress_health_check=list(HealthCheck))
BUILDS = settings(max_examples=25, deadline=4000, derandomize=True,
                  suppress_health_check=list(HealthCheck))
MODEL = ps.NeuronModel("dv/dt = -v/tau : 1\nI : 1", threshold="v > 1", reset="v = 0",
                       params={"tau": 10.0})


def attempt(make, argument):
    """``make()``, or None where it refused with an error that names ``argument``."""
    try:
        return make()
    except (TypeError, ValueError) as err:       # ModelError is a ValueError
        text = str(err)
        assert getattr(err, "symbol", None) == argument or argument in text, (argument, text)
        return None


def network():
    return ps.Network(dt=0.1, seed=2, backend="numpy")


@FAST
@given(N=values)
def test_any_neuron_count(N):
    G = attempt(lambda: ps.NeuronGroup(N, MODEL), "N")
    assert G is None or (isinstance(G.N, int) and G.N >= 1 and not isinstance(N, bool))


@FAST
@given(name=values)
def test_any_name(name):
    G = attempt(lambda: ps.NeuronGroup(2, MODEL, name=name), "name")
    assert G is None or ("\n" not in G.name and G.name.isprintable())


@FAST
@given(value=values)
def test_any_initial_value(value):
    G = attempt(lambda: ps.NeuronGroup(2, MODEL, init={"v": value}), "v")
    if G is not None and not (isinstance(value, str) and "rand" in value):
        assert not np.isnan(G.v).any()


@FAST
@given(key=scalars, value=values)
def test_any_parameter(key, value):
    m = attempt(lambda: ps.NeuronModel("dv/dt = -v/(10*ms) : 1", params={key: value}),
                "param")
    assert m is None or isinstance(key, str)


@FAST
@given(refractory=values)
def test_any_refractory_period(refractory):
    m = attempt(lambda: ps.NeuronModel("dv/dt = -v/tau : 1", threshold="v > 1",
                                       reset="v = 0", params={"tau": 1.0},
                                       refractory=refractory), "refractory")
    if m is not None and refractory is not None and not isinstance(refractory, str):
        assert isinstance(m.refractory, float) and 0 <= m.refractory < math.inf


def _one_expression(text):
    """Whether pyspike's parser reads ``text`` as one expression over t, i, N and dt."""
    try:
        parse_expression(text, dict(BUILTINS))
    except ValueError:
        return False
    return True


def _spikes(make):
    """Spikes of 10 steps of 10 ms: rates of a few Hz give some."""
    net = ps.Network(dt=10.0, seed=2, backend="numpy")
    with net:
        G = make()
        mon = ps.SpikeMonitor(G)
    net.run(100.0)
    return mon.i, mon.t


LEAVES = ["t", "i", "N", "dt", "2", "0.5", "100.0", "-3", "1e3"]
ATOMS = st.sampled_from(LEAVES)
GRAMMAR = st.recursive(ATOMS, lambda c: st.tuples(
    st.sampled_from(["({} + {})", "({} * {})", "({} - {})", "abs({})", "({}) ** 2",
                     "max({}, {})", "({}) / (1 + ({})**2)", "{}) + ({}", "{}) or ({}"]),
    c, c).map(lambda p: p[0].format(p[1], p[2]) if p[0].count("{}") == 2
              else p[0].format(p[1])), max_leaves=5)
RATE_TEXT = st.one_of(GRAMMAR, GRAMMAR, GRAMMAR, texts,
                      st.text(alphabet="0123456789.+-*/()<> =#;tiNdr", max_size=14))


@BUILDS
@given(rates=RATE_TEXT)
def test_an_accepted_rate_string_is_one_expression_and_spikes_as_written_out(rates):
    P = attempt(lambda: ps.PoissonGroup(4, rates=rates), "rates")
    if P is None:
        return
    assert _one_expression(rates), rates           # never text that closes a parenthesis
    got = _spikes(lambda: ps.PoissonGroup(20, rates=rates))
    if "rand" not in rates and "#" not in rates:   # (a comment would end the threshold)
        by_hand = ps.NeuronModel(threshold=f"rand() < ({rates})*dt*0.001")
        want = _spikes(lambda: ps.NeuronGroup(20, by_hand))
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[1], want[1])


@FAST
@given(rates=values)
def test_any_rate_values(rates):
    P = attempt(lambda: ps.PoissonGroup(3, rates=rates), "rates")
    if P is not None and not isinstance(rates, str):
        assert np.all(np.isfinite(P.rates)) and np.all(np.asarray(P.rates) >= 0)


LINK_TYPES = ("full", "sparse", "one_to_one")


@BUILDS
@given(post_var=st.sampled_from(["v", "I", "tau", "w", "v_post", "I "]) | values,
       link_type=st.sampled_from(LINK_TYPES) | values)
def test_any_post_var_and_link_type(post_var, link_type):
    net = network()
    known = isinstance(link_type, str) and link_type in LINK_TYPES
    with net:
        A = ps.NeuronGroup(3, MODEL)
        C = attempt(lambda: ps.Connection(A, A, link_type=link_type, post_var=post_var),
                    "post_var" if known else "link_type")
    if C is None:
        assert net.synapses == []
        return
    target = "I" if post_var is None else post_var        # (None: the default, I)
    assert target in ("v", "I") and C.on_pre == f"{target}_post += w"
    net.run(0.1)


@FAST
@given(p=values, weight=values, delay=values)
def test_any_probability_weight_and_delay(p, weight, delay):
    net = network()
    with net:
        A = ps.NeuronGroup(3, MODEL)
        made = {}

        def connect(argument, **kw):
            made[argument] = attempt(lambda: ps.Connection(A, A, link_type="one_to_one",
                                                           **kw), argument)
        connect("p", p=p)
        connect("w", weight=weight)
        connect("delay", delay=delay)
    assert len(net.synapses) == sum(c is not None for c in made.values())
    if made["delay"] is not None and not isinstance(delay, str):
        assert np.all(np.isfinite(made["delay"].delay))


@FAST
@given(record=values, every=values)
def test_any_record_and_every(record, every):
    G = ps.NeuronGroup(4, MODEL)
    mon = attempt(lambda: ps.StateMonitor(G, "v", record=record), "record")
    if mon is not None:
        assert mon.record.ndim == 1 and np.all((mon.record >= 0) & (mon.record < 4))
        if not isinstance(record, bool):
            np.testing.assert_array_equal(mon.record, np.atleast_1d(record))
    attempt(lambda: ps.StateMonitor(G, "v", every=every), "every")


@FAST
@given(indices=values, times=values)
def test_any_given_spikes(indices, times):
    G = attempt(lambda: ps.SpikeGeneratorGroup(3, indices=indices, times=times), "i")
    if G is not None:
        given_i, given_t = G.state.given
        assert np.all((given_i >= 0) & (given_i < 3)) and np.all(np.isfinite(given_t))


@FAST
@given(values_=values, dt=values)
def test_any_timed_array(values_, dt):
    ta = attempt(lambda: ps.TimedArray(values_, dt=dt), "TimedArray")
    if ta is not None:
        assert np.all(np.isfinite(ta.values)) and 0 < ta.dt < math.inf


@FAST
@given(N=values, rate=values, weight=values)
def test_any_poisson_input(N, rate, weight):
    G = ps.NeuronGroup(3, MODEL)
    attempt(lambda: ps.PoissonInput(G, "v", N=N, rate=rate, weight=weight), "PoissonInput")


@FAST
@given(value=values)
def test_any_value_set_from_python(value):
    net = network()
    with net:
        G = ps.NeuronGroup(3, MODEL)
    for name in ("v", "tau"):
        attempt(lambda: setattr(G, name, value), name)
        attempt(lambda: setattr(G[:2], name, value), name)
    assert not np.isnan(G.v).any() and not np.isnan(np.asarray(G.tau)).any()
