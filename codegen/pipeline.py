"""codegen's one door: a network's spec -> kernel IR -> rendered source, and nothing else.

``generate`` runs equations -> IR -> integration -> kernel IR -> the target's source.  It
is pure: it reads no environment variable, keeps no cache, writes no file and runs no
compiler.  Caching the result on disk, the debug output and compiling it are the
toolchain's work (:mod:`pyspike.toolchain`), which calls this function on a cache miss.

>>> from pyspike.codegen.spec import GroupSpec, NetworkSpec
>>> spec = NetworkSpec(groups=(GroupSpec("g", 3, equations="dv/dt = -v/tau : mV",
...                                      params=("tau",)),))
>>> out = generate(spec, "cpp")
>>> out.kernel.groups[0].N, "pyspike_run" in out.source, generate(spec, "numpy").source
(3, True, '')
"""
from __future__ import annotations

from dataclasses import dataclass

from .kernels import NetworkKernel, build_network
from .render import render_cpp
from .render_cuda import render_cuda
from .spec import NetworkSpec
from .strategy import for_target

__all__ = ["Generated", "RENDERERS", "for_target", "generate"]

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
