"""Synapses whose target is another Synapses object (Brian2's Synapses on Synapses).

Izhikevich (2007) releases dopamine with a spike that reaches every plastic synapse:
``Synapses(dopamine, stdp, on_pre="d_post += epsilon_dopa")``.  The targets are the
synapses of ``stdp``: ``j`` numbers them, ``d_post`` (or plainly ``d``) is the state
variable of synapse ``j``.  They fire no spikes, so there is no ``on_post``, and their
parameters are not visible (write a state variable).  Their number is fixed when the
modulating synapses connect: connect the target first, and do not add synapses to it
afterwards (the numbers ``j`` would then point elsewhere).

>>> import pyspike as ps
>>> net = ps.Network(dt=0.1, backend="numpy")
>>> with net:
...     P = ps.NeuronGroup(2, ps.NeuronModel("v : 1"))
...     S = ps.Synapses(P, P, model="d : 1", on_pre="v_post += d")
...     D = ps.SpikeGeneratorGroup(1, [0], [0.5])
...     R = ps.Synapses(D, S, on_pre="d_post += 0.5")
>>> S.connect(i=[0, 1], j=[1, 0]); R.connect()
>>> net.run(1.0)
>>> S.d
array([0.5, 0.5])
"""
from __future__ import annotations

from typing import Optional, Tuple

from .codegen.errors import ModelError
from .group import as_range


def target_of(target, synapses_class) -> Tuple[object, Optional[Tuple[int, int]]]:
    """(target, neuron range) of a group or subgroup; (target, None) for a Synapses."""
    if isinstance(target, synapses_class):
        return target, None
    return as_range(target, "target of Synapses")


def refuse_library_parts(syn, kind, plasticity, output) -> None:
    """A library synapse kind or rule acts on neurons, not on another Synapses object."""
    if syn.target_synapses and (kind is not None or plasticity is not None or output):
        raise ModelError(f"Synapses '{syn.name}' target Synapses '{syn.target.name}': a "
                         "library synapse model, output or plasticity rule needs neurons "
                         "as the target", where=f"Synapses '{syn.name}'",
                         symbol="plasticity" if plasticity is not None else "model")


def check_target_size(syn, connected_to: Optional[int]) -> None:
    """Refuse to build code after the target gained or lost synapses since ``syn``
    connected to them (``connected_to``: their number then)."""
    if connected_to is not None and connected_to != syn.target.n:
        raise ModelError(f"Synapses '{syn.name}' connected to the {connected_to} synapses "
                         f"of Synapses '{syn.target.name}', which now have {syn.target.n}: "
                         "connect the target Synapses completely first, then the Synapses "
                         "that act on them", where=f"Synapses '{syn.name}'",
                         symbol=syn.target.name)
