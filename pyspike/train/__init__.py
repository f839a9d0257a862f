"""Gradient training of spiking networks on kernels generated from the models' equations.

The backward pass of any neuron model is derived with sympy (codegen/grad.py) and runs in
fused multi-step kernels (:class:`~pyspike.train.kernels.NeuronKernels`).
"""
from .kernels import NeuronKernels

__all__ = ["NeuronKernels"]
