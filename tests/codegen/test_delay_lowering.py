"""codegen.delays: the lowering pass of a delayed on_pre (a ring of the spikes in flight, a
delay in steps or an order of the synapses by delay), read through the pass itself and in
the manifest.  tests/codegen/test_ir.py covers which records a delay kind gets."""
import pytest

from pyspike.codegen.delays import add_delays, delay_order, ring
from pyspike.codegen.ir import Pathway, SynapsesKernel
from pyspike.codegen.kernels import build_network
from pyspike.codegen.layout import Layout
from pyspike.codegen.spec import GroupSpec, NetworkSpec, SynapsesSpec

P = GroupSpec("P", 10, equations="dv/dt = -v/tau : 1\nge : 1", params=("tau",),
              threshold="v > 1", reset="v = 0")


def _kernel(delay: str, on_pre: bool = True, index: int = 0) -> SynapsesKernel:
    return SynapsesKernel("S", index, 0, 0, 0, 10, 0, 10, {}, {}, False, 1, 2, delay,
                          pre_path=Pathway(kind="pre") if on_pre else None)


def _lowered(delay: str, **kw):
    """(kernel, manifest) of the pass run alone on a fresh layout, batch of 2."""
    layout = Layout()
    k = add_delays(_kernel(delay, **kw), layout)
    return k, layout.manifest("double", 2)


def _synapses(*specs):
    net = build_network(NetworkSpec(groups=(P,), synapses=specs))
    return net.synapses, net.manifest


def test_a_shared_delay_lowers_to_the_ring_length_then_the_delay_in_steps_as_iargs():
    k, m = _lowered("shared")
    assert [(e.name, e.role) for e in m.ints[2:]] == [("ring_length", "ring"),
                                                      ("delay_steps", "delays")]
    assert (k.ring.length_iarg, k.delay_steps_iarg) == (2, 3)
    assert k.delay_order is None


def test_per_synapse_delays_lay_out_the_ring_then_the_delay_order():
    k, m = _lowered("per_synapse")
    assert [b.name for b in m.buffers[1:]] == ["ring_spikes", "ring_step", "ring_count",
                                               "delay_order", "delay_start"]
    assert (k.delay_order.order_slot, k.delay_order.start_slot) == (4, 5)
    assert k.delay_steps_iarg is None


def test_the_ring_buffers_are_per_instance_while_the_delay_order_is_shared():
    k, m = _lowered("per_synapse")
    per_instance = {m.buffers[s].name: m.buffers[s].per_instance
                    for s in (k.ring.spikes_slot, k.ring.step_slot, k.ring.count_slot,
                              k.delay_order.order_slot, k.delay_order.start_slot)}
    assert per_instance == {"ring_spikes": True, "ring_step": True, "ring_count": True,
                            "delay_order": False, "delay_start": False}


def test_the_ring_holds_int32_spikes_and_counts_and_int64_steps():
    layout = Layout()
    r = ring(0, 30, layout)
    m = layout.manifest("double", 1)
    assert [m.buffers[s].dtype for s in (r.spikes_slot, r.count_slot, r.step_slot)] == [
        "int32", "int32", "int64"]


def test_the_delay_order_is_int32_synapse_numbers_with_int32_starts():
    # (4 bytes each: a delayed pathway holds fewer than 2**31 synapses, delays.cpp)
    layout = Layout()
    d = delay_order(0, 30, layout)
    m = layout.manifest("double", 1)
    assert (m.buffers[d.order_slot].dtype, m.buffers[d.start_slot].dtype) == (
        "int32", "int32")


@pytest.mark.parametrize("delay, on_pre", [("none", True), ("shared", False),
                                           ("per_synapse", False)])
def test_with_nothing_to_delay_the_pass_adds_and_lays_out_nothing(delay, on_pre):
    k, m = _lowered(delay, on_pre=on_pre)
    assert (k.ring, k.delay_steps_iarg, k.delay_order) == (None, None, None)
    assert (len(m.buffers), len(m.ints)) == (1, 2)      # the network's own entries only


def test_an_unknown_delay_kind_is_refused_naming_it():
    with pytest.raises(ValueError, match="'heterosynaptic'"):
        add_delays(_kernel("heterosynaptic"), Layout())


def test_each_delayed_synapses_object_has_a_ring_of_its_own():
    specs = [SynapsesSpec(name, "P", "P", 0, 10, 0, 10, model="w : 1", on_pre="ge_post += w",
                          delay="shared") for name in ("S", "T")]
    (s, t), m = _synapses(*specs)
    assert s.ring.spikes_slot != t.ring.spikes_slot
    assert m.buffers[t.ring.spikes_slot].index == 1
    assert m.ints[t.delay_steps_iarg].index == 1


def test_the_delay_is_laid_out_after_on_pres_buffers_and_before_the_bitmask_and_columns():
    (k,), m = _synapses(SynapsesSpec("S", "P", "P", 0, 10, 0, 10, model="w : 1",
                                     on_pre="ge_post += 0.5", on_post="w += 0.1",
                                     delay="shared", bitmask=True))
    names = [b.name for b in m.buffers if b.owner == "synapses"]
    assert names == ["w", "row", "col", "ring_spikes", "ring_step", "ring_count", "bitmask",
                     "column_start", "column_synapse"]


def test_per_synapse_delays_get_no_bitmask_even_when_the_spec_asks_for_one():
    # a ring slot's spikes reach only the synapses of their delay, not a row's every target
    (k,), _ = _synapses(SynapsesSpec("S", "P", "P", 0, 10, 0, 10, on_pre="ge_post += 0.5",
                                     delay="per_synapse", bitmask=True))
    assert k.bitmask_slot is None and k.delay_order is not None
