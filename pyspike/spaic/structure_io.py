"""SPAIC's ``network_save`` and ``network_load``: a network's structure as JSON or YAML
(read by ``json.loads`` or ``yaml.safe_load``: no pickle, no Python objects), its weights
and state in :mod:`pyspike.spaic.saving`'s HDF5 file beside it (``network_save(Net, "n",
path=".")`` writes ``./n/n.json`` or ``.yml``, and ``./n/parameters/``).

Format ``pyspike.spaic.network``, version 1: ``{format, version, pyspike, network,
weights, complete: true}`` (``complete`` last: a file cut short is refused).  ``weights``:
null, the HDF5 file's path from the description's folder, or (``combine``) ``{entry:
{"weight": (post, pre) lists, "mask": 0/1 lists where not every pair is joined}}`` by the
state file's entry names.  ``network``, an assembly: ``kind``, ``key``, ``name``,
``type``, ``hidden``, ``members``, ``connections``, ``projections``, ``learners``,
``monitors`` (the network adds ``class``, ``backend`` {name, dt, precision}, ``seed``,
``training``).  A member is named by its path of keys from the network (``["sub", "a"]``),
a connection by ``{"connection": path}`` (a projection's: its path, then ``"pre->post"``).
Entries (each with ``key``, ``name``; ``position`` if any): ``NeuronGroup``: ``num``, ``shape``,
``model`` (a library name or the text: equations, update, threshold, reset, refractory, method,
params, init, events, name, doc), ``params``, ``parameter_variables``, ``variable_ranges``;
``Encoder``/``Generator``: ``num``, ``shape``, ``coding_method``, ``coding_var_name``, ``options``;
``Decoder``/``Reward``/``Action``: those and ``dec_target``, ``seed``; a connection: ``pre``,
``post``, ``link_type``, ``syn_type``, ``syn_kwargs``, ``max_delay``, ``sparse_with_mask``,
``pre_var_name``, ``post_var_name``, ``options`` (an initialiser: ``{"initializer": name, "args":
{...}}``); a projection: ``pre``, ``post``, ``policies``, ``options``; a learner: ``algorithm``,
``trainable`` (references), ``reward``, ``options`` (a gradient learner's: ``alpha``, sbp's
``surrogate_func``; and its ``optim_name``, ``optim_lr``, ``optim_para``, ``lr_schedule_name``,
``lr_schedule_para``: structure_learners.py); a monitor: ``kind``, ``target``, ``var_name``,
``index``, ``dt``, ``get_grad``, ``nbatch``.
"""
from __future__ import annotations

import difflib
import json
import os
import warnings
from typing import Optional, Union

import numpy as np

from ..codegen.errors import ModelError
from ..model import NeuronModel
from ..models import neurons as library
from . import context, saving, structure_learners, structure_links
from .assembly import Assembly
from .connections import (LINK_TYPES, REGISTERED, Connection, ExcludedTypePolicy,
                          IncludedTypePolicy, IndexConnectPolicy, Projection)
from .initializers import INITIALIZERS, BaseInitializer
from .monitors import SpikeMonitor, StateMonitor
from .network import Backend, Network, Torch_Backend
from .neurons import NeuronGroup
from .nodes import Encoder, Generator
from .outputs import Action, Decoder, Reward

FORMAT = "pyspike.spaic.network"
VERSION = 1
_KINDS = {"NeuronGroup": NeuronGroup, "Generator": Generator, "Encoder": Encoder,
          "Decoder": Decoder, "Reward": Reward, "Action": Action}
_OUTPUTS = ("Decoder", "Reward", "Action")
_POLICIES = {"IncludedTypePolicy": IncludedTypePolicy, "ExcludedTypePolicy":
             ExcludedTypePolicy, "IndexConnectPolicy": IndexConnectPolicy}
_MONITORS = {"StateMonitor": StateMonitor, "SpikeMonitor": SpikeMonitor}
_MODEL_TEXT = ("name", "doc", "equations", "update", "threshold", "reset", "refractory",
               "method", "params", "init", "events")
_CON_ARGS = ("name", "link_type", "syn_type", "max_delay", "sparse_with_mask",
             "pre_var_name", "post_var_name", "syn_kwargs")
_MON_ARGS = ("name", "var_name", "index", "dt", "get_grad", "nbatch")


def _error(message: str, where: str, symbol: Optional[str] = None) -> ModelError:
    return ModelError(message, where=where, symbol=symbol)


def plain(value, what: str):
    """``value`` as JSON/YAML data (numbers, strings, lists, dicts), else refused."""
    if isinstance(value, BaseInitializer):
        return {"initializer": value.name, "args": plain(value.params(), what)}
    value = value.tolist() if isinstance(value, (np.ndarray, np.generic)) else value
    if value is None or isinstance(value, (bool, str, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [plain(v, what) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: plain(v, f"{what}['{k}']") for k, v in value.items()}
    raise _error(f"{what} is a {type(value).__name__}, which a network file cannot hold "
                 "(numbers, strings, lists and dicts of them, initialisers)",
                 "network_save", what)


# -- describe -----------------------------------------------------------------------------
class _Describer:
    def __init__(self, net):
        members, self.cons, asms = saving.paths(net)
        self.others = {**asms, **members}

    def ref(self, obj, what: str):
        con = isinstance(obj, Connection)
        path = (self.cons if con else self.others).get(id(obj))
        if path is None:
            raise _error(f"{what} refers to '{getattr(obj, 'name', obj)}', which is not part "
                         "of the network", "network_save", str(getattr(obj, "name", "")))
        return {"connection": list(path)} if con else list(path)

    def assembly(self, asm, key) -> dict:
        ref, of = self.ref, lambda kind: asm.members(kind).items()
        return {
            "kind": "Assembly", "key": key, "name": asm.name, "type": list(asm.type),
            "hidden": bool(asm.hidden),
            "members": [self.member(m, k) if m.is_terminal else self.assembly(m, k)
                        for k, m in of("groups")],
            "connections": [{
                "key": k, **{a: plain(getattr(c, a), k) for a in _CON_ARGS},
                "pre": ref(c.pre, k), "post": ref(c.post, k),
                "options": plain({o: v for o, v in c.kwargs.items()   # weights: not here
                                  if o != "weight" or isinstance(v, BaseInitializer)}, k)}
                for k, c in of("connections")],
            "projections": [{
                "key": k, "name": p.name, "pre": ref(p.pre, k), "post": ref(p.post, k),
                "policies": [self.policy(x, k) for x in p.policies],
                "options": plain(p.connection_kwargs, k)} for k, p in of("projections")],
            "learners": [self.learner(lr, k) for k, lr in of("learners")],
            "monitors": [{
                "kind": type(mon).__name__, "key": k, "target": ref(mon.target, k),
                **{a: plain(getattr(mon, a), k) for a in _MON_ARGS}}
                for k, mon in of("monitors")]}

    def member(self, g, key) -> dict:
        kind = next((k for k, c in _KINDS.items() if type(g) is c), None)
        if kind is None:
            raise _error(f"the member '{key}' is a {type(g).__name__}, which network_save "
                         f"does not know ({', '.join(_KINDS)}, Assembly)", "network_save", key)
        num = g.num or None                   # (an encoder that waits for its data: 0)
        out = {"kind": kind, "key": key, "name": g.name, "type": list(g.type),
               "hidden": bool(g.hidden), "num": num, "shape": list(g.shape) if num else None,
               **structure_links.member_extras(g)}
        if kind == "NeuronGroup":
            model = g.model_name                      # a library model by its name
            if model not in library or library[model] is not g.model:
                if g.model.extensions or g.model.functions:
                    raise _error(f"the model of '{key}' has synaptic extensions or "
                                 "TimedArrays: no text holds them", "network_save", key)
                model = {f: plain(getattr(g.model, f), key) for f in _MODEL_TEXT}
            return dict(out, model=model, params=plain(g.params, key),
                        parameter_variables=list(g.parameter_variables),
                        variable_ranges=plain(g.variable_ranges, key))
        out.update(coding_method=g.coding_method, coding_var_name=g.coding_var_name,
                   options=plain(g.kwargs, f"the options of '{key}'"))
        if kind in _OUTPUTS:
            out.update(dec_target=self.ref(g.dec_target, key), seed=plain(g.seed, key))
        return out

    def learner(self, lr, key) -> dict:
        return structure_learners.describe(lr, key, self.ref, plain)

    @staticmethod
    def policy(p, key) -> dict:
        name = type(p).__name__
        if _POLICIES.get(name) is not type(p):
            raise _error(f"the projection '{key}' has a policy {name}, which network_save "
                         "does not know", "network_save", key)
        args = {"pre_indexs": [a for a, _ in p.pairs], "post_indexs": [b for _, b in p.pairs]} \
            if name == "IndexConnectPolicy" else {"pre_types": p.pre_types,
                                                  "post_types": p.post_types}
        return {"policy": name, **plain(args, key)}


def network_save(Net, filename: Optional[str] = None, path: Optional[str] = None,
                 trans_format: str = "json", combine: bool = False, save: bool = True,
                 save_weight: bool = True) -> Union[str, dict]:
    """SPAIC's ``network_save``: write ``<path>/<filename>/<filename>.json`` (or ``.yml``)
    and, with ``save_weight``, the weights and state in ``parameters/`` beside it (or, with
    ``combine``, in it); gives ``filename`` (``save=False``: the description)."""
    if trans_format not in ("json", "yaml"):
        raise _error(f"trans_format must be 'json' or 'yaml', not {trans_format!r}",
                     "network_save", str(trans_format))
    import pyspike
    top = _Describer(Net).assembly(Net, None)
    top.update({"kind": "Network", "class": type(Net).__name__, "training": Net.training,
                "backend": {"name": Net.backend.name, "dt": Net.dt,
                            "precision": Net.backend.precision},
                "seed": plain(Net.seed, "the network's seed")})
    doc = {"format": FORMAT, "version": VERSION, "pyspike": pyspike.__version__,
           "network": top, "weights": None}
    if save_weight and combine:
        doc["weights"] = saving.as_lists(saving.collect(Net))
    if not save:
        return doc
    stem = str(filename or Net.name or "autoname").split(".")[0]
    if save_weight and not combine:
        saving.save_state(Net, stem, direct=path or ".")
        doc["weights"] = f"parameters/{saving.FILE_NAME}"
    doc["complete"] = True
    import yaml
    text, ends = (json.dumps(doc, indent=1), ".json") if trans_format == "json" else \
        (yaml.safe_dump(doc, sort_keys=False), ".yml")
    with saving.atomic(os.path.join(path or ".", stem, stem + ends)) as tmp, \
            open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    return stem


# -- load ---------------------------------------------------------------------------------
def read_description(filename: str, path: Optional[str] = None) -> tuple:
    """(file, description) of ``<path>/<filename>/<filename>[.json|.yml]``, checked."""
    import yaml
    folder = os.path.join(path or ".", str(filename).split(".")[0])
    found = [f for e in ("", ".json", ".yml", ".yaml")
             if os.path.isfile(f := os.path.join(folder, filename + e))]
    if not found:
        raise _error(f"there is no network file '{filename}' in '{folder}' (network_save "
                     "writes <path>/<filename>/<filename>.json or .yml)", "network_load",
                     str(filename))
    try:
        with open(found[0], encoding="utf-8") as f:
            text = f.read()
        doc = json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as err:
        raise _error(f"cannot read the network file '{found[0]}': it is not complete JSON or "
                     f"YAML of plain data (truncated or damaged?): {err}", "network_load",
                     str(filename)) from None
    what = f"the network file '{found[0]}'"
    saving.check_kind(doc, what, "network_load", FORMAT, VERSION)
    if doc.get("complete") is not True or not isinstance(doc.get("network"), dict):
        raise _error(f"{what} ends early (truncated?): no 'complete: true'", "network_load")
    return found[0], doc


def _made(what: str, make, *args, **kwargs):
    """``make(*args, **kwargs)``; a refusal names the entry of the file."""
    try:
        return make(*args, **kwargs)
    except ModelError as err:
        raise _error(f"{what} of the file: {err.message}", "network_load", err.symbol) from None
    except (TypeError, ValueError, KeyError, AttributeError) as err:
        raise _error(f"{what} of the file is not valid: {err}", "network_load") from None


def _known(table, name, what: str, kind: str):
    """``table[name]``, or refused naming the closest names."""
    if isinstance(name, str) and name in table:
        return table[name]
    like = difflib.get_close_matches(str(name), list(table), n=3) or list(table)
    raise _error(f"{what} names the {kind} {name!r}, which pyspike does not have (it has "
                 f"{', '.join(like)}{', ...' if len(like) < len(table) else ''})",
                 "network_load", str(name))


def _options(d, what: str) -> dict:
    """Keyword arguments from a description's ``options`` (initialisers made)."""
    if not isinstance(d, (dict, type(None))):
        raise _error(f"the options of {what} are not a mapping", "network_load", what)
    out = dict(d or {})
    for k, v in out.items():
        if isinstance(v, dict) and set(v) == {"initializer", "args"}:
            out[k] = _made(what, _known(INITIALIZERS, v["initializer"], what, "initialiser"),
                           **_options(v["args"], what))
    return out


def _entries(entry: dict, key: str) -> list:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(
            isinstance(e, dict) and isinstance(e.get("key"), str) and e["key"]
            and not e["key"].startswith("_") for e in value):
        raise _error(f"the '{key}' of '{entry.get('key')}' are not a list of entries, each "
                     "with a key (a name)", "network_load", key)
    return value


def _each(entry: dict, path: tuple = ()):
    """(entry, path) of an assembly's description and of each assembly in it, parents first."""
    yield entry, path
    for m in _entries(entry, "members"):
        if m.get("kind") == "Assembly":
            yield from _each(m, path + (m["key"],))


class _Loader:
    """A new Network from a description's ``network`` entry, in phases: members, those
    that read another (decoders), tables in order, connections, learners and monitors."""

    cons: dict = {}                       # connections by path, once all are made

    def __init__(self, top: dict):
        objs = self.objs = {}
        with context.suspended():          # an open ``with`` block adopts nothing made here
            objs[()] = net = Network(name=top.get("name"))
            members = [(path + (m["key"],), m) for e, path in _each(top)
                       for m in _entries(e, "members")]
            for p, m in sorted(members, key=lambda pm: pm[1].get("kind") in _OUTPUTS):
                objs[p] = Assembly(name=m.get("name")) if m.get("kind") == "Assembly" \
                    else structure_links.restore_member(self.member(m, p), m, p)
            for p, m in members:
                setattr(objs[p[:-1]], p[-1], objs[p])
            for p, m in [((), top)] + members:
                for label in m.get("type") or []:
                    objs[p].add_type(label)
                if m.get("hidden"):
                    objs[p].assembly_hide()
            for e, path in _each(top):
                self.link(e, path)
            made = {id(c): c for c in net.all_connections()}    # projections' too
            self.cons = {p: made[i] for i, p in saving.paths(net)[1].items() if i in made}
            for e, path in _each(top):
                self.watch(e, path)
        self.net = net

    def ref(self, ref, what: str):
        try:
            return self.cons[tuple(ref["connection"])] if isinstance(ref, dict) else \
                self.objs[tuple(ref)]
        except (KeyError, TypeError):
            raise _error(f"{what} refers to {ref!r}, which the file does not describe",
                         "network_load", str(ref)) from None

    def member(self, m: dict, path: tuple):
        what = f"the member '{'.'.join(path)}'"
        kind = _known(_KINDS, m.get("kind"), what, "kind of member")
        args = {"num": m.get("num"), "shape": m.get("shape"), "name": m.get("name")}
        if kind is NeuronGroup:
            model = m.get("model")
            if isinstance(model, dict) and set(model) <= set(_MODEL_TEXT):
                model = _made(f"the model of {what}", NeuronModel, **model)
            else:
                _known(library, model, what, "neuron model")
            return _made(what, NeuronGroup, model=model, param=_options(m.get("params"), what),
                         parameter_variables=m.get("parameter_variables", ()),
                         variable_ranges=m.get("variable_ranges") or None, **args)
        args.update(coding_method=m.get("coding_method"),
                    coding_var_name=m.get("coding_var_name"))
        if m["kind"] in _OUTPUTS:
            args.update(dec_target=self.ref(m.get("dec_target"), what), seed=m.get("seed", 0))
        return _made(what, kind, **args, **_options(m.get("options"), what))

    def link(self, entry: dict, path: tuple) -> None:
        for c in _entries(entry, "connections"):
            what = f"the connection '{'.'.join(path + (c['key'],))}'"
            _known({**LINK_TYPES, **REGISTERED}, c.get("link_type"), what, "link_type")
            setattr(self.objs[path], c["key"], _made(
                what, Connection, self.ref(c.get("pre"), what), self.ref(c.get("post"), what),
                **{a: c[a] for a in _CON_ARGS if a in c}, **_options(c.get("options"), what)))
        for p in _entries(entry, "projections"):
            what = f"the projection '{'.'.join(path + (p['key'],))}'"
            policies = [_made(what, _known(_POLICIES, x.get("policy"), what, "policy"),
                              **{k: v for k, v in x.items() if k != "policy"})
                        for x in p.get("policies") or [] if isinstance(x, dict)]
            setattr(self.objs[path], p["key"], _made(
                what, Projection, self.ref(p.get("pre"), what), self.ref(p.get("post"), what),
                name=p.get("name"), policies=policies, **_options(p.get("options"), what)))

    def watch(self, entry: dict, path: tuple) -> None:
        for lr in _entries(entry, "learners"):
            what = f"the learner '{'.'.join(path + (lr['key'],))}'"
            setattr(self.objs[path], lr["key"], structure_learners.make(
                lr, what, self.ref, _made, _options))
        for mon in _entries(entry, "monitors"):
            what = f"the monitor '{'.'.join(path + (mon['key'],))}'"
            setattr(self.objs[path], mon["key"], _made(
                what, _known(_MONITORS, mon.get("kind"), what, "kind of monitor"),
                self.ref(mon.get("target"), what), **{a: mon[a] for a in _MON_ARGS if a in mon}))


def network_load(filename: Optional[str] = None, path: Optional[str] = None,
                 device: str = "cpu", load_weight: bool = True, backend=None) -> Network:
    """SPAIC's ``network_load``: a new Network from the files of :func:`network_save`,
    with the saved weights (and a neuron state saved from one sample, unless a gradient
    learner trains the network) if ``load_weight``, on ``backend`` (a name or Backend) or
    ``device`` (cpu, cuda, numpy), at the saved dt.  Refused: a file of another format or
    version, cut short, or naming a model, link type or member pyspike does not have."""
    file, doc = read_description(filename, path)
    top = doc["network"]
    net = _Loader(top).net
    saved = top.get("backend") if isinstance(top.get("backend"), dict) else {}
    name = backend.name if isinstance(backend, Backend) else backend if backend is not None \
        else "numpy" if device == "numpy" else Torch_Backend(device).name
    net.set_backend(_made("the backend", Backend, name, dt=saved.get("dt", 0.1),
                          data_type=saved.get("precision", "double")))
    if top.get("seed") is not None:
        net.set_random_seed(top["seed"])
    net.train(bool(top.get("training", True)))
    weights = doc.get("weights")
    if not load_weight or weights is None:
        return net
    state = saving.from_lists(weights, "network_load") if isinstance(weights, dict) else \
        saving.read_file(os.path.join(os.path.dirname(file), str(weights)), "network_load")
    if state.get("has_state") and net.gradient_learner() is not None:
        warnings.warn(f"the neuron state in '{weights}' is not loaded (the weights are): a "
                      "network trained by a gradient learner starts each run from the "
                      "initial state", stacklevel=2)
        state = dict(state, has_state=0)
    if state.get("has_state") and state.get("batch") != 1:
        warnings.warn(f"the neuron state in '{weights}' is of a batch of {state.get('batch')}"
                      " samples and is not loaded (the weights are): give the network a "
                      "batch of that size, then call state_from_dict to load it", stacklevel=2)
        state = dict(state, has_state=0)
    saving.apply(net, state, "network_load", set_masks=True)
    return net
