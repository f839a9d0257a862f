"""PlasticityRule: a learning rule as data, composed with a Synapses model by name.

A rule adds synaptic variables (traces, eligibility), equations and code run on
presynaptic and postsynaptic spikes to the synapses it is given to; it changes the weight
``w``, which the synapses declare.  The rule's text is parsed as blocks of its own (its
messages name the rule and its own lines) and joined to the synapses' model, not pasted
into it.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field, replace
from typing import Dict, Mapping

from ..codegen.errors import ModelError
from .. import checks


@dataclass(frozen=True)
class PlasticityRule:
    """A synaptic learning rule: ``model`` declares the variables it adds, ``on_pre`` and
    ``on_post`` run after the synapses' own code, ``params`` are its defaults.

    >>> stdp = PlasticityRule("pair", "Pair-based STDP.", model="dapre/dt = -apre/tau : 1 "
    ...                       "(event-driven)", on_pre="apre += 1", params={"tau": 20.0})
    >>> stdp.with_params({"tau": 10.0}).params
    {'tau': 10.0}
    """
    name: str
    doc: str
    model: str = ""
    on_pre: str = ""
    on_post: str = ""
    params: Dict[str, float] = field(default_factory=dict)

    def with_params(self, params: Mapping[str, object]) -> "PlasticityRule":
        """The same rule with some defaults replaced (names must be the rule's)."""
        unknown = [k for k in params if k not in self.params]
        if unknown:
            raise ModelError(f"{checks.show(unknown[0])} is not a parameter of the plasticity "
                             f"rule '{self.name}' ({', '.join(self.params)})",
                             where=f"plasticity rule '{self.name}'", symbol=str(unknown[0]))
        return replace(self, params={**self.params, **params})

    def part(self):
        """The rule as a block of a synapse model (see ``SynapsesSpec.parts``)."""
        return (f"the plasticity rule '{self.name}'", self.model, self.on_pre, self.on_post)

    def __str__(self) -> str:
        out = [self.name] + ["  " + line for line in inspect.cleandoc(self.doc).splitlines()]
        for title, text in (("model", self.model), ("on_pre", self.on_pre),
                            ("on_post", self.on_post)):
            lines = [line.strip() for line in text.replace(";", "\n").splitlines()
                     if line.strip()]
            if lines:
                out += [f"{title}:"] + ["  " + line for line in lines]
        if self.params:
            out += ["parameters:"] + [f"  {k} = {v!r}" for k, v in self.params.items()]
        return "\n".join(out)
