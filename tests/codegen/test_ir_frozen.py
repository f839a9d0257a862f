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

#: Every record of the IR but the three containers the passes fill in while building.
RECORDS = [ir.Assign, ir.Draw, ir.Array, ir.Block, ir.Pathway, ir.Operation, ir.Access,
           ir.Ring, ir.DelayOrder, ir.Columns, ir.SpikeList, ir.TimedIR, ir.GeneratorIR,
           ir.StateMonitorIR, ir.SpikeMonitorIR, ir.RateMonitorIR]


def _spec() -> NetworkSpec:
    g = GroupSpec("g", 6, equations="dv/dt = (I(t) - v)/tau + 0.1*xi : 1\nge : 1",
                  params=("tau",), threshold="v > rand()", reset="v = 0", refractory=1.0,
                  functions=(("I", 1),), inputs=("ge",), operations=(("v += 0.1", 5),))
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
