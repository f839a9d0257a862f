"""The C++ backend: the generated source compiled with g++ and run in-process."""
from __future__ import annotations

from typing import List

import numpy as np

from ..toolchain.compile import compile_library, load_library
from .library import native, open_native
from .protocol import BaseBackend, Capabilities


class CPUBackend(BaseBackend):
    """``backend="cpu"``: fused C++ kernels, the time loop in C++, one call per run."""

    name = "cpu"
    capabilities = Capabilities(target="cpp")

    def __init__(self):
        self._lib = None

    def prepare(self, generated, cache_dir=None) -> dict:
        native()    # an extension of another ABI version is named now, no library blamed

        def load(path: str):
            if self._lib is not None and self._lib.path == path:
                return self._lib
            return open_native(path)     # raises (OSError, RuntimeError) on a bad file

        # compile_library verifies the library's checksum before it is opened; one the
        # loader refuses all the same is rebuilt once (load_library)
        built, self._lib = load_library(
            lambda: compile_library(generated.source, cache_dir=cache_dir), load)
        return {"compiled": built.compiled, "library": built.path, "source": built.source_path}

    def run(self, arrays: List[np.ndarray], iargs: np.ndarray, rargs: np.ndarray,
            n_steps: int) -> int:
        return int(self._lib.run(arrays, iargs, rargs, int(n_steps)))

    def manifest(self) -> str:
        return self._lib.manifest()

    def close(self) -> None:
        self._lib = None   # the OS keeps the library mapped; other networks may share it
