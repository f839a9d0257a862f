"""The model spec: plain, hashable data describing a network to generate code for.

The user-facing objects in ``pyspike`` produce this; codegen consumes it and never sees
those objects.  Everything here is structural: a change in it changes the generated code.
Parameter *values* are not here: they are runtime data.

>>> g = GroupSpec("exc", 10, equations="dv/dt = -v/tau : mV", params=("tau",))
>>> NetworkSpec(groups=(g,)).key()[:8].isalnum()
True
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Optional, Tuple, Union


@dataclass(frozen=True)
class Extension:
    """State that a library synapse kind keeps per neuron of the group it targets, added to
    the group's model by a lowering pass (``codegen/extensions.py``): ``equations`` over
    local names, each renamed ``<name>_<suffix>`` (``units`` gives the state's units);
    ``term``, over the same local names and ``V`` (the model's ``voltage``), is added
    wherever the model's equations read ``target``."""
    suffix: str
    equations: str
    params: Tuple[str, ...] = ()
    units: Tuple[Tuple[str, str], ...] = ()
    target: str = ""
    term: str = ""
    voltage: str = ""


@dataclass(frozen=True)
class GroupSpec:
    name: str
    N: int
    equations: str = ""
    update: str = ""                       # discrete-time statements, applied once per step
    threshold: str = ""
    reset: str = ""
    refractory: Union[float, str, None] = None   # ms, or a condition / expression string
    params: Tuple[str, ...] = ()
    per_neuron: Tuple[str, ...] = ()       # params stored per neuron; the others are shared
    method: Optional[str] = None
    generator: bool = False                # a SpikeGeneratorGroup: emits given spikes only
    functions: Tuple[Tuple[str, int], ...] = ()   # TimedArrays: (name, 1 or 2 dimensions)
    inputs: Tuple[str, ...] = ()           # the variable each PoissonInput adds to
    operations: Tuple[Tuple[str, int], ...] = ()   # run_regularly: (statements, every k steps)
    extensions: Tuple[Extension, ...] = ()  # synapse state kept per neuron (library kinds)
    #: (linked) variables: (variable, source group's index in the network, its variable,
    #: how neuron i reads it: "same" [i], "one" [0], "index" [index[i]] (the index array is
    #: runtime data) or "shared" (the source's one value)); codegen/linked.py
    linked: Tuple[Tuple[str, int, str, str], ...] = ()
    #: custom events (Brian2's events=): (name, condition, statements run on the neurons
    #: of the event, run_on_event's); codegen/events.py
    events: Tuple[Tuple[str, str, str], ...] = ()
    #: the global index of this group's neuron 0 for its random draws (a block of a group
    #: split over MPI ranks; a multiple of 64): neuron i draws as element first + i, so
    #: that each rank's block draws the numbers of the whole group's neurons
    first: int = 0


@dataclass(frozen=True)
class SynapsesSpec:
    """Synapses from neurons [pre_start, pre_stop) of group ``pre`` to neurons
    [post_start, post_stop) of group ``post``.  The connectivity itself is runtime data."""
    name: str
    pre: str
    post: str
    pre_start: int
    pre_stop: int
    post_start: int
    post_stop: int
    model: str = ""                        # declarations of synaptic variables
    on_pre: str = ""
    on_post: str = ""
    params: Tuple[str, ...] = ()
    per_synapse: Tuple[str, ...] = ()      # params stored per synapse; the others are shared
    delay: str = "none"                    # "none" | "shared" | "per_synapse"
    dense: bool = False                    # all-to-all: no index array is stored
    bitmask: bool = False                  # dense enough, no pair twice: a GPU may test
                                           # one bit per (pre, post) pair instead of rows
    #: no row holds more than 65,536 synapses: a per-synapse delay's order of the synapses
    #: keeps their 2-byte places within the row (codegen/delays.py)
    short_rows: bool = False
    #: library blocks composed with the model: (where, model, on_pre, on_post) each, parsed
    #: as blocks of their own and joined (a plasticity rule, a synapse kind's state)
    parts: Tuple[Tuple[str, str, str, str], ...] = ()
    method: Optional[str] = None           # of the clock-driven equations (None: chosen)
    #: ``post`` names a Synapses object, not a group: the targets are its synapses, whose
    #: state variables on_pre may write (``d_post``), as Brian2's Synapses on Synapses
    post_synapses: bool = False
    #: a further pathway (``on_pre={"pre": ..., "gpath": ...}``) of the Synapses named so,
    #: sharing their state: its own code and delay only (codegen/pathways.py)
    shares: Optional[str] = None
    event: str = "spike"                   # what of `pre` triggers on_pre (Brian2's on_event)
    #: run_regularly: (statements, sums ((name, expression), ...), "start" | "end", every
    #: k steps) each (codegen/synaptic_operations.py)
    operations: Tuple[Tuple[str, Tuple[Tuple[str, str], ...], str, int], ...] = ()
    #: variables one for all the instances of a batch, which no code writes
    #: (codegen/shared_synapses.py)
    shared: Tuple[str, ...] = ()
    #: variables stored once per element of a kernel that many synapses read (a
    #: convolution's weights): each synapse reads the element its kernel index names; one
    #: for all instances, and no code writes them (codegen/kernel_synapses.py)
    kernel: Tuple[str, ...] = ()


@dataclass(frozen=True)
class StateMonitorSpec:
    group: str
    variables: Tuple[str, ...]
    n_record: int
    every: int = 1
    synapses: Optional[str] = None         # records these Synapses' variables (of the
                                           # synapses n_record; group: their target)
    when: str = "start"                    # Brian2's slot: "start" or "end" (schedule.py)
    order: int = 0                         # Brian2's order within the slot (schedule.py)


@dataclass(frozen=True)
class SpikeMonitorSpec:
    group: str
    variables: Tuple[str, ...] = ()        # recorded at each spike, before the reset
    event: str = "spike"                   # or a custom event's name (EventMonitor)


@dataclass(frozen=True)
class RateMonitorSpec:
    group: str
    start: int = 0                         # neurons [start, stop) of the group
    stop: Optional[int] = None             # None: the whole group


@dataclass(frozen=True)
class NetworkSpec:
    groups: Tuple[GroupSpec, ...]
    state_monitors: Tuple[StateMonitorSpec, ...] = ()
    spike_monitors: Tuple[SpikeMonitorSpec, ...] = ()
    rate_monitors: Tuple[RateMonitorSpec, ...] = ()
    precision: str = "double"              # "double" or "single"
    synapses: Tuple[SynapsesSpec, ...] = ()
    batch: int = 1                         # instances simulated together (Network(batch=K))

    def key(self) -> str:
        """A content hash of what the code depends on (frozen dataclasses have a stable
        repr).  Group names only label error messages: two networks that differ in names
        alone share their generated code."""
        index = {g.name: f"#{k}" for k, g in enumerate(self.groups)}
        synapses = {s.name: f"S{k}" for k, s in enumerate(self.synapses)}
        canonical = replace(
            self, groups=tuple(replace(g, name=index[g.name]) for g in self.groups),
            state_monitors=tuple(replace(m, group=index.get(m.group, m.group),
                                         synapses=synapses.get(m.synapses, m.synapses))
                                 for m in self.state_monitors),
            spike_monitors=tuple(replace(m, group=index.get(m.group, m.group))
                                 for m in self.spike_monitors),
            rate_monitors=tuple(replace(m, group=index.get(m.group, m.group))
                                for m in self.rate_monitors),
            synapses=tuple(replace(s, name=synapses[s.name], pre=index.get(s.pre, s.pre),
                                   post=(synapses if s.post_synapses else index).get(
                                       s.post, s.post),
                                   shares=synapses.get(s.shares, s.shares))
                           for k, s in enumerate(self.synapses)))
        return hashlib.sha256(repr(canonical).encode()).hexdigest()


@dataclass(frozen=True)
class LayerSpec:
    """A training layer's neuron model and how it is differentiated (codegen/grad.py):
    the model's texts, the variable its input sets, the surrogate of the spike's
    derivative and the parameters whose gradient the backward pass gives."""
    equations: str = ""
    update: str = ""
    threshold: str = ""
    reset: str = ""
    params: Tuple[str, ...] = ()
    input: str = "I"
    method: Optional[str] = None
    output: Optional[str] = None
    surrogate: str = "atan"
    alpha: Optional[float] = None
    smooth: bool = False
    detach_reset: bool = False
    trained: Tuple[str, ...] = ()
    recurrent: bool = False
    refractory: Union[float, str, None] = None    # as GroupSpec's
    per_neuron: Tuple[str, ...] = ()     # parameters with a value per neuron
