"""Values drawn from a distribution, one per neuron or synapse: ``G.v = ps.Normal(-58, 10)``,
``S.w = ps.Normal(87.8, 8.78, low=0)``, ``S.delay = ps.Normal(1.5, 0.75, low=0.1)``.

NEST gives its connections such values (``nest.random.normal``, and ``nest.math.redraw``
for a range), BrainPy its initializers (``bp.init.Normal``).  Text does the same job
(``"-58 + 10*randn()"``), but a range needs a redraw, which text cannot say, and a
distribution is drawn without Python on the network's threads: 3e8 synapses of PD14 take
seconds, not the minutes of NumPy's draws and temporaries.

The numbers: element e (a neuron's or a synapse's index) takes ``a + b x`` with x the
``rand()`` or ``randn()`` of the network's seed, a step of the initial values (one per
value set, as text takes) and e (pyspike/random.py), so they do not depend on threads.
A value outside ``[low, high]`` is drawn again at that step minus r * 2**32 for the r-th
redraw, up to 1000 times (``numpy_values`` is the NumPy twin, bit for bit).  In a batch,
each instance draws with its own seed.  A delay drawn from a distribution is rounded to
whole steps of dt, as a run delivers it anyway (and NEST stores it), in 1 to 4 bytes.

>>> import pyspike as ps
>>> net = ps.Network(seed=1)
>>> with net:
...     G = ps.NeuronGroup(3, ps.NeuronModel("dv/dt = -v/tau : mV", params={"tau": 10.0}))
>>> G.v = ps.Uniform(-70.0, -50.0)
>>> bool(((G.v >= -70.0) & (G.v <= -50.0)).all())
True
"""
from __future__ import annotations

import math
from typing import Callable, Optional, Union

import numpy as np

from .codegen.errors import ModelError
from .codegen.streams import INIT_STEP
from . import checks, random

#: Draws of one element before its range is deemed too unlikely (as NEST's redraw).
REDRAWS = 1000
#: The least share of the distribution a range may keep (below it, 1000 redraws could
#: fail somewhere among 10**8 synapses).
LEAST_MASS = 0.05

Number = Union[float, int]


class Distribution:
    """A value drawn for each neuron or synapse (:class:`Normal`, :class:`Uniform`)."""

    normal = False

    def __init__(self, **fields):
        self._fields = fields

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self._fields.items() if v is not None)
        return f"{type(self).__name__}({shown})"

    def numbers(self, convert: Callable[[object, str], float]) -> tuple:
        """(a, b, low, high) in the variable's units: values a + b x kept in [low, high]."""
        raise NotImplementedError


class Normal(Distribution):
    """Normal values of mean ``mean`` and standard deviation ``std``; with ``low`` and/or
    ``high``, values outside [low, high] are drawn again (a truncated normal).

    >>> Normal(1.5, 0.75, low=0.1)
    Normal(mean=1.5, std=0.75, low=0.1)
    """

    normal = True

    def __init__(self, mean: Number = 0.0, std: Number = 1.0, low: Optional[Number] = None,
                 high: Optional[Number] = None):
        super().__init__(mean=mean, std=std, low=low, high=high)

    def numbers(self, convert):
        f = self._fields
        mean, std = convert(f["mean"], "mean"), convert(f["std"], "std")
        low = -math.inf if f["low"] is None else convert(f["low"], "low")
        high = math.inf if f["high"] is None else convert(f["high"], "high")
        if not (math.isfinite(mean) and math.isfinite(std) and std >= 0):
            raise ValueError(f"{self} needs a finite mean and a finite std >= 0")
        if low > high:
            raise ValueError(f"{self} has low > high")
        if std == 0:
            mass = 1.0 if low <= mean <= high else 0.0
        else:
            cdf = [0.5 * math.erfc(-(x - mean) / (std * math.sqrt(2))) for x in (low, high)]
            mass = cdf[1] - cdf[0]
        if mass < LEAST_MASS:
            raise ValueError(f"{self} keeps {mass:.3g} of the normal distribution in [low, "
                             f"high]; at least {LEAST_MASS} is needed for its redraws: "
                             "widen the range, or give the values as an array")
        return mean, std, low, high


class Uniform(Distribution):
    """Values uniform in [low, high) (``low + (high - low) * rand()``).

    >>> Uniform(0.0, 2.0)
    Uniform(low=0.0, high=2.0)
    """

    def __init__(self, low: Number = 0.0, high: Number = 1.0):
        super().__init__(low=low, high=high)

    def numbers(self, convert):
        low, high = convert(self._fields["low"], "low"), convert(self._fields["high"], "high")
        if not (math.isfinite(low) and math.isfinite(high) and low <= high):
            raise ValueError(f"{self} needs finite low <= high")
        return low, high - low, -math.inf, math.inf


def numbers(dist: Distribution, name: str, where: str, *, dim=None, unit: str = "",
            least: Optional[float] = None, boolean: bool = False) -> tuple:
    """The distribution's (a, b, low, high) for the value of ``name`` (its dimension
    ``dim``, or ``unit``), checked; ``least``: the lowest value it may take (delays: 0).
    A boolean variable takes no distribution."""
    if boolean:
        raise ModelError(f"'{name}' is boolean: it takes True or False (or a condition), not "
                         f"{dist}", where=where, symbol=name)
    def convert(value, field: str) -> float:
        what = f"the {field} of {type(dist).__name__} for '{name}'"
        return float(checks.reals(value, what, where, dim=dim, unit=unit, ndim=0))
    try:
        a, b, low, high = dist.numbers(convert)
    except ModelError as err:          # (a quantity of another dimension, NaN)
        raise ModelError(err.message, where=where, symbol=name) from None
    except ValueError as err:
        raise ModelError(str(err), where=where, symbol=name) from None
    smallest = low if dist.normal else a
    if least is not None and smallest < least:
        raise ModelError(f"{dist} can draw values below {least:g}, which '{name}' cannot take: "
                         f"give {'low' if dist.normal else 'a low'} >= {least:g}",
                         where=where, symbol=name)
    return a, b, low, high


def draw(dist: Distribution, name: str, where: str, network, n: int, rows: int, stream: int,
         *, dim=None, unit: str = "", dt: float = 0.0, least: Optional[float] = None,
         into: Optional[np.ndarray] = None):
    """The values of ``name`` for n elements: float64 (rows, n) with one row per instance
    (each with its seed; (n,) where rows is 0), or with ``dt`` the instance-0 delays in
    whole steps (uint8/16/32).  ``into``: the variable's own array of that shape, float32
    or float64, written in place (and returned): no temporary of 8 bytes per synapse."""
    from . import _native

    a, b, low, high = numbers(dist, name, where, dim=dim, unit=unit, least=least)
    step = INIT_STEP - network._next_init()
    shape = (rows, n) if rows else (n,)
    if into is not None and not (into.shape == shape and into.flags.c_contiguous and
                                 into.dtype in (np.float32, np.float64)):
        into = None
    out = []
    for k in range(max(rows, 1)):
        seed = int(network.seeds[k]) & 0xFFFFFFFFFFFFFFFF
        row = None if into is None else into[k] if rows else into
        try:
            out.append(_native.draw_values(dist.normal, seed, step, n, stream & 0xFFFFFFFF,
                                           a, b, low, high, dt, network.threads, into=row))
        except ValueError as err:
            raise ModelError(f"{dist} for '{name}': {err}", where=where, symbol=name) from None
    return into if into is not None else np.stack(out) if rows else out[0]


def numpy_values(dist: Distribution, seed: int, step: int, n: int, stream: int,
                 convert: Callable[[object, str], float] = lambda v, _: float(v)) -> np.ndarray:
    """The values ``draw`` gives for one instance, computed by NumPy from
    pyspike/random.py (the reference the compiled draws are tested against).

    >>> z = numpy_values(Normal(0.0, 1.0, low=0.0), seed=1, step=5, n=1000, stream=3)
    >>> bool((z >= 0).all())
    True
    """
    a, b, low, high = dist.numbers(convert)
    base = random.randn if dist.normal else random.rand
    elem = np.arange(n, dtype=np.uint32)
    values = a + b * base(seed, step, elem, stream)
    bad = ~((values >= low) & (values <= high))
    for r in range(1, REDRAWS + 1):
        if not bad.any():
            return values
        again = a + b * base(seed, (step - (r << 32)) % 2 ** 64, elem[bad], stream)
        values[bad] = again
        bad[bad] = ~((again >= low) & (again <= high))
    raise ValueError(f"every one of {REDRAWS} draws fell outside [low, high]")
