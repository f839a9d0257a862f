"""SPAIC's weight initialisers (``spaic.IO.Initializer``): ``uniform``, ``normal``,
``xavier_uniform``, ``xavier_normal``, ``kaiming_uniform``, ``kaiming_normal``,
``constant`` and ``sparse``, as torch.nn.init computes them for a (post, pre) matrix
(fan_in = pre, fan_out = post).  Like SPAIC, they draw from NumPy's global generator when
the connection is made, so ``np.random.seed(...)`` before building fixes the weights.

>>> import numpy as np
>>> np.random.seed(0)
>>> w = constant(2.0).sample((2, 3))
>>> w.tolist()
[[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]]
"""
from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Tuple

import numpy as np

from ..codegen.errors import ModelError

_GAINS = {"linear": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3.0, "relu": math.sqrt(2.0),
          "conv2d": 1.0}


def _fans(shape: Tuple[int, ...]) -> Tuple[int, int]:
    """(fan_in, fan_out) of a (post, pre, *kernel) shape, as torch computes them."""
    if len(shape) < 2:
        raise ModelError(f"an initialiser needs a matrix, not shape {shape}",
                         where="Initializer")
    field = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * field, shape[0] * field


class BaseInitializer(ABC):
    """A rule that fills a weight array of a given shape (``sample(shape)``)."""

    name = "base"

    @abstractmethod
    def sample(self, shape: Tuple[int, ...]) -> np.ndarray:
        """An array of ``shape`` drawn from NumPy's global generator."""

    def params(self) -> dict:
        """The arguments it was made with (what network_save writes)."""
        return {k: v for k, v in vars(self).items()}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params().items())
        return f"{self.name}({args})"


class uniform(BaseInitializer):
    """U(a, b)."""
    name = "uniform"

    def __init__(self, a: float = 0.0, b: float = 1.0):
        self.a, self.b = float(a), float(b)

    def sample(self, shape):
        return np.random.uniform(self.a, self.b, size=shape)


class normal(BaseInitializer):
    """N(mean, std**2)."""
    name = "normal"

    def __init__(self, mean: float = 0.0, std: float = 1.0):
        self.mean, self.std = float(mean), float(std)

    def sample(self, shape):
        return np.random.normal(self.mean, self.std, size=shape)


class xavier_uniform(BaseInitializer):
    """U(-a, a), a = gain*sqrt(6/(fan_in + fan_out)) (Glorot & Bengio 2010)."""
    name = "xavier_uniform"

    def __init__(self, gain: float = 1.0):
        self.gain = float(gain)

    def sample(self, shape):
        fan_in, fan_out = _fans(shape)
        a = self.gain * math.sqrt(6.0 / (fan_in + fan_out))
        return np.random.uniform(-a, a, size=shape)


class xavier_normal(BaseInitializer):
    """N(0, std**2), std = gain*sqrt(2/(fan_in + fan_out))."""
    name = "xavier_normal"

    def __init__(self, gain: float = 1.0):
        self.gain = float(gain)

    def sample(self, shape):
        fan_in, fan_out = _fans(shape)
        return np.random.normal(0.0, self.gain * math.sqrt(2.0 / (fan_in + fan_out)),
                                size=shape)


def _kaiming_std(shape, a: float, mode: str, nonlinearity: str) -> float:
    fan_in, fan_out = _fans(shape)
    if mode not in ("fan_in", "fan_out"):
        raise ModelError(f"mode must be 'fan_in' or 'fan_out', not {mode!r}",
                         where="Initializer", symbol="mode")
    if nonlinearity == "leaky_relu":
        gain = math.sqrt(2.0 / (1 + a ** 2))
    elif nonlinearity in _GAINS:
        gain = _GAINS[nonlinearity]
    else:
        raise ModelError(f"unknown nonlinearity {nonlinearity!r}: choose one of "
                         f"{', '.join(sorted(_GAINS) + ['leaky_relu'])}", where="Initializer",
                         symbol="nonlinearity")
    return gain / math.sqrt(fan_in if mode == "fan_in" else fan_out)


class kaiming_uniform(BaseInitializer):
    """U(-b, b), b = sqrt(3)*gain/sqrt(fan) (He et al. 2015)."""
    name = "kaiming_uniform"

    def __init__(self, a: float = 0.0, mode: str = "fan_in",
                 nonlinearity: str = "leaky_relu"):
        self.a, self.mode, self.nonlinearity = float(a), mode, nonlinearity

    def sample(self, shape):
        b = math.sqrt(3.0) * _kaiming_std(shape, self.a, self.mode, self.nonlinearity)
        return np.random.uniform(-b, b, size=shape)


class kaiming_normal(BaseInitializer):
    """N(0, std**2), std = gain/sqrt(fan)."""
    name = "kaiming_normal"

    def __init__(self, a: float = 0.0, mode: str = "fan_in",
                 nonlinearity: str = "leaky_relu"):
        self.a, self.mode, self.nonlinearity = float(a), mode, nonlinearity

    def sample(self, shape):
        return np.random.normal(0.0, _kaiming_std(shape, self.a, self.mode,
                                                  self.nonlinearity), size=shape)


class constant(BaseInitializer):
    """Every weight ``constant_value``."""
    name = "constant"

    def __init__(self, constant_value: float = 0.0):
        self.constant_value = float(constant_value)

    def sample(self, shape):
        return np.full(shape, self.constant_value)


class sparse(BaseInitializer):
    """N(0, std**2) with a fraction ``sparsity`` of each column set to 0 (torch's
    sparse_: ceil(sparsity*rows) zeros per column)."""
    name = "sparse"

    def __init__(self, sparsity: float = 0.1, std: float = 0.01):
        if not 0.0 <= float(sparsity) <= 1.0:
            raise ModelError(f"sparsity is a fraction in [0, 1], not {sparsity!r}",
                             where="Initializer", symbol="sparsity")
        self.sparsity, self.std = float(sparsity), float(std)

    def sample(self, shape):
        if len(shape) != 2:
            raise ModelError("the sparse initialiser fills a (post, pre) matrix",
                             where="Initializer")
        w = np.random.normal(0.0, self.std, size=shape)
        zeros = int(math.ceil(self.sparsity * shape[0]))
        for col in range(shape[1]):
            w[np.random.permutation(shape[0])[:zeros], col] = 0.0
        return w


INITIALIZERS = {c.name: c for c in (uniform, normal, xavier_uniform, xavier_normal,
                                    kaiming_uniform, kaiming_normal, constant, sparse)}
