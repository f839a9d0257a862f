"""The PD14 cortical microcircuit example (Potjans & Diesmann 2014): its numbers, and a
down-scaled run (5%, in-degrees kept) that fires as the layered model does."""
import sys
from pathlib import Path

import numpy as np
import pytest

import pyspike as ps

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))
import microcircuit as pd14  # noqa: E402


def test_the_full_model_has_77169_neurons_and_about_3e8_synapses():
    assert sum(pd14.SIZES) == 77169
    total = sum(pd14.in_degree(pd14.PROBABILITIES[t][s], pd14.SIZES[s], pd14.SIZES[t])
                * pd14.SIZES[t] for t in range(8) for s in range(8))
    assert 2.95e8 < total < 3.05e8          # the paper: ~3e8


def test_a_psp_of_0_15_mV_takes_a_psc_of_87_8_pA():
    assert pd14.psc_amplitude(0.15) == pytest.approx(87.81, abs=0.01)   # NEST's value


@pytest.fixture(scope="module")
def scaled_run():
    net = ps.Network(dt=0.1, seed=5, backend="cpu")
    objs = pd14.microcircuit(net, scale=0.05)
    with net:
        mons = {n: ps.SpikeMonitor(g) for n, g in objs["groups"].items()}
    net.run(400.0)
    return net, objs, mons


def test_every_target_neuron_gets_the_full_models_in_degree(scaled_run):
    _, objs, _ = scaled_run
    S = objs["synapses"][("L4E", "L23E")]
    k = pd14.in_degree(pd14.PROBABILITIES[0][2], pd14.SIZES[2], pd14.SIZES[0])
    np.testing.assert_array_equal(np.bincount(S.j, minlength=S.target.N), k)


def test_delays_have_the_published_means_and_stay_above_dt(scaled_run):
    _, objs, _ = scaled_run
    exc, inh = objs["synapses"][("L4E", "L4E")], objs["synapses"][("L4I", "L4E")]
    assert exc.delay.min() >= 0.1 and inh.delay.min() >= 0.1
    # redrawing those below dt raises the means to those of normals truncated at dt:
    # mean + sd * pdf(z) / (1 - cdf(z)), z = (dt - mean) / sd: 1.554 and 0.785 ms
    assert exc.delay.mean() == pytest.approx(1.554, abs=0.02)
    assert inh.delay.mean() == pytest.approx(0.785, abs=0.02)


def test_inhibitory_populations_fire_faster_than_excitatory_ones_and_all_fire(scaled_run):
    _, objs, mons = scaled_run
    # after a 100 ms transient
    rate = {n: np.sum(m.t > 100.0) / objs["groups"][n].N / 0.3 for n, m in mons.items()}
    assert all(0.2 < r < 40.0 for r in rate.values()), rate
    for layer in ("L23", "L4", "L6"):
        assert rate[layer + "I"] > rate[layer + "E"], rate
    assert rate["L6E"] < rate["L4E"], rate         # L6E is the quietest in the paper too
