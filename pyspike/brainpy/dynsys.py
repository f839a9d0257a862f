"""BrainPy's system classes: ``DynamicalSystem`` (subclass it and write ``update()``),
``DynSysGroup``/``Network`` (children updated in BrainPy's order: projections, then
dynamics, then the rest), ``Projection`` and ``Dynamic``.

Calling a system only means something while pyspike.brainpy traces ``update()`` (in
``DSRunner.run`` and ``bm.for_loop``): a neuron records its input, a projection that it
is called, a system of the user's runs its own ``update()``.
"""
from __future__ import annotations

import itertools
from typing import Dict, List, Optional

from ..codegen.errors import ModelError
from .. import checks
from .context import SIMULATIONS, current_trace
from .core import check_mode, missing

_counts: Dict[str, "itertools.count"] = {}


def _default_name(obj) -> str:
    base = type(obj).__name__
    return f"{base}{next(_counts.setdefault(base, itertools.count()))}"


class DynamicalSystem:
    """Subclass it, make neurons and projections in ``__init__`` and call them in
    ``update()``; run it with ``bp.DSRunner`` or ``bm.for_loop``."""
    #: whether a DynSysGroup's default update calls it (not a communication layer's)
    steps = True

    def __init__(self, name: Optional[str] = None, mode=None):
        check_mode(mode, type(self).__name__)
        self.name = checks.name(name, type(self).__name__) or _default_name(self)

    def update(self, *args, **kwargs):
        raise ModelError(f"{type(self).__name__} must define update(), the step of the "
                         "model", where=type(self).__name__, symbol="update")

    def __call__(self, *args, **kwargs):
        trace = current_trace()
        if trace is None:
            raise missing(f"calling {type(self).__name__} outside a run",
                          "pyspike.brainpy runs a model through bp.DSRunner(model).run(...) "
                          "or bm.for_loop(lambda i: model.step_run(i, ...), indices)",
                          where=type(self).__name__)
        if trace.root is None:
            trace.root = self
        trace.depth += 1
        try:
            return self.update(*args, **kwargs)
        finally:
            trace.depth -= 1

    def step_run(self, i, *args, **kwargs):
        """One step of the model (``bm.for_loop(lambda i: model.step_run(i, x), idx)``)."""
        return self(*args, **kwargs)

    def reset_state(self, *args, **kwargs) -> None:
        """Back to the state the model was built with (values drawn at construction)."""
        sim = SIMULATIONS.get(self)
        if sim is not None:
            sim.reset()

    reset = reset_state

    def clear_input(self) -> None:
        pass

    def children(self) -> List["DynamicalSystem"]:
        """The systems held as attributes (and in lists, tuples and dicts of them), in the
        order they were set: BrainPy's ``nodes(level=1)``."""
        found: List[DynamicalSystem] = []
        values = list(vars(self).values())
        for value in values:
            items = value.values() if isinstance(value, dict) else \
                value if isinstance(value, (list, tuple)) else [value]
            for item in items:
                if isinstance(item, DynamicalSystem) and not any(item is f for f in found) \
                        and item is not self:
                    found.append(item)
        return found

    def __repr__(self) -> str:
        return f"{self.name}(mode=NonBatchingMode)"


class Dynamic(DynamicalSystem):
    """A population of ``size`` units (``num`` in all; ``varshape`` is (num,) unless
    ``keep_size``)."""

    def __init__(self, size, keep_size: bool = False, sharding=None,
                 name: Optional[str] = None, mode=None, method: str = "exp_auto"):
        super().__init__(name=name, mode=mode)
        where = type(self).__name__
        sizes = tuple(size) if isinstance(size, (tuple, list)) else (size,)
        if not sizes:
            raise ModelError("size must be a number of units or a shape", where=where,
                             symbol="size")
        self.size = tuple(checks.count(s, "size", where, minimum=1) for s in sizes)
        self.keep_size = checks.flag(keep_size, "keep_size", where)
        self.num = 1
        for s in self.size:
            self.num *= s
        self.method = method

    @property
    def varshape(self):
        return self.size if self.keep_size else (self.num,)

    def __getitem__(self, item):
        raise missing(f"{type(self).__name__}[...] (DynView)", "project to a whole group",
                      where=type(self).__name__)

    def __repr__(self) -> str:
        return f"{self.name}(mode=NonBatchingMode, size={self.size})"


class Projection(DynamicalSystem):
    """A projection of the user's (a class wrapping BrainPy's projections): calling it
    calls the projections it holds, in the order they were set."""

    def update(self, *args, **kwargs):
        for child in self.children():
            if isinstance(child, Projection):
                child()


class DynSysGroup(DynamicalSystem):
    """A container: ``DynSysGroup(*systems, **named_systems)`` or a subclass setting its
    children as attributes.  Its default update calls every projection, then every
    neuron group (without input), then the other systems, as BrainPy's does."""

    def __init__(self, *children_as_tuple, name: Optional[str] = None, mode=None,
                 child_type: type = DynamicalSystem, **children_as_dict):
        super().__init__(name=name, mode=mode)
        given = list(children_as_tuple) + list(children_as_dict.values())
        for child in given:
            if not isinstance(child, child_type):
                raise ModelError(f"a DynSysGroup holds systems of {child_type.__name__}, not "
                                 f"{checks.show(child)}", where="DynSysGroup",
                                 symbol="children")
        self.children_given = given
        for key, child in children_as_dict.items():
            if not hasattr(self, key):
                setattr(self, key, child)

    def update(self, *args, **kwargs):
        if args or kwargs:
            raise ModelError("the default update() of a DynSysGroup takes no input: give "
                             "inputs to the neurons in an update() of your own",
                             where=type(self).__name__, symbol="update")
        nodes = self.children()
        for node in nodes:
            if isinstance(node, Projection):
                node()
        for node in nodes:
            if isinstance(node, Dynamic):
                node()
        for node in nodes:
            if not isinstance(node, (Projection, Dynamic)) and node.steps:
                node()

    def __getitem__(self, key: str):
        for child in self.children():
            if child.name == key:
                return child
        raise KeyError(key)


class Network(DynSysGroup):
    pass


Container = DynSysGroup
