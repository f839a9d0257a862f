"""A registry of library models: name -> model, read-only, with errors that suggest names."""
from __future__ import annotations

import difflib
from typing import Callable, Dict, Generic, Iterator, List, Mapping, Sequence, TypeVar, Union

from ..codegen.errors import ModelError

M = TypeVar("M")


class Registry(Mapping[str, M], Generic[M]):
    """Library models by name, as a read-only dict.

    Names are exact, as the simulator that defined the model spells them: SPAIC's are lower
    case (``"lif"``, ``"clif"``), BrainPy's are its class names (``"Lif"``, ``"AdExIF"``), so
    both libraries live side by side.  A name that is not there gives a ModelError listing
    the closest names.

    >>> r = Registry("neuron model")
    >>> r.add("lif", 1)
    1
    >>> r.later(["izh", "izhikevich"], lambda: 2)
    >>> r["lif"], "Lif" in r, r["izhikevich"]
    (1, False, 2)
    """

    def __init__(self, kind: str):
        self.kind = kind
        # a name's model, or the _Later that makes it at the name's first use
        self._models: Dict[str, Union[M, _Later]] = {}

    def add(self, name: str, model: M) -> M:
        """Register ``model`` under ``name`` (each name once) and give it back."""
        self._claim(name)
        self._models[name] = model
        return model

    def later(self, names: Union[str, Sequence[str]], make: Callable[[], M]) -> None:
        """Register under ``names`` the one model that ``make()`` builds when a name is
        first read.  The library's models parse their equations with sympy, about 20 ms
        each: made at import, they doubled the time of ``import pyspike`` (every MPI rank
        and every command pays it), for models a script mostly never names."""
        names = [names] if isinstance(names, str) else list(names)
        for name in names:
            self._claim(name)
        cell = _Later(make)
        for name in names:
            self._models[name] = cell

    def _claim(self, name: str) -> None:
        if name in self._models:
            raise ValueError(f"the {self.kind} {name!r} is already in the library")

    def __getitem__(self, name: str) -> M:
        try:
            entry = self._models[name]
        except (KeyError, TypeError):
            pass
        else:
            if isinstance(entry, _Later):
                entry = self._models[name] = entry.model()
            return entry
        text = name if isinstance(name, str) else repr(name)
        close = difflib.get_close_matches(text, list(self._models), n=4, cutoff=0.5)
        close += [n for n in self._models
                  if isinstance(name, str) and n.lower() == name.lower() and n not in close]
        hint = (": did you mean " + " or ".join(repr(n) for n in close) + "?") if close else \
            f": the library has {', '.join(sorted(self._models, key=str.lower))}"
        raise ModelError(f"there is no {self.kind} named {text!r} in pyspike's library{hint}",
                         where=f"the {self.kind} library", symbol=text)

    def __contains__(self, name: object) -> bool:
        return name in self._models

    def __iter__(self) -> Iterator[str]:
        return iter(self._models)

    def __len__(self) -> int:
        return len(self._models)

    def names(self) -> List[str]:
        """The names, in the order they were added."""
        return list(self._models)

    def __repr__(self) -> str:
        return f"<{len(self)} {self.kind}s: {', '.join(self._models)}>"


class _Later:
    """A model made once, at its first use, and shared by the names it has."""

    def __init__(self, make: Callable[[], object]):
        self._make: Union[Callable[[], object], None] = make
        self._model: object = None

    def model(self) -> object:
        if self._make is not None:
            self._model, self._make = self._make(), None
        return self._model


#: Neuron models by name (filled by the library modules when ``pyspike.models`` is imported).
neurons: Registry = Registry("neuron model")
#: Synapse models by name (:class:`~pyspike.models.synapse_kind.SynapseKind`).
synapses: Registry = Registry("synapse model")
#: Plasticity rules by name (:class:`~pyspike.models.rule.PlasticityRule`).
plasticity: Registry = Registry("plasticity rule")
