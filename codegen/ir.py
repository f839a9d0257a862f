"""The kernel IR: plain data saying what each fused per-step kernel reads, computes and
writes, and how the arrays and scalars of a network are laid out for the compiled library.

Built by :mod:`kernels`; consumed by the renderers and the NumPy reference backend.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, Dict, List, Optional, Tuple

import sympy as sp

from .equations import EquationSet
from .errors import ModelError
from .expressions import Rand, Randn
from .layout import Manifest
from .schedule import Call
from .spec import NetworkSpec


@dataclass(frozen=True)
class Assign:
    """``target = expr``; ``declare`` when the target is a new local of type ``ctype``."""
    target: sp.Symbol
    expr: sp.Basic
    ctype: str = "real"        # real | int64 | bool
    declare: bool = True
    op: str = "="              # "=", or "+=" / "-=": target = target +/- expr (synaptic code)


@dataclass(frozen=True)
class Draw:
    """A random number per element and step: ``symbol = rand/randn(seed, step, i, stream)``."""
    symbol: sp.Symbol
    kind: str                  # "uniform" | "normal"
    stream: int


@dataclass(frozen=True)
class Array:
    """A per-neuron array of a group (or a monitor buffer), passed as ``arrays[slot]``."""
    name: str
    slot: int
    ctype: str                 # real | int64 | int32 | uint8
    role: str                  # state | param | lastspike | not_refractory | scratch


@dataclass(frozen=True)
class StateMonitorIR:
    index: int
    variables: List[str]
    index_slot: int            # int32 array of recorded neuron indices
    buffer_slots: List[int]    # one real buffer (n_record x stride) per variable
    fill: int                  # counters[fill]: samples written so far in this run
    stride: int                # iargs[stride]: samples allocated per recorded neuron
    every: int
    n_record: int
    # A Synapses' variables: the index of the Synapses (the recorded are synapses), and
    # the slot of each variable's array, filled in once the synapses are laid out.
    synapses: Optional[int] = None
    source_slots: Tuple[int, ...] = ()
    when: str = "start"        # "start": before the step's kernels; "end": after them
    order: int = 0             # Brian2's order within the slot (schedule.py)


@dataclass(frozen=True)
class SpikeMonitorIR:
    index: int
    i_slot: int                # int32 neuron indices
    step_slot: int             # int64 step of each spike
    # (no count per neuron: the runtime counts the recorded spikes after a run, which
    # spares every spike a read-modify-write into an N-long array that is rarely cached)
    fill: int                  # counters[fill]: spikes written
    capacity: int              # counters[capacity]: buffer length
    variables: Tuple[str, ...] = ()     # recorded at each spike, before the reset
    value_slots: Tuple[int, ...] = ()   # one real buffer per variable, as long as i_slot

    @property
    def record_slots(self) -> Tuple[int, ...]:
        """Every buffer with an entry per spike (they fill and grow together)."""
        return (self.i_slot, self.step_slot) + self.value_slots


@dataclass(frozen=True)
class RateMonitorIR:
    index: int
    slot: int                  # int32 spike count per step
    fill: int
    neurons: Optional[Tuple[int, int]] = None   # counts the neurons [start, stop) only;
                                                # None: the whole group


@dataclass(frozen=True)
class SpikeList:
    """The indices of a group's spikes of this step, which synapses read."""
    slot: int                  # int32 array of N: the spiking neurons, in some order
    count: int                 # counters[count]: how many of them spiked


#: The spike, an explicit node of a group's update: ``_spike = <threshold condition>``,
#: the Heaviside step of the threshold (a backward pass replaces its derivative by a
#: surrogate).  The reset block runs on the neurons where it is true.
SPIKE = sp.Symbol("_spike")


@dataclass(frozen=True)
class Block:
    """Statements on every element of a domain: the arrays loaded (by name), the random
    draws, the statements in order, the arrays stored."""
    loads: List[str] = field(default_factory=list)
    draws: List[Draw] = field(default_factory=list)
    code: List[Assign] = field(default_factory=list)
    stores: List[str] = field(default_factory=list)


@dataclass(frozen=True)
class GroupKernel:
    """A neuron group's step: ``update`` on every neuron (the state update, then the
    spike as the statement ``_spike = threshold``, then the Poisson inputs) and
    ``on_spike`` on the neurons that spiked (the refractory clock); ``reset`` (the user's
    reset) runs on them after the step's synaptic events, in its own kernel (Brian2's
    order: groups, thresholds, synapses, resets)."""
    name: str
    index: int
    N: int
    equations: EquationSet
    arrays: Dict[str, Array]               # per-neuron arrays by variable name
    shared: Dict[str, int]                 # shared parameter -> rargs index
    update: Block = field(default_factory=Block)
    reset: Block = field(default_factory=Block)
    on_spike: Block = field(default_factory=Block)
    refractory: Optional[str] = None       # None | "time" | "condition"
    method: Optional[str] = None
    run_scalars: List[Assign] = field(default_factory=list)            # once per run
    run_arrays: List[Tuple[Assign, Array]] = field(default_factory=list)  # once per run,
                                                                       # into scratch arrays
    state_monitors: List[StateMonitorIR] = field(default_factory=list)
    spike_monitors: List[SpikeMonitorIR] = field(default_factory=list)
    rate_monitors: List[RateMonitorIR] = field(default_factory=list)
    spike_list: Optional[SpikeList] = None  # this step's spikes (for synapses)
    generator: Optional["GeneratorIR"] = None
    timed: List["TimedIR"] = field(default_factory=list)
    events: List[EventIR] = field(default_factory=list)   # custom events (events.py)
    #: the element of neuron 0's random draws (GroupSpec.first): neuron i draws as
    #: element first + i
    first: int = 0

    @property
    def threshold(self) -> Optional[sp.Basic]:
        """The spike condition (None: the neurons never cross a threshold)."""
        return next((a.expr for a in self.update.code if a.target == SPIKE), None)

    @property
    def spikes(self) -> bool:
        return self.threshold is not None or self.generator is not None


@dataclass(frozen=True)
class EventIR:
    """A custom event of a group (Brian2's ``events=``, codegen/events.py): its condition
    sets the per-neuron uint8 array ``flag`` in the group's update (with the threshold);
    the event kernel, right after the group's step, lists the neurons whose flag is set,
    in ascending order, records them (``monitors``) and runs ``body`` (run_on_event's
    statements) on each."""
    name: str
    flag: str                  # the group's array (role "event") of the condition
    events: SpikeList          # this step's neurons of the event, ascending
    body: Block = field(default_factory=Block)
    monitors: List[SpikeMonitorIR] = field(default_factory=list)


@dataclass(frozen=True)
class TimedIR:
    """A TimedArray a group reads: values (n x m, real), its shape and 1/dt."""
    name: str
    slot: int
    n_iarg: int
    m_iarg: int
    rarg: int
    by_neuron: bool = False    # read as name(t, i): it needs a column for every neuron


@dataclass(frozen=True)
class GeneratorIR:
    """Given spikes, sorted by step: a SpikeGeneratorGroup."""
    step_slot: int             # int64 stamp of each spike (the step whose state it marks)
    index_slot: int            # int32 neuron of each spike
    position: int              # counters[position]: next spike to emit
    count: int                 # counters[count]: number of spikes given


@dataclass(frozen=True)
class Access:
    """Where a name read or written by synaptic code lives."""
    name: str                  # the symbol name in the statements: w, ge_post, v_pre
    where: str                 # "syn" | "kernel" | "pre" | "post" | "scalar"
    slot: Optional[int] = None  # the array (syn, pre, post)
    rarg: Optional[int] = None  # the rargs entry (scalar)
    ctype: str = "real"


@dataclass(frozen=True)
class Pathway(Block):
    """A block of statements run for every synaptic event of one pathway (its domain: the
    synapses of this step's events), in order."""
    kind: str = "pre"          # "pre" (on_pre) | "post" (on_post) | "clock" | "summed"


@dataclass(frozen=True)
class Ring:
    """The spikes in flight of a delayed on_pre: the presynaptic spikes of the last R
    steps, each step's in the ring slot (step % R)."""
    length_iarg: int           # iargs: ring length R = max delay steps + 1
    spikes_slot: int           # int32 R x n_pre: spikes of the last R steps
    step_slot: int             # int64 R: the step each ring slot holds
    count_slot: int            # int32 R: spikes in each ring slot


@dataclass(frozen=True)
class DelayOrder:
    """Per-synapse delays: the synapses of each row sorted by delay, so that the spikes
    of one ring slot reach only the synapses of their delay."""
    order_slot: int            # synapses sorted by (row, delay): int32 numbers, or
                               # (in_row) uint16 places in their row
    start_slot: int            # int32 n_pre*R + 1: start of (row, delay) in order
    in_row: bool = False


@dataclass(frozen=True)
class Columns:
    """The synapses by postsynaptic neuron (CSC), which on_post walks."""
    start_slot: int            # int64 n_post + 1: start of each neuron's synapses
    synapse_slot: int          # int32 synapse numbers in that order


@dataclass(frozen=True)
class KernelIndex:
    """Where the synapses find the element of their kernel variables (Access where
    "kernel") they read (codegen/kernel_synapses.py)."""
    slot: int                  # int32 per synapse: its element
    size_iarg: int             # iargs: the kernel's elements (the extent "kernel")


@dataclass(frozen=True)
class SynapsesKernel:
    name: str
    index: int
    pre: int                   # group indices (post: of a Synapses, if post_synapses)
    post: int
    pre_start: int
    n_pre: int
    post_start: int
    n_post: int
    arrays: Dict[str, Array]   # per-synapse variables and parameters
    access: Dict[str, Access]  # every name the pathways use
    dense: bool                # all-to-all: synapse (i, j) is number i*n_post + j
    row_slot: int              # int64 row pointers (n_pre + 1), CSR by presynaptic neuron
    col_slot: Optional[int]    # postsynaptic index per synapse, layout.column_type (None: dense)
    delay: str                 # "none" | "shared" | "per_synapse"
    ring: Optional[Ring] = None            # on_pre with a delay
    delay_steps_iarg: Optional[int] = None  # iargs: delay in steps ("shared")
    delay_order: Optional[DelayOrder] = None  # "per_synapse"
    columns: Optional[Columns] = None      # on_post
    # uint32 n_pre x ceil(n_post/32): bit j of row i set if i -> j (for a GPU's thread per
    # target; on_pre touches no synapse variable, so the synapse's number is not needed)
    bitmask_slot: Optional[int] = None
    pre_path: Optional[Pathway] = None
    post_path: Optional[Pathway] = None
    clock_path: Optional[Pathway] = None    # clock-driven equations, every synapse, every step
    summed_path: Optional[Pathway] = None   # (summed) subexpressions into postsynaptic variables
    post_synapses: bool = False             # the targets are the synapses of Synapses `post`
    shares: Optional[int] = None            # a further pathway of Synapses `shares`, whose
                                            # state it uses (codegen/pathways.py)
    event: Optional[int] = None             # on_pre runs for this custom event of `pre`
                                            # (its number in pre's events), not its spikes
    kernel: Optional[KernelIndex] = None    # with kernel variables (kernel_synapses.py)

    def paths(self) -> List[Pathway]:
        return [p for p in (self.pre_path, self.post_path, self.clock_path, self.summed_path)
                if p is not None]


@dataclass(frozen=True)
class Operation:
    """A generic kernel: statements run on every neuron of a group at a fixed point of the
    step, every ``every`` steps (on the steps that are multiples of it).  The renderers
    and the reference interpret it without knowing the feature that made it
    (``NeuronGroup.run_regularly`` does, :mod:`operations`)."""
    name: str                  # pyspike's identifier: op0, op1, ... (numbered per network)
    group: int                 # the domain: the neurons of this group
    when: str                  # "start": first in the step, before monitors and updates
    every: int
    body: Block                # per-neuron arrays by the group's names for them


@dataclass(frozen=True)
class NetworkKernel:
    """A network's kernels, and the manifest of what the library receives."""
    spec: NetworkSpec
    groups: List[GroupKernel]
    manifest: Manifest
    real: str                              # "double" | "float"
    synapses: List[SynapsesKernel] = field(default_factory=list)
    operations: List[Operation] = field(default_factory=list)   # in the order they run
    schedule: Tuple[Call, ...] = ()        # a step's kernels, in order (schedule.py)
    #: Synapses' run_regularly, in the order they run (synaptic_operations.SynapticOperation)
    syn_operations: list = field(default_factory=list)

    @property
    def n_slots(self) -> int:
        return len(self.manifest.buffers)

    @property
    def n_iargs(self) -> int:
        return len(self.manifest.ints)

    @property
    def n_counters(self) -> int:
        """The counters, the device clock's included."""
        return len(self.manifest.counters)


def synaptic_sources(groups: List[GroupKernel],
                     synapses: List[SynapsesKernel]) -> List[GroupKernel]:
    """The group kernels with the array slot of every variable that a monitor of
    synaptic variables records (a variable without a per-synapse array is refused)."""
    def sources(m: StateMonitorIR) -> StateMonitorIR:
        if m.synapses is None or m.source_slots:
            return m
        sk = synapses[m.synapses]
        known = [n for n in sk.arrays if not n.startswith("_")]
        for var in m.variables:
            if var not in known:
                raise ModelError(f"StateMonitor cannot record '{var}' of Synapses "
                                 f"'{sk.name}': they have the per-synapse variables "
                                 f"{', '.join(known) or '(none)'}", where="StateMonitor",
                                 symbol=var)
        return replace(m, source_slots=tuple(sk.arrays[v].slot for v in m.variables))
    return [replace(g, state_monitors=[sources(m) for m in g.state_monitors])
            if any(m.synapses is not None for m in g.state_monitors) else g for g in groups]


def loads_and_stores(stmts: List[Assign], extra: List[sp.Basic],
                     arrays: Dict[sp.Symbol, str]) -> Tuple[List[str], List[str]]:
    """The arrays (by name) a statement list reads, every one it references, and writes,
    its targets; ``arrays`` maps their symbols to their names, ``extra`` holds more
    expressions read (a threshold)."""
    read: List[str] = []
    written: List[str] = []
    for expr in [a.expr for a in stmts] + [a.target for a in stmts] + list(extra):
        for s in sorted(expr.free_symbols, key=str):
            if s in arrays and arrays[s] not in read:
                read.append(arrays[s])
    for a in stmts:
        if not a.declare and a.target in arrays and arrays[a.target] not in written:
            written.append(arrays[a.target])
    return read, written


def draw_sites(expr: sp.Basic, draws: List[Draw], stream: Callable[[int], int]) -> sp.Basic:
    """``expr`` with each random call (rand(), randn()) replaced by a symbol, and the draw
    of each appended to ``draws``; ``stream(site)`` is the call site's stream
    (codegen.streams), sites in the order of the text."""
    subs = {}
    for site in sorted(expr.atoms(Rand, Randn), key=lambda s: int(s.args[0])):
        sym = sp.Symbol(f"_rand{int(site.args[0])}", real=True)
        kind = "uniform" if isinstance(site, Rand) else "normal"
        draws.append(Draw(sym, kind, stream(int(site.args[0]))))
        subs[site] = sym
    return expr.xreplace(subs) if subs else expr


def statement_draws(stmts: List[Assign], stream: Callable[[int], int]
                    ) -> Tuple[List[Assign], List[Draw]]:
    """New statements with their random calls replaced by symbols (:func:`draw_sites`),
    and the draws, in the order of the statements."""
    draws: List[Draw] = []
    return [replace(a, expr=draw_sites(a.expr, draws, stream)) for a in stmts], draws
