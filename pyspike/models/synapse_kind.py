"""SynapseKind: a synapse model of the library, and how it joins a Synapses object.

Three ways a kind keeps its state:

- ``"post"``: linear kinetics (exponential, dual exponential, alpha) kept once per
  postsynaptic neuron, shared by every pathway of the same kind, parameters, output and
  target (BrainPy's post-aligned projections): a spike adds ``w`` to its target neuron's
  state, which decays once per neuron and step however many synapses there are.  The
  state joins the group's model (``codegen/extensions.py``), and the output (``g``,
  ``g*(E - V)``, Mg-blocked) is added wherever the model reads ``post_var``.
- ``"synapse"``: nonlinear kinetics (AMPA, GABA_A, NMDA) kept per synapse; each
  pathway sums ``w*g*(E - V_post)`` into a current of its own, which joins the group's
  model in the same way.
- ``"delta"``: no state; a spike adds ``w`` to ``post_var`` at once.

A kind may also keep per-synapse variables that scale each spike's effect (Tsodyks-
Markram short-term plasticity: ``effect = u*x``).  All text here is the library's own;
the only names put into it are identifiers the model declares or pyspike makes.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple

from ..codegen.errors import ModelError
from ..codegen.spec import Extension
from ..codegen.units import DIMENSIONLESS, TIME, Dim, dimension, unit_text
from .. import checks

#: Outputs: the current a conductance-like state ``g`` gives, over local names (``V`` is
#: the postsynaptic model's voltage), and the defaults of their parameters.
OUTPUTS: Dict[str, Tuple[str, Dict[str, float]]] = {
    "CUBA": ("g", {}),
    "COBA": ("g*(E - V)", {"E": 0.0}),
    "MgBlock": ("g*(E - V)/(1 + cc_Mg/beta*exp(-alpha*V))",
                {"E": 0.0, "cc_Mg": 1.2, "alpha": 0.062, "beta": 3.57}),
}
VOLTAGE = dimension("mV")


@dataclass(frozen=True)
class SynapseKind:
    """A synapse model: ``align`` says where its state lives (see the module), ``state``
    gives its equations (local names, ``g`` the conductance the output reads), ``powers``
    the unit of each state relative to ``g`` as a power of ms (``h`` of a dual exponential
    is g/ms: -1), ``on_pre`` what a spike does (``{g}_post`` names the post-aligned state
    ``g`` of its target), ``synapse`` per-synapse variables (the kinetics of a
    ``"synapse"`` kind, short-term plasticity's u and x), ``params`` the defaults of the
    state's parameters, ``synapse_params`` those of per-synapse ones, ``output`` the
    default output.
    """
    name: str
    doc: str
    align: str
    state: str = ""
    powers: Tuple[Tuple[str, int], ...] = (("g", 0),)
    on_pre: str = "{g}_post += w"
    synapse: str = ""
    params: Dict[str, float] = field(default_factory=dict)
    synapse_params: Dict[str, float] = field(default_factory=dict)
    output: str = "CUBA"
    method: Optional[str] = None          # of per-synapse clock-driven kinetics

    def __str__(self) -> str:
        out = [self.name] + ["  " + s for s in inspect.cleandoc(self.doc).splitlines()]
        for title, text in (("state", self.state), ("per synapse", self.synapse),
                            ("on a presynaptic spike", self.on_pre)):
            lines = [s.strip() for s in text.replace(";", "\n").splitlines() if s.strip()]
            if lines:
                out += [f"{title}:"] + ["  " + s for s in lines]
        out.append(f"output: {self.output} (one of {', '.join(OUTPUTS)})")
        defaults = {**self.params, **self.synapse_params}
        if defaults:
            out += ["parameters:"] + [f"  {k} = {v!r}" for k, v in defaults.items()]
        return "\n".join(out)


def voltage_of(model, where: str, given: Optional[str] = None) -> str:
    """The postsynaptic model's membrane potential: ``given``, or its first variable in
    mV with a differential equation."""
    if given is not None:
        if given not in model.variables:
            raise ModelError(f"voltage={checks.show(given)} is not a variable of the target",
                             where=where, symbol=checks.label(given))
        return given
    for v in model.variables:
        if model.dims.get(v) == VOLTAGE and "/dt" in model.equations and \
                f"d{v}/dt" in model.equations.replace(" ", ""):
            return v
    raise ModelError("the output needs the target's membrane potential, and its model has no "
                     "variable in mV with a differential equation: give voltage='name'",
                     where=where, symbol="voltage")


def state_dim(kind: SynapseKind, output: str, target_dim: Optional[Dim]) -> Dim:
    """The unit of the kind's conductance ``g``: the target's for CUBA, target/mV for
    the conductance-based outputs."""
    if target_dim is None:
        return DIMENSIONLESS
    return target_dim if output == "CUBA" else target_dim / VOLTAGE


def extension(kind: SynapseKind, suffix: str, output: str, target: str, voltage: str,
              g_dim: Dim) -> Extension:
    """The state a post-aligned kind adds to the target's model."""
    term, output_params = OUTPUTS[output]
    units = tuple((name, unit_text(g_dim * TIME ** power)) for name, power in kind.powers)
    return Extension(suffix, kind.state, tuple(kind.params) + tuple(output_params), units,
                     target, term, voltage if output != "CUBA" else "")


def current_extension(suffix: str, target: str, target_dim: Dim) -> Extension:
    """The current a per-synapse kind sums into (one per pathway), added to ``target``."""
    return Extension(suffix, "I : 1", (), (("I", unit_text(target_dim)),), target, "I")
