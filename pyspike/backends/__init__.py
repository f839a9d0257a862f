"""Backends behind one small interface (:mod:`.protocol`): ``prepare`` (compile and load
the generated code), ``run`` (n steps over the runtime's arrays), ``sync``, ``collect``,
``nonfinite_slots``, ``device_array`` and ``close``, with what each backend can do declared
in its :class:`Capabilities`.  Adding a backend is one module plus one line in
:data:`BACKENDS`."""
from __future__ import annotations

from typing import Optional

from ..codegen.errors import BuildError
from ..toolchain.compile import find_compiler
from ..toolchain.compile_cuda import find_nvcc
from .cpu import CPUBackend
from .cuda import CUDABackend, gpu_missing
from .library import native
from .numpy_ref import NumpyBackend
from .protocol import Backend, BaseBackend, Capabilities

BACKENDS = {"cpu": CPUBackend, "cuda": CUDABackend, "numpy": NumpyBackend}

__all__ = ["BACKENDS", "Backend", "BaseBackend", "Capabilities", "get_backend", "unavailable"]


def get_backend(name: str) -> Backend:
    from ..codegen.errors import ModelError
    if name not in BACKENDS:
        raise ModelError(f"unknown backend '{name}': choose one of {', '.join(BACKENDS)}",
                         where="Network", symbol=name)
    return BACKENDS[name]()


def unavailable(name: str) -> Optional[str]:
    """Why the backend ``name`` cannot run on this machine (one sentence), or None where it
    can: the compiled extension and a C++ compiler for "cpu" and "cuda", and CuPy, a GPU
    and nvcc for "cuda"."""
    if name == "numpy":
        return None
    try:
        native()
        find_compiler()
    except ImportError as err:
        return f"the compiled extension pyspike._native is missing ({err}); reinstall pyspike"
    except BuildError as err:
        return str(err)
    if name == "cuda":
        missing = gpu_missing()
        if missing is not None:
            return missing
        if find_nvcc() is None:
            return "backend='cuda' needs the CUDA compiler nvcc, and none was found"
    return None
