"""BrainPy 2.4.3's conductance-based neuron models (``brainpy/_src/dyn/neurons/hh.py``).

Integrated with ``exp_auto``, BrainPy's default; the input enters as BrainPy applies it
(I/C), and gates start where BrainPy's initializers put them.
"""
from __future__ import annotations

from ..model import NeuronModel  # noqa: F401
from .registry import neurons  # noqa: F401
