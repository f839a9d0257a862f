"""The kernel IR is data that nobody changes once built: its records are frozen, and
rendering it for any target leaves it as it was (the passes make new records)."""
import dataclasses

import pytest
import sympy as sp

from pyspike.codegen import ir
from pyspike.codegen.kernels import build_network
from pyspike.codegen.render import render_cpp
from pyspike.codegen.render_cuda import render_cuda
from pyspike.codegen.serialize import encode
from pyspike.codegen.spec import GroupSpec, NetworkSpec, StateMonitorSpec, SynapsesSpec

#: Every record of the IR.
RECORDS = [ir.Assign, ir.Draw, ir.Array, ir.Block, ir.Pathway, ir.Operation, ir.Access,
           ir.Ring, ir.DelayOrder, ir.Columns, ir.KernelIndex, ir.SpikeList, ir.TimedIR,
           ir.GeneratorIR, ir.EventIR,
           ir.StateMonitorIR, ir.SpikeMonitorIR, ir.RateMonitorIR, ir.GroupKernel,
           ir.SynapsesKernel, ir.NetworkKernel]


def _spec() -> NetworkSpec:
    g = GroupSpec("g", 6, equations="dv/dt = (I(t) - v)/tau + 0.1*xi : 1\nge : 1",
                  params=("tau",), threshold="v > rand()", reset="v = 0", refractory=1.0,
                  functions=(("I", 1),), inputs=("ge",), operations=(("v += 0.1", 5),),
                  events=(("half", "v > 0.5", "ge += 1"),))
    s = SynapsesSpec("s", "g", "g", 0, 6, 0, 6, model="w : 1", on_pre="ge_post += w*rand()",
                     on_post="w += 0.01", delay="per_synapse")
    return NetworkSpec(groups=(g,), synapses=(s,),
                       state_monitors=(StateMonitorSpec("g", ("v",), 2),))


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.__name__)
def test_every_record_of_the_ir_is_frozen(record):
    assert dataclasses.is_dataclass(record) and record.__dataclass_params__.frozen


def test_a_statement_cannot_be_changed_in_place():
    a = ir.Assign(sp.Symbol("v"), sp.Integer(0))
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.expr = sp.Integer(1)


@pytest.mark.parametrize("render", [render_cpp, render_cuda], ids=["cpp", "cuda"])
def test_rendering_leaves_the_ir_as_it_was(render):
    net = build_network(_spec())
    before = encode(net)
    render(net)
    assert encode(net) == before


def test_every_dataclass_of_the_ir_module_is_listed_here():
    found = {c for c in vars(ir).values()
             if isinstance(c, type) and dataclasses.is_dataclass(c) and c.__module__ == ir.__name__}
    assert found == set(RECORDS)


def test_a_cached_ir_is_renamed_into_new_records():
    from pyspike.toolchain.generation import generate
    import tempfile
    spec = NetworkSpec(groups=(_spec().groups[0],))
    with tempfile.TemporaryDirectory() as cache:
        first = generate(spec, "cpp", cache).kernel
        renamed = dataclasses.replace(spec, groups=(dataclasses.replace(spec.groups[0],
                                                                        name="h"),))
        second = generate(renamed, "cpp", cache)
    assert second.cached and second.kernel.groups[0].name == "h"
    assert first.groups[0].name == "g"
