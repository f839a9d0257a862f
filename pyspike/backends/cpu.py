"""The C++ backend: the generated source compiled with g++ and run in-process."""
from __future__ import annotations

from typing import List

import numpy as np

from ..toolchain.compile import compile_library, load_library
from .library import native, open_native
from .protocol import BaseBackend, Capabilities


#: The neurons of one instance of a network from which its runs use several threads, which
#: share each kernel of a step: below, they would wait for each other between kernels
#: longer than they work (bench/bench_threads.py).  A batch of smaller instances with as
#: many neurons in all runs its instances on the threads instead, each on one thread (the
#: threads wait once per step).  Set it lower (0: always) to run small networks on
#: threads; the results are the same.
PARALLEL_NEURONS = 20_000


class CPUBackend(BaseBackend):
    """``backend="cpu"``: fused C++ kernels, the time loop in C++, one call per run, on
    ``Network(threads=...)`` threads (csrc/pyspike/threads.h), with the results of one.

    >>> import pyspike as ps
    >>> net = ps.Network(threads=2)
    >>> with net:
    ...     G = ps.NeuronGroup(4, ps.NeuronModel("dv/dt = (2 - v)/10.0 : 1",
    ...                                          threshold="v > 1", reset="v = 0"))
    >>> net.run(1.0)
    >>> net.threads, net.backend.threads_used()    # 4 neurons: one thread is enough
    (2, 1)
    """

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

    def set_threads(self, threads: int) -> None:
        self._lib.set_threads(int(threads), int(PARALLEL_NEURONS))

    def threads_used(self) -> int:
        return int(self._lib.threads_used()) if self._lib is not None else 1

    def manifest(self) -> str:
        return self._lib.manifest()

    def close(self) -> None:
        self._lib = None   # the OS keeps the library mapped; other networks may share it
