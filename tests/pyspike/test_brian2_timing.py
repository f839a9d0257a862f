"""Brian2's timing conventions (issue 15): deterministic models give Brian2's spikes."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

import pyspike as ps

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "brian2"


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_the_minimal_refractory_case_spikes_as_brian2_stamped_one_step_later(backend):
    m = ps.NeuronModel("dv/dt = 1/tau : 1 (unless refractory)", threshold="v > 0.95",
                       reset="v = 0", refractory=1.0, params={"tau": 1.0}, method="euler")
    net = ps.Network(dt=0.1, backend=backend)
    with net:
        G = ps.NeuronGroup(1, m)
        M = ps.SpikeMonitor(G)
    net.run(5.0)
    brian2 = np.array([0.9, 2.8, 4.7])         # Brian2 2.9's spike times for this model
    np.testing.assert_allclose(M.t, brian2 + 0.1, atol=1e-9)


def test_a_generator_spike_acts_in_the_step_brian2_delivers_it():
    m = ps.NeuronModel("v : 1")
    net = ps.Network(dt=0.1, backend="numpy")
    with net:
        gen = ps.SpikeGeneratorGroup(1, indices=[0, 0], times=[1.0, 2.04])  # 2.04: floored
        G = ps.NeuronGroup(1, m)
        S = ps.Synapses(gen, G, on_pre="v_post += 1")
        S.connect(i=[0], j=[0])
        M = ps.StateMonitor(G, "v", record=True)
    net.run(3.0)
    # Brian2: the spike at T is delivered in the step from T, seen in the state at T + dt
    assert list(np.flatnonzero(np.diff(M.v[0])) + 1) == [11, 21]


def test_brian2s_lif_f_i_curve_has_its_spike_count():
    spec = importlib.util.spec_from_file_location("IF_curve_LIF", EXAMPLES / "IF_curve_LIF.py")
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    result = example.main()
    # 29870 spikes in Brian2 2.9 (issue 15: 184 of 1000 neurons had one spike fewer before)
    assert result["total_spikes"] == 29870
