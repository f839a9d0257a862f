"""BrainPy 2.4.3's rate models and two-variable neurons (``brainpy/_src/dyn/rates/`` and
the legacy FHN and HindmarshRose), as equations integrated with ``exp_auto``.
"""
from __future__ import annotations

from ..model import NeuronModel  # noqa: F401
from .registry import neurons  # noqa: F401
