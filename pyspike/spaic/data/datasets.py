"""SPAIC's dataset base classes and the datasets over arrays given by the user.

A dataset maps an index to a ``(data, label)`` pair and has a length; the file datasets
(MNIST, FashionMNIST, cifar10, SHD, SSC) read from a local folder ``root`` and never
download anything: a missing file raises ``FileNotFoundError`` naming the paths looked
at and where to get the files. Damaged files raise ``ModelError`` naming the file and
what is wrong with it.
"""
from __future__ import annotations

import gzip
import os
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from ...codegen.errors import ModelError

__all__ = ["Dataset", "CustomDataset", "CustomSpikeDataset"]


class Dataset:
    """Base class of datasets: subclasses give ``__getitem__`` (index → ``(data, label)``)
    and ``__len__``. SPAIC's datasets also carry ``class_number`` (number of classes) and
    ``maxNum`` (number of input neurons a sample needs).

    >>> class Squares(Dataset):
    ...     class_number, maxNum = 2, 1
    ...     def __getitem__(self, k):
    ...         return np.array([k * k], np.float32), np.int64(k % 2)
    ...     def __len__(self):
    ...         return 4
    >>> x, y = Squares()[3]
    >>> x.tolist(), int(y)
    ([9.0], 1)
    """

    class_number: Optional[int] = None
    maxNum: Optional[int] = None

    def __getitem__(self, index: int) -> Tuple[Any, np.int64]:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError


def _check_same_length(where: str, first: Sequence, second: Sequence,
                       names: Tuple[str, str]) -> None:
    if len(first) != len(second):
        raise ModelError(f"{names[0]} has {len(first)} samples but {names[1]} has "
                         f"{len(second)}; give one label per sample",
                         where=where, symbol=names[1])


def _as_labels(where: str, label: Any) -> np.ndarray:
    labels = np.asarray(label)
    if labels.ndim != 1 or (labels.size and not np.issubdtype(labels.dtype, np.integer)
                            and not np.all(labels == np.round(labels))):
        raise ModelError("label must be a 1-d sequence of integer class numbers, got "
                         f"shape {labels.shape} and dtype {labels.dtype}",
                         where=where, symbol="label")
    return labels.astype(np.int64)


class CustomDataset(Dataset):
    """A dataset over arrays you give: ``data`` (a list or array, one sample per entry)
    and ``label`` (one integer class per sample). Samples come out as float32 arrays,
    labels as ``np.int64``, as in SPAIC.

    >>> ds = CustomDataset(np.arange(6).reshape(3, 2), [2, 0, 1])
    >>> len(ds), ds.maxNum, ds.class_number
    (3, 2, 3)
    >>> x, y = ds[1]
    >>> x.tolist(), x.dtype.name, int(y)
    ([2.0, 3.0], 'float32', 0)
    """

    def __init__(self, data: Any = None, label: Any = None):
        if data is None or label is None:
            raise ModelError("give both data= (one sample per entry) and label= (one "
                             "class per sample)", where="CustomDataset",
                             symbol="data" if data is None else "label")
        self.label = _as_labels("CustomDataset", label)
        _check_same_length("CustomDataset", data, self.label, ("data", "label"))
        self.data = data
        first = np.asarray(data[0]) if len(data) else np.zeros(0)
        self.maxNum = int(first.size)
        self.class_number = int(self.label.max()) + 1 if self.label.size else 0

    def __getitem__(self, index: int) -> Tuple[np.ndarray, np.int64]:
        return np.asarray(self.data[index], dtype=np.float32), np.int64(self.label[index])

    def __len__(self) -> int:
        return len(self.data)


class CustomSpikeDataset(Dataset):
    """A dataset of spike events you give: per sample an array of spike times and an array
    of the neuron index of each spike, and one label. A sample is ``[times, ids]``, the
    form SHD and SSC give and SPAIC's ``mstb`` encoder reads.

    >>> ds = CustomSpikeDataset([[0.5, 2.0], [1.0]], [[3, 0], [1]], [1, 0])
    >>> (times, ids), y = ds[0]
    >>> times.tolist(), ids.tolist(), int(y)
    ([0.5, 2.0], [3, 0], 1)
    """

    def __init__(self, spike_times: Any = None, neuron_ids: Any = None, label: Any = None):
        for name, value in (("spike_times", spike_times), ("neuron_ids", neuron_ids),
                            ("label", label)):
            if value is None:
                raise ModelError(f"{name}= is needed (one entry per sample)",
                                 where="CustomSpikeDataset", symbol=name)
        self.label = _as_labels("CustomSpikeDataset", label)
        _check_same_length("CustomSpikeDataset", spike_times, neuron_ids,
                           ("spike_times", "neuron_ids"))
        _check_same_length("CustomSpikeDataset", spike_times, self.label,
                           ("spike_times", "label"))
        self.spike_times = [np.asarray(t, dtype=np.float64) for t in spike_times]
        self.neuron_ids = [np.asarray(i, dtype=np.int64) for i in neuron_ids]
        for k, (t, i) in enumerate(zip(self.spike_times, self.neuron_ids)):
            if t.shape != i.shape:
                raise ModelError(f"sample {k} has {t.size} spike times but {i.size} neuron "
                                 "ids; give one neuron id per spike",
                                 where="CustomSpikeDataset", symbol="neuron_ids")
        ids = [i.max() for i in self.neuron_ids if i.size]
        self.maxNum = int(max(ids)) + 1 if ids else 0
        self.class_number = int(self.label.max()) + 1 if self.label.size else 0

    def __getitem__(self, index: int) -> Tuple[List[np.ndarray], np.int64]:
        return [self.spike_times[index], self.neuron_ids[index]], np.int64(self.label[index])

    def __len__(self) -> int:
        return len(self.label)


class SplitDataset(Dataset):
    """Shared behaviour of the datasets with a training and a test split read from files
    under ``root``: ``is_train`` picks the split (and may be changed later; a split is read
    the first time it is used), ``data`` (also ``data_dict``) holds the arrays read so far
    under SPAIC's keys (``train_images``, ``test_labels``, ...). Subclasses give ``files``,
    ``source``, ``_load(split)`` and ``__getitem__``; see :class:`~.idx.MNIST`."""

    #: the message's last sentence when a file is missing: where to get the files
    source = ""
    #: the key prefix of the sample arrays in ``data`` ("images", "spiking")
    kind = "images"

    def __init__(self, root: str, is_train: bool = True):
        if not isinstance(root, (str, os.PathLike)):
            raise ModelError(f"root must be the folder that holds the files, got {root!r}",
                             where=type(self).__name__, symbol="root")
        self.root = os.fspath(root)
        self.data: Dict[str, Any] = {}
        self._is_train = self._check_is_train(is_train)
        self._ensure_loaded()

    def _check_is_train(self, is_train: Any) -> bool:
        if not isinstance(is_train, (bool, np.bool_)):
            raise ModelError(f"is_train must be True or False, got {is_train!r}",
                             where=type(self).__name__, symbol="is_train")
        return bool(is_train)

    @property
    def is_train(self) -> bool:
        return self._is_train

    @is_train.setter
    def is_train(self, value: bool) -> None:
        self._is_train = self._check_is_train(value)
        self._ensure_loaded()

    @property
    def data_dict(self) -> Dict[str, Any]:
        return self.data

    @property
    def dataset_folder(self) -> str:
        return os.path.join(self.root, type(self).__name__)

    @property
    def _split(self) -> str:
        return "train" if self._is_train else "test"

    def _ensure_loaded(self) -> None:
        if f"{self._split}_labels" not in self.data:
            samples, labels = self._load(self._split)
            self.data[f"{self._split}_{self.kind}"] = samples
            self.data[f"{self._split}_labels"] = labels

    def _load(self, split: str) -> Tuple[Any, np.ndarray]:
        raise NotImplementedError

    def _samples_labels(self) -> Tuple[Any, np.ndarray]:
        return self.data[f"{self._split}_{self.kind}"], self.data[f"{self._split}_labels"]

    def __len__(self) -> int:
        return len(self._samples_labels()[1])

    def _check_label_range(self, labels: np.ndarray, path: str) -> None:
        if labels.size and (labels.min() < 0 or labels.max() >= self.class_number):
            bad = labels[(labels < 0) | (labels >= self.class_number)][0]
            raise ModelError(f"{path}: label {int(bad)} is outside 0..{self.class_number - 1}"
                             f"; is this a {type(self).__name__} file?",
                             where=type(self).__name__, symbol=os.path.basename(path))

    def find_file(self, name: str, folders: Sequence[str] = ("",),
                  gz: bool = True) -> str:
        """The path of ``name`` (or ``name.gz`` when ``gz``) in the first of ``folders``
        (relative to ``root``) that has it; ``FileNotFoundError`` listing every path looked
        at otherwise."""
        tried = []
        for folder in folders:
            for candidate in (name, name + ".gz") if gz else (name,):
                path = os.path.join(self.root, folder, candidate)
                if os.path.isfile(path):
                    return path
                tried.append(path)
        missing = "" if os.path.isdir(self.root) else f" (the folder {self.root} does not exist)"
        raise FileNotFoundError(
            f"{type(self).__name__}: no {name} found; looked for " + ", ".join(tried)
            + f"{missing}. pyspike never downloads datasets: {self.source}")


def read_bytes(path: str, where: str) -> bytes:
    """The bytes of ``path``, decompressed when it ends in ``.gz``; a damaged gzip file
    is refused with a ``ModelError`` naming it."""
    if not path.endswith(".gz"):
        with open(path, "rb") as f:
            return f.read()
    try:
        with gzip.open(path, "rb") as f:
            return f.read()
    except (OSError, EOFError) as err:  # gzip.BadGzipFile is an OSError
        raise ModelError(f"{path} cannot be read as a gzip file ({err}); it is truncated "
                         "or damaged: fetch it again", where=where,
                         symbol=os.path.basename(path)) from None
