"""save_state / state_from_dict: a SPAIC network's weights and neuron state in an HDF5
file of pyspike's format; a network given the state runs on as the saving one would."""
import os
import pickle

import h5py
import numpy as np
import pytest

import pyspike.spaic as spaic
from pyspike import ModelError
from pyspike.spaic.saving import save_state, state_from_dict

DATA = np.random.default_rng(0).uniform(0, 5, (2, 12))
FILE = os.path.join("stdp", "parameters", "_parameters_dict.hdf5")


def _net(backend="numpy", batch=2, build=True, extra=False):
    """Poisson inputs -> lifstdp_ex neurons (adaptive thresholds, kept from run to run),
    trained by nearest-spike STDP (traces kept from run to run)."""
    net = spaic.Network("stdp")
    with net:
        inp = spaic.Encoder(num=12, coding_method="poisson")
        out = spaic.NeuronGroup(4, model="lifstdp_ex", th_inc=1.0)
        con = spaic.Connection(inp, out, link_type="full", weight=np.full((4, 12), 0.5))
        spaic.Learner(trainable=con, algorithm="nearest_online_stdp", w_norm=None)
        spikes = spaic.SpikeMonitor(out)
        if extra:
            spaic.Connection(out, out, link_type="one_to_one")
    net.set_random_seed(7)
    inp(DATA[:batch])
    if build:
        net.build(backend=backend)
    return net, con, spikes


def _trained(tmp_path, **kw):
    """A network trained for one run, its state saved in tmp_path/stdp/parameters."""
    net, con, spikes = _net(**kw)
    net.run(3.0)
    save_state(net, direct=str(tmp_path))
    return net, con, spikes


def _edit(path, change):
    with h5py.File(path, "r+") as f:
        change(f)


def _refusal(tmp_path, **kw):
    net, con, _ = _net(**kw)
    with pytest.raises(ModelError) as err:
        state_from_dict(net, filename="stdp", direct=str(tmp_path))
    assert err.value.where == "state_from_dict"
    return err.value


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_a_network_given_the_saved_state_runs_on_bit_for_bit(tmp_path, backend):
    net, con, spikes = _trained(tmp_path, backend=backend)
    assert not np.all(con.weight == 0.5)               # the first run learnt
    net.run(3.0)
    fresh, con2, spikes2 = _net(backend)
    state_from_dict(fresh, filename="stdp", direct=str(tmp_path))
    fresh.run(3.0)
    assert [t.tolist() for t in spikes2.spk_times] == [t.tolist() for t in spikes.spk_times]
    assert np.array_equal(con2.weight, con.weight)


def test_the_state_given_back_in_memory_loads_as_the_file_does(tmp_path):
    net, con, spikes = _net()
    net.run(3.0)
    state = save_state(net, save=False)
    net.run(3.0)
    fresh, con2, spikes2 = _net()
    state_from_dict(fresh, state=state)
    fresh.run(3.0)
    assert [t.tolist() for t in spikes2.spk_times] == [t.tolist() for t in spikes.spk_times]
    assert not os.listdir(tmp_path)


def test_the_file_goes_where_spaic_puts_it_named_after_the_network(tmp_path):
    net, _, _ = _net()
    path = save_state(net, direct=str(tmp_path))
    assert path == os.path.join(str(tmp_path), FILE) and os.path.isfile(path)


def test_the_file_holds_numbers_and_text_only(tmp_path):
    _trained(tmp_path)
    path = tmp_path / FILE
    assert path.read_bytes()[:8] == b"\x89HDF\r\n\x1a\n"
    found = []
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: found.append(obj.dtype.kind)
                     if isinstance(obj, h5py.Dataset) else None)
        assert all(isinstance(v, (str, np.integer, np.floating)) for v in f.attrs.values())
    assert found and set(found) <= set("biuf")


def test_a_truncated_file_is_refused(tmp_path):
    _trained(tmp_path)
    data = (tmp_path / FILE).read_bytes()
    (tmp_path / FILE).write_bytes(data[:len(data) // 2])
    assert "truncated" in _refusal(tmp_path).message


def test_a_pickle_under_the_file_name_is_refused_and_not_unpickled(tmp_path):
    os.makedirs(tmp_path / "stdp" / "parameters")
    (tmp_path / FILE).write_bytes(pickle.dumps({"weight": np.ones((4, 12))}))
    assert "not a complete HDF5 file" in _refusal(tmp_path).message


def test_a_file_of_another_version_is_refused(tmp_path):
    _trained(tmp_path)
    _edit(tmp_path / FILE, lambda f: f.attrs.__setitem__("version", 2))
    err = _refusal(tmp_path)
    assert err.symbol == "version" and "version 2" in err.message


def test_an_hdf5_file_of_another_format_is_refused(tmp_path):
    os.makedirs(tmp_path / "stdp" / "parameters")
    with h5py.File(tmp_path / FILE, "w") as f:
        f.create_dataset("weight", data=np.ones((4, 12)))
    assert _refusal(tmp_path).symbol == "format"


def test_a_weight_of_the_wrong_shape_is_refused_naming_its_entry(tmp_path):
    _trained(tmp_path)

    def reshape(f):
        del f["connections/connection/weight"]
        f["connections/connection/weight"] = np.ones((12, 4))
    _edit(tmp_path / FILE, reshape)
    err = _refusal(tmp_path)
    assert err.symbol == "connections/connection/weight" and "(12, 4)" in err.message


def test_a_variable_of_another_dtype_is_refused_naming_its_entry(tmp_path):
    _trained(tmp_path)

    def narrow(f):                     # the network computes in float64, pyspike's default
        v = f["groups/neurongroup/V"][()]
        assert v.dtype == np.float64
        del f["groups/neurongroup/V"]
        f["groups/neurongroup/V"] = v.astype(np.float32)
    _edit(tmp_path / FILE, narrow)
    assert _refusal(tmp_path).symbol == "groups/neurongroup/V"


def test_a_state_of_another_batch_size_is_refused(tmp_path):
    _trained(tmp_path)
    assert _refusal(tmp_path, batch=1).symbol == "batch"


def test_a_state_without_a_connection_of_the_network_is_refused(tmp_path):
    _trained(tmp_path)
    assert _refusal(tmp_path, extra=True).symbol == "connection_1"


def test_a_refused_state_changes_nothing(tmp_path):
    _trained(tmp_path)
    _edit(tmp_path / FILE, lambda f: f["groups/neurongroup"].move("theta", "renamed"))
    net, con, _ = _net()
    before = con.weight
    with pytest.raises(ModelError):
        state_from_dict(net, filename="stdp", direct=str(tmp_path))
    assert np.array_equal(con.weight, before)


def test_a_state_joining_other_pairs_is_refused(tmp_path):
    _trained(tmp_path)

    def unjoin(f):
        mask = f["connections/connection/mask"][()]
        mask[0, 0] = 0
        f["connections/connection/mask"][...] = mask
    _edit(tmp_path / FILE, unjoin)
    assert _refusal(tmp_path).symbol == "connection"


def test_a_network_not_yet_built_saves_and_loads_its_weights(tmp_path):
    net, con, _ = _net(build=False)
    con.weight = np.linspace(0, 1, 48).reshape(4, 12)
    save_state(net, direct=str(tmp_path))
    with h5py.File(tmp_path / FILE, "r") as f:
        assert f.attrs["has_state"] == 0 and not len(f["groups"])
    fresh, con2, _ = _net(build=False)
    state_from_dict(fresh, filename="stdp", direct=str(tmp_path))
    assert np.array_equal(con2.weight, con.weight)


# -- a network trained by a gradient learner (run as one torch graph) ---------------------
SPIKES = (np.random.default_rng(1).random((1, 20, 3)) < 0.4).astype(float)


def _graph_net(learn):
    """3 null inputs -> 2 clif, compiled or (``learn``) trained by STCA as a torch graph."""
    net = spaic.Network("graph")
    with net:
        inp = spaic.Encoder(num=3, coding_method="null")
        out = spaic.NeuronGroup(2, model="clif")
        con = spaic.Connection(inp, out, link_type="full", weight=np.full((2, 3), 20.0))
        spaic.Decoder(num=2, dec_target=out, coding_method="spike_counts")
        if learn:
            spaic.Learner(trainable=net, algorithm="STCA")
    inp(SPIKES)
    return net, con


def test_a_neuron_state_is_refused_by_a_network_trained_by_a_gradient_learner(tmp_path):
    pytest.importorskip("torch")
    compiled, con = _graph_net(learn=False)
    con.weight = np.full((2, 3), 30.0)
    compiled.build(backend="numpy")
    compiled.run(1.0)
    state = save_state(compiled, save=False)
    net, con2 = _graph_net(learn=True)
    with pytest.raises(ModelError) as err:
        state_from_dict(net, state=state)
    assert err.value.symbol == "neurongroup" and "gradient learner 'stca'" in err.value.message
    assert np.array_equal(con2.weight, np.full((2, 3), 20.0))          # nothing changed
