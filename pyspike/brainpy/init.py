"""``brainpy.init``: the initializers BrainPy's examples give neurons and weights
(``bp.init.Normal(-55., 2.)`` for V, ``OneInit``, ``ZeroInit``, ``Uniform``, ``Constant``).
Each draws its values with ``bm.random``'s generator when the neurons are made, as
BrainPy draws them at construction; the numbers differ from BrainPy's, the distributions
do not.
"""
from __future__ import annotations

from typing import Sequence, Union

import numpy as np

from ..codegen.errors import ModelError
from .core import missing, random

Shape = Union[int, Sequence[int]]


class Initializer:
    """``init(shape)`` gives an array of ``shape``."""

    def __call__(self, shape: Shape, dtype=None) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class Constant(Initializer):
    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape: Shape, dtype=None) -> np.ndarray:
        return np.full(shape, self.value, dtype=dtype or float)


class ZeroInit(Constant):
    def __init__(self):
        super().__init__(0.0)


class OneInit(Constant):
    def __init__(self, value=1.0):
        super().__init__(value)


class Normal(Initializer):
    def __init__(self, mean=0.0, scale=1.0, seed=None):
        self.mean, self.scale, self.seed = mean, scale, seed

    def __call__(self, shape: Shape, dtype=None) -> np.ndarray:
        return _rng(self.seed).normal(self.mean, self.scale, shape).astype(dtype or float)


class Uniform(Initializer):
    def __init__(self, min_val=0.0, max_val=1.0, seed=None):
        self.min_val, self.max_val, self.seed = min_val, max_val, seed

    def __call__(self, shape: Shape, dtype=None) -> np.ndarray:
        return _rng(self.seed).uniform(self.min_val, self.max_val, shape).astype(dtype or float)


def _rng(seed) -> np.random.Generator:
    return random.generator if seed is None else np.random.default_rng(seed)


def values(value, n: int, what: str, where: str) -> np.ndarray:
    """``value`` (a number, an array of n values, an Initializer or a function of the
    shape) as n values."""
    if isinstance(value, Initializer) or (callable(value) and not isinstance(value, np.ndarray)
                                          and not hasattr(value, "value")):
        value = value((n,))
    array = np.asarray(value.value if hasattr(value, "value") else value, dtype=float)
    if array.ndim == 0:
        return np.full(n, float(array))
    if array.shape != (n,):
        raise ModelError(f"{what} has shape {array.shape}; {n} neurons take one value or "
                         f"{n}", where=where, symbol=what)
    return array


def __getattr__(name: str):
    raise missing(f"brainpy.init.{name}", "the initializers here are Constant, ZeroInit, "
                  "OneInit, Normal and Uniform", where="brainpy.init")
