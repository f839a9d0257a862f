"""The CUDA backend's generated source run on the CPU: the source compiled as it is with
g++ against the shim (include/cuda_runtime.h, which defines the launch macros PS_LAUNCH
and PS_BOUNDED_KERNEL of pyspike/cuda_support.cuh its own way) and loaded as the CUDA
backend loads its library, and run by the CUDA backend's own host code with a stand-in
for CuPy (its "device" arrays: host memory of their own).

Register it for a test with
``monkeypatch.setitem(pyspike.backends.BACKENDS, "cuda_emulated", EmulatedBackend)``.
"""
from __future__ import annotations

import contextlib
import ctypes
import hashlib
import shutil
import subprocess
import sys
import tempfile
import types
from pathlib import Path
from typing import Optional

import numpy as np

from pyspike.backends.cuda import CUDABackend
from pyspike.toolchain.compile import compile_library

INCLUDE = Path(__file__).resolve().parent / "include"
#: As the CUDA backend's host compiler: the same C++ standard, no FMA contraction.
FLAGS = ("-std=c++17", "-O1", "-shared", "-fPIC", "-fvisibility=hidden", "-fno-math-errno",
         "-ffp-contract=off", f"-I{INCLUDE}")
SCHEDULES = {"forward": 0, "reverse": 1, "random": 2}

def _shim_digest() -> str:
    h = hashlib.sha256()
    for path in sorted(INCLUDE.glob("*.h")):
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def emulator_missing() -> Optional[str]:
    """Why the emulator cannot be built here (one sentence), or None.  What it needs of the
    machine only: a failure of the shim itself must fail the tests, not skip them."""
    if shutil.which("g++") is None:
        return "the CUDA emulator needs g++, which is not on the PATH"
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "probe.cpp"
        src.write_text("#include <ucontext.h>\n#include <tuple>\nint main() { ucontext_t c; "
                       "std::apply([](int) {}, std::tuple<int>(0)); return getcontext(&c); }\n")
        out = subprocess.run(["g++", "-std=c++17", str(src), "-o", str(Path(tmp) / "probe")],
                             capture_output=True, text=True)
    if out.returncode != 0:
        return ("the CUDA emulator needs g++ with C++17 and <ucontext.h>, which this one "
                "lacks: " + (out.stderr.strip().splitlines() or ["?"])[-1])
    return None


def compile_emulated(source: str, cache_dir=None):
    """The emulated library of a generated CUDA source, compiled as it is, through
    pyspike's compile cache (a first line with the shim's digest: a changed shim compiles
    anew)."""
    text = f"// CUDA emulator shim {_shim_digest()}\n" + source
    return compile_library(text, cache_dir=cache_dir, compiler="g++", flags=FLAGS,
                           name="network_cuda_emulated", suffix=".cpp")


class _DeviceArray:
    """A CuPy array, as CUDABackend uses one, in host memory of its own: the "GPU" copy
    of a host array, which the host sees only through ``get`` (or the array protocol)."""

    def __init__(self, values: np.ndarray):
        self._values = values
        self.data = types.SimpleNamespace(ptr=values.ctypes.data)
        self.shape = values.shape

    def get(self) -> np.ndarray:
        return self._values.copy()

    def reshape(self, shape) -> "_DeviceArray":
        return _DeviceArray(self._values.reshape(shape))

    def __setitem__(self, key, value) -> None:
        self._values[key] = value

    def __array__(self, dtype=None, copy=None):
        return self._values if dtype is None else self._values.astype(dtype)


def _asarray(a):
    return a if isinstance(a, _DeviceArray) else _DeviceArray(np.array(a, order="C", copy=True))


#: What CUDABackend calls of CuPy.
_FAKE_CUPY = types.SimpleNamespace(
    asarray=_asarray, isfinite=lambda a: np.isfinite(np.asarray(a)),
    cuda=types.SimpleNamespace(Device=lambda: types.SimpleNamespace(
        synchronize=lambda: None)))


@contextlib.contextmanager
def _fake_cupy():
    old = sys.modules.get("cupy")
    sys.modules["cupy"] = _FAKE_CUPY
    try:
        yield
    finally:
        if old is None:
            del sys.modules["cupy"]
        else:
            sys.modules["cupy"] = old


class EmulatedBackend(CUDABackend):
    """``CUDABackend`` with the generated CUDA code compiled by g++ and run on the CPU.
    Its ``run``, ``sync`` and ``device_array`` are CUDABackend's own, with a stand-in for
    CuPy whose "device" arrays are copies of the host arrays: the state stays in them
    between runs, as on a GPU, and reaches the host only as CUDABackend copies it."""

    name = "cuda_emulated"
    #: thread order in every block and block order in every grid; the seed of "random"
    schedule = "random"
    seed = 1
    #: what cudaDevAttrMultiProcessorCount reports: grid-stride kernels get 4 blocks each
    multiprocessors = 1

    def build(self, source: str, cache_dir=None):
        return compile_emulated(source, cache_dir)

    def prepare(self, generated, cache_dir=None) -> dict:
        info = super().prepare(generated, cache_dir)
        # The emulator's own entry points, through ctypes (the same loaded library: the
        # dynamic loader hands out the handle pyspike._native opened).  The library may
        # have run an earlier network: its schedule starts anew.
        self._emu = ctypes.CDLL(str(info["library"]))
        self._emu.ps_emu_configure.argtypes = [ctypes.c_int, ctypes.c_uint64, ctypes.c_int]
        self._emu.ps_emu_configure(SCHEDULES[self.schedule], self.seed, self.multiprocessors)
        return info

    def run(self, arrays, iargs, rargs, n_steps: int) -> int:
        with _fake_cupy():
            return super().run(arrays, iargs, rargs, n_steps)

    def sync(self) -> None:
        with _fake_cupy():
            super().sync()

    def collect(self, arrays) -> None:
        with _fake_cupy():
            super().collect(arrays)

    def nonfinite_slots(self, arrays, slots):
        with _fake_cupy():
            return super().nonfinite_slots(arrays, slots)

    def device_array(self, host: np.ndarray):
        with _fake_cupy():
            return super().device_array(host)

    def stats(self) -> dict:
        """What the emulator has run in this library so far."""
        out = (ctypes.c_int64 * 5)()
        self._emu.ps_emu_stats(out)
        return dict(zip(("launches", "blocks", "threads", "barriers", "warp_ops"), out))
