"""``Network.store`` / ``Network.restore``: snapshots of everything a run changes.

A snapshot holds the time step and a copy of every object's state table
(:mod:`pyspike.state`): the groups' and synapses' variables and parameters, the
refractory clocks, the delay rings with the spikes in flight, the connectivity and the
monitors' recordings.  The random numbers need nothing more: they are a function of
(seed, step, element, stream), so restoring the step restores the random streams.

In memory a snapshot is a deep copy.  In a file (``filename=``) it is data that cannot
run code: an ``.npz`` archive with a JSON manifest, written atomically and checked when
read (:mod:`pyspike.snapshot_file` describes the format).  A file holds several named
snapshots; storing a name replaces it and keeps the others.  Since a file may come from
anywhere, a snapshot read from one is also checked to fit the network before any of it is
applied: the kinds and sizes of the objects, and every array the compiled kernels index
(a group's arrays of its shape; a synapse's rows, columns, variables, delays and delay
rings consistent with each other), so that no file can make a kernel read or write past
the end of an array.
"""
from __future__ import annotations

import os
from typing import Optional

import numpy as np

from .codegen.errors import ModelError
from . import snapshot_file, synapse_delays
from .synapse_delays import StepDelays

#: Entry names of snapshot files written before the state tables (pyspike/state.py):
#: a file of that layout is read under today's names.
_OLD_NAMES = {"_state": "variables", "_params": "params", "_per_neuron": "per_element",
              "_per_synapse": "per_element", "_lastspike": "lastspike",
              "_not_refractory": "not_refractory", "_given": "given", "_delay": "delay",
              "_ring": "ring", "_row": "row", "_j": "col", "_i": "i", "_step": "step",
              "count_array": "count", "_steps": "steps", "_data": "data",
              "_counts": "counts"}
#: The layout of the objects' entries: 2, the state tables' names.
LAYOUT = 2


def snapshot(net) -> dict:
    """A deep copy of the network's changing state: every object's state table."""
    return {
        "layout": LAYOUT, "step": net.step, "seed": net.seed, "init_draws": net.init_draws,
        "objects": [o.state.snapshot() for o in net.objects],
        "n_objects": len(net.objects),
        "shapes": _shapes(net),
    }


def _shapes(net) -> list:
    """What a snapshot must fit: each object's kind and size (and a synapse's groups)."""
    out = []
    for o in net.objects:
        size = getattr(o, "N", None)
        if hasattr(o, "pre_range"):
            size = (o.pre_range, o.post_range)
        out.append((type(o).__name__, size))
    return out


def _check_objects(net, snap: dict) -> None:
    """The network holds objects of the kinds and sizes it held when the snapshot was taken."""
    if snap["n_objects"] != len(net.objects):
        raise ModelError(f"this snapshot was stored with {snap['n_objects']} objects in the "
                         f"network, which now has {len(net.objects)}", where="Network.restore")
    for k, (stored, now) in enumerate(zip(snap.get("shapes", []), _shapes(net))):
        if stored != now:
            raise ModelError(f"this snapshot does not fit the network: object {k} was "
                             f"{stored[0]} of size {stored[1]} and is now {now[0]} of size "
                             f"{now[1]}", where="Network.restore")


def apply(net, snap: dict) -> None:
    """Put a snapshot back; the network must hold the same objects as when stored."""
    _check_objects(net, snap)
    net.step, net.seed, net.init_draws = snap["step"], snap["seed"], snap["init_draws"]
    for obj, entries in zip(net.objects, snap["objects"]):
        obj.state.restore(entries)


def store(net, name: str = "default", filename: Optional[str] = None) -> None:
    net._sync()
    snap = snapshot(net)
    if filename is None:
        net.snapshots[name] = snap
        return
    filename = os.fspath(filename)
    stored = {}
    if os.path.exists(filename):
        try:
            stored = _read(filename, "Network.store")
        except ModelError as err:
            raise ModelError(f"{err.message}. store() adds to an existing file and does not "
                             "replace one it cannot read: remove it or choose another filename",
                             where="Network.store") from None
    stored[name] = synapse_delays.plain(snap)       # (files hold delays in ms)
    snapshot_file.write(filename, stored, where="Network.store")


def restore(net, name: str = "default", filename: Optional[str] = None) -> None:
    net._sync()
    if filename is not None:
        filename = os.fspath(filename)
    stored = _read(filename, "Network.restore") if filename is not None else net.snapshots
    if name not in stored:
        raise ModelError(f"no stored state named '{name}'"
                         + (f" in {filename}" if filename else "") + "; stored: "
                         + (", ".join(sorted(map(str, stored))) or "none"),
                         where="Network.restore", symbol=str(name))
    if filename is None:
        apply(net, stored[name])
    else:
        apply_checked(net, stored[name], f"the snapshot '{name}' in '{filename}'")


def apply_checked(net, snap, what: str) -> None:
    """Put back a snapshot read from a file (``what`` names it in messages), once checked
    to fit the network (a checkpoint's too: pyspike/checkpoint.py)."""
    snap = _current_names(snap)
    _check_from_file(net, snap, what)
    apply(net, _in_steps(snap, net.dt))


def _in_steps(snap: dict, dt: float) -> dict:
    """A checked snapshot from a file (delays in ms) with the delays that are whole steps
    kept as steps again, as they were before the store (synapse_delays.py)."""
    objects = []
    for entries in snap["objects"]:
        if "delay" in entries:
            entries = dict(entries, delay=synapse_delays.compact(entries["delay"], dt))
        if type(entries.get("pathways")) is dict:
            entries = dict(entries, pathways={
                name: dict(e, delay=synapse_delays.compact(e["delay"], dt))
                for name, e in entries["pathways"].items()})
        objects.append(entries)
    return dict(snap, objects=objects)


def _current_names(snap):
    """A snapshot read from a file, its objects' entries under today's names."""
    if type(snap) is not dict or snap.get("layout") == LAYOUT or \
            type(snap.get("objects")) is not list:
        return snap
    objects = [{_OLD_NAMES.get(k, k): v for k, v in o.items()} if type(o) is dict else o
               for o in snap["objects"]]
    return dict(snap, objects=objects, layout=LAYOUT)


def _read(filename: str, where: str) -> dict:
    stored = snapshot_file.read(filename, where)
    if type(stored) is not dict:
        raise ModelError(f"cannot read the snapshot file '{filename}': it holds no named "
                         "snapshots", where=where)
    return stored


# --- does a snapshot from a file fit the network? ---------------------------------------


class _Misfit(Exception):
    """What does not fit, in words (turned into a ModelError naming the file)."""


def _check_from_file(net, snap, what: str) -> None:
    try:
        _check_layout(snap)
        _check_objects(net, snap)
        for k, (obj, fields) in enumerate(zip(net.objects, snap["objects"])):
            try:
                _check_fields(net, obj, fields)
            except _Misfit as misfit:
                raise _Misfit(f"object {k} ({type(obj).__name__} '{getattr(obj, 'name', '')}'"
                              f"): {misfit}") from None
    except _Misfit as misfit:
        raise ModelError(f"{what} does not fit the network: {misfit}",
                         where="Network.restore") from None
    except ModelError as err:
        raise ModelError(f"{what}: {err.message}", where="Network.restore") from None


def _whole(x, low: int = 0, high: int = 2 ** 63) -> bool:
    return type(x) is int and low <= x < high


def _check_layout(snap) -> None:
    """The snapshot is a dict of the entries and kinds :func:`snapshot` makes."""
    if type(snap) is not dict or not {"step", "seed", "init_draws", "objects", "n_objects",
                                      "shapes"} <= set(snap):
        raise _Misfit("it is not a snapshot of a network")
    if not (_whole(snap["step"], 0, 2 ** 62) and _whole(snap["seed"])
            and _whole(snap["init_draws"]) and _whole(snap["n_objects"])):
        raise _Misfit("its step, seed or count of objects is not a whole number >= 0")
    objects, shapes = snap["objects"], snap["shapes"]
    if type(objects) is not list or type(shapes) is not list or \
            not len(objects) == len(shapes) == snap["n_objects"]:
        raise _Misfit("its lists of objects do not agree with one another")
    if not all(type(entries) is dict for entries in objects):
        raise _Misfit("an object is not a table of named entries")


def _array(x, what: str, kinds: str, shape: Optional[tuple] = None) -> np.ndarray:
    if type(x) is not np.ndarray or x.dtype.kind not in kinds:
        raise _Misfit(f"{what} is not an array of the expected kind")
    if shape is not None and x.shape != shape:
        raise _Misfit(f"{what} has shape {x.shape}, not {shape}")
    return x


def _table(entries: dict, key: str, shape: tuple, names, exact: bool = False,
           one_shape: tuple = (), ones=()) -> None:
    """A dict of float arrays of ``shape`` by variable name (all of ``names`` if exact;
    those named in ``ones``, one for all instances, of ``one_shape``)."""
    table = entries.get(key, {})
    if type(table) is not dict or not set(table) <= set(names) or \
            (exact and set(table) != set(names)):
        raise _Misfit(f"{key} names other variables than the model's")
    for name, value in table.items():
        _array(value, f"{key}['{name}']", "f", one_shape if name in ones else shape)


def _check_params(entries: dict, obj, K: int) -> None:
    params = entries.get("params", {})
    if type(params) is not dict or set(params) != set(obj.state.params):
        raise _Misfit("params names other parameters than the model's")
    for name, value in params.items():
        if value is None or type(value) is float:
            continue
        if type(value) is not np.ndarray or value.dtype.kind != "f" or value.size not in (1, K):
            raise _Misfit(f"the parameter '{name}' is not one number (or one per instance)")


def _check_fields(net, obj, entries: dict) -> None:
    if not set(entries) <= set(obj.state.names()):
        raise _Misfit(f"it holds entries ({', '.join(sorted(map(str, entries)))}) that a "
                      f"{type(obj).__name__} does not have")
    if "row" in entries:
        _check_synapses(obj, entries, net)
    elif "lastspike" in entries:
        _check_group(obj, entries, net.K)
    for key in ("i", "step", "steps", "counts"):
        if key in entries:
            _recordings(entries[key], key)
    if "count" in entries:
        _array(entries["count"], "count", "iu")
    if "data" in entries:
        data = entries["data"]
        if type(data) is not dict or set(data) != set(obj.state.data):
            raise _Misfit("the recorded variables are not the monitor's")
        for name, runs in data.items():
            _recordings(runs, f"the recording of '{name}'")
    elif "data" in obj.state.names() and obj.state.data:
        # (a file from before SpikeMonitor(variables=...): its spikes would not line up
        # with the values the monitor holds)
        raise _Misfit(f"it holds no recording of the monitor's variables "
                      f"({', '.join(sorted(obj.state.data))})")


def _check_group(group, entries: dict, K: int) -> None:
    shape = group.shape
    _table(entries, "variables", shape, group.state.variables, exact=True)
    _table(entries, "per_element", shape, group.state.params)
    _check_params(entries, group, K)
    _array(entries["lastspike"], "lastspike", "iu", shape)
    if _array(entries.get("not_refractory", group.state.not_refractory), "not_refractory",
              "u", shape).dtype != np.uint8:
        raise _Misfit("not_refractory is not an array of bytes")
    if entries.get("given") is not None:
        given = entries["given"]
        if type(given) is not tuple or len(given) not in (2, 3):
            raise _Misfit("the given spikes are not (indices, times[, instances])")
        i = _array(given[0], "the given spike indices", "iu")
        t = _array(given[1], "the given spike times", "f", i.shape)
        if len(given) == 3:
            b = _array(given[2], "the given spikes' instances", "iu", i.shape)
            if b.size and not 0 <= b.min() <= b.max() < K:
                raise _Misfit("the given spikes name instances outside the batch")
        if i.ndim != 1 or (i.size and not 0 <= i.min() <= i.max() < group.N) or \
                not np.isfinite(t).all():
            raise _Misfit("the given spikes name neurons outside the group, or no time")


def _recordings(runs, what: str) -> None:
    """A monitor's list of one array per run (in a batch: a list of one per instance)."""
    if type(runs) is not list or not all(
            type(r) is np.ndarray or (type(r) is list and
                                      all(type(a) is np.ndarray for a in r)) for r in runs):
        raise _Misfit(f"{what} is not a list of recorded arrays")


def _check_synapses(syn, entries: dict, net) -> None:
    """CSR rows and columns, per-synapse arrays, delays and rings agree with each other."""
    n_pre, n_post, K = syn.n_pre, syn.n_post, net.K
    row = _array(entries["row"], "row", "iu", (n_pre + 1,))
    n = int(row[-1])
    if row[0] != 0 or (np.diff(row) < 0).any() or n >= 2 ** 31:
        raise _Misfit("the rows of the connectivity are not in order")
    j = entries.get("col", syn.state.col)
    if j is None:
        if n != n_pre * n_post:
            raise _Misfit("all-to-all synapses of another number")
    elif _array(j, "col", "iu", (n,)).size and not 0 <= j.min() <= j.max() < n_post:
        raise _Misfit("synapses go to neurons outside the target")
    shape = (K, n) if net.batch is not None else (n,)
    _table(entries, "variables", shape, syn.state.variables, exact=True, one_shape=(n,),
           ones=syn.shared)
    _table(entries, "per_element", shape, syn.state.params)
    _check_params(entries, syn, K)
    _check_delay(entries.get("delay", syn.state.delay), entries.get("ring"), n, n_pre, K)
    names = set(syn.pathways)
    further = entries.get("pathways", {} if not names else None)
    if type(further) is not dict or set(further) != names or \
            not all(type(e) is dict and set(e) == {"delay", "ring"} for e in further.values()):
        raise _Misfit("the pathways of the synapses are not the ones they have")
    for entry in further.values():
        _check_delay(entry["delay"], entry["ring"], n, n_pre, K)


def _check_delay(delay, ring, n: int, n_pre: int, K: int) -> None:
    """A pathway's delays (one, or one per synapse) and its ring of spikes in flight."""
    if isinstance(delay, StepDelays):        # (the network's own, in memory: checked)
        delay = _array(delay.steps, "delay", "u", (n,))
    elif type(delay) is not float:
        delay = _array(delay, "delay", "f", (n,))
    if not (np.isfinite(delay) & (np.asarray(delay) >= 0)).all():
        raise _Misfit("a delay is not a finite number of ms >= 0")
    if ring is not None:
        if type(ring) is not tuple or len(ring) != 3:
            raise _Misfit("the delay ring is not (spikes, stamps, counts)")
        R = ring[1].shape[-1] if type(ring[1]) is np.ndarray else 0
        hist = _array(ring[0], "the ring's spikes", "i", (K, R * n_pre))
        stamp = _array(ring[1], "the ring's stamps", "i", (K, R))
        count = _array(ring[2], "the ring's counts", "i", (K, R))
        if (hist.dtype, stamp.dtype, count.dtype) != (np.int32, np.int64, np.int32) or \
                R < 1 or not (0 <= count).all() or (count > n_pre).any() or \
                (hist.size and not 0 <= hist.min() <= hist.max() < n_pre):
            raise _Misfit("the delay ring holds spikes of neurons outside the source")
