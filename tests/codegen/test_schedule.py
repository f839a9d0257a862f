"""The schedule: a step's kernels in order, as data, which every renderer follows."""
import re

import pytest

from pyspike.codegen.kernels import build_network
from pyspike.codegen.pipeline import generate
from pyspike.codegen.schedule import PHASES, Call
from pyspike.codegen.spec import GroupSpec, NetworkSpec, StateMonitorSpec, SynapsesSpec

LIF = dict(equations="dv/dt = -v/tau : 1\nge : 1", threshold="v > 1", reset="v = 0",
           params=("tau",))


def _network() -> NetworkSpec:
    """Two groups with a monitor, an operation, clock-driven synapses with on_pre and
    on_post: every kind of kernel."""
    a = GroupSpec("a", 4, operations=(("v += 0.1", 2),), **LIF)
    b = GroupSpec("b", 3, **LIF)
    syn = SynapsesSpec("s", "a", "b", 0, 4, 0, 3, model="dw/dt = -w/tau_w : 1 (clock-driven)",
                       on_pre="ge_post += w", on_post="w += 0.01", params=("tau_w",))
    return NetworkSpec(groups=(a, b), synapses=(syn,),
                       state_monitors=(StateMonitorSpec("b", ("v",), 2),
                                       StateMonitorSpec("a", ("v",), 1)))


def test_a_step_runs_operations_synaptic_equations_groups_events_then_resets():
    assert [str(c) for c in build_network(_network()).schedule] == [
        "start: operation 0 of group 0",
        "before: before 0 of synapses 0",
        "update: record 0 of group 0",
        "update: neurons 0 of group 0",
        "update: record 0 of group 1",
        "update: neurons 0 of group 1",
        "events: pre 0 of synapses 0",
        "events: post 0 of synapses 0",
        "resets: reset 0 of group 0",
        "resets: reset 0 of group 1",
    ]


def test_the_phases_of_the_schedule_come_in_their_order():
    order = [PHASES.index(c.phase) for c in build_network(_network()).schedule]
    assert order == sorted(order)


def test_a_call_of_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="kernel kind"):
        Call("update", "dendrites", 0)


def test_a_group_without_monitors_has_its_step_and_its_reset():
    net = build_network(NetworkSpec(groups=(GroupSpec("g", 2, **LIF),)))
    assert net.schedule == (Call("update", "neurons", 0), Call("resets", "reset", 0))


def test_a_group_without_a_reset_has_no_reset_kernel():
    lif = dict(LIF, reset="")
    net = build_network(NetworkSpec(groups=(GroupSpec("g", 2, **lif),)))
    assert net.schedule == (Call("update", "neurons", 0),)


def _calls_in(source: str, pattern: str):
    return re.findall(pattern, source)


def test_the_cpp_step_calls_the_kernels_in_the_order_of_the_schedule():
    source = generate(_network(), "cpp").source
    loop = source[source.index("int64_t run_team"):source.index("return n_steps")]
    # (the pathways' and monitors' calls of the threads' shares: templates/cpp/)
    assert _calls_in(loop, r"x\.(\w+)\.(\w+)\(") == [
        ("group0", "op0"), ("synapses0", "clock_split"), ("group0", "record0_team"),
        ("group0", "step"), ("group1", "record0_team"), ("group1", "step"),
        ("synapses0", "deliver_split"), ("synapses0", "post_split"), ("group0", "reset"),
        ("group1", "reset")]


def test_the_cuda_step_graph_launches_the_kernels_in_the_order_of_the_schedule():
    source = generate(_network(), "cuda").source
    graph = source[source.index("cudaStreamBeginCapture"):source.index("cudaStreamEndCapture")]
    launched = _calls_in(graph, r"PS_LAUNCH\((\w+),|(synapses\d+)\.launch_(\w+)\(")
    names = [k or f"{s}.{m}" for k, s, m in launched]
    assert names[:-1] == ["group0_op0", "synapses0.before_groups", "group0_record0",
                          "group0_step", "group1_record0", "group1_step", "synapses0.pre",
                          "synapses0.post", "group0_reset", "group1_reset"]
    assert names[-1] == "end_step"            # the device clock, after every kernel
