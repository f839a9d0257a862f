"""Opening a generated library through its C ABI, for the CPU and the CUDA backend.

A generated library exports (templates/cpp/network.cpp.j2, templates/cuda/network.cu.j2)::

    int         pyspike_abi_version(void);
    const char* pyspike_manifest(void);          /* JSON: codegen/layout.py */
    int64_t     pyspike_run(void** arrays, const int64_t* iargs, const double* rargs,
                            int64_t n_steps);
    const char* pyspike_last_error(void);        /* CUDA only */

The ABI version is defined once, in ``csrc/pyspike/abi.h``: every library includes it,
``pyspike._native`` is compiled with it, and ABI_VERSION here is read from it; both
loaders refuse a library of another version.  The CPU's library is opened by
``pyspike._native`` (pybind11: it checks the arrays and releases the GIL for the run),
which compares the version itself with the one it was built with; that one is checked
against ABI_VERSION here, so that a stale build of the extension is named as such.
The CUDA library takes device pointers, which ``_native`` does not, so it is
opened with ctypes.
"""
from __future__ import annotations

import ctypes
import re

from ..codegen.errors import BuildError
from ..toolchain.compile import CSRC


def _abi_version() -> int:
    text = (CSRC / "pyspike" / "abi.h").read_text()
    return int(re.search(r"^#define PYSPIKE_ABI_VERSION (\d+)$", text, re.M).group(1))


#: The version of the C ABI (csrc/pyspike/abi.h).
ABI_VERSION = _abi_version()


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
    check_version(lib.pyspike_abi_version(), path)
    try:
        lib.pyspike_manifest.restype = ctypes.c_char_p
    except AttributeError:
        raise BuildError(f"compiled library {path} does not export pyspike_manifest; "
                         "clear the cache") from None
    lib.pyspike_last_error.restype = ctypes.c_char_p
    lib.pyspike_run.restype = ctypes.c_int64
    lib.pyspike_run.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p,
                                ctypes.c_void_p, ctypes.c_int64]
    return lib
