"""Rendered C++: float32 builds stay in float, names are prefixed, golden sources for
canonical models.  Regenerate the goldens after a deliberate change with
``PYSPIKE_UPDATE_GOLDEN=1 bash scripts/test.sh -k golden`` and review the diff."""
import os
import re
import subprocess
from pathlib import Path

import pytest

import pyspike.codegen
from pyspike.codegen.kernels import build_network
from pyspike.codegen.render import render_cpp
from pyspike.codegen.spec import GroupSpec, NetworkSpec, SpikeMonitorSpec, StateMonitorSpec

GOLDEN = Path(__file__).parent / "golden"
CSRC = Path(os.path.join(os.path.dirname(pyspike.codegen.__file__), "..", "csrc"))
needs_csrc = pytest.mark.skipif(not (CSRC / "pyspike" / "philox.h").exists(),
                                reason="csrc/pyspike/philox.h is not written yet")
LIF_NAMES = ("v", "I", "v_rest", "R", "tau_m", "v_th", "v_reset")

MODELS = {
    "lif": GroupSpec("lif", 100, equations="""
        dv/dt = (v_rest - v + R*I)/tau_m : mV (unless refractory)
        I : nA""", threshold="v > v_th", reset="v = v_reset", refractory=2.0,
        params=("v_rest", "R", "tau_m", "v_th", "v_reset"), per_neuron=("tau_m",)),
    "izhikevich": GroupSpec("izh", 50, equations="""
        dv/dt = 0.04*v**2 + 5*v + 140 - u + I : mV
        du/dt = a*(b*v - u) : mV/ms
        I : mV/ms""", threshold="v >= 30", reset="v = c; u += d",
        params=("a", "b", "c", "d")),
    "adex": GroupSpec("adex", 20, equations="""
        dv/dt = (gL*(EL - v) + gL*DeltaT*exp((v - VT)/DeltaT) - w + I)/C : mV
        dw/dt = (a*(v - EL) - w)/tauw : pA
        I : pA""", threshold="v > -40", reset="v = Vr; w += b", refractory=0.5,
        method="rk4", params=("gL", "EL", "DeltaT", "VT", "C", "a", "tauw", "Vr", "b")),
}


def _spec(name, precision="double"):
    g = MODELS[name]
    return NetworkSpec(groups=(g,), state_monitors=(StateMonitorSpec(g.name, ("v",), 2),),
                       spike_monitors=(SpikeMonitorSpec(g.name),), precision=precision)


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("precision", ["double", "single"])
def test_golden_sources_are_unchanged(name, precision):
    source = render_cpp(build_network(_spec(name, precision)))
    path = GOLDEN / f"{name}_{precision}.cpp"
    if os.environ.get("PYSPIKE_UPDATE_GOLDEN"):
        path.write_text(source)
    assert source == path.read_text(), f"{path.name} changed: review, then update the goldens"


def _expression_lines(source):
    """Lines that hold printed model expressions (they mention a u_ name or a hoisted _h)."""
    return [line for line in source.splitlines()
            if re.search(r"\b(u_\w+|_h\d+|_new_\w+)\b", line) and "=" in line
            and "rargs" not in line and "arrays[" not in line and "this->" not in line]


@pytest.mark.parametrize("name", sorted(MODELS))
def test_float32_sources_use_float_functions_and_literals_only(name):
    source = render_cpp(build_network(_spec(name, "single")))
    assert "typedef float real_t;" in source
    for line in _expression_lines(source):
        assert not re.search(r"\b(exp|log|sqrt|pow|fabs|floor)\(", line), line
        # every floating literal carries the F suffix (no silent promotion to double)
        for literal in re.findall(r"(?<![\w.])(\d+\.\d*(?:e[-+]?\d+)?)(F?)", line):
            assert literal[1] == "F", line


def test_float64_sources_use_double_functions():
    source = render_cpp(build_network(_spec("adex", "double")))
    assert "typedef double real_t;" in source and "exp(" in source and "expf(" not in source


def test_float64_lif_calls_exp_and_no_float_function():
    source = render_cpp(build_network(_spec("lif", "double")))
    assert "typedef double real_t;" in source
    assert re.search(r"\bexp\(", source) and "expf(" not in source


def test_float32_lif_calls_expf_and_never_the_double_exp():
    source = render_cpp(build_network(_spec("lif", "single")))
    assert "expf(" in source
    assert not re.search(r"\b(exp|floor|log|sqrt|pow)\(", source)


def test_float32_literals_carry_the_f_suffix_on_every_model_expression_line():
    source = render_cpp(build_network(_spec("lif", "single")))
    lines = [line for line in _expression_lines(source) if re.search(r"\d\.", line)]
    assert lines, "the LIF source should hold some floating literal"
    for line in lines:
        assert not re.search(r"(?<![\w.])\d+\.\d*(?:e[-+]?\d+)?(?![\w.])", line), line


@pytest.mark.parametrize("precision", ["double", "single"])
def test_lif_user_names_appear_only_with_the_u_prefix(precision):
    source = render_cpp(build_network(_spec("lif", precision)))
    # the manifest names the variables as data, in string literals (codegen.layout)
    source = re.sub(r'R"\(.*?\)"', "", source)
    for name in LIF_NAMES:
        assert f"u_{name}" in source, name
        bare = re.findall(rf"(?<![\w]){re.escape(name)}(?!\w)", source)
        assert not bare, (name, bare)


def _syntax_check(source, path):
    path.write_text(source)
    out = subprocess.run(["g++", "-std=c++17", "-fsyntax-only", "-Wall", "-Werror",
                          f"-I{CSRC}", str(path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-4000:]


@needs_csrc
@pytest.mark.parametrize("precision", ["double", "single"])
@pytest.mark.parametrize("name", sorted(MODELS))
def test_rendered_sources_are_valid_cpp(name, precision, tmp_path):
    _syntax_check(render_cpp(build_network(_spec(name, precision))), tmp_path / "net.cpp")


@needs_csrc
def test_user_names_that_are_cpp_or_template_words_still_compile(tmp_path):
    # ("int" is a function of model text since Brian2's int() came: "long" stands for it)
    words = ("long", "double", "real_t", "arrays", "rargs", "seed", "spiked", "b0", "p_v",
             "std", "main", "NULL", "INFINITY")
    equations = "\n".join(f"d{w}/dt = -{w}/tau : 1" for w in words)
    spec = NetworkSpec(groups=(GroupSpec("g", 3, equations=equations, threshold="long > 1",
                                         reset="double = 0", params=("tau",)),),
                       precision="single")
    source = render_cpp(build_network(spec))
    assert all(f"u_{w}" in source for w in words)
    _syntax_check(source, tmp_path / "words.cpp")


@pytest.mark.parametrize("reset", ["v = 2**70", "v = 99999999999999999999999*v"])
def test_an_integer_beyond_int64_is_printed_as_a_real_literal(reset):
    spec = NetworkSpec(groups=(GroupSpec("g", 2, equations="dv/dt = -v/10 : 1",
                                         threshold="v > 1", reset=reset),))
    source = render_cpp(build_network(spec))
    assert not re.search(r"(?<![\w.])\d{19,}(?![\w.])", source)


def test_only_code_whose_loops_draw_reads_the_vector_intrinsics():
    # <immintrin.h> (behind PS_PAIR_FILLS) is half the build time of a small network
    assert "PS_PAIR_FILLS" not in render_cpp(build_network(_spec("lif")))
    noisy = GroupSpec("noisy", 10, equations="dv/dt = -v/10.0 + xi/sqrt(10.0) : 1")
    source = render_cpp(build_network(NetworkSpec(groups=(noisy,))))
    assert source.index("#define PS_PAIR_FILLS") < source.index('#include "pyspike/philox.h"')
    assert "ps_randn_fill_f64(" in source


def test_a_process_compiles_each_template_once_and_renders_the_same_source_again():
    from pyspike.codegen import render
    g = GroupSpec("g", 4, equations="dv/dt = -v/tau : mV", params=("tau",))
    kernel = build_network(NetworkSpec(groups=(g,)))
    first = render_cpp(kernel)
    template = render.environment().get_template("cpp/network.cpp.j2")
    assert render_cpp(kernel) == first
    assert render.environment().get_template("cpp/network.cpp.j2") is template
