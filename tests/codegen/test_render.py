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
CSRC = Path(pyspike.codegen.__file__).parent.parent / "csrc"

MODELS = {
    "lif": GroupSpec("lif", 100, equations="""
        dv/dt = (v_rest - v + R*I)/tau_m : mV (unless refractory)
        I : nA""", threshold="v > v_th", reset="v = v_reset", refractory=2.0,
        params=("v_rest", "R", "tau_m", "v_th", "v_reset"), per_neuron=("tau_m",)),
    "izhikevich": GroupSpec("izh", 50, equations="""
        dv/dt = 0.04*v**2 + 5*v + 140 - u + I : 1
        du/dt = a*(b*v - u) : 1
        I : 1""", threshold="v >= 30", reset="v = c; u += d",
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


@pytest.mark.parametrize("precision", ["double", "single"])
def test_rendered_sources_are_valid_cpp(precision, tmp_path):
    for name in MODELS:
        path = tmp_path / f"{name}.cpp"
        path.write_text(render_cpp(build_network(_spec(name, precision))))
        subprocess.run(["g++", "-std=c++17", "-fsyntax-only", "-Wall", "-Werror",
                        f"-I{CSRC}", str(path)], check=True)
