"""State tables: everything a run changes, by name, in one place per object.

Every object of a network keeps what a run reads and writes, and what a snapshot must
copy, in one :class:`StateTable` (``obj.state``): a group its variables, parameters and
refractory clocks, a Synapses object its connectivity, variables, delays and the spikes
in flight, a monitor its recordings.  The user's objects are views: ``G.v`` is
``G.state.variables["v"]``.  The runtime lays the tables' arrays out for the compiled
code by the names the layout manifest gives them, and ``Network.store``/``restore`` copy
the tables (:meth:`StateTable.snapshot`, :meth:`StateTable.restore`), so no module reads
another's private fields.

What is derived from the state (a synapse's column index, a bitmask of pairs, given
spikes as steps) is kept in ``derived``, which is emptied whenever an entry it is derived
from (``derived_from``) is replaced, and on a restore, so that it is never stale.

>>> import numpy as np

from . import batching
from .codegen.errors import ModelError

#: A group's refractory clocks, arrays of an element per neuron like its variables.
_CLOCKS = ("lastspike", "not_refractory")
>>> t = StateTable(variables={"v": np.zeros(3)}, params={"tau": 10.0}, per_element={})
>>> t.variables["v"][:] = 1.0
>>> snap = t.snapshot()
>>> t.variables["v"][:] = 2.0
>>> t.restore(snap)
>>> t.variables["v"], t.value("tau")
(array([1., 1., 1.]), 10.0)
"""
from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Callable, Dict, Iterable, Iterator, Optional, Tuple

import numpy as np

from . import batching
from .codegen.errors import ModelError

#: A group's refractory clocks, arrays of an element per neuron like its variables.
_CLOCKS = ("lastspike", "not_refractory")


class StateTable:
    """The named state of one object (see the module's doc).  Entries are fixed when the
    table is made; each may be replaced (``t.ring = ...``) or changed in place."""

    __slots__ = ("_entries", "_sources", "derived")

    def __init__(self, derived_from: Tuple[str, ...] = (), **entries: Any):
        object.__setattr__(self, "_entries", dict(entries))
        object.__setattr__(self, "_sources", frozenset(derived_from))
        object.__setattr__(self, "derived", {})

    def __getattr__(self, name: str) -> Any:
        try:
            return self._entries[name]
        except KeyError:
            raise AttributeError(f"a state table of {', '.join(self._entries)} has no "
                                 f"'{name}'") from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._entries:
            raise AttributeError(f"a state table of {', '.join(self._entries)} has no "
                                 f"'{name}'")
        self._entries[name] = value
        if name in self._sources:
            self.derived.clear()

    def names(self) -> Tuple[str, ...]:
        return tuple(self._entries)

    def add(self, name: str, value: Any) -> None:
        """A new entry (while the object is made: a subclass's own state)."""
        if name in self._entries:
            raise KeyError(f"the state table has '{name}' already")
        self._entries[name] = value

    def replaced(self, **entries: Any) -> "StateTable":
        """A new table with this one's entries (the same objects) and derivations, but
        ``entries`` in place of those named (a block of a group split over MPI ranks)."""
        unknown = set(entries) - set(self._entries)
        if unknown:
            raise KeyError(f"a state table of {', '.join(self._entries)} has no "
                           f"{', '.join(sorted(unknown))}")
        return StateTable(tuple(self._sources), **{**self._entries, **entries})

    def snapshot(self) -> Dict[str, Any]:
        """A deep copy of every entry."""
        return {k: copy.deepcopy(v) for k, v in self._entries.items()}

    def restore(self, entries: Dict[str, Any]) -> None:
        """Put back the entries of a snapshot (deep copies; other entries stay)."""
        unknown = set(entries) - set(self._entries)
        if unknown:
            raise KeyError(f"a state table of {', '.join(self._entries)} has no "
                           f"{', '.join(sorted(unknown))}")
        for k, v in entries.items():
            self._entries[k] = copy.deepcopy(v)
        self.derived.clear()

    # --- the variables and parameters of groups and synapses alike -----------------------

    def value(self, name: str) -> Any:
        """A variable, a per-element parameter, or a shared parameter's value (or None)."""
        for table in (self.variables, self.per_element):
            if name in table:
                return table[name]
        return self.params.get(name)

    def assign(self, name: str, value, as_array: Callable[[object], np.ndarray],
               column: Optional[np.ndarray], refuse_array: Optional[Exception] = None) -> None:
        """Put a value given in numbers where it belongs: into a variable (in place); as a
        shared parameter's one value, or one per instance of a batch (``column``, (K, 1));
        else as a per-element parameter (in place where it is one already), unless
        ``refuse_array`` (raised: a parameter declared shared).  ``as_array`` gives the
        value one element per neuron or synapse."""
        if name in self.variables and value is self.variables[name]:
            return                        # (written in place already: distributions.draw)
        if name in self.variables:        # (one number: broadcast in place, no temporary)
            self.variables[name][:] = value if np.ndim(value) == 0 else as_array(value)
        elif np.ndim(value) == 0 and name not in self.per_element:
            self.params[name] = float(value)
        elif name not in self.per_element and column is not None:
            self.params[name] = column
        elif refuse_array is not None:
            raise refuse_array
        elif name in self.per_element:
            self.per_element[name][:] = as_array(value)
        else:
            self.per_element[name] = as_array(value).astype(np.float64)

    def element_arrays(self) -> Dict[str, np.ndarray]:
        """The arrays with an element per neuron or synapse, by the names the kernel IR
        gives them: variables, per-element parameters, refractory clocks."""
        out = dict(self.variables)
        out.update(self.per_element)
        for name in _CLOCKS:
            if name in self._entries:
                out[name] = self._entries[name]
        return out

    def cast(self, dtype) -> None:
        """The variables and per-element parameters in ``dtype`` (the network's
        precision)."""
        for table in (self.variables, self.per_element):
            for k, v in table.items():
                if v.dtype != dtype:
                    table[k] = v.astype(dtype)

    def expand(self, K: int, extra: Iterable[str] = (), keep: Iterable[str] = ()) -> None:
        """One row per instance of a batch of K: each one-dimensional array of the
        variables, the per-element parameters and the ``extra`` entries becomes (K, n),
        except those named in ``keep`` (one for all instances)."""
        for table in (self.variables, self.per_element):
            for k, v in table.items():
                if v.ndim == 1 and k not in keep:
                    table[k] = batching.expand(v, K)
        for name in extra:
            if self._entries[name].ndim == 1:
                self._entries[name] = batching.expand(self._entries[name], K)


class NetworkState(Mapping):
    """A network's element arrays by name, ``"<object>.<name>"`` (``net.state["exc.v"]``):
    every variable, per-element parameter and refractory clock of its groups and
    Synapses, as views of their state tables (writing to one changes the state).  It is
    how code outside the objects finds an array by name, as the layout manifest names the
    slots by owner and name.

    >>> import pyspike as ps
    >>> net = ps.Network(backend="numpy")
    >>> with net:
    ...     G = ps.NeuronGroup(3, ps.NeuronModel("dv/dt = -v/tau : 1",
    ...                                          params={"tau": 10.0}), name="exc")
    >>> sorted(net.state), net.state["exc.v"] is G.v
    (['exc.lastspike', 'exc.not_refractory', 'exc.v'], True)
    """

    def __init__(self, network):
        self._network = network

    def _arrays(self) -> Dict[str, np.ndarray]:
        self._network._sync()            # (a GPU backend holds the state between runs)
        out: Dict[str, np.ndarray] = {}
        named = set()
        for obj in self._network.objects:
            if "variables" not in obj.state.names():
                continue                  # a monitor: recordings, not element arrays
            if obj.name in named:
                raise ModelError(f"two objects of the network are named '{obj.name}': "
                                 "name them apart to read the state by name",
                                 where="Network.state", symbol=obj.name)
            named.add(obj.name)
            for name, array in obj.state.element_arrays().items():
                out[f"{obj.name}.{name}"] = array
        return out

    def __getitem__(self, key: str) -> np.ndarray:
        arrays = self._arrays()
        if key not in arrays:
            raise KeyError(f"the network has no array '{key}' (it has "
                           f"{', '.join(sorted(arrays)) or 'none'})")
        return arrays[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._arrays())

    def __len__(self) -> int:
        return len(self._arrays())
