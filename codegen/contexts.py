"""What the templates receive: typed, frozen records, one per object the source lays out.

The C++ and CUDA emitters are siblings: both build these records from the kernel IR with
the same functions (:mod:`render`, :mod:`render_synapses`), and the CUDA emitter makes its
own by :func:`dataclasses.replace` with what only it lays out (a spike list's ordering
bitmap, each pathway's delivery mode, decided by ``strategy.cuda_strategy``).  Nobody
patches another emitter's record.  Rows inside a record (an array's pointer and slot, a
monitor's buffers) stay small dicts: they are laid out, never changed.

>>> from pyspike.codegen.spec import GroupSpec, NetworkSpec
>>> from pyspike.codegen.kernels import build_network
>>> from pyspike.codegen.printing import CPrinter
>>> from pyspike.codegen.render import group_context
>>> g = GroupSpec("g", 4, equations="dv/dt = -v/tau : 1", threshold="v > 1", reset="v = 0",
...               params=("tau",))
>>> net = build_network(NetworkSpec(groups=(g,)))
>>> ctx = group_context(net.groups[0], CPrinter(), "double", [])
>>> ctx.N, ctx.spike, ctx.reset
(4, '_spike', ['real_t u_v = p_u_v[i];', 'u_v = 0;', 'p_u_v[i] = u_v;'])
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional

__all__ = ["GroupContext", "OperationContext", "PathContext", "SynapsesContext"]

Row = Dict[str, Any]


@dataclass(frozen=True)
class OperationContext:
    """An Operation kernel: statements on every neuron of ``group``, every ``every`` steps."""
    name: str
    group: int
    N: int
    every: int
    when: str
    lines: List[str]


@dataclass(frozen=True)
class GroupContext:
    """A neuron group: its arrays and scalars, the lines of its update and reset, its
    monitors and operations."""
    index: int
    N: int
    name: str
    has_threshold: bool
    spike_list: bool
    spike_count: Optional[int]             # counters entry of the spike list's length
    generator: Any                         # ir.GeneratorIR, or None
    timed: List[Row]
    arrays: List[Row]                      # every array the struct points to
    step_arrays: List[Row]                 # those a step reads or writes
    shared: List[Row]
    run_scalars: List[Row]
    run_arrays: List[Row]
    locals: List[Row]
    step_locals: List[Row]
    loads: List[str]
    draw_blocks: List[Row]                 # C++: random numbers filled per block
    draws: List[str]
    compute: List[str]
    stores: List[str]
    spike: Optional[str]                   # the local holding the spike, or None
    on_spike: List[str]                    # in the step, on each spike (refractory clock)
    reset: List[str]                       # the reset kernel's, after the synaptic events
    state_monitors: List[Row]
    spike_monitors: List[Row]
    rate_monitors: List[Row]
    operations: List[OperationContext]
    order: Optional[Any] = None            # CUDA: the bitmap ordering its spike list
    events: List[Row] = ()                 # custom events' kernels (render_events.py)


@dataclass(frozen=True)
class PathContext:
    """A synaptic pathway: its event lines; on CUDA, how events are delivered."""
    title: str
    fn: str
    lines: List[str]
    mode: str = "serial"                   # CUDA: strategy.PathwayStrategy.mode
    par_lines: Optional[List[str]] = None  # CUDA, "atomic": lines with atomic additions
    split: bool = False                    # C++: threads may share it by target


@dataclass(frozen=True)
class SynapsesContext:
    """A Synapses object: its arrays, scalars, ring, pathways."""
    index: int
    n_pre: int
    n_post: int
    pre_start: int
    post_start: int
    arrays: List[Row]
    scalars: List[Row]
    dense: bool
    delay: str
    order_in_row: bool                     # p_order: places within rows (uint16), not numbers
    ring_length: str
    delay_steps: str
    pre_count: int
    post_count: Optional[int]             # None: the targets are synapses (no spikes)
    pre_path: Optional[PathContext]
    post_path: Optional[PathContext]
    clock_path: Optional[PathContext]
    summed_path: Optional[PathContext]
    summed_zero: List[dict]                # {ptr, init, max}: render_synapses.summed_inits
    row_arrays: List[str]
    before_serial: bool = False            # CUDA: a serial clock/summed pathway
    pre_ordered: bool = False              # CUDA: the presynaptic spike list is ascending
