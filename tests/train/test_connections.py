"""Sparse (CSR) and convolutional connections of pyspike.train: the same outputs and
gradients as a dense Linear with the same weights and as torch's conv2d and pooling
(through pyspike.torch.SpikingConv2d, which runs the same neuron kernels), gradients
equal to finite differences, and a small convolutional network that learns the digits.

Tolerances: float64 with smooth (sigmoid) spikes; the dense and torch products sum in
another order than the CSR loops and im2col, hence 1e-12 rather than equality for
continuous values; central differences of step 1e-6: 1e-5 relative.
"""
import numpy as np
import pytest

import pyspike.train as pt
import pyspike.train.connections as connections
from pyspike.codegen.errors import ModelError
from pyspike.train.connections import Conv2d, SparseLinear

SMOOTH = dict(dtype="float64", smooth=True, surrogate="sigmoid")


def _loss(layer, x, gout):
    return float((layer.forward(x) * gout).sum())


def _check_finite_differences(layer, x, names, count=4):
    """The parameters' and the input's gradients against central differences."""
    rng = np.random.default_rng(1)
    layer.input_grad = True
    out = layer.forward(x)
    gout = rng.normal(size=out.shape)
    gx = layer.backward(gout)
    grads = {k: v.copy() for k, v in layer.grads.items()}
    eps = 1e-6
    arrays = [(name, layer.params[name], grads[name]) for name in names] + [("x", x, gx)]
    for name, p, g in arrays:
        for idx in [tuple(rng.integers(0, s) for s in p.shape) for _ in range(count)]:
            old = p[idx]
            p[idx] = old + eps
            up = _loss(layer, x, gout)
            p[idx] = old - eps
            down = _loss(layer, x, gout)
            p[idx] = old
            assert g[idx] == pytest.approx((up - down) / (2 * eps), rel=1e-5, abs=1e-9), \
                (name, idx)


def _dense_twin(sparse: SparseLinear, **options) -> pt.Linear:
    dense = pt.Linear(sparse.n_in, sparse.n_out, **options)
    dense.params["weight"][...] = sparse.dense()
    dense.params["bias"][...] = sparse.params["bias"]
    return dense


# --- SparseLinear ---------------------------------------------------------------------

def test_a_sparse_layer_spikes_as_a_dense_layer_with_its_weights():
    sparse = SparseLinear(40, 30, p=0.3, seed=0, dtype="float64", weight_scale=3.0)
    x = (np.random.default_rng(0).random((20, 3, 40)) < 0.4).astype(float)
    out = sparse(x)
    assert out.sum() > 50
    np.testing.assert_array_equal(out, _dense_twin(sparse, dtype="float64")(x))


def test_a_sparse_layers_gradients_are_a_dense_layers_at_its_synapses():
    sparse = SparseLinear(40, 30, p=0.3, seed=0, weight_scale=3.0, **SMOOTH)
    dense = _dense_twin(sparse, **SMOOTH)
    sparse.input_grad = dense.input_grad = True
    x = np.random.default_rng(0).random((20, 3, 40))
    out = sparse(x)
    np.testing.assert_allclose(out, dense(x), rtol=1e-12, atol=1e-14)
    gout = np.random.default_rng(1).normal(size=out.shape)
    gx, gx_dense = sparse.backward(gout), dense.backward(gout)
    np.testing.assert_allclose(gx, gx_dense, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(sparse.grads["weight"],
                               dense.grads["weight"][sparse.post, sparse.pre], rtol=1e-12,
                               atol=1e-13)
    np.testing.assert_allclose(sparse.grads["bias"], dense.grads["bias"], rtol=1e-12)


def test_a_sparse_layers_gradients_are_those_of_finite_differences():
    layer = SparseLinear(12, 9, p=0.4, seed=3, weight_scale=3.0, trainable=("tau_m",),
                         **SMOOTH)
    x = np.random.default_rng(0).random((10, 2, 12))
    _check_finite_differences(layer, x, ["weight", "bias", "tau_m"])


def test_event_driven_and_gathered_currents_are_the_same_bits(monkeypatch):
    layer = SparseLinear(50, 40, p=0.2, seed=1, weight_scale=3.0, **SMOOTH)
    x = (np.random.default_rng(0).random((30, 4, 50)) < 0.1).astype(float)
    monkeypatch.setattr(connections, "EVENT_DENSITY", 0.0)
    gathered = layer(x)
    monkeypatch.setattr(connections, "EVENT_DENSITY", 1.0)
    np.testing.assert_array_equal(layer(x), gathered)


def test_event_driven_and_tiled_weight_gradients_agree(monkeypatch):
    layer = SparseLinear(50, 40, p=0.2, seed=1, weight_scale=3.0, **SMOOTH)
    x = (np.random.default_rng(0).random((30, 4, 50)) < 0.1).astype(float)
    gout = np.random.default_rng(1).normal(size=(30, 4, 40))
    grads = []
    for density in (0.0, 1.0):
        monkeypatch.setattr(connections, "EVENT_DENSITY", density)
        layer(x)
        layer.backward(gout)
        grads.append(layer.grads["weight"])
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-12, atol=1e-14)


def test_a_float32_sparse_layer_computes_what_float64_does():
    x = np.random.default_rng(0).random((15, 70, 33))       # several tiles of rows
    out = {}
    for dtype in ("float32", "float64"):
        layer = SparseLinear(33, 20, p=0.3, seed=2, dtype=dtype, smooth=True,
                             surrogate="sigmoid")
        layer.input_grad = True
        out[dtype] = layer(x), layer.backward(np.ones((15, 70, 20))), layer.grads["weight"]
    for a, b in zip(out["float32"], out["float64"]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


def test_random_synapses_have_the_probability_p_and_follow_the_seed():
    a, b = SparseLinear(300, 200, p=0.1, seed=5), SparseLinear(300, 200, p=0.1, seed=5)
    assert abs(a.nnz - 6000) < 4 * np.sqrt(6000 * 0.9)
    np.testing.assert_array_equal(a.pre, b.pre)
    np.testing.assert_array_equal(a.params["weight"], b.params["weight"])
    assert not np.array_equal(a.pre, SparseLinear(300, 200, p=0.1, seed=6).pre)


def test_given_pairs_are_kept_by_postsynaptic_row():
    layer = SparseLinear(5, 3, indices=([4, 0, 2, 1], [2, 0, 0, 2]), seed=0)
    assert layer.indptr.tolist() == [0, 2, 2, 4]
    assert layer.pre.tolist() == [0, 2, 1, 4]
    assert layer.post.tolist() == [0, 0, 2, 2]


def test_each_rows_weights_start_within_one_over_the_root_of_its_fan_in():
    layer = SparseLinear(400, 50, p=0.05, seed=0)
    fan = np.diff(layer.indptr)
    bound = 1 / np.sqrt(fan[layer.post])
    w = layer.params["weight"]
    assert np.all(np.abs(w) <= bound) and np.abs(w / bound).max() > 0.95


def test_a_synapse_given_twice_is_refused():
    with pytest.raises(ModelError, match="i = 1, j = 2 twice"):
        SparseLinear(3, 3, indices=([1, 0, 1], [2, 0, 2]))


def test_an_index_outside_the_layer_is_refused():
    with pytest.raises(ModelError, match="j = 7, outside 0..2"):
        SparseLinear(3, 3, indices=([1], [7]))


def test_the_synapses_must_be_given_one_way():
    with pytest.raises(ModelError, match="either p= .* or indices="):
        SparseLinear(3, 3)


def test_adam_trains_a_sparse_layer_in_place():
    layer = SparseLinear(20, 2, p=0.5, seed=0)
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 200)
    x = rng.random((200, 20)) * 0.4
    x[labels == 1, :10] += 0.6          # class 1 lights the first half, class 0 the second
    x[labels == 0, 10:] += 0.6
    weight = layer.params["weight"]
    before = weight.copy()
    history = pt.fit(layer, x, labels, epochs=3, steps=10, batch_size=25,
                     optimizer=pt.Adam(3e-2), progress=False, seed=0)
    assert layer.params["weight"] is weight and not np.array_equal(weight, before)
    assert history.epochs[-1]["loss"] < history.epochs[0]["loss"] / 10


# --- Conv2d ---------------------------------------------------------------------------

CONVS = [dict(), dict(pool="max"), dict(pool="avg", pool_size=2),
         dict(stride=2, padding=1), dict(padding=(1, 0), pool="max", pool_size=(2, 3))]


@pytest.mark.parametrize("options", CONVS, ids=lambda o: ",".join(map(str, o.values())))
def test_a_conv_layer_equals_torch_conv2d_and_pooling(options):
    torch = pytest.importorskip("torch")
    from pyspike.torch import SpikingConv2d
    layer = Conv2d(2, 3, 3, size=(9, 8), seed=0, weight_scale=3.0, **options, **SMOOTH)
    layer.input_grad = True
    twin = SpikingConv2d(2, 3, 3, size=(9, 8), smooth=True, surrogate="sigmoid",
                         **options).double()
    with torch.no_grad():
        twin.conv.weight.copy_(torch.from_numpy(layer.params["weight"]))
        twin.conv.bias.copy_(torch.from_numpy(layer.params["bias"]))
    x = np.random.default_rng(0).random((6, 2, 2, 9, 8))
    out = layer(x)
    xt = torch.tensor(x, requires_grad=True)
    out_t = twin(xt)
    assert out_t.shape[2:] == layer.out_shape
    np.testing.assert_allclose(out, out_t.detach().numpy().reshape(out.shape), rtol=1e-12,
                               atol=1e-14)
    gout = np.random.default_rng(1).normal(size=out.shape)
    gx = layer.backward(gout)
    out_t.backward(torch.from_numpy(gout).reshape(out_t.shape))
    for mine, theirs in ((gx, xt.grad), (layer.grads["weight"], twin.conv.weight.grad),
                         (layer.grads["bias"], twin.conv.bias.grad)):
        np.testing.assert_allclose(mine, theirs.numpy(), rtol=1e-10, atol=1e-12)


def test_max_pooling_sends_the_gradient_to_the_first_of_equal_values():
    torch = pytest.importorskip("torch")
    x = torch.ones(1, 1, 4, 4, dtype=torch.float64, requires_grad=True)
    torch.nn.functional.max_pool2d(x, 2).sum().backward()
    layer = Conv2d(1, 1, 1, size=(4, 4), pool="max", bias=False, **SMOOTH)
    layer.params["weight"][...] = 1.0
    layer.input_grad = True
    out = layer(np.ones((1, 1, 1, 4, 4)))
    gx = layer.backward(np.ones_like(out))
    np.testing.assert_array_equal(gx[0, 0] != 0, x.grad.numpy()[0] != 0)


@pytest.mark.parametrize("options", [dict(stride=2, padding=1, pool="avg"),
                                     dict(pool="max")], ids=["strided-avg", "max"])
def test_a_conv_layers_gradients_are_those_of_finite_differences(options):
    layer = Conv2d(2, 3, (3, 2), size=(7, 6), seed=1, weight_scale=3.0, **options, **SMOOTH)
    x = np.random.default_rng(0).random((5, 2, 2, 7, 6))
    _check_finite_differences(layer, x, ["weight", "bias"])


def test_a_flattened_input_gives_the_frames_output():
    layer = Conv2d(2, 3, 3, size=(6, 5), seed=0, pool="avg", **SMOOTH)
    layer.input_grad = True
    x = np.random.default_rng(0).random((4, 2, 2, 6, 5))
    gout = np.ones((4, 2, layer.n_out))
    out, gx = layer(x), layer.backward(gout)
    out_flat, gx_flat = layer(x.reshape(4, 2, -1)), layer.backward(gout)
    np.testing.assert_array_equal(out, out_flat)
    np.testing.assert_array_equal(gx.reshape(4, 2, -1), gx_flat)
    assert gx_flat.shape == (4, 2, 60)


def test_conv_weights_start_as_torch_conv2ds():
    layer = Conv2d(4, 8, 3, size=(5, 5), seed=0)
    bound = 1 / np.sqrt(4 * 3 * 3)
    for name in ("weight", "bias"):
        w = layer.params[name]
        assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound


def test_a_kernel_larger_than_the_input_is_refused():
    with pytest.raises(ModelError, match="leaves nothing of a 4x4 input"):
        Conv2d(1, 2, 5, size=(4, 4))


def test_an_input_of_another_size_is_refused():
    with pytest.raises(ModelError, match=r"\(steps, samples, 1, 8, 8\)"):
        Conv2d(1, 2, 3, size=(8, 8))(np.ones((2, 1, 1, 7, 8)))


@pytest.mark.parametrize("make", [
    lambda **o: SparseLinear(60, 20, p=0.3, seed=0, weight_scale=3.0, **o),
    lambda **o: Conv2d(1, 3, 3, size=(6, 10), pool="max", seed=0, weight_scale=3.0, **o)],
    ids=["sparse", "conv"])
def test_a_layer_with_checkpoints_gives_the_gradients_of_one_that_saves_every_step(make):
    x = np.random.default_rng(0).random((12, 3, 60)) * 2
    grads = []
    for options in ({}, {"checkpoint": 5}):
        layer = make(dtype="float64", **options)
        out = layer(x)
        layer.backward(np.ones_like(out))
        grads.append(layer.grads)
    for name in grads[0]:
        np.testing.assert_allclose(grads[1][name], grads[0][name], rtol=1e-13, atol=1e-13)


def test_a_small_conv_network_learns_the_digits():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    d = load_digits()
    xtr, xte, ytr, yte = train_test_split(d.data / 16.0, d.target, test_size=0.2,
                                          stratify=d.target, random_state=0)
    conv = Conv2d(1, 4, 3, size=(8, 8), pool="max", seed=0)
    net = pt.Sequential(conv, pt.Linear(conv.n_out, 10, seed=1))
    history = pt.fit(net, xtr, ytr, epochs=3, steps=15, batch_size=32,
                     optimizer=pt.Adam(1e-2), validation=(xte, yte), progress=False, seed=0)
    assert history.epochs[-1]["accuracy"] > 0.8
