"""(max) synaptic variables: the maximum over each target's synapses sets its variable."""
import numpy as np
import pytest

import pyspike as ps
from pyspike import ModelError

SOURCE = ps.NeuronModel("x : 1")
TARGET = ps.NeuronModel("y : 1\nz : 1")


def _net(backend, model="y_post = w*x_pre : 1 (max)", batch=None):
    net = ps.Network(dt=0.1, backend=backend, batch=batch)
    with net:
        P, Q = ps.NeuronGroup(4, SOURCE), ps.NeuronGroup(3, TARGET)
        S = ps.Synapses(P, Q, model="w : 1\n" + model)
    # stored by i, then j: (0,0) (1,0) (1,1) (2,1) (3,1); target 2 has no synapse
    S.connect(i=[0, 1, 1, 2, 3], j=[0, 0, 1, 1, 1])
    S.w = [1.0, -2.0, 0.5, 3.0, 1.0]
    P.x = [-1.0, 2.0, 4.0, -0.5]
    return net, Q


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_each_target_takes_the_largest_value_of_its_synapses(backend):
    net, Q = _net(backend)
    Q.y = 7.0
    net.run(0.1)
    # target 0: max(1*-1, -2*2) = -1; target 1: max(0.5*2, 3*4, 1*-0.5) = 12; target 2: 0
    np.testing.assert_array_equal(Q.y, [-1.0, 12.0, 0.0])


def test_a_max_and_a_sum_of_one_synapses_object_are_computed_side_by_side():
    net, Q = _net("cpu", "y_post = w*x_pre : 1 (max)\nz_post = w*x_pre : 1 (summed)")
    net.run(0.1)
    np.testing.assert_array_equal(Q.y, [-1.0, 12.0, 0.0])
    np.testing.assert_array_equal(Q.z, [-5.0, 1.0 + 12.0 - 0.5, 0.0])


def test_a_batch_takes_the_maximum_per_instance():
    net, Q = _net("cpu", batch=2)
    net.run(0.1)
    np.testing.assert_array_equal(Q.y, [[-1.0, 12.0, 0.0]] * 2)


def test_max_on_a_neuron_model_is_refused():
    with pytest.raises(ModelError):
        ps.NeuronModel("a = 2 : 1 (max)\nb : 1")
