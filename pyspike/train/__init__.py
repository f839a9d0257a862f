"""Gradient training of spiking networks on kernels generated from the models' equations.

The backward pass of any neuron model is derived with sympy (codegen/grad.py) and runs in
fused multi-step kernels (:class:`~pyspike.train.kernels.NeuronKernels`); layers put a
connection's matrix product (BLAS through NumPy) in front of them; losses, optimisers
and a fit loop need nothing but NumPy (``pyspike.torch`` has the same kernels as torch
modules).

>>> import numpy as np, pyspike.train as pt
>>> net = pt.Sequential(pt.Linear(64, 100, "lif", seed=0), pt.Linear(100, 10, "lif", seed=1))
>>> net(np.zeros((25, 8, 64), np.float32)).shape
(25, 8, 10)
"""
from . import datasets  # noqa: F401  (pt.datasets.mnist1d)
from .connections import Conv2d, SparseLinear
from .eventprop import EventPropLayer, EventPropNetwork, latency_code, latency_cross_entropy
from .fit import History, evaluate, fit, rate_code
from .kernels import NeuronKernels
from .layers import Layer, Linear, Sequential
from .losses import (accuracy, ce_rate, cross_entropy_count, cross_entropy_membrane,
                     first_spike_time, mse_count, mse_membrane)
from .optim import (SGD, Adam, AdamW, CosineAnnealingLR, ExponentialLR, LRScheduler,
                    Optimizer, StepLR)

__all__ = ["NeuronKernels", "Layer", "Linear", "SparseLinear", "Conv2d", "Sequential", "fit",
           "evaluate", "rate_code", "EventPropLayer", "EventPropNetwork", "latency_code",
           "latency_cross_entropy",
           "History", "accuracy", "ce_rate", "cross_entropy_count", "cross_entropy_membrane",
           "first_spike_time", "mse_count", "mse_membrane", "SGD", "Adam", "AdamW",
           "CosineAnnealingLR", "ExponentialLR", "LRScheduler", "Optimizer", "StepLR"]
