"""codegen.layout: one allocator of slots and entries, and the manifest it writes."""
import json

import pytest

from pyspike.codegen.kernels import build_network
from pyspike.codegen.layout import SIZES, Layout, Manifest, c_string, extent_value
from pyspike.codegen.spec import (GroupSpec, NetworkSpec, RateMonitorSpec, SpikeMonitorSpec,
                                  StateMonitorSpec, SynapsesSpec)


def _network():
    g = GroupSpec("P", 8, equations="dv/dt = (s(t) - v)/tau : 1\nge : 1", params=("tau",),
                  threshold="v > 1", reset="v = 0", refractory=2.0, functions=(("s", 1),),
                  inputs=("ge",))
    s = SynapsesSpec("S", "P", "P", 0, 8, 0, 8, model="w : 1", on_pre="ge_post += w",
                     on_post="w += 0.1", delay="per_synapse")
    return build_network(NetworkSpec(
        groups=(g,), synapses=(s,), state_monitors=(StateMonitorSpec("P", ("v",), 2),),
        spike_monitors=(SpikeMonitorSpec("P"),), rate_monitors=(RateMonitorSpec("P"),)))


def test_every_slot_and_entry_is_described_once_in_order():
    m = _network().manifest
    for entries, key in ((m.buffers, "slot"), (m.ints, "position"), (m.reals, "position"),
                         (m.counters, "position")):
        assert [getattr(e, key) for e in entries] == list(range(len(entries)))


def test_the_kernel_ir_slots_are_the_manifest_slots():
    net = _network()
    g, s = net.groups[0], net.synapses[0]
    m = net.manifest
    assert m.find("group", 0, "v").slot == g.arrays["v"].slot
    assert m.find("group", 0, "lastspike").dtype == "int32"
    assert m.find("group", 0, "_spikes").slot == g.spike_list.slot
    assert m.find("synapses", 0, "w").slot == s.arrays["w"].slot
    assert m.find("synapses", 0, "row") == m.buffers[s.row_slot]
    assert not m.buffers[s.row_slot].per_instance          # connectivity is shared
    assert m.buffers[s.ring.spikes_slot].per_instance      # spikes in flight are not
    assert m.find("state_monitor", 0, "v").slot == g.state_monitors[0].buffer_slots[0]
    assert m.reals[g.shared["tau"]].name == "tau"
    roles = {e.role for e in m.reals}
    assert {"dt", "param", "timed_rate", "input_mean", "input_weight"} <= roles


def test_the_device_clock_is_the_last_counter():
    m = _network().manifest
    assert m.counters[-1].role == "clock" and m.counters[-1].owner == "network"


def test_a_manifest_reads_back_from_its_json_unchanged():
    m = _network().manifest
    assert Manifest.from_json(m.to_json()) == m
    assert json.loads(m.to_json())["real"] == "double"


def test_names_that_are_not_identifiers_are_refused():
    layout = Layout()
    with pytest.raises(ValueError, match="not a manifest name"):
        layout.slot("group", 0, 'v"); system("x', "real", "state", extent=4)
    with pytest.raises(ValueError, match="not a manifest name"):
        layout.rarg("somebody", 0, "tau", "param")
    with pytest.raises(ValueError, match="unknown dtype"):
        layout.slot("group", 0, "v", "complex", "state", extent=4)


def test_the_c_literal_holds_data_only():
    text = _network().manifest.to_json()
    literal = c_string(text)
    pieces = [line.strip()[3:-2] for line in literal.splitlines()]
    assert "".join(pieces) == text
    assert all(line.strip().startswith('R"(') for line in literal.splitlines())
    with pytest.raises(ValueError):
        c_string('{"name":"a)\\"; system(\\"x"}')


def test_every_buffer_states_its_length_per_instance():
    m = _network().manifest
    extents = {(b.owner, b.name): b.extent for b in m.buffers}
    assert extents[("group", "v")] == "8"                       # a neuron's
    assert extents[("group", "lastspike")] == "8"
    assert extents[("synapses", "w")] == "synapses"             # known at run time
    assert extents[("synapses", "row")] == "9"                  # n_pre + 1
    assert extents[("synapses", "ring_spikes")] == "ring*8"
    assert extents[("synapses", "delay_start")] == "8*ring+1"
    assert extents[("state_monitor", "v")] == "2*samples"
    assert extents[("spike_monitor", "i")] == "capacity"
    assert extents[("network", "counters")] == str(len(m.counters))


def test_an_extent_names_only_the_sizes_known_at_run_time():
    names = {n for b in _network().manifest.buffers for n in b.extent.replace("+", "*").split("*")
             if not n.isdigit()}
    assert names <= set(SIZES)


def test_an_extent_evaluates_with_the_sizes_it_names():
    assert extent_value("8*ring+1", {"ring": 3}) == 25
    assert extent_value("rows*columns", {"rows": 30, "columns": 20}) == 600


def test_a_slot_with_an_extent_that_is_no_formula_of_sizes_is_refused():
    for bad in ("n_pre+1", "2**10", "synapses-1", "", "len(x)"):
        with pytest.raises(ValueError, match="not an extent"):
            Layout().slot("group", 0, "v", "real", "state", extent=bad)
