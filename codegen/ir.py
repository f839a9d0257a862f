"""The kernel IR: plain data saying what each fused per-step kernel reads, computes and
writes, and how the arrays and scalars of a network are laid out for the compiled library.

Built by :mod:`kernels`; consumed by the renderers and the NumPy reference backend.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import sympy as sp

from .equations import EquationSet
from .spec import NetworkSpec


@dataclass
class Assign:
    """``target = expr``; ``declare`` when the target is a new local of type ``ctype``."""
    target: sp.Symbol
    expr: sp.Basic
    ctype: str = "real"        # real | int64 | bool
    declare: bool = True


@dataclass
class Draw:
    """A random number per element and step: ``symbol = rand/randn(seed, step, i, stream)``."""
    symbol: sp.Symbol
    kind: str                  # "uniform" | "normal"
    stream: int


@dataclass
class Array:
    """A per-neuron array of a group (or a monitor buffer), passed as ``arrays[slot]``."""
    name: str
    slot: int
    ctype: str                 # real | int64 | int32 | uint8
    role: str                  # state | param | lastspike | not_refractory | scratch


@dataclass
class StateMonitorIR:
    index: int
    variables: List[str]
    index_slot: int            # int32 array of recorded neuron indices
    buffer_slots: List[int]    # one real buffer (n_record x stride) per variable
    fill: int                  # counters[fill]: samples written so far in this run
    stride: int                # iargs[stride]: samples allocated per recorded neuron
    every: int
    n_record: int


@dataclass
class SpikeMonitorIR:
    index: int
    i_slot: int                # int32 neuron indices
    step_slot: int             # int64 step of each spike
    count_slot: int            # int64 spike count per neuron
    fill: int                  # counters[fill]: spikes written
    capacity: int              # counters[capacity]: buffer length


@dataclass
class RateMonitorIR:
    index: int
    slot: int                  # int32 spike count per step
    fill: int


@dataclass
class GroupKernel:
    name: str
    index: int
    N: int
    equations: EquationSet
    arrays: Dict[str, Array]               # per-neuron arrays by variable name
    shared: Dict[str, int]                 # shared parameter -> rargs index
    run_scalars: List[Assign]              # once per run
    run_arrays: List[Tuple[Assign, Array]]  # once per run, per neuron, into scratch arrays
    loads: List[str]                       # per-neuron variables read in the update loop
    draws: List[Draw]
    update: List[Assign]                   # per neuron per step, in order
    stores: List[str]                      # per-neuron variables written back
    spike: Optional[sp.Basic]              # threshold condition (None: never spikes)
    reset_loads: List[str]
    reset_draws: List[Draw]
    reset: List[Assign]
    reset_stores: List[str]
    refractory: Optional[str]              # None | "time" | "condition"
    method: Optional[str]
    state_monitors: List[StateMonitorIR] = field(default_factory=list)
    spike_monitors: List[SpikeMonitorIR] = field(default_factory=list)
    rate_monitors: List[RateMonitorIR] = field(default_factory=list)

    @property
    def spikes(self) -> bool:
        return self.spike is not None


@dataclass
class NetworkKernel:
    """Everything the library receives: ``arrays`` slots, ``rargs`` and ``iargs`` layout."""
    spec: NetworkSpec
    groups: List[GroupKernel]
    n_slots: int
    rargs: List[Tuple[int, str]]           # (group index, name) of each rargs entry after dt
    n_iargs: int
    n_counters: int
    real: str                              # "double" | "float"
