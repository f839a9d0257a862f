"""CIFAR-10 from its binary distribution (never from the pickled "python version").

Each file of ``cifar-10-binary.tar.gz`` is a run of 3073-byte records: one label byte
(0-9), then the 32 × 32 red channel, the green and the blue, each row-major. The training
split is ``data_batch_1.bin`` ... ``data_batch_5.bin`` (10000 records each), the test split
``test_batch.bin``.
"""
from __future__ import annotations

import os
from typing import Tuple

import numpy as np

from ...codegen.errors import ModelError
from .datasets import SplitDataset, read_bytes

__all__ = ["cifar10", "CIFAR10"]

_RECORD = 1 + 3 * 32 * 32
#: per-channel mean and standard deviation SPAIC normalises with
_MEAN = np.array([0.4914, 0.4822, 0.4465]).reshape(3, 1, 1)
_STD = np.array([0.2023, 0.1994, 0.2010]).reshape(3, 1, 1)


class cifar10(SplitDataset):
    """CIFAR-10 (Krizhevsky 2009) from the binary files in ``root`` (or in
    ``root/cifar-10-batches-bin``, the folder the archive unpacks to).

    A sample is a float32 image of shape (3, 32, 32) (channels first). With
    ``normalize=True`` (SPAIC's behaviour) each channel is standardised,
    ``(x/255 - mean) / std`` with SPAIC's means (0.4914, 0.4822, 0.4465) and deviations
    (0.2023, 0.1994, 0.2010); with ``normalize=False`` it is ``x/255`` in [0, 1].

    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory(); root = tmp.name
    >>> record = np.zeros((1, 3073), np.uint8); record[0, 0] = 3; record[0, 1:] = 255
    >>> record.tofile(os.path.join(root, "test_batch.bin"))
    >>> ds = cifar10(root, is_train=False, normalize=False)
    >>> x, y = ds[0]
    >>> len(ds), x.shape, float(x.min()), int(y)
    (1, (3, 32, 32), 1.0, 3)
    >>> tmp.cleanup()
    """

    class_number = 10
    maxNum = 3 * 32 * 32
    classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
               "ship", "truck"]
    files = {
        "train_dataset1": "data_batch_1.bin",
        "train_dataset2": "data_batch_2.bin",
        "train_dataset3": "data_batch_3.bin",
        "train_dataset4": "data_batch_4.bin",
        "train_dataset5": "data_batch_5.bin",
        "test_dataset": "test_batch.bin",
    }
    source = ("download the binary version, https://www.cs.toronto.edu/~kriz/"
              "cifar-10-binary.tar.gz, unpack it and give the folder cifar-10-batches-bin "
              "(or the folder above it) as root.")

    def __init__(self, root: str, is_train: bool = True, normalize: bool = True):
        self.normalize = bool(normalize)
        super().__init__(root, is_train)

    def _load(self, split: str) -> Tuple[np.ndarray, np.ndarray]:
        names = [v for k, v in self.files.items() if k.startswith(split)]
        images, labels = [], []
        for name in names:
            path = self.find_file(name, ("", "cifar-10-batches-bin"), gz=False)
            records = self._records(path)
            labels.append(records[:, 0])
            images.append(records[:, 1:].reshape(len(records), 3, 32, 32))
        return np.concatenate(images), np.concatenate(labels)

    def _records(self, path: str) -> np.ndarray:
        raw = read_bytes(path, "cifar10")
        if len(raw) == 0 or len(raw) % _RECORD:
            whole, rest = divmod(len(raw), _RECORD)
            raise ModelError(f"{path}: {len(raw)} bytes is not a whole number of 3073-byte "
                             f"records (1 label byte + 3072 pixel bytes): {whole} records "
                             f"and {rest} bytes left over; the file is truncated or not a "
                             "CIFAR-10 binary batch", where="cifar10",
                             symbol=os.path.basename(path))
        records = np.frombuffer(raw, dtype=np.uint8).reshape(-1, _RECORD)
        self._check_label_range(records[:, 0], path)
        return records

    def __getitem__(self, index: int) -> Tuple[np.ndarray, np.int64]:
        images, labels = self._samples_labels()
        image = images[index] / 255.0
        if self.normalize:
            image = (image - _MEAN) / _STD
        return image.astype(np.float32), np.int64(labels[index])


#: the usual spelling of the name; SPAIC's is ``cifar10``
CIFAR10 = cifar10
