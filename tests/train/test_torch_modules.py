"""pyspike.torch: the generated kernels as autograd nodes and torch modules.

torch.autograd.gradcheck compares the backward pass with finite differences (float64,
smooth sigmoid spikes, its default tolerances: atol 1e-5, rtol 1e-3).
"""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

import pyspike.torch as pst  # noqa: E402
import pyspike.train as pt  # noqa: E402
from pyspike.codegen.errors import ModelError  # noqa: E402

SMOOTH = dict(smooth=True, surrogate="sigmoid")


def test_the_neuron_function_passes_gradcheck_for_inputs_weights_and_parameters():
    neurons = pst.SpikingNeurons(4, "lif", recurrent=True, trainable=("tau_m",), **SMOOTH)
    k = neurons._build("float64")
    current = (torch.rand(6, 2, 4, dtype=torch.float64) * 2).requires_grad_()
    w = (torch.randn(4, 4, dtype=torch.float64) * 0.5).requires_grad_()
    tau = torch.tensor(8.0, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(
        lambda c, w, tau: pst.NeuronFunction.apply(c, k, w, tau), (current, w, tau))


def test_a_spiking_conv2d_with_pooling_passes_gradcheck():
    torch.manual_seed(0)
    layer = pst.SpikingConv2d(1, 2, 3, (6, 6), pool="max", **SMOOTH).double()
    x = torch.rand(4, 1, 1, 6, 6, dtype=torch.float64, requires_grad=True)
    assert layer(x).shape == (4, 1, 2, 2, 2)
    assert torch.autograd.gradcheck(layer, (x,))


def test_a_spiking_linear_layer_gives_pyspike_trains_outputs_and_gradients():
    torch.manual_seed(0)
    layer = pst.SpikingLinear(5, 3, "lif").double()
    numpy_layer = pt.Linear(5, 3, "lif", dtype="float64")
    numpy_layer.params["weight"][...] = layer.fc.weight.detach().numpy()
    numpy_layer.params["bias"][...] = layer.fc.bias.detach().numpy()
    x = torch.rand(8, 2, 5, dtype=torch.float64) * 2
    out = layer(x)
    out.backward(torch.ones_like(out))
    ref = numpy_layer.forward(x.numpy())
    numpy_layer.backward(np.ones_like(ref))
    np.testing.assert_array_equal(out.detach().numpy(), ref)
    np.testing.assert_allclose(layer.fc.weight.grad.numpy(), numpy_layer.grads["weight"],
                               rtol=1e-12, atol=1e-14)


def test_a_mixed_network_learns_with_a_torch_optimiser():
    torch.manual_seed(0)
    net = torch.nn.Sequential(pst.SpikingLinear(4, 32, "lif"), pst.SpikingLinear(32, 2, "lif"))
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    x = torch.rand(64, 4)
    y = (x[:, 0] > x[:, 1]).long()
    losses = []
    for _ in range(30):
        spikes = (torch.rand(20, 64, 4) < x).float()
        loss = torch.nn.functional.cross_entropy(net(spikes).sum(0), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert np.mean(losses[-5:]) < 0.7 * np.mean(losses[:5])


def test_a_trained_parameter_is_an_nn_parameter():
    layer = pst.SpikingLinear(3, 2, "lif", trainable=("tau_m",))
    assert any(p is layer.neurons.trained["tau_m"] for p in layer.parameters())


def test_a_current_of_the_wrong_size_is_refused():
    with pytest.raises(ModelError, match="4 values per step"):
        pst.SpikingNeurons(4)(torch.zeros(3, 2, 5))


@pytest.mark.gpu
def test_cuda_tensors_run_the_cuda_kernels_and_give_the_cpu_results():
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device visible to torch")
    pytest.importorskip("cupy")
    torch.manual_seed(0)
    layer = pst.SpikingLinear(5, 3, "lif", trainable=("tau_m",)).double()
    x = torch.rand(8, 2, 5, dtype=torch.float64) * 2
    out = layer(x)
    out.backward(torch.ones_like(out))
    cpu = layer.fc.weight.grad.clone(), layer.neurons.trained["tau_m"].grad.clone()
    layer.zero_grad()
    layer.cuda()
    out_gpu = layer(x.cuda())
    out_gpu.backward(torch.ones_like(out_gpu))
    np.testing.assert_array_equal(out_gpu.cpu().detach().numpy(), out.detach().numpy())
    np.testing.assert_allclose(layer.fc.weight.grad.cpu().numpy(), cpu[0].numpy(),
                               rtol=1e-12, atol=1e-14)
    assert layer.neurons.trained["tau_m"].grad.item() == pytest.approx(cpu[1].item(),
                                                                        rel=1e-12)


def test_a_module_with_checkpoints_gives_the_gradients_of_one_that_saves_every_step():
    grads = []
    for options in ({}, {"checkpoint": 3}):
        torch.manual_seed(0)
        layer = pst.SpikingLinear(4, 3, "clif", **options).double()
        out = layer(torch.rand(10, 2, 4, dtype=torch.float64) * 3)
        out.sum().backward()
        grads.append(layer.fc.weight.grad)
    np.testing.assert_allclose(grads[1].numpy(), grads[0].numpy(), rtol=1e-13, atol=1e-13)


def test_a_parameter_per_neuron_is_a_vector_parameter_with_its_gradient():
    layer = pst.SpikingLinear(3, 4, "lif", per_neuron=("tau_m",), trainable=("tau_m",))
    tau = layer.neurons.trained["tau_m"]
    assert tau.shape == (4,)
    layer(torch.rand(6, 2, 3) * 3).sum().backward()
    assert tau.grad.shape == (4,) and torch.isfinite(tau.grad).all()
