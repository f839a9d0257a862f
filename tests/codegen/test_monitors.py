"""codegen.monitors: the lowering pass of the state, spike and population rate monitors
(buffers, counters and iargs of their own, a record in the watched group's kernel), read
through the pass itself and in a whole network's manifest."""
import pytest

from pyspike.codegen.errors import ModelError
from pyspike.codegen.kernels import build_network
from pyspike.codegen.layout import Layout
from pyspike.codegen.monitors import add_monitors
from pyspike.codegen.spec import (GroupSpec, NetworkSpec, RateMonitorSpec, SpikeMonitorSpec,
                                  StateMonitorSpec, SynapsesSpec)

P = GroupSpec("P", 10, equations="dv/dt = -v/tau : 1\nge : 1", params=("tau",),
              threshold="v > 1", reset="v = 0")
Q = GroupSpec("Q", 6, equations="dv/dt = -v/tau : 1", params=("tau",), threshold="v > 1",
              reset="v = 0")


def _monitors(**monitors):
    """The groups' kernels by name and the manifest of the pass run alone (batch of 2)."""
    layout = Layout()
    groups = add_monitors(NetworkSpec(groups=(P, Q), **monitors),
                          build_network(NetworkSpec(groups=(P, Q))).groups, layout)
    return {g.name: g for g in groups}, layout.manifest("double", 2)


def test_a_state_monitor_records_each_variable_it_names_into_a_real_buffer_of_its_own():
    groups, m = _monitors(state_monitors=(StateMonitorSpec("P", ("ge", "v"), 3),))
    mon = groups["P"].state_monitors[0]
    buffers = [m.buffers[s] for s in mon.buffer_slots]
    assert [(b.name, b.dtype, b.per_instance) for b in buffers] == [
        ("ge", "real", True), ("v", "real", True)]
    assert mon.variables == ["ge", "v"]


def test_the_neurons_a_state_monitor_records_are_one_int32_index_shared_by_the_instances():
    groups, m = _monitors(state_monitors=(StateMonitorSpec("P", ("v",), 3),))
    b = m.buffers[groups["P"].state_monitors[0].index_slot]
    assert (b.name, b.dtype, b.per_instance) == ("index", "int32", False)


def test_a_state_monitor_has_a_fill_counter_and_a_stride_iarg_and_keeps_its_period():
    groups, m = _monitors(state_monitors=(StateMonitorSpec("P", ("v",), 3, every=4),))
    mon = groups["P"].state_monitors[0]
    assert (m.counters[mon.fill].name, m.ints[mon.stride].name) == ("fill", "stride")
    assert (mon.every, mon.n_record) == (4, 3)


def test_a_state_monitor_of_a_variable_the_group_lacks_is_refused_naming_it():
    with pytest.raises(ModelError, match="cannot record 'u'.*the variables v, tau") as err:
        _monitors(state_monitors=(StateMonitorSpec("Q", ("v", "u"), 1),))
    assert (err.value.where, err.value.symbol) == ("StateMonitor", "u")


@pytest.mark.parametrize("monitors", [
    dict(state_monitors=(StateMonitorSpec("R", ("v",), 1),)),
    dict(spike_monitors=(SpikeMonitorSpec("R"),)),
    dict(rate_monitors=(RateMonitorSpec("R"),))])
def test_a_monitor_of_a_group_outside_the_network_is_refused_naming_it(monitors):
    with pytest.raises(ModelError, match="'R' is not part of the network") as err:
        _monitors(**monitors)
    assert (err.value.where, err.value.symbol) == ("monitor", "R")


def test_a_spike_monitor_has_neuron_and_step_buffers_and_a_fill_and_a_capacity_counter():
    groups, m = _monitors(spike_monitors=(SpikeMonitorSpec("Q"),))
    mon = groups["Q"].spike_monitors[0]
    assert [(m.buffers[s].name, m.buffers[s].dtype) for s in (mon.i_slot, mon.step_slot)] == [
        ("i", "int32"), ("step", "int64")]
    assert [m.counters[c].name for c in (mon.fill, mon.capacity)] == ["fill", "capacity"]


def test_a_rate_monitor_counts_spikes_into_an_int32_buffer_per_instance_with_a_fill():
    groups, m = _monitors(rate_monitors=(RateMonitorSpec("Q", 1, 3),))
    mon = groups["Q"].rate_monitors[0]
    b = m.buffers[mon.slot]
    assert (b.name, b.dtype, b.per_instance) == ("count", "int32", True)
    assert m.counters[mon.fill].name == "fill"


def test_a_monitor_is_attached_to_the_group_it_watches_only():
    groups, _ = _monitors(spike_monitors=(SpikeMonitorSpec("Q"),),
                          rate_monitors=(RateMonitorSpec("Q"),))
    assert (groups["P"].spike_monitors, groups["P"].rate_monitors) == ([], [])
    assert (len(groups["Q"].spike_monitors), len(groups["Q"].rate_monitors)) == (1, 1)


def test_monitors_are_numbered_by_kind_in_the_order_of_the_spec():
    groups, m = _monitors(spike_monitors=(SpikeMonitorSpec("Q"), SpikeMonitorSpec("P"),
                                          SpikeMonitorSpec("Q")))
    assert [mon.index for mon in groups["Q"].spike_monitors] == [0, 2]
    assert m.buffers[groups["P"].spike_monitors[0].i_slot].index == 1


def test_monitors_are_laid_out_state_then_spike_then_rate_whatever_the_groups():
    _, m = _monitors(rate_monitors=(RateMonitorSpec("P"),),
                     spike_monitors=(SpikeMonitorSpec("Q"),),
                     state_monitors=(StateMonitorSpec("Q", ("v",), 1),
                                     StateMonitorSpec("P", ("v",), 1)))
    assert [(b.owner, b.index, b.name) for b in m.buffers[1:]] == [
        ("state_monitor", 0, "index"), ("state_monitor", 0, "v"),
        ("state_monitor", 1, "index"), ("state_monitor", 1, "v"),
        ("spike_monitor", 0, "i"), ("spike_monitor", 0, "step"),
        ("rate_monitor", 0, "count")]
    assert [(c.owner, c.name) for c in m.counters] == [
        ("state_monitor", "fill"), ("state_monitor", "fill"), ("spike_monitor", "fill"),
        ("spike_monitor", "capacity"), ("rate_monitor", "fill")]


def test_monitors_are_laid_out_after_the_groups_models_and_before_the_synapses():
    net = build_network(NetworkSpec(
        groups=(P,), spike_monitors=(SpikeMonitorSpec("P"),),
        synapses=(SynapsesSpec("S", "P", "P", 0, 10, 0, 10, on_pre="ge_post += 0.5"),)))
    # the spike list that synapses read is laid out with them, after the monitors
    assert [(b.owner, b.name) for b in net.manifest.buffers[1:]] == [
        ("group", "v"), ("group", "ge"), ("spike_monitor", "i"), ("spike_monitor", "step"),
        ("synapses", "row"), ("synapses", "col"), ("group", "_spikes")]
