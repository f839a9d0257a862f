"""SHD and SSC read their HDF5 files (spikes/times, spikes/units, labels, as distributed)
and give SPAIC's event samples [times * scale, units]; damaged files are refused."""
import gzip
import os

import h5py
import numpy as np
import pytest

from pyspike.codegen.errors import ModelError
from pyspike.spaic.data import SHD, SSC, Dataloader

TIMES = [np.array([0.01, 0.5, 1.25], np.float16), np.array([0.2], np.float16),
         np.array([], np.float16)]
UNITS = [np.array([0, 699, 12], np.uint16), np.array([5], np.uint16), np.array([], np.uint16)]
LABELS = np.array([3, 19, 0], np.uint16)


def write_h5(path, times=TIMES, units=UNITS, labels=LABELS):
    """A file laid out as the distributed SHD/SSC files: variable-length float16 times in
    seconds and uint16 units per sample, and one label per sample."""
    with h5py.File(path, "w") as f:
        t = f.create_dataset("spikes/times", (len(times),), dtype=h5py.vlen_dtype(np.float16))
        u = f.create_dataset("spikes/units", (len(units),), dtype=h5py.vlen_dtype(np.uint16))
        for k, (tk, uk) in enumerate(zip(times, units)):
            t[k], u[k] = tk, uk
        f.create_dataset("labels", data=labels)
    return path


def test_shd_gives_scaled_spike_times_units_and_labels_exactly(tmp_path):
    write_h5(tmp_path / "shd_train.h5")
    ds = SHD(str(tmp_path), is_train=True)
    assert len(ds) == 3
    for k in range(3):
        (times, units), label = ds[k]
        assert np.array_equal(times, TIMES[k].astype(np.float64) * 100.0)
        assert np.array_equal(units, UNITS[k].astype(np.int64)) and units.dtype == np.int64
        assert label == LABELS[k] and isinstance(label, np.int64)


def test_shd_keeps_spaics_attributes_and_scale(tmp_path):
    write_h5(tmp_path / "shd_test.h5")
    ds = SHD(str(tmp_path), is_train=False, scale=1000)
    assert (ds.class_number, ds.maxNum, ds.maxTime) == (20, 700, 1370)
    (times, _), _ = ds[0]
    assert np.array_equal(times, TIMES[0].astype(np.float64) * 1000.0)


def test_the_distributed_gzipped_file_is_read_as_it_is(tmp_path):
    write_h5(tmp_path / "plain.h5")
    with gzip.open(tmp_path / "shd_test.h5.gz", "wb") as f:
        f.write((tmp_path / "plain.h5").read_bytes())
    (_, units), label = SHD(str(tmp_path), is_train=False)[0]
    assert units.tolist() == [0, 699, 12] and int(label) == 3


def test_ssc_reads_its_own_file_names_and_35_classes(tmp_path):
    write_h5(tmp_path / "ssc_test.h5", labels=np.array([34, 1, 2], np.uint16))
    ds = SSC(str(tmp_path), is_train=False)
    assert ds.class_number == 35 and ds.maxTime == 100 and int(ds[0][1]) == 34


def test_event_samples_batch_into_rows_of_times_and_units(tmp_path):
    write_h5(tmp_path / "shd_train.h5")
    data, label = next(iter(Dataloader(SHD(str(tmp_path)), batch_size=3)))
    assert data.shape == (3, 2) and label.tolist() == [3, 19, 0]
    times, units = data[1]
    assert times.tolist() == [float(np.float16(0.2)) * 100] and units.tolist() == [5]


def test_a_missing_file_says_where_to_get_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="never downloads") as err:
        SHD(str(tmp_path), is_train=True)
    assert os.path.join(str(tmp_path), "shd_train.h5") in str(err.value)


def test_a_truncated_hdf5_file_is_refused_naming_it(tmp_path):
    path = write_h5(tmp_path / "shd_train.h5")
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(ModelError, match="truncated or damaged") as err:
        SHD(str(tmp_path))
    assert err.value.symbol == "shd_train.h5" and err.value.where == "SHD"


def test_a_file_without_spike_units_is_refused(tmp_path):
    with h5py.File(tmp_path / "shd_train.h5", "w") as f:
        f.create_dataset("spikes/times", data=np.zeros(3))
        f.create_dataset("labels", data=LABELS)
    with pytest.raises(ModelError, match="no dataset 'spikes/units'"):
        SHD(str(tmp_path))


def test_a_sample_with_more_times_than_units_is_refused(tmp_path):
    units = [UNITS[0][:2], UNITS[1], UNITS[2]]
    write_h5(tmp_path / "shd_train.h5", units=units)
    with pytest.raises(ModelError, match="sample 0 has 3 spike times but 2 units"):
        SHD(str(tmp_path))


def test_labels_and_samples_of_different_counts_are_refused(tmp_path):
    write_h5(tmp_path / "shd_train.h5", labels=LABELS[:2])
    with pytest.raises(ModelError, match="3 spike-time lists, 3 unit lists and 2 labels"):
        SHD(str(tmp_path))


def test_a_unit_beyond_the_700_channels_is_refused(tmp_path):
    units = [np.array([0, 700, 1], np.uint16), UNITS[1], UNITS[2]]
    write_h5(tmp_path / "shd_train.h5", units=units)
    with pytest.raises(ModelError, match="unit 700"):
        SHD(str(tmp_path))


def test_a_label_beyond_the_classes_is_refused(tmp_path):
    write_h5(tmp_path / "shd_train.h5", labels=np.array([3, 20, 0], np.uint16))
    with pytest.raises(ModelError, match="label 20 is outside 0..19"):
        SHD(str(tmp_path))
