"""BrainPy's way in: ``import pyspike.brainpy as bp`` (and ``import pyspike.brainpy.math
as bm``) in place of ``import brainpy as bp`` runs BrainPy 2.4.3's simulation scripts on
pyspike's compiled kernels.

A model is a ``bp.DynamicalSystem`` (or ``bp.DynSysGroup``) whose ``__init__`` makes
``bp.dyn`` neurons (``LifRef``, ``ExpIF``, ... each with its Ref and LTC forms: pyspike's
library models with BrainPy's defaults) and projections (``ProjAlignPostMg2``,
``ProjAlignPost2``, ``ProjAlignPreMg1`` with ``Expon`` kinetics, a ``COBA``/``CUBA``/
``MgBlock`` output and a ``bp.dnn`` layer over a ``bp.conn`` connector), and whose
``update()`` calls them.  ``bp.DSRunner(model, monitors=..., inputs=...).run(duration)``
or ``bm.for_loop(lambda i: model.step_run(i, x), indices)`` traces ``update()`` once,
lowers the model onto a pyspike Network (one NeuronGroup per group, one library Synapses
per projection, with BrainPy's timing: see lowering.py) and runs it compiled.

What differs from BrainPy, and why:

- ``update()`` runs once, to learn the step, not at every step: code in it that reads
  the step's time (``bp.share['t']``) or computes on the state cannot be compiled and is
  refused; a per-step input comes as an array (``runner.run(inputs=...)``,
  ``inputs=[(target, array, 'iter')]``), and is then set at the start of each step from
  Python.
- Random numbers (initial values, connections) are pyspike's and NumPy's, seeded by
  ``bm.random.seed``: the same statistics as BrainPy's, other numbers.
- pyspike computes in double precision unless ``bm.disable_x64()``; BrainPy in float32.
- A refractory neuron is held for floor(tau_ref/dt) steps; BrainPy compares
  t - t_last_spike <= tau_ref in float32, which at a whole number of steps can release it
  one step earlier.
- Just-in-time layers (``EventJitFPHomoLinear``) draw BrainPy's connectivity once, from
  ``bm.random`` (dnn.jit_pairs); connectors without a seed of their own draw from the
  network's seed.

Anything of BrainPy not offered here raises a ``FeatureError`` (a ModelError) naming it.
"""
from . import conn, dnn, dyn, init, math, visualize
from .context import share
from .core import FeatureError, missing
from .dynsys import (Container, DynamicalSystem, Dynamic, DynSysGroup, Network,
                     Projection)
from .runner import DSRunner

__all__ = ["Container", "DSRunner", "DynSysGroup", "Dynamic", "DynamicalSystem",
           "FeatureError", "Network", "Projection", "conn", "dnn", "dyn", "init", "math",
           "share", "visualize"]

_LEGACY = {
    "neurons": "bp.dyn's neurons (bp.dyn.LifRef in place of bp.neurons.LIF)",
    "synapses": "a bp.dyn projection (ProjAlignPostMg2 with bp.dyn.Expon)",
    "synouts": "bp.dyn.COBA / bp.dyn.CUBA",
    "NeuGroup": "bp.dyn's neurons",
}


def __getattr__(name: str):
    raise missing(f"brainpy.{name}", f"use {_LEGACY[name]}" if name in _LEGACY else
                  "see pyspike/brainpy/__init__.py for what is offered",
                  where="pyspike.brainpy")
