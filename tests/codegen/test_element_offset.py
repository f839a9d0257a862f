"""GroupSpec.first: the element of a group's neuron 0 in its random draws.  A block of a
group split over MPI ranks is a group of its own whose neuron i draws the numbers of the
whole group's neuron first + i, in every draw of its code (noise, rand() in the update,
threshold and reset, PoissonInputs, run_regularly); an unsplit group (first = 0) renders
as it always did."""
import re
from dataclasses import replace

import numpy as np
import pytest

import pyspike as ps
from pyspike.codegen import serialize
from pyspike.codegen.errors import ModelError
from pyspike.codegen.kernels import build_network
from pyspike.codegen.pipeline import generate
from pyspike.codegen.spec import GroupSpec, NetworkSpec

BACKENDS = ["numpy", "cpu", pytest.param("cuda", marks=pytest.mark.gpu)]
#: Noise, a rand() in the threshold and in the reset, a randn() in an operation.
NOISY = ps.NeuronModel("dv/dt = -v/tau + sigma*xi/sqrt(tau) : 1",
                       threshold="v > 0.3 + 0.2*rand()", reset="v = -0.1*rand()",
                       params={"tau": 10.0, "sigma": 0.5})
SPEC = GroupSpec("g", 128, equations="dv/dt = -v/tau + sigma*xi/sqrt(tau) : 1",
                 params=("tau", "sigma"), threshold="v > 0.3 + 0.2*rand()",
                 reset="v = -0.1*rand()", inputs=("v",), operations=(("v += 0.01*randn()", 1),))


def _run(backend: str, N: int, first: int = 0):
    """v and the spikes of a noisy group of N neurons (drawing from element ``first``)
    after 20 steps from v = 0; the same seed and the group first in its network, so that
    its stream words are those of any other such run."""
    net = ps.Network(dt=0.1, seed=11, backend=backend)
    with net:
        G = ps.NeuronGroup(N, NOISY)
        spikes = ps.SpikeMonitor(G)
    G.__dict__["_first"] = first          # what the MPI partition sets on a rank's block
    ps.PoissonInput(G, "v", N=20, rate=200.0, weight=0.05)
    G.run_regularly("v += 0.01*randn()")
    net.run(2.0)
    return np.asarray(G.v), np.asarray(spikes.i), np.asarray(spikes.t)


def _draw_lines(source: str):
    return [line.strip() for line in source.splitlines()
            if re.search(r"ps_randn?_(f64|pairs|fill)", line) and "static" not in line]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_block_draws_the_numbers_of_its_neurons_in_the_whole_group(backend):
    v_all, i_all, t_all = _run(backend, 256)
    v_block, i_block, t_block = _run(backend, 128, first=128)
    mine = i_all >= 128
    assert mine.sum() > 0                 # the threshold's and the reset's draws counted
    np.testing.assert_array_equal(v_block, v_all[128:])
    np.testing.assert_array_equal(i_block, i_all[mine] - 128)
    np.testing.assert_array_equal(t_block, t_all[mine])


@pytest.mark.parametrize("target", ["cpp", "cuda"])
def test_every_draw_of_the_group_s_code_starts_at_the_offset(target):
    lines = _draw_lines(generate(NetworkSpec(groups=(replace(SPEC, first=128),)),
                                 target).source)
    # noise, threshold, PoissonInput (the update), reset, operation
    assert len(lines) == 5
    assert all("(i + 128)" in line or "(b0 + 128)" in line for line in lines), lines


def test_a_group_at_element_0_draws_at_its_bare_index():
    lines = _draw_lines(generate(NetworkSpec(groups=(SPEC,)), "cpp").source)
    assert lines and all("(uint32_t)i," in line or "(uint32_t)b0," in line for line in lines)


def test_an_offset_that_is_no_multiple_of_64_is_refused():
    with pytest.raises(ModelError, match=r"group 'g'.* 32, which is not a multiple of 64"):
        build_network(NetworkSpec(groups=(replace(SPEC, first=32),)))


def test_a_negative_offset_is_refused():
    with pytest.raises(ModelError, match=r"group 'g'.* -64"):
        build_network(NetworkSpec(groups=(replace(SPEC, first=-64),)))


def test_an_offset_whose_last_neuron_is_past_the_32_bit_elements_is_refused():
    with pytest.raises(ModelError, match=r"group 'g'.* past the last of 2\*\*32"):
        build_network(NetworkSpec(groups=(replace(SPEC, first=2 ** 32 - 64),)))


def test_the_last_block_of_the_32_bit_elements_is_accepted():
    net = build_network(NetworkSpec(groups=(replace(SPEC, first=2 ** 32 - 128),)))
    assert net.groups[0].first == 2 ** 32 - 128


def test_the_offset_is_part_of_the_spec_s_key():
    keys = {NetworkSpec(groups=(replace(SPEC, first=f),)).key() for f in (0, 128, 256)}
    assert len(keys) == 3


def test_the_offset_survives_the_serialised_spec_and_kernel_ir():
    spec = NetworkSpec(groups=(replace(SPEC, first=192),))
    assert serialize.decode(serialize.encode(spec)) == spec
    kernel = serialize.decode(serialize.encode(build_network(spec)))
    assert kernel.groups[0].first == 192
