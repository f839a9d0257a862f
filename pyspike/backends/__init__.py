"""Backends behind one small interface (:mod:`.protocol`): ``prepare`` (compile and load
the generated code), ``run`` (n steps over the runtime's arrays), ``sync``, ``collect``,
``nonfinite_slots``, ``device_array`` and ``close``, with what each backend can do declared
in its :class:`Capabilities`.  Adding a backend is one module plus one line in
:data:`BACKENDS`."""
from __future__ import annotations

from .cpu import CPUBackend
from .cuda import CUDABackend
from .numpy_ref import NumpyBackend
from .protocol import Backend, BaseBackend, Capabilities

BACKENDS = {"cpu": CPUBackend, "cuda": CUDABackend, "numpy": NumpyBackend}

__all__ = ["BACKENDS", "Backend", "BaseBackend", "Capabilities", "get_backend"]


def get_backend(name: str) -> Backend:
    from ..codegen.errors import ModelError
    if name not in BACKENDS:
        raise ModelError(f"unknown backend '{name}': choose one of {', '.join(BACKENDS)}",
                         where="Network", symbol=name)
    return BACKENDS[name]()
