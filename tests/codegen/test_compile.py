"""Compilation and the content-addressed cache."""
import multiprocessing
import os

import pytest

from pyspike.codegen import compile as cc
from pyspike.codegen.errors import BuildError

SOURCE = 'extern "C" int pyspike_abi_version(void) { return 1; }\n'


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


def _build(args):
    cache, source = args
    return cc.compile_library(source, cache_dir=cache).compiled


def test_processes_building_the_same_library_at_once_compile_it_once(tmp_path):
    source = SOURCE + "// concurrent\n"
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        compiled = pool.map(_build, [(str(tmp_path), source)] * 4)
    assert sorted(compiled) == [False, False, False, True]
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
