"""Synapses(kernel=...): variables kept once per kernel element, read by many synapses."""
import numpy as np
import pytest

import pyspike as ps
from pyspike import ModelError

M = ps.NeuronModel("v : 1")


def _conv(backend="numpy", kernel=True, batch=None, values=(0.5, 2.0, -1.0)):
    """A one-dimensional convolution of width 3 from 7 given inputs onto 5 targets."""
    net = ps.Network(dt=0.1, backend=backend, batch=batch)
    with net:
        inp = ps.SpikeGeneratorGroup(7, indices=[0, 2, 3, 6, 4], times=[0.0, 0.0, 0.1, 0.2, 0.3])
        G = ps.NeuronGroup(5, M)
        S = ps.Synapses(inp, G, model="w : 1", on_pre="v_post += w",
                        kernel=("w",) if kernel else ())
    pre = (np.arange(5)[:, None] + np.arange(3)[None, :]).ravel()
    post, element = np.repeat(np.arange(5), 3), np.tile(np.arange(3), 5)
    S.connect(i=pre, j=post)
    order = np.lexsort((post, pre))               # the synapses' order: by i, then j
    if kernel:
        S.kernel_index = element[order]
        S.w = list(values)
    else:
        S.w = np.asarray(values)[element[order]]
    return net, G, S


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_kernel_weights_deliver_what_one_weight_per_synapse_delivers(backend):
    net, G, _ = _conv(backend)
    net.run(0.6)
    ref, H, _ = _conv(backend, kernel=False)
    ref.run(0.6)
    np.testing.assert_array_equal(G.v, H.v)        # the same additions in the same order
    assert np.abs(G.v).sum() > 0


def test_each_target_sums_the_kernel_over_its_window_of_inputs():
    net, G, _ = _conv()
    net.run(0.6)
    spikes = np.zeros(7)
    spikes[[0, 2, 3, 6, 4]] = 1.0
    expected = [np.dot(spikes[j:j + 3], [0.5, 2.0, -1.0]) for j in range(5)]
    np.testing.assert_allclose(G.v, expected, rtol=0, atol=1e-15)   # exact sums of 3 terms


def test_a_batch_reads_one_copy_of_the_kernel():
    net, G, S = _conv("cpu", batch=3)
    net.run(0.6)
    assert S.w.shape == (3,)
    np.testing.assert_array_equal(G.v[0], G.v[2])


def test_reading_the_kernel_gives_its_elements_and_each_synapses_element():
    _, _, S = _conv()
    assert S.w.tolist() == [0.5, 2.0, -1.0]
    assert S.kernel_index.shape == (S.n,) and S.kernel_index.max() == 2


def test_code_that_writes_a_kernel_variable_is_refused():
    net = ps.Network(dt=0.1, backend="numpy")
    with net:
        G = ps.NeuronGroup(2, M)
        S = ps.Synapses(G, G, model="w : 1", on_pre="w += 1", kernel=("w",))
    S.connect(i=[0], j=[1])
    S.kernel_index = [0]
    S.w = [1.0]
    with pytest.raises(ModelError) as e:
        net.run(0.1)
    assert e.value.symbol == "w"


def test_a_build_without_kernel_index_is_refused_naming_it():
    net = ps.Network(dt=0.1, backend="numpy")
    with net:
        G = ps.NeuronGroup(2, M)
        S = ps.Synapses(G, G, model="w : 1", on_pre="v_post += w", kernel=("w",))
    S.connect(i=[0, 1], j=[1, 0])
    S.w = [1.0]
    with pytest.raises(ModelError) as e:
        net.run(0.1)
    assert e.value.symbol == "kernel_index"


def test_a_kernel_shorter_than_the_elements_it_is_read_at_is_refused():
    net = ps.Network(dt=0.1, backend="numpy")
    with net:
        G = ps.NeuronGroup(2, M)
        S = ps.Synapses(G, G, model="w : 1", on_pre="v_post += w", kernel=("w",))
    S.connect(i=[0, 1], j=[1, 0])
    S.kernel_index = [0, 3]
    S.w = [1.0, 2.0]
    with pytest.raises(ModelError) as e:
        net.run(0.1)
    assert e.value.symbol == "w"


def test_a_kernel_index_of_the_wrong_length_is_refused():
    _, _, S = _conv()
    with pytest.raises(ModelError) as e:
        S.kernel_index = [0, 1]
    assert e.value.symbol == "kernel_index"


def test_a_kernel_name_that_is_not_a_variable_is_refused():
    with pytest.raises(ModelError) as e:
        ps.Synapses(ps.NeuronGroup(2, M), ps.NeuronGroup(2, M), model="w : 1",
                    on_pre="v_post += w", kernel=("u",))
    assert e.value.symbol == "u"


def test_restore_brings_back_the_kernel_values():
    net, G, S = _conv("cpu")
    net.store()
    S.w = [9.0, 9.0, 9.0]
    net.restore()
    assert S.w.tolist() == [0.5, 2.0, -1.0]


def test_a_state_monitor_of_a_kernel_variable_is_refused_naming_it():
    _, _, S = _conv()
    with pytest.raises(ModelError) as e:
        ps.StateMonitor(S, "w")
    assert e.value.symbol == "w"
