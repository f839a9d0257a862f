"""SPAIC's structure: networks built by class and by ``with``, and the assembly edits."""
import numpy as np
import pytest

import pyspike.spaic as spaic
from pyspike import ModelError


class Layers(spaic.Network):
    def __init__(self):
        super().__init__()
        self.input = spaic.Encoder(num=4, coding_method="poisson")
        self.layer1 = spaic.NeuronGroup(3, model="clif")
        self.layer2 = spaic.NeuronGroup(2, model="clif")
        self.connection1 = spaic.Connection(self.input, self.layer1, link_type="full")
        self.connection2 = spaic.Connection(self.layer1, self.layer2, link_type="full")
        self.output = spaic.Decoder(num=2, dec_target=self.layer2,
                                    coding_method="spike_counts")
        self.monitor1 = spaic.StateMonitor(self.layer1, "V")


def test_attributes_assigned_in_init_are_collected_in_order():
    net = Layers()
    assert list(net._groups) == ["input", "layer1", "layer2", "output"]
    assert list(net._connections) == ["connection1", "connection2"]
    assert list(net._monitors) == ["monitor1"]


def test_members_made_in_a_with_block_join_the_network():
    net = spaic.Network()
    with net:
        a = spaic.NeuronGroup(3, model="lif")
        b = spaic.NeuronGroup(2, model="lif")
        c = spaic.Connection(a, b, link_type="full")
    assert list(net._groups.values()) == [a, b]
    assert list(net._connections.values()) == [c]


def test_a_member_named_after_a_with_block_keeps_one_entry():
    net = spaic.Network()
    with net:
        a = spaic.NeuronGroup(3, model="lif")
        net.layer = a
    assert list(net._groups) == ["layer"]


def test_del_assembly_removes_the_member_and_its_connections():
    net = Layers()
    net.del_assembly(net.layer2)
    assert "layer2" not in net._groups
    assert list(net._connections) == ["connection1"]


def test_del_assembly_by_name():
    net = Layers()
    net.del_assembly(name="layer1")
    assert "layer1" not in net._groups and not hasattr(net, "layer1")


def test_add_assembly_refuses_a_name_taken():
    net = Layers()
    with pytest.raises(ModelError, match="layer1"):
        net.add_assembly("layer1", spaic.NeuronGroup(2, model="lif"))


def test_replace_assembly_redirects_connections():
    net = Layers()
    new = spaic.NeuronGroup(3, model="lif")
    net.replace_assembly(net.layer1, new)
    assert net.layer1 is new
    assert net.connection1.post is new and net.connection2.pre is new


def test_copy_assembly_makes_new_groups_joined_the_same_way():
    sub = spaic.Assembly()
    sub.a = spaic.NeuronGroup(2, model="lif")
    sub.b = spaic.NeuronGroup(2, model="lif")
    sub.ab = spaic.Connection(sub.a, sub.b, link_type="one_to_one")
    net = spaic.Network()
    net.copy_assembly("copy", sub)
    copy = net.copy
    assert copy.a is not sub.a and copy.a.num == 2
    assert copy.ab.pre is copy.a and copy.ab.post is copy.b


def test_merge_assembly_adds_what_is_missing_with_suffixed_names():
    one, two = spaic.Assembly(), spaic.Assembly()
    one.x = spaic.NeuronGroup(2, model="lif")
    two.x = spaic.NeuronGroup(3, model="lif")
    one.merge_assembly(two)
    assert list(one._groups) == ["x", "x(1)"]


def test_select_assembly_takes_members_and_their_connections():
    net = Layers()
    sel = net.select_assembly([net.layer1, "layer2"])
    assert list(sel._groups) == ["layer1", "layer2"]
    assert list(sel._connections) == ["connection2"]
    assert "input" in net._groups                 # the original is unchanged


def test_add_connection_refuses_groups_outside_the_assembly():
    net = spaic.Network()
    net.a = spaic.NeuronGroup(2, model="lif")
    outside = spaic.NeuronGroup(2, model="lif")
    with pytest.raises(ModelError, match="not in"):
        net.add_connection("c", spaic.Connection(net.a, outside, link_type="full"))


def test_del_connection_by_name():
    net = Layers()
    net.del_connection(name="connection2")
    assert list(net._connections) == ["connection1"]


def test_a_hidden_assembly_is_left_out_of_the_groups():
    net = Layers()
    net.layer2.assembly_hide()
    assert net.layer2 not in list(net.groups())
    net.layer2.assembly_show()
    assert net.layer2 in list(net.groups())


def test_projection_connects_the_pairs_its_policy_accepts():
    a, b = spaic.Assembly(), spaic.Assembly()
    a.e = spaic.NeuronGroup(2, model="lif")
    a.e.add_type("exc")
    a.i = spaic.NeuronGroup(2, model="lif")
    b.t = spaic.NeuronGroup(2, model="lif")
    p = spaic.Projection(a, b, policies=[spaic.ExcludedTypePolicy(pre_types=["exc"])],
                         link_type="full")
    assert [(c.pre, c.post) for c in p.connections()] == [(a.i, b.t)]


def test_neuron_group_takes_spaic_parameters_as_keywords():
    g = spaic.NeuronGroup(5, model="lif", tau_m=12.0)
    assert g.params == {"tau_m": 12.0}


def test_neuron_group_refuses_an_unknown_parameter_with_close_names():
    with pytest.raises(ModelError, match="tau_m"):
        spaic.NeuronGroup(5, model="lif", tau_n=12.0)


def test_neuron_group_accepts_spaic_older_neuron_model_keyword():
    assert spaic.NeuronGroup(5, neuron_model="lifstdp_ex").model.name == "lifstdp_ex"


def test_neuron_group_shape_gives_num():
    g = spaic.NeuronGroup(shape=(2, 3, 4), model="lif")
    assert g.num == 24 and g.shape == (2, 3, 4)


def test_unknown_model_names_the_closest_library_names():
    with pytest.raises(ModelError, match="lif"):
        spaic.NeuronGroup(5, model="lfi")


def test_variable_ranges_must_name_model_variables():
    with pytest.raises(ModelError, match="variable_ranges"):
        spaic.NeuronGroup(5, model="lif", variable_ranges={"X": (0, 1)})


def test_assembly_num_counts_its_groups():
    net = Layers()
    assert net.num == 4 + 3 + 2 + 2


def test_structure_copy_of_a_network_class_builds_the_same_structure():
    net = Layers()
    twin = net.structure_copy()
    assert list(twin._groups) == list(net._groups)
    assert np.shape(twin.connection1.weight) == (3, 4)


def test_a_copied_decoder_reads_the_copied_group():
    net = Layers()
    twin = net.structure_copy()
    assert twin.output.dec_target is twin.layer2


def test_a_member_assigned_to_a_private_name_is_collected():
    class WithPrivate(spaic.Network):
        def __init__(self):
            super().__init__()
            self.a = spaic.NeuronGroup(2, model="lif")
            self.b = spaic.NeuronGroup(2, model="lif")
            self.c = spaic.Connection(self.a, self.b, link_type="full")
            self._learner = spaic.Learner(trainable=self.c, algorithm="nearest_online_stdp")
    net = WithPrivate()
    assert list(net._learners) == ["_learner"]


class Relayed(spaic.Network):
    """input -> sub (a -> b) -> out, and a monitor inside sub: out hears the input only
    through sub."""

    def __init__(self):
        super().__init__()
        self.input = spaic.Encoder(num=4, coding_method="poisson")
        self.sub = spaic.Assembly()
        self.sub.a = spaic.NeuronGroup(3, model="lif")
        self.sub.b = spaic.NeuronGroup(3, model="lif")
        self.sub.ab = spaic.Connection(self.sub.a, self.sub.b, link_type="full",
                                       weight=np.full((3, 3), 2.0))
        self.sub.watch = spaic.SpikeMonitor(self.sub.b)
        self.out = spaic.NeuronGroup(2, model="lif")
        self.into = spaic.Connection(self.input, self.sub.a, link_type="full",
                                     weight=np.full((3, 4), 2.0))
        self.outof = spaic.Connection(self.sub.b, self.out, link_type="full",
                                      weight=np.full((2, 3), 2.0))
        self.counts = spaic.Decoder(num=2, dec_target=self.out, coding_method="spike_counts")


def _out_spikes(net):
    net.set_backend("cpu")
    net.build()
    net.input(np.ones((1, 4)))
    net.run(20.0)
    return float(np.sum(net.counts.predict))


def test_a_hidden_sub_assembly_is_left_out_of_the_build_with_its_connections_and_monitors():
    net = Relayed()
    net.sub.assembly_hide()
    assert _out_spikes(net) == 0.0           # out hears the input only through sub
    net.sub.assembly_show()
    assert _out_spikes(net) > 0
    assert len(net.sub.watch.spk_index[0]) > 0
