"""Compilation and the content-addressed cache."""
import subprocess
import sys

import pytest

from pyspike.codegen import compile as cc
from pyspike.codegen.errors import BuildError

SOURCE = 'extern "C" __attribute__((visibility("default"))) int pyspike_abi_version(void) { return 1; }\n'


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
    script = ("import sys; from pyspike.codegen.compile import compile_library as c; "
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
