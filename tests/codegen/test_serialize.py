"""The kernel IR through JSON (codegen/serialize.py): every feature network comes back equal
and renders the same C++ and CUDA byte for byte; anything off the whitelists is refused."""
import importlib.util
import json
import struct
from pathlib import Path

import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

import pyspike as ps
from pyspike.codegen import serialize
from pyspike.codegen.expressions import timed_function
from pyspike.codegen.kernels import build_network
from pyspike.codegen.render import render_cpp
from pyspike.codegen.render_cuda import render_cuda

TESTS = Path(__file__).resolve().parents[1]


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FEATURES = _load(TESTS / "cuda" / "networks.py", "feature_networks")


def _feature(name: str, precision: str):
    return FEATURES.build(name, "cpu", precision)[0]


def _example(name: str):
    net = ps.Network(dt=0.1, seed=1)
    with net:
        getattr(FEATURES.examples(), name)(net, **(
            {"n_exc": 40, "n_inh": 10} if name == "brunel" else {"n": 40}))
    return net


def _cuba_like():
    lif = ps.NeuronModel(
        equations="""dv/dt = (ge + gi - (v + 49))/20.0 : mV (unless refractory)
                     dge/dt = -ge/5.0 : mV
                     dgi/dt = -gi/10.0 : mV""",
        threshold="v > -50", reset="v = -60", refractory=5.0)
    net = ps.Network(dt=0.1, seed=1)
    with net:
        P = ps.NeuronGroup(50, lif, init={"v": "-60 + rand()*10"})
        Ce = ps.Synapses(P[:40], P, on_pre="ge_post += 1.62")
        Ce.connect(p=0.1)
        Ci = ps.Synapses(P[40:], P, on_pre="gi_post -= 9.0")
        Ci.connect(p=0.1)
    return net


NETWORKS = ([pytest.param(lambda n=n, p=p: _feature(n, p), id=f"{n}-{p}")
             for n in sorted(FEATURES.NETWORKS) for p in ("double", "single")]
            + [pytest.param(lambda n=n: _example(n), id=n)
               for n in ("cuba", "coba", "cobahh", "brunel")]
            + [pytest.param(_cuba_like, id="cuba_like")])


@pytest.mark.parametrize("make", NETWORKS)
def test_every_feature_network_comes_back_equal_and_renders_the_same_source(make):
    kernel = build_network(make()._spec())
    text = serialize.encode(kernel)
    back = serialize.decode(text)
    assert back == kernel
    assert serialize.encode(back) == text          # the same tree, precisions and types
    assert render_cpp(back) == render_cpp(kernel)
    assert render_cuda(back) == render_cuda(kernel)


def test_the_encoding_is_json_with_no_python_object_in_it():
    kernel = build_network(_feature("stdp_sparse", "double")._spec())
    text = serialize.encode(kernel)
    assert json.loads(text)[0] == "dc" and "pickle" not in text and "__" not in text


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_python_floats_come_back_bit_for_bit(x):
    back = serialize.decode(serialize.encode([x]))[0]
    assert type(back) is float and struct.pack("<d", back) == struct.pack("<d", x)


def test_sympy_floats_keep_their_value_and_precision():
    for f in (sp.Float("0.1"), sp.Float("0.1", 40), sp.Float("1e-300"), sp.Float(-2.5, 5)):
        back = serialize.decode(serialize.encode(f))
        assert back == f and back._prec == f._prec and back._mpf_ == f._mpf_


def test_symbols_keep_their_assumptions():
    for s in (sp.Symbol("v", real=True), sp.Symbol("i", integer=True), sp.Symbol("x")):
        back = serialize.decode(serialize.encode(s))
        assert back == s and back.assumptions0 == s.assumptions0


def test_unevaluated_trees_are_rebuilt_as_they_were():
    x = sp.Symbol("x", real=True)
    e = sp.Add(sp.Mul(2, x, evaluate=False), sp.Mul(3, x, evaluate=False), evaluate=False)
    assert serialize.decode(serialize.encode(e)).args == e.args


def test_containers_keep_their_types_and_non_string_keys():
    value = {("pre", 1): [1, (2, None)], 3: {"a", "b"}, "t": frozenset({True})}
    back = serialize.decode(serialize.encode(value))
    assert back == value and type(back[("pre", 1)][1]) is tuple and type(back[3]) is set


def test_timed_array_functions_come_back_as_the_same_class():
    f = timed_function("I_ext", 2)
    call = f(sp.Symbol("t", real=True), sp.Symbol("i", integer=True))
    assert serialize.decode(serialize.encode({"I_ext": f})) == {"I_ext": f}
    assert type(serialize.decode(serialize.encode(call))) is f


@pytest.mark.parametrize("data, what", [
    (["dc", "os.system", {}], "not a class of the kernel IR"),
    (["dc", "ir.Array", {"name": "v"}], "has the fields"),
    (["x", "Function", ["y", "f", {}]], "not a sympy class"),
    (["x", "exp", "__import__('os').system('echo hacked')"], "must be sympy objects"),
    (["y", "x", {"real": "yes"}], "not a sympy assumption"),
    (["c", "TimedArrayCall", "a; b", 1], "identifier"),
    (["zz", 1], "unknown tag"),
    (1.5, "unexpected JSON value"),
    (["S", "Catalan"], "not a sympy constant"),
    (["np", "object_", 1], "not a NumPy scalar type"),
])
def test_anything_off_the_whitelists_is_refused(data, what):
    with pytest.raises(ValueError, match=what):
        serialize.decode(json.dumps(data))


@pytest.mark.parametrize("text", ["", "not json", "[", "[]", '{"a": 1}', "[" * 100000,
                                  '["l",' * 5000 + "1" + "]" * 5000])
def test_text_that_is_not_an_encoding_is_a_value_error(text):
    with pytest.raises(ValueError, match="not a valid encoded kernel IR"):
        serialize.decode(text)


def test_objects_it_does_not_know_are_not_encoded():
    with pytest.raises(ValueError, match="cannot encode"):
        serialize.encode(sp.Dummy("d"))
    with pytest.raises(ValueError, match="cannot encode"):
        serialize.encode(object())
