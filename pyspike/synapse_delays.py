"""Per-synapse delays kept as whole steps of dt, and read back exactly as they were given.

A spike reaches a synapse a whole number of steps after it was emitted (its delay in ms,
rounded to the step: floor(delay / dt + 0.5)).  Kept as doubles, one delay per synapse
takes 8 bytes, as much as a synapse's target and weight together (in PD14, 2.4 GB).  So
where every delay of a pathway is exactly a whole number of steps, they are kept as those
steps in 1, 2 or 4 bytes (NEST keeps its delays as steps too), and read back as the very
doubles that were given.  "Exactly" has two readings, tried in turn: k * dt (delays
computed from dt, as ``k * net.dt``), and, where dt is a short decimal m / q, the double
nearest k m / q (delays typed in decimals: 0.3 ms at dt = 0.1 ms is 3 / 10, not 3 * 0.1).
Any other delays stay doubles: nothing the user did not round is rounded, and a run's
spikes are the same either way.

>>> import numpy as np
>>> d = compact(np.array([0.3, 1.5, 0.0]), 0.1)
>>> d.steps.dtype, d.steps.tolist()
(dtype('uint8'), [3, 15, 0])
>>> np.asarray(d).tolist()
[0.3, 1.5, 0.0]
>>> type(compact(np.array([0.25]), 0.1)).__name__      # not a whole number of steps
'ndarray'
"""
from __future__ import annotations

import decimal
from fractions import Fraction
from typing import Any, Optional, Tuple, Union

import numpy as np


class StepDelays:
    """One delay per synapse as its whole number of steps of ``dt`` (``steps``, uint8,
    uint16 or uint32); as an array (``np.asarray``), the delays in ms as they were given.
    ``m`` and ``q``: dt as the decimal m / q, when the delays were read that way (q > 0)."""

    __slots__ = ("steps", "dt", "m", "q")

    def __init__(self, steps: np.ndarray, dt: float, m: int = 0, q: int = 0):
        self.steps, self.dt, self.m, self.q = steps, float(dt), m, q

    @property
    def shape(self) -> Tuple[int, ...]:
        return self.steps.shape

    @property
    def size(self) -> int:
        return self.steps.size

    @property
    def ndim(self) -> int:
        return 1

    def __len__(self) -> int:
        return self.steps.size

    def ms(self) -> np.ndarray:
        """The delays in ms, as given (a new, read-only float64 array)."""
        out = self._in_ms(self.steps)
        out.flags.writeable = False
        return out

    def _in_ms(self, steps: np.ndarray) -> np.ndarray:
        k = steps.astype(np.float64)
        return k * self.m / self.q if self.q else k * self.dt   # as delays.cpp's ms_of

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        out = self.ms()
        return out if dtype is None else out.astype(dtype)

    def max(self, *_, **__) -> float:
        return float(self._in_ms(self.steps.max(keepdims=True))[0]) if self.steps.size else 0.0

    def in_steps(self, dt: float) -> np.ndarray:
        """The delays in whole steps of ``dt`` (int64)."""
        if dt == self.dt:
            return self.steps.astype(np.int64)
        return steps_of(self.ms(), dt)

    def grown(self, new: int, order: Optional[np.ndarray]) -> "StepDelays":
        """These and ``new`` delays of 0 after them, put in ``order`` (None: kept)."""
        grown = np.concatenate([self.steps, np.zeros(new, self.steps.dtype)])
        return StepDelays(grown if order is None else grown[order], self.dt, self.m, self.q)

    def __repr__(self) -> str:
        return f"StepDelays({self.steps.size} delays of up to {self.max()!r} ms, dt={self.dt})"


def compact(delay: Any, dt: float) -> Any:
    """``delay`` (ms: one number, or a float64 array of one per synapse) as StepDelays
    where it is an array of whole steps of dt in one of the two readings (see the
    module's doc), else unchanged."""
    if not isinstance(delay, np.ndarray) or delay.ndim != 1:
        return delay
    from . import _native
    values = np.ascontiguousarray(delay, dtype=np.float64)
    steps = _native.compact_delays(values, dt, 0.0, 0.0)
    if steps is not None:
        return StepDelays(steps, dt)
    m, q = decimal_of(dt)
    if q:
        steps = _native.compact_delays(values, dt, float(m), float(q))
        if steps is not None:
            return StepDelays(steps, dt, m, q)
    return delay


def decimal_of(dt: float) -> Tuple[int, int]:
    """dt as m / q in lowest terms from its shortest decimal (0.1: 1 / 10), where k m and q
    are exact in doubles for every k < 2**32; (0, 0) where they would not be."""
    ratio = Fraction(decimal.Decimal(repr(float(dt))))
    m, q = ratio.numerator, ratio.denominator
    return (m, q) if 0 < m < 2 ** 20 and q < 2 ** 52 else (0, 0)


def steps_of(delay: Union[float, np.ndarray, StepDelays], dt: float):
    """Delays in whole steps, rounded half up: a spike at step n arrives at n + steps."""
    if isinstance(delay, StepDelays):
        return delay.in_steps(dt)
    return np.floor(np.asarray(delay, dtype=np.float64) / dt + 0.5).astype(np.int64)


def longest(delay: Any) -> float:
    """The longest of the delays (ms; 0 where there are none)."""
    if isinstance(delay, StepDelays):
        return delay.max()
    return float(np.max(delay)) if np.size(delay) else 0.0


def read(delay: Any, n: int) -> np.ndarray:
    """The delays of n synapses in ms, as ``S.delay`` gives them: whole steps as a new,
    read-only array (writing into it would change nothing); an array of doubles itself;
    one delay for all, repeated."""
    if isinstance(delay, StepDelays):
        return delay.ms()
    return delay if isinstance(delay, np.ndarray) else np.full(n, delay)


def per_synapse(delay: Any) -> bool:
    """One delay per synapse (an array, or StepDelays), not one for all."""
    return isinstance(delay, (np.ndarray, StepDelays))


def grown(delay: Any, new: int, order: Optional[np.ndarray]) -> Any:
    """Per-synapse delays extended by ``new`` of 0 ms and put in ``order``; one delay for
    all stays as it is."""
    if isinstance(delay, StepDelays):
        return delay.grown(new, order)
    if isinstance(delay, np.ndarray):
        out = np.concatenate([delay, np.zeros(new)])
        return out if order is None else out[order]
    return delay


def delay_index(row: np.ndarray, delay: Union[np.ndarray, StepDelays], dt: float,
                in_row: bool = False, threads: int = 1):
    """(order, doff, R) of a delayed pathway (pyspike._native: no temporaries of NumPy's,
    rows on ``threads`` threads, the same for any number); ``in_row``: order holds each
    synapse's place in its row (uint16), not its number."""
    from . import _native
    if isinstance(delay, StepDelays) and delay.dt == dt:
        order, doff, R = _native.step_index(row, delay.steps, in_row, threads)
    else:
        order, doff, R = _native.delay_index(row, np.ascontiguousarray(delay, np.float64), dt,
                                             in_row, threads)
    return order, doff, int(R)


def short_rows(row: np.ndarray) -> bool:
    """No row of the CSR offsets ``row`` holds more than 65,536 synapses: a delay order
    may keep 2-byte places within rows (codegen.delays)."""
    return row.size < 2 or int(np.diff(row).max()) <= 2 ** 16


def plain(node: Any) -> Any:
    """``node`` (a snapshot, or part of one) with StepDelays as float64 arrays of ms: the
    form snapshot files hold."""
    if isinstance(node, StepDelays):
        return np.array(node.ms())
    if type(node) is dict:
        return {k: plain(v) for k, v in node.items()}
    if type(node) in (list, tuple):
        return type(node)(plain(v) for v in node)
    return node
