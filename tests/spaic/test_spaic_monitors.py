"""SPAIC's monitors as SPAIC shapes them: a shaped group's values, a spike monitor's
``index`` and ``dt``, and the rates over time, against the full recording they select
from."""
import numpy as np
import pytest

import pyspike.spaic as spaic


def _net(batch=3, spike_index="full", spike_dt=None):
    """Poisson input into a (2, 3, 4) group, watched in full and as the monitors pick."""
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=10, coding_method="poisson")
        grid = spaic.NeuronGroup(shape=(2, 3, 4), model="lif")
        spaic.Connection(inp, grid, link_type="full", weight=np.full((24, 10), 0.4))
        volts = spaic.StateMonitor(grid, "V")
        full = spaic.SpikeMonitor(grid)
        picked = spaic.SpikeMonitor(grid, index=spike_index, dt=spike_dt)
    net.set_random_seed(2)
    net.build(backend="cpu")
    inp(np.random.default_rng(0).uniform(0.5, 1.0, size=(batch, 10)))
    net.run(6.0)
    return volts, full, picked


def test_a_shaped_groups_values_keep_its_shape():
    volts, _, _ = _net()
    assert volts.values.shape == (3, 2, 3, 4, 60)
    flat = volts.values.reshape(3, 24, 60)
    assert np.any(flat != 0)


def test_a_spike_monitors_index_keeps_those_neurons_numbered_by_their_place():
    index = [17, 3, 22]
    _, full, picked = _net(spike_index=index)
    assert sum(len(i) for i in full.spk_index) > 20
    for b in range(3):
        keep = np.isin(full.spk_index[b], index)
        assert picked.spk_index[b].tolist() == [index.index(n)
                                                for n in full.spk_index[b][keep]]
        assert picked.spk_times[b].tolist() == full.spk_times[b][keep].tolist()
    assert picked.spk_count.shape == (3, 3)
    np.testing.assert_array_equal(picked.spk_count, full.spk_count[:, index])


def test_a_spike_monitors_dt_sees_the_spikes_of_the_steps_it_samples():
    _, full, every3 = _net(spike_dt=0.3)          # samples after steps 2, 5, 8, ...
    for b in range(3):
        steps = np.rint(full.spk_times[b] / 0.1).astype(int)
        seen = (steps + 1) % 3 == 0
        assert 0 < seen.sum() < steps.size
        assert every3.spk_index[b].tolist() == full.spk_index[b][seen].tolist()
        np.testing.assert_allclose(every3.spk_times[b], full.spk_times[b][seen], atol=1e-12)
    assert every3.time_spk_rate.shape == (24, 20)


def test_time_spk_rate_is_spaics_mean_over_the_batch_per_neuron_and_step():
    _, full, _ = _net()
    record = full.record(full.steps)                  # (batch, steps, neurons) of 0/1
    assert full.time_spk_rate.shape == (24, 60)
    np.testing.assert_array_equal(full.time_spk_rate, record.mean(axis=0).T)
    assert set(np.unique(full.time_spk_rate * 3)) <= {0.0, 1.0, 2.0, 3.0}


def test_time_pop_rate_is_each_samples_fraction_of_neurons_spiking_per_step():
    _, full, _ = _net()
    rate = full.time_pop_rate
    assert rate.shape == (3, 60)
    counts = [np.bincount(np.rint(t / 0.1).astype(int), minlength=60)
              for t in full.spk_times]
    np.testing.assert_allclose(rate, np.array(counts) / 24, rtol=0, atol=1e-15)
    assert rate.sum() == pytest.approx(full.spk_count.sum() / 24)


def _small(nbatch=False):
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=10, coding_method="poisson")
        g = spaic.NeuronGroup(4, model="lif")
        spaic.Connection(inp, g, link_type="full", weight=np.full((4, 10), 0.4))
        volts, spikes = spaic.StateMonitor(g, "V", nbatch=nbatch), spaic.SpikeMonitor(g)
    net.set_random_seed(5)
    net.build(backend="cpu")
    inp(np.full((1, 10), 0.8))
    return net, volts, spikes


def test_a_monitor_switched_off_records_nothing_of_the_runs_that_start_while_off():
    net, volts, spikes = _small()
    volts.monitor_off()
    spikes.monitor_off()
    net.run(3.0)
    assert volts.values.shape == (1, 4, 0) and volts.times.size == 0
    assert spikes.spk_index[0].size == 0 and spikes.spk_count.sum() == 0
    volts.monitor_on()
    spikes.monitor_on()
    net.run(3.0)
    assert volts.values.shape == (1, 4, 30) and spikes.spk_count.sum() > 0


def test_a_run_continued_while_off_keeps_only_the_pieces_recorded_while_on():
    net, volts, spikes = _small()
    net.run(2.0)
    whole_v, whole_t = volts.values.copy(), spikes.spk_times[0].copy()
    volts.monitor_off()
    spikes.monitor_off()
    net.run_continue(3.0)
    np.testing.assert_array_equal(volts.values, whole_v)
    np.testing.assert_array_equal(volts.times, np.arange(20) * 0.1)
    np.testing.assert_array_equal(spikes.spk_times[0], whole_t)


@pytest.mark.parametrize("nbatch, kept", [(True, 3), (1, 2), (False, 1)])
def test_nbatch_keeps_the_values_of_earlier_runs_as_spaic_does(nbatch, kept):
    net, volts, _ = _small(nbatch=nbatch)
    runs = []
    for _ in range(3):
        net.run(2.0)
        runs.append(volts.values.copy())
    assert volts.nbatch_values.shape == (kept, 1, 4, 20)
    np.testing.assert_array_equal(volts.nbatch_values, np.array(runs[-kept:]))
    assert volts.nbatch_times.shape == (kept, 20)


def test_a_monitor_asked_for_gradients_is_refused_and_one_without_has_none():
    from pyspike import ModelError
    g = spaic.NeuronGroup(2, model="lif")
    with pytest.raises(ModelError, match="get_grad=True"):
        spaic.StateMonitor(g, "V", get_grad=True)
    assert spaic.StateMonitor(g, "V").grads is None
