"""A training layer's forward pass is the simulator's: the same model, driven by the same
input at every step, spikes at the same steps and ends in the same state in a NeuronGroup
(the NumPy reference backend) and in the generated training kernels, refractoriness
included (a timed period, BrainPy's ``tau_ref + dt``, and a condition).

Tolerance of the final states: 1e-12 relative (the same step, evaluated by two programs
in another order).  The simulator's SpikeMonitor gives a spike of step t the time
(t + 1) dt here (each step is a run of one dt).
"""
import numpy as np
import pytest

import pyspike as ps
from pyspike.train import NeuronKernels
from pyspike.train.kernels import model_of

T, N, DT = 60, 6, 0.1

#: model -> (input scale, initial values, parameters): inputs that make every model spike,
#: refractory periods long enough to matter (BrainPy's tau_ref is 0 by default)
CASES = {"lif": (1.0, {}, {}), "clif": (1.0, {}, {}), "aclif": (1.0, {}, {}),
         "Lif": (400.0, {}, {}), "LifRef": (400.0, {}, {"tau_ref": 1.0}),
         "AdExIFRef": (400.0, {"V": -65.0}, {"tau_ref": 0.5}),
         "WangBuzsakiHH": (40.0, {}, {}), "Izhikevich": (15.0, {}, {})}


def _simulate(name, x, init, params):
    iname = "Isyn" if "Isyn" in model_of(name).variables else "I"
    net = ps.Network(dt=DT, backend="numpy")
    with net:
        G = ps.NeuronGroup(N, name, init=init or None, params=params or None)
        M = ps.SpikeMonitor(G)
    for t in range(T):
        setattr(G, iname, x[t, 0])
        net.run(DT)
    spikes = np.zeros((T, N))
    for i, step in zip(M.i, np.round(np.asarray(M.t) / DT).astype(int)):
        spikes[step - 1, i] = 1
    return spikes, G


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_training_forward_pass_spikes_as_the_simulator(name):
    scale, init, params = CASES[name]
    x = np.random.default_rng(len(name)).normal(0.5, 1.0, (T, 1, N)) * scale
    k = NeuronKernels(name, dtype="float64", dt=DT, init=init, params=params)
    out, _ = k.forward(x)
    spikes, G = _simulate(name, x, init, params)
    assert out.sum() > 0
    np.testing.assert_array_equal(out[:, 0, :], spikes)
    carried = list(k.kernel.step.carried)
    if "V" in carried:
        np.testing.assert_allclose(k.state[carried.index("V"), 0], G.V, rtol=1e-12,
                                   atol=1e-12)


def test_a_refractory_neuron_spikes_less_than_without_its_period():
    x = np.full((T, 1, 1), 400.0)
    with_ref = NeuronKernels("LifRef", dtype="float64", dt=DT,
                             params={"tau_ref": 1.0}).forward(x)[0].sum()
    without = NeuronKernels("Lif", dtype="float64", dt=DT).forward(x)[0].sum()
    assert 0 < with_ref < without
