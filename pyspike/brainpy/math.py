"""The part of ``brainpy.math`` (``bm``) that BrainPy's simulation examples use:
the global time step (``bm.get_dt``, ``bm.set_dt``, ``bm.set(dt=...)``,
``bm.environment(dt=...)``, ``bm.dt``), ``bm.random`` (seeded NumPy generators; the seed
also seeds the pyspike network, its connectivity and initial values), ``bm.Variable``,
array helpers that return NumPy arrays (BrainPy's are JAX arrays), ``bm.for_loop`` over a
model's ``step_run``, ``bm.set_platform`` ('cpu', or 'gpu' for pyspike's CUDA backend) and
``bm.enable_x64``/``bm.disable_x64`` (double or single precision: pyspike computes in
double precision unless told otherwise, where BrainPy's default is float32).

Anything else of ``brainpy.math`` raises a FeatureError naming it.
"""
from __future__ import annotations

import contextlib
from typing import Iterator, Optional

import numpy as np

from .core import (Array, BatchingMode, Mode, NonBatchingMode, Series,  # noqa: F401
                   TrainingMode, TrainVar, Variable, batching_mode, bool_, check_mode,
                   disable_x64, enable_x64, float32, float64, float_, get_dt,
                   get_platform, int32, int64, int_, missing, ndarray, nonbatching_mode,
                   random, restore_settings, set_dt, set_platform, settings,
                   training_mode)
from .runner import loop


def set(mode=None, dt: Optional[float] = None, x64: Optional[bool] = None,  # noqa: A001
        **others):
    """BrainPy's ``bm.set``: ``dt`` and ``x64`` are honoured; a computing mode other than
    the default non-batching one is refused."""
    check_mode(mode, "bm.set")
    if dt is not None:
        set_dt(dt)
    if x64 is not None:
        (enable_x64 if x64 else disable_x64)()


set_environment = set


@contextlib.contextmanager
def environment(mode=None, dt: Optional[float] = None, x64: Optional[bool] = None,
                **others) -> Iterator[None]:
    """Within the block, use ``dt`` (and ``x64``); the earlier values come back after."""
    saved = settings()
    set(mode=mode, dt=dt, x64=x64)
    try:
        yield
    finally:
        restore_settings(saved)


def as_numpy(x) -> np.ndarray:
    return np.asarray(x.value if isinstance(x, Variable) else x)


as_ndarray = as_numpy
as_jax = as_numpy


def asarray(x, dtype=None) -> np.ndarray:
    return np.asarray(x.value if isinstance(x, Variable) else x, dtype=dtype)


def array(x, dtype=None) -> np.ndarray:
    return np.array(x.value if isinstance(x, Variable) else x, dtype=dtype)


zeros, ones, full, empty = np.zeros, np.ones, np.full, np.empty
zeros_like, ones_like, arange, linspace = np.zeros_like, np.ones_like, np.arange, np.linspace
concatenate, stack, where, exp = np.concatenate, np.stack, np.where, np.exp


def for_loop(body_fun, operands, reverse: bool = False, unroll: int = 1, jit=None,
             progress_bar: bool = False, unroll_kwargs=None, **others):
    """``bm.for_loop(lambda i: model.step_run(i, 20.), indices)``: run the model for one
    step per element of ``operands`` (an array, or a tuple of arrays of equal length,
    each row given to one step) and stack what ``body_fun`` returns (the model's spikes
    or variables) over the steps.  ``body_fun`` must call one model (``step_run`` or the
    model itself) and return what that returns; pyspike.brainpy traces it once and runs
    the steps compiled."""
    if reverse:
        raise missing("bm.for_loop(reverse=True)", where="bm.for_loop")
    return loop(body_fun, operands, progress_bar)


def __getattr__(name: str):
    if name == "dt":
        return get_dt()
    raise missing(f"brainpy.math.{name}", "see pyspike/brainpy/math.py for what "
                  "brainpy.math offers here", where="brainpy.math")
