"""SPAIC's gradient learners (STCA, STBP, sbp) on pyspike.spaic: one step against SPAIC
0.6.3 itself (tests/spaic/data/stca_step.npz, written by bench/spaic_peer/stca_step.py),
the torch graph against the compiled network, training, and what is refused."""
import os
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402

import pyspike.spaic as spaic  # noqa: E402
from pyspike import ModelError  # noqa: E402

REF = np.load(os.path.join(os.path.dirname(__file__), "data", "stca_step.npz"))
LEARNERS = {"stca": {"algorithm": "STCA", "alpha": 0.5},
            "stbp": {"algorithm": "STBP", "alpha": 0.5},
            "sbp_atan": {"algorithm": "sbp", "surrogate_func": "AtanGrad", "alpha": 2.0},
            "stca_lif": {"algorithm": "STCA", "alpha": 0.5},
            "stca_voltage": {"algorithm": "STCA", "alpha": 0.5}}
#: Relative to the largest gradient.  Both sides compute in float64; they differ by the
#: order of the sums (a matrix product, the kernels' arithmetic against torch's
#: operations): measured 2e-14.  SPAIC's AtanGrad keeps alpha as a float32 Parameter, so
#: its alpha*pi/2 is rounded to float32 (4e-8 relative per term): measured 3e-9.
TOLERANCE = {"sbp_atan": 1e-7}


def _reference_net(case, data_type="float64", decoder=None, learn=True):
    """SPAIC's network of stca_step.py for ``case``, its data given (not run)."""
    model = str(REF[f"{case}_model"])
    net = spaic.Network()
    with net:
        net.input = inp = spaic.Encoder(num=20, coding_method="null")
        layer1 = spaic.NeuronGroup(8, model=model)
        layer2 = spaic.NeuronGroup(3, model=model)
        spaic.Connection(inp, layer1, link_type="full", weight=REF[f"{model}_w1"], name="c1")
        spaic.Connection(layer1, layer2, link_type="full", weight=REF[f"{model}_w2"],
                         name="c2")
        net.output = spaic.Decoder(num=3, dec_target=layer2,
                                   coding_method=decoder or str(REF[f"{case}_decoder"]))
        net.voltage = spaic.Decoder(num=3, dec_target=layer2, coding_method="v_t")
        if learn:
            net.learner = spaic.Learner(trainable=net, **LEARNERS[case])
            net.learner.set_optimizer("Adam", 0.001)
    net.build(spaic.Backend("cpu", data_type=data_type))
    net.input(REF["x"].astype(np.float64))
    net.output(REF["label"])
    return net


def _connection(net, name):
    return next(c for c in net.all_connections() if c.name == name)


def _loss(net):
    return F.cross_entropy(net.output.predict, torch.from_numpy(REF["label"]))


@pytest.mark.parametrize("case", sorted(LEARNERS))
def test_one_step_gives_spaics_output_loss_and_weight_gradients(case):
    net = _reference_net(case)
    net.run(5.0)
    assert net.output.predict.grad_fn is not None
    # spike counts equal; the last step's voltage (stca_voltage) to rounding
    np.testing.assert_allclose(net.output.predict.detach().numpy(), REF[f"{case}_predict"],
                               rtol=1e-12, atol=0)
    loss = _loss(net)
    net.learner.optim_zero_grad()
    loss.backward()
    assert float(loss.detach()) == pytest.approx(float(REF[f"{case}_loss"]), rel=1e-12)
    params = dict(zip(("c1", "c2"), net.learner.optim.param_groups[0]["params"]))
    for key, name in (("grad_w1", "c1"), ("grad_w2", "c2")):
        ref = REF[f"{case}_{key}"]
        assert np.abs(ref).max() > 0
        np.testing.assert_allclose(params[name].grad.numpy(), ref, rtol=0,
                                   atol=TOLERANCE.get(case, 1e-10) * np.abs(ref).max())


@pytest.mark.parametrize("case", ["stca", "stca_lif"])
def test_the_output_voltage_of_every_step_equals_spaics(case):
    net = _reference_net(case)
    net.run(5.0)
    np.testing.assert_allclose(net.voltage.predict.detach().numpy(),
                               REF[f"{str(REF[f'{case}_model'])}_v_t"], rtol=0, atol=1e-12)


@pytest.mark.parametrize("method", ["spike_counts", "spike_rate", "spike_rates",
                                    "first_spike", "time_spike_counts", "final_step_voltage",
                                    "voltage_sum", "v_t", "null"])
def test_each_torch_decoder_gives_the_numpy_definitions_values(method):
    from pyspike.spaic import decoding, gradient_decoders
    rng = np.random.default_rng(2)
    record = (rng.random((3, 12, 6)) < 0.2) * 1.0 if "spike" in method else \
        rng.normal(size=(3, 12, 6))                          # (B, T, N)
    record[1] = 0.0                                          # a silent sample
    options = {"pop_size": 2, "bias": 0.5, "scale": 2.0} if method in (
        "spike_counts", "spike_rate") else {}
    dec = spaic.Decoder(num=6, dec_target=spaic.NeuronGroup(6, model="lif"),
                        coding_method=method, **options)
    got = gradient_decoders.decode(dec, torch.from_numpy(record.transpose(1, 0, 2)), 0.1)
    want = decoding.lookup_decoder(method, options)[0](record, 0.1, **options)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-15)


def _spiking_net(kind, learn):
    """Small networks of each link kind the graph runs, with a spike-count decoder on
    every group; the same weights and input every time."""
    rng = np.random.default_rng(11)
    net = spaic.Network()
    with net:
        if kind in ("conv", "conv_maxpool"):
            net.input = inp = spaic.Encoder(shape=(2, 6, 6), coding_method="null")
            extra = {"syn_type": ["conv", "maxpool"], "bias": rng.normal(0.1, 0.1, 3)} \
                if kind == "conv_maxpool" else {}
            a = spaic.NeuronGroup(shape=(3, 4, 4) if kind == "conv" else (3, 2, 2),
                                  model="clif")
            spaic.Connection(inp, a, link_type="conv", kernel_size=3,
                             weight=rng.normal(0.5, 0.5, (3, 2, 3, 3)), **extra)
            # (a pool link averages 4 inputs: 'if' neurons that fire on two of them)
            b = spaic.NeuronGroup(shape=(3, 2, 2), model="if", v_th=0.4)
            spaic.Connection(a, b, link_type="pool") if kind == "conv" else \
                spaic.Connection(a, b, link_type="one_to_one", weight=np.eye(12) * 3.0)
            data = (rng.random((2, 40, 72)) < 0.3).astype(float)
        else:
            net.input = inp = spaic.Encoder(num=20, coding_method="null")
            a = spaic.NeuronGroup(8, model="clif")
            spaic.Connection(inp, a, link_type="sparse" if kind == "sparse" else "full",
                             weight=rng.normal(0.6, 0.5, (8, 20)) * (
                                 rng.random((8, 20)) < 0.5 if kind == "sparse" else 1))
            if kind == "recurrent":
                spaic.Connection(a, a, link_type="full", weight=rng.normal(0.0, 1.0, (8, 8)))
            b = spaic.NeuronGroup(3, model="lif")
            spaic.Connection(a, b, link_type="full", weight=rng.normal(0.3, 0.3, (3, 8)))
            spaic.Connection(inp, b, link_type="full", weight=rng.normal(0.0, 0.05, (3, 20)))
            data = (rng.random((2, 40, 20)) < 0.2).astype(float)
        net.da = spaic.Decoder(num=a.num, dec_target=a, coding_method="spike_counts")
        net.db = spaic.Decoder(num=b.num, dec_target=b, coding_method="spike_counts")
        if learn:
            spaic.Learner(trainable=net, algorithm="STCA")
    net.build(backend="cpu")
    net.input(data)
    net.run(4.0)
    out = [np.asarray(d.predict.detach() if learn else d.predict) for d in (net.da, net.db)]
    return out


@pytest.mark.parametrize("kind", ["full", "sparse", "recurrent", "conv", "conv_maxpool"])
def test_the_torch_graph_gives_the_spikes_of_the_compiled_network(kind):
    compiled, graph = _spiking_net(kind, False), _spiking_net(kind, True)
    assert compiled[1].sum() > 0 and compiled[0].sum() > 0
    for a, b in zip(compiled, graph):
        np.testing.assert_array_equal(a, b)


def _poisson_counts(seed):
    """200 Poisson inputs (p = 0.2 per step) each driving an 'if' neuron that fires on
    every input spike, 50 steps: the neurons' spike counts."""
    net = spaic.Network()
    with net:
        net.input = spaic.Encoder(num=200, coding_method="poisson", unit_conversion=2.0)
        g = spaic.NeuronGroup(200, model="if")
        spaic.Connection(net.input, g, link_type="one_to_one", weight=np.eye(200) * 2.0)
        net.output = spaic.Decoder(num=200, dec_target=g, coding_method="spike_counts")
        spaic.Learner(trainable=net, algorithm="STCA")
    net.set_random_seed(seed)
    net.input(np.ones((1, 200)))
    net.run(5.0)
    return net.output.predict.detach().numpy()


def test_a_poisson_encoder_draws_its_spikes_from_the_network_seed():
    counts = _poisson_counts(3)
    np.testing.assert_array_equal(counts, _poisson_counts(3))
    draws = 200 * 49            # (the last step's input spikes arrive after the run)
    assert abs(counts.sum() - 0.2 * draws) < 4 * np.sqrt(draws * 0.2 * 0.8)


def _task_net(data_type="float32"):
    """20 inputs -> 10 clif -> 2 clif, two fixed input patterns (100 steps) to tell
    apart."""
    rng = np.random.default_rng(4)
    net = spaic.Network()
    with net:
        net.input = spaic.Encoder(num=20, coding_method="null")
        net.layer = spaic.NeuronGroup(10, model="clif")
        net.out = spaic.NeuronGroup(2, model="clif")
        net.c1 = spaic.Connection(net.input, net.layer, link_type="full",
                                  weight=rng.normal(0.6, 0.4, (10, 20)))
        net.c2 = spaic.Connection(net.layer, net.out, link_type="full",
                                  weight=rng.normal(1.0, 0.5, (2, 10)))
        net.output = spaic.Decoder(num=2, dec_target=net.out, coding_method="spike_counts")
        net.learner = spaic.Learner(trainable=net, algorithm="STCA", alpha=0.5)
        net.learner.set_optimizer("Adam", 0.05)
    net.build(spaic.Backend("cpu", data_type=data_type))
    rates = np.where(np.arange(20) < 10, 0.3, 0.05)
    x = np.stack([rng.random((100, 20)) < rates, rng.random((100, 20)) < rates[::-1]])
    return net, x.astype(float), np.array([0, 1])


def _train_step(net, x, label):
    net.input(x)
    net.run(10.0)
    loss = F.cross_entropy(net.output.predict, torch.from_numpy(label))
    net.learner.optim_zero_grad()
    loss.backward()
    net.learner.optim_step()
    return float(loss.detach())


def test_a_small_network_learns_with_adam_in_float32():
    net, x, label = _task_net()
    losses = [_train_step(net, x, label) for _ in range(30)]
    assert net.output.predict.dtype == torch.float32
    assert losses[0] > 1.0 and np.mean(losses[-5:]) < 0.05 * losses[0]


def test_optim_step_changes_the_connections_weight_arrays_in_place():
    net, x, label = _task_net()
    before = net.c1.weight
    _train_step(net, x, label)
    p = net.learner.optim.param_groups[0]["params"][0]
    assert not np.array_equal(net.c1.weight, before)
    np.testing.assert_array_equal(net.c1.weight, p.detach().numpy())
    with torch.no_grad():
        p.add_(1.0)                            # the same memory: no copy between them
    np.testing.assert_array_equal(net.c1.weight, p.detach().numpy())


def test_save_state_holds_the_learned_weights():
    net, x, label = _task_net()
    _train_step(net, x, label)
    saved = net.save_state(save=False)
    np.testing.assert_array_equal(saved["connections"]["c2"]["weight"], net.c2.weight)
    assert saved["connections"]["c2"]["weight"].dtype == np.float64


def test_a_weight_set_from_outside_is_run_and_trained_by_the_same_optimiser():
    net, x, label = _task_net()
    _train_step(net, x, label)
    optim, p = net.learner.optim, net.learner.optim.param_groups[0]["params"][1]
    net.c2.weight = np.zeros((2, 10))
    net.input(x)
    net.run(10.0)
    assert float(net.output.predict.detach().sum()) == 0.0            # the output layer is silent
    net.learner.optim_step()
    assert net.learner.optim is optim and optim.param_groups[0]["params"][1] is p
    np.testing.assert_array_equal(net.c2.weight, p.detach().numpy())
    assert np.abs(net.c2.weight).max() > 0                   # moved from 0 by the step


def test_parameter_variables_of_a_trainable_group_are_trained():
    net = spaic.Network()
    with net:
        net.input = inp = spaic.Encoder(num=5, coding_method="null")
        g = spaic.NeuronGroup(3, model="lif", parameter_variables=["tau_m"])
        spaic.Connection(inp, g, link_type="full", weight=np.full((3, 5), 0.15))
        net.output = spaic.Decoder(num=3, dec_target=g, coding_method="spike_counts")
        net.learner = spaic.Learner(trainable=net, algorithm="STBP")
        net.learner.set_optimizer("SGD", 0.5)
    net.input(np.ones((1, 30, 5)))
    net.run(3.0)
    net.output.predict.sum().backward()
    tau = net.learner.optim.param_groups[0]["params"][-1]
    assert tau.grad is not None and float(tau.grad) != 0.0
    net.learner.optim_step()
    assert g.params["tau_m"] == pytest.approx(8.0 - 0.5 * float(tau.grad))


def test_optim_schedule_steps_spaics_named_schedule():
    net, x, label = _task_net()
    net.learner.set_schedule("StepLR", step_size=1, gamma=0.5)
    _train_step(net, x, label)
    net.learner.optim_schedule()
    assert net.learner.optim.param_groups[0]["lr"] == pytest.approx(0.025)


def test_sbp_takes_spaics_surrogate_class_names_with_its_alpha():
    learner = spaic.Learner(trainable=spaic.Network(), algorithm="sbp",
                            surrogate_func="SigmoidGrad")
    assert isinstance(learner, spaic.Learner)
    assert (learner.surrogate, learner.alpha) == ("sigmoid", 2.0)


def test_an_unknown_surrogate_is_refused_with_the_choices():
    with pytest.raises(ModelError, match="AtanGrad.*not one of SPAIC's surrogates|atangrad"):
        spaic.Learner(trainable=spaic.Network(), algorithm="sbp", surrogate_func="AtanGradd")


def test_optim_step_without_set_optimizer_is_refused():
    net, x, label = _task_net()
    learner = spaic.Learner(trainable=net.c1, algorithm="STCA")
    with pytest.raises(ModelError, match=r"optim_step needs an optimiser.*set_optimizer"):
        learner.optim_step()


def test_a_loop_through_two_groups_is_refused_naming_the_connection():
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=4, coding_method="null")
        a, b = spaic.NeuronGroup(3, model="clif"), spaic.NeuronGroup(3, model="clif")
        spaic.Connection(inp, a, link_type="full", name="in")
        spaic.Connection(a, b, link_type="full", name="forward")
        spaic.Connection(b, a, link_type="full", name="back")
        spaic.Learner(trainable=net, algorithm="STCA")
    with pytest.raises(ModelError, match="'(forward|back)' closes a loop") as err:
        net.build()
    assert err.value.symbol in ("forward", "back")


def test_a_connection_with_delays_is_refused_naming_it():
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=4, coding_method="null")
        a = spaic.NeuronGroup(3, model="clif")
        spaic.Connection(inp, a, link_type="full", max_delay=2.0, name="slow")
        spaic.Learner(trainable=net, algorithm="STCA")
    with pytest.raises(ModelError, match="'slow' has delays"):
        net.build()


def test_a_group_that_keeps_a_variable_from_run_to_run_is_refused_naming_it():
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=4, coding_method="null")
        a = spaic.NeuronGroup(3, model="aclif", name="adaptive")
        spaic.Connection(inp, a, link_type="full")
        spaic.Learner(trainable=net, algorithm="STCA")
    with pytest.raises(ModelError, match="'adaptive' .*keeps Vth1 from run to run"):
        net.build()


def test_a_monitor_in_a_gradient_trained_network_is_refused():
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=4, coding_method="null")
        a = spaic.NeuronGroup(3, model="clif", name="hidden")
        spaic.Connection(inp, a, link_type="full")
        spaic.StateMonitor(a, "V")
        spaic.Learner(trainable=net, algorithm="STCA")
    with pytest.raises(ModelError, match="'hidden' is not recorded in a network trained by"):
        net.build()


def test_run_continue_is_refused_with_a_gradient_learner():
    net = _reference_net("stca")
    net.run(5.0)
    with pytest.raises(ModelError, match="run_continue is not built"):
        net.run_continue(1.0)


def test_pyspike_spaic_imports_and_runs_local_rules_without_torch():
    code = ("import sys; sys.modules['torch'] = None\n"
            "import pyspike.spaic as spaic\n"
            "a, b = spaic.NeuronGroup(2, model='lif'), spaic.NeuronGroup(2, model='lif')\n"
            "c = spaic.Connection(a, b, link_type='full')\n"
            "spaic.Learner(trainable=c, algorithm='nearest_online_stdp')\n"
            "try:\n"
            "    spaic.Learner(trainable=c, algorithm='STCA')\n"
            "except spaic.learners.ModelError as e:\n"
            "    print('refused:', e)\n")
    got = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd="/", env=dict(os.environ), timeout=120)
    assert got.returncode == 0, got.stderr
    assert "refused:" in got.stdout and "torch" in got.stdout
