"""``pyspike info``: what pyspike finds on this machine: its version, the backends that
can run (and why the others cannot), the compilers, the processor's instruction sets, the
GPUs, and the cache's place and size.

>>> "avx2" in instruction_sets("flags : fpu sse4_2 avx avx2 fma")
True
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
from typing import List, Optional

from ..backends import BACKENDS, unavailable
from ..codegen.errors import BuildError
from ..toolchain.compile import cache_dir, compiler_identity, find_compiler
from ..toolchain.compile_cuda import find_nvcc
from ..toolchain.target import cpu_description
from . import cache

NAME = "info"
HELP = "show the version, backends, compilers, CPU features, GPUs and cache of pyspike"
#: Instruction sets worth naming (x86 flags of /proc/cpuinfo, then ARM's), in order.
FEATURES = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512dq", "avx512bw", "avx512vl",
            "avx512_vnni", "avx512_bf16", "amx_tile", "asimd", "sve", "sve2")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """(no arguments)"""


def version() -> str:
    """The installed pyspike's version."""
    from importlib.metadata import PackageNotFoundError, version as installed
    try:
        return installed("pyspike-sim")
    except PackageNotFoundError:
        return "(not installed: run from a source tree)"


def main(args: argparse.Namespace) -> int:
    import numpy
    print(f"pyspike {version()} (Python {platform.python_version()}, NumPy {numpy.__version__})")
    print("backends:")
    for name in BACKENDS:
        why = unavailable(name)
        print(f"  {name:6s} {'available' if why is None else 'not available: ' + why}")
    print("compilers:")
    print(f"  C++    {_cxx()}")
    nvcc = find_nvcc()
    print(f"  CUDA   {nvcc + ' (' + _nvcc_release(nvcc) + ')' if nvcc else 'nvcc not found'}")
    description = cpu_description()
    model = next((line.split(":", 1)[1].strip() for line in description.splitlines()
                  if line.startswith("model name")), platform.processor() or platform.machine())
    print(f"cpu: {model}, {_cores()} cores for this process")
    print(f"  instruction sets: {' '.join(instruction_sets(description)) or 'unknown'}")
    print("gpus:")
    for line in _gpus():
        print(f"  {line}")
    print(f"cache: {cache.describe(cache_dir())}")
    return 0


def instruction_sets(description: str) -> List[str]:
    """The instruction sets of :data:`FEATURES` named in ``/proc/cpuinfo``'s flags."""
    flags = set()
    for line in description.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            flags |= set(value.split())
    return [f for f in FEATURES if f in flags]


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _cxx() -> str:
    try:
        cxx = find_compiler()
        return f"{shutil.which(cxx.split()[0]) or cxx} ({compiler_identity(cxx)})"
    except BuildError as err:
        return f"none: {err}"


def _nvcc_release(nvcc: str) -> str:
    out = _output([nvcc, "--version"]) or ""
    return next((line.strip() for line in out.splitlines() if "release" in line),
                "version unknown")


def _gpus() -> List[str]:
    """One line per GPU, from nvidia-smi, and what CuPy sees."""
    lines = []
    smi = shutil.which("nvidia-smi")
    out = _output([smi, "--query-gpu=name,memory.total,driver_version",
                   "--format=csv,noheader"]) if smi else None
    if out:
        lines += [f"{k}: {gpu.strip()}" for k, gpu in enumerate(out.strip().splitlines())]
    else:
        lines.append("nvidia-smi: " + ("no GPU listed" if smi else "not found"))
    try:
        import cupy
        lines.append(f"CuPy {cupy.__version__}: {cupy.cuda.runtime.getDeviceCount()} GPU(s)")
    except ImportError:
        lines.append("CuPy: not installed")
    except Exception as err:              # CuPy without a driver or a GPU
        lines.append(f"CuPy: no GPU ({type(err).__name__})")
    return lines


def _output(command: List[str]) -> Optional[str]:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None
