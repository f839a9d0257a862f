"""network_save / network_load: a SPAIC network's structure as JSON or YAML (models as
equation text), its weights and state beside it; the loaded network runs as the saved one."""
import json
import os

import numpy as np
import pytest
import yaml

import pyspike as ps
import pyspike.spaic as spaic
from pyspike import ModelError
from pyspike.spaic.structure_io import network_load, network_save

DATA = np.random.default_rng(0).uniform(0, 5, (1, 12))
LEAKY = ps.NeuronModel(equations="dv/dt = -v/tau : 1\nIsyn : 1", threshold="v > 1",
                       reset="v = 0", update="v = v + Isyn\nIsyn = 0", params={"tau": 5.0})


class Pair(spaic.Assembly):
    def __init__(self):
        super().__init__()
        self.a = spaic.NeuronGroup(3, model="lif", tau_m=5.0)
        self.b = spaic.NeuronGroup(2, model="lif")
        self.b.add_type("out")
        self.ab = spaic.Connection(self.a, self.b, link_type="sparse", density=0.5)


class Net(spaic.Network):
    """Poisson inputs -> lifstdp_ex (trained) -> a user's model; an assembly joined by a
    projection; a decoder and monitors."""

    def __init__(self):
        super().__init__()
        self.input = spaic.Encoder(num=12, coding_method="poisson")
        self.layer = spaic.NeuronGroup(4, model="lifstdp_ex", th_inc=1.0)
        self.leaky = spaic.NeuronGroup(2, model=LEAKY)
        self.con = spaic.Connection(self.input, self.layer, link_type="full",
                                    weight=spaic.uniform(0.3, 0.7))
        self.on = spaic.Connection(self.layer, self.leaky, link_type="full",
                                   weight=np.full((2, 4), 0.4))
        self.learner = spaic.Learner(trainable=self.con, algorithm="nearest_online_stdp",
                                     w_norm=None, Apost=0.05)
        self.pair = Pair()
        self.proj = spaic.Projection(self.layer, self.pair, link_type="full",
                                     policies=[spaic.IncludedTypePolicy(post_types=["out"])])
        self.output = spaic.Decoder(num=2, dec_target=self.leaky, coding_method="spike_counts")
        self.spikes = spaic.SpikeMonitor(self.layer)
        self.v = spaic.StateMonitor(self.leaky, "v")


def _net(backend="numpy"):
    np.random.seed(3)
    net = Net()
    net.set_random_seed(7)
    net.set_backend(backend)
    return net


def _record(net):
    return ([t.tolist() for t in net.spikes.spk_times], net.v.values.tolist(),
            net.output.predict.tolist(), net.con.weight.tolist())


def _saved(tmp_path, **kw):
    """A network trained for one run and saved; and what its next run gives."""
    net = _net(kw.pop("backend", "numpy"))
    net.input(DATA)
    net.run(3.0)
    name = network_save(net, "trained", path=str(tmp_path), **kw)
    net.run(3.0)
    return name, _record(net)


def _refusal(tmp_path, name="trained"):
    with pytest.raises(ModelError) as err:
        network_load(name, path=str(tmp_path), device="numpy")
    assert err.value.where == "network_load"
    return err.value


def _rewrite(tmp_path, change, ends=".json"):
    """Save the network, then change its description (a dict) and write it back."""
    network_save(_net(), "trained", path=str(tmp_path))
    file = tmp_path / "trained" / ("trained" + ends)
    doc = json.loads(file.read_text())
    change(doc["network"])
    file.write_text(json.dumps(doc))


@pytest.mark.parametrize("trans_format, backend", [("json", "numpy"), ("yaml", "numpy"),
                                                   ("json", "cpu")])
def test_a_loaded_network_runs_bit_for_bit_as_the_saved_one(tmp_path, trans_format,
                                                              backend):
    name, want = _saved(tmp_path, trans_format=trans_format, backend=backend)
    net = network_load(name, path=str(tmp_path), device=backend)
    net.input(DATA)
    net.run(3.0)
    assert _record(net) == want


def test_the_loaded_network_has_the_structure_of_the_saved_one(tmp_path):
    net = _net()
    network_save(net, "trained", path=str(tmp_path))
    loaded = network_load("trained", path=str(tmp_path), device="numpy")
    saved, again = network_save(net, save=False), network_save(loaded, save=False)
    assert saved["network"].pop("class") == "Net"         # loaded: a spaic.Network
    assert again["network"].pop("class") == "Network"
    assert again == saved
    assert list(loaded._groups) == ["input", "layer", "leaky", "pair", "output"]
    assert [c.name for c in loaded.all_connections()] == ["con", "on", "proj:layer->b", "ab"]


def test_a_users_model_is_written_as_its_equation_text(tmp_path):
    network_save(_net(), "trained", path=str(tmp_path), trans_format="yaml")
    doc = yaml.safe_load((tmp_path / "trained" / "trained.yml").read_text())
    leaky = next(m for m in doc["network"]["members"] if m["key"] == "leaky")
    assert leaky["model"]["equations"] == LEAKY.equations
    assert leaky["model"]["update"] == LEAKY.update
    assert network_load("trained", path=str(tmp_path)).leaky.model.threshold == "v > 1"


def test_combine_writes_the_weights_into_the_description(tmp_path):
    net = _net()
    network_save(net, "trained", path=str(tmp_path), combine=True)
    assert os.listdir(tmp_path / "trained") == ["trained.json"]
    loaded = network_load("trained", path=str(tmp_path))
    for a, b in zip(net.all_connections(), loaded.all_connections()):
        assert np.array_equal(a.weight, b.weight) and np.array_equal(a.mask, b.mask)


def test_save_false_writes_nothing_and_gives_the_description(tmp_path):
    doc = network_save(_net(), "trained", path=str(tmp_path), save=False)
    assert doc["format"] == "pyspike.spaic.network" and not os.listdir(tmp_path)


def test_a_sparse_connection_keeps_pairs_whose_weight_is_zero(tmp_path):
    net = _net()
    w = net.pair.ab.weight
    rows, cols = np.nonzero(net.pair.ab.mask)
    w[rows[0], cols[0]] = 0.0
    net.pair.ab.weight = w
    network_save(net, "trained", path=str(tmp_path))
    loaded = network_load("trained", path=str(tmp_path))
    assert np.array_equal(loaded.pair.ab.mask, net.pair.ab.mask)


def test_a_file_naming_a_model_not_in_the_library_is_refused(tmp_path):
    _rewrite(tmp_path, lambda n: n["members"][1].update(model="lifx"))
    err = _refusal(tmp_path)
    assert err.symbol == "lifx" and "'layer'" in err.message


def test_a_file_naming_an_unknown_link_type_is_refused(tmp_path):
    _rewrite(tmp_path, lambda n: n["connections"][0].update(link_type="hexagonal"))
    assert _refusal(tmp_path).symbol == "hexagonal"


def test_a_file_of_another_version_is_refused(tmp_path):
    network_save(_net(), "trained", path=str(tmp_path))
    file = tmp_path / "trained" / "trained.json"
    file.write_text(file.read_text().replace('"version": 1', '"version": 2'))
    assert _refusal(tmp_path).symbol == "version"


@pytest.mark.parametrize("trans_format, ends", [("json", ".json"), ("yaml", ".yml")])
def test_a_truncated_description_is_refused(tmp_path, trans_format, ends):
    network_save(_net(), "trained", path=str(tmp_path), trans_format=trans_format)
    file = tmp_path / "trained" / ("trained" + ends)
    text = file.read_text()
    file.write_text(text[:len(text) * 2 // 3])
    assert "truncated" in _refusal(tmp_path).message


def test_a_yaml_file_with_a_python_object_is_refused_without_making_it(tmp_path):
    os.makedirs(tmp_path / "trained")
    (tmp_path / "trained" / "trained.yml").write_text(
        "format: pyspike.spaic.network\nversion: 1\nnetwork: !!python/object/apply:os.getcwd []\n"
        "complete: true\n")
    assert "not complete JSON or YAML of plain data" in _refusal(tmp_path).message


def test_a_saved_weight_of_the_wrong_shape_is_refused(tmp_path):
    import h5py
    net = _net()
    network_save(net, "trained", path=str(tmp_path))
    with h5py.File(tmp_path / "trained" / "parameters" / "_parameters_dict.hdf5", "r+") as f:
        del f["connections/on/weight"]
        f["connections/on/weight"] = np.ones((4, 2))
    assert _refusal(tmp_path).symbol == "connections/on/weight"


def test_an_option_that_a_file_cannot_hold_is_refused_when_saving(tmp_path):
    net = _net()
    net.input.kwargs["unit_conversion"] = object()
    with pytest.raises(ModelError) as err:
        network_save(net, "trained", path=str(tmp_path))
    assert err.value.where == "network_save"


def test_a_state_of_a_batch_loads_its_weights_and_says_the_state_is_not_loaded(tmp_path):
    net = _net()
    net.input(np.repeat(DATA, 2, axis=0))
    net.run(1.0)
    network_save(net, "trained", path=str(tmp_path))
    with pytest.warns(UserWarning, match="batch of 2"):
        loaded = network_load("trained", path=str(tmp_path), device="numpy")
    assert np.array_equal(loaded.con.weight, net.con.weight)


def test_rstdp_and_custom_rule_learners_keep_their_options_text_and_reward(tmp_path):
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=3, coding_method="poisson")
        out = spaic.NeuronGroup(2, model="lif")
        a = spaic.Connection(inp, out, link_type="full")
        b = spaic.Connection(inp, out, link_type="full")
        reward = spaic.Reward(num=2, dec_target=out, coding_method="global_reward")
        spaic.Learner(trainable=a, algorithm="rstdp", reward=reward, lr=0.5, A_plus=2.0)
        spaic.Learner(trainable=[b], algorithm="custom_rule", on_post="w += eta",
                      params={"eta": 0.01}, w_max=1.0)
    network_save(net, "rules", path=str(tmp_path), trans_format="yaml")
    loaded = network_load("rules", path=str(tmp_path))
    assert network_save(loaded, save=False) == network_save(net, save=False)
    rstdp, hebb = loaded._learners.values()
    assert rstdp.reward_node is loaded.reward and rstdp.params["A_plus"] == 2.0
    assert hebb.rule.on_post == "w += eta" and hebb.w_max == 1.0


# -- gradient learners (STCA, STBP, sbp) --------------------------------------------------
SPIKES = (np.random.default_rng(1).random((2, 30, 3)) < 0.3).astype(float)


class GradNet(spaic.Network):
    """3 null inputs -> 4 clif -> 2 clif, a spike-count decoder; a gradient learner."""

    def __init__(self, **learner):
        super().__init__()
        self.input = spaic.Encoder(num=3, coding_method="null")
        self.layer1 = spaic.NeuronGroup(4, model="clif")
        self.out = spaic.NeuronGroup(2, model="clif")
        self.c1 = spaic.Connection(self.input, self.layer1, link_type="full",
                                   weight=np.random.default_rng(2).normal(20.0, 5.0, (4, 3)))
        self.c2 = spaic.Connection(self.layer1, self.out, link_type="full",
                                   weight=np.random.default_rng(3).normal(15.0, 5.0, (2, 4)))
        self.output = spaic.Decoder(num=2, dec_target=self.out, coding_method="spike_counts")
        self.learner = spaic.Learner(**{"trainable": self, "algorithm": "STCA", **learner})


def _gradient_net(**learner):
    pytest.importorskip("torch")
    return GradNet(**learner)


def _saved_and_loaded(tmp_path, net):
    network_save(net, "grad", path=str(tmp_path))
    doc = json.loads((tmp_path / "grad" / "grad.json").read_text())
    entry = doc["network"]["learners"][0]
    return entry, network_load("grad", path=str(tmp_path), device="numpy")


def test_a_gradient_learner_is_saved_with_its_algorithm_and_what_it_trains(tmp_path):
    net = _gradient_net()
    net.learner.trainable = [net.c2, net.layer1]
    entry, loaded = _saved_and_loaded(tmp_path, net)
    assert entry["algorithm"] == "stca"
    assert entry["trainable"] == [{"connection": ["c2"]}, ["layer1"]]
    assert type(loaded.learner) is type(net.learner)
    assert [c.name for c in loaded.learner.trained_connections()] == ["c2"]
    assert loaded.learner.trained_groups() == [loaded.layer1]


def test_a_gradient_learners_alpha_is_restored(tmp_path):
    entry, loaded = _saved_and_loaded(tmp_path, _gradient_net(algorithm="STBP", alpha=0.3))
    assert entry["options"] == {"alpha": 0.3}
    assert loaded.learner.algorithm == "stbp" and loaded.learner.alpha == 0.3


def test_an_sbp_learners_surrogate_is_saved_by_its_name_and_restored(tmp_path):
    net = _gradient_net(algorithm="sbp", surrogate_func="SigmoidGrad")
    entry, loaded = _saved_and_loaded(tmp_path, net)
    assert entry["options"] == {"alpha": 2.0, "surrogate_func": "sigmoid"}
    assert loaded.learner.surrogate == "sigmoid"


def test_a_gradient_learners_optimiser_and_schedule_are_restored_as_spaic_saves_them(
        tmp_path):
    net = _gradient_net()
    net.learner.set_optimizer("Adam", 0.01, betas=(0.8, 0.99))
    net.learner.set_schedule("StepLR", step_size=3, gamma=0.5)
    entry, loaded = _saved_and_loaded(tmp_path, net)
    assert (entry["optim_name"], entry["optim_lr"], entry["lr_schedule_name"]) == \
        ("Adam", 0.01, "StepLR")
    optim = loaded.learner.optim
    assert type(optim).__name__ == "Adam" and optim.defaults["betas"] == (0.8, 0.99)
    assert loaded.learner.schedule.step_size == 3 and loaded.learner.schedule.gamma == 0.5


def test_a_loaded_gradient_network_gives_the_saved_ones_output_and_gradients(tmp_path):
    net = _gradient_net()
    _, loaded = _saved_and_loaded(tmp_path, net)
    grads = []
    for n in (net, loaded):
        n.input(SPIKES)
        n.run(3.0)
        n.output.predict.sum().backward()
        grads.append((n.output.predict.detach().numpy(),
                      [p.grad.numpy().copy() for p in n.learner.parameters()]))
    assert grads[0][0].sum() > 0                      # (the output layer fires)
    np.testing.assert_array_equal(grads[1][0], grads[0][0])
    for a, b in zip(grads[1][1], grads[0][1]):
        np.testing.assert_array_equal(a, b)


def test_an_optimiser_in_the_file_of_a_local_rule_is_refused(tmp_path):
    _rewrite(tmp_path, lambda n: n["learners"][0].update(optim_name="Adam", optim_lr=0.1))
    err = _refusal(tmp_path)
    assert err.symbol == "set_optimizer" and "'learner'" in err.message


def test_network_load_gives_a_gradient_network_the_weights_of_a_state_without_its_neurons(
        tmp_path):
    pytest.importorskip("torch")
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=3, coding_method="null")
        out = spaic.NeuronGroup(2, model="clif")
        spaic.Connection(inp, out, link_type="full", weight=np.full((2, 3), 20.0))
    inp(SPIKES[:1])
    net.build(backend="numpy")
    net.run(1.0)                                       # (a neuron state of one sample)
    network_save(net, "grad", path=str(tmp_path))
    file = tmp_path / "grad" / "grad.json"
    doc = json.loads(file.read_text())
    doc["network"]["learners"] = [{"key": "learner", "algorithm": "STCA", "trainable": [[]]}]
    file.write_text(json.dumps(doc))
    with pytest.warns(UserWarning, match="gradient learner"):
        loaded = network_load("grad", path=str(tmp_path), device="numpy")
    assert np.array_equal(loaded.connection.weight, np.full((2, 3), 20.0))


def test_an_action_with_a_seed_option_of_its_own_comes_back_with_it(tmp_path):
    net = spaic.Network()
    with net:
        enc = spaic.Encoder(num=3, coding_method="constant_current", name="enc")
        out = spaic.NeuronGroup(3, model="lif", name="out")
        spaic.Connection(enc, out, link_type="one_to_one", weight=np.eye(3), name="con")
        spaic.Action(num=3, dec_target=out, coding_method="highest_voltage_action",
                     coding_var_name="V", seed=7, name="act")
    network_save(net, "acting", path=str(tmp_path), save_weight=False)
    back = network_load("acting", path=str(tmp_path), load_weight=False)
    assert back.act.seed == 7 and back.act.options == {"seed": 7}
