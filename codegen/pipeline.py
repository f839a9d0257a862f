"""codegen's one door: a network's spec -> kernel IR -> rendered source, and nothing else.

``generate`` runs equations -> IR -> integration -> kernel IR -> the target's source.  It
is pure: the same spec gives the same source; it reads no environment variable, writes no
file and runs no compiler.  What it remembers within a process (compiled templates,
systems of equations already integrated: :func:`codegen.integrators.integrate`) changes
no result, only the time.  Caching the result on disk, the debug output and compiling it
are the toolchain's work (:mod:`pyspike.toolchain`), which calls this function on a
cache miss.

>>> from pyspike.codegen.spec import GroupSpec, NetworkSpec
>>> spec = NetworkSpec(groups=(GroupSpec("g", 3, equations="dv/dt = -v/tau : mV",
...                                      params=("tau",)),))
>>> out = generate(spec, "cpp")
>>> out.kernel.groups[0].N, "pyspike_run" in out.source, generate(spec, "numpy").source
(3, True, '')
"""
from __future__ import annotations

from dataclasses import dataclass

from .grad import TrainingKernel, training_kernel
from .grad_step import neuron_step
from .kernels import NetworkKernel, build_network
from .render import render_cpp
from .render_cuda import render_cuda
from .render_training import render_training
from .spec import LayerSpec, NetworkSpec
from .strategy import for_target

__all__ = ["Generated", "GeneratedLayer", "RENDERERS", "for_target", "generate",
           "generate_layer"]

#: Targets with a source; any other (the NumPy reference) interprets the kernel IR itself.
RENDERERS = {"cpp": render_cpp, "cuda": render_cuda}


@dataclass(frozen=True)
class Generated:
    """The kernel IR of a network and its source for one target ('' for the NumPy
    reference, which needs none)."""
    kernel: NetworkKernel
    source: str


def generate(spec: NetworkSpec, target: str = "cpp") -> Generated:
    """Kernel IR and rendered source of ``spec`` for ``target`` (``spec`` as the target
    sees it: :func:`strategy.for_target`)."""
    kernel = build_network(for_target(spec, target))
    return Generated(kernel, RENDERERS[target](kernel) if target in RENDERERS else "")


@dataclass(frozen=True)
class GeneratedLayer:
    """A training layer's forward and backward statements and their source for one target
    ('' for the NumPy reference)."""
    kernel: TrainingKernel
    source: str


def generate_layer(spec: LayerSpec, target: str = "cpp", real: str = "double"
                   ) -> GeneratedLayer:
    """The training door: a neuron model's step, its backward pass derived with sympy
    (:mod:`grad`), and the fused kernels over T steps for ``target`` ("cpp", "cuda", or
    anything else for the reference) in ``real`` ("double" or "float").

    >>> spec = LayerSpec(update="V = 0.9*V + I", equations="I : 1", threshold="V > 1",
    ...                  reset="V = 0")
    >>> out = generate_layer(spec, "cpp", "float")
    >>> out.kernel.saved, "ps_train_backward" in out.source
    (('V',), True)
    """
    step = neuron_step(spec.equations, spec.update, spec.threshold, spec.reset,
                       list(spec.params), input=spec.input, method=spec.method,
                       output=spec.output, refractory=spec.refractory)
    kernel = training_kernel(step, spec.surrogate, spec.alpha, spec.smooth,
                             spec.detach_reset, spec.trained, spec.per_neuron)
    source = render_training(kernel, target, real, spec.recurrent) \
        if target in ("cpp", "cuda") else ""
    return GeneratedLayer(kernel, source)
