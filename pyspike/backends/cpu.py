"""The C++ backend: the generated source compiled with g++ and run in-process."""
from __future__ import annotations

from typing import List

import numpy as np

from ..codegen.compile import compile_library


class CPUBackend:
    """``backend="cpu"``: fused C++ kernels, the time loop in C++, one call per run."""

    name = "cpu"
    target = "cpp"

    def __init__(self):
        self._lib = None

    def prepare(self, generated, cache_dir=None) -> dict:
        from .. import _native   # the pybind11 loader, built with the package

        built = compile_library(generated.source, cache_dir=cache_dir)
        if self._lib is None or self._lib.path != str(built.path):
            self._lib = _native.Library(str(built.path))
        return {"compiled": built.compiled, "library": built.path, "source": built.source_path}

    def run(self, arrays: List[np.ndarray], iargs: np.ndarray, rargs: np.ndarray,
            n_steps: int) -> int:
        return int(self._lib.run(arrays, iargs, rargs, int(n_steps)))

    def close(self) -> None:
        self._lib = None   # the OS keeps the library mapped; other networks may share it
