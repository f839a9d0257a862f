"""``Network.store`` / ``Network.restore``: snapshots of everything a run changes.

A snapshot holds the time step, every group's and synapse's variables and parameters,
the refractory clocks, the delay rings with the spikes in flight, the connectivity and
the monitors' recordings.  The random numbers need nothing more: they are a function of
(seed, step, element, stream), so restoring the step restores the random streams.
"""
from __future__ import annotations

import copy
import pickle
from typing import Optional

_GROUP_FIELDS = ("_state", "_params", "_per_neuron", "_lastspike", "_not_refractory",
                 "_given")
_SYNAPSE_FIELDS = ("_state", "_params", "_per_synapse", "_delay", "_ring", "_row", "_j")
_MONITOR_FIELDS = ("_i", "_step", "count_array", "_steps", "_data", "_counts")


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


def apply(net, snap: dict) -> None:
    """Put a snapshot back; the network must hold the same objects as when stored."""
    from .codegen.errors import ModelError
    if snap["n_objects"] != len(net.objects):
        raise ModelError(f"this snapshot was stored with {snap['n_objects']} objects in the "
                         f"network, which now has {len(net.objects)}", where="Network.restore")
    for k, (stored, now) in enumerate(zip(snap.get("shapes", []), _shapes(net))):
        if stored != now:
            raise ModelError(f"this snapshot does not fit the network: object {k} was "
                             f"{stored[0]} of size {stored[1]} and is now {now[0]} of size "
                             f"{now[1]}", where="Network.restore")
    net.step, net.seed, net._init_draws = snap["step"], snap["seed"], snap["init_draws"]
    for obj, fields in zip(net.objects, snap["objects"]):
        for k, v in fields.items():
            obj.__dict__[k] = copy.deepcopy(v)
        if "_columns_cache" in obj.__dict__:
            obj.__dict__["_columns_cache"] = None
            obj.__dict__["_bitmask_cache"] = None
        if "_gen" in obj.__dict__:
            obj.__dict__["_gen"] = None


def save(snap: dict, filename: str) -> None:
    with open(filename, "wb") as f:
        pickle.dump(snap, f, protocol=pickle.HIGHEST_PROTOCOL)


def load(filename: str) -> dict:
    with open(filename, "rb") as f:
        return pickle.load(f)


def store(net, name: str = "default", filename: Optional[str] = None) -> None:
    net._sync()
    snap = snapshot(net)
    if filename is not None:
        stored = load(filename) if _exists(filename) else {}
        stored[name] = snap
        save(stored, filename)
    else:
        net._snapshots[name] = snap


def restore(net, name: str = "default", filename: Optional[str] = None) -> None:
    from .codegen.errors import ModelError
    net._sync()
    stored = load(filename) if filename is not None else net._snapshots
    if name not in stored:
        raise ModelError(f"no stored state named '{name}'"
                         + (f" in {filename}" if filename else "") + "; stored: "
                         + (", ".join(sorted(stored)) or "none"), where="Network.restore",
                         symbol=name)
    apply(net, stored[name])


def _exists(filename: str) -> bool:
    import os
    return os.path.exists(filename)
