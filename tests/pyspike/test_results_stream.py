"""Results written while the network runs (``ResultsStream``), and the files that SONATA's
own reader, libsonata, reads: a monitor's ``to_hdf5`` and ``save_report``."""
import os

import libsonata
import numpy as np
import pytest

import pyspike as ps
from pyspike.results import load_results, save_results

MODEL = ps.NeuronModel(
    equations="""
        dv/dt = (I - v)/tau : 1
        dx/dt = -x/tau : 1
    """,
    threshold="v > 1", reset="v = 0; x += 1", params={"I": 1.5, "tau": 10.0})


def _network(batch=None):
    """Five neurons spiking at different times, with spikes and two recorded variables."""
    net = ps.Network(dt=0.1, seed=3, backend="numpy", batch=batch)
    with net:
        G = ps.NeuronGroup(5, MODEL, name="exc", init={"v": "rand()"})
        spikes = ps.SpikeMonitor(G)
        states = ps.StateMonitor(G, ["v", "x"], record=[3, 0], every=3)
    return net, spikes, states


def _same_results(a, b):
    assert a.spikes.keys() == b.spikes.keys()
    for pop in a.spikes:
        assert np.array_equal(a.spikes[pop].node_ids, b.spikes[pop].node_ids)
        assert np.array_equal(a.spikes[pop].timestamps, b.spikes[pop].timestamps)
    assert a.reports.keys() == b.reports.keys()
    for pop in a.reports:
        for var, ra in a.reports[pop].items():
            rb = b.reports[pop][var]
            assert np.array_equal(ra.data, rb.data)
            assert (ra.start, ra.stop, ra.step) == (rb.start, rb.stop, rb.step)
            assert np.array_equal(ra.node_ids, rb.node_ids)


def test_a_streamed_run_writes_the_file_that_saving_after_the_run_writes(tmp_path):
    net, _, _ = _network()
    net.run(40.0)
    save_results(net, tmp_path / "whole.h5")
    net2, _, _ = _network()
    with ps.ResultsStream(net2, tmp_path / "streamed.h5", every=1.3):   # 31 writes
        net2.run(15.0)
        net2.run(25.0)
    whole, streamed = load_results(tmp_path / "whole.h5"), load_results(tmp_path / "streamed.h5")
    assert len(whole.spikes["exc"].timestamps) > 10
    _same_results(whole, streamed)


def test_a_batched_streamed_run_writes_one_population_per_instance(tmp_path):
    net, _, _ = _network(batch=2)
    net.run(12.0)
    save_results(net, tmp_path / "whole.h5")
    net2, _, _ = _network(batch=2)
    with ps.ResultsStream(net2, tmp_path / "streamed.h5", every=2.0):
        net2.run(12.0)
    streamed = load_results(tmp_path / "streamed.h5")
    assert set(streamed.spikes) == {"exc_0", "exc_1"}
    _same_results(load_results(tmp_path / "whole.h5"), streamed)


def test_the_monitors_keep_only_what_is_not_written_yet(tmp_path):
    net, spikes, states = _network()
    with ps.ResultsStream(net, tmp_path / "run.h5", every=5.0):
        net.run(23.0)
        assert states.t.min() >= 20.0              # the write at 20 ms took the rest
        assert spikes.t.size == 0 or spikes.t.min() > 20.0
        assert spikes.count.sum() > spikes.t.size  # the counts go on over the whole run
    assert spikes.t.size == 0 and states.v.shape == (2, 0)


def test_the_file_gets_its_name_only_when_the_stream_closes(tmp_path):
    net, _, _ = _network()
    stream = ps.ResultsStream(net, tmp_path / "run.h5", every=2.0)
    net.run(5.0)
    assert os.listdir(tmp_path) == ["run.h5.tmp"]
    stream.close()
    assert os.listdir(tmp_path) == ["run.h5"]
    assert net.operations == []                    # no more writes, no more pieces


def test_a_run_stopped_by_an_error_leaves_a_file_of_the_run_until_then(tmp_path):
    net, spikes, _ = _network()

    @ps.network_operation(dt=10.0)
    def fail(t):
        if t >= 20.0:
            raise RuntimeError("the experiment went wrong")
    net.add(fail)
    with pytest.raises(RuntimeError, match="went wrong"):
        with ps.ResultsStream(net, tmp_path / "run.h5", every=3.0):
            net.run(40.0)
    got = load_results(tmp_path / "run.h5")
    assert net.t == 20.0
    assert got.spikes["exc"].timestamps.max() <= 20.0
    assert got.reports["exc"]["v"].stop == pytest.approx(20.1, abs=1e-9)   # samples to 19.8 ms


def test_a_stream_of_no_monitor_is_refused(tmp_path):
    with pytest.raises(ps.ModelError, match="one network"):
        ps.ResultsStream([], tmp_path / "run.h5")
    assert os.listdir(tmp_path) == []


def test_libsonata_reads_a_spike_monitors_file(tmp_path):
    net, spikes, _ = _network()
    net.run(20.0)
    spikes.to_hdf5(tmp_path / "spikes.h5")
    pop = libsonata.SpikeReader(str(tmp_path / "spikes.h5"))["exc"]
    ids, times = np.array(pop.get(), dtype=float).T
    order = np.lexsort((spikes.i, spikes.t))
    assert pop.sorting == "by_time"
    assert ids.tolist() == spikes.i[order].tolist()
    assert np.array_equal(times, spikes.t[order])


def test_libsonata_reads_a_state_monitors_report_of_one_variable(tmp_path):
    net, _, states = _network()
    net.run(20.0)
    states.to_hdf5(tmp_path / "v.h5", "v")
    pop = libsonata.ElementReportReader(str(tmp_path / "v.h5"))["exc"]
    frames = pop.get()
    assert pop.get_node_ids() == [3, 0]        # in the order recorded: the columns
    assert pop.times == pytest.approx((0.0, 20.1, 0.3))
    assert pop.data_units == "1" and pop.time_units == "ms"
    # float32: SONATA's reports hold float32 (libsonata reads no other type)
    expected = states.v.T.astype(np.float32)
    assert np.array_equal(np.asarray(frames.data), expected)


def test_a_report_of_one_variable_reads_back_with_load_results(tmp_path):
    net, _, states = _network()
    net.run(5.0)
    ps.save_report(states, tmp_path / "x.h5", "x")
    report = load_results(tmp_path / "x.h5").reports["exc"]["x"]
    assert np.array_equal(report.data, states.x.T.astype(np.float32))


def test_a_report_file_of_a_monitor_of_two_variables_must_name_one(tmp_path):
    net, _, states = _network()
    net.run(1.0)
    with pytest.raises(ps.ModelError, match="holds one variable"):
        states.to_hdf5(tmp_path / "r.h5")
    assert os.listdir(tmp_path) == []


def test_a_stream_cut_at_a_checkpoint_and_resumed_from_it_writes_the_uninterrupted_file(
        tmp_path):
    whole, _, _ = _network()
    whole.run(30.0)
    save_results(whole, tmp_path / "whole.h5")
    path = tmp_path / "run.h5"
    net, _, _ = _network()
    first = ps.ResultsStream(net, path, every=2.0, parts=0)
    net.run(12.0)
    assert first.cut() == 1                    # part 0 closed: a checkpoint now says 1
    net.checkpoint(tmp_path / "run.ckpt")
    net.run(7.0)                               # then the run dies, part 1 half written
    again = ps.Network.from_checkpoint(tmp_path / "run.ckpt",
                                       build=lambda: _network()[0])
    with ps.ResultsStream(again, path, every=2.0, parts=1):
        again.run(18.0)
    assert sorted(os.listdir(tmp_path)) == ["run.ckpt", "run.h5", "whole.h5"]
    _same_results(load_results(tmp_path / "whole.h5"), load_results(path))


def test_a_stream_resumed_without_the_parts_before_its_checkpoint_is_refused(tmp_path):
    net, _, _ = _network()
    with pytest.raises(ps.ModelError, match="before the checkpoint are missing"):
        ps.ResultsStream(net, tmp_path / "run.h5", parts=2)
