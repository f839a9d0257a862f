"""Opening a generated library through its C ABI, for the CPU and the CUDA backend alike.

A generated library exports (templates/cpp/network.cpp.j2, templates/cuda/network.cu.j2)::

    int         pyspike_abi_version(void);
    const char* pyspike_manifest(void);          /* JSON: codegen/layout.py */
    int64_t     pyspike_run(void** arrays, const int64_t* iargs, const double* rargs,
                            int64_t n_steps);
    const char* pyspike_last_error(void);        /* CUDA only */

One loader opens both kinds, ``pyspike._native`` (pybind11, csrc/module.cpp): it checks
the entry points and the ABI version, and releases the GIL for a run, given NumPy arrays
(``run``, the CPU) or addresses the caller owns (``run_pointers``, a GPU's device
arrays).  The ABI version is defined once, in ``csrc/pyspike/abi.h``: every library
includes it, ``_native`` is compiled with it, and ABI_VERSION here is read from it, so
that a stale build of the extension is named as such.
"""
from __future__ import annotations

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
    """The library at ``path`` (CPU or CUDA), opened by ``pyspike._native``, which raises
    OSError or RuntimeError on a file it cannot load, of another ABI version or without
    the entry points."""
    return native().Library(path)
