"""Rendered synapse code: float32 builds stay in float, every source compiles."""
import os
import re
import subprocess
from pathlib import Path

import pytest

import pyspike.codegen
from pyspike.codegen.kernels import build_network
from pyspike.codegen.render import render_cpp
from pyspike.codegen.spec import GroupSpec, NetworkSpec, SynapsesSpec

CSRC = Path(os.path.dirname(pyspike.codegen.__file__)).parent / "csrc"
NEURON = GroupSpec("P", 20, equations="dv/dt = (ge - v)/tau : mV\ndge/dt = -ge/5.0 : mV",
                   threshold="v > 1", reset="v = 0", params=("tau",))
STDP = SynapsesSpec(
    "S", "P", "P", 0, 10, 5, 20, model="""w : 1
        dapre/dt = -apre/taupre : 1 (event-driven)
        dapost/dt = -apost/taupost : 1 (event-driven)""",
    on_pre="ge_post += w*0.5; apre += Apre; w = clip(w + apost + 0.1*j, 0, wmax)",
    on_post="apost += Apost; w = clip(w + apre + rand()*1e-3, 0, wmax)",
    params=("taupre", "taupost", "Apre", "Apost", "wmax"))


def _source(precision, **changes):
    from dataclasses import replace
    spec = NetworkSpec(groups=(NEURON,), synapses=(replace(STDP, **changes),),
                       precision=precision)
    return render_cpp(build_network(spec))


def _event_lines(source):
    start = source.index("struct Synapses0")
    body = source[start:source.index("};", start)]
    return [line for line in body.splitlines()
            if ("u_" in line or "_elapsed" in line) and "rargs" not in line
            and "arrays[" not in line]


def test_float32_synapse_code_uses_float_functions_and_literals_only():
    lines = _event_lines(_source("single"))
    assert any("expf(" in line for line in lines)
    for line in lines:
        assert not re.search(r"\b(exp|log|sqrt|pow|fabs|floor)\(", line), line
        for literal in re.findall(r"(?<![\w.])(\d+\.\d*(?:e[-+]?\d+)?)(F?)", line):
            assert literal[1] == "F", line


@pytest.mark.parametrize("delay", ["none", "shared", "per_synapse"])
@pytest.mark.parametrize("dense", [False, True])
@pytest.mark.parametrize("precision", ["double", "single"])
def test_every_synapse_layout_compiles(tmp_path, delay, dense, precision):
    source = _source(precision, delay=delay, dense=dense)
    path = tmp_path / "net.cpp"
    path.write_text(source)
    done = subprocess.run(["g++", "-std=c++17", "-fsyntax-only", "-Wall", "-Werror",
                           "-Wno-unused-variable", "-Wno-unused-but-set-variable",
                           f"-I{CSRC}", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
