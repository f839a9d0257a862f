"""A registry of library models: name -> model, read-only, with errors that suggest names."""
from __future__ import annotations

import difflib
from typing import Dict, Generic, Iterator, List, Mapping, TypeVar

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
    >>> r["lif"], "Lif" in r
    (1, False)
    """

    def __init__(self, kind: str):
        self.kind = kind
        self._models: Dict[str, M] = {}

    def add(self, name: str, model: M) -> M:
        """Register ``model`` under ``name`` (each name once) and give it back."""
        if name in self._models:
            raise ValueError(f"the {self.kind} {name!r} is already in the library")
        self._models[name] = model
        return model

    def __getitem__(self, name: str) -> M:
        try:
            return self._models[name]
        except (KeyError, TypeError):
            pass
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


#: Neuron models by name (filled by the library modules when ``pyspike.models`` is imported).
neurons: Registry = Registry("neuron model")
#: Synapse models by name (:class:`~pyspike.models.synapse_kind.SynapseKind`).
synapses: Registry = Registry("synapse model")
#: Plasticity rules by name (:class:`~pyspike.models.rule.PlasticityRule`).
plasticity: Registry = Registry("plasticity rule")
