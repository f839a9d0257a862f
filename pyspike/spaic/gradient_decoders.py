"""SPAIC's decoders on torch tensors, for the gradient learners: what ``Net.output.predict``
holds after a run of a network trained by STCA, STBP or SBP (a tensor with the graph of
the run behind it, so that a loss on it can be back-propagated).

Each takes the run's record of the target, ``(T, B, N)`` (the spikes 'O', or the
variable the decoder reads, 'V'), and gives what the NumPy definitions of
:mod:`pyspike.spaic.decoding` give for the same record (SPAIC's shapes, the batch
first), with the same options.  ``time_softmax`` is not here: SPAIC's gradient for it
comes from a spike-time channel its neurons record beside the spikes, which pyspike's
kernels do not.
"""
from __future__ import annotations

from typing import Callable, Dict

import torch

from ..codegen.errors import ModelError
from .decoding import RECORDED_VARIABLE


def _pool(values: torch.Tensor, pop_size: int) -> torch.Tensor:
    """Sum (B, N) over populations of ``pop_size`` consecutive neurons (the neurons left
    over at the end dropped, as decoding.pool)."""
    pop_size, n = int(pop_size), values.shape[1]
    if not 1 <= pop_size <= n:
        raise ModelError(f"pop_size={pop_size!r} must lie in [1, {n}] (the neurons of the "
                         "target)", where="Decoder", symbol="pop_size")
    pops = n // pop_size
    return values[:, :pops * pop_size].reshape(values.shape[0], pops, pop_size).sum(dim=2)


def spike_counts(r: torch.Tensor, dt: float, *, pop_size: int = 1, bias: float = 0.0,
                 scale: float = 1.0) -> torch.Tensor:
    return (_pool(r.sum(dim=0), pop_size) + bias) * scale


def spike_rate(r: torch.Tensor, dt: float, *, pop_size: int = 1, bias: float = 0.0,
               scale: float = 1.0) -> torch.Tensor:
    return (_pool(r.mean(dim=0), pop_size) + bias) * scale


def spike_rates(r: torch.Tensor, dt: float) -> torch.Tensor:
    return r.sum(dim=0) / r.shape[0]


def first_spike(r: torch.Tensor, dt: float) -> torch.Tensor:
    """The row of each sample's first step with any spike (all 0 for a silent sample);
    the gradient reaches that row's spikes."""
    first = torch.argmax((r != 0).any(dim=2).to(torch.uint8), dim=0)     # (B,)
    return r[first, torch.arange(r.shape[1])]


def time_spike_counts(r: torch.Tensor, dt: float) -> torch.Tensor:
    steps = r.shape[0]
    weight = 0.1 * torch.exp(-torch.arange(steps, dtype=r.dtype) / (0.5 * steps))
    return torch.einsum("tbn,t->bn", r, weight)


def final_step_voltage(r: torch.Tensor, dt: float) -> torch.Tensor:
    return r[-1]


def voltage_sum(r: torch.Tensor, dt: float) -> torch.Tensor:
    """The last step's voltage less its mean over the batch and the neurons (SPAIC's)."""
    return r[-1] - r[-1].mean()


def whole_record(r: torch.Tensor, dt: float) -> torch.Tensor:
    """'v_t' and 'null': the record, (B, T, N)."""
    return r.transpose(0, 1)


DECODERS: Dict[str, Callable[..., torch.Tensor]] = {
    "spike_counts": spike_counts, "spike_rate": spike_rate, "spike_rates": spike_rates,
    "first_spike": first_spike, "time_spike_counts": time_spike_counts,
    "final_step_voltage": final_step_voltage, "voltage_sum": voltage_sum,
    "v_t": whole_record, "null": whole_record}


def check(decoder) -> None:
    """Refuse a decoder the gradient learners cannot give a tensor for."""
    if decoder.coding_method not in DECODERS:
        raise ModelError(f"the decoder '{decoder.name}' decodes by "
                         f"{decoder.coding_method!r}, which a network trained by a gradient "
                         f"learner does not give (it gives {', '.join(sorted(DECODERS))}); "
                         "SPAIC's time_softmax reads a spike-time channel pyspike's kernels "
                         "do not record", where="Decoder", symbol=decoder.coding_method)


def decode(decoder, record: torch.Tensor, dt: float) -> torch.Tensor:
    """``decoder``'s output from ``record`` (T, B, N)."""
    return DECODERS[decoder.coding_method](record, dt, **decoder.options)


def variable(decoder) -> str:
    """The variable ``decoder`` reads: 'O' (spikes) or another, 'V' say."""
    return decoder.coding_var_name or RECORDED_VARIABLE.get(decoder.coding_method, "O")
