"""SPAIC's ``save_state`` and ``state_from_dict``: the weights and the neuron state of a
network, in an HDF5 file of pyspike's own format (written and read with h5py: no pickle,
no torch file, so reading a file runs no code).

``save_state(net, "trained")`` writes ``./trained/parameters/_parameters_dict.hdf5``
(SPAIC's folders; ``direct=`` is the folder above); ``save=False`` gives the same content
as a dict instead.  ``state_from_dict(net, filename="trained")`` (or ``state=`` that
dict) puts it back.  A network built from the same code, given the state, runs bit for
bit as the network that saved it would have run on.

Format ``pyspike.spaic.state``, version 1.  The root's attributes: ``format``,
``version``, ``pyspike`` (the version that wrote it), ``network`` (its name), ``dt`` (ms),
``has_state`` (1 when the network was built: then also ``batch``, the samples it was
built for, and ``step``, its time step count; a network that a gradient learner runs as
a torch graph keeps no neuron state from run to run, and saves and loads none).  Entries
are named by the path of keys from the network to the member (``sub.layer``; a ``.``,
``/`` or ``%`` inside a key is written ``%2E``, ``%2F``, ``%25``; a projection's
connection is ``<projection>.<pre>-><post>``):

- ``/connections/<path>/weight``: float64 (post, pre), SPAIC's weight matrix;
- ``/connections/<path>/mask``: uint8 (post, pre), 1 where a synapse exists;
- ``/connections/<path>/synapses/<name>`` (with a state): every other per-synapse array
  (a learning rule's traces), (batch, synapses), synapses ordered by pre, then post;
- ``/groups/<path>/<name>`` (with a state): every array of each NeuronGroup (variables,
  ``lastspike`` int32 steps, ``not_refractory`` uint8), (batch, neurons).

Loading checks, before changing anything: the format and version; that the file names
exactly the network's connections (and, with a state, its groups and their arrays); every
array's shape and dtype; the masks (a file cannot change which pairs are connected);
that weights are finite.  Anything else is refused with a ModelError naming the entry.
"""
from __future__ import annotations

import contextlib
import os
import secrets
from typing import Dict, Optional, Tuple, Union

import numpy as np

from ..codegen.errors import ModelError

FORMAT = "pyspike.spaic.state"
VERSION = 1
FILE_NAME = "_parameters_dict.hdf5"
_NUMBERS = "biuf"          # bool, integer, unsigned, float: the dtypes a file may hold


# -- names of members ---------------------------------------------------------------------
def entry_name(path: Tuple[str, ...]) -> str:
    """The name of a member's entry: its keys, escaped, joined by ``.``."""
    return ".".join(k.replace("%", "%25").replace(".", "%2E").replace("/", "%2F")
                    for k in path)


def paths(net) -> Tuple[Dict[int, tuple], Dict[int, tuple], Dict[int, tuple]]:
    """(members, connections, assemblies): the path of keys from ``net`` to each, by
    ``id``, the first path found depth first (members: groups and nodes)."""
    members: Dict[int, tuple] = {}
    cons: Dict[int, tuple] = {}
    asms: Dict[int, tuple] = {id(net): ()}

    def visit(asm, prefix: tuple) -> None:
        for key, m in asm.members("groups").items():
            if getattr(m, "is_terminal", False):
                members.setdefault(id(m), prefix + (key,))
            elif id(m) not in asms:
                asms[id(m)] = prefix + (key,)
                visit(m, prefix + (key,))
        for key, c in asm.members("connections").items():
            cons.setdefault(id(c), prefix + (key,))
        for key, proj in asm.members("projections").items():
            for c in proj.connections():
                cons.setdefault(id(c), prefix + (key, f"{c.pre.name}->{c.post.name}"))

    visit(net, ())
    return members, cons, asms


def _connections(net, low) -> list:
    """The connections that run (those of the build), each once."""
    cons = low.connections if low is not None else net.shown_connections()
    return list({id(c): c for c in cons}.values())


def _arrays(low) -> Dict[str, Dict[str, np.ndarray]]:
    """Every element array of the compiled network, by pyspike object, then name
    (views: writing into one changes the state)."""
    state = low.ps_net.state
    out: Dict[str, Dict[str, np.ndarray]] = {}
    for key in list(state):
        owner, _, name = key.rpartition(".")
        out.setdefault(owner, {})[name] = state[key]
    return out


# -- collect and write --------------------------------------------------------------------
def collect(net) -> dict:
    """The state of ``net`` as a dict (the content of a state file)."""
    import pyspike
    low = net.built          # (None: not built, changed since, or run as a torch graph)
    members, con_paths, _ = paths(net)
    state = {"format": FORMAT, "version": VERSION, "pyspike": pyspike.__version__,
             "network": net.name or "", "dt": float(net.dt), "has_state": int(low is not None),
             "connections": {}, "groups": {}}
    arrays = _arrays(low) if low is not None else {}
    if low is not None:
        state["batch"], state["step"] = int(low.batch), int(low.ps_net.step)
        state["init_draws"] = int(low.ps_net.init_draws)   # (host draws: encoders' starts)
    for con in _connections(net, low):
        entry = {"weight": np.array(con.weight, dtype=np.float64),
                 "mask": np.asarray(con.mask, dtype=np.uint8).copy()}
        if low is not None:
            syn = arrays.get(low.ps_of(con).name, {})
            entry["synapses"] = {k: v.reshape(low.batch, -1).copy()
                                 for k, v in syn.items() if k != "w"}
        state["connections"][entry_name(con_paths[id(con)])] = entry
    if low is not None:
        for g in (g for g in low.groups if id(g) in low.initial):    # (NeuronGroups)
            state["groups"][entry_name(members[id(g)])] = {
                k: v.reshape(low.batch, -1).copy()
                for k, v in arrays[low.ps_of(g).name].items()}
    return state


@contextlib.contextmanager
def atomic(path: str):
    """A temporary file beside ``path`` that replaces it once written (an interrupted save
    leaves the previous file as it was)."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(4)}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_file(path: str, state: dict) -> None:
    """``state`` into the HDF5 file ``path``."""
    import h5py
    with atomic(path) as tmp:
        with h5py.File(tmp, "w") as f:
            f.attrs.update({k: v for k, v in state.items() if not isinstance(v, dict)})
            _write(f, {k: v for k, v in state.items() if isinstance(v, dict)})


def _write(group, entries: dict) -> None:
    for key, value in entries.items():
        if isinstance(value, dict):
            _write(group.create_group(key), value)
        else:
            group.create_dataset(key, data=value)


def state_path(filename: Optional[str], direct: Optional[str], default: str) -> str:
    """SPAIC's place for a state: ``<direct>/<filename>/parameters/`` (a filename of an
    ``.hdf5``/``.h5`` file that exists is that file)."""
    if filename and str(filename).endswith((".hdf5", ".h5")):
        given = os.path.join(direct or ".", filename)
        if os.path.isfile(given):
            return given
    stem = str(filename or default).split(".")[0]
    return os.path.join(direct or ".", stem, "parameters", FILE_NAME)


def save_state(net, filename: Optional[str] = None, direct: Optional[str] = None,
               save: bool = True, hdf5: bool = True) -> Union[str, dict]:
    """SPAIC's ``Net.save_state``: the weights of every connection and, once the network is
    built, the state of every neuron group, into
    ``<direct>/<filename>/parameters/_parameters_dict.hdf5`` (default filename: the
    network's name, else ``"autoname"``); gives the file's path.  ``save=False`` writes
    nothing and gives the state as a dict (for ``state_from_dict(state=...)``).  ``hdf5``
    is taken for SPAIC's signature: the file is always HDF5 (pyspike writes no torch
    ``.pt`` files).  The format is the module's doc."""
    state = collect(net)
    if not save:
        return state
    path = state_path(filename, direct, net.name or "autoname")
    write_file(path, state)
    return path


def as_lists(state: dict) -> dict:
    """The weights of a state as plain lists, by entry (a combined network file):
    ``weight`` (post, pre), and ``mask`` (0/1) where not every pair is joined."""
    return {name: {k: (v.astype(int) if k == "mask" else v).tolist()
                   for k, v in e.items() if k == "weight" or (k == "mask" and not v.all())}
            for name, e in state["connections"].items()}


def from_lists(weights, where: str) -> dict:
    """A state of weights only from :func:`as_lists`' form, else refused."""
    cons = {}
    for name, e in (weights.items() if isinstance(weights, dict) else ()):
        try:
            w = np.asarray(e["weight"], dtype=np.float64)
            cons[name] = {"weight": w, "mask": np.asarray(e.get("mask", np.ones(w.shape)),
                                                          dtype=np.uint8)}
        except (TypeError, ValueError, KeyError, AttributeError, OverflowError):
            raise _refuse(f"the weights of '{name}' are not a matrix of numbers", where,
                          str(name)) from None
    return {"format": FORMAT, "version": VERSION, "has_state": 0, "connections": cons,
            "groups": {}}


# -- read and check -----------------------------------------------------------------------
def _refuse(message: str, where: str, symbol: Optional[str] = None):
    return ModelError(message, where=where, symbol=symbol)


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def check_kind(attrs, what: str, where: str, fmt: str = FORMAT, version: int = VERSION):
    """The format and version, before anything else is read."""
    if not hasattr(attrs, "get") or _text(attrs.get("format")) != fmt:
        found = _text(attrs.get("format")) if hasattr(attrs, "get") else None
        raise _refuse(f"{what} is not a SPAIC {fmt.rpartition('.')[2]} saved by pyspike "
                      f"(its format is {found!r}, not {fmt!r})", where, "format")
    given = attrs.get("version")
    if not isinstance(given, (int, np.integer)) or int(given) != version:
        raise _refuse(f"{what} was written in version {_text(given)} of the format {fmt!r}; "
                      f"this pyspike reads version {version} only", where, "version")


def read_file(path: str, where: str = "state_from_dict") -> dict:
    """The content of a state file, its format and version checked (shapes are checked
    against a network by :func:`check`)."""
    import h5py
    if not os.path.isfile(path):
        raise _refuse(f"there is no state file '{path}' (save_state writes "
                      f"<direct>/<filename>/parameters/{FILE_NAME})", where, str(path))
    try:
        with h5py.File(path, "r") as f:
            state = {k: (v.item() if isinstance(v, np.generic) else v)
                     for k, v in f.attrs.items()}
            check_kind(state, f"the file '{path}'", where)
            for kind in ("connections", "groups"):
                state[kind] = {name: _read_entry(g, f"{kind}/{name}", where)
                               for name, g in f.get(kind, {}).items()}
    except ModelError:
        raise
    except Exception as err:               # h5py reports damage as OSError, KeyError, ...
        raise _refuse(f"cannot read the state file '{path}': it is not a complete HDF5 "
                      f"file (truncated or damaged?): {err}", where, str(path)) from None
    return state


def _read_entry(group, what: str, where: str) -> dict:
    import h5py
    if not isinstance(group, h5py.Group):
        raise _refuse(f"the entry {what} is not a group of arrays", where, what)
    out = {}
    for key, obj in group.items():
        if isinstance(obj, h5py.Group):
            out[key] = _read_entry(obj, f"{what}/{key}", where)
        elif obj.dtype.kind not in _NUMBERS:
            raise _refuse(f"the entry {what}/{key} holds {obj.dtype}, not numbers", where,
                          f"{what}/{key}")
        else:
            out[key] = np.asarray(obj[()])
    return out


def _array(entry, key: str, what: str, shape: tuple, dtype, where: str) -> np.ndarray:
    """``entry[key]``: an array of ``shape`` and ``dtype``, else refused."""
    value = entry.get(key) if isinstance(entry, dict) else None
    name = f"{what}/{key}"
    if not isinstance(value, np.ndarray):
        raise _refuse(f"the state has no array {name}", where, name)
    if value.shape != tuple(shape) or value.dtype != np.dtype(dtype):
        raise _refuse(f"{name} is {value.dtype} of shape {value.shape}; this network's is "
                      f"{np.dtype(dtype)} of shape {tuple(shape)}", where, name)
    return value


def _same_names(found, wanted, what: str, where: str) -> None:
    found = set(found) if isinstance(found, dict) else set()
    for name in sorted(set(wanted) - found):
        raise _refuse(f"the state has no {what} '{name}', which this network has", where, name)
    for name in sorted(found - set(wanted)):
        raise _refuse(f"the state has a {what} '{name}', which this network does not have",
                      where, name)


def check(net, state, where: str = "state_from_dict", set_masks: bool = False):
    """The changes ``state`` makes to ``net``, checked: [(connection, weight, mask)], and
    with a neuron state [(array, value)] and the step (else None)."""
    if not isinstance(state, dict):
        raise _refuse(f"state must be the dict save_state(save=False) gives, not "
                      f"{type(state).__name__}", where, "state")
    check_kind(state, "the state", where)
    members, con_paths, _ = paths(net)
    low = None
    if state.get("has_state"):
        _check_fits(net, state, where)
        net.build()                          # (keeps the weights; builds if it changed)
        low = net.built
        if int(state["batch"]) != low.batch:
            raise _refuse(f"the state is of a batch of {state['batch']} sample(s); this "
                          f"network is built for {low.batch} (give its encoders a batch "
                          f"of {state['batch']} before loading)", where, "batch")
    cons = {entry_name(con_paths[id(c)]): c for c in _connections(net, low)}
    _same_names(state.get("connections"), cons, "connection", where)
    weights, writes = [], []
    arrays = _arrays(low) if low is not None else {}
    for name, con in cons.items():
        entry, what = state["connections"][name], f"connections/{name}"
        w = _array(entry, "weight", what, con.shape, np.float64, where)
        mask = _array(entry, "mask", what, con.shape, np.uint8, where).astype(bool)
        if not np.all(np.isfinite(w)):
            raise _refuse(f"{what}/weight holds NaN or infinite values", where, what)
        if set_masks and con.link_type == "full" and not mask.all():
            raise _refuse(f"{what}/mask leaves out pairs of a 'full' connection", where, what)
        if not set_masks and not np.array_equal(mask, con.mask):
            raise _refuse(f"the connection '{name}' of the state joins other pairs of neurons "
                          "than this network's (network_load rebuilds a network with the "
                          "saved pairs)", where, name)
        weights.append((con, w, mask))
        if low is not None:
            syn = {k: v for k, v in arrays.get(low.ps_of(con).name, {}).items() if k != "w"}
            writes += _writes(entry.get("synapses"), syn, f"{what}/synapses", low.batch,
                              where)
    if low is not None:
        groups = {entry_name(members[id(g)]): g for g in low.groups if id(g) in low.initial}
        _same_names(state.get("groups"), groups, "neuron group", where)
        for name, g in groups.items():
            writes += _writes(state["groups"][name], arrays[low.ps_of(g).name],
                              f"groups/{name}", low.batch, where)
    return weights, (writes, int(state["step"]),
                     int(state.get("init_draws", low.ps_net.init_draws))) \
        if low is not None else None


def _check_fits(net, state, where: str) -> None:
    learner = net.gradient_learner()       # (a torch graph: no neuron state to set)
    if learner is not None:
        name = next(iter(state.get("groups") or {}), "")
        raise _refuse(f"the state holds the neuron state of '{name}', which a network trained "
                      f"by the gradient learner '{learner.algorithm}' (one torch graph, each run "
                      "from the initial state) cannot take; its weights alone load with "
                      "state=dict(state, has_state=0)", where, name)
    step, draws = state.get("step"), state.get("init_draws", 0)
    if not isinstance(step, (int, np.integer)) or int(step) < 0 or \
            not isinstance(draws, (int, np.integer)) or int(draws) < 0 or \
            not isinstance(state.get("batch"), (int, np.integer)) or int(state["batch"]) < 1:
        raise _refuse("the state's step or batch is not a whole number", where, "step")
    dt = state.get("dt")
    if not isinstance(dt, (int, float, np.integer, np.floating)) or float(dt) != net.dt:
        raise _refuse(f"the neuron state was saved at dt = {state.get('dt')} ms; this "
                      f"network runs at dt = {net.dt} ms", where, "dt")


def _writes(entry, arrays: Dict[str, np.ndarray], what: str, batch: int, where: str):
    _same_names(entry, arrays, f"array of {what}", where)
    return [(target, _array(entry, k, what, (batch, target.size // batch), target.dtype,
                            where).reshape(target.shape))
            for k, target in arrays.items()]


def apply(net, state, where: str = "state_from_dict", set_masks: bool = False) -> None:
    """Check ``state`` against ``net`` (:func:`check`), then put it in place; with
    ``set_masks`` (a new network, network_load), the pairs come from the state too, set
    before the network is built for the neuron state."""
    if set_masks:
        for con, w, mask in check(net, dict(state, has_state=0), where, True)[0]:
            con.mask, con.weight = mask, w
        if not state.get("has_state"):
            return
    weights, neurons = check(net, state, where)
    for con, w, _ in weights:
        con.weight = w
    if neurons is not None:
        writes, step, draws = neurons
        for target, value in writes:
            target[...] = value
        net.built.ps_net.step, net.built.ps_net.init_draws = step, draws


def state_from_dict(net, state=None, filename: Optional[str] = None,
                    direct: Optional[str] = None, device=None) -> None:
    """SPAIC's ``Net.state_from_dict``: put back a state of :func:`save_state`, given as
    ``state`` (its dict) or read from ``<direct>/<filename>/parameters/``.  The weights
    go into the connections; a neuron state (saved from a built network) needs the
    network built for the same batch and dt (it is built here when it is not; a network
    trained by a gradient learner takes none) and sets every group's arrays and the time
    step.  ``device`` is taken for SPAIC's signature (the backend chosen with ``build``
    decides).  Refused, changing nothing: a state of another format or version, a
    truncated file, an entry that does not fit."""
    if state is None or state is False:
        state = read_file(state_path(filename, direct, net.name or "autoname"))
    apply(net, state)
