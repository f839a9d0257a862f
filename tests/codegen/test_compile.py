"""Compilation and the content-addressed cache."""
import platform
import re
import shutil
import subprocess
import sys

import pytest

from pyspike.toolchain import compile as cc
from pyspike.codegen.errors import BuildError
from pyspike.codegen.kernels import build_network
from pyspike.codegen.render import render_cpp
from pyspike.codegen.spec import GroupSpec, NetworkSpec

SOURCE = ('extern "C" __attribute__((visibility("default"))) '
          'int pyspike_abi_version(void) { return 1; }\n')


def test_the_same_source_compiles_once_and_is_found_in_the_cache(tmp_path):
    first = cc.compile_library(SOURCE, cache_dir=tmp_path)
    again = cc.compile_library(SOURCE, cache_dir=tmp_path)
    assert first.compiled and not again.compiled
    assert first.path == again.path and first.path.exists()


def test_other_flags_give_another_library(tmp_path):
    a = cc.compile_library(SOURCE, cache_dir=tmp_path)
    b = cc.compile_library(SOURCE, cache_dir=tmp_path, flags=cc.CXXFLAGS + ("-DX=1",))
    assert a.path != b.path and b.compiled


def test_the_cache_folder_follows_the_environment_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("PYSPIKE_CACHE_DIR", str(tmp_path / "here"))
    lib = cc.compile_library(SOURCE)
    assert str(lib.path).startswith(str(tmp_path / "here"))


def test_processes_building_the_same_library_at_once_compile_it_once(tmp_path):
    script = ("import sys; from pyspike.toolchain.compile import compile_library as c; "
              "print(c(sys.argv[1], cache_dir=sys.argv[2]).compiled)")
    source = SOURCE + "// concurrent\n"
    procs = [subprocess.Popen([sys.executable, "-c", script, source, str(tmp_path)],
                              stdout=subprocess.PIPE, text=True, cwd=tmp_path)
             for _ in range(4)]
    compiled = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert sorted(compiled) == ["False", "False", "False", "True"]
    leftovers = [p for p in tmp_path.rglob("*.tmp")]
    assert leftovers == []


def test_a_compiler_error_is_a_short_message_naming_the_generated_file(tmp_path):
    with pytest.raises(BuildError) as err:
        cc.compile_library("this is not C++;\n", cache_dir=tmp_path)
    message = str(err.value)
    assert ".cpp" in message and "First error" in message
    assert len(message.splitlines()) <= 3
    assert not list(tmp_path.rglob("*.so"))


def test_a_missing_compiler_is_named(tmp_path):
    with pytest.raises(BuildError, match="no C\\+\\+ compiler"):
        cc.compile_library(SOURCE, cache_dir=tmp_path, compiler="no-such-compiler-xyz")


# COBA's neurons (examples/networks.py): refractory, and an update that calls a vector
# math function (expm1 of exponential Euler).  Their update loop must vectorise in both
# precisions: one way of writing the int32 clamp of ps_step_bound once stopped gcc from
# vectorising it, which made COBA 4x slower with no test failing.
COBA_LIKE = GroupSpec("coba", 100, equations="""
    dv/dt = (ge*(Ee - v) + gi*(Ei - v) - (v - El) + I)/taum : mV (unless refractory)
    dge/dt = -ge/taue : 1
    dgi/dt = -gi/taui : 1""", threshold="v > Vt", reset="v = Vr", refractory=5.0,
    method="exponential_euler",
    params=("Ee", "Ei", "El", "I", "taum", "taue", "taui", "Vt", "Vr"))


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64") or
                    shutil.which("g++") is None, reason="checks gcc's vectoriser on x86-64")
@pytest.mark.parametrize("precision", ["double", "single"])
def test_the_update_loop_of_a_refractory_model_calling_exp_is_vectorised(precision, tmp_path):
    source = render_cpp(build_network(NetworkSpec(groups=(COBA_LIKE,), precision=precision)))
    lines = source.splitlines()
    loop = next(k for k, line in enumerate(lines) if "#pragma GCC ivdep" in line) + 2
    assert "for (int32_t i = b0; i < b1; ++i)" in lines[loop - 1]
    (tmp_path / "net.cpp").write_text(source)
    cmd = cc.compile_command("g++", cc.CXXFLAGS + cc.LIBMVEC, tmp_path / "net.cpp",
                             tmp_path / "net.so")
    out = subprocess.run(cmd + ["-fopt-info-vec-optimized"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert re.search(rf"net\.cpp:{loop}:\d+: optimized: loop vectorized", out.stderr), \
        out.stderr[-3000:]
