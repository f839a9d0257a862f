"""The layout of a network's memory, and its manifest: the one description of every array
and scalar the compiled library receives, for whoever calls it.

``pyspike_run(arrays, iargs, rargs, n)`` takes numbered slots.  :class:`Layout` is the only
place that hands out those numbers (slots of ``arrays``, entries of ``iargs`` and
``rargs``, counters); as it does, it records what each one is.  The result, a frozen
:class:`Manifest`, is compiled into the library as JSON (``pyspike_manifest()``), so the
Python runtime, a standalone program or an MPI rank read the same description from the
library they run; the runtime checks every array it passes against it.

Names in the manifest are the model's identifiers and the objects' kinds and numbers
(``group 0``, not a user's name for it): user text never reaches generated code.

Each buffer states its extent: its length per instance (or in all, if shared), as a
sum of products of numbers and the sizes known only at run time (:data:`SIZES`, each a
size of the buffer's owner), so that a reader can allocate and check every array.

>>> layout = Layout()
>>> v = layout.slot("group", 0, "v", "real", "state", extent=40)
>>> w = layout.slot("synapses", 0, "w", "real", "state", extent="synapses")
>>> tau = layout.rarg("group", 0, "tau", "param")
>>> m = layout.manifest(real="double", batch=None)
>>> m.buffers[v].name, m.buffers[v].per_instance, m.buffers[v].extent, m.reals[tau].name
('v', True, '40', 'tau')
>>> extent_value(m.buffers[w].extent, {"synapses": 1200})
1200
>>> Manifest.from_json(m.to_json()) == m
True
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, replace
from typing import Dict, List, Optional, Tuple, Union

#: The element types of arrays, by the names the kernel IR uses.
DTYPES = ("real", "int64", "int32", "uint16", "uint8", "uint32")


def column_type(n_post: int) -> str:
    """The element type of a synapse's postsynaptic index (CSR's column): 2 bytes where the
    target has at most 65,536 neurons (most groups, and PD14's populations), else 4.  The
    index is most of what a synapse keeps besides its variables."""
    return "uint16" if n_post <= 2 ** 16 else "int32"
#: What an owner may be: the network itself or one object of the spec, by number.
OWNERS = ("network", "group", "synapses", "state_monitor", "spike_monitor", "rate_monitor")
#: The sizes an extent may name, known at run time; each is a size of the buffer's owner.
SIZES = {
    "synapses": "the synapses of a Synapses object (runtime connectivity)",
    "kernel": "the elements of a Synapses object's kernel variables (Synapses kernel=)",
    "ring": "the slots of a delay ring: the longest delay in steps + 1 (iargs ring_length)",
    "given": "the spikes given to a SpikeGeneratorGroup",
    "rows": "the time points of a TimedArray (iargs timed_rows)",
    "columns": "the columns of a TimedArray: 1, or one per neuron (iargs timed_columns)",
    "samples": "the samples a state monitor holds per recorded neuron (iargs stride)",
    "capacity": "the entries of a spike monitor's buffers (counters capacity; they grow)",
    "steps": "the steps of the run a rate monitor records",
}
_TERM = r"(?:\d+|[a-z]+)(?:\*(?:\d+|[a-z]+))*"
_EXTENT = re.compile(rf"{_TERM}(?:\+{_TERM})*")


@dataclass(frozen=True)
class Buffer:
    """``arrays[slot]``: one array, (K, length) if ``per_instance`` else one-dimensional."""
    slot: int
    owner: str              # one of OWNERS
    index: int              # the owner's number in the spec (0 for the network)
    name: str               # a model identifier (v, w, lastspike) or a role's word (row)
    dtype: str              # one of DTYPES
    role: str               # state, param, refractory, scratch, spikes, record, given,
                            # timed, connectivity, delays, ring, counters
    per_instance: bool
    extent: str             # its length (per instance): "40", "synapses", "3*samples"


@dataclass(frozen=True)
class Entry:
    """One entry of ``iargs`` (int64), of ``rargs`` (a float64 per instance) or of the
    counters (an int64 per instance, slot 0).  ``item`` numbers an owner's inputs."""
    position: int
    owner: str
    index: int
    name: str
    role: str
    item: int = 0


@dataclass(frozen=True)
class Manifest:
    """Everything ``pyspike_run`` receives, slot by slot and entry by entry."""
    real: str               # "double" | "float"
    batch: int              # the instances K of a batch (1 without one)
    buffers: Tuple[Buffer, ...]
    ints: Tuple[Entry, ...]
    reals: Tuple[Entry, ...]
    counters: Tuple[Entry, ...]

    def to_json(self) -> str:
        """Canonical JSON (the library returns exactly this text)."""
        return json.dumps(asdict(self), separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Manifest":
        data = json.loads(text)
        return cls(data["real"], data["batch"],
                   tuple(Buffer(**b) for b in data["buffers"]),
                   *(tuple(Entry(**e) for e in data[k]) for k in ("ints", "reals",
                                                                    "counters")))

    def find(self, owner: str, index: int, name: str) -> Buffer:
        """The buffer ``name`` of an owner."""
        for b in self.buffers:
            if (b.owner, b.index, b.name) == (owner, index, name):
                return b
        raise KeyError(f"{owner} {index} has no buffer '{name}'")


class Layout:
    """Hands out slots and entries in order, recording each (see the module's doc).

    ``arrays[0]`` is the int64 counters of each instance; ``iargs`` starts with the first
    step and the seed, ``rargs`` with dt.
    """

    def __init__(self):
        # (the counters' extent is known when the manifest is made)
        self._buffers: List[Buffer] = [Buffer(0, "network", 0, "counters", "int64",
                                              "counters", True, "0")]
        self._ints = [Entry(0, "network", 0, "first_step", "step"),
                      Entry(1, "network", 0, "seed", "seed")]
        self._reals = [Entry(0, "network", 0, "dt", "dt")]
        self._counters: List[Entry] = []

    def slot(self, owner: str, index: int, name: str, dtype: str, role: str,
             per_instance: bool = True, *, extent: Union[int, str]) -> int:
        """A new slot of ``arrays``, of ``extent`` elements (per instance)."""
        _check(owner, name)
        if dtype not in DTYPES:
            raise ValueError(f"unknown dtype {dtype!r}")
        extent = str(extent)
        extent_value(extent, dict.fromkeys(SIZES, 1))     # checks it
        self._buffers.append(Buffer(len(self._buffers), owner, index, name, dtype, role,
                                    per_instance, extent))
        return len(self._buffers) - 1

    def iarg(self, owner: str, index: int, name: str, role: str) -> int:
        """A new entry of ``iargs``."""
        return _add(self._ints, owner, index, name, role)

    def rarg(self, owner: str, index: int, name: str, role: str, item: int = 0) -> int:
        """A new entry of ``rargs``."""
        return _add(self._reals, owner, index, name, role, item)

    def find_rarg(self, owner: str, index: int, name: str) -> int:
        """The entry of ``rargs`` that :meth:`rarg` gave ``name`` of an owner."""
        return next(e.position for e in self._reals
                    if (e.owner, e.index, e.name) == (owner, index, name))

    def counter(self, owner: str, index: int, name: str, role: str) -> int:
        """A new counter (a column of ``arrays[0]``)."""
        return _add(self._counters, owner, index, name, role)

    @property
    def n_slots(self) -> int:
        return len(self._buffers)

    def manifest(self, real: str, batch: Optional[int]) -> Manifest:
        buffers = (replace(self._buffers[0], extent=str(len(self._counters))),
                   *self._buffers[1:])
        return Manifest(real, batch or 1, buffers, tuple(self._ints),
                        tuple(self._reals), tuple(self._counters))


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _check(owner: str, name: str) -> None:
    # identifiers only: the manifest is compiled into the library as a string
    if owner not in OWNERS or not _WORD.match(name):
        raise ValueError(f"not a manifest name: {owner!r} {name!r}")


def extent_value(extent: str, sizes: Dict[str, int]) -> int:
    """The length an extent stands for, given the sizes it names (a KeyError names a
    size that ``sizes`` lacks; a ValueError, an extent that is not one)."""
    if not _EXTENT.fullmatch(extent) or \
            not set(re.findall(r"[a-z]+", extent)) <= set(SIZES):
        raise ValueError(f"not an extent: {extent!r}")
    total = 0
    for term in extent.split("+"):
        product = 1
        for factor in term.split("*"):
            product *= int(factor) if factor.isdigit() else sizes[factor]
        total += product
    return total


def _add(entries: List[Entry], owner: str, index: int, name: str, role: str,
         item: int = 0) -> int:
    _check(owner, name)
    entries.append(Entry(len(entries), owner, index, name, role, item))
    return len(entries) - 1


def c_string(text: str) -> str:
    """``text`` (a manifest's JSON) as C++ raw string literals, one entry per line.  It
    holds identifiers, numbers and JSON punctuation only (checked here: no parenthesis
    can end a literal early)."""
    if not re.fullmatch(r'[A-Za-z0-9_{}\[\]:,"\-*+]*', text):
        raise ValueError("a manifest holds identifiers, numbers, extents and JSON "
                         "punctuation only")
    lines = re.split(r"(?<=\},)|(?<=\[)", text)
    return "\n".join(f'R"({line})"' for line in lines if line)
