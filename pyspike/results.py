"""Results files: a network's spikes and state recordings in one HDF5 file, in SONATA's layout.

``save_results(net, "run.h5")`` writes every SpikeMonitor, EventMonitor and StateMonitor of
``net`` (or the monitors given); ``load_results("run.h5")`` reads such a file back into
NumPy arrays.  The layout (SONATA developer guide, "Spike file" and "Frame oriented
reports"; readable with h5py as written, spikes with libsonata's ``SpikeReader`` too):

- root attributes ``magic`` (uint32 0x0A7A) and ``version`` (2 x uint32, [0, 1]);
- ``/spikes/<population>``: ``timestamps`` (float64, ``units`` "ms") and ``node_ids``
  (uint64), sorted by time then node, attribute ``sorting`` = ``by_time``, an HDF5 enum
  {none: 0, by_id: 1, by_time: 2} as libsonata reads it (it cannot read a string there);
- ``/report/<population>/<variable>``: one SONATA frame report per recorded variable
  (SONATA puts one variable in a report file; this file holds several, one group each):
  ``data`` (N_time x N_values, the monitor's float dtype, chunked, ``units`` the variable's
  unit where the model fixes it, else ""), ``mapping/node_ids`` (uint64, ``sorted``),
  ``mapping/index_pointers`` (uint64, one value per node), ``mapping/element_ids`` (uint32,
  all 0: point neurons) and ``mapping/time`` ([start, stop, step], right-open, ``units``
  "ms").  A Synapses' recording is the population named after the Synapses, its
  ``node_ids`` the synapse indices;
- ``/events/<event>/<population>``: a custom event's EventMonitor, laid out as spikes
  (pyspike's addition: SONATA has no custom events).

A population is the monitored NeuronGroup's name (a subgroup's monitor writes the ids of its
neurons in the whole group, as SONATA numbers a population's nodes); monitors of the same
group are merged.  In a batched network each instance k is its own population
``<name>_<k>`` (SONATA readers know one set of node ids per population), with attributes
``pyspike_group`` and ``pyspike_instance`` to find the instance again.

A file is written to ``<path>.tmp`` and renamed over ``path`` once complete, so a crash
leaves the previous file (or none) under the name, never half a file.
"""
from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Tuple, Union

import numpy as np

from .codegen.errors import ModelError
from .codegen.units import pretty
from .event_monitor import EventMonitor
from .model import neuron_dims
from .monitors import SpikeMonitor, StateMonitor

MAGIC = 0x0A7A
VERSION = (0, 1)
SORTING = {"none": 0, "by_id": 1, "by_time": 2}
#: bytes per chunk of a report's data (HDF5 advises chunks of tens of KiB to a few MiB)
CHUNK_BYTES = 1 << 20
_WHERE = "save_results"


@dataclass
class SpikeTrains:
    """One population's spikes: ``node_ids`` (uint64) and ``timestamps`` (ms)."""
    node_ids: np.ndarray
    timestamps: np.ndarray
    sorting: str = "by_time"


@dataclass
class FrameReport:
    """One variable of one population: ``data`` (N_time x N_values), the node of each
    column block (``node_ids``, ``index_pointers``), ``start``/``stop``/``step`` (ms)."""
    data: np.ndarray
    node_ids: np.ndarray
    index_pointers: np.ndarray
    element_ids: np.ndarray
    start: float
    stop: float
    step: float
    units: str = ""

    @property
    def times(self) -> np.ndarray:
        """The time of each row of ``data`` (ms)."""
        return self.start + self.step * np.arange(self.data.shape[0])


@dataclass
class Results:
    """What a results file holds: ``spikes[population]``, ``reports[population][variable]``
    and ``events[event][population]``."""
    spikes: Dict[str, SpikeTrains] = field(default_factory=dict)
    reports: Dict[str, Dict[str, FrameReport]] = field(default_factory=dict)
    events: Dict[str, Dict[str, SpikeTrains]] = field(default_factory=dict)


def _h5py(where: str):
    try:
        import h5py
    except ImportError:
        raise ModelError("results files are HDF5 files, written and read with h5py, which is "
                         "not installed: pip install h5py", where=where) from None
    return h5py


# --- writing ---------------------------------------------------------------------------


def save_results(source, path: Union[str, os.PathLike]) -> None:
    """Write the recordings of ``source`` (a Network, a monitor or a list of monitors) to
    the HDF5 file ``path`` in SONATA's layout (see the module's doc), replacing it
    atomically."""
    h5py = _h5py(_WHERE)
    path = os.fspath(path)
    monitors = _monitors(source)
    spikes, events, reports, owners = _collect(monitors)
    path = os.path.realpath(path)          # (through a link, replace what it points to)
    tmp = path + ".tmp"
    try:
        with h5py.File(tmp, "w") as f:
            f.attrs["magic"] = np.uint32(MAGIC)
            f.attrs["version"] = np.array(VERSION, dtype=np.uint32)
            f.attrs["pyspike_version"] = _pyspike_version()
            _write_spikes(f.create_group("spikes"), spikes, owners, h5py)
            for event, pops in events.items():
                _write_spikes(f.require_group("events").create_group(event), pops, owners,
                              h5py)
            _write_reports(f.create_group("report"), reports, owners)
        with open(tmp, "rb+") as handle:       # the bytes on disk before the rename
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:                      # also KeyboardInterrupt: leave no tmp behind
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _monitors(source) -> List[object]:
    kinds = (SpikeMonitor, StateMonitor)
    if isinstance(source, kinds):
        found = [source]
    elif isinstance(source, (list, tuple)):
        found = list(source)
    elif hasattr(source, "objects_of"):                 # a Network
        found = source.objects_of(kinds)
    else:
        raise ModelError(f"save_results writes a Network, a monitor or a list of monitors, "
                         f"not {type(source).__name__}", where=_WHERE, symbol="source")
    for mon in found:
        if not isinstance(mon, kinds):
            raise ModelError(f"save_results writes SpikeMonitors, EventMonitors and "
                             f"StateMonitors, not {type(mon).__name__}", where=_WHERE,
                             symbol="source")
        if mon.group.network is None:
            raise ModelError(f"the monitor of '{mon.group.name}' is not part of a network yet: "
                             "add it to one and run it first", where=_WHERE, symbol="source")
    return found


Pairs = Dict[str, List[Tuple[np.ndarray, np.ndarray]]]


def _collect(monitors):
    """Per population, the (node ids, times) of every spike monitor; the same per event;
    per (population, variable), a report's (data, node ids, start, step, units); and per
    population, (its group or Synapses, its instance or None)."""
    spikes: Pairs = {}
    events: Dict[str, Pairs] = {}
    reports: Dict[Tuple[str, str], tuple] = {}
    owners: Dict[str, tuple] = {}
    for mon in monitors:
        names = _populations(mon, owners)
        if isinstance(mon, SpikeMonitor):
            into = events.setdefault(_name(mon.event, "event"), {}) \
                if isinstance(mon, EventMonitor) else spikes
            offset = getattr(mon.source, "start", 0)      # (a subgroup's first neuron)
            i, t = (mon.i, mon.t) if _batched(mon) else ([mon.i], [mon.t])
            for name, ids, times in zip(names, i, t):
                into.setdefault(name, []).append((ids.astype(np.uint64) + offset, times))
            continue
        for var in mon.variables:
            values = getattr(mon, var)
            for name, v in zip(names, values if _batched(mon) else [values]):
                if (name, var) in reports:
                    raise ModelError(f"two StateMonitors record '{var}' of '{name}': a results "
                                     "file holds one report per variable of a population; "
                                     "record it once, or save the monitors to two files",
                                     where=_WHERE, symbol=var)
                reports[name, var] = _report(mon, var, v)
    return spikes, events, reports, owners


def _batched(mon) -> bool:
    return mon.group.network.batch is not None


def _populations(mon, owners: Dict[str, tuple]) -> List[str]:
    """The population names of a monitor's recordings: one, or one per batched instance
    (noted in ``owners``, where two objects may not take the same name)."""
    owner = mon.synapses if isinstance(mon, StateMonitor) and mon.synapses is not None \
        else mon.group
    base = _name(owner.name, "population")
    K = mon.group.network.batch
    names = [(base, None)] if K is None else [(f"{base}_{k}", k) for k in range(K)]
    for name, k in names:
        other = owners.setdefault(name, (owner, k))
        if other[0] is not owner or other[1] != k:
            raise ModelError(f"two recorded objects would both be the population {name!r} of "
                             f"the results file ('{other[0].name}' and '{owner.name}', in a "
                             "batched network populations are named <name>_<instance>): "
                             "rename one", where=_WHERE, symbol=name)
    return [name for name, _ in names]


def _name(name: str, what: str) -> str:
    """``name`` as an HDF5 group name ('/' separates groups; '.' is the group itself)."""
    if "/" in name or name in (".", ".."):
        raise ModelError(f"the {what} name {name!r} cannot name a group of an HDF5 file "
                         "(it holds '/' or is '.' or '..'): rename it", where=_WHERE,
                         symbol=name)
    return name


def _report(mon: StateMonitor, var: str, values: np.ndarray) -> tuple:
    """(data, node ids, start, step, units) of one variable of one instance."""
    net = mon.group.network
    times, step = mon.t, mon.every * net.dt
    if len(times) > 1 and not np.allclose(np.diff(times), step, rtol=1e-9, atol=0.0):
        raise ModelError(f"the samples of '{var}' are not evenly spaced (a restore went back "
                         "in time?), and a SONATA report holds evenly spaced frames: save "
                         "before restoring", where=_WHERE, symbol=var)
    start = float(times[0]) if len(times) else net.t
    data = values.T if values.dtype.kind == "f" else values.T.astype(np.float64)
    if mon.synapses is not None:
        dim = mon.synapses.dims.get(var)
    else:
        dim = neuron_dims(mon.group).get(var)
    units = "" if dim is None else pretty(dim)
    return np.ascontiguousarray(data), mon.group_index.astype(np.uint64), start, step, units


def _write_spikes(group, pops: Pairs, owners: Dict[str, tuple], h5py) -> None:
    sorting = h5py.enum_dtype(SORTING, basetype=np.int8)   # libsonata's enum, a char
    for name, parts in pops.items():
        ids = np.concatenate([np.zeros(0, np.uint64)] + [p[0] for p in parts])
        times = np.concatenate([np.zeros(0)] + [p[1] for p in parts]).astype(np.float64)
        if len(parts) > 1:             # monitors of one group: each spike once
            pairs = np.unique(np.stack([times, ids.astype(np.float64)]), axis=1)
            times, ids = pairs[0], pairs[1].astype(np.uint64)
        order = np.lexsort((ids, times))
        pop = group.create_group(name)
        pop.attrs.create("sorting", SORTING["by_time"], dtype=sorting)
        _instance_attrs(pop, owners[name])
        pop.create_dataset("timestamps", data=times[order]).attrs["units"] = "ms"
        pop.create_dataset("node_ids", data=ids[order].astype(np.uint64))


def _instance_attrs(pop, owner: tuple) -> None:
    """A batched instance's population: which object and instance it is."""
    obj, k = owner
    if k is not None:
        pop.attrs["pyspike_group"], pop.attrs["pyspike_instance"] = obj.name, np.int64(k)


def _write_reports(group, reports: Dict[Tuple[str, str], tuple],
                   owners: Dict[str, tuple]) -> None:
    for (name, var), (data, node_ids, start, step, units) in reports.items():
        if name not in group:
            _instance_attrs(group.create_group(name), owners[name])
        report = group[name].create_group(_name(var, "variable"))
        cols = max(1, data.shape[1])
        rows = max(1, min(max(1, data.shape[0]), CHUNK_BYTES // (data.itemsize * cols)))
        dset = report.create_dataset("data", data=data, chunks=(rows, cols),
                                     maxshape=(None, None))
        dset.attrs["units"] = units
        mapping = report.create_group("mapping")
        ids = mapping.create_dataset("node_ids", data=node_ids)
        ids.attrs["sorted"] = np.uint8(bool(np.all(np.diff(node_ids.astype(np.int64)) > 0)))
        mapping.create_dataset("index_pointers",
                               data=np.arange(len(node_ids) + 1, dtype=np.uint64))
        mapping.create_dataset("element_ids", data=np.zeros(len(node_ids), np.uint32))
        stop = start + step * data.shape[0]
        time = mapping.create_dataset("time", data=np.array([start, stop, step], np.float64))
        time.attrs["units"] = "ms"


# --- reading ---------------------------------------------------------------------------


class _Bad(Exception):
    """What is wrong with a file, in words (turned into a ModelError naming the file)."""


def load_results(path: Union[str, os.PathLike]) -> Results:
    """The spikes, events and reports of a results file (see the module's doc), as NumPy
    arrays; a file that is not one, or is truncated or damaged, is refused."""
    h5py = _h5py("load_results")
    path = os.fspath(path)
    try:
        return _load(path, h5py)
    except _Bad as bad:
        raise ModelError(f"cannot read the results file '{path}': {bad}",
                         where="load_results", symbol="path") from None


def _load(path: str, h5py) -> Results:
    try:
        with open(path, "rb"):
            pass
    except OSError as err:
        raise _Bad(f"it cannot be opened ({err.strerror or err})") from None
    if not h5py.is_hdf5(path):
        raise _Bad("it is not an HDF5 file")
    try:
        with h5py.File(path, "r") as f:
            _check_root(f)
            out = Results()
            out.spikes = _spike_groups(f.get("spikes"), h5py)
            for event, pops in _groups(f.get("events"), h5py):
                out.events[event] = _spike_groups(pops, h5py)
            for name, pop in _groups(f.get("report"), h5py):
                out.reports[name] = {var: _frame_report(r) for var, r in _groups(pop, h5py)}
            return out
    except _Bad:
        raise
    except (OSError, KeyError, ValueError, TypeError, IndexError) as err:
        # what h5py raises on a truncated or damaged file, or on a missing dataset
        raise _Bad(f"it is truncated or damaged ({err})") from None


def _check_root(f) -> None:
    magic, version = f.attrs.get("magic"), f.attrs.get("version")
    if magic is None or np.ndim(magic) != 0 or int(magic) != MAGIC:
        raise _Bad(f"it is not a SONATA file (its root attribute 'magic' is {magic!r}, not "
                   f"0x{MAGIC:04X})")
    if version is None or tuple(np.ravel(version).tolist()) != VERSION:
        raise _Bad(f"it is in SONATA version {version!r}, and pyspike reads version "
                   f"{list(VERSION)}")


def _groups(group, h5py) -> Iterable[Tuple[str, object]]:
    if group is None:
        return []
    return [(k, v) for k, v in group.items() if isinstance(v, h5py.Group)]


def _spike_groups(group, h5py) -> Dict[str, SpikeTrains]:
    out = {}
    for name, pop in _groups(group, h5py):
        ids, times = pop["node_ids"][()], pop["timestamps"][()]
        if ids.shape != times.shape:
            raise _Bad(f"population {name!r} has {ids.size} node_ids but {times.size} "
                       "timestamps")
        sorting = pop.attrs.get("sorting", "none")
        if not isinstance(sorting, str):
            names = {v: k for k, v in SORTING.items()}
            sorting = names.get(int(sorting), "none")
        out[name] = SpikeTrains(ids.astype(np.uint64), times.astype(np.float64), sorting)
    return out


def _frame_report(report) -> FrameReport:
    mapping = report["mapping"]
    start, stop, step = (float(x) for x in mapping["time"][()])
    units = report["data"].attrs.get("units", "")
    return FrameReport(report["data"][()], mapping["node_ids"][()],
                       mapping["index_pointers"][()], mapping["element_ids"][()],
                       start, stop, step, units.decode() if isinstance(units, bytes) else units)


def _pyspike_version() -> str:
    """The installed pyspike's version (importing the package itself would be a cycle)."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("pyspike-sim")
    except PackageNotFoundError:
        return "unknown"
