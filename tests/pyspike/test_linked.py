"""Linked variables, as Brian2's (``I : 1 (linked)``, ``G.I = linked_var(H, "x")``):
neuron for neuron, from one neuron, through an index, from a shared value or a slice;
read from Python; the refusals; NumPy, C++ and emulated CUDA agreeing; batches;
store/restore; and Brian2's numbers on a small case."""
import sys
from pathlib import Path

import numpy as np
import pytest

import pyspike as ps
import pyspike.backends
import pyspike.network
from pyspike.codegen.errors import ModelError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cuda"))
from emulator.backend import EmulatedBackend, emulator_missing  # noqa: E402

sys.path.pop(0)

MISSING = emulator_missing()
SOURCE = ps.NeuronModel("dx/dt = r/ms : 1\nr : 1", method="euler")
READER = ps.NeuronModel("dv/dt = I/ms : 1\nI : 1 (linked)", method="euler")


@pytest.fixture(autouse=True)
def emulated(monkeypatch):
    monkeypatch.setitem(pyspike.backends.BACKENDS, "cuda_emulated", EmulatedBackend)


def _pair(n_source=1, n_reader=3, reader=READER, backend="numpy", reader_first=False,
          **kw):
    net = ps.Network(dt=0.1, backend=backend, **kw)
    with net:
        if reader_first:
            G = ps.NeuronGroup(n_reader, reader)
            H = ps.NeuronGroup(n_source, SOURCE, init={"r": 1.0})
        else:
            H = ps.NeuronGroup(n_source, SOURCE, init={"r": 1.0})
            G = ps.NeuronGroup(n_reader, reader)
    return net, H, G


# --- what a neuron reads -----------------------------------------------------------------

def test_groups_of_one_size_are_linked_neuron_for_neuron():
    net, H, G = _pair(3, 3)
    H.r = [1.0, 2.0, 3.0]
    G.I = ps.linked_var(H, "x")
    net.run(0.5)
    np.testing.assert_allclose(G.v, [0.15, 0.30, 0.45])


def test_every_neuron_reads_a_source_of_one_neuron():
    net, H, G = _pair(1, 4)
    G.I = ps.linked_var(H, "x")
    net.run(0.5)
    np.testing.assert_allclose(G.v, np.full(4, 0.15))


def test_an_index_gives_each_neuron_the_source_neuron_it_reads():
    net, H, G = _pair(2, 4)
    H.r = [1.0, 2.0]
    G.I = ps.linked_var(H, "x", index=[1, 0, 0, 1])
    net.run(0.5)
    np.testing.assert_allclose(G.v, [0.30, 0.15, 0.15, 0.30])


@pytest.mark.parametrize("flags", ["", " (shared)"])
def test_a_value_the_source_holds_once_is_read_by_every_neuron(flags):
    net, H, G = _pair(2, 3)
    with net:       # a parameter given as one number, or declared (shared)
        P = ps.NeuronGroup(2, ps.NeuronModel(f"dx/dt = -x/ms : 1\ns : 1{flags}",
                                             params={"s": 2.0}))
    G.I = ps.linked_var(P, "s")
    net.run(0.5)
    np.testing.assert_allclose(G.v, np.full(3, 1.0))


def test_a_slice_of_a_group_links_its_own_neurons():
    net, H, G = _pair(5, 2)
    H.r = [1.0, 2.0, 3.0, 4.0, 5.0]
    G.I = ps.linked_var(H[3:5], "x")
    net.run(0.5)
    np.testing.assert_allclose(G.v, [0.60, 0.75])


def test_a_shared_subexpression_of_a_linked_variable_is_computed_per_step():
    # Brette & Guigon 2003's form: B, a (shared) subexpression of the linked x
    model = ps.NeuronModel("dv/dt = B/ms : 1\nB = 2./(1 + exp(-2*x)) - 1 : 1 (shared)\n"
                           "x : 1 (linked)", method="euler")
    net, H, G = _pair(1, 2, reader=model)
    G.x = ps.linked_var(H, "x")
    net.run(0.3)
    x = 0.1 * np.arange(1, 4)                   # x after each update of H
    np.testing.assert_allclose(G.v, np.full(2, np.sum(0.1 * np.tanh(x))))


def test_threshold_and_reset_read_the_linked_variable():
    model = ps.NeuronModel("dv/dt = 1/ms : 1\nI : 1 (linked)", threshold="v > I",
                           reset="v = -I", method="euler")
    net, H, G = _pair(1, 1, reader=model)
    H.x = 0.25
    H.r = 0.0
    G.I = ps.linked_var(H, "x")
    with net:
        spikes = ps.SpikeMonitor(G)
    net.run(1.0)
    # v climbs 0.1 a step to past 0.25, is set to -0.25, climbs again
    np.testing.assert_allclose(spikes.t, [0.3, 0.9])


def test_run_regularly_may_read_a_linked_variable():
    net, H, G = _pair(1, 2)
    G.I = ps.linked_var(H, "x")
    G.run_regularly("v = 10*I", dt=0.5)
    net.run(0.5)
    np.testing.assert_allclose(G.v, np.full(2, 0.15))


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_synapses_read_a_variable_linked_neuron_for_neuron_as_the_neurons(backend):
    net, H, G = _pair(3, 3, backend=backend)
    H.r = [1.0, 2.0, 3.0]
    G.I = ps.linked_var(H, "x")
    with net:
        P = ps.SpikeGeneratorGroup(1, [0], [0.3])
        S = ps.Synapses(P, G, on_pre="v_post += 10*I_post")
        S.connect()
    net.run(0.4)
    # v sums 0.1 x over 4 steps (0.1 r); the spike of 0.3 ms reaches G at the end of
    # its step, when x = 0.4 r, and adds 10 x
    np.testing.assert_allclose(G.v, [4.1, 8.2, 12.3])


def test_reading_the_linked_variable_gives_the_sources_values_through_the_link():
    net, H, G = _pair(2, 3)
    H.r = [1.0, 2.0]
    G.I = ps.linked_var(H, "x", index=[1, 1, 0])
    net.run(0.5)
    np.testing.assert_array_equal(G.I, H.x[[1, 1, 0]])
    with pytest.raises(ValueError):              # a view of H: set H.x instead
        G.I[0] = 1.0


# --- timing: groups update in the order they joined the network ------------------------

# Brian2 2.9 (numpy target, dt 0.1 ms, euler): source H of 1 neuron dx/dt = 1/ms, reader G
# of 3 neurons dv/dt = I/ms with I : 1 (linked) linked to H.x, 0.5 ms; made by
# ~/.cache/pyspike-bench-venv/bin/python with Network(H, G).run(0.5*ms) and printing G.v.
# Brian2 orders the groups' updates by name: with names that sort as they were made
# (name="neurongroup_a", "neurongroup_b") G reads x after H's update of the step; with the
# default names ("neurongroup", "neurongroup_1": "neurongroup_1_stateupdater" sorts first)
# G reads x from before it.
BRIAN2_V_SOURCE_UPDATED_FIRST = 0.15
BRIAN2_V_READER_UPDATED_FIRST = 0.1


def test_a_reader_made_after_its_source_reads_the_value_of_this_step():
    net, H, G = _pair(1, 3)
    G.I = ps.linked_var(H, "x")
    net.run(0.5)
    np.testing.assert_allclose(G.v, BRIAN2_V_SOURCE_UPDATED_FIRST, rtol=1e-14)


def test_a_reader_made_before_its_source_reads_the_value_of_the_steps_start():
    net, H, G = _pair(1, 3, reader_first=True)
    G.I = ps.linked_var(H, "x")
    net.run(0.5)
    np.testing.assert_allclose(G.v, BRIAN2_V_READER_UPDATED_FIRST, rtol=1e-14)


# Brian2 2.9, numpy target, dt 0.1 ms: H (name "a_source") dx/dt = r/ms : 1 with
# r = [1, 2]; G (name "b_reader") of 4 neurons dv/dt = I/ms : 1, I : 1 (linked),
# threshold v > 0.5*I, reset v = -I, euler, G.I = linked_var(H, 'x', index=[0, 1, 1, 0]),
# SpikeMonitor(G), 4 ms (/tmp script run with ~/.cache/pyspike-bench-venv/bin/python).
BRIAN2_INDEXED_V = [-2.060000000000001, -4.120000000000002, -4.120000000000002,
                    -2.060000000000001]
BRIAN2_INDEXED_SPIKE_TIMES = [0.8, 2.1, 3.5]        # each neuron's, ms


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_an_indexed_link_with_threshold_and_reset_gives_brian2s_numbers(backend):
    model = ps.NeuronModel("dv/dt = I/ms : 1\nI : 1 (linked)", threshold="v > 0.5*I",
                           reset="v = -I", method="euler")
    net, H, G = _pair(2, 4, reader=model, backend=backend)
    H.r = [1.0, 2.0]
    G.I = ps.linked_var(H, "x", index=[0, 1, 1, 0])
    with net:
        spikes = ps.SpikeMonitor(G)
    net.run(4.0)
    np.testing.assert_allclose(G.v, BRIAN2_INDEXED_V, rtol=1e-13)
    for n in range(4):   # pyspike stamps a spike one step after Brian2 (README: timing)
        np.testing.assert_allclose(spikes.t[spikes.i == n],
                                   np.add(BRIAN2_INDEXED_SPIKE_TIMES, 0.1), rtol=1e-12)


# --- what is refused ---------------------------------------------------------------------

def test_setting_a_linked_variable_to_a_number_is_refused():
    net, H, G = _pair()
    with pytest.raises(ModelError, match="'I' of group .* is a linked variable") as err:
        G.I = 3.0
    assert err.value.symbol == "I"


def test_a_reset_that_assigns_a_linked_variable_is_refused():
    with pytest.raises(ModelError, match="'I' is a linked variable") as err:
        ps.NeuronModel("dv/dt = I/ms : 1\nI : 1 (linked)", threshold="v > 1", reset="I = 0")
    assert err.value.symbol == "I"


def test_run_regularly_that_assigns_a_linked_variable_is_refused():
    net, H, G = _pair()
    with pytest.raises(ModelError, match="'I' is a linked variable") as err:
        G.run_regularly("I = 0")
    assert err.value.symbol == "I"


def test_a_network_with_a_linked_variable_not_linked_is_refused_before_code_is_made(
        monkeypatch):
    net, H, G = _pair()
    monkeypatch.setattr(pyspike.network, "generate", None)      # never reached
    with pytest.raises(ModelError, match="'I' of group .* is not linked yet") as err:
        net.run(0.1)
    assert err.value.symbol == "I"


def test_reading_a_linked_variable_not_linked_is_refused():
    net, H, G = _pair()
    with pytest.raises(ModelError, match="not linked yet"):
        G.I


def test_a_link_to_a_group_outside_the_network_is_refused():
    net, H, G = _pair()
    other = ps.NeuronGroup(1, SOURCE)
    G.I = ps.linked_var(other, "x")
    with pytest.raises(ModelError, match="not in this network") as err:
        net.run(0.1)
    assert err.value.symbol == "I"


@pytest.mark.parametrize("name, message", [
    ("y", "has no variable or parameter 'y'"),
    ("s", "a subexpression cannot be linked"),
])
def test_a_link_to_a_name_the_source_has_no_variable_for_is_refused(name, message):
    source = ps.NeuronModel("dx/dt = -x/ms : 1\ns = 2*x : 1")
    with pytest.raises(ModelError, match=message):
        ps.linked_var(ps.NeuronGroup(1, source), name)


def test_a_link_to_a_variable_of_another_dimension_is_refused():
    net, H, G = _pair()
    volts = ps.NeuronGroup(1, ps.NeuronModel("dV/dt = -V/ms : mV"))
    with pytest.raises(ModelError, match="declared in 1, but 'V' .* is in mV"):
        G.I = ps.linked_var(volts, "V")


def test_groups_of_other_sizes_need_an_index():
    net, H, G = _pair(2, 3)
    with pytest.raises(ModelError, match="give the neuron each one reads") as err:
        G.I = ps.linked_var(H, "x")
    assert err.value.symbol == "I"


@pytest.mark.parametrize("index, message", [
    ([0, 1], "needs one for each of the 3 neurons"),
    ([0, 1, 2], "outside the 2 of group"),
    ([0.0, 1.0, 1.0], "array of integers"),
])
def test_an_index_that_does_not_fit_is_refused(index, message):
    net, H, G = _pair(2, 3)
    with pytest.raises(ModelError, match=message):
        G.I = ps.linked_var(H, "x", index=index)


def test_brian2s_linked_var_of_an_array_is_refused_with_the_pyspike_form():
    net, H, G = _pair()
    with pytest.raises(ModelError, match=r"linked_var\(H, 'x'\)"):
        ps.linked_var(H.x)


def test_a_group_cannot_link_to_its_own_variable():
    net, H, G = _pair()
    with pytest.raises(ModelError, match="write a subexpression 'I = v'"):
        G.I = ps.linked_var(G, "v")


# --- backends, batches, snapshots --------------------------------------------------------

NOISY = ps.NeuronModel("dx/dt = -x/tau + (2/tau)**.5*xi : 1", params={"tau": 5.0},
                       method="euler")
NOISY_READER = ps.NeuronModel(
    "dv/dt = (0.9 + .5*I - v)/tau + sigma*(2/tau)**.5*xi : 1\nI : 1 (linked)",
    threshold="v > 1", reset="v = 0", refractory=5.0, method="euler",
    params={"tau": 10.0, "sigma": 0.015})


def _noisy(backend, batch=None, seed=3):
    """Reliability's network, with each kind of link: one input, two, the same size."""
    seed = [seed, seed + 1] if batch else seed
    net = ps.Network(dt=0.1, seed=seed, backend=backend, batch=batch)
    with net:
        one = ps.NeuronGroup(1, NOISY)
        two = ps.NeuronGroup(2, NOISY)
        same = ps.NeuronGroup(6, NOISY)
        readers = [ps.NeuronGroup(6, NOISY_READER, init={"v": "rand()"}) for _ in range(3)]
        monitors = [ps.SpikeMonitor(g) for g in readers]
    readers[0].I = ps.linked_var(one, "x")
    readers[1].I = ps.linked_var(two, "x", index=[0, 1, 0, 1, 0, 1])
    readers[2].I = ps.linked_var(same, "x")
    return net, readers, monitors


def _results(backend, duration=30.0, **kw):
    net, readers, monitors = _noisy(backend, **kw)
    net.run(duration)
    return [g.v.copy() for g in readers] + [m.count.copy() for m in monitors] + \
        ([] if kw.get("batch") else [np.asarray(m.t) for m in monitors])


def test_cpu_and_numpy_agree_bit_for_bit():
    cpu, ref = _results("cpu"), _results("numpy")
    assert sum(c.sum() for c in cpu[3:6]) > 0
    for a, b in zip(cpu, ref):
        np.testing.assert_array_equal(a, b)


@pytest.mark.skipif(MISSING is not None, reason=MISSING or "")
def test_the_emulated_cuda_kernels_give_the_cpu_results():
    cpu, emu = _results("cpu", 10.0), _results("cuda_emulated", 10.0)
    assert sum(c.sum() for c in cpu[3:6]) > 0
    for a, b in zip(cpu, emu):
        np.testing.assert_array_equal(a, b)


def test_each_instance_of_a_batch_reads_its_own_source():
    net, H, G = _pair(1, 2, batch=2)
    H.r = [[1.0], [3.0]]
    G.I = ps.linked_var(H, "x")
    net.run(0.5)
    np.testing.assert_allclose(G.v, [[0.15, 0.15], [0.45, 0.45]])


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_a_batch_of_instances_gives_each_instance_alone(backend):
    batched = _results(backend, 10.0, batch=2)
    alone = _results(backend, 10.0, seed=4)
    assert sum(c.sum() for c in alone[3:6]) > 0
    for a, b in zip(batched, alone):
        np.testing.assert_array_equal(a[1], b)


@pytest.mark.parametrize("in_file", [False, True])
def test_store_and_restore_run_a_linked_network_again_the_same(in_file, tmp_path):
    net, readers, monitors = _noisy("numpy")
    filename = tmp_path / "snap.npz" if in_file else None
    net.store(filename=filename)
    net.run(10.0)
    first = [g.v.copy() for g in readers]
    net.restore(filename=filename)
    net.run(10.0)
    for a, g in zip(first, readers):
        np.testing.assert_array_equal(a, g.v)


@pytest.mark.parametrize("backend", ["cpu", pytest.param("cuda_emulated", marks=(
    pytest.mark.skipif(MISSING is not None, reason=MISSING or "")))])
def test_a_new_link_is_used_by_the_next_run(backend):
    net, H, G = _pair(2, 2, backend=backend)
    H.r = [1.0, 2.0]
    G.I = ps.linked_var(H, "x")
    net.run(0.5)
    G.I = ps.linked_var(H, "x", index=[1, 1])     # another kind of link: rebuilt
    net.run(0.5)
    G.I = ps.linked_var(H, "x", index=[0, 0])     # another index: runtime data
    net.run(0.5)
    np.testing.assert_allclose(G.v, [0.15 + 0.8 + 0.65, 0.30 + 0.8 + 0.65])


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_a_state_monitor_records_a_linked_variable_through_its_link(backend):
    net, H, G = _pair(2, 3, backend=backend)
    H.r = [1.0, 2.0]
    G.I = ps.linked_var(H, "x", index=[1, 0, 1])
    with net:
        MI = ps.StateMonitor(G, "I", record=True)
        MX = ps.StateMonitor(H, "x", record=True)
    net.run(0.5)
    # G's monitor records as G's kernel starts, after H (made first) was updated in the
    # step: the value G's update reads, which H's monitor sees one sample later
    np.testing.assert_array_equal(MI.I[:, :-1], MX.x[[1, 0, 1], 1:])
