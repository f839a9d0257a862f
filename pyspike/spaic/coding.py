"""SPAIC's encoders and generators as functions over NumPy arrays (the definitions that
pyspike.spaic's Node classes call and the tests hold the compiled kernels to).

Conventions: ``data`` is ``(B, *shape)`` (the first axis is the batch, as SPAIC's
``Node.__call__`` takes it) and is flattened to ``(B, N)``; a train is ``(B, T, N)``
float64 (0.0/1.0 for spikes); ``dt`` is in ms and step ``k`` covers ``[k*dt, (k+1)*dt)``.
SPAIC computes in float32; these compute in float64, so a value that lands exactly on a
boundary of a truncation (a latency index, a period) may fall one step apart.

Each coding method's options are keyword-only parameters with SPAIC's names and defaults;
:func:`lookup` finds a function by SPAIC's ``coding_method`` name and checks the options.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional

import numpy as np

from ..codegen.errors import ModelError

#: Options that SPAIC's Node classes take themselves (not the coding method): ``lookup``
#: neither passes nor refuses them.  ``coding_time`` appears in SPAIC's own documents and
#: is ignored by SPAIC.
NODE_KWARGS: Mapping[str, frozenset] = {
    "Encoder": frozenset({"time", "position", "is_encoded", "coding_time"}),
    "Generator": frozenset({"time", "position", "gen_first", "coding_time", "rate",
                            "batch"}),
    "Decoder": frozenset({"time", "position", "coding_time"}),
    "Reward": frozenset({"time", "position", "coding_time", "dec_sample_step",
                         "reward_shape"}),
    "Action": frozenset({"time", "position", "coding_time"}),
}


@dataclass(frozen=True)
class Coding:
    """One coding method: its function and the options it takes, with their defaults
    (read from the function's keyword-only parameters)."""
    function: Callable[..., Any]
    defaults: Mapping[str, Any] = field(init=False)

    def __post_init__(self):
        params = inspect.signature(self.function).parameters.values()
        object.__setattr__(self, "defaults", {
            p.name: p.default for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY})


def lookup(table: Mapping[str, Coding], where: str, name: str,
           kwargs: Optional[Mapping[str, Any]] = None) -> tuple[Callable[..., Any], dict]:
    """The function registered as ``name`` (any case, as SPAIC lowers it) in ``table``
    and the options to call it with: its defaults updated by ``kwargs``.  An unknown name
    or option is refused with the known ones; Node-level options (:data:`NODE_KWARGS`)
    are left out."""
    key = str(name).lower()
    if key not in table:
        raise ModelError(f"coding_method={name!r} is not a known {where} method; known: "
                         f"{', '.join(sorted(table))}", where=where, symbol=str(name))
    entry = table[key]
    given = dict(kwargs or {})
    for option in given:
        if option not in entry.defaults and option not in NODE_KWARGS.get(where, ()):
            known = ", ".join(entry.defaults) or "none"
            raise ModelError(f"{where} {key!r} takes no option {option!r} (options: "
                             f"{known})", where=where, symbol=option)
    merged = dict(entry.defaults)
    merged.update({k: v for k, v in given.items() if k in entry.defaults})
    return entry.function, merged


def _flat(data) -> np.ndarray:
    """``(B, *shape)`` -> ``(B, N)`` float64; a scalar is one sample of one input."""
    x = np.asarray(data, dtype=np.float64)
    return x.reshape(1, 1) if x.ndim == 0 else x.reshape(x.shape[0], -1)


def _check_uniforms(u, shape: tuple, where: str) -> np.ndarray:
    u = np.asarray(u, dtype=np.float64)
    if u.shape != shape:
        raise ModelError(f"uniforms of shape {u.shape} given where (B, T, N) = {shape} is "
                         f"needed", where=where, symbol="uniforms")
    return u


def train_from_steps(step: np.ndarray, steps: int) -> np.ndarray:
    """One spike per input at ``step`` ``(B, N)``; a step of ``steps`` or more (the value
    the latency codes use for "never") gives no spike.  Returns ``(B, T, N)``."""
    step = np.asarray(step)
    return (np.arange(steps)[None, :, None] == step[:, None, :]).astype(np.float64)


# ---------------------------------------------------------------------------- encoders
def encode_null(data, steps: int, dt: float) -> np.ndarray:
    """Already encoded input ``(B, T', *shape)``: its first ``steps`` steps as a train
    (SPAIC transposes it to time-major and reads one step per step; extra steps go
    unused)."""
    x = np.asarray(data, dtype=np.float64)
    if x.ndim < 2 or x.shape[1] < steps:
        raise ModelError(f"a 'null' encoder needs data of shape (batch, time_step, ...) "
                         f"with at least {steps} steps; got shape {x.shape}",
                         where="Encoder", symbol="null")
    return x[:, :steps].reshape(x.shape[0], steps, -1)


def encode_sstb(data, steps: int, dt: float) -> np.ndarray:
    """Single spike to binary: one spike time in ms per input, ``(B, *shape)``; input
    ``i`` spikes in step ``int(t_i / dt)`` (truncated, as SPAIC casts to long).  A time
    outside ``[0, steps*dt)`` is refused (SPAIC's scatter fails on it)."""
    t = _flat(data)
    if (t < 0).any():
        raise ModelError("'sstb' spike times must be non-negative; got "
                         f"{t.min()!r}", where="Encoder", symbol="sstb")
    step = (t / dt).astype(np.int64)
    if (step >= steps).any():
        raise ModelError(f"'sstb' spike time {t.max()!r} ms lies after the run of "
                         f"{steps} steps of {dt} ms", where="Encoder", symbol="sstb")
    return train_from_steps(step, steps)


def encode_mstb(data, steps: int, dt: float, *, num: Optional[int] = None) -> np.ndarray:
    """Multiple spikes to binary: ``data`` is a list of B samples, each ``(times,
    neuron_ids)`` (times in ms); ``num`` is the number of inputs (SPAIC's Node ``num``).

    As SPAIC: the step is ``int(t / dt)`` clamped to the last step, and two spikes of one
    neuron in one step ADD (SPAIC densifies a sparse tensor, which sums duplicates), so a
    value can exceed 1.  SPAIC's two-channel variant (``coding_var_name`` with ``[2]``)
    is not covered."""
    if num is None:
        raise ModelError("'mstb' needs num, the number of input neurons", where="Encoder",
                         symbol="num")
    out = np.zeros((len(data), steps, int(num)))
    for b, sample in enumerate(data):
        times = np.asarray(sample[0], dtype=np.float64).ravel()
        ids = np.asarray(sample[1]).astype(np.int64).ravel()
        if (times < 0).any():
            raise ModelError(f"'mstb' spike times must be non-negative (sample {b})",
                             where="Encoder", symbol="mstb")
        if ((ids < 0) | (ids >= num)).any():
            raise ModelError(f"'mstb' neuron ids must lie in [0, {num}) (sample {b})",
                             where="Encoder", symbol="mstb")
        step = np.minimum((times / dt).astype(np.int64), steps - 1)
        np.add.at(out[b], (step, ids), 1.0)
    return out


def poisson_probability(data, dt: float, *, unit_conversion: float = 1.0) -> np.ndarray:
    """Per-step spike probability of SPAIC's 'poisson' encoder, ``x * unit_conversion *
    dt`` per input ``(B, N)``, not clipped (a value over 1 spikes in every step)."""
    return _flat(data) * unit_conversion * dt


def poisson_active_steps(steps: int, dt: float, *, start_time: Optional[float] = None,
                         end_time: Optional[float] = None) -> np.ndarray:
    """Which steps ``(T,)`` the 'poisson' encoder may spike in.  SPAIC counts step ``k``
    as ``index = k + 1`` and is silent where ``index > end_time/dt`` or ``index <
    start_time/dt``: the window covers ``[start_time - dt, end_time)``, starting one
    step early (followed here)."""
    index = np.arange(1, steps + 1, dtype=np.float64)
    active = np.ones(steps, dtype=bool)
    if end_time is not None:
        active &= ~(index > end_time / dt)
    if start_time is not None:
        active &= ~(index < start_time / dt)
    return active


def encode_poisson(data, steps: int, dt: float, uniforms, *, unit_conversion: float = 1.0,
                   start_time: Optional[float] = None, end_time: Optional[float] = None,
                   single_test: bool = False) -> np.ndarray:
    """Reference Poisson train: a spike where ``uniforms < p`` ``(B, T, N)`` in the active
    steps.  SPAIC compares with ``<=`` (``le``); the two differ only where a uniform
    equals ``p`` exactly.  ``single_test`` (SPAIC: draw the train for batch 1 ahead of
    the run) changes no probability and is accepted for compatibility."""
    p = poisson_probability(data, dt, unit_conversion=unit_conversion)
    u = _check_uniforms(uniforms, (p.shape[0], steps, p.shape[1]), "Encoder")
    active = poisson_active_steps(steps, dt, start_time=start_time, end_time=end_time)
    return ((u < p[:, None, :]) & active[None, :, None]).astype(np.float64)


def latency_steps(data, steps: int, *, max_scale: Optional[float] = None,
                  cut_off: bool = False) -> np.ndarray:
    """Spike step ``(B, N)`` int of SPAIC's 'latency' code; ``steps`` means no spike.

    ``x`` is scaled to ``[0, 1)`` by ``(x - min) / (max - min + 1e-10)`` where min and
    max are taken over the WHOLE batch (not per sample, as SPAIC does), and input ``i``
    spikes in step ``int(S * (1 - x_i))`` with ``S = max_scale * (steps - 1)`` (``steps -
    1`` when ``max_scale`` is None): the largest input first.  With ``cut_off``, inputs
    not above 5 % of the maximum along the LAST axis of the data's shape (per row of an
    image, as SPAIC) do not spike."""
    raw = np.asarray(data, dtype=np.float64)
    x = _flat(raw)
    if (x < 0).any():
        raise ModelError("'latency' inputs must be non-negative; got "
                         f"{x.min()!r}", where="Encoder", symbol="latency")
    if max_scale is not None and not 0.0 <= max_scale <= 1.0:
        raise ModelError(f"max_scale is a fraction of the run in [0, 1]; got "
                         f"{max_scale!r}", where="Encoder", symbol="max_scale")
    scale = (steps - 1.0) * (1.0 if max_scale is None else max_scale)
    norm = (x - x.min()) / (x.max() - x.min() + 1.0e-10)
    step = (scale * (1.0 - norm)).astype(np.int64)
    if cut_off:
        raw = raw.reshape(1, 1) if raw.ndim == 0 else raw
        keep = raw > 0.05 * raw.max(axis=-1, keepdims=True)
        step = np.where(keep.reshape(x.shape), step, steps)
    return step


def encode_latency(data, steps: int, dt: float, *, max_scale: Optional[float] = None,
                   cut_off: bool = False) -> np.ndarray:
    """The 'latency' train ``(B, T, N)``: see :func:`latency_steps`."""
    return train_from_steps(latency_steps(data, steps, max_scale=max_scale,
                                          cut_off=cut_off), steps)


def relative_latency_steps(data, steps: int, *, amp: float = 1.0, bias: float = 0.0,
                           scale: float = 0.9999999) -> np.ndarray:
    """Spike step ``(B, N)`` int of SPAIC's 'relative_latency'; ``steps`` means none.

    Per sample, ``e = exp(-amp * x)`` minus its minimum over the sample; the step is
    ``int((steps - 1) * scale * e)``.  Then, as SPAIC, every spike at or after the cut
    step ``int(lo + 0.8 * (hi - lo))`` is dropped, lo and hi being the smallest and
    largest step over the WHOLE batch: when all steps are equal nothing spikes at all.
    ``bias`` is read by SPAIC and unused."""
    if not 0.0 < scale < 1.0:
        raise ModelError(f"scale must lie in (0, 1); got {scale!r}", where="Encoder",
                         symbol="scale")
    e = np.exp(-amp * _flat(data))
    e = e - e.min(axis=1, keepdims=True)
    step = ((steps - 1.0) * scale * e).astype(np.int64)
    if (step >= steps).any():
        raise ModelError(f"relative_latency puts a spike at step {step.max()} of a run of "
                         f"{steps} steps: keep amp * (max(x) - min(x)) within a sample "
                         f"small enough that exp() spans at most 1", where="Encoder",
                         symbol="amp")
    lo, hi = step.min(), step.max()
    cut = int(lo + 0.8 * (hi - lo))
    return np.where(step < cut, step, steps)


def encode_relative_latency(data, steps: int, dt: float, *, amp: float = 1.0,
                            bias: float = 0.0, scale: float = 0.9999999) -> np.ndarray:
    """The 'relative_latency' train ``(B, T, N)``: see :func:`relative_latency_steps`."""
    return train_from_steps(relative_latency_steps(data, steps, amp=amp, bias=bias,
                                                   scale=scale), steps)


def encode_constant_current(data, steps: int, dt: float, *, amp: float = 1.0,
                            input_norm: bool = False) -> np.ndarray:
    """``amp * x`` in every step ``(B, T, N)`` (a current, not spikes).  SPAIC's
    ``input_norm`` branch compares the method ``source.dim`` with an integer, so it never
    runs: ``input_norm`` has no effect there, nor here."""
    x = _flat(data)
    return np.repeat(x[:, None, :] * amp, steps, axis=1)


def encode_uniform(data, steps: int, dt: float, *, max_time: Optional[float] = None,
                   amp: float = 1.0, bias: float = 0.05) -> np.ndarray:
    """Regular spikes, faster for larger inputs: input ``i`` spikes in step ``k`` when
    ``(k + 1) mod P_i == 0`` with ``P_i = ceil(amp * max_time * (bias + max - x_i) /
    ((bias + max - min) * dt))`` plus ``10 * max_time / dt`` for the inputs equal to the
    minimum (which so fire far later, or never).  min and max are over the WHOLE batch
    (as SPAIC); ``max_time`` defaults to the run, ``steps * dt``.  A period of 0 (``bias
    = 0`` at the maximum) gives no spike, as SPAIC's ``fmod`` by 0 does."""
    x = _flat(data)
    span = steps * dt if max_time is None else max_time
    hi, lo = x.max(), x.min()
    period = np.ceil(amp * span * (bias + hi - x) / ((bias + hi - lo) * dt))
    period = period + (x == lo) * 10.0 * span / dt
    k1 = np.arange(1, steps + 1, dtype=np.float64)[None, :, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        return (np.fmod(k1, period[:, None, :]) == 0).astype(np.float64)


ENCODERS: dict[str, Coding] = {
    "null": Coding(encode_null),
    "float": Coding(encode_constant_current),  # SPAIC's 'float': the value each step
    "sstb": Coding(encode_sstb),
    "mstb": Coding(encode_mstb),
    "poisson": Coding(encode_poisson),
    "latency": Coding(encode_latency),
    "relative_latency": Coding(encode_relative_latency),
    "constant_current": Coding(encode_constant_current),
    "uniform": Coding(encode_uniform),
}
#: Encoders that draw random numbers: their function takes ``uniforms`` (B, T, N) after dt.
RANDOM_ENCODERS = frozenset({"poisson"})


def lookup_encoder(name: str, kwargs: Optional[Mapping[str, Any]] = None):
    """``(function, options)`` of the encoder called ``name``: see :func:`lookup`."""
    return lookup(ENCODERS, "Encoder", name, kwargs)


# -------------------------------------------------------------------------- generators
def _source(data, num: int) -> np.ndarray:
    """A generator's input: a scalar (every neuron), ``(N,)`` or ``(B, N)`` -> ``(B, N)``.
    SPAIC takes the first axis of a 1-D rate as the batch (a shape slip that makes an
    ``(N, N)`` train); a 1-D input is one value per neuron here."""
    x = np.asarray(data, dtype=np.float64)
    x = x.reshape(1, -1) if x.ndim <= 1 else x.reshape(x.shape[0], -1)
    if x.shape[1] not in (1, num):
        raise ModelError(f"a generator of {num} neurons got {x.shape[1]} values per "
                         f"sample", where="Generator", symbol="data")
    return np.broadcast_to(x, (x.shape[0], num)).astype(np.float64)


def poisson_generator_probability(data, num: int, *, unit_conversion: float = 0.1
                                  ) -> np.ndarray:
    """Per-step spike probability ``rate * unit_conversion`` ``(B, num)`` of SPAIC's
    'poisson_generator'.  Unlike the 'poisson' encoder, SPAIC does not multiply by ``dt``
    here (its comment has ``unit_conversion`` stand for dt); followed."""
    return _source(data, num) * unit_conversion


def poisson_generator_active_steps(steps: int, dt: float, *,
                                   start_time: Optional[float] = None,
                                   end_time: Optional[float] = None) -> np.ndarray:
    """Steps ``(T,)`` where 'poisson_generator' may spike: ``start_time < k*dt <
    end_time`` (strict, as SPAIC compares).  SPAIC never advances the generator's step
    counter, so its window test always sees t = 0 (any ``start_time >= 0`` silences the
    generator for the whole run); here the test is made at each step's time, as the
    option's name and SPAIC's comparison intend."""
    t = np.arange(steps, dtype=np.float64) * dt
    active = np.ones(steps, dtype=bool)
    if start_time is not None:
        active &= start_time < t
    if end_time is not None:
        active &= end_time > t
    return active


def generate_poisson_generator(data, steps: int, dt: float, num: int, uniforms, *,
                               unit_conversion: float = 0.1, weight: float = 1.0,
                               start_time: Optional[float] = None,
                               end_time: Optional[float] = None) -> np.ndarray:
    """Reference train ``(B, T, num)``: ``weight`` where ``uniforms < p`` in the active
    steps (SPAIC: ``<=``; equal only where a uniform equals ``p`` exactly)."""
    p = poisson_generator_probability(data, num, unit_conversion=unit_conversion)
    u = _check_uniforms(uniforms, (p.shape[0], steps, num), "Generator")
    active = poisson_generator_active_steps(steps, dt, start_time=start_time,
                                            end_time=end_time)
    return weight * ((u < p[:, None, :]) & active[None, :, None]).astype(np.float64)


def _over_time(values: np.ndarray, data) -> np.ndarray:
    """(B, T, N) from a batched input, (T, N) from a scalar or per-neuron one."""
    return values if np.ndim(data) >= 2 else values[0]


def generate_cc_generator(data, steps: int, dt: float, num: int) -> np.ndarray:
    """A constant current: the input in every step, ``(T, num)`` for a scalar or per-neuron
    input, ``(B, T, num)`` for a batched one.  SPAIC warns on a negative input."""
    x = _source(data, num)
    return _over_time(np.repeat(x[:, None, :], steps, axis=1), data)


def _times(steps: int, dt: float) -> np.ndarray:
    # SPAIC's arange(0, T*dt, dt) can hold T + 1 values for some dt (rounding); k*dt here
    return np.arange(steps, dtype=np.float64) * dt


def generate_sin(data, steps: int, dt: float, num: int) -> np.ndarray:
    """``amp * sin(2 pi t / period)`` at ``t = k*dt`` for ``data = [amp, period]``, the same
    for every neuron: ``(T, num)``."""
    amp, period = (float(v) for v in np.asarray(data, dtype=np.float64).ravel()[:2])
    wave = amp * np.sin(2.0 * np.pi / period * _times(steps, dt))
    return np.repeat(wave[:, None], num, axis=1)


def generate_ramp(data, steps: int, dt: float, num: int, *, base: float = 0.0,
                  end_time: Optional[float] = None, amp: float = 0.001) -> np.ndarray:
    """``amp * (slope * t + base)`` at ``t = k*dt`` with ``slope = data`` (scalar,
    per-neuron or batched), zero from step ``int(end_time / dt)`` on.  The default ``amp``
    is SPAIC's 0.001.  ``(T, num)`` or ``(B, T, num)``."""
    slope = _source(data, num)
    base = np.asarray(base, dtype=np.float64)
    out = amp * (slope[:, None, :] * _times(steps, dt)[None, :, None] + base)
    if end_time is not None:
        out[:, int(end_time / dt):] = 0.0
    return _over_time(out, data)


GENERATORS: dict[str, Coding] = {
    "poisson_generator": Coding(generate_poisson_generator),
    "cc_generator": Coding(generate_cc_generator),
    "constant_current": Coding(generate_cc_generator),
    "sin": Coding(generate_sin),
    "sin_generator": Coding(generate_sin),
    "ramp": Coding(generate_ramp),
    "ramp_generator": Coding(generate_ramp),
}
#: Generators that draw random numbers: their function takes ``uniforms`` after ``num``.
RANDOM_GENERATORS = frozenset({"poisson_generator"})


def lookup_generator(name: str, kwargs: Optional[Mapping[str, Any]] = None):
    """``(function, options)`` of the generator called ``name``: see :func:`lookup`."""
    return lookup(GENERATORS, "Generator", name, kwargs)
