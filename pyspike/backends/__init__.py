"""Backends behind one small interface: ``prepare`` (compile and load the generated code),
``run`` (n steps over the runtime's arrays) and ``close``.  Adding a backend is one module
plus one line in :data:`BACKENDS`."""
from __future__ import annotations

from .cpu import CPUBackend
from .cuda import CUDABackend
from .numpy_ref import NumpyBackend

BACKENDS = {"cpu": CPUBackend, "cuda": CUDABackend, "numpy": NumpyBackend}


def get_backend(name: str):
    from ..codegen.errors import ModelError
    if name not in BACKENDS:
        raise ModelError(f"unknown backend '{name}': choose one of {', '.join(BACKENDS)}",
                         where="Network", symbol=name)
    return BACKENDS[name]()
