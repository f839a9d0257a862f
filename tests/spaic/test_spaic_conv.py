"""SPAIC's conv and pool links: one kernel read at every position of an image."""
import numpy as np
import pytest

import pyspike.spaic as spaic
from pyspike import ModelError

RNG = np.random.default_rng(5)
SPIKES = (RNG.random((1, 6, 2 * 6 * 6)) < 0.3).astype(float)     # (batch, steps, inputs)
KERNEL = RNG.normal(0.0, 1.0, (3, 2, 3, 3))


def _float64(name="numpy"):
    """A float64 backend (the default, named for the tests that compare with the float64
    convolution to 1e-12: float32, SPAIC's, rounds each sum at ~1e-7 relative)."""
    return spaic.Backend(name, data_type="float64")


def _net(link, post_shape, backend="numpy", spikes=SPIKES, **kw):
    """Given spikes of a (2, 6, 6) image through ``link`` into 'if' neurons that only sum
    their input (a threshold never reached): V ends as the sum of all input; ``backend``
    a name or a Backend."""
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(shape=(2, 6, 6), coding_method="null")
        out = spaic.NeuronGroup(shape=post_shape, model="if", v_th=1e9)
        con = spaic.Connection(inp, out, link_type=link, **kw)
    net.build(backend=backend)
    # one more step, without spikes: the last step's spikes arrive in it
    inp(np.concatenate([spikes, np.zeros_like(spikes[:, :1])], axis=1))
    net.run(spikes.shape[1] * 0.1 + 0.1)
    return net, out, con


def _conv_reference(counts, kernel, stride=1, padding=0, dilation=1):
    """Cross-correlation as torch's conv2d computes it, by loops."""
    ci, h, w = counts.shape
    co, _, kh, kw = kernel.shape
    padded = np.pad(counts, ((0, 0), (padding, padding), (padding, padding)))
    ho = (h + 2 * padding - dilation * (kh - 1) - 1) // stride + 1
    wo = (w + 2 * padding - dilation * (kw - 1) - 1) // stride + 1
    out = np.zeros((co, ho, wo))
    for o in range(co):
        for y in range(ho):
            for x in range(wo):
                patch = padded[:, y * stride:y * stride + dilation * (kh - 1) + 1:dilation,
                               x * stride:x * stride + dilation * (kw - 1) + 1:dilation]
                out[o, y, x] = np.sum(patch * kernel[o])
    return out


def _V(net, out):
    return np.asarray(net._lowered.ps_of(out).V).reshape(-1, *out.shape)


@pytest.mark.parametrize("stride,padding,dilation,post", [
    (1, 0, 1, (3, 4, 4)), (2, 1, 1, (3, 3, 3)), (1, 1, 2, (3, 4, 4))])
def test_a_conv_link_adds_the_kernel_at_every_position_as_conv2d(stride, padding, dilation,
                                                                  post):
    net, out, _ = _net("conv", post, _float64(), kernel_size=3, stride=stride,
                       padding=padding, dilation=dilation, weight=KERNEL)
    counts = SPIKES[0].sum(axis=0).reshape(2, 6, 6)
    # float64 sums of at most 6 steps x 18 terms in another order: within 1e-12
    np.testing.assert_allclose(_V(net, out)[0], _conv_reference(counts, KERNEL, stride,
                                                                padding, dilation),
                               rtol=0, atol=1e-12)


def test_the_compiled_backend_gives_what_the_reference_gives():
    a, out_a, _ = _net("conv", (3, 4, 4), weight=KERNEL)
    b, out_b, _ = _net("conv", (3, 4, 4), backend="cpu", weight=KERNEL)
    np.testing.assert_array_equal(_V(a, out_a), _V(b, out_b))


def test_a_conv_link_stores_one_kernel_not_a_weight_per_synapse():
    net, _, con = _net("conv", (3, 4, 4), weight=KERNEL)
    S = net._lowered.ps_of(con)
    assert S.w.shape == (KERNEL.size,) and S.n == 3 * 16 * 2 * 9
    np.testing.assert_array_equal(con.weight, KERNEL)


def test_changing_the_kernel_of_a_built_network_changes_its_output():
    net, out, con = _net("conv", (3, 4, 4), _float64(), weight=KERNEL)
    con.weight = 2 * KERNEL
    net.run(0.7)
    counts = SPIKES[0].sum(axis=0).reshape(2, 6, 6)
    np.testing.assert_allclose(_V(net, out)[0], _conv_reference(counts, 2 * KERNEL),
                               rtol=0, atol=1e-12)


def test_a_batch_gives_each_sample_what_it_gives_alone():
    spikes = (RNG.random((3, 6, 72)) < 0.3).astype(float)
    net, out, _ = _net("conv", (3, 4, 4), spikes=spikes, weight=KERNEL)
    together = _V(net, out)
    for b in range(3):
        alone, out_b, _ = _net("conv", (3, 4, 4), spikes=spikes[b:b + 1], weight=KERNEL)
        np.testing.assert_array_equal(together[b], _V(alone, out_b)[0])


def test_default_kernel_is_spaic_draw_from_numpys_global_generator():
    np.random.seed(11)
    _, _, con = _net("conv", (3, 4, 4))
    np.random.seed(11)
    np.testing.assert_array_equal(con.weight, 0.05 * np.random.randn(3, 2, 3, 3) + 0.05)


@pytest.mark.parametrize("syn_type", ["maxpool", "avgpool"])
def test_a_pool_link_averages_each_window_as_spaic_063_does(syn_type):
    net, out, _ = _net("pool", (2, 3, 3), syn_type=[syn_type])
    counts = SPIKES[0].sum(axis=0).reshape(2, 3, 2, 3, 2)     # (c, y, ky, x, kx)
    expected = counts.sum(axis=(2, 4)) / 4.0
    np.testing.assert_allclose(_V(net, out)[0], expected, rtol=0, atol=1e-12)


def test_an_output_shape_that_does_not_match_the_convolution_is_refused():
    with pytest.raises(ModelError) as e:
        _net("conv", (3, 5, 5), weight=KERNEL)
    assert e.value.symbol == "shape"


def test_a_kernel_of_the_wrong_shape_is_refused():
    with pytest.raises(ModelError) as e:
        _net("conv", (3, 4, 4), weight=KERNEL[:, :1])
    assert e.value.symbol == "weight"


def test_pooling_before_the_convolution_in_a_conv_link_is_refused_naming_syn_type():
    with pytest.raises(ModelError) as e:
        _net("conv", (3, 2, 2), weight=KERNEL, syn_type=["maxpool", "conv"])
    assert e.value.symbol == "syn_type"


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_a_conv_link_with_maxpool_takes_each_windows_largest_output_every_step(backend):
    net, out, _ = _net("conv", (3, 2, 2), _float64(backend), weight=KERNEL,
                       syn_type=["conv", "maxpool"])
    expected = np.zeros((3, 2, 2))
    for step in SPIKES[0]:         # SPAIC: max_pool2d(conv2d(O)) into Isyn, every step
        conv = _conv_reference(step.reshape(2, 6, 6), KERNEL)          # (3, 4, 4)
        expected += conv.reshape(3, 2, 2, 2, 2).max(axis=(2, 4))
    # sums of 7 steps' maxima of float64 sums in another order: within 1e-12
    np.testing.assert_allclose(_V(net, out)[0], expected, rtol=0, atol=1e-12)


def test_max_pooling_with_padding_takes_the_largest_output_inside_the_image():
    net, out, _ = _net("conv", (3, 3, 3), _float64(), weight=KERNEL,
                       syn_type=["conv", "maxpool"], pool_padding=1)
    expected = np.zeros((3, 3, 3))
    for step in SPIKES[0]:
        conv = np.pad(_conv_reference(step.reshape(2, 6, 6), KERNEL),
                      ((0, 0), (1, 1), (1, 1)), constant_values=-np.inf)   # (3, 6, 6)
        expected += conv.reshape(3, 3, 2, 3, 2).max(axis=(2, 4))
    np.testing.assert_allclose(_V(net, out)[0], expected, rtol=0, atol=1e-12)


def test_a_flat_group_is_refused_by_a_conv_link():
    with pytest.raises(ModelError) as e:
        spaic.Connection(spaic.NeuronGroup(72, model="if"),
                         spaic.NeuronGroup(shape=(3, 4, 4), model="if"), link_type="conv")
    assert e.value.symbol == "shape"


def test_a_learner_on_a_conv_link_is_refused():
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(shape=(2, 6, 6), coding_method="null")
        out = spaic.NeuronGroup(shape=(3, 4, 4), model="if")
        con = spaic.Connection(inp, out, link_type="conv", weight=KERNEL)
        spaic.Learner(trainable=con, algorithm="nearest_online_stdp")
    with pytest.raises(ModelError):
        net.build(backend="numpy")


def test_a_conv_link_with_avgpool_averages_the_convolution_over_each_window():
    net, out, con = _net("conv", (3, 2, 2), _float64(), weight=KERNEL,
                         syn_type=["conv", "avgpool"])
    counts = SPIKES[0].sum(axis=0).reshape(2, 6, 6)
    conv = _conv_reference(counts, KERNEL)                    # (3, 4, 4)
    expected = conv.reshape(3, 2, 2, 2, 2).mean(axis=(2, 4))
    # the same products summed in another order: within 1e-12
    np.testing.assert_allclose(_V(net, out)[0], expected, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(con.weight, KERNEL)        # the kernel, not its average


def test_save_state_and_load_give_back_the_kernel(tmp_path):
    net, out, con = _net("conv", (3, 4, 4), weight=KERNEL)
    net.save_state("conv", direct=str(tmp_path))
    con.weight = np.zeros_like(KERNEL)
    net.state_from_dict(filename="conv", direct=str(tmp_path))
    np.testing.assert_array_equal(con.weight, KERNEL)


def test_a_conv_network_saved_and_loaded_runs_bit_for_bit(tmp_path):
    net, out, _ = _net("conv", (3, 2, 2), weight=KERNEL, syn_type=["conv", "avgpool"],
                       stride=1)
    spaic.network_save(net, "cnn", path=str(tmp_path))
    loaded = spaic.network_load("cnn", path=str(tmp_path), device="numpy")
    con = loaded.all_connections()[0]
    np.testing.assert_array_equal(con.weight, KERNEL)
    assert con.syn_type == ["conv", "avgpool"]
    data = np.concatenate([SPIKES, np.zeros_like(SPIKES[:, :1])], axis=1)
    for n in (net, loaded):
        [g for g in n.groups() if isinstance(g, spaic.Encoder)][0](data)
        n.run(0.7)
    group = [g for g in loaded.groups() if isinstance(g, spaic.NeuronGroup)][0]
    np.testing.assert_array_equal(_V(loaded, group), _V(net, out))


def test_a_conv_bias_is_added_to_each_output_channel_at_every_step():
    bias = np.array([0.5, -1.0, 2.0])
    net, out, _ = _net("conv", (3, 4, 4), _float64(), weight=KERNEL, bias=bias)
    counts = SPIKES[0].sum(axis=0).reshape(2, 6, 6)
    steps = SPIKES.shape[1] + 1                     # the run's 7 steps, each with the bias
    expected = _conv_reference(counts, KERNEL) + steps * bias[:, None, None]
    np.testing.assert_allclose(_V(net, out)[0], expected, rtol=0, atol=1e-12)


def test_a_bias_of_the_wrong_length_is_refused():
    with pytest.raises(ModelError) as e:
        _net("conv", (3, 4, 4), weight=KERNEL, bias=[1.0, 2.0])
    assert e.value.symbol == "bias"


def test_a_conv_network_with_a_bias_saved_and_loaded_keeps_it(tmp_path):
    net, _, _ = _net("conv", (3, 4, 4), weight=KERNEL, bias=np.array([0.5, -1.0, 2.0]))
    spaic.network_save(net, "cnn", path=str(tmp_path))
    loaded = spaic.network_load("cnn", path=str(tmp_path), device="numpy")
    np.testing.assert_array_equal(loaded.all_connections()[0].bias, [0.5, -1.0, 2.0])


def test_a_monitor_of_a_conv_links_weight_records_its_kernel_at_each_sample():
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(shape=(2, 6, 6), coding_method="null")
        out = spaic.NeuronGroup(shape=(3, 4, 4), model="if")
        con = spaic.Connection(inp, out, link_type="conv", weight=KERNEL)
        mon = spaic.StateMonitor(con, "weight")
    net.build(backend="numpy")
    inp(np.zeros((1, 5, 72)))
    net.run(0.5)
    assert mon.values.shape == (1, 3, 2, 3, 3, 5)
    np.testing.assert_array_equal(mon.values[0, ..., 4], KERNEL)
    np.testing.assert_allclose(mon.times, [0.0, 0.1, 0.2, 0.3, 0.4])


def test_max_pooling_that_leaves_the_last_outputs_out_of_every_window_runs():
    # a 2x2 kernel on 6x6 makes 5x5 outputs; windows of 2 at stride 2 read 4x4 of them
    net, out, _ = _net("conv", (3, 2, 2), weight=KERNEL[:, :, :2, :2], kernel_size=2,
                       syn_type=["conv", "maxpool"])
    expected = np.zeros((3, 2, 2))
    for step in SPIKES[0]:
        conv = _conv_reference(step.reshape(2, 6, 6), KERNEL[:, :, :2, :2])   # (3, 5, 5)
        expected += conv[:, :4, :4].reshape(3, 2, 2, 2, 2).max(axis=(2, 4))
    np.testing.assert_allclose(_V(net, out)[0], expected, rtol=0, atol=1e-12)
