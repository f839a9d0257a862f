"""What the modules of pyspike.brainpy share: the error for BrainPy features not offered,
BrainPy's global settings (dt, platform, precision), computing modes, ``bm.random``,
``bm.Variable`` and the per-step placeholder of traced inputs (``Series``).
``brainpy.math`` (math.py) shows them to users."""
from __future__ import annotations

import math as _math
from typing import Dict, Optional

import numpy as np

from ..codegen.errors import ModelError
from .. import checks


class FeatureError(ModelError, AttributeError):
    """A BrainPy feature that pyspike.brainpy does not offer (also an AttributeError, so
    that ``hasattr`` and ``getattr(..., default)`` keep working on the modules)."""


def missing(feature: str, hint: str = "", where: str = "pyspike.brainpy") -> FeatureError:
    """The error for ``feature`` (BrainPy's name), with what to do instead."""
    text = f"{feature} (BrainPy 2.4.3) is not available in pyspike.brainpy"
    return FeatureError(f"{text}: {hint}" if hint else text, where=where, symbol=feature)


#: BrainPy's global settings that matter here: dt (ms), backend, precision.
_settings: Dict[str, object] = {"dt": 0.1, "backend": "cpu", "precision": "double"}

float32, float64, int32, int64, bool_ = np.float32, np.float64, np.int32, np.int64, np.bool_
float_, int_ = np.float64, np.int64
ndarray = np.ndarray
Array = np.ndarray


def get_dt() -> float:
    """The global time step in ms (0.1 unless set)."""
    return float(_settings["dt"])


def set_dt(dt: float) -> None:
    """Set the global time step (ms) used by models and runners made after the call."""
    value = checks.number(dt, "dt", "bm.set_dt", minimum=0.0, unit="ms")
    if not value > 0 or not _math.isfinite(value):
        raise ModelError(f"dt must be a positive number of ms, not {dt!r}", where="bm.set_dt",
                         symbol="dt")
    _settings["dt"] = float(value)


def enable_x64() -> None:
    _settings["precision"] = "double"


def disable_x64() -> None:
    _settings["precision"] = "single"


def set_platform(platform: str) -> None:
    """'cpu' runs on pyspike's C++ backend, 'gpu' on its CUDA backend."""
    backends = {"cpu": "cpu", "gpu": "cuda"}
    if platform not in backends:
        raise missing(f"bm.set_platform({platform!r})", "the platforms are 'cpu' and 'gpu'",
                      where="bm.set_platform")
    _settings["backend"] = backends[platform]


def get_platform() -> str:
    return "gpu" if _settings["backend"] == "cuda" else "cpu"


def restore_settings(saved: Dict[str, object]) -> None:
    """Put back what ``settings()`` gave."""
    _settings.update(saved)


def settings() -> Dict[str, object]:
    """dt, backend and precision now in force (what a new simulation is built with)."""
    return dict(_settings)


# --- computing modes ---------------------------------------------------------------------

class Mode:
    def __repr__(self) -> str:
        return type(self).__name__


class NonBatchingMode(Mode):
    pass


class BatchingMode(Mode):
    def __init__(self, batch_size: int = 1):
        self.batch_size = batch_size


class TrainingMode(BatchingMode):
    pass


nonbatching_mode = NonBatchingMode()
batching_mode = BatchingMode()
training_mode = TrainingMode()


def check_mode(mode, where: str) -> None:
    if mode is not None and not isinstance(mode, NonBatchingMode):
        raise missing(f"{type(mode).__name__}", "pyspike.brainpy simulates in BrainPy's "
                      "default non-batching mode (for batches of instances, use "
                      "pyspike's Network(batch=K))", where=where)


# --- random numbers ----------------------------------------------------------------------

class _Random:
    """``bm.random``: NumPy generators.  ``seed(s)`` makes what follows reproducible: the
    draws here, the initial values of neurons made afterwards and the seed of the pyspike
    network built next (its connectivity).  The numbers differ from BrainPy's (JAX's
    generator); their distributions are the same."""

    def __init__(self) -> None:
        self._rng = np.random.default_rng()

    def seed(self, seed: Optional[int] = None) -> None:
        if seed is not None:
            seed = checks.count(seed, "seed", "bm.random.seed", minimum=0,
                                maximum=np.iinfo(np.int64).max)
        self._rng = np.random.default_rng(seed)

    def network_seed(self) -> int:
        """A seed for the next pyspike network, drawn from the generator."""
        return int(self._rng.integers(0, 2 ** 31 - 1))

    @property
    def generator(self) -> np.random.Generator:
        return self._rng

    @staticmethod
    def _shape(size):
        if len(size) == 1 and (size[0] is None or isinstance(size[0], (tuple, list))):
            return size[0]
        return size or None

    def rand(self, *size) -> np.ndarray:
        return self._rng.random(self._shape(size))

    def randn(self, *size) -> np.ndarray:
        return self._rng.standard_normal(self._shape(size))

    def random(self, size=None) -> np.ndarray:
        return self._rng.random(size)

    def uniform(self, low=0.0, high=1.0, size=None) -> np.ndarray:
        return self._rng.uniform(low, high, size)

    def normal(self, loc=0.0, scale=1.0, size=None) -> np.ndarray:
        return self._rng.normal(loc, scale, size)

    def randint(self, low, high=None, size=None) -> np.ndarray:
        return self._rng.integers(low, high, size)

    def __getattr__(self, name: str):
        raise missing(f"bm.random.{name}", "bm.random offers seed, rand, randn, random, "
                      "uniform, normal and randint", where="bm.random")


random = _Random()


# --- variables and arrays ----------------------------------------------------------------

class Variable(np.lib.mixins.NDArrayOperatorsMixin):
    """``bm.Variable``: an array that a model's state holds; ``.value`` reads and writes
    it.  A neuron's variables (``E.V``, ``E.spike``) read the simulation's current state
    once it is built, and writes go to it."""

    def __init__(self, value, dtype=None, batch_axis=None):
        self._data = np.array(value.value if isinstance(value, Variable) else value,
                              dtype=dtype)

    @property
    def value(self) -> np.ndarray:
        return self._data

    @value.setter
    def value(self, new) -> None:
        new = np.asarray(new.value if isinstance(new, Variable) else new)
        old = self.value
        if new.shape != old.shape and new.size != 1:
            raise ModelError(f"a Variable of shape {old.shape} cannot take a value of shape "
                             f"{new.shape}", where="bm.Variable", symbol="value")
        self._store(np.broadcast_to(new, old.shape).astype(old.dtype))

    def _store(self, array: np.ndarray) -> None:
        self._data = np.array(array)

    def update(self, value) -> None:
        self.value = value

    @property
    def shape(self):
        return self.value.shape

    @property
    def dtype(self):
        return self.value.dtype

    @property
    def size(self) -> int:
        return self.value.size

    @property
    def ndim(self) -> int:
        return self.value.ndim

    def __len__(self) -> int:
        return len(self.value)

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.value, dtype=dtype)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        inputs = tuple(np.asarray(x.value) if isinstance(x, Variable) else x for x in inputs)
        return getattr(ufunc, method)(*inputs, **kwargs)

    def __getitem__(self, index):
        return self.value[index]

    def __setitem__(self, index, new) -> None:
        array = np.array(self.value)
        array[index] = np.asarray(new.value if isinstance(new, Variable) else new)
        self._store(array)

    def fill_(self, value) -> None:
        self.value = np.full(self.shape, value)

    def numpy(self) -> np.ndarray:
        return np.array(self.value)

    def __repr__(self) -> str:
        return f"Variable({self.value!r})"


TrainVar = Variable


class Series(np.lib.mixins.NDArrayOperatorsMixin):
    """A value per step (rows of ``values``), as ``update()`` sees a runner's or for_loop's
    input while pyspike.brainpy traces it: arithmetic with numbers, arrays and other
    series gives a series."""

    def __init__(self, values):
        self.values = np.asarray(values, dtype=float)

    def __len__(self) -> int:
        return len(self.values)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method != "__call__" or kwargs:
            raise missing(f"{ufunc.__name__} on a per-step input inside update()",
                          "only + - * / with numbers and arrays", where="update()")
        args = [x.values if isinstance(x, Series) else np.asarray(x) for x in inputs]
        return Series(ufunc(*args))

    def __getitem__(self, index):
        return Series(self.values[(slice(None),) + (index if isinstance(index, tuple)
                                                     else (index,))])
