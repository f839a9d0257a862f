"""``Network.store`` / ``Network.restore``: snapshots of everything a run changes.

A snapshot holds the time step, every group's and synapse's variables and parameters,
the refractory clocks, the delay rings with the spikes in flight, the connectivity and
the monitors' recordings.  The random numbers need nothing more: they are a function of
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

import copy
import os
from typing import Optional

import numpy as np

from .codegen.errors import ModelError
from . import snapshot_file

_GROUP_FIELDS = ("_state", "_params", "_per_neuron", "_lastspike", "_not_refractory",
                 "_given")
_SYNAPSE_FIELDS = ("_state", "_params", "_per_synapse", "_delay", "_ring", "_row", "_j")
_MONITOR_FIELDS = ("_i", "_step", "count_array", "_steps", "_data", "_counts")
_FIELDS = frozenset(_GROUP_FIELDS + _SYNAPSE_FIELDS + _MONITOR_FIELDS)


def snapshot(net) -> dict:
    """A deep copy of the network's changing state."""
    def fields(obj, names):
        return {k: copy.deepcopy(obj.__dict__[k]) for k in names if k in obj.__dict__}
    return {
        "step": net.step, "seed": net.seed, "init_draws": net._init_draws,
        "objects": [fields(o, _GROUP_FIELDS + _SYNAPSE_FIELDS + _MONITOR_FIELDS)
                    for o in net.objects],
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
    net.step, net.seed, net._init_draws = snap["step"], snap["seed"], snap["init_draws"]
    for obj, fields in zip(net.objects, snap["objects"]):
        for k, v in fields.items():
            obj.__dict__[k] = copy.deepcopy(v)
        if "_columns_cache" in obj.__dict__:
            obj.__dict__["_columns_cache"] = None
            obj.__dict__["_bitmask_cache"] = None
        if "_gen" in obj.__dict__:
            obj.__dict__["_gen"] = None


def store(net, name: str = "default", filename: Optional[str] = None) -> None:
    net._sync()
    snap = snapshot(net)
    if filename is None:
        net._snapshots[name] = snap
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
    stored[name] = snap
    snapshot_file.write(filename, stored, where="Network.store")


def restore(net, name: str = "default", filename: Optional[str] = None) -> None:
    net._sync()
    if filename is not None:
        filename = os.fspath(filename)
    stored = _read(filename, "Network.restore") if filename is not None else net._snapshots
    if name not in stored:
        raise ModelError(f"no stored state named '{name}'"
                         + (f" in {filename}" if filename else "") + "; stored: "
                         + (", ".join(sorted(map(str, stored))) or "none"),
                         where="Network.restore", symbol=str(name))
    if filename is not None:
        _check_from_file(net, stored[name], f"the snapshot '{name}' in '{filename}'")
    apply(net, stored[name])


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
    for fields in objects:
        if type(fields) is not dict or not set(fields) <= _FIELDS:
            raise _Misfit("an object holds entries a snapshot does not have")


def _array(x, what: str, kinds: str, shape: Optional[tuple] = None) -> np.ndarray:
    if type(x) is not np.ndarray or x.dtype.kind not in kinds:
        raise _Misfit(f"{what} is not an array of the expected kind")
    if shape is not None and x.shape != shape:
        raise _Misfit(f"{what} has shape {x.shape}, not {shape}")
    return x


def _table(fields: dict, key: str, shape: tuple, names, exact: bool = False) -> None:
    """A dict of float arrays of ``shape`` by variable name (all of ``names`` if exact)."""
    table = fields.get(key, {})
    if type(table) is not dict or not set(table) <= set(names) or \
            (exact and set(table) != set(names)):
        raise _Misfit(f"{key} names other variables than the model's")
    for name, value in table.items():
        _array(value, f"{key}['{name}']", "f", shape)


def _check_params(fields: dict, obj, K: int) -> None:
    params = fields.get("_params", {})
    if type(params) is not dict or set(params) != set(obj._params):
        raise _Misfit("_params names other parameters than the model's")
    for name, value in params.items():
        if value is None or type(value) is float:
            continue
        if type(value) is not np.ndarray or value.dtype.kind != "f" or value.size not in (1, K):
            raise _Misfit(f"the parameter '{name}' is not one number (or one per instance)")


def _check_fields(net, obj, fields: dict) -> None:
    K = net.K
    if "_row" in fields:
        _check_synapses(obj, fields, net)
    elif "_lastspike" in fields:
        shape = obj._shape()
        _table(fields, "_state", shape, obj._state, exact=True)
        _table(fields, "_per_neuron", shape, obj._params)
        _check_params(fields, obj, K)
        _array(fields["_lastspike"], "_lastspike", "iu", shape)
        if _array(fields.get("_not_refractory", obj._not_refractory), "_not_refractory",
                  "u", shape).dtype != np.uint8:
            raise _Misfit("_not_refractory is not an array of bytes")
        if "_given" in fields:
            given = fields["_given"]
            if type(given) is not tuple or len(given) != 2:
                raise _Misfit("the given spikes are not (indices, times)")
            i = _array(given[0], "the given spike indices", "iu")
            t = _array(given[1], "the given spike times", "f", i.shape)
            if i.ndim != 1 or (i.size and not 0 <= i.min() <= i.max() < obj.N) or \
                    not np.isfinite(t).all():
                raise _Misfit("the given spikes name neurons outside the group, or no time")
    for key in ("_i", "_step", "_steps", "_counts"):
        if key in fields:
            _recordings(fields[key], key)
    if "count_array" in fields:
        _array(fields["count_array"], "count_array", "iu")
    if "_data" in fields:
        data = fields["_data"]
        if type(data) is not dict or set(data) != set(obj._data):
            raise _Misfit("the recorded variables are not the monitor's")
        for name, runs in data.items():
            _recordings(runs, f"the recording of '{name}'")


def _recordings(runs, what: str) -> None:
    """A monitor's list of one array per run (in a batch: a list of one per instance)."""
    if type(runs) is not list or not all(
            type(r) is np.ndarray or (type(r) is list and
                                      all(type(a) is np.ndarray for a in r)) for r in runs):
        raise _Misfit(f"{what} is not a list of recorded arrays")


def _check_synapses(syn, fields: dict, net) -> None:
    """CSR rows and columns, per-synapse arrays, delays and rings agree with each other."""
    n_pre, n_post, K = syn.n_pre, syn.n_post, net.K
    row = _array(fields["_row"], "_row", "iu", (n_pre + 1,))
    n = int(row[-1])
    if row[0] != 0 or (np.diff(row) < 0).any() or n >= 2 ** 31:
        raise _Misfit("the rows of the connectivity are not in order")
    j = fields.get("_j", syn._j)
    if j is None:
        if n != n_pre * n_post:
            raise _Misfit("all-to-all synapses of another number")
    elif _array(j, "_j", "iu", (n,)).size and not 0 <= j.min() <= j.max() < n_post:
        raise _Misfit("synapses go to neurons outside the target")
    shape = (K, n) if net.batch is not None else (n,)
    _table(fields, "_state", shape, syn._state, exact=True)
    _table(fields, "_per_synapse", shape, syn._params)
    _check_params(fields, syn, K)
    delay = fields.get("_delay", syn._delay)
    if type(delay) is not float:
        delay = _array(delay, "_delay", "f", (n,))
    if not (np.isfinite(delay) & (np.asarray(delay) >= 0)).all():
        raise _Misfit("a delay is not a finite number of ms >= 0")
    ring = fields.get("_ring")
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
