"""Kernel launches and launch bounds go through the macros of pyspike/cuda_support.cuh
(PS_LAUNCH, PS_BOUNDED_KERNEL): nvcc reads `<<<...>>>` and __launch_bounds__ from them,
and the test emulator defines them its own way, so that it compiles the generated source
as it is, with no edit of its text."""
import os
import re
import subprocess
from pathlib import Path

import pytest

import pyspike.codegen
from pyspike.codegen.kernels import build_network
from pyspike.codegen.render_cuda import render_cuda

from . import networks
from .emulator.backend import compile_emulated, emulator_missing

CSRC = Path(os.path.dirname(pyspike.codegen.__file__)).parent / "csrc"
MISSING = emulator_missing()


def _source(name: str, batch=None) -> str:
    net, _ = networks.build(name, "cuda", batch=batch)
    return render_cuda(build_network(net._spec()))


def _code(text: str) -> str:
    """C/C++ text without its // comments (those of the headers name `<<<` in prose)."""
    return re.sub(r"//[^\n]*", "", text)


@pytest.mark.parametrize("name", sorted(networks.NETWORKS))
def test_every_launch_and_launch_bound_of_a_generated_source_goes_through_the_macros(name):
    source = _source(name)
    assert "<<<" not in source and "__launch_bounds__" not in source
    assert "PS_LAUNCH(end_step, " in source
    assert source.count("PS_LAUNCH(") >= 2


def test_the_cuda_headers_write_a_launch_only_in_the_definition_of_PS_LAUNCH():
    for header in sorted((CSRC / "pyspike").glob("*.*h")):
        code = _code(header.read_text())
        launches = code.count("<<<")
        if header.name == "cuda_support.cuh":
            assert launches == 1, header
            assert re.search(r"#define PS_LAUNCH\([^)]*\) \\\n\s*kernel<<<", code)
        else:
            assert launches == 0, header


@pytest.mark.skipif(MISSING is not None, reason=MISSING or "")
def test_the_macros_expand_to_the_launch_syntax_and_launch_bounds_of_cuda(tmp_path):
    # what nvcc compiles: the headers' own definitions (an empty cuda_runtime.h stands for
    # CUDA's, which defines neither macro); only the preprocessor runs
    (tmp_path / "cuda_runtime.h").write_text("")
    (tmp_path / "k.cu").write_text(
        '#include "pyspike/cuda_support.cuh"\n'
        "PS_BOUNDED_KERNEL(k, 1024)(int* p, int n) {}\n"
        "PS_LAUNCH(k, dim3(blocks(N), K), THREADS, 0, st, p, n);\n"
        "PS_LAUNCH(none, 1, 32, 0, st, );\n")
    out = subprocess.run(["g++", "-E", "-P", "-x", "c++", "-std=c++17", f"-I{tmp_path}",
                          f"-I{CSRC}", str(tmp_path / "k.cu")],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    text = " ".join(out.stdout.split())
    assert "__global__ void __launch_bounds__(1024) k(int* p, int n) {}" in text
    assert "k<<<dim3(blocks(N), K), THREADS, 0, st>>>(p, n);" in text
    assert "none<<<1, 32, 0, st>>>();" in text


@pytest.mark.skipif(MISSING is not None, reason=MISSING or "")
def test_the_emulator_compiles_the_generated_source_as_it_is():
    source = _source("order_sensitive", batch=3)    # bounded kernels, every kind of launch
    built = compile_emulated(source)
    digest, rest = built.source_path.read_text().split("\n", 1)
    assert digest.startswith("// CUDA emulator shim ")
    assert rest == source
