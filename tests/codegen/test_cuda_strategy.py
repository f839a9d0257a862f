"""The CUDA emitter's choices, decided from the kernel IR by one pass (strategy.cuda_strategy)."""
import copy

from pyspike.codegen.kernels import build_network
from pyspike.codegen.spec import GroupSpec, NetworkSpec, SynapsesSpec
from pyspike.codegen.strategy import PathwayStrategy, SpikeOrder, cuda_strategy

P = GroupSpec("P", 40, equations="dv/dt = (I - v)/(10.0) : 1\nI : 1", threshold="v > 1")
Q = GroupSpec("Q", 70, equations="dv/dt = -v/(10.0) : 1", threshold="v > 1")
R = GroupSpec("R", 5, equations="dv/dt = -v/(10.0) : 1", threshold="v > 1")
SOURCE = GroupSpec("G", 10, generator=True)


def _to(pre, post, **fields):
    """Synapses from the whole of group ``pre`` to the whole of ``post``."""
    return SynapsesSpec("S", pre.name, post.name, 0, pre.N, 0, post.N, **fields)


def _plan(*synapses, groups=(P,), batch=1):
    return cuda_strategy(build_network(NetworkSpec(groups=groups, synapses=synapses,
                                                   batch=batch)))


def _path(kind, **fields):
    """The strategy of pathway ``kind`` of one Synapses object from P to itself."""
    return _plan(_to(P, P, **fields)).synapses[0].path(kind)


def test_a_dense_on_pre_that_only_adds_to_its_target_is_delivered_a_thread_per_target():
    assert _path("pre", on_pre="v_post += 0.5", dense=True) == PathwayStrategy("pre", "target")


def test_a_connection_given_a_bitmask_is_delivered_by_testing_one_bit_per_pair():
    assert _path("pre", on_pre="v_post += 0.5", bitmask=True).mode == "bitmask"


def test_a_sparse_on_pre_that_adds_to_a_postsynaptic_variable_adds_it_atomically():
    path = _path("pre", on_pre="v_post += 0.5")
    assert path == PathwayStrategy("pre", "atomic", frozenset({("post", "v")}))


def test_a_dense_on_pre_that_adds_to_a_presynaptic_variable_is_atomic_not_per_target():
    path = _path("pre", on_pre="v_pre += 0.5", dense=True)
    assert path == PathwayStrategy("pre", "atomic", frozenset({("pre", "v")}))


def test_a_dense_on_pre_with_per_synapse_delays_is_atomic_not_per_target():
    assert _path("pre", on_pre="v_post += 0.5", dense=True, delay="per_synapse").mode == \
        "atomic"


def test_an_on_pre_that_reads_what_it_writes_under_another_name_is_serial():
    # P to itself: v_pre of one event is v_post of another, so spike order matters
    assert _path("pre", on_pre="v_post += 0.01*v_pre", dense=True).mode == "serial"


def test_an_on_pre_that_sets_a_neuron_variable_is_serial():
    assert _path("pre", on_pre="v_post = 0").mode == "serial"


def test_clock_driven_equations_on_synaptic_state_only_run_a_thread_per_synapse():
    path = _path("clock", model="dg/dt = -g/(10.0) : 1 (clock-driven)")
    assert path == PathwayStrategy("clock", "parallel")


def test_a_summed_variable_is_added_atomically():
    path = _path("summed", model="I_post = v_pre : 1 (summed)")
    assert path == PathwayStrategy("summed", "atomic", frozenset({("post", "I")}))


def test_a_serial_summed_variable_runs_the_clock_driven_equations_with_it_in_one_thread():
    model = "dg/dt = -g/(10.0) : 1 (clock-driven)\nI_post = g*I_pre : 1 (summed)"
    plan = _plan(_to(P, P, model=model)).synapses[0]
    assert plan.path("summed").mode == "serial" and plan.before_serial


def test_parallel_clock_driven_and_summed_pathways_do_not_run_in_one_thread():
    model = "dg/dt = -g/(10.0) : 1 (clock-driven)\nI_post = g*v_pre : 1 (summed)"
    assert not _plan(_to(P, P, model=model)).synapses[0].before_serial


def test_a_synapses_object_has_a_strategy_for_each_of_its_pathways_only():
    plan = _plan(_to(P, P, on_pre="v_post += 0.5")).synapses[0]
    assert [p.kind for p in plan.paths] == ["pre"] and plan.path("post") is None


def test_the_groups_read_by_serial_and_per_target_events_get_disjoint_bitmaps():
    plan = _plan(_to(P, R, on_pre="v_post += 0.5", dense=True),
                 _to(Q, R, on_pre="v_post = 0"), groups=(P, Q, R), batch=3)
    # K * ceil(N/32) words each: 3*2 for P's 40 neurons, then 3*3 for Q's 70
    assert plan.orders == (SpikeOrder(0, 0, 2), SpikeOrder(1, 6, 3))
    assert plan.scratch_words == 15


def test_a_serial_on_post_orders_the_postsynaptic_group():
    plan = _plan(_to(P, Q, on_post="v_pre = 0"), groups=(P, Q))
    assert [o.group for o in plan.orders] == [1]


def test_spike_lists_that_only_feed_atomic_additions_are_left_unordered():
    plan = _plan(_to(P, P, on_pre="v_post += 0.5"))
    assert plan.orders == () and plan.scratch_words == 0
    assert plan.order(0) is None and not plan.synapses[0].pre_ordered


def test_an_ordered_source_tells_its_synapses_their_spikes_are_ascending():
    plan = _plan(_to(P, R, on_pre="v_post = 0"), _to(P, R, on_pre="v_post += 1"),
                 groups=(P, R))
    assert [s.pre_ordered for s in plan.synapses] == [True, True]


def test_a_generator_lists_its_spikes_in_order_without_a_bitmap():
    plan = _plan(_to(SOURCE, P, on_pre="v_post += 1", dense=True), groups=(SOURCE, P))
    assert plan.orders == () and plan.synapses[0].pre_ordered


def test_the_strategy_is_pure_equal_on_each_call_and_leaving_the_ir_unchanged():
    net = build_network(NetworkSpec(groups=(P, Q), synapses=(
        _to(P, Q, on_pre="v_post = 0", on_post="v_pre += 1"),
        _to(Q, P, model="dg/dt = -g/(10.0) : 1 (clock-driven)\nI_post = g : 1 (summed)"))))
    before = copy.deepcopy(net)
    assert cuda_strategy(net) == cuda_strategy(net)
    assert net == before
