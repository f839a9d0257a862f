"""pyspike's model library: neuron models by name, as SPAIC and BrainPy users know them.

- :data:`neurons`: name -> :class:`~pyspike.NeuronModel`.  SPAIC 0.6.2's models keep
  SPAIC's lower-case names and its discrete-time update rules (``"lif"``, ``"clif"``,
  ``"izh"``); BrainPy 2.4.3's keep BrainPy's class names, equations, defaults and its
  default integration ``exp_auto`` (``"Lif"``, ``"AdExIF"``, ``"HH"``); the Brette et al.
  (2007) benchmark neurons are ``"brette_cuba"``, ``"brette_coba"`` and ``"brette_hh"``.
- :data:`synapses`: name -> :class:`SynapseKind` (``"Expon"``, ``"AMPA"``, ``"STP"``, ...),
  given to ``ps.Synapses(pre, post, model=..., output="COBA")``.
- :data:`plasticity`: name -> :class:`PlasticityRule` (``"stdp"``, ``"stdp_triplet"``,
  ``"rstdp"``, ...), given to ``ps.Synapses(..., plasticity="stdp")``.

Each model prints as its documentation (``print(ps.models.neurons["HH"])``): equations,
defaults with units, initial values, its source and where it departs from it.  Give a
name to :class:`~pyspike.NeuronGroup`, with ``params=`` for the values you change:

>>> import pyspike as ps
>>> G = ps.NeuronGroup(10, "Izhikevich", params={"d": 2.0})
>>> G.model.name, G.model.params["d"]
('Izhikevich', 2.0)
"""
from __future__ import annotations

from typing import Mapping, Optional

from ..codegen.errors import ModelError
from ..model import NeuronModel
from .. import checks
from .registry import Registry, neurons, plasticity, synapses
from .rule import PlasticityRule
from .synapse_kind import SynapseKind


def neuron_model(model, params: Optional[Mapping[str, object]], where: str) -> NeuronModel:
    """``model`` (a NeuronModel or a library name) with ``params`` replacing its defaults."""
    if isinstance(model, str):
        model = neurons[model]
    if not isinstance(model, NeuronModel):
        raise ModelError(f"{where} needs a NeuronModel or the name of a library model "
                         f"(pyspike.models.neurons), not {checks.show(model)}", where=where,
                         symbol="model")
    return model if params is None else model.with_params(params)



def plasticity_rule(rule, params=None) -> Optional[PlasticityRule]:
    """``rule`` (None, a PlasticityRule or the name of a library rule) as a rule."""
    if rule is None:
        return None
    if isinstance(rule, str):
        rule = plasticity[rule]
    if not isinstance(rule, PlasticityRule):
        raise ModelError(f"plasticity must be a PlasticityRule or the name of a library rule "
                         f"(pyspike.models.plasticity), not {checks.show(rule)}",
                         where="Synapses", symbol="plasticity")
    return rule


# Each module adds its models to the registries when imported.
from . import (brainpy_neurons, brainpy_hh, brainpy_rates, brette,  # noqa: E402,F401
               plasticity_rules, spaic_neurons, synapse_library)
from .plasticity_rules import normalize_weights  # noqa: E402

__all__ = ["neurons", "neuron_model", "normalize_weights", "plasticity", "PlasticityRule",
           "Registry", "synapses", "SynapseKind"]
