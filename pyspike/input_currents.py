"""BrainPy's input helpers (``brainpy.inputs`` of BrainPy 2.4.3) as TimedArrays.

Each function builds the array BrainPy builds, one row per time step of ``dt`` ms (shape
(steps,) or (steps, n)), and returns it as a :class:`~pyspike.TimedArray` of step ``dt``,
which a model reads directly: give it in ``params`` and call it ``I(t)`` (1-d) or
``I(t, i)`` (one column per neuron).  Row k holds over [k*dt, (k+1)*dt), as BrainPy's
runner gives row k to step k; after the last row its value holds.  ``stim.values`` is
BrainPy's array, of the same shape.  ``constant_input`` (and ``section_input(...,
return_length=True)``)
return ``(TimedArray, total duration in ms)``, as BrainPy returns ``(array, duration)``.

Units are BrainPy's: times in ms, frequencies in Hz, values in the unit the model reads.
pyspike has no global dt, so every function takes ``dt`` in ms, 0.1 by default (BrainPy's
default); give the network's dt to have BrainPy's array step for step (a network of
another dt reads the values at its own step times).

>>> import pyspike as ps
>>> m = ps.NeuronModel("dv/dt = (I(t) - v)/tau : mV", method="exact",
...                    params={"I": ps.inputs.section_input([0, 1, 0], [10, 20, 10]),
...                            "tau": 5.0})
>>> net = ps.Network(dt=0.1, backend="numpy")
>>> with net:
...     G = ps.NeuronGroup(1, m)
>>> net.run(30.0)
>>> round(float(G.v[0]), 6)       # 1 - exp(-20/5)
0.981684

Where BrainPy 2.4.3 is not followed, and why:

- Step counts are BrainPy's ``int(t/dt)`` and ``ceil(t/dt)``, except that a ratio within
  1e-9 of a whole number counts as that number: BrainPy's ``int(0.3/0.1)`` is 2, which
  drops a step nobody asked to drop.
- ``ou_process`` draws Gaussian noise, as its own formula dX = (mu - X)/tau dt + sigma dW
  says; 2.4.3 drew uniform numbers in [0, 1) (fixed upstream in BrainPy PR #715), and its
  default ``t_end=None`` failed.  The update is 2.4.3's Euler-Maruyama step, term for term.
- Where 2.4.3 would fail on a shape mismatch (a window longer than the input, a phase
  count that differs from the window by a step, sections of unequal array lengths) or
  silently pair arguments of different lengths (``spike_input``), a ModelError says why.
- Values are float64 (BrainPy's default is float32); random numbers come from NumPy's
  ``default_rng(seed)``, so the same seed gives other numbers than BrainPy's, with the
  same statistics.
"""
from __future__ import annotations

import math
from typing import Callable, Optional, Sequence, Tuple, Union

import numpy as np

from .codegen.errors import ModelError
from . import checks
from .timedarray import TimedArray

__all__ = ["section_input", "constant_input", "spike_input", "ramp_input",
           "sinusoidal_input", "square_input", "wiener_process", "ou_process"]

#: BrainPy's default time step (``brainpy.math.get_dt()``), in ms.
DEFAULT_DT = 0.1
#: A time over dt closer than this (relatively) to a whole number is that number of steps.
_WHOLE = 1e-9


def _steps(t: float, dt: float, up: bool) -> int:
    """``ceil(t/dt)`` if ``up``, else ``int(t/dt)`` (t >= 0), float noise forgiven."""
    ratio = t / dt
    whole = round(ratio)
    if abs(ratio - whole) <= _WHOLE * max(1.0, ratio):
        return int(whole)
    return int(math.ceil(ratio) if up else math.floor(ratio))


def _dt(dt, where: str) -> float:
    return checks.duration(dt, "dt", where, positive=True)


def _length(steps: int, duration: float, dt: float, where: str,
            symbol: str = "duration") -> int:
    """``steps``, or a ModelError if the input would hold no step at all."""
    if steps < 1:
        raise ModelError(f"a duration of {duration:g} ms is shorter than one step of "
                         f"dt={dt:g} ms: the input would hold no value", where=where,
                         symbol=symbol)
    return steps


def _window(duration, t_start, t_end, dt: float, where: str,
            up: bool = False) -> Tuple[int, int, int]:
    """BrainPy's frame of an input on a window: ``int(duration/dt)`` steps, the window
    from step ``int(t_start/dt)`` to ``int(t_end/dt)`` (t_end None: the end); ``ceil``
    for all three if ``up`` (the ramp's rule)."""
    duration = checks.duration(duration, "duration", where)
    t_start = checks.duration(t_start, "t_start", where)
    t_end = duration if t_end is None else checks.duration(t_end, "t_end", where)
    if t_end > duration:
        raise ModelError(f"t_end={t_end:g} ms lies after the end of the input "
                         f"(duration={duration:g} ms)", where=where, symbol="t_end")
    if t_start > t_end:
        raise ModelError(f"t_start={t_start:g} ms lies after t_end={t_end:g} ms",
                         where=where, symbol="t_start")
    steps = _length(_steps(duration, dt, up), duration, dt, where)
    return steps, _steps(t_start, dt, up), _steps(t_end, dt, up)


def _checked(symbol: str, check, *args, **kwargs):
    """``check(*args, **kwargs)``, its ModelError's symbol the argument's name ``symbol``
    (the message names the item: ``values[2]``)."""
    try:
        return check(*args, **kwargs)
    except ModelError as err:
        err.symbol = symbol
        raise


def _scalar(value, what: str, where: str) -> float:
    """One finite number (checks.reals: a quantity comes in pyspike's base units)."""
    array = checks.reals(value, what, where, finite=True)
    if array.ndim:
        raise ModelError(f"{what} must be one number, not an array of shape {array.shape}",
                         where=where, symbol=what)
    return float(array)


def _sections(pairs, where: str, names: Tuple[str, str],
              dt: float) -> Tuple[np.ndarray, float]:
    """BrainPy's rule for piecewise-constant inputs: ``ceil(total/dt)`` steps, section k
    filling the next ``int(duration_k/dt)`` of them; steps left over by rounding stay 0.
    ``names``: how messages name section k's value and duration (``"values[{}]"``); the
    text before ``[`` is the argument's name, the errors' symbol."""
    symbols = [name.split("[")[0] for name in names]
    values = [_checked(symbols[0], checks.reals, v, names[0].format(k), where, finite=True)
              for k, (v, _) in enumerate(pairs)]
    durations = [_checked(symbols[1], checks.duration, d, names[1].format(k), where)
                 for k, (_, d) in enumerate(pairs)]
    for k, value in enumerate(values):
        if value.ndim > 1 or (value.ndim == 1 and value.size == 0):
            raise ModelError(f"{names[0].format(k)} must be a number or a non-empty 1-d "
                             f"array (one value per neuron), not of shape {value.shape}",
                             where=where, symbol=symbols[0])
    shapes = {v.shape for v in values if v.ndim}
    if len(shapes) > 1:
        raise ModelError(f"the arrays in {symbols[0]} have different lengths "
                         f"{sorted(s[0] for s in shapes)}: give one value per neuron, the "
                         f"same neurons in every section", where=where, symbol=symbols[0])
    total = float(sum(durations))
    steps = _length(_steps(total, dt, up=True), total, dt, where, symbols[1])
    current = np.zeros((steps,) + (shapes.pop() if shapes else ()))
    start = 0
    for value, duration in zip(values, durations):
        length = _steps(duration, dt, up=False)
        current[start:start + length] = value
        start += length
    return current, total


def _sequence(value, what: str, where: str) -> list:
    """A list of the items of ``value`` (a list, tuple or array)."""
    if not isinstance(value, (str, bytes, dict)):
        try:
            return list(value)
        except TypeError:
            pass
    raise ModelError(f"{what} must be a list, not {checks.show(value)}", where=where,
                     symbol=what)


def section_input(values: Sequence, durations: Sequence[float], dt: float = DEFAULT_DT,
                  return_length: bool = False) -> Union[TimedArray, Tuple[TimedArray, float]]:
    """Values held for given durations (ms), one after the other: ``values[k]`` (a number,
    or one number per neuron) for ``durations[k]`` ms.  BrainPy's ``section_input``.

    Returns a TimedArray of step ``dt``; with ``return_length=True``, the pair
    (TimedArray, total duration in ms).  Each section covers ``int(duration/dt)`` steps.

    >>> import pyspike as ps
    >>> stim = ps.inputs.section_input([0, 1, 0], [1, 2, 1], dt=0.5)
    >>> stim.values.tolist()
    [0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0]
    >>> stim, length = ps.inputs.section_input([0, [1, 2]], [1, 1], dt=0.5,
    ...                                        return_length=True)
    >>> stim.values.tolist(), length      # per-neuron values: read it as I(t, i)
    ([[0.0, 0.0], [0.0, 0.0], [1.0, 2.0], [1.0, 2.0]], 2.0)
    """
    where = "section_input"
    dt = _dt(dt, where)
    values = _sequence(values, "values", where)
    durations = _sequence(durations, "durations", where)
    if len(values) != len(durations):
        raise ModelError(f"values and durations must have the same length, not "
                         f"{len(values)} values and {len(durations)} durations", where=where,
                         symbol="durations")
    current, total = _sections(list(zip(values, durations)), where,
                               ("values[{}]", "durations[{}]"), dt)
    stim = TimedArray(current, dt=dt)
    return (stim, total) if checks.flag(return_length, "return_length", where) else stim


def constant_input(I_and_duration: Sequence[Tuple[object, float]],
                   dt: float = DEFAULT_DT) -> Tuple[TimedArray, float]:
    """Values held for given durations, as ``[(value, duration), ...]`` pairs (ms);
    BrainPy's ``constant_input``.  Returns (TimedArray of step ``dt``, total duration).

    >>> import pyspike as ps
    >>> stim, duration = ps.inputs.constant_input([(0, 100), (1, 100)])
    >>> duration, stim.values.shape, float(stim.values[999]), float(stim.values[1000])
    (200.0, (2000,), 0.0, 1.0)
    """
    where = "constant_input"
    dt = _dt(dt, where)
    pairs = _sequence(I_and_duration, "I_and_duration", where)
    for k, pair in enumerate(pairs):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ModelError(f"I_and_duration[{k}] must be a pair (value, duration in ms), "
                             f"not {checks.show(pair)}", where=where, symbol="I_and_duration")
    current, total = _sections(pairs, where, ("I_and_duration[{}][0]",
                                              "I_and_duration[{}][1]"), dt)
    return TimedArray(current, dt=dt), total


def _each(value, what: str, where: str, count: int, per: str, minimum=None) -> np.ndarray:
    """One finite number for all ``count`` items, or one for each (``per`` names them)."""
    array = checks.reals(value, what, where, finite=True, minimum=minimum)
    if array.ndim and array.shape != (count,):
        raise ModelError(f"{what} must be one number or one per {per} ({count}), not of "
                         f"shape {array.shape}", where=where, symbol=what)
    return np.broadcast_to(array, (count,))


def spike_input(sp_times: Sequence[float], sp_lens, sp_sizes, duration: float,
                dt: float = DEFAULT_DT) -> TimedArray:
    """Rectangular pulses: at each time of ``sp_times`` (ms) a pulse of ``sp_lens`` ms and
    height ``sp_sizes`` (each a number for all pulses or a list, one per pulse), zero
    elsewhere, over ``duration`` ms (``ceil(duration/dt)`` steps).  BrainPy's
    ``spike_input``: a pulse starts at step ``int(time/dt)`` and lasts ``int(length/dt)``
    steps (so a pulse shorter than dt covers none), a later pulse overwrites an earlier
    one, and the input's end cuts a pulse.

    >>> import pyspike as ps
    >>> stim = ps.inputs.spike_input([1.0, 3.0], sp_lens=1.0, sp_sizes=[2.0, 5.0],
    ...                              duration=5.0, dt=0.5)
    >>> stim.values.tolist()
    [0.0, 0.0, 2.0, 2.0, 0.0, 0.0, 5.0, 5.0, 0.0, 0.0]
    """
    where = "spike_input"
    dt = _dt(dt, where)
    duration = checks.duration(duration, "duration", where)
    times = checks.reals(sp_times, "sp_times", where, finite=True, minimum=0.0)
    if times.ndim != 1:
        raise ModelError(f"sp_times must be a list of times in ms, not of shape "
                         f"{times.shape}", where=where, symbol="sp_times")
    lens = _each(sp_lens, "sp_lens", where, times.size, "spike time", minimum=0.0)
    sizes = _each(sp_sizes, "sp_sizes", where, times.size, "spike time")
    current = np.zeros(_length(_steps(duration, dt, up=True), duration, dt, where))
    for time, length, size in zip(times, lens, sizes):
        start = _steps(float(time), dt, up=False)
        current[start:start + _steps(float(length), dt, up=False)] = size
    return TimedArray(current, dt=dt)


def ramp_input(c_start: float, c_end: float, duration: float, t_start: float = 0,
               t_end: Optional[float] = None, dt: float = DEFAULT_DT) -> TimedArray:
    """A linear ramp from ``c_start`` to ``c_end`` between ``t_start`` and ``t_end`` (ms,
    default the end), zero before and after, over ``duration`` ms.  BrainPy's
    ``ramp_input``: ``ceil(duration/dt)`` steps, the ramp on steps ``ceil(t_start/dt)`` to
    ``ceil(t_end/dt) - 1``, its first step ``c_start`` and its last ``c_end``.

    >>> import pyspike as ps
    >>> ps.inputs.ramp_input(0.0, 3.0, duration=3.0, t_start=0.5, t_end=2.5,
    ...                      dt=0.5).values.tolist()
    [0.0, 0.0, 1.0, 2.0, 3.0, 0.0]
    """
    where = "ramp_input"
    dt = _dt(dt, where)
    c_start, c_end = _scalar(c_start, "c_start", where), _scalar(c_end, "c_end", where)
    steps, first, end = _window(duration, t_start, t_end, dt, where, up=True)
    current = np.zeros(steps)
    current[first:end] = np.linspace(c_start, c_end, end - first)
    return TimedArray(current, dt=dt)


def _oscillation(wave: Callable[[np.ndarray], np.ndarray], amplitude, frequency, duration,
                 dt, t_start, t_end, bias, where: str) -> TimedArray:
    """BrainPy's frame for the sinusoid and the square wave: ``amplitude * wave(phase)``
    (plus ``amplitude`` if ``bias``) on the window, its phase 0 on the window's first
    step, 2 pi per 1000/frequency ms; zero elsewhere."""
    dt = _dt(dt, where)
    amplitude = _scalar(amplitude, "amplitude", where)
    frequency = checks.number(frequency, "frequency", where, minimum=0.0, unit="Hz")
    bias = checks.flag(bias, "bias", where)
    steps, first, end = _window(duration, t_start, t_end, dt, where)
    times = np.arange(end - first) * dt
    values = amplitude * wave(2 * np.pi * times * (frequency / 1000.0))
    current = np.zeros(steps)
    current[first:end] = values + amplitude if bias else values
    return TimedArray(current, dt=dt)


def sinusoidal_input(amplitude: float, frequency: float, duration: float,
                     dt: float = DEFAULT_DT, t_start: float = 0., t_end: Optional[float] = None,
                     bias: bool = False) -> TimedArray:
    """``amplitude * sin(2 pi frequency t)``, frequency in Hz and t in ms from ``t_start``
    (so the period is 1000/frequency ms), between ``t_start`` and ``t_end`` (default the
    end), zero elsewhere, over ``int(duration/dt)`` steps; with ``bias=True`` it is
    raised by ``amplitude`` (never negative).  BrainPy's ``sinusoidal_input``.

    >>> import pyspike as ps
    >>> stim = ps.inputs.sinusoidal_input(2.0, frequency=250.0, duration=4.0, dt=1.0)
    >>> stim.values.round(12).tolist()       # a period of 4 ms
    [0.0, 2.0, 0.0, -2.0]
    """
    return _oscillation(np.sin, amplitude, frequency, duration, dt, t_start, t_end, bias,
                        "sinusoidal_input")


def _square(phase: np.ndarray) -> np.ndarray:
    """BrainPy's square wave of duty cycle 1/2: +1 while the phase, taken modulo 2 pi, is
    below pi, -1 after."""
    return np.where(np.mod(phase, 2 * np.pi) < np.pi, 1.0, -1.0)


def square_input(amplitude: float, frequency: float, duration: float, dt: float = DEFAULT_DT,
                 bias: bool = False, t_start: float = 0.,
                 t_end: Optional[float] = None) -> TimedArray:
    """A square wave of frequency Hz: ``+amplitude`` over the first half of each period
    (1000/frequency ms, counted from ``t_start``) and ``-amplitude`` over the second,
    between ``t_start`` and ``t_end`` (default the end), zero elsewhere, over
    ``int(duration/dt)`` steps; ``bias=True`` raises it by ``amplitude`` (2A and 0).
    BrainPy's ``square_input``.

    >>> import pyspike as ps
    >>> ps.inputs.square_input(1.0, frequency=250.0, duration=8.0, dt=1.0,
    ...                        bias=True).values.tolist()
    [2.0, 2.0, 0.0, 0.0, 2.0, 2.0, 0.0, 0.0]
    """
    return _oscillation(_square, amplitude, frequency, duration, dt, t_start, t_end, bias,
                        "square_input")


def _random_frame(duration, dt, n, t_start, t_end, seed, where: str):
    dt = _dt(dt, where)
    n = checks.count(n, "n", where, minimum=1)
    if seed is not None:
        seed = checks.count(seed, "seed", where)
    steps, first, end = _window(duration, t_start, t_end, dt, where)
    return np.zeros((steps, n)), first, end, n, dt, np.random.default_rng(seed)


def wiener_process(duration: float, dt: float = DEFAULT_DT, n: int = 1, t_start: float = 0.,
                   t_end: Optional[float] = None, seed: Optional[int] = None) -> TimedArray:
    """Increments of ``n`` independent Wiener processes, one per step: each a normal
    number of variance dt (ms), between ``t_start`` and ``t_end`` (default the end), zero
    elsewhere; shape (``int(duration/dt)``, n), read as ``W(t, i)``.  ``seed`` makes the
    numbers reproducible.  BrainPy's ``wiener_process`` (its values scale with dt).

    >>> import pyspike as ps
    >>> W = ps.inputs.wiener_process(1000.0, dt=0.1, n=4, seed=1)
    >>> W.values.shape, bool(abs(W.values.var() / 0.1 - 1) < 0.05)
    ((10000, 4), True)
    """
    current, first, end, n, dt, rng = _random_frame(duration, dt, n, t_start, t_end, seed,
                                                    "wiener_process")
    current[first:end] = rng.standard_normal((end - first, n)) * np.sqrt(dt)
    return TimedArray(current, dt=dt)


def ou_process(mean, sigma, tau, duration: float, dt: float = DEFAULT_DT, n: int = 1,
               t_start: float = 0., t_end: Optional[float] = None,
               seed: Optional[int] = None) -> TimedArray:
    """``n`` Ornstein-Uhlenbeck processes dX = (mean - X)/tau dt + sigma dW (tau in ms,
    sigma in the unit of X per sqrt(ms)), between ``t_start`` and ``t_end`` (default the
    end), zero elsewhere; shape (``int(duration/dt)``, n), read as ``X(t, i)``.
    BrainPy's ``ou_process``: X starts at ``mean``, and each step of the window stores
    X after one Euler-Maruyama step ``X + dt*((mean - X)/tau) + sigma*sqrt(dt)*xi`` (xi
    standard normal), so its stationary variance is sigma^2 tau / (2 - dt/tau) and its
    correlation over k steps (1 - dt/tau)^k.  ``mean``, ``sigma`` and ``tau`` are numbers
    or one per process; ``seed`` makes the numbers reproducible.

    >>> import pyspike as ps
    >>> X = ps.inputs.ou_process(mean=1.0, sigma=0.0, tau=10.0, duration=5.0, n=2)
    >>> X.values.shape, float(X.values.min()), float(X.values.max())
    ((50, 2), 1.0, 1.0)
    """
    where = "ou_process"
    current, first, end, n, dt, rng = _random_frame(duration, dt, n, t_start, t_end, seed,
                                                    where)
    mean = _each(mean, "mean", where, n, "process")
    sigma = _each(sigma, "sigma", where, n, "process", minimum=0.0)
    tau = _each(tau, "tau", where, n, "process")
    if (tau <= dt / 2).any():
        bad = float(tau[np.argmax(tau <= dt / 2)])
        raise ModelError(f"tau must be above dt/2 = {dt / 2:g} ms (Euler-Maruyama steps of "
                         f"dt grow without bound otherwise), not {bad:g}", where=where,
                         symbol="tau")
    noise = rng.standard_normal((end - first, n))
    x, scale = np.array(mean, dtype=np.float64), sigma * np.sqrt(dt)
    for k in range(end - first):
        x = x + dt * ((mean - x) / tau) + scale * noise[k]
        current[first + k] = x
    return TimedArray(current, dt=dt)
