"""Snapshot files (``net.store(filename=...)`` / ``net.restore(filename=...)``): data that
cannot run code (an .npz archive with a JSON manifest, no pickle), written atomically,
refused with a ModelError naming the file when damaged or foreign, and restored exactly."""
import json
import math
import os
import pickle

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import pyspike as ps
from pyspike import snapshot_file

DT = 0.1
NOISY = ps.NeuronModel(
    equations="""
        dv/dt = (I - v)/tau + sigma*xi/sqrt(tau) : 1 (unless refractory)
        I : 1
    """,
    threshold="v > 1", reset="v = 0", refractory=1.0, method="euler",
    params={"tau": 10.0, "sigma": 0.2})


def _network(backend="numpy", batch=2, precision="double"):
    """Noisy refractory neurons, recurrent synapses with delays up to 2 ms (spikes in
    flight at any store), every kind of monitor, a batch of two instances."""
    net = ps.Network(dt=DT, seed=3, backend=backend, batch=batch, precision=precision)
    with net:
        P = ps.NeuronGroup(12, NOISY, init={"I": "1.1 + 0.5*rand()", "v": "rand()"})
        S = ps.Synapses(P, P, model="w : 1", on_pre="v_post += w")
        S.connect(p=0.3)
        S.w = "0.2*rand()"
        S.delay = "2.0*rand()"
        mons = (ps.SpikeMonitor(P), ps.StateMonitor(P, "v", record=[0, 3]),
                ps.PopulationRateMonitor(P))
    return net, P, S, mons


def _results(net, P, S, mons) -> dict:
    spikes, states, rate = mons
    out = {"t": np.array(net.t), "v": P.v.copy(), "lastspike": P.lastspike.copy(),
           "w": S.w.copy(), "count": spikes.count, "mon_v": states.v.copy(),
           "mon_t": states.t.copy(), "rate": rate.rate.copy()}
    for b in range(net.K):
        out[f"spike_i{b}"] = spikes.i[b].copy()
        out[f"spike_t{b}"] = spikes.t[b].copy()
    return out


def _assert_identical(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        assert np.asarray(a[key]).dtype == np.asarray(b[key]).dtype, key
        np.testing.assert_array_equal(b[key], a[key], err_msg=key)


@pytest.fixture
def good_file(tmp_path):
    """A snapshot file of a short run, and the network's state when it was stored."""
    path = tmp_path / "snap.npz"
    net, P, S, mons = _network()
    net.run(3.0)
    net.store(filename=str(path))
    return path, _results(net, P, S, mons)


def _refused(path, match: str = "") -> ps.ModelError:
    """Restoring ``path`` into a fresh network is a ModelError naming the file, and
    leaves the network as it was."""
    net, P, S, mons = _network()
    before = _results(net, P, S, mons)
    with pytest.raises(ps.ModelError, match=match) as err:
        net.restore(filename=str(path))
    assert err.value.where == "Network.restore"
    assert str(path) in str(err.value)
    _assert_identical(before, _results(net, P, S, mons))
    return err.value


def _entries(path) -> dict:
    with np.load(path, allow_pickle=False) as npz:
        return {key: npz[key] for key in npz.files}


def _float_array(entries: dict, min_size: int = 1) -> str:
    """The key of the first float64 array of at least ``min_size`` values."""
    return next(k for k, a in entries.items() if a.dtype == np.float64 and a.size >= min_size)


def _manifest(entries: dict) -> dict:
    return json.loads(entries[snapshot_file.MANIFEST].tobytes().decode())


def _rewrite(path, entries: dict, manifest: dict = None) -> None:
    if manifest is not None:
        text = json.dumps(manifest).encode()
        entries = dict(entries, **{snapshot_file.MANIFEST: np.frombuffer(text, np.uint8)})
    with open(path, "wb") as f:
        np.savez(f, **entries)


# --- the format ------------------------------------------------------------------------


def test_a_snapshot_file_is_an_npz_archive_that_numpy_reads_without_pickle(good_file):
    path, _ = good_file
    entries = _entries(path)             # np.load refuses anything pickled
    manifest = _manifest(entries)
    assert manifest["format"] == "pyspike-snapshot" and manifest["version"] == 1
    assert set(manifest["arrays"]) == set(entries) - {snapshot_file.MANIFEST}
    assert all(a.dtype.kind in "biufc" for a in entries.values())


def test_restoring_a_pickle_file_runs_none_of_its_code(tmp_path):
    marker = tmp_path / "the pickle ran code"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    path = tmp_path / "snap.pkl"
    path.write_bytes(pickle.dumps({"default": Payload()}))
    _refused(path, "pickle")
    assert not marker.exists()


def test_an_old_pickle_snapshot_is_refused_saying_the_format_changed(tmp_path):
    path = tmp_path / "old.pkl"
    path.write_bytes(pickle.dumps({"default": {"step": 10, "objects": []}}, protocol=4))
    err = _refused(path, "format has changed")
    assert "can run" in str(err)


# Nested data of every kind a snapshot holds, for the property below.
_dtypes = st.sampled_from(["<f8", "<f4", "<i4", "<i8", "u1", "<u4", "?", "<c16", "i1"])
_arrays = _dtypes.flatmap(lambda dt: hnp.arrays(np.dtype(dt), hnp.array_shapes(
    min_dims=0, max_dims=3, min_side=0, max_side=4)))
_leaves = (st.none() | st.booleans() | st.integers(-2 ** 70, 2 ** 70)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=8)
           | _arrays | _dtypes.flatmap(lambda dt: hnp.arrays(np.dtype(dt), ())).map(
               lambda a: a[()]))
_keys = st.text(max_size=5) | st.integers(-5, 5) | st.tuples(st.integers(0, 3), st.text(max_size=2))
_nested = st.recursive(_leaves, lambda inner: st.lists(inner, max_size=4)
                       | st.lists(inner, max_size=4).map(tuple)
                       | st.dictionaries(_keys, inner, max_size=4), max_leaves=20)


def _same(a, b) -> bool:
    """Equal, of the same types, arrays bit for bit; NaN equals NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, (np.ndarray, np.generic)):
        return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or \
            (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    return a == b


@settings(max_examples=60, deadline=2000, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(content=_nested)
def test_any_nested_data_of_a_snapshot_reads_back_exactly_with_its_types(tmp_path, content):
    path = str(tmp_path / "data.npz")
    snapshot_file.write(path, content, where="Network.store")
    assert _same(content, snapshot_file.read(path, where="Network.restore"))


def test_floats_read_back_exactly(tmp_path):
    values = [0.1, 1 / 3, -0.0, 5e-324, 1.7976931348623157e308, math.nan, math.inf, -math.inf]
    path = str(tmp_path / "floats.npz")
    snapshot_file.write(path, values, where="Network.store")
    assert _same(values, snapshot_file.read(path, where="Network.restore"))


def test_a_value_a_snapshot_file_cannot_hold_is_an_error_naming_where_it_is(tmp_path):
    path = tmp_path / "snap.npz"
    with pytest.raises(ps.ModelError, match=r"\['objects'\]\[1\].*set") as err:
        snapshot_file.write(str(path), {"objects": [1.0, {2, 3}]}, where="Network.store")
    assert err.value.where == "Network.store" and not path.exists()


def test_an_object_array_is_refused_when_storing(tmp_path):
    with pytest.raises(ps.ModelError, match="dtype object"):
        snapshot_file.write(str(tmp_path / "s.npz"), {"x": np.array([None, 1])},
                            where="Network.store")


# --- writing atomically ---------------------------------------------------------------


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt])
def test_a_store_interrupted_while_writing_leaves_the_previous_file_and_no_temporary_one(
        good_file, monkeypatch, failure):
    path, at_store = good_file
    net, P, S, mons = _network()
    net.run(5.0)
    write_array = np.lib.format.write_array

    def fail_halfway(fp, array, *args, **kwargs):
        if array.size > 20:              # a state array: part of it is written, then
            fp.write(b"\0" * 64)         # the disk is full or Ctrl-C is pressed
            raise failure
        return write_array(fp, array, *args, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", fail_halfway)
    with pytest.raises(type(failure) if isinstance(failure, BaseException) else failure):
        net.store("later", filename=str(path))
    monkeypatch.undo()
    assert os.listdir(path.parent) == [path.name]
    fresh, *objects = _network()
    fresh.restore(filename=str(path))
    _assert_identical(at_store, _results(fresh, *objects))


def test_storing_into_a_file_that_is_not_a_snapshot_file_is_refused_and_keeps_it(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("my notes, not a snapshot\n")
    net, *_ = _network()
    with pytest.raises(ps.ModelError, match="not a pyspike snapshot") as err:
        net.store(filename=str(path))
    assert err.value.where == "Network.store" and str(path) in str(err.value)
    assert path.read_text() == "my notes, not a snapshot\n"


# --- round trips ------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_a_fresh_network_restored_from_a_file_continues_like_the_uninterrupted_run(
        backend, tmp_path):
    path = str(tmp_path / "snap.npz")
    net, P, S, mons = _network(backend)
    net.run(5.0)
    assert any(((t > 3.0) & (t <= 5.0)).any() for t in mons[0].t)   # spikes in flight
    net.store(filename=path)
    fresh, *objects = _network(backend)
    fresh.restore(filename=path)
    fresh.run(10.0)
    whole, *whole_objects = _network(backend)
    whole.run(15.0)
    assert sum(whole_objects[2][0].num_spikes) > 30
    _assert_identical(_results(whole, *whole_objects), _results(fresh, *objects))


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_single_precision_state_keeps_its_float32_values_through_a_file(backend, tmp_path):
    path = str(tmp_path / "snap.npz")
    net, P, S, mons = _network(backend, batch=None, precision="single")
    net.run(4.0)
    net.store(filename=path)
    net.run(6.0)
    expected = _results(net, P, S, mons)
    fresh, P2, *rest = _network(backend, batch=None, precision="single")
    fresh.restore(filename=path)
    assert P2.v.dtype == np.float32
    fresh.run(6.0)
    _assert_identical(expected, _results(fresh, P2, *rest))


def test_storing_a_name_again_replaces_it_and_keeps_the_other_names(tmp_path):
    path = str(tmp_path / "snap.npz")
    net, *objects = _network()
    net.run(2.0)
    net.store("a", filename=path)
    net.store("b", filename=path)
    net.run(2.0)
    at_b = _results(net, *objects)
    net.store("b", filename=path)
    assert set(snapshot_file.read(path, where="Network.restore")) == {"a", "b"}
    net.restore("a", filename=path)
    assert net.t == pytest.approx(2.0)
    net.restore("b", filename=path)
    _assert_identical(at_b, _results(net, *objects))


# --- refusals ---------------------------------------------------------------------------


def test_a_truncated_file_is_refused(good_file):
    path, _ = good_file
    raw = path.read_bytes()
    path.write_bytes(raw[:len(raw) // 2])
    _refused(path, "damaged")


def test_an_empty_file_is_refused(good_file):
    path, _ = good_file
    path.write_bytes(b"")
    _refused(path, "not a pyspike snapshot")


def test_a_file_with_a_flipped_byte_is_refused(good_file):
    path, _ = good_file
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    _refused(path, "damaged")


def test_any_flipped_byte_or_truncation_is_refused_or_changes_nothing(good_file):
    # (a byte of a ZIP header that no reader looks at, a file date, may change unnoticed)
    path, at_store = good_file
    raw = path.read_bytes()
    rng = np.random.default_rng(0)
    for k, where in enumerate(rng.choice(len(raw), 40, replace=False)):
        damaged = bytearray(raw)
        damaged[where] ^= 1 << int(rng.integers(8))
        for data in (bytes(damaged), raw[:where]):
            path.write_bytes(data)
            net, *objects = _network()
            try:
                net.restore(filename=str(path))
            except ps.ModelError as err:
                assert str(path) in str(err)
            else:
                _assert_identical(at_store, _results(net, *objects))


def test_a_file_that_does_not_exist_is_refused(tmp_path):
    _refused(tmp_path / "nowhere.npz", "cannot be opened")


def test_a_text_file_is_refused(tmp_path):
    path = tmp_path / "snap.npz"
    path.write_text("step = 10\n")
    _refused(path, "not a pyspike snapshot")


def test_an_npz_archive_of_other_arrays_is_refused(tmp_path):
    path = tmp_path / "snap.npz"
    np.savez(path, x=np.random.default_rng(1).random(10), y=np.arange(3))
    _refused(path, "not a pyspike snapshot")


def test_another_version_of_the_format_is_refused(good_file):
    path, _ = good_file
    entries = _entries(path)
    _rewrite(path, entries, dict(_manifest(entries), version=2))
    _refused(path, "version 2")


def test_a_file_missing_an_array_of_its_manifest_is_refused(good_file):
    path, _ = good_file
    entries = _entries(path)
    del entries["a0"]
    _rewrite(path, entries)
    _refused(path, "a0.*missing")


def test_an_array_of_another_dtype_than_its_manifest_says_is_refused(good_file):
    path, _ = good_file
    entries = _entries(path)
    key = _float_array(entries)
    entries[key] = entries[key].astype(np.float32)
    _rewrite(path, entries)
    _refused(path, f"{key} has dtype")


def test_an_array_of_another_shape_than_its_manifest_says_is_refused(good_file):
    path, _ = good_file
    entries = _entries(path)
    key = _float_array(entries, min_size=2)
    entries[key] = entries[key].reshape(-1)[:-1]
    _rewrite(path, entries)
    _refused(path, f"{key} has shape")


def test_an_array_whose_bytes_changed_is_refused_by_its_checksum(good_file):
    # a well-formed archive (its CRCs rewritten) with one value changed
    path, _ = good_file
    entries = _entries(path)
    key = _float_array(entries, min_size=2)
    entries[key] = entries[key].copy()
    entries[key].flat[0] += 1.0
    _rewrite(path, entries)
    _refused(path, f"{key} does not match its SHA-256")


def _edited(path, edit) -> None:
    """Rewrite a good file with its content changed by ``edit`` (checksums made anew)."""
    content = snapshot_file.read(str(path), where="test")
    edit(content["default"]["objects"])
    snapshot_file.write(str(path), content, where="test")


def test_a_well_formed_file_whose_synapses_point_outside_the_target_is_refused(good_file):
    path, _ = good_file

    def edit(objects):
        objects[1]["col"][0] = 12
    _edited(path, edit)
    _refused(path, "does not fit.*outside the target")


def test_a_well_formed_file_whose_state_arrays_are_too_short_is_refused(good_file):
    path, _ = good_file

    def edit(objects):
        objects[0]["variables"]["v"] = objects[0]["variables"]["v"][:, :5]
    _edited(path, edit)
    _refused(path, r"does not fit.*variables\['v'\] has shape")


def test_a_well_formed_file_that_holds_no_network_snapshot_is_refused(tmp_path):
    path = tmp_path / "snap.npz"
    snapshot_file.write(str(path), {"default": {"step": "ten"}}, where="test")
    _refused(path, "not a snapshot of a network")
