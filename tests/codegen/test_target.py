"""A cached library is only ever loaded on a processor with the instructions it was built
for: the cache key names the instruction set behind -march=native."""
import pytest

from pyspike.toolchain import compile as cc
from pyspike.toolchain import target

SOURCE = 'extern "C" int pyspike_abi_version(void) { return 1; }'


@pytest.fixture
def other_cpu(monkeypatch):
    """Pretend the next builds run on another processor."""
    def switch():
        monkeypatch.setattr(target, "_native_identity", lambda compiler, native: "other-cpu")
    return switch


def test_flags_that_ask_for_no_native_instructions_name_no_processor():
    assert target.target_identity("g++", ("-O3", "-fPIC")) == ""


def test_native_flags_name_the_processor():
    assert target.target_identity("g++", cc.CXXFLAGS) not in ("", "unknown-cpu")


def test_the_processor_description_holds_its_instruction_set_flags():
    text = target.cpu_description()
    if not text:
        pytest.skip("this machine has no /proc/cpuinfo")
    assert "flags" in text or "Features" in text


def test_a_library_built_on_another_processor_is_not_loaded_here(tmp_path, other_cpu):
    here = cc.compile_library(SOURCE, cache_dir=tmp_path)
    other_cpu()
    there = cc.compile_library(SOURCE, cache_dir=tmp_path)
    assert there.compiled and there.path != here.path


def test_each_processor_finds_its_own_library_again(tmp_path, monkeypatch):
    here = cc.compile_library(SOURCE, cache_dir=tmp_path)
    with monkeypatch.context() as m:
        m.setattr(target, "_native_identity", lambda compiler, native: "other-cpu")
        cc.compile_library(SOURCE, cache_dir=tmp_path)
    again = cc.compile_library(SOURCE, cache_dir=tmp_path)
    assert not again.compiled and again.path == here.path
