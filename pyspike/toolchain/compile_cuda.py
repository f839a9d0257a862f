"""Rendered CUDA source -> shared library, with nvcc, through the same content-hash cache,
checksum verification and file lock as the C++ backend (:func:`compile.compile_library`;
open it with :func:`compile.load_library`, which rebuilds a library the loader refuses).

Which GPUs to build for: ``$PYSPIKE_CUDA_ARCH`` (e.g. ``"80,90"``), else the GPU present,
else sm_80 and sm_90 (A100 and H100).

>>> cuda_flags(["80", "90"])[-4:]
('-gencode', 'arch=compute_80,code=sm_80', '-gencode', 'arch=compute_90,code=[sm_90,compute_90]')
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Optional, Sequence, Tuple

from ..codegen.errors import BuildError
from .compile import Library, compile_library

#: No contraction into FMA (the kernels then round as the C++ backend and the NumPy
#: reference do), IEEE division and square root (nvcc's default), hidden symbols.
NVCC_FLAGS = ("-std=c++17", "-O3", "--fmad=false", "-diag-suppress", "177", "-shared",
              "-Xcompiler", "-fPIC,-fvisibility=hidden,-fno-math-errno,-ffp-contract=off")
DEFAULT_ARCHS = ("80", "90")


def find_nvcc() -> Optional[str]:
    """``$NVCC``, else nvcc on the PATH, else in ``$CUDA_HOME`` or /usr/local/cuda."""
    candidates = [os.environ.get("NVCC", ""), "nvcc"]
    for home in (os.environ.get("CUDA_HOME", ""), os.environ.get("CUDA_PATH", ""),
                 "/usr/local/cuda"):
        if home:
            candidates.append(str(Path(home) / "bin" / "nvcc"))
    for cand in candidates:
        if cand and shutil.which(cand):
            return shutil.which(cand)
    return None


def architectures() -> Tuple[str, ...]:
    """The compute capabilities to compile for, as "80", "90", ..."""
    env = os.environ.get("PYSPIKE_CUDA_ARCH", "").replace(";", ",")
    if env.strip():
        archs = tuple(a.strip().replace("sm_", "").replace(".", "") for a in env.split(",")
                      if a.strip())
        if not all(a.isdigit() for a in archs):
            raise BuildError(f"PYSPIKE_CUDA_ARCH={env!r}: expected compute capabilities "
                             "such as '80,90'")
        return archs
    try:
        import cupy
        return (str(cupy.cuda.Device().compute_capability),)
    except Exception:   # no CuPy, no driver or no GPU: build for the common data-centre GPUs
        return DEFAULT_ARCHS


def cuda_flags(archs: Sequence[str]) -> Tuple[str, ...]:
    """nvcc's options: machine code for every architecture, PTX of the newest (so that a
    newer GPU can still run it, compiled by the driver)."""
    archs = sorted(set(archs), key=int)
    gencode = []
    for a in archs:
        code = f"[sm_{a},compute_{a}]" if a == archs[-1] else f"sm_{a}"
        gencode += ["-gencode", f"arch=compute_{a},code={code}"]
    return NVCC_FLAGS + tuple(gencode)


def compile_cuda_library(source: str, *, cache_dir: Optional[os.PathLike] = None,
                         archs: Optional[Sequence[str]] = None) -> Library:
    """Compile a generated CUDA translation unit, unless the cache has it already."""
    asked = os.environ.get("NVCC", "").strip()
    if asked and not shutil.which(asked):
        raise BuildError(f"NVCC={asked!r} was asked for but is not on the PATH; install the "
                         "CUDA toolkit there, or unset NVCC to use nvcc from the PATH or "
                         "$CUDA_HOME")
    nvcc = find_nvcc()
    if nvcc is None:
        raise BuildError("backend='cuda' needs the CUDA compiler nvcc, and none was found "
                         "(looked for $NVCC, nvcc on the PATH, $CUDA_HOME/bin and "
                         "/usr/local/cuda/bin)")
    flags = cuda_flags(archs or architectures())
    return compile_library(source, cache_dir=cache_dir, compiler=nvcc, flags=flags,
                           name="network_cuda", suffix=".cu")
