"""Model files: a Python file that builds a network, as ``pyspike run`` and checkpoints use it.

A model file defines a function ``build`` that makes the network and returns it.  It
receives, as keyword arguments, the ``Network`` arguments the command line chose (only
those given: ``seed``, ``backend``, ``threads``; ``batch`` in a sweep), and passes them on,
so that they are chosen before anything is built::

    # model.py
    import pyspike as ps

    def build(**network):
        net = ps.Network(dt=0.1, **network)
        with net:
            exc = ps.NeuronGroup(100, "LIF", name="exc")
            ps.SpikeMonitor(exc)
        return net

``build`` may instead name the arguments it accepts (``def build(seed=1, backend="cpu")``);
one given on the command line that it does not accept is refused.  Settings
(``"exc.tau_m=12.5"``, ``pyspike run --set``) then change parameters of the built network:
a shared or a per-neuron (per-synapse) parameter of the group (synapses) of that name, to
one value (a state variable too: all its elements, before the run).  Parameters are
run-time data: a setting compiles nothing anew.

A network built here remembers where it came from (:func:`origin`: the file's path, its
SHA-256, the build arguments and the settings), so that a checkpoint of it
(:mod:`pyspike.checkpoint`) can be rebuilt from the same file, and refused if the file
has changed since.
"""
from __future__ import annotations

import hashlib
import importlib.util
import inspect
import os
import sys
import weakref
from dataclasses import dataclass
from typing import Callable, Dict, Optional, Sequence

from .codegen.errors import ModelError

#: The keyword arguments a command line may give ``build`` (``batch``: pyspike sweep;
#: ``partition``: pyspike run --partition, one network over MPI ranks).
NETWORK_ARGUMENTS = ("seed", "backend", "threads", "batch", "partition")
_WHERE = "model file"
_ORIGINS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class ModelFile:
    """A loaded model file: its absolute ``path``, the ``sha256`` of its text and its
    ``build`` function."""
    path: str
    sha256: str
    build: Callable


def file_digest(path: str) -> str:
    """The SHA-256 of a file's bytes, as hex."""
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def load(path: str) -> ModelFile:
    """Run the model file ``path`` (as a module of its own; its folder is searched for the
    modules it imports) and find its ``build`` function.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "model.py")
    >>> _ = open(path, "w").write("def build(**network):\\n    return None\\n")
    >>> load(path).build.__name__
    'build'
    """
    path = os.path.abspath(os.fspath(path))
    if not os.path.isfile(path):
        raise ModelError(f"the model file '{path}' does not exist", where=_WHERE)
    digest = file_digest(path)
    name = f"pyspike_model_{digest[:16]}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ModelError(f"the model file '{path}' is not a Python file (it should end in "
                         "'.py')", where=_WHERE)
    module = importlib.util.module_from_spec(spec)
    folder = os.path.dirname(path)
    sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    except Exception as err:
        raise ModelError(f"the model file '{path}' failed while it was read: "
                         f"{_describe(err, path)}", where=_WHERE) from err
    finally:
        if folder in sys.path:
            sys.path.remove(folder)
    build = vars(module).get("build")
    if not callable(build):
        raise ModelError(f"the model file '{path}' defines no function build(**network) "
                         "that returns the network", where=_WHERE)
    return ModelFile(path, digest, build)


def build(model: ModelFile, network_args: Dict[str, object], settings: Sequence[str],
          network_class: type):
    """Call the model's ``build`` with ``network_args``, check that it returned a
    ``network_class``, apply ``settings`` and remember the network's origin."""
    _check_signature(model, network_args)
    try:
        net = model.build(**network_args)
    except ModelError:
        raise
    except Exception as err:
        raise ModelError(f"the model file '{model.path}' failed while building the network: "
                         f"{_describe(err, model.path)}", where=_WHERE) from err
    if not isinstance(net, network_class):
        raise ModelError(f"build() of the model file '{model.path}' returned "
                         f"{type(net).__name__}, not a Network", where=_WHERE)
    apply_settings(net, settings)
    _ORIGINS[net] = {"model": model.path, "sha256": model.sha256,
                     "arguments": dict(network_args), "settings": list(settings)}
    return net


def origin(net) -> Optional[dict]:
    """Where ``net`` came from, if :func:`build` made it: ``model`` (the file's path),
    ``sha256``, ``arguments`` and ``settings``; else None."""
    found = _ORIGINS.get(net)
    return None if found is None else dict(found)


def _check_signature(model: ModelFile, network_args: Dict[str, object]) -> None:
    try:
        params = inspect.signature(model.build).parameters.values()
    except (TypeError, ValueError):
        return
    if any(p.kind is p.VAR_KEYWORD for p in params):
        return
    names = {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    for key in network_args:
        if key not in names:
            raise ModelError(f"build() of the model file '{model.path}' takes no argument "
                             f"'{key}': accept it (def build(**network)) and pass it on to "
                             "ps.Network, or leave out --" + key, where=_WHERE, symbol=key)


def _describe(err: BaseException, path: str) -> str:
    """An exception in a user's file, in one line: its kind, message and line."""
    line = ""
    tb = err.__traceback__
    while tb is not None:
        if os.path.abspath(tb.tb_frame.f_code.co_filename) == path:
            line = f" (line {tb.tb_lineno})"
        tb = tb.tb_next
    if isinstance(err, SyntaxError) and err.lineno:
        line = f" (line {err.lineno})"
    text = str(err).strip().splitlines()[-1] if str(err).strip() else ""
    return f"{type(err).__name__}: {text}{line}" if text else f"{type(err).__name__}{line}"


# --- settings: "group.param=value" ------------------------------------------------------


def apply_settings(net, settings: Sequence[str]) -> None:
    """Give parameters (or variables) of ``net``'s groups and synapses one value each,
    from texts ``"<group or synapses name>.<name>=<number>"``.

    >>> import pyspike as ps
    >>> m = ps.NeuronModel("dv/dt = -v/tau : 1", params={"tau": 10.0})
    >>> net = ps.Network(backend="numpy")
    >>> with net:
    ...     G = ps.NeuronGroup(2, m, name="exc")
    >>> apply_settings(net, ["exc.tau=12.5"])
    >>> float(G.tau)
    12.5
    """
    for text in settings:
        owner, name, value = _parse(text)
        obj, name = target(net, f"{owner}.{name}", f"--set {text}")
        try:
            setattr(obj, name, value)
        except ModelError as err:
            raise ModelError(f"--set {text}: {err.message}", where="--set",
                             symbol=name) from None


def target(net, dotted: str, what: str):
    """The group or synapses and the name of its parameter (or variable) that
    ``"<object>.<name>"`` names in ``net`` (``what``: the option, for messages)."""
    owner, _, name = dotted.rpartition(".")
    objects = {o.name: o for o in net.objects if "params" in o.state.names()}
    if owner not in objects:
        raise ModelError(f"{what}: the network has no group or synapses named '{owner}' (it "
                         f"has {', '.join(sorted(objects)) or 'none'})", where=what,
                         symbol=owner)
    obj = objects[owner]
    names = sorted({*obj.state.params, *obj.state.variables})
    if name not in names:
        raise ModelError(f"{what}: '{owner}' has no parameter or variable '{name}' (it has "
                         f"{', '.join(names) or 'none'})", where=what, symbol=name)
    return obj, name


def _parse(text: str):
    """``"exc.tau_m=12.5"`` -> ("exc", "tau_m", 12.5)."""
    target, sep, value = str(text).partition("=")
    owner, dot, name = target.strip().rpartition(".")
    if not sep or not dot or not owner or not name:
        raise ModelError(f"--set {text}: write a setting as <group>.<parameter>=<value>, "
                         "as in exc.tau_m=12.5", where="--set")
    try:
        number = float(value)
    except ValueError:
        raise ModelError(f"--set {text}: the value '{value.strip()}' is not a number",
                         where="--set", symbol=name) from None
    return owner, name.strip(), number
