"""SPAIC's decoders as functions over a run's record (what ``Net.output.predict`` holds
after a run).

A record is ``(B, T, N)`` float64: B samples, T steps (the decoder's window, the whole run
as SPAIC's decoders record it), N neurons of the target group; 0.0/1.0 for spikes ('O'),
membrane potentials for 'V'.  SPAIC's records are time-major ``(T, B, N)``; every result
here keeps SPAIC's shape with the batch first.  Options are keyword-only parameters with
SPAIC's names and defaults; :func:`lookup_decoder` finds a decoder by its
``coding_method`` name.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

import numpy as np

from ..codegen.errors import ModelError
from .coding import Coding, lookup


def _record(record) -> np.ndarray:
    r = np.asarray(record, dtype=np.float64)
    if r.ndim != 3:
        raise ModelError(f"a decoder reads a record of shape (batch, steps, neurons); got "
                         f"shape {r.shape}", where="Decoder", symbol="record")
    return r


def pool(values: np.ndarray, pop_size: int, where: str = "Decoder") -> np.ndarray:
    """Sum ``(B, N)`` over populations of ``pop_size`` consecutive neurons: population
    ``i`` is neurons ``[i*pop_size, (i+1)*pop_size)``; there are ``int(N / pop_size)``
    of them and the neurons left over at the end are dropped (as SPAIC)."""
    pop_size = int(pop_size)
    n = values.shape[1]
    if not 1 <= pop_size <= n:
        raise ModelError(f"pop_size={pop_size!r} must lie in [1, {n}] (the neurons of the "
                         f"target)", where=where, symbol="pop_size")
    pops = int(n / pop_size)
    return values[:, :pops * pop_size].reshape(values.shape[0], pops, pop_size).sum(axis=2)


def decode_spike_counts(record, dt: float, *, pop_size: int = 1, bias: float = 0.0,
                        scale: float = 1.0) -> np.ndarray:
    """Spikes per population over the run, ``(B, int(N / pop_size))``:
    ``(pooled count + bias) * scale``.  (SPAIC's unused NumPy path averages over time;
    its torch path, the one that runs, sums.)"""
    return (pool(_record(record).sum(axis=1), pop_size) + bias) * scale


def decode_spike_rate(record, dt: float, *, pop_size: int = 1, bias: float = 0.0,
                      scale: float = 1.0) -> np.ndarray:
    """As 'spike_counts' with the mean over steps in place of the sum: the summed
    per-step firing probability of each population."""
    return (pool(_record(record).mean(axis=1), pop_size) + bias) * scale


def decode_spike_rates(record, dt: float) -> np.ndarray:
    """Spikes per step of each neuron, ``(B, N)``: the count divided by the steps."""
    r = _record(record)
    return r.sum(axis=1) / r.shape[1]


def first_spike_step(record) -> np.ndarray:
    """The first step ``(B,)`` in which any neuron of a sample spikes (0 when none
    does, as SPAIC falls back to the first row)."""
    return np.argmax((_record(record) != 0).any(axis=2), axis=1)


def decode_first_spike(record, dt: float) -> np.ndarray:
    """The record's row at each sample's first spike step, ``(B, N)``: 1 for EVERY
    neuron that spikes in that step (a tie marks them all; an argmax over it picks the
    lowest index), all 0 for a silent sample.  This is what SPAIC gives: the spikes of
    the first step with any spike, not per-neuron first spike times."""
    r = _record(record)
    return r[np.arange(r.shape[0]), first_spike_step(r)]


def decode_time_spike_counts(record, dt: float) -> np.ndarray:
    """Spikes weighted by how early they come, ``(B, N)``: ``sum_k 0.1 * exp(-k / (T /
    2)) * s_k`` over the steps ``k`` of a run of T steps (the weight counts steps, not
    ms)."""
    r = _record(record)
    steps = r.shape[1]
    weight = 0.1 * np.exp(-np.arange(steps, dtype=np.float64) / (0.5 * steps))
    return np.einsum("btn,t->bn", r, weight)


def decode_time_softmax(record, dt: float) -> tuple[np.ndarray, float]:
    """SPAIC's 'time_softmax' (its active form): ``(out (B, N), rateloss)``.

    Each step's time is ``s = k*dt``, plus ``T*dt`` where the neuron does not spike;
    ``first`` is a sample's smallest ``s``; ``out = sum_k 5 * exp((first - s_k) / 50)``,
    a sum over ALL steps (silent ones count, pushed back by ``T*dt``), and ``rateloss =
    || mean_n(count) - 3 ||`` over the batch.  The constants (5, 50 ms, a target of 3
    spikes) are SPAIC's.  SPAIC reads a two-channel record (spikes and the spike's time
    within its step); the time channel enters only as ``x - x.detach()``, zero in value
    (it shapes gradients), so the spike record alone gives the values (up to rounding)."""
    r = _record(record)
    steps = r.shape[1]
    s = np.arange(steps, dtype=np.float64)[None, :, None] * dt + (r <= 0) * dt * steps
    first = s.min(axis=(1, 2), keepdims=True)
    out = (5.0 * np.exp((first - s) / 50.0)).sum(axis=1)
    rateloss = float(np.linalg.norm(r.sum(axis=1).mean(axis=1) - 3.0))
    return out, rateloss


def decode_final_step_voltage(record, dt: float) -> np.ndarray:
    """The last step of the (voltage) record, ``(B, N)``."""
    return _record(record)[:, -1].copy()


def decode_voltage_sum(record, dt: float) -> np.ndarray:
    """Despite the name, SPAIC's 'voltage_sum' takes the LAST step's voltage and
    subtracts its mean over the whole batch and all neurons, ``(B, N)``; followed."""
    v = _record(record)[:, -1]
    return v - v.mean()


def decode_v_t(record, dt: float) -> np.ndarray:
    """The whole voltage trajectory, ``(B, T, N)`` (SPAIC: ``(T, B, N)``)."""
    return _record(record).copy()


def decode_null(record, dt: float) -> np.ndarray:
    """The record itself, ``(B, T, N)``."""
    return _record(record).copy()


DECODERS: dict[str, Coding] = {
    "spike_counts": Coding(decode_spike_counts),
    "spike_rate": Coding(decode_spike_rate),
    "spike_rates": Coding(decode_spike_rates),
    "first_spike": Coding(decode_first_spike),
    "time_spike_counts": Coding(decode_time_spike_counts),
    "time_softmax": Coding(decode_time_softmax),
    "final_step_voltage": Coding(decode_final_step_voltage),
    "voltage_sum": Coding(decode_voltage_sum),
    "v_t": Coding(decode_v_t),
    "null": Coding(decode_null),
}
#: The variable each decoder records by default (SPAIC's ``coding_var_name``): spikes
#: 'O' or the membrane potential 'V'.
RECORDED_VARIABLE: dict[str, str] = {
    name: ("V" if name in ("final_step_voltage", "voltage_sum", "v_t") else "O")
    for name in DECODERS}


def lookup_decoder(name: str, kwargs: Optional[Mapping[str, Any]] = None):
    """``(function, options)`` of the decoder called ``name``: see :func:`.coding.lookup`."""
    return lookup(DECODERS, "Decoder", name, kwargs)
