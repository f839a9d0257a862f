"""Opening a generated library through its C ABI, for the CPU and the CUDA backend.

A generated library exports (templates/cpp/network.cpp.j2, templates/cuda/network.cu.j2)::

    int         pyspike_abi_version(void);
    int64_t     pyspike_run(void** arrays, const int64_t* iargs, const double* rargs,
                            int64_t n_steps);
    const char* pyspike_last_error(void);        /* CUDA only */

The ABI version is defined once, ``codegen.render.ABI_VERSION``: the templates write it
into every library and both loaders here refuse a library of another version.  The CPU's
library is opened by ``pyspike._native`` (pybind11: it checks the arrays and releases the
GIL for the run), which compares the version itself with the one it was built with; that
one is checked against ABI_VERSION here, so that a stale build of the extension is named
as such.  The CUDA library takes device pointers, which ``_native`` does not, so it is
opened with ctypes.
"""
from __future__ import annotations

import ctypes

from ..codegen.errors import BuildError
from ..codegen.render import ABI_VERSION


def check_version(found: int, path: str) -> None:
    """Refuse a library whose ABI version is not ABI_VERSION."""
    if found != ABI_VERSION:
        raise BuildError(f"compiled library {path} has ABI version {found}, this pyspike "
                         f"expects {ABI_VERSION}; clear the cache")


def native():
    """``pyspike._native``, if it loads libraries of this ABI_VERSION (else every library
    would be refused: it is a stale build of the extension)."""
    from .. import _native   # the pybind11 loader, built with the package

    if _native.ABI_VERSION != ABI_VERSION:
        raise BuildError(f"pyspike._native loads libraries of ABI version "
                         f"{_native.ABI_VERSION}, the code generator writes version "
                         f"{ABI_VERSION}: the extension is out of date; reinstall pyspike")
    return _native


def open_native(path: str):
    """The CPU library at ``path``, opened by ``pyspike._native`` (which raises OSError or
    RuntimeError on a file it cannot load or of another ABI version)."""
    return native().Library(path)


def open_ctypes(path: str) -> ctypes.CDLL:
    """The CUDA library at ``path``, opened with ctypes, its entry points typed."""
    lib = ctypes.CDLL(path)
    lib.pyspike_abi_version.restype = ctypes.c_int
    lib.pyspike_last_error.restype = ctypes.c_char_p
    lib.pyspike_run.restype = ctypes.c_int64
    lib.pyspike_run.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p,
                                ctypes.c_void_p, ctypes.c_int64]
    check_version(lib.pyspike_abi_version(), path)
    return lib
