"""What BrainPy keeps globally, here: ``bp.share`` (the step's ``t``, ``i``, ``dt``), the
trace of one call of a model's ``update()``, and the error for BrainPy features that
pyspike.brainpy does not offer.

BrainPy runs ``update()`` once per step under JAX; pyspike.brainpy calls it once per run,
with placeholders, to learn what the step does (which projections and neurons it calls,
in which order, with which inputs), and compiles that.  Code in ``update()`` that reads
the step's time therefore cannot be compiled, and says so.
"""
from __future__ import annotations

import contextlib
import weakref
from typing import Dict, Iterator, List, Optional, Tuple

from ..codegen.errors import ModelError
from .core import FeatureError, Series, get_dt, missing, set_dt


class Trace:
    """What one call of ``update()`` did: neurons called (with their input) and
    projections called, in order."""

    def __init__(self) -> None:
        self.events: List[Tuple[str, object, object]] = []
        #: the system whose update() or step_run() was called first (bm.for_loop's model)
        self.root: Optional[object] = None
        self.depth = 0

    def neuron(self, obj, x) -> None:
        if any(o is obj for kind, o, _ in self.events if kind == "neuron"):
            raise ModelError(f"update() calls the neurons '{obj.name}' twice in one step; "
                             "pyspike.brainpy updates each group once per step",
                             where="update()", symbol=obj.name)
        self.events.append(("neuron", obj, x))

    def projection(self, obj) -> None:
        if any(o is obj for kind, o, _ in self.events if kind == "projection"):
            raise ModelError(f"update() calls the projection '{obj.name}' twice in one step",
                             where="update()", symbol=obj.name)
        self.events.append(("projection", obj, None))

    def position(self, obj) -> Optional[int]:
        for k, (_, o, _) in enumerate(self.events):
            if o is obj:
                return k
        return None


_state: Dict[str, Optional[Trace]] = {"trace": None}


def current_trace() -> Optional[Trace]:
    return _state["trace"]


@contextlib.contextmanager
def tracing() -> Iterator[Trace]:
    """Record what the model's update() calls, for one step."""
    if _state["trace"] is not None:
        raise ModelError("a model is already being traced: DSRunner.run and bm.for_loop "
                         "cannot be called from inside update()", where="update()")
    trace = Trace()
    _state["trace"] = trace
    try:
        yield trace
    finally:
        _state["trace"] = None


class _Share:
    """``bp.share``: the shared arguments of the current step.  ``dt`` is the global time
    step (``bm.get_dt()``); ``t`` and ``i`` are those of the last step run, readable
    between runs.  Inside ``update()`` they are not known: pyspike.brainpy compiles the
    step once instead of calling update() at every step."""

    def __init__(self) -> None:
        self._values: Dict[str, object] = {}

    def load(self, key: str, default=None):
        if key == "dt" and "dt" not in self._values:
            return get_dt()
        if current_trace() is not None and key in ("t", "i"):
            raise missing(f"bp.share.load({key!r}) inside update()",
                          "pyspike.brainpy compiles update() once for the whole run, so a "
                          "time-dependent input must come as an array: "
                          "DSRunner.run(inputs=array) or inputs=[(target, array, 'iter')]",
                          where="bp.share")
        if key in self._values:
            return self._values[key]
        if default is not None:
            return default
        raise ModelError(f"bp.share has no value for {key!r} yet (it has "
                         f"{', '.join(sorted(self._values)) or 'none'}; 'dt' always)",
                         where="bp.share", symbol=str(key))

    def __getitem__(self, key: str):
        return self.load(key)

    def save(self, *args, **kwargs) -> None:
        """Keep values: ``save(t=1.0)``, ``save('t', 1.0)``; a placeholder of bm.for_loop
        (the step's index or time) is accepted and not kept."""
        if args:
            if len(args) % 2:
                raise ModelError("bp.share.save takes key/value pairs or keywords",
                                 where="bp.share.save")
            kwargs.update(zip(args[::2], args[1::2]))
        for key, value in kwargs.items():
            if isinstance(value, Series):
                continue
            if key == "dt":
                set_dt(value)
            else:
                self._values[key] = value

    def get_shargs(self) -> Dict[str, object]:
        return {"dt": get_dt(), **self._values}

    def clear_shargs(self, *keys: str) -> None:
        for key in keys or list(self._values):
            self._values.pop(key, None)


share = _Share()

#: The pyspike simulation of each model that has run (lowering.Simulation), by model.
SIMULATIONS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()

__all__ = ["FeatureError", "SIMULATIONS", "Trace", "current_trace", "missing", "share",
           "tracing"]
