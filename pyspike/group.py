"""NeuronGroup: N neurons of one model, whose state is owned here as NumPy arrays."""
from __future__ import annotations

import functools
import itertools
from typing import Mapping, Optional, Union

import numpy as np
import sympy as sp

from .codegen.equations import BUILTINS, symbol
from .codegen.errors import ModelError
from .codegen.expressions import BooleanName, Context, parse_condition, parse_expression
from .codegen.kernels import LASTSPIKE_NEVER
from .codegen.spec import GroupSpec
from .codegen.statements import parse_statements
from .codegen import streams
from . import _context, batching, checks, distributions, linked
from .distributions import Distribution
from .evaluate import evaluate
from .model import NeuronModel
from .partition_blocks import Block
from .models import neuron_model
from .state import StateTable
from .subgroup import Subgroup
from .host_sync import device_array, sync_state  # noqa: F401  (synapses.py reads them here)

_names = itertools.count()


class NeuronGroup(Block):
    """A group of ``N`` neurons sharing one :class:`NeuronModel`.

    Variables and parameters read as NumPy arrays (``G.v``), live views of the group's
    state (``G.v[:10] = -70.0`` works), and accept a number, an array of length N, an
    expression string (``G.v = "v_rest + rand()*5"``) or a distribution (``ps.Normal``).
    Any parameter becomes per-neuron when given an array; the change needs one rebuild,
    after which new values never do.  In a batched network (``Network(batch=K)``) the
    arrays have shape (K, N), one row per instance, and also accept (K, N) or (K, 1)
    values.

    >>> import pyspike as ps
    >>> m = ps.NeuronModel("dv/dt = -v/tau : mV", params={"tau": 10.0})
    >>> G = ps.NeuronGroup(3, m, init={"v": "i*1.0"})
    >>> G.v
    array([0., 1., 2.])

    ``model`` may also name a model of the library (:data:`pyspike.models.neurons`), and
    ``params`` changes some of its defaults for this group:

    >>> H = ps.NeuronGroup(3, "Izhikevich", params={"a": 0.1})
    >>> float(H.a), H.V
    (0.1, array([-70., -70., -70.]))
    """

    def __init__(self, N: int, model: Union[NeuronModel, str], name: Optional[str] = None,
                 init: Optional[Mapping[str, object]] = None,
                 params: Optional[Mapping[str, object]] = None):
        drawn = {k: v for k, v in params.items() if isinstance(v, Distribution)} \
            if isinstance(params, Mapping) else {}      # (set below, once there is a state)
        model = neuron_model(model, {k: v for k, v in params.items() if k not in drawn}
                             if drawn else params, "NeuronGroup")
        N = checks.count(N, "N", "NeuronGroup", minimum=1, maximum=2 ** 31 - 1)
        name = checks.name(name, "NeuronGroup")
        if init is not None and not isinstance(init, Mapping):
            raise ModelError(f"init must be a dict of variable names to values, not "
                             f"{checks.show(init)}", where="NeuronGroup", symbol="init")
        state = self.__dict__
        state["N"] = int(N)
        state["model"] = model
        state["name"] = name or f"neurongroup_{next(_names)}"
        checks.unhidden(list(model.variables) + list(model.param_names) + list(model.linked),
                        ATTRIBUTES, "NeuronGroup")
        state["state"] = StateTable(
            derived_from=("given",),            # given spikes as steps (inputs.py)
            variables={v: np.zeros(self.N) for v in model.variables},
            params={p: float(v) if np.isscalar(v) else None for p, v in model.params.items()},
            per_element={},
            lastspike=np.full(self.N, LASTSPIKE_NEVER, dtype=np.int32),
            not_refractory=np.ones(self.N, dtype=np.uint8), **self._initial_state())
        state["_pending"] = []          # expression strings waiting for a network's seed
        state["poisson_inputs"] = []    # the PoissonInputs adding to it, in order
        state["_operations"] = []       # run_regularly: (statements, dt in ms or None)
        state["_on_event"] = {}         # run_on_event: custom event -> statements
        state["network"] = None
        state["index"] = None
        for p, v in model.params.items():
            if v is not None and not np.isscalar(v):
                self._set(p, v)
        for p, v in drawn.items():
            self._set(p, v)
        for key, value in {**model.init, **(init or {})}.items():
            self._set(key, value)
        _context.register(self)

    # --- reading and writing variables -----------------------------------------------------

    def __getattr__(self, name: str):
        if name.startswith("_") or name == "network":     # (while it is being made)
            raise AttributeError(name)
        sync_state(self)
        # Live views, as Brian2's: G.v[:10] = -70.0 changes the group's state.
        table = self.state
        if name in self.model.linked:
            return linked.values(self, name)
        if name in table.variables:
            self._require_evaluated(name)
            return table.variables[name]
        if name in table.per_element:
            return table.per_element[name]
        if name in self.model.param_names:
            value = table.params.get(name)
            if value is None:
                raise ModelError(f"the parameter '{name}' of group '{self.name}' has no value "
                                 "yet", where="NeuronGroup", symbol=name)
            return value
        if name == "lastspike":
            dt = self.network.dt if self.network is not None else np.nan
            never = table.lastspike == LASTSPIKE_NEVER
            return np.where(never, -np.inf, table.lastspike * dt)
        if name == "i":
            return np.arange(self.N)
        raise AttributeError(f"group '{self.name}' has no variable or parameter '{name}' "
                             f"(it has {', '.join(self.model.variables + self.model.param_names)})")

    def __setattr__(self, name: str, value) -> None:
        if name in self.model.linked:
            linked.link(self, name, value)            # G.I = linked_var(H, "x")
        elif name in self.state.variables or name in self.model.param_names:
            self._set(name, value)
        elif name in ("N", "model", "name", "state"):
            raise AttributeError(f"'{name}' of a NeuronGroup cannot be changed")
        else:
            raise AttributeError(f"group '{self.name}' has no variable or parameter '{name}'")

    def _set(self, name: str, value) -> None:
        sync_state(self)
        table = self.state
        if not isinstance(name, str) or (name not in table.variables
                                         and name not in self.model.param_names):
            raise ModelError(f"{checks.show(name)} is not a variable or parameter of this "
                             f"model ({', '.join(self.model.variables + self.model.param_names)})",
                             where="NeuronGroup", symbol=checks.label(name))
        if isinstance(value, (str, Distribution)):
            if self.network is None and (not isinstance(value, str) or "rand" in value
                                         or self._pending):
                # needs the network's seed, or reads a value that does: kept in order
                self._parse(name, value)                # mistakes show now, not at add()
                self._pending.append((name, value))
                return
            value = self.value_of(name, value)
        elif self.model.units.get(name) == "boolean":
            value = checks.booleans(value, name, f"group '{self.name}'")
        else:
            value = checks.reals(value, name, f"group '{self.name}'",
                                 dim=self.model.dims.get(name), copy=False)
        shared = "shared" in self._flags(name) and name not in table.variables
        table.assign(name, value, lambda v: self._as_array(name, v),
                     batching.one_per_instance(self, value), ModelError(
                         f"'{name}' is declared (shared): it takes one value for the whole "
                         "group (in a batch, one per instance: shape (K, 1)), not an array",
                         where=f"group '{self.name}'", symbol=name) if shared else None)
        self._pending[:] = [(n, v) for n, v in self._pending if n != name]

    def run_regularly(self, code: str, dt: Optional[float] = None) -> None:
        """Run the statements ``code`` on every neuron every ``dt`` ms (default: every
        step) inside the compiled loop, as Brian2's ``run_regularly``: on the steps that
        are multiples of dt, first in the step (before monitors record and the update).
        They assign the group's state variables and read any of its names.

        >>> import pyspike as ps
        >>> m = ps.NeuronModel("dv/dt = 1/tau : 1", params={"tau": 1.0})
        >>> net = ps.Network(dt=0.5, backend="numpy")
        >>> with net:
        ...     G = ps.NeuronGroup(2, m)
        >>> G.run_regularly("v = 0", dt=2.0)
        >>> net.run(3.0)
        >>> G.v                   # set to 0 at t = 2 ms, then 2 steps of 0.5 ms
        array([1., 1.])"""
        where = f"run_regularly of group '{self.name}'"
        code = checks.text(code, "code", where, empty_if_none=False)
        if dt is not None:
            dt = checks.duration(dt, "dt", where, positive=True)
        statements = parse_statements(code, linked.readable(self, self._names(), code, where),
                                      {v: symbol(v) for v in self.model.variables}, where, [])
        if not statements:
            raise ModelError("run_regularly needs at least one statement, such as 'v = 0'",
                             where=where, symbol="code")
        self._operations.append((code, dt))

    def run_on_event(self, event: str, code: str) -> None:
        """Run the statements ``code`` on each neuron of custom event ``event`` (one of
        the model's ``events=``), after the step's update and reset, as Brian2's
        ``run_on_event`` (codegen/events.py); once per event (a second call replaces)."""
        where = f"run_on_event of group '{self.name}'"
        if event not in self.model.events:
            raise ModelError(f"group '{self.name}' has no event {checks.show(event)}: its "
                             f"model's events are {', '.join(self.model.events) or 'none'} "
                             "(a spike's statements are the model's reset)", where=where,
                             symbol="event")
        code = checks.text(code, "code", where, empty_if_none=False)
        parse_statements(code, linked.readable(self, self._names(), code, where),
                         {v: symbol(v) for v in self.model.variables}, where, [])
        self._on_event[event] = code

    def _every(self, dt: Optional[float], net_dt: float) -> int:
        """run_regularly's dt in whole steps of the network's."""
        if dt is None:
            return 1
        steps = round(dt / net_dt)
        if steps < 1 or abs(steps * net_dt - dt) > 1e-9 * dt:
            raise ModelError(f"run_regularly's dt of {dt!r} ms is not a whole number of steps "
                             f"of the network's dt = {net_dt} ms", where=f"group '{self.name}'",
                             symbol="dt")
        return int(steps)

    def device(self, name: str):
        """The GPU array (CuPy) holding variable ``name``, without a copy, with
        ``backend="cuda"`` after a first run; it takes DLPack (``torch.from_dlpack``).
        Writes to it are the state the next run starts from."""
        arrays = self.state.element_arrays()
        if name not in arrays:
            raise ModelError(f"group '{self.name}' has no per-neuron variable '{name}'",
                             where="NeuronGroup.device", symbol=name)
        return device_array(self, arrays[name], name)

    def _initial_state(self) -> dict:
        """State entries of a subclass, added to the group's table."""
        return {}

    def _flags(self, name: str):
        return self.model.flags.get(name, set())

    @property
    def shape(self) -> tuple:
        """The shape of its variables: (N,), or (K, N) in a batch of K instances."""
        return batching.shape_of(self, self.N)

    def _as_array(self, name: str, value) -> np.ndarray:
        return batching.as_values(value, self.shape, name, "neuron",
                                  f"group '{self.name}'", copy=False)   # (assign copies)

    def _parse(self, name: str, text: str):
        """The expression ``text`` given for ``name`` and its context, parsed once per text
        and model (an encoder sets one at every run)."""
        cache, key = self.__dict__.setdefault("_parsed", {}), (name, text, self.model)
        return cache[key] if key in cache else cache.setdefault(key, self._parse_text(name, text))

    def _parse_text(self, name: str, text):
        if isinstance(text, Distribution):       # (checked now, drawn by value_of)
            m = self.model
            return distributions.numbers(text, name, f"group '{self.name}'", dim=m.dims.get(name),
                                         boolean=m.units.get(name) == "boolean"), None
        ctx = Context(where=f"the value of '{name}' in group '{self.name}'", line=text, lineno=1)
        if self.model.units.get(name) == "boolean":       # a condition, stored as 1.0/0.0
            condition = parse_condition(text, self._names(), ctx)
            return sp.Piecewise((sp.Integer(1), condition), (sp.Integer(0), True)), ctx
        return parse_expression(text, self._names(), ctx), ctx

    def _names(self) -> dict:
        """What model text given to the group may read: the builtins and its names."""
        names = dict(BUILTINS)
        names.update({v: BooleanName(symbol(v), True) if self.model.units.get(v) == "boolean"
                      else symbol(v) for v in self.model.variables + self.model.param_names})
        return names

    def value_of(self, name: str, text) -> np.ndarray:
        """The values of the expression ``text`` (or of a distribution) given for ``name``
        (one per neuron)."""
        expr, ctx = self._parse(name, text)
        if isinstance(text, Distribution):
            shape = self.shape
            return distributions.draw(text, name, f"group '{self.name}'", self.network, self.N,
                                      shape[0] if len(shape) == 2 else 0,
                                      streams.group_init(self.index, 0),
                                      dim=self.model.dims.get(name))
        for p in self.model.param_names:
            if self.state.value(p) is None and symbol(p) in expr.free_symbols:
                raise ctx.error(f"the parameter '{p}' has no value yet", None, p)
        expr, draws = batching.init_draws(expr, ctx, self.network)
        shape = self.shape
        rows = []
        for b in range(shape[0] if len(shape) == 2 else 1):
            env = {"i": np.arange(self.N), "N": self.N,
                   "t": np.float64(self.network.t if self.network is not None else 0.0),
                   "dt": np.float64(self.network.dt if self.network is not None else np.nan)}
            for v in self.model.variables:
                values = self.state.variables[v]
                env[v] = values[b] if len(shape) == 2 else values
            for p in self.model.param_names:
                value = self.state.value(p)
                env[p] = value[b] if len(shape) == 2 and np.ndim(value) == 2 else value
            if draws:                    # (then the group has a network and an index)
                batching.draw_into(env, draws, self.network, b,
                                   np.arange(self.N, dtype=np.uint32),
                                   functools.partial(streams.group_init, self.index))
            with np.errstate(all="ignore"):          # NaN is reported below instead
                rows.append(np.broadcast_to(evaluate(expr, env), (self.N,)).astype(float))
        return checks.reals(np.stack(rows) if len(shape) == 2 else rows[0],
                            f"the value {text!r} of '{name}'", f"group '{self.name}'")

    def _require_evaluated(self, name: str) -> None:
        if any(n == name for n, _ in self._pending):
            raise ModelError(f"the initial value of '{name}' uses random numbers, which come "
                             "from the network's seed: add the group to a Network first",
                             where=f"group '{self.name}'", symbol=name)

    # --- what the network needs -------------------------------------------------------------

    def _attach(self, network, index: int) -> None:
        if self.network is not None and self.network is not network:
            raise ModelError(f"group '{self.name}' already belongs to another Network",
                             where="Network.add")
        self.__dict__["network"] = network
        self.__dict__["index"] = index
        if network.batch is not None:
            self.state.expand(network.K, extra=("lastspike", "not_refractory"))
        pending, self.__dict__["_pending"] = self._pending, []
        for name, text in pending:
            self._set(name, text)

    def _spec(self) -> GroupSpec:
        missing = [p for p in self.model.param_names if self.state.value(p) is None]
        if missing:
            raise ModelError(f"group '{self.name}' has no value for the parameter(s) "
                             f"{', '.join(missing)}: give them in params= or set them on the "
                             "group", where="NeuronGroup", symbol=missing[0])
        m = self.model
        return GroupSpec(self.name, self.N, m.equations, m.update, m.threshold, m.reset,
                         m.refractory, tuple(m.param_names),
                         tuple(sorted(self.state.per_element)),
                         m.method, functions=tuple(sorted((n, f.ndim)
                                                          for n, f in m.functions.items())),
                         inputs=tuple(p.var for p in self.poisson_inputs),
                         operations=tuple((code, self._every(dt, self.network.dt))
                                          for code, dt in self._operations),
                         extensions=m.extensions, linked=linked.spec_links(self),
                         events=tuple((e, c, self._on_event.get(e, ""))
                                      for e, c in m.events.items()),
                         first=self.__dict__.get("_first", 0))    # (MPI: a rank's block)

    def adopt(self, model: NeuronModel) -> None:
        """Take ``model``, this group's model with synaptic state added (a library synapse
        kind's) or taken away again: new variables start at 0, new parameters at the
        model's values, and those the model no longer has go."""
        table = self.state
        shape = next(iter(table.variables.values())).shape if table.variables else (self.N,)
        for v in model.variables:
            table.variables.setdefault(v, np.zeros(shape))
        for p in model.param_names:
            if p not in table.params:
                table.params[p] = float(model.params[p])
        for name in [v for v in table.variables if v not in model.variables]:
            del table.variables[name]
        for name in [p for p in table.params if p not in model.param_names]:
            del table.params[name]
        self.__dict__["model"] = model

    def _cast(self, dtype) -> None:
        """Store real-valued arrays in the network's precision (and the step of the last
        spike as int32, also when a snapshot of an older pyspike held it as int64)."""
        table = self.state
        if table.lastspike.dtype != np.int32:
            table.lastspike = np.maximum(table.lastspike, LASTSPIKE_NEVER).astype(np.int32)
        table.cast(dtype)

    def __len__(self) -> int:
        return self.N

    def __repr__(self) -> str:
        return f"NeuronGroup({self.N}, name={self.name!r})"

    def __getitem__(self, item) -> "Subgroup":
        """A contiguous subgroup ``G[a:b]`` (a view: its variables are slices of G's)."""
        if not isinstance(item, slice) or item.step not in (None, 1):
            raise ModelError("a subgroup is a contiguous slice such as G[:3200] or G[100:200]",
                             where=f"group '{self.name}'")
        start, stop, _ = item.indices(self.N)
        if stop <= start:
            raise ModelError(f"the subgroup [{start}:{stop}] of group '{self.name}' is empty",
                             where=f"group '{self.name}'")
        return Subgroup(self, start, stop)


def as_range(obj, what: str):
    """(group, (start, stop)) of a NeuronGroup or Subgroup."""
    if isinstance(obj, Subgroup):
        return obj.group, (obj.start, obj.stop)
    if isinstance(obj, NeuronGroup):
        return obj, (0, obj.N)
    raise ModelError(f"the {what} must be a NeuronGroup or a slice of one, not "
                     f"{type(obj).__name__}", where="Synapses")


#: What a group answers itself: a model may not name a variable or parameter so.
ATTRIBUTES = frozenset({"N", "model", "name", "network", "index", "state", "shape", "device",
                        "poisson_inputs", "adopt", "value_of", "run_on_event"})

