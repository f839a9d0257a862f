"""SPAIC's ``Dataloader`` and samplers, on numpy.

A sampler yields dataset indices; a :class:`BatchSampler` groups them into lists; the
:class:`Dataloader` fetches each list of indices from the dataset and collates the samples
into one ``(data, label)`` pair with the batch as the first axis. The names, arguments and
iteration behaviour are SPAIC's (which follows PyTorch's); everything is a numpy array.

Shuffling is reproducible: a loader or a random sampler given ``seed=`` owns its own
``numpy.random.Generator``, so the same seed gives the same batches, epoch after epoch
(each pass over the loader draws the next permutation from that generator). Without a
seed the global ``numpy.random`` state is used, as in SPAIC, so ``np.random.seed(...)``
before iterating also makes a run repeatable.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from ...codegen.errors import ModelError

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "BatchSampler", "Dataloader", "default_collate"]


def _check_positive_int(value: Any, where: str, symbol: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
            or value <= 0:
        raise ModelError(f"{symbol} must be a positive integer, got {value!r}",
                         where=where, symbol=symbol)
    return int(value)


def _check_bool(value: Any, where: str, symbol: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ModelError(f"{symbol} must be True or False, got {value!r}",
                         where=where, symbol=symbol)
    return bool(value)


def _generator(seed: Optional[int]) -> Optional[np.random.Generator]:
    return None if seed is None else np.random.default_rng(seed)


class Sampler:
    """Base class of samplers: an iterable of dataset indices with a length.

    >>> class Backwards(Sampler):
    ...     def __init__(self, n): self.n = n
    ...     def __iter__(self): return iter(range(self.n - 1, -1, -1))
    ...     def __len__(self): return self.n
    >>> list(BatchSampler(Backwards(5), batch_size=2, drop_last=False))
    [[4, 3], [2, 1], [0]]
    """

    def __iter__(self) -> Iterator[int]:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError


class SequentialSampler(Sampler):
    """The indices ``0, 1, ..., len(data_source) - 1`` in order.

    >>> list(SequentialSampler(range(4)))
    [0, 1, 2, 3]
    """

    def __init__(self, data_source: Sequence):
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """The indices in a random order (a new permutation each pass), or, with
    ``replacement=True``, ``num_samples`` indices drawn uniformly with replacement.

    ``seed`` makes the sequence of passes reproducible; without it the global
    ``numpy.random`` state is used (as SPAIC does).

    >>> s = RandomSampler(range(5), seed=3)
    >>> sorted(s) == [0, 1, 2, 3, 4]
    True
    >>> list(RandomSampler(range(5), seed=3)) == list(RandomSampler(range(5), seed=3))
    True
    >>> len(RandomSampler(range(5), replacement=True, num_samples=12, seed=0))
    12
    """

    def __init__(self, data_source: Sequence, replacement: bool = False,
                 num_samples: Optional[int] = None, seed: Optional[int] = None):
        self.data_source = data_source
        self.replacement = _check_bool(replacement, "RandomSampler", "replacement")
        if num_samples is not None:
            if not replacement:
                raise ModelError("num_samples can only be given with replacement=True "
                                 "(without replacement every index is drawn once)",
                                 where="RandomSampler", symbol="num_samples")
            _check_positive_int(num_samples, "RandomSampler", "num_samples")
        self._num_samples = num_samples
        self.seed = seed
        self._rng = _generator(seed)

    @property
    def num_samples(self) -> int:
        # the dataset may grow or shrink between passes: read its length each time
        return len(self.data_source) if self._num_samples is None else int(self._num_samples)

    def __iter__(self) -> Iterator[int]:
        n = len(self.data_source)
        if self.replacement:
            draw = (self._rng.integers(0, n, size=self.num_samples) if self._rng is not None
                    else np.random.randint(0, n, size=self.num_samples))
        else:
            draw = (self._rng.permutation(n) if self._rng is not None
                    else np.random.permutation(n))
        return iter(draw.tolist())

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices, in a random order (a new permutation each pass).

    >>> s = SubsetRandomSampler([4, 8, 15], seed=1)
    >>> sorted(s)
    [4, 8, 15]
    """

    def __init__(self, indices: Sequence[int], seed: Optional[int] = None):
        self.indices = list(indices)
        self.seed = seed
        self._rng = _generator(seed)

    def __iter__(self) -> Iterator[int]:
        order = (self._rng.permutation(len(self.indices)) if self._rng is not None
                 else np.random.permutation(len(self.indices)))
        return iter([self.indices[k] for k in order])

    def __len__(self) -> int:
        return len(self.indices)


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size``; the last, shorter
    list is dropped when ``drop_last`` is True.

    >>> list(BatchSampler(SequentialSampler(range(7)), batch_size=3, drop_last=False))
    [[0, 1, 2], [3, 4, 5], [6]]
    >>> list(BatchSampler(SequentialSampler(range(7)), batch_size=3, drop_last=True))
    [[0, 1, 2], [3, 4, 5]]
    """

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool):
        if not hasattr(sampler, "__iter__"):
            raise ModelError(f"sampler must be a Sampler or an iterable of indices, "
                             f"got {sampler!r}", where="BatchSampler", symbol="sampler")
        self.sampler = sampler
        self.batch_size = _check_positive_int(batch_size, "BatchSampler", "batch_size")
        self.drop_last = _check_bool(drop_last, "BatchSampler", "drop_last")

    def __iter__(self) -> Iterator[List[int]]:
        batch: List[int] = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        if self.drop_last:
            return n // self.batch_size
        return (n + self.batch_size - 1) // self.batch_size


def _is_events(sample: Any) -> bool:
    # SPAIC's event samples are Python lists of arrays: [spike_times, neuron_ids]
    return isinstance(sample, (list, tuple)) and len(sample) > 0 \
        and all(isinstance(part, np.ndarray) for part in sample)


def _collate_data(items: List[Any]) -> np.ndarray:
    # Event samples of differing lengths cannot be stacked: they go into an object array
    # of shape (batch, 2) whose row i unpacks as `times, ids = data[i]`, the way SPAIC's
    # `mstb` encoder reads them (always so, even where the lengths happen to agree).
    if all(_is_events(x) for x in items) and len({len(x) for x in items}) == 1:
        out = np.empty((len(items), len(items[0])), dtype=object)
        for i, x in enumerate(items):
            for j, part in enumerate(x):
                out[i, j] = part
        return out
    try:
        arrays = [np.asarray(x) for x in items]
    except ValueError:  # a ragged list inside one sample
        arrays = []
    if arrays and all(a.dtype != object for a in arrays) \
            and len({a.shape for a in arrays}) == 1:
        return np.stack(arrays)
    out = np.empty(len(items), dtype=object)
    for i, x in enumerate(items):
        out[i] = x
    return out


def default_collate(batch: List[Tuple[Any, Any]]) -> Tuple[np.ndarray, np.ndarray]:
    """Turns a list of ``(data, label)`` samples into ``(data, labels)`` arrays whose first
    axis is the batch: equal-shaped samples are stacked into ``(batch, *sample_shape)``;
    event samples ``[times, ids]`` become an object array of shape ``(batch, 2)``.

    >>> data, label = default_collate([(np.zeros(3), 1), (np.ones(3), 2)])
    >>> data.shape, label.tolist()
    ((2, 3), [1, 2])
    """
    data = _collate_data([item[0] for item in batch])
    labels = np.asarray([item[1] for item in batch])
    return data, labels


class Dataloader:
    """Iterates over a dataset in batches of ``(data, label)``, as SPAIC's ``Dataloader``.

    Args:
        dataset: any object with ``__getitem__`` and ``__len__`` returning ``(data, label)``.
        batch_size: samples per batch; ``None`` yields the samples one by one, uncollated.
        shuffle: a new random order each pass (a :class:`RandomSampler`).
        sampler: a sampler giving the order of the indices (excludes ``shuffle``).
        batch_sampler: a sampler giving whole lists of indices (excludes ``batch_size``,
            ``shuffle``, ``sampler`` and ``drop_last``).
        collate_fn: turns a list of samples into a batch (default: :func:`default_collate`).
        drop_last: drop the last batch when it is shorter than ``batch_size``.
        seed: the seed of the shuffled order (same seed, same batches in every pass).

    ``len(loader)`` (also ``loader.batch_num``) is the number of batches in one pass.
    ``batch_size``, ``sampler`` and ``drop_last`` cannot be changed after construction.

    >>> from pyspike.spaic.data import CustomDataset
    >>> ds = CustomDataset(np.arange(10.0).reshape(5, 2), [0, 1, 0, 1, 0])
    >>> loader = Dataloader(ds, batch_size=2, shuffle=True, seed=0)
    >>> len(loader)
    3
    >>> [(data.shape, label.shape) for data, label in loader]
    [((2, 2), (2,)), ((2, 2), (2,)), ((1, 2), (1,))]
    """

    _frozen = ("batch_size", "sampler", "drop_last")

    def __init__(self, dataset: Any, batch_size: Optional[int] = 1, shuffle: bool = False,
                 sampler: Optional[Iterable[int]] = None,
                 batch_sampler: Optional[Iterable[List[int]]] = None,
                 collate_fn: Optional[Callable[[List[Any]], Any]] = None,
                 drop_last: bool = False, seed: Optional[int] = None):
        object.__setattr__(self, "_initialized", False)
        shuffle = _check_bool(shuffle, "Dataloader", "shuffle")
        drop_last = _check_bool(drop_last, "Dataloader", "drop_last")
        if sampler is not None and shuffle:
            raise ModelError("give either sampler= or shuffle=True, not both: the sampler "
                             "decides the order", where="Dataloader", symbol="sampler")
        if seed is not None and (sampler is not None or batch_sampler is not None):
            raise ModelError("seed= sets the order of shuffle=True; a sampler of your own "
                             "takes its own seed", where="Dataloader", symbol="seed")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ModelError("batch_sampler= decides the batches: it excludes "
                                 "batch_size, shuffle, sampler and drop_last",
                                 where="Dataloader", symbol="batch_sampler")
            batch_size = None
        elif batch_size is None:
            if drop_last:
                raise ModelError("batch_size=None yields single samples, so there is no "
                                 "last batch to drop", where="Dataloader", symbol="drop_last")
        else:
            batch_size = _check_positive_int(batch_size, "Dataloader", "batch_size")
        if sampler is None:
            sampler = RandomSampler(dataset, seed=seed) if shuffle \
                else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.collate_fn = collate_fn if collate_fn is not None else default_collate
        self.seed = seed
        # filled by try_fetch(), as SPAIC's encoders read them to size the input layer
        self.data: Optional[np.ndarray] = None
        self.label: Optional[np.ndarray] = None
        self.num: Optional[int] = None
        object.__setattr__(self, "_initialized", True)

    def __setattr__(self, name: str, value: Any) -> None:
        if self._initialized and name in self._frozen:
            raise ModelError(f"{name} cannot be changed after the Dataloader is made; "
                             "make a new Dataloader", where="Dataloader", symbol=name)
        object.__setattr__(self, name, value)

    @property
    def _index_sampler(self) -> Iterable:
        return self.batch_sampler if self.batch_sampler is not None else self.sampler

    def __iter__(self) -> Iterator[Any]:
        if self.batch_sampler is None:
            for index in self.sampler:
                yield self.dataset[index]
            return
        for indices in self.batch_sampler:
            yield self.collate_fn([self.dataset[i] for i in indices])

    def __len__(self) -> int:
        return len(self._index_sampler)  # type: ignore[arg-type]

    @property
    def batch_num(self) -> int:
        """Number of batches in one pass (the name SPAIC's README uses)."""
        return len(self)

    def try_fetch(self) -> None:
        """Fetches one batch into ``data`` and ``label`` and sets ``num``, the input size:
        the dataset's ``maxNum`` where it has one, else the number of values in a sample.

        It reads the first batch of a fresh pass, which advances a shuffling generator.
        """
        for data, label in self:
            self.data, self.label = data, label
            break
        max_num = getattr(self.dataset, "maxNum", None)
        if max_num is not None:
            self.num = int(max_num)
        elif self.data is not None:
            sample_shape = np.shape(self.data)[1:] if self.batch_size is not None \
                else np.shape(self.data)
            self.num = int(np.prod(sample_shape))
