"""The idx file format and the MNIST and FashionMNIST datasets stored in it.

An idx file starts with a magic number: two zero bytes, a type code (0x08 for unsigned
bytes) and the number of dimensions; then each dimension's size as a big-endian 32-bit
integer; then the values, row-major. MNIST's image files have magic number 2051
(0x00000803: bytes, 3 dimensions: count × 28 × 28) and its label files 2049 (0x00000801).
"""
from __future__ import annotations

import os
import struct
from typing import Dict, List, Optional, Tuple

import numpy as np

from ...codegen.errors import ModelError
from .datasets import SplitDataset, read_bytes

__all__ = ["MNIST", "FashionMNIST", "read_idx", "write_idx"]

#: idx type code → big-endian numpy dtype
_IDX_TYPES: Dict[int, str] = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4",
                              0x0D: ">f4", 0x0E: ">f8"}
IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049


def read_idx(path: str, magic: Optional[int] = None, where: str = "read_idx") -> np.ndarray:
    """The array stored in the idx file ``path`` (plain, or gzip-compressed when the name
    ends in ``.gz``). ``magic``, when given, is the magic number the file must have.

    A file that is too short, has a wrong magic number, or holds more or fewer values than
    its header announces is refused with a ``ModelError`` naming the file.

    >>> import tempfile, os
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = os.path.join(tmp.name, "labels-idx1-ubyte")
    >>> write_idx(path, np.array([7, 2, 1], dtype=np.uint8))
    >>> read_idx(path, magic=2049).tolist()
    [7, 2, 1]
    >>> tmp.cleanup()
    """
    name = os.path.basename(path)
    raw = read_bytes(path, where)

    def refuse(message: str) -> ModelError:
        return ModelError(f"{path}: {message}", where=where, symbol=name)

    if len(raw) < 4:
        raise refuse(f"the file has {len(raw)} bytes, too few for an idx header (4 bytes "
                     "of magic number); it is truncated or empty")
    (number,) = struct.unpack(">I", raw[:4])
    type_code, ndim = raw[2], raw[3]
    if raw[0] != 0 or raw[1] != 0 or type_code not in _IDX_TYPES or ndim == 0:
        raise refuse(f"magic number {number} (0x{number:08X}) is not an idx magic number "
                     "(0x0000TTDD: type TT, DD dimensions); this is not an idx file")
    if magic is not None and number != magic:
        raise refuse(f"magic number {number} where {magic} was expected "
                     f"({_describe_magic(magic)}); is this the right file?")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise refuse(f"the header announces {ndim} dimensions ({header} header bytes) but "
                     f"the file ends after {len(raw)} bytes; it is truncated")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = np.dtype(_IDX_TYPES[type_code])
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    found = len(raw) - header
    if found != expected:
        sizes = " × ".join(str(s) for s in shape)
        how = "it is truncated" if found < expected else "extra bytes follow the data"
        raise refuse(f"the header says {sizes} values ({expected} bytes of data) but the "
                     f"file holds {found} bytes after the header: {how}")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(
        dtype.newbyteorder("="))


def _describe_magic(magic: int) -> str:
    return {IMAGES_MAGIC: "an idx3 image file", LABELS_MAGIC: "an idx1 label file"}.get(
        magic, "an idx file")


def write_idx(path: str, array: np.ndarray) -> None:
    """Writes ``array`` (uint8, int8, int16, int32, float32 or float64) to ``path`` in the
    idx format (uncompressed), e.g. to make a small MNIST-style file."""
    array = np.asarray(array)
    codes = {np.dtype(v).newbyteorder("="): k for k, v in _IDX_TYPES.items()}
    dtype = array.dtype.newbyteorder("=")
    if dtype not in codes:
        raise ModelError(f"idx files hold uint8, int8, int16, int32, float32 or float64 "
                         f"values, not {array.dtype}", where="write_idx", symbol="array")
    header = bytes([0, 0, codes[dtype], array.ndim]) + struct.pack(f">{array.ndim}I",
                                                                    *array.shape)
    with open(path, "wb") as f:
        f.write(header + array.astype(_IDX_TYPES[codes[dtype]]).tobytes())


class MNIST(SplitDataset):
    """The MNIST digits (LeCun et al. 1998) from the idx files in ``root``.

    ``root`` holds ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte`` (training
    split) and ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte`` (test split), plain
    or ``.gz``, as SPAIC expects them (torchvision's ``root/MNIST/raw`` and ``root/raw``
    also work). Only the split in use is read. A sample is the image flattened to 784
    float32 values in [0, 1], as in SPAIC; the label is an ``np.int64``.

    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory(); root = tmp.name
    >>> write_idx(os.path.join(root, "train-images-idx3-ubyte"),
    ...           np.full((2, 28, 28), 255, dtype=np.uint8))
    >>> write_idx(os.path.join(root, "train-labels-idx1-ubyte"), np.array([5, 0], np.uint8))
    >>> ds = MNIST(root, is_train=True)
    >>> x, y = ds[0]
    >>> len(ds), x.shape, x.dtype.name, float(x.max()), int(y)
    (2, (784,), 'float32', 1.0, 5)
    >>> tmp.cleanup()
    """

    class_number = 10
    maxNum = 28 * 28
    classes: List[str] = [str(k) for k in range(10)]
    files = {
        "train_images": "train-images-idx3-ubyte",
        "test_images": "t10k-images-idx3-ubyte",
        "train_labels": "train-labels-idx1-ubyte",
        "test_labels": "t10k-labels-idx1-ubyte",
    }
    source = ("download the four files (plain or .gz) from the MNIST page "
              "(http://yann.lecun.com/exdb/mnist/ or one of its mirrors) and put them in "
              "the folder given as root.")

    def __init__(self, root: str, is_train: bool = True):
        super().__init__(root, is_train)

    @property
    def class_to_idx(self) -> Dict[str, int]:
        return {name: k for k, name in enumerate(self.classes)}

    def _load(self, split: str) -> Tuple[np.ndarray, np.ndarray]:
        where = type(self).__name__
        folders = ("", "raw", os.path.join(where, "raw"))
        image_path = self.find_file(self.files[f"{split}_images"], folders)
        label_path = self.find_file(self.files[f"{split}_labels"], folders)
        images = read_idx(image_path, IMAGES_MAGIC, where)
        if images.dtype != np.uint8 or images.shape[1:] != (28, 28):
            raise ModelError(f"{image_path}: holds {images.dtype} images of "
                             f"{' × '.join(map(str, images.shape[1:]))} pixels; {where} "
                             "images are 28 × 28 unsigned bytes", where=where,
                             symbol=os.path.basename(image_path))
        labels = read_idx(label_path, LABELS_MAGIC, where)
        if labels.dtype != np.uint8:
            raise ModelError(f"{label_path}: holds {labels.dtype} labels; {where} labels "
                             "are unsigned bytes", where=where,
                             symbol=os.path.basename(label_path))
        if len(labels) != len(images):
            raise ModelError(f"{label_path} has {len(labels)} labels but {image_path} has "
                             f"{len(images)} images; the two files do not belong together",
                             where=where, symbol=os.path.basename(label_path))
        self._check_label_range(labels, label_path)
        return images.reshape(len(images), 28 * 28), labels

    def __getitem__(self, index: int) -> Tuple[np.ndarray, np.int64]:
        images, labels = self._samples_labels()
        # float32 divided by a float32 255, as SPAIC's np.float32(img) / 255.0
        return images[index].astype(np.float32) / np.float32(255.0), np.int64(labels[index])


class FashionMNIST(MNIST):
    """Fashion-MNIST (Xiao et al. 2017): 28 × 28 images of 10 kinds of clothing in the
    same idx files and names as :class:`MNIST` (see there), under ``root``.

    >>> FashionMNIST.class_number, FashionMNIST.maxNum, FashionMNIST.classes[9]
    (10, 784, 'Ankle boot')
    """

    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]
    source = ("download the four files (plain or .gz) from "
              "https://github.com/zalandoresearch/fashion-mnist and put them in the "
              "folder given as root.")
