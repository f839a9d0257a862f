"""Datasets that need no files: scikit-learn's digits and a generated MNIST-1D-style set.

Both are made in memory (the digits ship inside scikit-learn; MNIST-1D is generated from a
seed), so examples and tests can train on real classification problems offline.
"""
from __future__ import annotations

import functools
from typing import Tuple

import numpy as np

from ...train.datasets import mnist1d_templates

from ...codegen.errors import ModelError
from .datasets import Dataset

__all__ = ["Digits", "MNIST1D", "make_mnist1d", "stratified_split", "templates"]


def _check_fraction(value: float, where: str, symbol: str) -> float:
    if not 0.0 < float(value) < 1.0:
        raise ModelError(f"{symbol} must lie strictly between 0 and 1, got {value!r}",
                         where=where, symbol=symbol)
    return float(value)


def _check_bool(value: object, where: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ModelError(f"is_train must be True or False, got {value!r}",
                         where=where, symbol="is_train")
    return bool(value)


def stratified_split(labels: np.ndarray, test_fraction: float,
                     seed: int) -> Tuple[np.ndarray, np.ndarray]:
    """Training and test indices (each sorted) with, in every class, ``round(test_fraction
    × class size)`` samples drawn for the test split by ``numpy.random.default_rng(seed)``
    (classes taken in increasing order, one permutation each).

    >>> train, test = stratified_split(np.array([0, 0, 0, 0, 1, 1, 1, 1]), 0.25, seed=0)
    >>> len(train), len(test), sorted(np.array([0, 0, 0, 0, 1, 1, 1, 1])[test].tolist())
    (6, 2, [0, 1])
    """
    rng = np.random.default_rng(seed)
    test = []
    for cls in np.unique(labels):
        members = np.flatnonzero(labels == cls)
        test.append(rng.permutation(members)[:int(round(test_fraction * len(members)))])
    test_idx = np.sort(np.concatenate(test))
    train_idx = np.setdiff1d(np.arange(len(labels)), test_idx)
    return train_idx, test_idx


class Digits(Dataset):
    """The 8 × 8 handwritten digits of scikit-learn (``sklearn.datasets.load_digits``:
    1797 samples, 10 classes, pixel values 0-16), which ship inside scikit-learn: nothing
    is downloaded.

    The split is stratified and seeded (:func:`stratified_split`): ``test_fraction`` of
    each class (default 0.2, so 1438 training and 359 test samples) goes to the test split,
    chosen by ``seed`` (default 0). A sample is the image flattened to 64 float32 values
    in [0, 1] (pixel / 16); the label is an ``np.int64``.

    >>> train, test = Digits(is_train=True), Digits(is_train=False)
    >>> len(train), len(test), train.maxNum, train.class_number
    (1438, 359, 64, 10)
    >>> x, y = train[0]
    >>> x.shape, x.dtype.name, float(x.max()) <= 1.0
    ((64,), 'float32', True)
    """

    class_number = 10
    maxNum = 64

    def __init__(self, is_train: bool = True, test_fraction: float = 0.2, seed: int = 0):
        self.test_fraction = _check_fraction(test_fraction, "Digits", "test_fraction")
        self.seed = int(seed)
        self._is_train = _check_bool(is_train, "Digits")
        images, labels = _load_digits()
        train_idx, test_idx = stratified_split(labels, self.test_fraction, self.seed)
        self.data = {"train_images": images[train_idx], "train_labels": labels[train_idx],
                     "test_images": images[test_idx], "test_labels": labels[test_idx]}

    @property
    def is_train(self) -> bool:
        return self._is_train

    @is_train.setter
    def is_train(self, value: bool) -> None:
        self._is_train = _check_bool(value, "Digits")

    @property
    def data_dict(self) -> dict:
        return self.data

    def _pair(self) -> Tuple[np.ndarray, np.ndarray]:
        split = "train" if self._is_train else "test"
        return self.data[f"{split}_images"], self.data[f"{split}_labels"]

    def __getitem__(self, index: int) -> Tuple[np.ndarray, np.int64]:
        images, labels = self._pair()
        return images[index].copy(), np.int64(labels[index])

    def __len__(self) -> int:
        return len(self._pair()[1])


@functools.lru_cache(maxsize=1)
def _load_digits() -> Tuple[np.ndarray, np.ndarray]:
    try:
        from sklearn.datasets import load_digits
    except ImportError:  # pragma: no cover - scikit-learn is a dependency of pyspike.spaic
        raise ImportError("Digits reads scikit-learn's bundled digits: pip install "
                          "scikit-learn") from None
    bunch = load_digits()
    images = (bunch.data / 16.0).astype(np.float32)
    images.setflags(write=False)  # cached and shared: keep it from being changed in place
    labels = bunch.target.astype(np.int64)
    labels.setflags(write=False)
    return images, labels


def templates() -> np.ndarray:
    """The ten templates, each standardised (zero mean, unit deviation), shifted to start
    at 0 and divided by 6, as MNIST-1D prepares them: shape (10, 12) (one table of them:
    pyspike.train.datasets)."""
    return mnist1d_templates()


def _resample(x: np.ndarray, n: int) -> np.ndarray:
    return np.interp(np.linspace(0.0, 1.0, n), np.linspace(0.0, 1.0, len(x)), x)


def _smooth(x: np.ndarray, sigma: float) -> np.ndarray:
    # a Gaussian filter truncated at 4 sigma, edges mirrored (x[1] x[0] | x[0] x[1] ...)
    radius = int(4 * sigma + 0.5)
    k = np.arange(-radius, radius + 1)
    kernel = np.exp(-0.5 * (k / sigma) ** 2)
    return np.convolve(np.pad(x, radius, mode="symmetric"), kernel / kernel.sum(), "valid")


def _one_sample(template: np.ndarray, rng: np.random.Generator, padding: Tuple[int, int],
                scale_coeff: float, max_translation: int, corr_noise_scale: float,
                iid_noise_scale: float, shear_scale: float, final_seq_length: int) -> np.ndarray:
    length = len(template) + padding[1]
    pad = rng.integers(padding[0], padding[1] + 1)
    x = np.concatenate([template + 1e-8, np.zeros(pad)])  # + 1e-8: the stroke is never 0
    x = _resample(x, length)                               # stretch to a common length
    x = x * (1.0 + scale_coeff * (rng.random() - 0.5))     # random amplitude
    x = np.roll(x, rng.integers(0, max_translation))       # random circular shift
    background = x == 0.0                                  # where no stroke lies
    x = np.where(background, _smooth(corr_noise_scale * rng.standard_normal(length), 2.0), x)
    x = x + iid_noise_scale * rng.standard_normal(length)
    x = x - shear_scale * (rng.random() - 0.5) * np.linspace(-0.5, 0.5, length)  # shear
    return _resample(x, final_seq_length)


def make_mnist1d(num_samples: int = 5000, padding: Tuple[int, int] = (36, 60),
                 scale_coeff: float = 0.4, max_translation: int = 48,
                 corr_noise_scale: float = 0.25, iid_noise_scale: float = 2e-2,
                 shear_scale: float = 0.75, final_seq_length: int = 40,
                 seed: int = 42) -> Tuple[np.ndarray, np.ndarray]:
    """Generates an MNIST-1D-style set: ``(sequences, labels)`` of shapes
    ``(10 * (num_samples // 10), final_seq_length)`` (float32) and ``(...,)`` (int64),
    shuffled, the sequences standardised over the whole set. See :class:`MNIST1D` for
    how a sample is made; the same arguments give the same arrays, bit for bit.

    >>> xs, ys = make_mnist1d(num_samples=20, seed=0)
    >>> xs.shape, np.bincount(ys).tolist()
    ((20, 40), [2, 2, 2, 2, 2, 2, 2, 2, 2, 2])
    """
    where = "MNIST1D"
    if int(num_samples) < 10:
        raise ModelError(f"num_samples must be at least 10 (one per class), got "
                         f"{num_samples!r}", where=where, symbol="num_samples")
    lo, hi = (int(v) for v in padding)
    if not 0 <= lo <= hi:
        raise ModelError(f"padding must be (low, high) with 0 <= low <= high, got "
                         f"{padding!r}", where=where, symbol="padding")
    for symbol, value, least in (("max_translation", max_translation, 1),
                                 ("final_seq_length", final_seq_length, 2)):
        if int(value) < least:
            raise ModelError(f"{symbol} must be at least {least}, got {value!r}",
                             where=where, symbol=symbol)
    rng = np.random.default_rng(seed)
    shapes = templates()
    per_class = int(num_samples) // 10
    xs = np.stack([_one_sample(shapes[c], rng, (lo, hi), float(scale_coeff),
                               int(max_translation), float(corr_noise_scale),
                               float(iid_noise_scale), float(shear_scale),
                               int(final_seq_length))
                   for c in range(10) for _ in range(per_class)])
    ys = np.repeat(np.arange(10, dtype=np.int64), per_class)
    order = rng.permutation(len(ys))
    xs, ys = xs[order], ys[order]
    return ((xs - xs.mean()) / xs.std()).astype(np.float32), ys


@functools.lru_cache(maxsize=4)
def _cached_mnist1d(*args: object) -> Tuple[np.ndarray, np.ndarray]:
    xs, ys = make_mnist1d(*args)  # type: ignore[arg-type]
    xs.setflags(write=False)  # shared by every MNIST1D made with these arguments
    ys.setflags(write=False)
    return xs, ys


class MNIST1D(Dataset):
    """A generated MNIST-1D-style set (Greydanus 2020): short 1-d sequences, one of ten
    digit templates each, made harder to tell apart by random transformations.

    Each sample is made, with ``numpy.random.default_rng(seed)`` drawing in a fixed order,
    from its class's 12-point template (:func:`templates`) by: padding with ``pad`` zeros,
    ``pad`` uniform in ``padding`` (default 36..60); stretching to ``12 + padding[1]``
    points; scaling the amplitude by ``1 + scale_coeff * (u - 0.5)`` (0.4); shifting
    circularly by 0..``max_translation``-1 points (48); filling the padding with correlated
    noise (Gaussian noise of deviation ``corr_noise_scale`` (0.25) smoothed by a Gaussian
    of 2 points); adding independent noise of deviation ``iid_noise_scale`` (0.02);
    shearing (subtracting ``shear_scale * (u - 0.5)`` (0.75) times a ramp from -0.5 to 0.5);
    resampling to ``final_seq_length`` points (40). ``num_samples // 10`` samples are made
    per class (default 5000 in all), shuffled, and the whole set standardised to mean 0,
    deviation 1 (:func:`make_mnist1d`); the first ``train_split`` (0.8) form the training
    split, the rest the test split. The same arguments give the same set, bit for bit.

    A sample is a float32 sequence of shape ``(final_seq_length,)``; the label an
    ``np.int64``.

    >>> train = MNIST1D(is_train=True, num_samples=500, seed=1)
    >>> test = MNIST1D(is_train=False, num_samples=500, seed=1)
    >>> len(train), len(test), train[0][0].shape, train.class_number
    (400, 100, (40,), 10)
    """

    class_number = 10

    def __init__(self, is_train: bool = True, num_samples: int = 5000,
                 train_split: float = 0.8, padding: Tuple[int, int] = (36, 60),
                 scale_coeff: float = 0.4, max_translation: int = 48,
                 corr_noise_scale: float = 0.25, iid_noise_scale: float = 2e-2,
                 shear_scale: float = 0.75, final_seq_length: int = 40, seed: int = 42):
        self._is_train = _check_bool(is_train, "MNIST1D")
        self.train_split = _check_fraction(train_split, "MNIST1D", "train_split")
        self.seed = seed
        xs, ys = _cached_mnist1d(int(num_samples), tuple(int(v) for v in padding),
                                 float(scale_coeff), int(max_translation),
                                 float(corr_noise_scale), float(iid_noise_scale),
                                 float(shear_scale), int(final_seq_length), int(seed))
        self.maxNum = int(xs.shape[1])
        split = int(len(ys) * self.train_split)
        self.data = {"train_sequences": xs[:split], "train_labels": ys[:split],
                     "test_sequences": xs[split:], "test_labels": ys[split:]}

    @property
    def is_train(self) -> bool:
        return self._is_train

    @is_train.setter
    def is_train(self, value: bool) -> None:
        self._is_train = _check_bool(value, "MNIST1D")

    def _pair(self) -> Tuple[np.ndarray, np.ndarray]:
        split = "train" if self._is_train else "test"
        return self.data[f"{split}_sequences"], self.data[f"{split}_labels"]

    def __getitem__(self, index: int) -> Tuple[np.ndarray, np.int64]:
        xs, ys = self._pair()
        return xs[index].copy(), np.int64(ys[index])

    def __len__(self) -> int:
        return len(self._pair()[1])
