"""The spiking audio datasets SHD and SSC (Cramer et al. 2020) from their HDF5 files.

Each file holds ``spikes/times`` (per sample, a variable-length array of spike times in
seconds), ``spikes/units`` (per sample, the input channel 0..699 of each spike) and
``labels`` (one class per sample). A sample comes out as SPAIC gives it: the event list
``[times * scale, units]`` with the label; ``scale`` (default 100) turns seconds into the
time unit SPAIC's ``mstb`` encoder bins with, and ``maxTime = int(Time * scale)``.
"""
from __future__ import annotations

import io
import os
from typing import Any, List, Tuple

import numpy as np

from ...codegen.errors import ModelError
from .datasets import SplitDataset, read_bytes

__all__ = ["SHD", "SSC"]


def _open_h5(path: str, where: str) -> Any:
    try:
        import h5py
    except ImportError:  # pragma: no cover - h5py is a dependency of pyspike.spaic
        raise ImportError(f"{where} reads HDF5 files with h5py: pip install h5py") from None
    source: Any = path
    if path.endswith(".gz"):  # the files are distributed gzipped: read them in memory
        source = io.BytesIO(read_bytes(path, where))
    try:
        return h5py.File(source, "r")
    except OSError as err:
        raise ModelError(f"{path} cannot be opened as an HDF5 file ({err}); it is "
                         "truncated or damaged: fetch it again", where=where,
                         symbol=os.path.basename(path)) from None


class _SpikingAudio(SplitDataset):
    kind = "spiking"
    #: longest sample, in seconds
    Time = 1.0

    def __init__(self, root: str, is_train: bool = True, scale: float = 100.0):
        if not np.isfinite(scale) or scale <= 0:
            raise ModelError(f"scale must be a positive number, got {scale!r}",
                             where=type(self).__name__, symbol="scale")
        self.scale = float(scale)
        self.maxTime = int(self.Time * self.scale)
        super().__init__(root, is_train)

    def _load(self, split: str) -> Tuple[List[np.ndarray], np.ndarray]:
        where = type(self).__name__
        path = self.find_file(self.files[f"{split}_dataset"])
        name = os.path.basename(path)
        with _open_h5(path, where) as f:
            for key in ("spikes/times", "spikes/units", "labels"):
                if key not in f:
                    raise ModelError(f"{path} has no dataset '{key}'; an {where} file holds "
                                     "spikes/times, spikes/units and labels",
                                     where=where, symbol=name)
            try:
                times = list(f["spikes/times"][()])
                units = list(f["spikes/units"][()])
                labels = np.asarray(f["labels"][()])
            except (OSError, ValueError, TypeError) as err:
                raise ModelError(f"{path}: its spike data cannot be read ({err}); the file is "
                                 "truncated or damaged", where=where, symbol=name) from None
        if not (len(times) == len(units) == len(labels)):
            raise ModelError(f"{path} has {len(times)} spike-time lists, {len(units)} unit "
                             f"lists and {len(labels)} labels; they must be equally many",
                             where=where, symbol=name)
        ids = [np.asarray(u).astype(np.int64) for u in units]
        # times are stored as float16 seconds: widen them before scaling, so that
        # `times * scale` loses nothing more than the file's own rounding
        spike_times = [np.asarray(t).astype(np.float64) for t in times]
        for k, (t, u) in enumerate(zip(spike_times, ids)):
            if t.shape != u.shape or t.ndim != 1:
                raise ModelError(f"{path}: sample {k} has {t.size} spike times but {u.size} "
                                 "units; every spike needs its unit", where=where, symbol=name)
            if u.size and (u.min() < 0 or u.max() >= self.maxNum):
                raise ModelError(f"{path}: sample {k} has a spike on unit {int(u.max())}, "
                                 f"outside 0..{self.maxNum - 1}", where=where, symbol=name)
        labels = labels.astype(np.int64)
        self._check_label_range(labels, path)
        self.data[f"{split}_ids"] = ids
        return spike_times, labels

    def __getitem__(self, index: int) -> Tuple[List[np.ndarray], np.int64]:
        times, labels = self._samples_labels()
        ids = self.data[f"{self._split}_ids"]
        return [times[index] * self.scale, ids[index]], np.int64(labels[index])


class SHD(_SpikingAudio):
    """Spiking Heidelberg Digits: 20 classes (spoken digits 0-9 in English and German),
    700 input channels, samples up to 1.37 s; 8156 training and 2264 test samples.

    ``root`` holds ``shd_train.h5`` and ``shd_test.h5`` (or the distributed
    ``.h5.gz`` files, read in memory). A sample is ``[times * scale, units]`` and a label.

    >>> import tempfile, h5py
    >>> tmp = tempfile.TemporaryDirectory(); root = tmp.name
    >>> with h5py.File(os.path.join(root, "shd_test.h5"), "w") as f:
    ...     t = f.create_dataset("spikes/times", (1,), dtype=h5py.vlen_dtype(np.float16))
    ...     u = f.create_dataset("spikes/units", (1,), dtype=h5py.vlen_dtype(np.uint16))
    ...     t[0] = np.array([0.5, 0.25], np.float16); u[0] = np.array([3, 699], np.uint16)
    ...     f["labels"] = np.array([19], np.uint16)
    >>> (times, units), label = SHD(root, is_train=False)[0]
    >>> times.tolist(), units.tolist(), int(label)
    ([50.0, 25.0], [3, 699], 19)
    >>> tmp.cleanup()
    """

    class_number = 20
    maxNum = 700
    Time = 1.37
    files = {"train_dataset": "shd_train.h5", "test_dataset": "shd_test.h5"}
    source = ("download shd_train.h5.gz and shd_test.h5.gz from "
              "https://zenkelab.org/datasets/ and put them (gzipped or not) in the folder "
              "given as root.")


class SSC(_SpikingAudio):
    """Spiking Speech Commands: 35 classes (spoken command words), 700 input channels,
    samples up to 1 s; 75466 training and 20382 test samples.

    ``root`` holds ``ssc_train.h5`` and ``ssc_test.h5`` (``ssc_valid.h5``, the validation
    split, is not used), plain or ``.gz``. Samples are as in :class:`SHD`.

    >>> SSC.class_number, SSC.maxNum, SSC.files["test_dataset"]
    (35, 700, 'ssc_test.h5')
    """

    class_number = 35
    maxNum = 700
    Time = 1.0
    files = {"train_dataset": "ssc_train.h5", "valid_dataset": "ssc_valid.h5",
             "test_dataset": "ssc_test.h5"}
    source = ("download ssc_train.h5.gz and ssc_test.h5.gz from "
              "https://zenkelab.org/datasets/ and put them (gzipped or not) in the folder "
              "given as root.")
