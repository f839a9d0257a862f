"""Checkpoints: a run's complete state in one file, and the network rebuilt from it.

``net.checkpoint(path)`` writes, and ``ps.Network.from_checkpoint(path)`` reads, a
snapshot file (:mod:`pyspike.snapshot_file`: an ``.npz`` archive that cannot run code,
every array checksummed, written to a temporary file that replaces ``path`` only once
complete, so that a crash during a write leaves the previous checkpoint valid) holding

- ``snapshot``: the state as ``net.store`` keeps it (:mod:`pyspike.store`): every
  variable and parameter, the spikes in flight, the monitors' recordings and the time
  step, which is also the position of the random streams;
- ``checkpoint``: what the state belongs to: the format and its version, the network's
  time step, precision, seeds and the digest of its description (the equations,
  thresholds, connections and monitors that the generated code depends on), and, for a
  network made from a model file (:mod:`pyspike.model_file`, as ``pyspike run`` does),
  that file's path and SHA-256, the build arguments and the ``--set`` settings.

A checkpoint holds the state, not the code: the network is built again and the state put
back.  ``from_checkpoint`` rebuilds it from the model file the checkpoint names (refused if
the file has changed since); a network made in Python has no such file, and
``from_checkpoint(path, build=make_network)`` calls ``make_network()`` to build it.  A
checkpoint that does not fit the network built (another model, other sizes, another time
step, precision or seed) is refused with a sentence saying what differs, as is a truncated
or damaged file, before anything of it is applied.  The state of Python functions (network
operations) and anything else outside the network is not part of a checkpoint.
"""
from __future__ import annotations

import hashlib
import os
from typing import Callable, Optional

from .codegen.errors import ModelError
from . import model_file, snapshot_file, store, synapse_delays

FORMAT = "pyspike-checkpoint"
VERSION = 1


def write(net, path, results: Optional[dict] = None) -> None:
    """Write ``net``'s checkpoint into ``path`` (atomically: see the module's doc);
    ``results``: where the run's results file stands (``pyspike run --out``: its path and
    the parts of it written so far, :mod:`pyspike.results_stream`).

    >>> import os, tempfile
    >>> import pyspike as ps
    >>> def make():
    ...     net = ps.Network(dt=0.1, seed=3, backend="numpy")
    ...     with net:
    ...         G = ps.NeuronGroup(2, ps.NeuronModel("dv/dt = xi/sqrt(10.0) : 1"), name="G")
    ...     return net
    >>> net = make(); net.run(1.0)
    >>> path = os.path.join(tempfile.mkdtemp(), "run.ckpt")
    >>> net.checkpoint(path)
    >>> net.run(1.0)
    >>> again = ps.Network.from_checkpoint(path, build=make)
    >>> again.t, again.run(1.0)
    (1.0, None)
    >>> bool((again.state["G.v"] == net.state["G.v"]).all())
    True
    """
    net._sync()
    content = {"checkpoint": {"format": FORMAT, "version": VERSION,
                              "network": identity(net), "origin": model_file.origin(net),
                              "results": results},
               "snapshot": synapse_delays.plain(store.snapshot(net))}
    snapshot_file.write(os.fspath(path), content, where="Network.checkpoint")


def read(path) -> dict:
    """The checkpoint in ``path`` (``checkpoint``: its description; ``snapshot``: the
    state), refused with a ModelError if it is not one or is damaged."""
    path = os.fspath(path)
    where = "Network.from_checkpoint"
    try:
        content = snapshot_file.read(path, where)
    except ModelError as err:        # (named as what it is here: a checkpoint)
        raise ModelError(err.message.replace("the snapshot file", "the checkpoint", 1),
                         where=where) from None
    meta = content.get("checkpoint") if type(content) is dict else None
    if type(meta) is not dict or meta.get("format") != FORMAT or \
            type(content.get("snapshot")) is not dict:
        raise ModelError(f"'{path}' is not a pyspike checkpoint (a snapshot file of "
                         "net.store is read with net.restore(filename=...))", where=where)
    if meta.get("version") != VERSION:
        raise ModelError(f"the checkpoint '{path}' is in version {meta.get('version')!r} of "
                         f"the checkpoint format, and this pyspike reads version {VERSION}",
                         where=where)
    if type(meta.get("network")) is not dict or \
            not (meta.get("origin") is None or type(meta.get("origin")) is dict):
        raise ModelError(f"the checkpoint '{path}' is damaged (its description is not "
                         "readable)", where=where)
    return content


def identity(net) -> dict:
    """What a checkpoint's state belongs to: the time step, precision, seeds, the names
    of the objects and the digest of the network's description."""
    return {"dt": float(net.dt), "precision": net.precision,
            "seeds": [int(s) for s in net.seeds], "batch": net.batch,
            "backend": net.backend.name,
            "objects": [[type(o).__name__, str(getattr(o, "name", ""))] for o in net.objects],
            "description": hashlib.sha256(net._spec().key().encode()).hexdigest()}


def load(network_class: type, path, build: Optional[Callable] = None):
    """The network of the checkpoint in ``path``, built again (by ``build()``, else from
    the model file the checkpoint names) and at the checkpoint's state."""
    path = os.fspath(path)
    content = read(path)
    origin = content["checkpoint"]["origin"]
    if build is not None:
        net = build()
        if not isinstance(net, network_class):
            raise ModelError(f"build= of from_checkpoint returned {type(net).__name__}, not "
                             "a Network", where="Network.from_checkpoint")
    elif origin is None:
        raise ModelError(f"the checkpoint '{path}' was written by a network made in Python, "
                         "not from a model file: give from_checkpoint a function that builds "
                         "the same network (build=...)", where="Network.from_checkpoint")
    else:
        model = model_file.load(str(origin.get("model")))
        _same_model(model.sha256, origin, path)
        net = model_file.build(model, dict(origin.get("arguments") or {}),
                               list(origin.get("settings") or ()), network_class)
    restore(net, content, path)
    return net


def resume(net, path) -> Optional[dict]:
    """Put ``net`` (built again from the same model file and arguments, as ``pyspike run
    --resume`` does) at the state of the checkpoint in ``path``, once checked to be the
    network's: the same model file and settings, and the same network.  Returns the
    checkpoint's ``results`` record (see :func:`write`)."""
    path = os.fspath(path)
    content = read(path)
    stored, now = content["checkpoint"]["origin"], model_file.origin(net)
    if stored is not None and now is not None:
        _same_model(now["sha256"], stored, path)
        if stored.get("settings") != now["settings"]:
            raise ModelError(f"the checkpoint '{path}' was written by a run with "
                             f"{_settings(stored.get('settings'))}, and this one has "
                             f"{_settings(now['settings'])}: give the same, or start again "
                             "without --resume", where="--resume", symbol="--set")
    restore(net, content, path)
    results = content["checkpoint"].get("results")
    return results if type(results) is dict else None


def restore(net, content: dict, path: str) -> None:
    """Check that a checkpoint read by :func:`read` fits ``net``, then apply it."""
    stored, now = content["checkpoint"]["network"], identity(net)
    where = "Network.from_checkpoint"
    for key, what in (("dt", "time step"), ("precision", "precision"), ("seeds", "seed"),
                      ("batch", "batch")):
        if stored.get(key) != now[key]:
            raise ModelError(f"the checkpoint '{path}' was written by a network with "
                             f"{what} {_show(stored.get(key))}, and this one has "
                             f"{_show(now[key])}", where=where)
    if stored.get("objects") != now["objects"] or stored.get("description") != \
            now["description"]:
        raise ModelError(f"the checkpoint '{path}' was written by another network: its "
                         "groups, synapses, monitors or equations differ from this one's "
                         "(the model has changed since)", where=where)
    net._sync()
    store.apply_checked(net, content["snapshot"], f"the checkpoint '{path}'")


def _same_model(digest: str, origin: dict, path: str) -> None:
    if origin.get("sha256") != digest:
        raise ModelError(f"the model file '{origin.get('model')}' has changed since the "
                         f"checkpoint '{path}' was written (its SHA-256 differs): restore "
                         "the file as it was, or start the run again", where="checkpoint")


def _show(value) -> str:
    return "none" if value is None else str(value)


def _settings(settings) -> str:
    return " ".join(f"--set {s}" for s in settings) if settings else "no --set"
