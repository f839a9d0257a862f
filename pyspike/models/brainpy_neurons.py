"""BrainPy 2.4.3's spiking neuron models (``brainpy/_src/dyn/neurons/``), as equations.

BrainPy integrates every built-in model with ``exp_auto`` (each equation linearised in its
own variable at the start of the step), applies the input current ``I`` as its equations
write it, and starts from its initializers' values; each model here does the same, so
that a BrainPy user's traces come out the same.  ``I`` is a variable that keeps its value
between steps (set it, or let synapses add to it); BrainPy's runners set it every step.
"""
from __future__ import annotations

from ..model import NeuronModel
from .registry import neurons

neurons.add("Izhikevich", NeuronModel(
    name="Izhikevich",
    doc="""Izhikevich (2003) simple model, BrainPy's ``Izhikevich``: the input is added as
    it is (dV/dt = 0.04 V^2 + 5 V + 140 - u + I).  A spike when V >= V_th, then V = c and
    u += d.  Reference: E. M. Izhikevich, IEEE Trans. Neural Netw. 14, 1569 (2003).""",
    equations="""
        dV/dt = 0.04*V**2 + 5*V + 140 - u + I : mV
        du/dt = a*(b*V - u) : mV/ms
        I : mV/ms
    """,
    threshold="V >= V_th", reset="V = c\nu = u + d", method="exp_auto",
    params={"a": 0.02, "b": 0.2, "c": -65.0, "d": 8.0, "V_th": 30.0},
    init={"V": -65.0, "u": 1.0}))
