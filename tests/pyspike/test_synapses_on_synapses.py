"""Synapses whose target is another Synapses object (Brian2's Synapses on Synapses, as
Izhikevich 2007's dopamine reaches every plastic synapse): on_pre writes the target
synapses' state variables, on every backend, batched too; what cannot work is refused."""
import sys
from pathlib import Path

import numpy as np
import pytest

import pyspike
import pyspike as ps
from pyspike.codegen.errors import ModelError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cuda"))
from emulator.backend import EmulatedBackend, emulator_missing  # noqa: E402

sys.path.pop(0)

EMULATED = pytest.param("cuda_emulated", marks=pytest.mark.skipif(
    emulator_missing() is not None, reason=emulator_missing() or ""))
BACKENDS = ["numpy", "cpu", EMULATED, pytest.param("cuda", marks=pytest.mark.gpu)]
TAUD = 20.0


@pytest.fixture(autouse=True)
def emulated(monkeypatch):
    monkeypatch.setitem(pyspike.backends.BACKENDS, "cuda_emulated", EmulatedBackend)


def _network(backend, batch=None, reward="d_post += 0.5", times=(1.0, 3.0)):
    """Two plastic synapses whose d decays (exactly) and a dopamine generator reaching
    both of them at ``times``."""
    net = ps.Network(dt=0.5, backend=backend, batch=batch)
    with net:
        P = ps.NeuronGroup(2, ps.NeuronModel("v : 1"))
        S = ps.Synapses(P, P, model="dd/dt = -d/taud : 1 (clock-driven)",
                        on_pre="v_post += d", params={"taud": TAUD}, method="exact")
        D = ps.SpikeGeneratorGroup(1, [0] * len(times), list(times))
        R = ps.Synapses(D, S, on_pre=reward)
    S.connect(i=[0, 1], j=[1, 0])
    R.connect()
    return net, S, R


#: S.d after 5 ms in Brian2 2.9 (numpy target) for the network of _network(): the
#: generator's spikes at 1 and 3 ms raise d in steps 2 and 6, which then decay over 7
#: and 3 steps: 0.5 * (exp(-7 * 0.5 / 20) + exp(-3 * 0.5 / 20)).  Made with the peer venv
#: (bench/peers/setup.sh) from the same model text.
BRIAN2_D = 0.88360025


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_dopamine_spike_raises_the_variable_of_every_target_synapse(backend):
    net, S, _ = _network(backend)
    net.run(5.0)
    # (Brian2 printed 8 digits; the analytic value to rounding)
    np.testing.assert_allclose(S.d, BRIAN2_D, rtol=1e-8)
    np.testing.assert_allclose(S.d, 0.5 * (np.exp(-7 * 0.5 / TAUD) + np.exp(-3 * 0.5 / TAUD)),
                               rtol=1e-12)


@pytest.mark.parametrize("backend", ["cpu", EMULATED])
def test_every_backend_gives_the_reference_values_bit_for_bit(backend):
    net, S, _ = _network(backend)
    ref, S_ref, _ = _network("numpy")
    net.run(5.0)
    ref.run(5.0)
    np.testing.assert_array_equal(S.d, S_ref.d)


def test_j_numbers_the_target_synapses():
    net, S, R = _network("cpu")      # R.connect(): all of S's synapses
    np.testing.assert_array_equal(R.j, [0, 1])
    assert R.n_post == S.n == 2


def test_a_reward_may_reach_some_synapses_only():
    net = ps.Network(dt=0.5, backend="cpu")
    with net:
        P = ps.NeuronGroup(3, ps.NeuronModel("v : 1"))
        S = ps.Synapses(P, P, model="d : 1", on_pre="v_post += d")
        D = ps.SpikeGeneratorGroup(1, [0], [1.0])
        R = ps.Synapses(D, S, on_pre="d += 1")     # plain d: the target's, as in Brian2
    S.connect(i=[0, 1, 2], j=[1, 2, 0])
    R.connect(i=[0], j=[2])
    net.run(3.0)
    np.testing.assert_array_equal(S.d, [0, 0, 1])


def test_a_batch_of_rewards_with_weights_per_instance():
    net = ps.Network(dt=0.5, backend="cpu", batch=2)
    with net:
        P = ps.NeuronGroup(2, ps.NeuronModel("v : 1"))
        S = ps.Synapses(P, P, model="d : 1", on_pre="v_post += d")
        D = ps.SpikeGeneratorGroup(1, [0], [1.0])
        R = ps.Synapses(D, S, model="w : 1", on_pre="d_post += w")
    S.connect(i=[0, 1], j=[1, 0])
    R.connect()
    R.w = np.array([[1.0], [2.0]])
    net.run(3.0)
    np.testing.assert_array_equal(S.d, [[1, 1], [2, 2]])


def test_on_post_is_refused_since_synapses_fire_no_spikes():
    net, S, _ = _network("numpy")
    with net:
        R = ps.Synapses(net.groups[1], S, on_pre="d_post += 1", on_post="d_post -= 1")
    R.connect()
    with pytest.raises(ModelError, match="fire no spikes"):
        net.run(1.0)


def test_a_summed_variable_onto_synapses_is_refused():
    net, S, _ = _network("numpy")
    with net:
        R = ps.Synapses(net.groups[1], S, model="d_post = 1.0 : 1 (summed)")
    R.connect()
    with pytest.raises(ModelError, match="summed"):
        net.run(1.0)


def test_a_variable_the_target_synapses_lack_is_refused_when_made():
    net, S, _ = _network("numpy")
    with net, pytest.raises(ModelError, match="x_post"):
        ps.Synapses(net.groups[1], S, on_pre="x_post += 1")


def test_a_library_plasticity_rule_on_synapses_is_refused():
    net, S, _ = _network("numpy")
    with net, pytest.raises(ModelError, match="needs neurons"):
        ps.Synapses(net.groups[1], S, model="w : 1", on_pre="d_post += w",
                    plasticity="stdp")


def test_synapses_added_to_the_target_after_connecting_are_refused_at_the_run():
    net, S, _ = _network("numpy")
    S.connect(i=[0], j=[0])
    with pytest.raises(ModelError, match="connect the target Synapses completely first"):
        net.run(1.0)


def test_a_target_outside_the_network_is_refused():
    net = ps.Network(dt=0.5, backend="numpy")
    P = ps.NeuronGroup(2, ps.NeuronModel("v : 1"))
    S = ps.Synapses(P, P, model="d : 1", on_pre="v_post += d")
    S.connect()
    with net:
        P2 = ps.NeuronGroup(1, ps.NeuronModel("v : 1"))
        R = ps.Synapses(P2, S, on_pre="d_post += 1")
    R.connect()
    with pytest.raises(ModelError, match="not in this network"):
        net.run(1.0)
