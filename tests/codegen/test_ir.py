"""The kernel IR says "absent" with None (or an absent small record), never with -1."""
import re
from pathlib import Path

from pyspike.codegen.kernels import build_network
from pyspike.codegen.serialize import decode, encode
from pyspike.codegen.spec import GroupSpec, NetworkSpec, RateMonitorSpec, SynapsesSpec

ROOT = Path(__file__).resolve().parents[2]
#: The IR, the passes that build it, the renderers and the code that lays it out.
SOURCES = (["codegen/ir.py", "codegen/synaptic.py", "codegen/kernels.py", "codegen/render.py",
            "codegen/render_synapses.py", "codegen/render_cuda.py",
            "pyspike/synapses_runtime.py", "pyspike/backends/cuda.py",
            "pyspike/backends/numpy_ref.py", "pyspike/backends/numpy_synapses.py"]
           + [str(p.relative_to(ROOT)) for p in sorted((ROOT / "templates").rglob("*.j2"))])
#: -1 given as a value (a default, an assignment, a keyword, a conditional's branch), and an
#: IR field (a slot, an iargs or rargs entry, a count, a stop) tested for being present by
#: its sign.  Comparing with -1 (==) is not caught: the spec, not the IR, may still say so.
SENTINELS = re.compile(r"(?<![=!<>])=\s*-1\b|(?<![\w.)\]])-1\s+if\b|\belse\s+-1\b"
                       r"|\b(\w*slot|\w*iarg|rarg|spike_count|stop)\s*(>=\s*0|<\s*0)\b")
P = GroupSpec("P", 10, equations="dv/dt = -v/tau : 1\nge : 1", params=("tau",),
              threshold="v > 1", reset="v = 0")
Q = GroupSpec("Q", 6, equations="dv/dt = -v/tau : 1", params=("tau",), threshold="v > 1",
              reset="v = 0")


def _code(line: str) -> str:
    """A line without its comment (Python's #, a template's {# #} line)."""
    return line.split("#", 1)[0] if not line.lstrip().startswith("{#") else ""


def _synapses(**options):
    options.setdefault("on_pre", "ge_post += w")
    s = SynapsesSpec("S", "P", "P", 0, 10, 0, 10, model="w : 1", **options)
    return build_network(NetworkSpec(groups=(P,), synapses=(s,))).synapses[0]


def test_no_ir_field_is_given_or_tested_as_a_minus_one_sentinel():
    found = [f"{name}:{n}: {line.strip()}" for name in SOURCES
             for n, line in enumerate((ROOT / name).read_text().splitlines(), 1)
             if SENTINELS.search(_code(line))]
    assert found == []


def test_a_dense_synapses_object_has_no_column_array():
    assert _synapses(dense=True).col_slot is None
    assert isinstance(_synapses().col_slot, int)


def test_synapses_without_a_delay_have_no_ring_and_no_delay():
    k = _synapses()
    assert (k.ring, k.delay_steps_iarg, k.delay_order) == (None, None, None)


def test_a_shared_delay_has_a_ring_and_a_delay_in_steps_but_no_delay_order():
    k = _synapses(delay="shared")
    assert k.ring is not None and isinstance(k.delay_steps_iarg, int)
    assert k.delay_order is None


def test_per_synapse_delays_have_a_ring_and_a_delay_order():
    k = _synapses(delay="per_synapse")
    assert k.ring is not None and k.delay_order is not None
    assert k.delay_steps_iarg is None


def test_a_delay_without_on_pre_code_has_no_ring():
    k = _synapses(on_pre="", on_post="w += 0.1", delay="per_synapse")
    assert (k.ring, k.delay_order) == (None, None)


def test_the_ring_and_delay_order_slots_are_the_manifest_buffers_of_those_names():
    net = build_network(NetworkSpec(groups=(P,), synapses=(SynapsesSpec(
        "S", "P", "P", 0, 10, 0, 10, model="w : 1", on_pre="ge_post += w",
        delay="per_synapse"),)))
    k, m = net.synapses[0], net.manifest
    for name, slot in (("ring_spikes", k.ring.spikes_slot), ("ring_step", k.ring.step_slot),
                       ("ring_count", k.ring.count_slot),
                       ("delay_order", k.delay_order.order_slot),
                       ("delay_start", k.delay_order.start_slot)):
        assert m.find("synapses", 0, name).slot == slot
    assert m.ints[k.ring.length_iarg].name == "ring_length"


def test_only_synapses_with_on_post_code_have_columns():
    k = _synapses(on_post="w += 0.1")
    assert k.columns is not None and k.columns.start_slot != k.columns.synapse_slot
    assert _synapses().columns is None


def test_the_bitmask_slot_is_present_only_when_the_spec_asks_for_it():
    # on_pre touches no synapse variable: the pair (i, j) is all it needs
    assert isinstance(_synapses(bitmask=True, on_pre="ge_post += 0.5").bitmask_slot, int)
    assert _synapses(bitmask=False, on_pre="ge_post += 0.5").bitmask_slot is None


def test_a_scalar_access_names_a_rargs_entry_and_no_array():
    k = build_network(NetworkSpec(groups=(P,), synapses=(SynapsesSpec(
        "S", "P", "P", 0, 10, 0, 10, model="w : 1\nc : 1 (constant)",
        on_pre="ge_post += c*w"),))).synapses[0]
    assert k.access["c"].slot is None and isinstance(k.access["c"].rarg, int)
    assert k.access["w"].rarg is None and k.access["w"].slot == k.arrays["w"].slot


def test_only_groups_that_synapses_read_or_a_reset_walks_have_a_spike_list():
    s = SynapsesSpec("S", "P", "P", 0, 10, 0, 10, model="w : 1", on_pre="ge_post += w")
    no_reset = GroupSpec("R", 6, equations="dv/dt = -v/tau : 1", params=("tau",),
                         threshold="v > 1")
    net = build_network(NetworkSpec(groups=(P, Q, no_reset), synapses=(s,)))
    p, q, r = net.groups
    assert r.spike_list is None and q.spike_list is not None     # (Q's reset walks it)
    assert net.manifest.find("group", 0, "_spikes").slot == p.spike_list.slot
    assert net.manifest.counters[p.spike_list.count].name == "spike_count"


def test_a_rate_monitor_of_the_whole_group_has_no_neuron_range():
    net = build_network(NetworkSpec(groups=(P,), rate_monitors=(
        RateMonitorSpec("P"), RateMonitorSpec("P", 2, 5))))
    whole, part = net.groups[0].rate_monitors
    assert whole.neurons is None
    assert part.neurons == (2, 5)


def test_the_optional_parts_of_the_ir_survive_the_generation_cache():
    k = _synapses(on_post="w += 0.1", delay="per_synapse")
    back = decode(encode(k))
    assert (back.ring, back.delay_order, back.columns) == (k.ring, k.delay_order, k.columns)
    assert back.col_slot == k.col_slot and back.bitmask_slot is None
