"""Which synaptic pathways the CUDA backend runs in parallel, and how."""
from pyspike.codegen.kernels import build_network
from pyspike.codegen.render_cuda import render_cuda

from . import networks


def _source(name):
    net, _ = networks.build(name, "cuda")
    return render_cuda(build_network(net._spec()))


def _function(source, name):
    start = source.index(f"void {name}(")
    return source[start:source.index("\n    }\n", start)]


def test_additive_effects_on_neurons_become_atomic_additions():
    body = _function(_source("stdp_sparse"), "on_pre_atomic")
    assert "atomicAdd(&p_post_u_ge[POST0 + _j], (real_t)(u_w));" in body
    assert "real_t& u_ge" not in body           # no plain read-modify-write of ge


def test_a_subtraction_from_a_neuron_variable_adds_its_negative():
    import pyspike as ps
    net = ps.Network(dt=0.1, backend="cuda")
    with net:
        a = ps.SpikeGeneratorGroup(2, indices=[0], times=[1.0])
        b = ps.NeuronGroup(40, ps.NeuronModel("dv/dt = -v/10.0 : 1"))   # sparse: rows
        ps.Synapses(a, b, on_pre="v_post -= 0.5").connect(i=[0], j=[1])
    body = _function(render_cuda(build_network(net._spec())), "on_pre_atomic")
    assert "atomicAdd(&p_post_u_v[POST0 + _j], -(real_t)(0.5));" in body


def test_a_dense_connection_runs_a_thread_per_target_without_atomics():
    source = _source("dense_and_serial")
    assert "PS_LAUNCH(synapses0_pre, dim3(blocks(NPOST), K), THREADS" in source
    assert "A thread per postsynaptic neuron" in source


def test_an_event_setting_a_neuron_variable_runs_serially():
    source = _source("dense_and_serial")
    assert "PS_LAUNCH(synapses1_pre, dim3(1, K), 1, 0, st, " in source


def test_delays_push_spikes_into_a_ring_before_the_events():
    source = _source("generator_delays")
    push = source.index("PS_LAUNCH(synapses0_push, ")
    pre = source.index("PS_LAUNCH(synapses0_pre, dim3(grid, K)")
    assert push < pre


def test_clock_driven_and_summed_synapses_run_a_thread_per_synapse():
    source = _source("summed_gap")
    assert source.count("PS_LAUNCH(synapses0_before, dim3(grid, K), THREADS") == 3
    assert "atomicAdd(&p_post_u_I_gap[POST0 + _j]" in source


def test_a_dense_enough_random_connection_tests_one_bit_per_pair():
    source = _source("bitmask_dense")
    assert source.count("tests its bit of\n") == 2
    assert "PS_LAUNCH(synapses0_pre, dim3(blocks(NPOST), K), THREADS" in source
    assert "PS_LAUNCH(synapses1_pre, dim3(blocks(NPOST), K), THREADS" in source


def test_a_sparse_or_plastic_connection_keeps_its_rows():
    assert "tests its bit" not in _source("stdp_sparse")       # synaptic variables
    assert "tests its bit" not in _source("generator_delays")  # sparse


def _self_connected(on_pre, **connect):
    import pyspike as ps
    net = ps.Network(dt=0.1, seed=2, backend="cuda")
    with net:
        G = ps.NeuronGroup(60, ps.NeuronModel("dv/dt = -v/10.0 : 1"))
        ps.Synapses(G, G, on_pre=on_pre).connect(**connect)
    return render_cuda(build_network(net._spec()))


SERIAL = "PS_LAUNCH(synapses0_pre, dim3(1, K), 1, 0, st, "


def test_events_that_read_what_other_events_add_to_run_in_spike_order():
    # G to itself: v_pre of one event is v_post of another, so the order matters
    source = _self_connected("v_post += 0.1*v_pre", p=0.02)
    assert SERIAL in source and "atomicAdd" not in source


def test_a_thread_per_target_is_not_used_where_a_target_is_read_as_a_source():
    assert SERIAL in _self_connected("v_post += 0.01*v_pre")              # all to all
    assert SERIAL in _self_connected("v_post -= 0.01*v_pre", p=0.5)       # dense enough


def test_a_group_connected_to_itself_keeps_parallel_events_that_read_no_neuron():
    assert "atomicAdd(&p_post_u_v" in _self_connected("v_post += 0.5", p=0.02)
    assert "A thread per postsynaptic neuron" in _self_connected("v_post += 0.5")
    assert "tests its bit of\n" in _self_connected("v_post += 0.5", p=0.5)


def test_spikes_that_events_read_in_order_are_put_in_ascending_order():
    # serial events, a thread per target and a delay ring read the list in order
    source = _source("order_sensitive")
    assert "PS_LAUNCH(group0_order_spikes, dim3(1, K), 1024" in source
    assert "one stretch of it" in source          # the ring push keeps that order


def test_spikes_that_only_feed_atomic_additions_are_left_as_the_warps_append_them():
    source = _source("stdp_sparse")
    assert "_order_spikes, dim3(" not in source and "cudaMalloc(" not in source
