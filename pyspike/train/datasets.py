"""Small data sets for training, generated offline.

:func:`mnist1d` builds an MNIST-1D-style set (Greydanus 2020, "Scaling down deep
learning", arXiv:2011.14439): ten one-dimensional "digit" templates of 12 points, each
sample a template randomly dilated (padded with zeros, then resampled), scaled,
translated, surrounded by correlated noise, covered with iid noise, sheared and
resampled to 40 points.  It is a sequence task small enough for one CPU thread on which
models differ: the mnist1d README gives 32 % held-out for logistic regression, 68 % for
an MLP, 91 % for a GRU and 94 % for a CNN on its default set of 4000 + 1000 samples.

The templates are the published ones (the mnist1d package, Apache-2.0); the generator is
written here in NumPy from the description and the package's ``transform.py`` (0.0.2),
with the same transformations, order and default sizes.  Where it departs:

- randomness from one ``numpy.random.Generator`` per split (``SeedSequence(seed)``
  spawned in two), not the legacy global generator: the samples differ from the
  package's for any seed, and the held-out set does not change with ``n_train``;
- all samples of a split are transformed at once (arrays of samples x points);
- the template's points are marked by a mask kept through the translation, where the
  package adds 1e-8 to the template and later tests for nonzero values (the same points,
  without the offset);
- the correlated noise is a Gaussian filter (sigma 2 points, truncated at 4 sigma,
  mirrored at the ends) written here, the kernel scipy.ndimage.gaussian_filter uses;
- classes balanced within each split (counts differ by at most one), shuffled; the
  package balances the 5000 samples and then cuts them 80/20, so its splits are not;
- the data centred and scaled to unit variance with the training split's mean and
  standard deviation (the package uses both splits').

>>> d = mnist1d(n_train=100, n_test=20, seed=0)
>>> d.x_train.shape, d.x_test.shape, d.y_train[:5].tolist()
((100, 40), (20, 40), [9, 0, 6, 1, 2])
"""
from __future__ import annotations

from typing import NamedTuple, Optional, Tuple

import numpy as np

from ..codegen.errors import ModelError

__all__ = ["mnist1d", "mnist1d_templates", "Mnist1d"]

# The ten published templates (mnist1d's get_templates), before normalisation: 12
# points each, starting and ending at 5.
_RAW = np.array([
    [5, 6, 6.5, 6.75, 7, 7, 7, 7, 6.75, 6.5, 6, 5],
    [5, 3, 3, 3.4, 3.8, 4.2, 4.6, 5, 5.4, 5.8, 5, 5],
    [5, 6, 6.5, 6.5, 6, 5.25, 4.75, 4, 3.5, 3.5, 4, 5],
    [5, 6, 6.5, 6.5, 6, 5, 5, 6, 6.5, 6.5, 6, 5],
    [5, 4.4, 3.8, 3.2, 2.6, 2.6, 5, 5, 5, 5, 5, 5],
    [5, 3, 3, 3, 3, 5, 6, 6.5, 6.5, 6, 4.5, 5],
    [5, 4, 3.5, 3.25, 3, 3, 3, 3, 3.25, 3.5, 4, 5],
    [5, 7, 7, 6.6, 6.2, 5.8, 5.4, 5, 4.6, 4.2, 5, 5],
    [5, 4, 3.5, 3.5, 4, 5, 5, 4, 3.5, 3.5, 4, 5],
    [5, 4, 3.5, 3.5, 4, 5, 5, 5, 5, 4.7, 4.3, 5]])


class Mnist1d(NamedTuple):
    """The two splits: sequences (samples, points) in float64, labels (samples,) int64."""
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def mnist1d_templates() -> np.ndarray:
    """The ten templates (10, 12): each standardised (zero mean, unit standard
    deviation), shifted to start at 0 and divided by 6, as the package does."""
    x = _RAW - _RAW.mean(axis=1, keepdims=True)
    x /= x.std(axis=1, keepdims=True)
    return (x - x[:, :1]) / 6.0


def mnist1d(n_train: int = 4000, n_test: int = 1000, seed: int = 42, *, length: int = 40,
            padding: Tuple[int, int] = (36, 60), scale: float = 0.4,
            max_translation: int = 48, corr_noise: float = 0.25, iid_noise: float = 0.02,
            shear: float = 0.75, templates: Optional[np.ndarray] = None) -> Mnist1d:
    """An MNIST-1D-style data set (see the module): ``n_train`` and ``n_test`` sequences
    of ``length`` points, the same arrays for the same arguments.

    The keywords are the package's ``get_dataset_args`` (defaults alike): ``padding``
    the range of zeros appended before the dilation, ``scale`` the amplitude's range
    (a factor in 1 +- scale/2), ``max_translation`` the shifts (0 to max_translation - 1
    points, circular), ``corr_noise``/``iid_noise`` the noises' standard deviations
    (the correlated one before smoothing), ``shear`` the range of the linear trend's
    slope.  ``templates`` (classes, points) replaces the published ones; each should
    start and end at 0.
    """
    where = "mnist1d"
    _count(n_train, "n_train", 1)
    _count(n_test, "n_test", 0)
    _count(length, "length", 2)
    _count(max_translation, "max_translation", 1)
    if (len(padding) != 2 or not all(isinstance(p, (int, np.integer)) for p in padding)
            or not 0 <= padding[0] <= padding[1]):
        raise ModelError(f"padding must be two whole numbers (low, high) with 0 <= low <= "
                         f"high, not {padding!r}", where=where, symbol="padding")
    tpl = mnist1d_templates() if templates is None else np.asarray(templates, np.float64)
    if tpl.ndim != 2 or tpl.shape[0] < 2 or tpl.shape[1] < 2:
        raise ModelError("templates must be an array (classes, points) with at least 2 "
                         f"classes of at least 2 points, not the shape {tpl.shape}",
                         where=where, symbol="templates")
    if not np.all(np.isfinite(tpl)):
        raise ModelError("templates must hold finite numbers", where=where,
                         symbol="templates")
    options = dict(length=length, padding=padding, scale=scale,
                   max_translation=max_translation, corr_noise=corr_noise,
                   iid_noise=iid_noise, shear=shear)
    train_seq, test_seq = np.random.SeedSequence(seed).spawn(2)
    x_train, y_train = _split(tpl, n_train, np.random.default_rng(train_seq), **options)
    x_test, y_test = _split(tpl, n_test, np.random.default_rng(test_seq), **options)
    mean, std = x_train.mean(), x_train.std()
    return Mnist1d((x_train - mean) / std, y_train, (x_test - mean) / std, y_test)


def _count(value, name: str, least: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
        raise ModelError(f"{name} must be a whole number >= {least}, not {value!r}",
                         where="mnist1d", symbol=name)


def _split(tpl: np.ndarray, n: int, rng: np.random.Generator, *, length, padding, scale,
           max_translation, corr_noise, iid_noise, shear) -> Tuple[np.ndarray, np.ndarray]:
    """n samples: (sequences (n, length), labels (n,)), classes balanced and shuffled."""
    classes, points = tpl.shape
    labels = rng.permutation(np.arange(n) % classes)
    wide = points + padding[1]            # the dilated signal's points, as the package's
    # dilate: the template followed by p zeros (p drawn in [low, high]), resampled to
    # `wide` points; a point is the template's where it falls within the template
    p = rng.integers(padding[0], padding[1] + 1, size=n)
    source = np.zeros((n, wide + 1))
    source[:, :points] = tpl[labels]
    pos = np.linspace(0.0, 1.0, wide)[None, :] * (points + p - 1)[:, None]
    x = _resample(source, pos)
    mask = pos < points     # (the package's nonzero test: up to the first zero)
    x *= 1.0 + scale * (rng.random(n) - 0.5)[:, None]
    # translate: a circular shift to the right by 0 .. max_translation - 1 points
    k = rng.integers(0, max_translation, size=n)
    cols = (np.arange(wide)[None, :] - k[:, None]) % wide
    x = np.take_along_axis(x, cols, axis=1)
    mask = np.take_along_axis(mask, cols, axis=1)
    # noise: smoothed noise where the template is not, then iid noise everywhere
    smooth = _gaussian_smooth(corr_noise * rng.standard_normal((n, wide)), sigma=2.0)
    x = np.where(mask, x, smooth) + iid_noise * rng.standard_normal((n, wide))
    # shear: a linear trend of random slope, then resampled to `length` points
    slope = shear * (rng.random(n) - 0.5)
    x -= slope[:, None] * np.linspace(-0.5, 0.5, wide)[None, :]
    x = _resample(x, np.broadcast_to(np.linspace(0.0, wide - 1, length), (n, length)))
    return x, labels.astype(np.int64)


def _resample(x: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """Row-wise linear interpolation of ``x`` (n, m) at fractional indices ``pos`` (n, k)
    in [0, m - 1] (np.interp per row, all rows at once)."""
    lo = np.minimum(np.floor(pos).astype(np.intp), x.shape[1] - 2)
    frac = pos - lo
    left = np.take_along_axis(x, lo, axis=1)
    right = np.take_along_axis(x, lo + 1, axis=1)
    return left + frac * (right - left)


def _gaussian_smooth(x: np.ndarray, sigma: float) -> np.ndarray:
    """Each row of ``x`` filtered with a normalised Gaussian of ``sigma`` points,
    truncated at 4 sigma, the rows mirrored at their ends (d c b a | a b c d):
    scipy.ndimage.gaussian_filter's defaults, in one dimension."""
    radius = int(4.0 * sigma + 0.5)
    offsets = np.arange(-radius, radius + 1)
    weights = np.exp(-0.5 * (offsets / sigma) ** 2)
    weights /= weights.sum()
    padded = np.pad(x, ((0, 0), (radius, radius)), mode="symmetric")
    m = x.shape[1]
    out = np.zeros_like(x)
    for k, w in enumerate(weights):
        out += w * padded[:, k:k + m]
    return out
