"""pyspike.state: every object keeps its changing state in one table, which the user's
attributes view and snapshots copy."""
import numpy as np
import pytest

import pyspike as ps
from pyspike import snapshot_file, store
from pyspike.state import StateTable

LIF = ps.NeuronModel("dv/dt = (1.5 - v)/tau : 1", threshold="v > 1", reset="v = 0",
                     refractory=1.0, params={"tau": 10.0})


def _network(seed=1):
    net = ps.Network(dt=0.1, seed=seed, backend="numpy")
    with net:
        G = ps.NeuronGroup(6, LIF, init={"v": "rand()"})
        S = ps.Synapses(G, G, model="w : 1", on_pre="v_post += w", delay=0.5)
        S.connect(p=0.5)
        S.w = 0.1
        mon = ps.SpikeMonitor(G)
    return net, G, S, mon


def test_a_group_s_variables_are_views_of_its_state_table():
    _, G, _, _ = _network()
    assert G.v is G.state.variables["v"]
    G.v[:2] = 0.25
    assert (G.state.variables["v"][:2] == 0.25).all()


def test_a_synapses_connectivity_and_variables_live_in_its_state_table():
    _, _, S, _ = _network()
    assert S.w is S.state.variables["w"]
    assert S.state.row[-1] == S.n and S.state.col.size == S.n
    assert S.state.delay == 0.5


def test_monitors_keep_their_recordings_in_their_state_table():
    net, G, _, mon = _network()
    net.run(20.0)
    assert len(mon.state.i) == 1 and mon.state.count.sum() == mon.num_spikes > 0


def test_a_snapshot_is_a_copy_of_every_table_and_restores_the_run():
    net, G, S, mon = _network()
    net.run(5.0)
    net.store()
    net.run(5.0)
    after = G.v.copy(), S.w.copy(), mon.num_spikes
    net.restore()
    net.run(5.0)
    assert (G.v == after[0]).all() and (S.w == after[1]).all() and mon.num_spikes == after[2]


def test_what_is_derived_from_the_connectivity_is_dropped_when_it_changes():
    _, _, S, _ = _network()
    S.state.derived["columns"] = "stale"
    S.connect(i=[0], j=[1])
    assert "columns" not in S.state.derived


def test_what_is_derived_from_the_connectivity_survives_other_changes():
    _, _, S, _ = _network()
    S.state.derived["columns"] = "kept"
    S.state.ring = None
    S.w = 0.2
    assert S.state.derived["columns"] == "kept"


def test_a_table_refuses_an_entry_it_does_not_have():
    table = StateTable(variables={}, params={}, per_element={})
    with pytest.raises(AttributeError, match="has no 'v'"):
        table.v = np.zeros(3)
    with pytest.raises(KeyError, match="has no v"):
        table.restore({"v": np.zeros(3)})


def test_a_model_variable_an_attribute_would_hide_is_refused():
    model = ps.NeuronModel("dstate/dt = -state/tau : 1", params={"tau": 10.0})
    with pytest.raises(ps.ModelError, match="'state'.*rename it"):
        ps.NeuronGroup(3, model)


def test_a_snapshot_file_of_the_entry_names_before_the_tables_still_restores(tmp_path):
    net, G, S, mon = _network()
    net.run(5.0)
    old_names = {new: old for old, new in store._OLD_NAMES.items()}
    snap = store.snapshot(net)
    del snap["layout"]
    kinds = {"NeuronGroup": "_per_neuron", "Synapses": "_per_synapse"}
    for (kind, _), entries in zip(snap["shapes"], snap["objects"]):
        renamed = {old_names[k]: v for k, v in entries.items()}
        if "_per_neuron" in renamed and kind in kinds:
            renamed[kinds[kind]] = renamed.pop("_per_neuron")
        entries.clear()
        entries.update(renamed)
    path = tmp_path / "old.npz"
    snapshot_file.write(str(path), {"default": snap}, where="test")
    net.run(5.0)
    expected = G.v.copy(), mon.num_spikes
    fresh, G2, _, mon2 = _network()
    fresh.restore(filename=path)
    fresh.run(5.0)
    assert (G2.v == expected[0]).all() and mon2.num_spikes == expected[1]


def test_the_network_names_every_element_array_of_its_groups_and_synapses():
    net, G, S, _ = _network()
    assert net.state[f"{G.name}.v"] is G.v
    assert net.state[f"{S.name}.w"] is S.w
    assert f"{G.name}.lastspike" in net.state and len(net.state) == len(list(net.state))


def test_writing_through_the_network_state_changes_the_object():
    net, G, _, _ = _network()
    net.state[f"{G.name}.v"][:] = 0.5
    assert (G.v == 0.5).all()


def test_an_array_the_network_does_not_have_is_named_with_those_it_has():
    net, G, _, _ = _network()
    with pytest.raises(KeyError, match=f"no array 'x.v'.*{G.name}.v"):
        net.state["x.v"]


def test_two_objects_of_one_name_make_the_state_by_name_ambiguous():
    net = ps.Network(dt=0.1, backend="numpy")
    with net:
        G = ps.NeuronGroup(2, LIF, name="same")
        ps.Synapses(G, G, model="w : 1", on_pre="v_post += w", name="same")
    with pytest.raises(ps.ModelError, match="two objects of the network are named 'same'"):
        net.state["same.v"]


@pytest.mark.parametrize("name", ["n", "state", "dense"])
def test_a_synaptic_variable_an_attribute_would_hide_is_refused(name):
    G = ps.NeuronGroup(2, LIF)
    with pytest.raises(ps.ModelError, match=f"'{name}', which is also an attribute"):
        ps.Synapses(G, G, model=f"{name} : 1", on_pre=f"v_post += {name}")
