"""SPAIC 0.6.2's neuron models (``spaic/Neuron/Neuron.py``), as discrete-time update rules.

SPAIC has no ODE solver: each model is a list of per-step operations.  Each model here
applies the same operations in the same order, with SPAIC's defaults and names, so that a
SPAIC user's traces come out the same step for step.
"""
from __future__ import annotations

from ..model import NeuronModel  # noqa: F401
from .registry import neurons  # noqa: F401
