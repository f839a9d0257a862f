"""(linked) variables in codegen: the flag, the lowering pass (codegen/linked.py) that
reads a linked variable from its source group's slot (or scalar), the index array it
lays out, what it refuses, the C++ and CUDA sources (compiled with nvcc where present)."""
import os
import subprocess
from pathlib import Path

import pytest

import pyspike.codegen
from pyspike.codegen import serialize
from pyspike.codegen.equations import parse_equations
from pyspike.codegen.errors import ModelError
from pyspike.codegen.kernels import build_network
from pyspike.codegen.render import render_cpp
from pyspike.codegen.render_cuda import render_cuda
from pyspike.codegen.spec import (GroupSpec, NetworkSpec, SpikeMonitorSpec,
                                  StateMonitorSpec, SynapsesSpec)
from pyspike.toolchain import compile_cuda

CSRC = Path(os.path.dirname(pyspike.codegen.__file__)).parent / "csrc"
NVCC = compile_cuda.find_nvcc()

SOURCE = GroupSpec("H", 3, equations="dx/dt = r/tau : 1\nr : 1 (constant)",
                   params=("tau", "r"), per_neuron=("r",))
READER = "dv/dt = (I - v)/tau : 1\nI : 1 (linked)"


def _reader(mode, var="x", N=3, src=0, **kw):
    return GroupSpec("G", N, equations=READER, params=("tau",), threshold="v > I",
                     reset="v = I - 1", linked=(("I", src, var, mode),), **kw)


def _net(*groups, **kw):
    return build_network(NetworkSpec(groups=groups, **kw))


def test_a_linked_variable_reads_the_source_groups_slot_and_is_never_stored():
    net = _net(SOURCE, _reader("same"))
    g = net.groups[1]
    assert g.arrays["I"].slot == net.groups[0].arrays["x"].slot
    assert g.arrays["I"].role == "linked"
    assert "I" in g.update.loads and "I" in g.reset.loads
    assert "I" not in g.update.stores + g.reset.stores


def test_a_neuron_for_neuron_link_loads_element_i_of_the_source():
    assert "const real_t u_I = p_u_I[i];" in render_cpp(_net(SOURCE, _reader("same")))


def test_a_source_of_one_neuron_is_read_at_element_zero():
    one = GroupSpec("H", 1, equations="dx/dt = 1/tau : 1", params=("tau",))
    src = render_cpp(_net(one, _reader("one", N=5)))
    assert "const real_t u_I = p_u_I[0];" in src


def test_an_index_link_lays_out_an_int32_index_array_of_the_reading_group():
    net = _net(SOURCE, _reader("index", N=5))
    index = net.manifest.find("group", 1, "_I_index")
    assert (index.dtype, index.role, index.per_instance, index.extent) == \
        ("int32", "linked", False, "5")
    assert net.groups[1].arrays["_I_index"].slot == index.slot
    assert "const real_t u_I = p_u_I[p__I_index[i]];" in render_cpp(net)


def test_a_link_to_a_value_shared_by_the_source_reads_its_scalar():
    source = GroupSpec("H", 2, equations="dx/dt = -x/tau : 1\ns : 1 (shared)",
                       params=("tau", "s"))
    net = _net(source, _reader("shared", var="s", N=4))
    g = net.groups[1]
    assert g.shared["I"] == net.groups[0].shared["s"]
    assert "I" not in g.arrays and "I" not in g.update.loads


def test_monitors_record_a_linked_variable_through_its_link():
    net = _net(SOURCE, _reader("index", N=4),
               state_monitors=(StateMonitorSpec("G", ("I",), 2),),
               spike_monitors=(SpikeMonitorSpec("G", ("I",)),))
    src = render_cpp(net)
    assert "p_smon0_0[r * p_smon0_idx_stride + k] = p_u_I[p__I_index[i]];" in src
    assert "p_spmon0_0[counters[1]] = p_u_I[p__I_index[i]];" in src


def test_run_regularly_reading_a_linked_variable_loads_it():
    net = _net(SOURCE, _reader("one", operations=(("v = 2*I", 1),)))
    assert "I" in net.operations[0].body.loads


def test_a_declared_linked_variable_without_a_link_is_refused():
    with pytest.raises(ModelError, match="'I' of group 'G' is not linked") as err:
        _net(SOURCE, GroupSpec("G", 3, equations=READER, params=("tau",)))
    assert err.value.symbol == "I"


@pytest.mark.parametrize("src, var, mode, message", [
    (0, "y", "same", "not a variable or parameter of group 'H'"),
    (1, "v", "same", "the group's own variable"),
    (5, "x", "same", "outside the network"),
    (0, "x", "shared", "as one value for the group"),
    (0, "tau", "same", "as an array of one value per neuron"),
    (0, "x", "sideways", "unknown mode 'sideways'"),
])
def test_a_link_that_cannot_be_read_is_refused(src, var, mode, message):
    with pytest.raises(ModelError, match=message):
        _net(SOURCE, _reader(mode, var=var, src=src))


def test_a_neuron_for_neuron_link_between_groups_of_other_sizes_is_refused():
    with pytest.raises(ModelError, match="neuron for neuron: give an index"):
        _net(SOURCE, _reader("same", N=4))


def test_a_link_to_a_linked_variable_is_refused():
    middle = GroupSpec("M", 3, equations="J : 1 (linked)", linked=(("J", 0, "x", "same"),))
    with pytest.raises(ModelError, match="itself a linked variable"):
        _net(SOURCE, middle, _reader("same", var="J", src=1))


@pytest.mark.parametrize("text, message", [
    ("I : 1 (linked, shared)", "cannot be combined with other flags"),
    ("dI/dt = -I/tau : 1 (linked)", "applies to declared variables"),
    ("I = 2*tau : 1 (linked)", "applies to declared variables"),
])
def test_the_linked_flag_follows_brian2s_rules(text, message):
    with pytest.raises(ModelError, match=message):
        parse_equations(text, ["tau"])


def test_a_linked_variable_is_a_parameter_that_params_cannot_give():
    assert parse_equations("I : mV (linked)").variables["I"].is_param
    with pytest.raises(ModelError, match="takes no value in params"):
        parse_equations("I : 1 (linked)", ["I"])


def test_synapse_models_cannot_declare_linked_variables():
    with pytest.raises(ModelError, match="neuron models only"):
        parse_equations("w : 1 (linked)", synaptic=True)


def test_the_reset_cannot_assign_a_linked_variable():
    spec = GroupSpec("G", 3, equations=READER, params=("tau",), threshold="v > 1",
                     reset="I = 0", linked=(("I", 0, "x", "same"),))
    with pytest.raises(ModelError, match="cannot assign to 'I'"):
        _net(SOURCE, spec)


def test_synapses_reading_a_linked_variable_through_an_index_are_refused():
    syn = SynapsesSpec("S", "G", "G", 0, 5, 0, 5, on_pre="v_post += I_pre")
    with pytest.raises(ModelError, match="read the linked variable 'I'"):
        _net(SOURCE, _reader("index", N=5), synapses=(syn,))


def test_the_link_is_structure_the_spec_key_tells_apart():
    keys = {NetworkSpec(groups=(SOURCE, _reader(mode))).key() for mode in ("same", "index")}
    assert len(keys) == 2


def test_the_kernel_ir_with_links_survives_the_generation_cache():
    net = _net(SOURCE, _reader("index", N=4))
    assert serialize.decode(serialize.encode(net.groups[1])) == net.groups[1]


def _nvcc(source: str, tmp_path: Path) -> subprocess.CompletedProcess:
    (tmp_path / "network.cu").write_text(source)
    # (device code only: nvcc's front end checks the host code, tests/cuda/test_compile_cuda
    # compiles and links host code)
    return subprocess.run([NVCC, *compile_cuda.cuda_flags(["80", "90"]), f"-I{CSRC}",
                           "--fatbin", "network.cu", "-o", "lib.fatbin"], capture_output=True,
                          text=True, cwd=tmp_path)


@pytest.mark.skipif(NVCC is None, reason="nvcc is not installed on this machine")
@pytest.mark.parametrize("batch", [1, 3])
def test_the_cuda_source_of_every_kind_of_link_compiles_for_sm80_and_sm90(batch, tmp_path):
    one = GroupSpec("P", 1, equations="dx/dt = 1/tau : 1\ns : 1 (shared)",
                    params=("tau", "s"))
    groups = (SOURCE, one, _reader("same"),
              GroupSpec("A", 4, equations=READER, params=("tau",), threshold="v > I",
                        reset="v = I", linked=(("I", 0, "x", "index"),)),
              GroupSpec("B", 4, equations=READER + "\nJ : 1 (linked)", params=("tau",),
                        linked=(("I", 1, "x", "one"), ("J", 1, "s", "shared")),
                        operations=(("v = v + J*I", 2),)))
    net = _net(*groups, batch=batch, state_monitors=(StateMonitorSpec("A", ("I",), 2),),
               spike_monitors=(SpikeMonitorSpec("A", ("I",)),))
    source = render_cuda(net)
    assert "p_u_I[p__I_index[i]]" in source and "p_u_I[0]" in source
    out = _nvcc(source, tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "warning" not in out.stderr, out.stderr[-3000:]
