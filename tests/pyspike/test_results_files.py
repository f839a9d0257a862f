"""Results files (``save_results`` / ``load_results``): spikes and state recordings in one
HDF5 file in SONATA's layout, read back exactly, written atomically, and refused with a
ModelError naming the file when truncated, foreign or of another SONATA version."""
import os

import h5py
import numpy as np
import pytest

import pyspike as ps
from pyspike import results_write
from pyspike.results import load_results, save_results

MODEL = ps.NeuronModel(
    equations="""
        dv/dt = (I - v)/tau : mV
        dx/dt = -x/tau : 1
    """,
    threshold="v > 1", reset="v = 0; x += 1", params={"I": 2.0, "tau": 10.0})


def _network(batch=None):
    """Three neurons that spike at different times, and every kind of recording."""
    net = ps.Network(dt=0.1, backend="numpy", batch=batch)
    with net:
        G = ps.NeuronGroup(3, MODEL, name="exc", init={"v": [0.0, 0.3, 0.6]})
        spikes = ps.SpikeMonitor(G)
        states = ps.StateMonitor(G, ["v", "x"], record=[2, 0], every=2)
    net.run(25.0)
    return net, spikes, states


def _by_time(i, t):
    order = np.lexsort((i, t))
    return np.asarray(i)[order], np.asarray(t)[order]


def test_saved_spikes_read_back_equal_to_the_monitors_i_and_t(tmp_path):
    net, spikes, _ = _network()
    save_results(net, tmp_path / "run.h5")
    got = load_results(tmp_path / "run.h5").spikes["exc"]
    i, t = _by_time(spikes.i, spikes.t)
    assert len(t) > 3
    assert got.node_ids.tolist() == i.tolist()
    assert np.array_equal(got.timestamps, t)


def test_saved_state_recordings_read_back_with_their_times_and_indices(tmp_path):
    net, _, states = _network()
    save_results(net, tmp_path / "run.h5")
    reports = load_results(tmp_path / "run.h5").reports["exc"]
    for var in ("v", "x"):
        report = reports[var]
        assert np.array_equal(report.data, getattr(states, var).T)
        assert report.node_ids.tolist() == [2, 0]
        assert np.allclose(report.times, states.t)
    assert reports["v"].units == "mV" and reports["x"].units == "1"


def test_the_root_holds_sonatas_magic_and_version_as_uint32(tmp_path):
    net, _, _ = _network()
    save_results(net, tmp_path / "run.h5")
    with h5py.File(tmp_path / "run.h5", "r") as f:
        assert f.attrs["magic"] == 0x0A7A and f.attrs["magic"].dtype == np.uint32
        assert f.attrs["version"].tolist() == [0, 1]
        assert f.attrs["version"].dtype == np.uint32


def test_a_spike_population_is_laid_out_as_a_sonata_reader_expects(tmp_path):
    net, _, _ = _network()
    save_results(net, tmp_path / "run.h5")
    with h5py.File(tmp_path / "run.h5", "r") as f:
        pop = f["/spikes/exc"]
        assert pop["timestamps"].dtype == np.float64 and pop["node_ids"].dtype == np.uint64
        assert pop["timestamps"].attrs["units"] == "ms"
        assert np.all(np.diff(pop["timestamps"][()]) >= 0)
        # an HDF5 enum, as libsonata's SpikeReader reads it (a string would not read)
        names = h5py.check_enum_dtype(pop.attrs.get_id("sorting").dtype)
        assert names == {"none": 0, "by_id": 1, "by_time": 2}
        assert pop.attrs["sorting"] == names["by_time"]


def test_a_state_recording_is_a_sonata_frame_report_per_variable(tmp_path):
    net, _, states = _network()
    save_results(net, tmp_path / "run.h5")
    with h5py.File(tmp_path / "run.h5", "r") as f:
        report = f["/report/exc/v"]
        data, mapping = report["data"], report["mapping"]
        assert data.shape == (len(states.t), 2) and data.dtype == np.float64
        assert data.chunks is not None and data.attrs["units"] == "mV"
        assert mapping["node_ids"].dtype == np.uint64
        assert mapping["node_ids"].attrs["sorted"] == 0          # recorded as [2, 0]
        assert mapping["index_pointers"][()].tolist() == [0, 1, 2]
        assert mapping["index_pointers"].dtype == np.uint64
        assert mapping["element_ids"].dtype == np.uint32
        assert mapping["time"].dtype == np.float64
        assert mapping["time"].attrs["units"] == "ms"
        assert np.allclose(mapping["time"][()], [0.0, 25.0, 0.2])


def test_a_batched_network_writes_one_population_per_instance(tmp_path):
    net, spikes, states = _network(batch=2)
    save_results(net, tmp_path / "run.h5")
    back = load_results(tmp_path / "run.h5")
    assert sorted(back.spikes) == ["exc_0", "exc_1"]
    i, t = _by_time(spikes.i[1], spikes.t[1])
    assert back.spikes["exc_1"].node_ids.tolist() == i.tolist()
    assert np.array_equal(back.reports["exc_1"]["v"].data, states.v[1].T)
    with h5py.File(tmp_path / "run.h5", "r") as f:
        assert f["/spikes/exc_1"].attrs["pyspike_group"] == "exc"
        assert f["/spikes/exc_1"].attrs["pyspike_instance"] == 1


def test_a_subgroups_spikes_carry_node_ids_of_the_whole_group(tmp_path):
    net = ps.Network(dt=0.1, backend="numpy")
    with net:
        G = ps.NeuronGroup(3, MODEL, name="exc", init={"v": [0.0, 0.3, 0.6]})
        part = ps.SpikeMonitor(G[1:3])
    net.run(10.0)
    save_results(net, tmp_path / "run.h5")
    assert sorted(set(load_results(tmp_path / "run.h5").spikes["exc"].node_ids)) == [1, 2]
    assert sorted(set(part.i.tolist())) == [0, 1]


def test_a_truncated_file_is_refused_naming_it(tmp_path):
    net, _, _ = _network()
    path = tmp_path / "run.h5"
    save_results(net, path)
    with open(path, "r+b") as f:
        f.truncate(os.path.getsize(path) // 2)
    with pytest.raises(ps.ModelError, match="run.h5.*truncated or damaged"):
        load_results(path)


def test_a_file_that_is_not_hdf5_is_refused(tmp_path):
    path = tmp_path / "run.h5"
    path.write_text("node_ids,timestamps\n0,1.5\n")
    with pytest.raises(ps.ModelError, match="run.h5.*not an HDF5 file"):
        load_results(path)


def test_an_hdf5_file_with_another_magic_is_refused(tmp_path):
    path = tmp_path / "run.h5"
    with h5py.File(path, "w") as f:
        f.attrs["magic"] = np.uint32(0x1234)
        f.attrs["version"] = np.array([0, 1], np.uint32)
    with pytest.raises(ps.ModelError, match="not a SONATA file"):
        load_results(path)


def test_an_hdf5_file_without_magic_is_refused(tmp_path):
    path = tmp_path / "run.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=[1, 2])
    with pytest.raises(ps.ModelError, match="not a SONATA file"):
        load_results(path)


def test_a_file_of_another_sonata_version_is_refused(tmp_path):
    net, _, _ = _network()
    path = tmp_path / "run.h5"
    save_results(net, path)
    with h5py.File(path, "r+") as f:
        f.attrs["version"] = np.array([2, 0], np.uint32)
    with pytest.raises(ps.ModelError, match="SONATA version"):
        load_results(path)


def _fail_midway(monkeypatch):
    def broken(*args):
        raise RuntimeError("disk full")
    monkeypatch.setattr(results_write.ResultsWriter, "_write_reports", broken)   # (after spikes)


def test_an_interrupted_write_keeps_the_previous_file_and_leaves_no_temporary(tmp_path,
                                                                             monkeypatch):
    net, _, _ = _network()
    path = tmp_path / "run.h5"
    save_results(net, path)
    before = path.read_bytes()
    net.run(5.0)
    _fail_midway(monkeypatch)
    with pytest.raises(RuntimeError, match="disk full"):
        save_results(net, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["run.h5"]


def test_an_interrupted_first_write_leaves_no_file_at_the_path(tmp_path, monkeypatch):
    net, _, _ = _network()
    _fail_midway(monkeypatch)
    with pytest.raises(RuntimeError, match="disk full"):
        save_results(net, tmp_path / "run.h5")
    assert os.listdir(tmp_path) == []


def test_two_monitors_recording_one_variable_of_one_group_are_refused(tmp_path):
    net = ps.Network(dt=0.1, backend="numpy")
    with net:
        G = ps.NeuronGroup(3, MODEL, name="exc")
        ps.StateMonitor(G, "v", record=[0])
        ps.StateMonitor(G, "v", record=[1])
    net.run(1.0)
    with pytest.raises(ps.ModelError, match="two StateMonitors record 'v' of 'exc'"):
        save_results(net, tmp_path / "run.h5")
    assert not (tmp_path / "run.h5").exists()


def test_two_spike_monitors_of_one_group_write_each_spike_once(tmp_path):
    net = ps.Network(dt=0.1, backend="numpy")
    with net:
        G = ps.NeuronGroup(3, MODEL, name="exc", init={"v": [0.0, 0.3, 0.6]})
        whole = ps.SpikeMonitor(G)
        ps.SpikeMonitor(G[1:3])             # (its spikes are among the whole group's)
    net.run(10.0)
    save_results(net, tmp_path / "run.h5")
    got = load_results(tmp_path / "run.h5").spikes["exc"]
    i, t = _by_time(whole.i, whole.t)
    assert got.node_ids.tolist() == i.tolist() and np.array_equal(got.timestamps, t)
