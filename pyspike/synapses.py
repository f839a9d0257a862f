"""Synapses: connections between (sub)groups with their own state and event code.

The connectivity is built by :mod:`pyspike.connect` (compiled builders) when ``connect``
is called and stored in compressed sparse rows by presynaptic neuron: ``S.i`` is sorted.
"""
from __future__ import annotations

import itertools
from typing import Dict, Mapping, Optional, Sequence

import numpy as np

from .codegen.equations import symbol
from .codegen.errors import ModelError
from .codegen.spec import SynapsesSpec
from .codegen.synaptic import aliases, check_code
from . import _context, batching, checks, pathways, synapse_delays, synapses_kernel
from . import connect as builders, synapses_operations
from .group import as_range, device_array, sync_state
from .model import neuron_dims, neuron_variables
from .models import SynapseKind, plasticity_rule
from .models.synapse_attach import kind_synapses
from .distributions import Distribution
from .partition_blocks import Block
from .synapses_target import check_target_size, refuse_library_parts, target_of
from .synapses_runtime import (bitmask_ok, check_delay_steps, checked_delay, evaluate_value,
                               grow_arrays, new_state, parse_value)

_names = itertools.count()
#: What a Synapses object answers itself: a model may not name a variable or parameter so.
ATTRIBUTES = frozenset({"source", "target", "name", "model", "params", "variables", "n",
                        "network", "index", "state", "shape", "dense", "delay", "connect",
                        "plasticity", "kind", "dims", "method", "kind_parts",
                        "value_names", "N", "post_range", "target_synapses",
                        "pathways", "pathway_names", "set_delay", "pathway_events",
                        "shared", "kernel", "kernel_index", "run_regularly"})


class Synapses(Block):
    """Synapses from ``source`` to ``target`` (groups or contiguous subgroups ``P[a:b]``).

    ``model`` declares synaptic variables (``"w : mV"``); ``on_pre`` runs for every synapse
    of a presynaptic spike when it arrives after ``delay`` ms, ``on_post`` for every
    synapse of a postsynaptic spike.  Neuron variables are named with ``_pre``/``_post``
    (a plain name means the postsynaptic one, as in Brian2); ``i`` and ``j`` are the pre-
    and postsynaptic indices within source and target.  In a batched network the
    connectivity and the delays are shared by all instances and the synaptic variables
    have shape (K, n), one row per instance, but those named in ``shared`` (read-only
    in the compiled code: the weights of an inference network) have shape (n,), one copy
    read by every instance.  Those named in ``kernel`` hold one value per element of a
    kernel that many synapses read (a convolution's weights; :mod:`pyspike.synapses_kernel`).

    >>> import pyspike as ps
    >>> m = ps.NeuronModel("dv/dt = -v/tau : mV", threshold="v > 1", reset="v = 0",
    ...                    params={"tau": 10.0})
    >>> net = ps.Network(dt=0.1, seed=1, backend="numpy")
    >>> with net:
    ...     P = ps.NeuronGroup(3, m)
    ...     S = ps.Synapses(P[:1], P[1:], model="w : mV", on_pre="v_post += w", delay=1.0)
    >>> S.connect(j="i + 1")
    >>> S.i, S.j, S.n
    (array([0], dtype=int32), array([1], dtype=int32), 1)
    """

    def __init__(self, source, target, model: str = "", on_pre="", on_post="",
                 delay=None, params: Optional[Mapping[str, float]] = None,
                 name: Optional[str] = None, plasticity=None, output: Optional[str] = None,
                 post_var: Optional[str] = None, voltage: Optional[str] = None,
                 method: Optional[str] = None, on_event=None, shared: Sequence[str] = (),
                 kernel: Sequence[str] = ()):
        state = self.__dict__
        state["shared"], state["kernel"] = tuple(shared), tuple(kernel)
        state["source"], state["pre_range"] = as_range(source, "source of Synapses")
        state["target"], state["_neurons"] = target_of(target, Synapses)  # None: synapses
        state["name"] = checks.name(name, "Synapses") or f"synapses_{next(_names)}"
        state["kind"] = model if isinstance(model, SynapseKind) else None
        state["method"] = checks.method(method if method is not None or self.kind is None
                                        else self.kind.method, "Synapses")
        refuse_library_parts(self, self.kind, plasticity, output)
        on_pre, pre_name, on_post, post_name, state["pathways"] = pathways.split(
            on_pre, on_post, f"Synapses '{self.name}'")
        state["pathway_names"] = (pre_name, post_name) + tuple(self.pathways)
        state["pathway_events"] = pathways.on_events(on_event, self, f"Synapses '{self.name}'")
        before = None if self.target_synapses else self.target.model
        try:
            self._init(model, on_pre, on_post, delay, params, plasticity,
                       (output, post_var, voltage))
        except BaseException:
            if before is not None:   # a refused library synapse leaves no state behind
                self.target.adopt(before)
            raise

    def _init(self, model, on_pre, on_post, delay, params, plasticity, kind_args):
        state = self.__dict__
        state["kind_parts"] = ()
        rule = plasticity_rule(plasticity, params)
        state["plasticity"] = rule
        if self.kind is not None:        # a library synapse model (models/synapse_kind.py)
            own = {k: v for k, v in (params or {}).items() if not rule or k not in rule.params}
            model, kind_params, state["kind_parts"] = kind_synapses(
                model, self.target, *kind_args, own, f"Synapses '{self.name}'")
            params = {**kind_params, **{k: v for k, v in (params or {}).items()
                                        if k not in own}}
        state["model"], state["on_pre"], state["on_post"] = (
            checks.text(text, what, "Synapses")
            for text, what in ((model, "model"), (on_pre, "on_pre"), (on_post, "on_post")))
        state["params"] = checks.params({**(rule.params if rule else {}), **(params or {})},
                                        "Synapses params", "S")
        where = f"Synapses '{self.name}'"
        state["variables"], state["param_names"], state["dims"] = check_code(
            model, list(self.params), on_pre, on_post, neuron_variables(self.source),
            neuron_variables(self.target), where,
            (neuron_dims(self.source), neuron_dims(self.target)), self._parts(), self.method)
        hidden = set(self.variables + self.param_names) & ATTRIBUTES
        if hidden:
            raise ModelError(f"the model names '{min(hidden)}', which is also an attribute of "
                             "every Synapses object: rename it", where=where, symbol=min(hidden))
        pathways.check(self, self.pathways, ATTRIBUTES, where)
        synapses_kernel.check_names(self, self.kernel)
        state["state"] = new_state(self)
        state["variables"] = [v for v in self.variables if not v.startswith("_")]
        state["_deferred"] = []        # connect() calls waiting for the network's seed
        state["_pending"] = []         # string values waiting for the network's seed
        state["network"] = None
        state["index"] = None
        for pathway, value in pathways.delays(delay, self.pathway_names, where).items():
            if value is not None:
                self.set_delay(value, pathway)
        for p, v in self.params.items():
            if v is not None and not np.isscalar(v):
                self._pending.append((p, v))
        _context.register(self)

    # --- connectivity -------------------------------------------------------------------

    @property
    def n_pre(self) -> int:
        return self.pre_range[1] - self.pre_range[0]

    @property
    def target_synapses(self) -> bool:
        """Whether the target is a Synapses object (synapses_target.py)."""
        return self._neurons is None

    @property
    def post_range(self) -> tuple:
        """The target's neurons [start, stop), or all the target Synapses' synapses."""
        return (0, self.target.n) if self._neurons is None else self._neurons

    @property
    def n_post(self) -> int:
        return self.post_range[1] - self.post_range[0]

    def pre_index(self) -> np.ndarray:
        """The presynaptic neuron of every synapse (structure only: no state to sync)."""
        self._require_connected()
        return np.repeat(np.arange(self.n_pre, dtype=np.int32), np.diff(self.state.row))

    def post_index(self) -> np.ndarray:
        """The postsynaptic neuron of every synapse (structure only: no state to sync)."""
        self._require_connected()
        if self.state.col is None:
            return np.tile(np.arange(self.n_post, dtype=np.int32), self.n_pre)
        return self.state.col.astype(np.int32, copy=False)   # (no 2-byte arithmetic: wraps)

    def device(self, name: str):
        """The GPU array (CuPy) of per-synapse variable ``name``, without a copy, with
        ``backend="cuda"`` after a first run (see NeuronGroup.device)."""
        table = self.state.element_arrays()
        if name not in table:
            raise ModelError(f"Synapses '{self.name}' have no per-synapse variable '{name}'",
                             where="Synapses.device", symbol=name)
        return device_array(self, table[name], name)

    def connect(self, condition: Optional[str] = None, i=None, j=None, p: float = 1.0,
                n: int = 1, n_pre: Optional[int] = None, n_post: Optional[int] = None,
                autapses: bool = True, multapses: bool = True,
                skip_if_invalid: bool = False) -> None:
        """Create synapses; each call adds to those already there.

        ``connect(i=[0, 1], j=[5, 7])``: explicit pairs; ``connect(j="i")``: one target
        per presynaptic neuron, an expression over ``i``; ``connect(j="k for k in
        range(i-3, i+4) if k != i", skip_if_invalid=True)``: Brian2's generator syntax
        (``range`` or ``sample(..., p=)``/``sample(..., size=)``, an optional ``if`` that
        may use ``rand()``; ``i="..."`` yields presynaptic partners for each j; indices
        outside the target are a ModelError, or left out with ``skip_if_invalid``);
        ``connect(p=0.02)``: each pair with probability p (p = 1: all-to-all, stored
        densely); ``connect(condition="i != j", p=0.1)``: pairs meeting a condition over
        ``i``, ``j`` and neuron variables (``v_pre``, ``x_post``), each with probability p;
        ``connect(n_pre=80)``: 80 presynaptic partners per postsynaptic neuron (fixed
        in-degree), ``connect(n_post=80)``: fixed out-degree.  ``n`` synapses are made per
        pair; ``autapses=False`` excludes a neuron's synapse onto itself, ``multapses=False``
        makes fixed-degree rules and explicit pairs pick each pair at most once.
        """
        sync_state(self)
        call = dict(condition=condition, i=i, j=j, p=p, n=n, n_pre=n_pre, n_post=n_post,
                    autapses=autapses, multapses=multapses, skip_if_invalid=skip_if_invalid)
        builders.check_call(self, **call)
        if self.network is None and (self._deferred or builders.is_random(**call)):
            self._deferred.append(call)          # needs the network's seed
            return
        self._connect(call)

    def _connect(self, call: dict) -> None:
        if builders.is_random(**call):
            pairs = builders.build(self, self.network.seed, self.network._next_init(), **call)
        else:
            pairs = builders.build(self, 0, 0, **call)
        self._add(*pairs)
        # string values given before there were synapses apply to these ones
        pending, self.__dict__["_pending"] = self._pending, []
        for name, value in pending:
            self._apply(name, value)

    def _add(self, i: np.ndarray, j: Optional[np.ndarray]) -> None:
        """Add synapses (j None: all-to-all, stored densely if they are the only ones)."""
        old = self.n
        table = self.state
        self.__dict__["_target_n"] = self.target.n if self.target_synapses else None
        table.row, table.col, order = builders.merged(
            table.row, table.col, self.n_pre, self.n_post, i, j, f"Synapses '{self.name}'")
        grow_arrays(self, old, order)   # per-synapse arrays, in CSR order

    @property
    def dense(self) -> bool:
        """Whether the synapses are all-to-all, stored without index arrays."""
        return self.state.col is None

    def _require_connected(self) -> None:
        if self._deferred:
            raise ModelError(f"Synapses '{self.name}': connect() with random choices waits for "
                             "the network's seed; add the synapses to a Network first",
                             where=f"Synapses '{self.name}'")

    @property
    def n(self) -> int:
        """The number of synapses (also ``S.N``, as Brian2 names it)."""
        self._require_connected()
        return int(self.state.row[-1])

    N = n

    def __len__(self) -> int:
        return self.n

    # --- reading and writing variables --------------------------------------------------

    def __getattr__(self, name: str):
        if name.startswith("_") or name == "network":     # (while it is being made)
            raise AttributeError(name)
        sync_state(self)
        table = self.state
        if name == "i":
            return self.pre_index()
        if name == "j":
            return self.post_index()
        if name == "delay":
            return synapse_delays.read(table.delay, self.n)
        if name in self.kernel or name == "kernel_index":
            return synapses_kernel.read(self, name)
        if name in table.variables or name in table.per_element:
            self._require_connected()
            self._require_evaluated(name)
            return table.value(name)
        if name in table.params:
            value = table.params[name]
            if value is None:
                self._require_evaluated(name)
            return value
        if name in self.pathway_names:           # S.gpath (pathways.py)
            return pathways.Pathway(self, name if name in self.pathways else None)
        raise AttributeError(f"Synapses '{self.name}' has no variable or parameter '{name}' "
                             f"(it has {', '.join(self.variables + self.param_names)})")

    def __setattr__(self, name: str, value) -> None:
        if name == "delay":
            self.set_delay(value)
        elif name in self.kernel or (name == "kernel_index" and self.kernel):
            synapses_kernel.write(self, name, value)
        elif name in self.state.variables or name in self.state.params:
            self._set(name, value)
        else:
            raise AttributeError(f"Synapses '{self.name}' has no variable or parameter "
                                 f"'{name}'")

    def set_delay(self, value, pathway: Optional[str] = None) -> None:
        """The delay of the main pathway (``S.delay = ...``) or of a further one
        (``S.gpath.delay = ...``, pathways.py): ms, one or one per synapse, text or ps.Normal."""
        sync_state(self)
        where = f"Synapses '{self.name}'"
        if isinstance(value, (str, Distribution)):
            if self.network is None or self._deferred or self.n == 0:
                parse_value(self, "delay", value)    # mistakes show now, not at add()
                self._pending.append((f"delay:{pathway}" if pathway else "delay", value))
                return
            value = evaluate_value(self, "delay", value, shared=True)
        pathways.put_delay(self, pathway, checked_delay(value, self.n, self.network, where))

    def _apply(self, name: str, value) -> None:
        """A value that waited for the network (a delay's name: "delay[:pathway]")."""
        if name.split(":")[0] == "delay":
            self.set_delay(value, name[6:] or None)
        else:
            self._set(name, value)

    def _set(self, name: str, value) -> None:
        sync_state(self)
        if isinstance(value, (str, Distribution)):
            if self.network is None or self._deferred or (self.n == 0 and
                                                          name not in self.state.params):
                parse_value(self, name, value)       # mistakes show now, not at add()
                self._pending.append((name, value))
                return
            value = evaluate_value(self, name, value)
        else:
            value = checks.reals(value, name, f"Synapses '{self.name}'",
                                 dim=self.dims.get(name), copy=False)
        self.state.assign(name, value, lambda v: self._as_array(name, v),
                          None if name in self.shared else
                          batching.one_per_instance(self, value))
        self._pending[:] = [(n, v) for n, v in self._pending if n != name]

    @property
    def shape(self) -> tuple:
        """The shape of its variables: (n,), or (K, n) in a batch of K instances."""
        return batching.shape_of(self, self.n)

    def _as_array(self, name: str, value) -> np.ndarray:
        return batching.as_values(value, (self.n,) if name in self.shared else self.shape,
                                  name, "synapse", f"Synapses '{self.name}'", copy=False)

    def value_names(self) -> Dict[str, object]:
        """Names an expression for a synaptic value may read, by their symbols."""
        names = {n: symbol(n) for n in ("i", "j", "t", "dt")}
        names.update({n: symbol(n) for n in self.variables + self.param_names})
        for alias in aliases(neuron_variables(self.source), neuron_variables(self.target)):
            names.setdefault(alias, symbol(alias))
        return names

    def _require_evaluated(self, name: str) -> None:
        if any(n == name for n, _ in self._pending):
            raise ModelError(f"the value of '{name}' uses random numbers or connections that "
                             "come from the network's seed: add the synapses to a Network "
                             "first", where=f"Synapses '{self.name}'", symbol=name)

    # --- what the network needs ---------------------------------------------------------

    def _attach(self, network, index: int) -> None:
        if self.network is not None and self.network is not network:
            raise ModelError(f"Synapses '{self.name}' already belong to another Network",
                             where="Network.add")
        try:
            check_delay_steps(self.state.delay, network.dt, f"Synapses '{self.name}'")
        except ModelError:                 # (Network.add listed them first)
            network.objects[:] = [o for o in network.objects if o is not self]
            raise
        self.__dict__["network"] = network
        self.__dict__["index"] = index
        if network.batch is not None:
            self.state.expand(network.K, keep=self.shared)
        deferred, self.__dict__["_deferred"] = self._deferred, []
        for call in deferred:
            self._connect(call)
        pending, self.__dict__["_pending"] = self._pending, []
        for name, value in pending:
            self._apply(name, value)

    run_regularly = synapses_operations.run_regularly    # (Brian2's, with sums)

    def _spec(self) -> SynapsesSpec:
        self._require_connected()
        check_target_size(self, self.__dict__.get("_target_n"))
        synapses_kernel.check_ready(self)
        missing = [p for p in self.param_names if self.state.value(p) is None]
        if missing:
            raise ModelError(f"no value for the parameter(s) {', '.join(missing)}: give "
                             f"them in params= or set them on the synapses "
                             f"(S.{missing[0]} = ...)", where=f"Synapses '{self.name}'",
                             symbol=missing[0])
        return SynapsesSpec(self.name, self.source.name, self.target.name, *self.pre_range,
                            *self.post_range, self.model, self.on_pre, self.on_post,
                            tuple(self.param_names), tuple(sorted(self.state.per_element)),
                            pathways.delay_kind(self.state.delay), self.dense, bitmask_ok(self),
                            short_rows=synapse_delays.short_rows(self.state.row),
                            parts=self._parts(), method=self.method,
                            post_synapses=self.target_synapses,
                            event=self.pathway_events.get(None, "spike"),
                            operations=synapses_operations.entries(self),
                            shared=self.shared, kernel=self.kernel)

    def _parts(self) -> tuple:
        """The library blocks composed with the model: the synapse kind's, the plasticity
        rule's."""
        return self.kind_parts + (() if self.plasticity is None else (self.plasticity.part(),))

    def _cast(self, dtype) -> None:
        self.state.cast(dtype)

    def __repr__(self) -> str:
        return f"Synapses({self.source.name} -> {self.target.name}, name={self.name!r})"
