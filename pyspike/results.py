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

libsonata's ``ElementReportReader`` reads a report file of one variable, laid out directly
under ``/report/<population>``: ``save_report(monitor, "v.h5", "v")`` (or
``monitor.to_hdf5("v.h5", "v")``) writes that form; ``load_results`` reads both forms.

A population is the monitored NeuronGroup's name (a subgroup's monitor writes the ids of its
neurons in the whole group, as SONATA numbers a population's nodes); monitors of the same
group are merged.  In a batched network each instance k is its own population
``<name>_<k>`` (SONATA readers know one set of node ids per population), with attributes
``pyspike_group`` and ``pyspike_instance`` to find the instance again.

A file is written to ``<path>.tmp`` and renamed over ``path`` once complete, so a crash
leaves the previous file (or none) under the name, never half a file.  A long run can write
its recordings while it runs instead of keeping them in memory:
:class:`~pyspike.results_stream.ResultsStream` writes the same layout in pieces.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Dict, Iterable, Optional, Tuple, Union

import numpy as np

from .codegen.errors import ModelError
from .results_write import (MAGIC, SORTING, VERSION, Recordings, ResultsWriter,
                            h5py_module, monitors_of, recording)

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


# --- writing ---------------------------------------------------------------------------


def save_results(source, path: Union[str, os.PathLike]) -> None:
    """Write the recordings of ``source`` (a Network, a monitor or a list of monitors) to
    the HDF5 file ``path`` in SONATA's layout (see the module's doc), replacing it
    atomically.

    >>> import tempfile, pyspike as ps
    >>> net = ps.Network(dt=0.1, backend="numpy")
    >>> with net:
    ...     G = ps.NeuronGroup(2, ps.NeuronModel("dv/dt = 1/ms : 1", threshold="v > 1",
    ...                                          reset="v = 0"), name="exc")
    ...     mon = ps.SpikeMonitor(G)
    >>> net.run(5.0)
    >>> path = tempfile.mkdtemp() + "/run.h5"
    >>> save_results(net, path)
    >>> load_results(path).spikes["exc"].timestamps.round(6).tolist()
    [1.1, 1.1, 2.2, 2.2, 3.3, 3.3, 4.4, 4.4]
    """
    _write(Recordings(monitors_of(source, _WHERE), _WHERE), path, _WHERE)


def save_report(monitor, path: Union[str, os.PathLike],
                variable: Optional[str] = None) -> None:
    """Write one variable of a StateMonitor as a SONATA report file of its own, laid out
    as libsonata's ``ElementReportReader`` reads it (``/report/<population>/data`` and
    ``mapping``; one population per batched instance); ``variable`` may be left out when
    the monitor records one.  The values are float32, as SONATA's reports are (libsonata
    reads no other type): use :func:`save_results` to keep float64.  Atomic, as
    :func:`save_results`."""
    where = "save_report"
    if recording(monitor) != "states":
        raise ModelError(f"save_report writes a StateMonitor, not {type(monitor).__name__}",
                         where=where, symbol="monitor")
    if variable is None:
        if len(monitor.variables) != 1:
            raise ModelError(f"this StateMonitor records {', '.join(monitor.variables)}: a "
                             "SONATA report file holds one variable; name it (variable=...)",
                             where=where, symbol="variable")
        variable = monitor.variables[0]
    if variable not in monitor.variables:
        raise ModelError(f"this StateMonitor records {', '.join(monitor.variables)}, not "
                         f"'{variable}'", where=where, symbol=variable)
    rec = Recordings(monitors_of(monitor, where), where)
    rec.reports = {key: (r[0].astype(np.float32),) + r[1:]
                   for key, r in rec.reports.items() if key[1] == variable}
    _write(rec, path, where, flat=True)


def _write(rec: Recordings, path, where: str, flat: bool = False) -> None:
    """``rec`` (checked: refusals come before any file) as the file ``path``, atomically."""
    writer = ResultsWriter(path, where)
    try:
        writer.append(rec, flat=flat)
    except BaseException:                      # also KeyboardInterrupt: leave no tmp behind
        writer.abort()
        raise
    writer.finish()


# --- reading ---------------------------------------------------------------------------


class _Bad(Exception):
    """What is wrong with a file, in words (turned into a ModelError naming the file)."""


def load_results(path: Union[str, os.PathLike]) -> Results:
    """The spikes, events and reports of a results file (see the module's doc), as NumPy
    arrays; a file that is not one, or is truncated or damaged, is refused."""
    h5py = h5py_module("load_results")
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
                if "data" in pop:           # a report file of one variable (save_report)
                    var = _text(pop["data"].attrs.get("pyspike_variable", "data"))
                    out.reports[name] = {var: _frame_report(pop)}
                else:
                    out.reports[name] = {var: _frame_report(r)
                                         for var, r in _groups(pop, h5py)}
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
    return FrameReport(report["data"][()], mapping["node_ids"][()],
                       mapping["index_pointers"][()], mapping["element_ids"][()],
                       start, stop, step, _text(report["data"].attrs.get("units", "")))


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
