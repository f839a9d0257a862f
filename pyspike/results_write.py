"""Writing results files (the layout is described in :mod:`pyspike.results`).

One writer serves both ways of writing: ``save_results`` appends the monitors' recordings
once and finishes; a :class:`~pyspike.results_stream.ResultsStream` appends them piece by
piece during a run.  Every dataset is chunked and extendible, so a file written in one
piece and one written in a thousand have the same layout and the same numbers.

The file is written as ``<path>.tmp`` and renamed over ``path`` only once finished (after
an fsync), so a crash leaves the previous file (or none) under the name, never half a file.
"""
from __future__ import annotations

import contextlib
import os
from typing import Dict, List, Tuple

import numpy as np

from .codegen.errors import ModelError
from .codegen.units import pretty
from .model import neuron_dims

MAGIC = 0x0A7A
VERSION = (0, 1)
SORTING = {"none": 0, "by_id": 1, "by_time": 2}
#: bytes per chunk of a dataset (HDF5 advises chunks of tens of KiB to a few MiB)
CHUNK_BYTES = 1 << 20
#: spikes per chunk of a population's ``timestamps`` and ``node_ids``
SPIKE_CHUNK = 65536

#: per population, the (node ids, times) pieces of its spikes
Pairs = Dict[str, List[Tuple[np.ndarray, np.ndarray]]]


def h5py_module(where: str):
    """h5py, or a ModelError saying how to install it."""
    try:
        import h5py
    except ImportError:
        raise ModelError("results files are HDF5 files, written and read with h5py, which is "
                         "not installed: pip install h5py", where=where) from None
    return h5py


#: What each kind of monitor records (its class attribute ``recording``): the monitors
#: of a results file.  (A kind rather than the classes: the monitors write themselves with
#: ``to_hdf5``, so this module may not import them.)
KINDS = ("spikes", "events", "states")


def recording(obj) -> str:
    """What a monitor records, one of KINDS, or "" for anything else."""
    kind = getattr(type(obj), "recording", "")
    return kind if kind in KINDS else ""


def monitors_of(source, where: str) -> List[object]:
    """The monitors ``source`` names: a Network's, one monitor, or a list of them."""
    if recording(source):
        found = [source]
    elif isinstance(source, (list, tuple)):
        found = list(source)
    elif hasattr(source, "objects_of"):                 # a Network
        found = [obj for obj in source.objects_of(object) if recording(obj)]
    else:
        raise ModelError(f"{where} writes a Network, a monitor or a list of monitors, "
                         f"not {type(source).__name__}", where=where, symbol="source")
    for mon in found:
        if not recording(mon):
            raise ModelError(f"{where} writes SpikeMonitors, EventMonitors and "
                             f"StateMonitors, not {type(mon).__name__}", where=where,
                             symbol="source")
        if mon.group.network is None:
            raise ModelError(f"the monitor of '{mon.group.name}' is not part of a network yet: "
                             "add it to one and run it first", where=where, symbol="source")
    return found


class Recordings:
    """What the monitors hold now, by population: spikes, events (by event name) and
    reports (by population and variable: data, node ids, start, step, units), with the
    object and instance behind each population name (``owners``)."""

    def __init__(self, monitors, where: str):
        self.where = where
        self.spikes: Pairs = {}
        self.events: Dict[str, Pairs] = {}
        self.reports: Dict[Tuple[str, str], tuple] = {}
        self.owners: Dict[str, tuple] = {}
        for mon in monitors:
            names = self._populations(mon)
            if recording(mon) != "states":
                self._spikes(mon, names)
            else:
                self._states(mon, names)

    def _spikes(self, mon, names: List[str]) -> None:
        into = self.events.setdefault(name_of(mon.event, "event", self.where), {}) \
            if recording(mon) == "events" else self.spikes
        offset = getattr(mon.source, "start", 0)      # (a subgroup's first neuron)
        i, t = (mon.i, mon.t) if _batched(mon) else ([mon.i], [mon.t])
        for name, ids, times in zip(names, i, t):
            into.setdefault(name, []).append((ids.astype(np.uint64) + offset, times))

    def _states(self, mon, names: List[str]) -> None:
        for var in mon.variables:
            values = getattr(mon, var)
            for name, v in zip(names, values if _batched(mon) else [values]):
                if (name, var) in self.reports:
                    raise ModelError(f"two StateMonitors record '{var}' of '{name}': a results "
                                     "file holds one report per variable of a population; "
                                     "record it once, or save the monitors to two files",
                                     where=self.where, symbol=var)
                self.reports[name, var] = _report(mon, var, v, self.where)

    def _populations(self, mon) -> List[str]:
        """The population names of a monitor's recordings: one, or one per batched
        instance (noted in ``owners``, where two objects may not take the same name)."""
        owner = mon.synapses if recording(mon) == "states" and mon.synapses is not None \
            else mon.group
        base = name_of(owner.name, "population", self.where)
        K = mon.group.network.batch
        names = [(base, None)] if K is None else [(f"{base}_{k}", k) for k in range(K)]
        for name, k in names:
            other = self.owners.setdefault(name, (owner, k))
            if other[0] is not owner or other[1] != k:
                raise ModelError(f"two recorded objects would both be the population {name!r} "
                                 f"of the results file ('{other[0].name}' and '{owner.name}', "
                                 "in a batched network populations are named "
                                 "<name>_<instance>): rename one", where=self.where,
                                 symbol=name)
        return [name for name, _ in names]


def _batched(mon) -> bool:
    return mon.group.network.batch is not None


def name_of(name: str, what: str, where: str) -> str:
    """``name`` as an HDF5 group name ('/' separates groups; '.' is the group itself)."""
    if "/" in name or name in (".", ".."):
        raise ModelError(f"the {what} name {name!r} cannot name a group of an HDF5 file "
                         "(it holds '/' or is '.' or '..'): rename it", where=where,
                         symbol=name)
    return name


def _report(mon, var: str, values: np.ndarray, where: str) -> tuple:
    """(data, node ids, start, step, units) of one variable of one instance."""
    net = mon.group.network
    times, step = mon.t, mon.every * net.dt
    if len(times) > 1 and not np.allclose(np.diff(times), step, rtol=1e-9, atol=0.0):
        raise ModelError(f"the samples of '{var}' are not evenly spaced (a restore went back "
                         "in time?), and a SONATA report holds evenly spaced frames: save "
                         "before restoring", where=where, symbol=var)
    start = float(times[0]) if len(times) else net.t
    data = values.T if values.dtype.kind == "f" else values.T.astype(np.float64)
    if mon.synapses is not None:
        dim = mon.synapses.dims.get(var)
    else:
        dim = neuron_dims(mon.group).get(var)
    units = "" if dim is None else pretty(dim)
    return np.ascontiguousarray(data), mon.group_index.astype(np.uint64), start, step, units


def merged(parts: List[Tuple[np.ndarray, np.ndarray]]) -> Tuple[np.ndarray, np.ndarray]:
    """One population's spikes of several monitors, each once, sorted by time then node."""
    ids = np.concatenate([np.zeros(0, np.uint64)] + [p[0] for p in parts])
    times = np.concatenate([np.zeros(0)] + [p[1] for p in parts]).astype(np.float64)
    if len(parts) > 1:             # monitors of one group: each spike once
        pairs = np.unique(np.stack([times, ids.astype(np.float64)]), axis=1)
        times, ids = pairs[0], pairs[1].astype(np.uint64)
    order = np.lexsort((ids, times))
    return ids[order].astype(np.uint64), times[order]


def _extend(group, name: str, values: np.ndarray, chunk: tuple):
    """Append ``values`` along the first axis of ``group[name]``, made if missing."""
    if name not in group:
        return group.create_dataset(name, data=values, chunks=chunk,
                                    maxshape=(None,) + values.shape[1:])
    dset = group[name]
    n = dset.shape[0]
    if values.shape[0]:
        dset.resize(n + values.shape[0], axis=0)
        dset[n:] = values
    return dset


class ResultsWriter:
    """A results file being written at ``<path>.tmp``: ``append`` the monitors' recordings
    (any number of times, in time order), then ``finish`` (rename over ``path``) or
    ``abort`` (remove the temporary file)."""

    def __init__(self, path, where: str):
        self.where = where
        self.h5py = h5py_module(where)
        # (through a link, replace what it points to)
        self.path = os.path.realpath(os.fspath(path))
        self.tmp = self.path + ".tmp"
        self.file = self.h5py.File(self.tmp, "w")
        try:
            self.file.attrs["magic"] = np.uint32(MAGIC)
            self.file.attrs["version"] = np.array(VERSION, dtype=np.uint32)
            self.file.attrs["pyspike_version"] = _pyspike_version()
        except BaseException:
            self.abort()
            raise

    def append(self, rec: Recordings, flat: bool = False) -> None:
        """Add what ``rec`` holds after what the file holds; ``flat``: one variable's
        reports laid out directly under ``/report/<population>`` (libsonata's form)."""
        f = self.file
        if rec.spikes or not flat:
            _write_spikes(f.require_group("spikes"), rec.spikes, rec.owners, self.h5py)
        for event, pops in rec.events.items():
            _write_spikes(f.require_group("events").require_group(event), pops, rec.owners,
                          self.h5py)
        self._write_reports(f.require_group("report"), rec.reports, rec.owners, flat)

    def flush(self) -> None:
        """What is appended so far, on disk (the file is complete up to here)."""
        self.file.flush()

    def finish(self) -> None:
        try:
            self.file.close()
            with open(self.tmp, "rb+") as handle:       # the bytes on disk before the rename
                os.fsync(handle.fileno())
            os.replace(self.tmp, self.path)
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self.file.close()
        with contextlib.suppress(OSError):
            os.unlink(self.tmp)

    def append_file(self, part) -> None:
        """Add what the results file ``part`` (written by another writer, of the same
        monitors, earlier in the run) holds after what this file holds."""
        with self.h5py.File(os.fspath(part), "r") as src:
            if int(src.attrs.get("magic", 0)) != MAGIC:
                raise ModelError(f"'{part}' is not a part of these results (not a SONATA "
                                 "file)", where=self.where)
            for top in ("spikes", "events", "report"):
                if top in src:
                    self._merge(src[top], self.file.require_group(top))

    def _merge(self, src, dst) -> None:
        for name, child in src.items():
            if name not in dst:
                src.copy(child, dst, name=name)     # (chunked and extendible, as written)
            elif "data" in child and "mapping" in child:            # a report
                _merge_report(child, dst[name])
            elif isinstance(child, self.h5py.Group):
                self._merge(child, dst[name])
            else:                                   # a population's timestamps, node_ids
                _extend(dst, name, child[()], dst[name].chunks)

    def _write_reports(self, group, reports: Dict[Tuple[str, str], tuple],
                       owners: Dict[str, tuple], flat: bool) -> None:
        for (name, var), (data, node_ids, start, step, units) in reports.items():
            if name not in group:
                _instance_attrs(group.create_group(name), owners[name])
            var = name_of(var, "variable", self.where)
            report = group[name] if flat else group[name].require_group(var)
            if "data" not in report:
                _new_report(report, data, node_ids, start, step, units)
                if flat:
                    report["data"].attrs["pyspike_variable"] = var
            time = report["mapping/time"]
            rows = report["data"].shape[0]
            if rows and len(data) and not np.isclose(start, time[1], rtol=1e-9,
                                                     atol=1e-9 * abs(step)):
                raise ModelError(f"the samples of '{var}' of '{name}' start again at {start:g} "
                                 f"ms where the file's frames stopped at {time[1]:g} ms (a "
                                 "restore went back in time?): a SONATA report holds evenly "
                                 "spaced frames", where=self.where, symbol=var)
            if not rows:                    # the first frames: the report starts here
                time[0] = start
            _extend(report, "data", data, report["data"].chunks)
            rows += len(data)
            time[1] = time[0] + step * rows


def _merge_report(src, dst) -> None:
    """Append a report's frames after another's (the same variable of the same nodes)."""
    rows = dst["data"].shape[0]
    _extend(dst, "data", src["data"][()], dst["data"].chunks)
    time, step = dst["mapping/time"], float(dst["mapping/time"][2])
    if not rows:
        time[0] = src["mapping/time"][0]
    time[1] = time[0] + step * dst["data"].shape[0]


def _new_report(report, data: np.ndarray, node_ids: np.ndarray, start: float, step: float,
                units: str) -> None:
    cols = max(1, data.shape[1])
    rows = max(1, CHUNK_BYTES // (data.itemsize * cols))
    dset = report.create_dataset("data", shape=(0, data.shape[1]), dtype=data.dtype,
                                 chunks=(rows, cols), maxshape=(None, data.shape[1]))
    dset.attrs["units"] = units
    mapping = report.create_group("mapping")
    ids = mapping.create_dataset("node_ids", data=node_ids)
    ids.attrs["sorted"] = np.uint8(bool(np.all(np.diff(node_ids.astype(np.int64)) > 0)))
    mapping.create_dataset("index_pointers", data=np.arange(len(node_ids) + 1, dtype=np.uint64))
    mapping.create_dataset("element_ids", data=np.zeros(len(node_ids), np.uint32))
    time = mapping.create_dataset("time", data=np.array([start, start, step], np.float64))
    time.attrs["units"] = "ms"


def _write_spikes(group, pops: Pairs, owners: Dict[str, tuple], h5py) -> None:
    sorting = h5py.enum_dtype(SORTING, basetype=np.int8)   # libsonata's enum, a char
    for name, parts in pops.items():
        ids, times = merged(parts)
        if name not in group:
            pop = group.create_group(name)
            pop.attrs.create("sorting", SORTING["by_time"], dtype=sorting)
            _instance_attrs(pop, owners[name])
        pop = group[name]
        _extend(pop, "timestamps", times, (SPIKE_CHUNK,)).attrs["units"] = "ms"
        _extend(pop, "node_ids", ids, (SPIKE_CHUNK,))


def _instance_attrs(pop, owner: tuple) -> None:
    """A batched instance's population: which object and instance it is."""
    obj, k = owner
    if k is not None:
        pop.attrs["pyspike_group"], pop.attrs["pyspike_instance"] = obj.name, np.int64(k)


def _pyspike_version() -> str:
    """The installed pyspike's version (importing the package itself would be a cycle)."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("pyspike-sim")
    except PackageNotFoundError:
        return "unknown"
