"""Compile once: parameter changes and new networks of the same model never recompile."""
import numpy as np
import pytest

import pyspike as ps
from pyspike.codegen.errors import BuildError
from pyspike.codegen.spec import GroupSpec, NetworkSpec
from pyspike.toolchain import compile as cc
from pyspike.toolchain.generation import generate


def _net(make_lif, cache_dir, **params):
    net = ps.Network(dt=0.1, seed=1, backend="cpu", cache_dir=str(cache_dir))
    with net:
        G = ps.NeuronGroup(10, make_lif(**params), init={"I": 20.0})
        spikes = ps.SpikeMonitor(G)
    return net, G, spikes


def test_first_build_compiles_and_a_second_network_finds_it_in_the_cache(make_lif, tmp_path):
    net, _, _ = _net(make_lif, tmp_path)
    net.run(1.0)
    assert net.last_build.generated and net.last_build.compiled
    net2, _, _ = _net(make_lif, tmp_path)
    net2.run(1.0)
    assert not net2.last_build.generated and not net2.last_build.compiled


def test_changing_a_parameter_value_does_not_recompile_but_takes_effect(make_lif, tmp_path):
    net, G, spikes = _net(make_lif, tmp_path)
    net.run(50.0)
    before = spikes.num_spikes
    net2, G2, spikes2 = _net(make_lif, tmp_path, v_th=-60.0)     # a new value only
    net2.run(50.0)
    assert not net2.last_build.compiled
    assert spikes2.num_spikes > before
    G2.tau_m = 3.0                                               # a shared value set later
    net2.run(50.0)
    assert not net2.last_build.compiled and not net2.last_build.generated


def test_a_parameter_becomes_per_neuron_with_one_build_then_new_values_reuse_it(
        make_lif, tmp_path):
    net, G, spikes = _net(make_lif, tmp_path)
    net.run(1.0)
    G.tau_m = np.linspace(5.0, 20.0, 10)
    net.run(1.0)
    assert net.last_build.compiled
    G.tau_m = np.linspace(8.0, 9.0, 10)
    net.run(1.0)
    assert not net.last_build.compiled and not net.last_build.generated
    G.tau_m = 7.0            # a scalar on a per-neuron parameter fills the array
    net.run(1.0)
    assert not net.last_build.compiled
    np.testing.assert_array_equal(G.tau_m, 7.0)


# -- toolchain messages and PYSPIKE_DEBUG (issue 12) --------------------------------------

SOURCE = 'extern "C" int pyspike_abi_version(void) { return 1; }\n'


def test_a_compiler_that_fails_on_everything_is_a_toolchain_problem_not_a_pyspike_bug(
        tmp_path, monkeypatch):
    monkeypatch.setenv("CXX", "false")
    with pytest.raises(BuildError) as err:
        cc.compile_library(SOURCE, cache_dir=tmp_path)
    message = str(err.value)
    assert "'false'" in message and "CXX" in message and "toolchain" in message
    assert "pyspike bug" not in message


def test_a_compiler_that_refuses_its_flags_is_reported_with_its_first_error(tmp_path):
    with pytest.raises(BuildError) as err:
        cc.compile_library(SOURCE, cache_dir=tmp_path, compiler="g++ --no-such-option-xyz")
    message = str(err.value)
    assert "--no-such-option-xyz" in message and "toolchain" in message
    assert "pyspike bug" not in message


def test_a_CXX_that_is_not_on_the_path_is_an_error_naming_it(tmp_path, monkeypatch):
    monkeypatch.setenv("CXX", "no-such-cxx-xyz")
    with pytest.raises(BuildError, match="CXX='no-such-cxx-xyz'"):
        cc.compile_library(SOURCE, cache_dir=tmp_path)


def test_PYSPIKE_DEBUG_1_names_the_cached_library_when_nothing_is_compiled(
        make_lif, tmp_path, monkeypatch, capsys):
    _net(make_lif, tmp_path)[0].run(1.0)
    capsys.readouterr()
    monkeypatch.setenv("PYSPIKE_DEBUG", "1")
    net, _, _ = _net(make_lif, tmp_path)
    net.run(1.0)
    assert f"pyspike: cached library {net.last_build.library}" in capsys.readouterr().out


def test_PYSPIKE_DEBUG_3_prints_the_kernel_ir_and_source_from_the_cache_too(
        tmp_path, monkeypatch, capsys):
    spec = NetworkSpec(groups=(GroupSpec("g", 3, equations="dv/dt = -v/tau : mV",
                                         params=("tau",)),))
    first = generate(spec, cache_dir=tmp_path)
    monkeypatch.setenv("PYSPIKE_DEBUG", "3")
    capsys.readouterr()
    assert generate(spec, cache_dir=tmp_path).cached
    out = capsys.readouterr().out
    assert "pyspike: cached kernel IR" in out and "dv/dt = -v/tau" in out
    assert first.source in out


def test_PYSPIKE_DEBUG_0_prints_nothing(make_lif, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PYSPIKE_DEBUG", "0")
    net, _, _ = _net(make_lif, tmp_path)
    net.run(1.0)
    assert net.last_build.compiled and capsys.readouterr().out == ""
