"""The generated C++ training kernels agree with the NumPy reference of the same
statements, keep only what the backward pass reads, and refuse what they cannot train
with a message.

Tolerances: float64, 1e-12 relative (the C++ and NumPy evaluate the same expressions;
libm's and NumPy's exp differ in the last bit); float32, 1e-5 (a few ulps over T steps).
"""
import numpy as np
import pytest

import pyspike as ps
from pyspike.codegen.errors import ModelError
from pyspike.train import NeuronKernels

T, B, N = 15, 3, 6


def _run(k, x, g, w=None):
    out, ctx = k.forward(x, wrec=w)
    gin, gp = k.backward(g, ctx)
    return out, ctx, gin, gp


@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-12), ("float32", 1e-5)])
@pytest.mark.parametrize("model", ["lif", "clif", "aclif", "plif"])
@pytest.mark.parametrize("recurrent", [False, True])
def test_the_cpp_kernels_give_the_references_outputs_and_gradients(model, dtype, rtol,
                                                                   recurrent):
    rng = np.random.default_rng(0)
    x = rng.normal(0.4, 1.0, (T, B, N))
    g = rng.normal(size=(T, B, N))
    w = rng.normal(0, 0.4, (N, N)) if recurrent else None
    kw = dict(dtype=dtype, trainable=("v_th", "tau_m"), recurrent=recurrent)
    cpp = _run(NeuronKernels(model, **kw), x, g, w)
    ref = _run(NeuronKernels(model, backend="numpy", **kw), x, g, w)
    np.testing.assert_array_equal(cpp[0], ref[0])
    np.testing.assert_allclose(cpp[1].saved, ref[1].saved, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(cpp[2], ref[2], rtol=rtol, atol=rtol * np.abs(ref[2]).max())
    for p in ("v_th", "tau_m"):
        assert cpp[3][p] == pytest.approx(ref[3][p], rel=rtol * 10, abs=rtol)


def test_a_lif_layer_saves_one_value_per_neuron_and_step():
    k = NeuronKernels("lif", trainable=("tau_m",))
    out, ctx = k.forward(np.zeros((T, B, N), np.float32))
    assert k.saved_per_step == 1
    assert ctx.saved.nbytes / (T * B * N) == 4


def test_a_model_nonlinear_in_its_input_keeps_the_input_for_the_backward_pass():
    model = ps.NeuronModel(equations="I : 1", update="v = 0.9*v + I**2",
                           threshold="v > 1", reset="v = 0")
    assert NeuronKernels(model).saved_per_step == 2


def test_the_forward_pass_continues_from_a_given_state():
    k = NeuronKernels("lif", dtype="float64")
    x = np.full((4, 1, 1), 0.3)
    out, _ = k.forward(x)
    out2, _ = k.forward(x, state0=k.state)
    whole, _ = k.forward(np.concatenate([x, x]))
    np.testing.assert_array_equal(np.concatenate([out, out2]), whole)


def test_a_readout_without_threshold_emits_its_potential():
    model = ps.NeuronModel(equations="I : 1", update="v = 0.5*v + I")
    k = NeuronKernels(model, output="v", dtype="float64")
    out, _ = k.forward(np.ones((3, 1, 1)))
    np.testing.assert_allclose(out[:, 0, 0], [1.0, 1.5, 1.75])


def test_a_threshold_of_two_conditions_is_refused():
    model = ps.NeuronModel(equations="I : 1", update="v = 0.5*v + I",
                           threshold="v > 1 and v < 3", reset="v = 0")
    with pytest.raises(ModelError, match="one comparison"):
        NeuronKernels(model)


def test_a_parameter_the_model_lacks_is_refused():
    with pytest.raises(ModelError, match="'tau' is not a parameter"):
        NeuronKernels("lif", params={"tau": 3.0})


def test_training_a_parameter_the_model_lacks_is_refused():
    with pytest.raises(ModelError, match="cannot be trained|can be trained"):
        NeuronKernels("lif", trainable=("tau",))


def test_an_unknown_surrogate_is_refused_with_the_choices():
    with pytest.raises(ModelError, match="atan"):
        NeuronKernels("lif", surrogate="atanh")


def test_a_model_without_input_names_its_variables():
    model = ps.NeuronModel(equations="J : 1", update="v = 0.5*v + J", threshold="v > 1",
                           reset="v = 0")
    with pytest.raises(ModelError, match="input="):
        NeuronKernels(model)


def test_a_model_with_noise_is_refused():
    model = ps.NeuronModel(equations="dv/dt = (-v + I)/(10*ms) + xi/sqrt(ms) : 1\nI : 1",
                           threshold="v > 1", reset="v = 0")
    with pytest.raises(ModelError, match="noise"):
        NeuronKernels(model)


def test_the_reference_computes_pyspikes_own_functions():
    # Izhikevich's exponential Euler step calls exprel (codegen/functions.py)
    x = np.random.default_rng(0).normal(5, 5, (20, 2, 3))
    g = np.random.default_rng(1).normal(size=x.shape)
    kw = dict(dtype="float64", dt=0.1, trainable=("a",))
    cpp = _run(NeuronKernels("Izhikevich", **kw), x, g)
    ref = _run(NeuronKernels("Izhikevich", backend="numpy", **kw), x, g)
    np.testing.assert_array_equal(cpp[0], ref[0])
    np.testing.assert_allclose(cpp[2], ref[2], rtol=1e-12, atol=1e-12 * np.abs(ref[2]).max())


@pytest.mark.parametrize("backend", ["cpu", "numpy"])
@pytest.mark.parametrize("model,recurrent", [("clif", False), ("aclif", True),
                                             ("lif", True)])
def test_checkpoints_give_the_gradients_of_a_run_that_saves_every_step(backend, model,
                                                                       recurrent):
    rng = np.random.default_rng(2)
    x = rng.normal(0.4, 1.0, (T, B, N))
    g = rng.normal(size=(T, B, N))
    w = rng.normal(0, 0.4, (N, N)) if recurrent else None
    kw = dict(dtype="float64", trainable=("v_th", "tau_m"), recurrent=recurrent,
              backend=backend)
    whole = NeuronKernels(model, **kw)
    pieces = NeuronKernels(model, checkpoint=4, **kw)
    out, ctx = whole.forward(x, wrec=w)
    out4, ctx4 = pieces.forward(x, wrec=w)
    np.testing.assert_array_equal(out4, out)
    assert ctx4.saved is None and len(ctx4.checkpoints) == 4      # steps 0, 4, 8, 12
    gin, gp = whole.backward(g, ctx)
    gin4, gp4 = pieces.backward(g, ctx4, input=x)
    # the same operations on every element: equal bits; the parameter gradients are
    # summed piece by piece (another order of a sum of doubles)
    np.testing.assert_array_equal(gin4, gin)
    for p in gp:
        assert gp4[p] == pytest.approx(gp[p], rel=1e-13)
    if recurrent:
        np.testing.assert_allclose(pieces.gwrec, whole.gwrec, rtol=1e-13, atol=1e-13)


def test_checkpoints_need_the_input_again():
    k = NeuronKernels("lif", checkpoint=2)
    out, ctx = k.forward(np.zeros((4, 1, 2), np.float32))
    with pytest.raises(ModelError, match="input again"):
        k.backward(np.ones_like(out), ctx)


@pytest.mark.parametrize("backend", ["cpu", "numpy"])
def test_a_bias_is_added_to_every_steps_input(backend):
    rng = np.random.default_rng(4)
    x, bias = rng.normal(0.4, 1.0, (T, B, N)), rng.normal(0, 0.5, N)
    k = NeuronKernels("clif", dtype="float64", recurrent=True, backend=backend)
    w = rng.normal(0, 0.4, (N, N))
    np.testing.assert_array_equal(k.forward(x, wrec=w, bias=bias)[0],
                                  k.forward(x + bias, wrec=w)[0])


@pytest.mark.parametrize("backend", ["cpu", "numpy"])
def test_parameters_per_neuron_equal_their_shared_value_when_all_alike(backend):
    rng = np.random.default_rng(8)
    x, g = rng.normal(0.4, 1.0, (T, B, N)), rng.normal(size=(T, B, N))
    kw = dict(dtype="float64", trainable=("tau_m", "v_th"), backend=backend)
    shared = NeuronKernels("lif", **kw)
    each = NeuronKernels("lif", per_neuron=("tau_m", "v_th"), **kw)
    out, ctx = shared.forward(x)
    out_each, ctx_each = each.forward(x)
    np.testing.assert_array_equal(out_each, out)
    gin, gp = shared.backward(g, ctx)
    gin_each, gp_each = each.backward(g, ctx_each)
    np.testing.assert_allclose(gin_each, gin, rtol=1e-12, atol=1e-12)
    for p in ("tau_m", "v_th"):
        assert gp_each[p].shape == (N,)
        assert gp_each[p].sum() == pytest.approx(gp[p], rel=1e-11)


def test_parameters_per_neuron_give_the_references_outputs_and_gradients():
    rng = np.random.default_rng(9)
    x, g = rng.normal(0.6, 1.0, (T, B, N)), rng.normal(size=(T, B, N))
    w = rng.normal(0, 0.3, (N, N))
    results = []
    for backend in ("cpu", "numpy"):
        k = NeuronKernels("clif", dtype="float64", per_neuron=("tau_m", "v_th"),
                          trainable=("v_th", "tau_p"), backend=backend, recurrent=True)
        k.values["tau_m"] = np.linspace(10, 30, N)
        k.values["v_th"] = np.linspace(0.5, 1.5, N)
        out, ctx = k.forward(x, wrec=w)
        results.append((out, *k.backward(g, ctx)))
    (o1, g1, p1), (o2, g2, p2) = results
    np.testing.assert_array_equal(o1, o2)
    np.testing.assert_allclose(g1, g2, rtol=1e-12, atol=1e-12 * np.abs(g2).max())
    np.testing.assert_allclose(p1["v_th"], p2["v_th"], rtol=1e-11, atol=1e-12)
    assert p1["tau_p"] == pytest.approx(p2["tau_p"], rel=1e-11)


def test_a_per_neuron_value_of_the_wrong_length_is_refused():
    k = NeuronKernels("lif", per_neuron=("tau_m",))
    k.values["tau_m"] = np.ones(3)
    with pytest.raises(ModelError, match="one per neuron"):
        k.forward(np.zeros((2, 1, 4), np.float32))
