"""Standalone programs: ``net.export(folder, target="cpp" | "cuda")`` writes a CMake project
that runs the network with no Python, as Brian2's standalone mode does::

    folder/CMakeLists.txt
    folder/src/main.cpp, options.h,      the program (templates/standalone/): its flow,
              program.h, slots.h,        command line, description and data files,
              runner.h, job.h,           slots' memory, calls of the library, signals and
              sonata.h, parts.h,         log; results files, their parts, checkpoints;
              checkpoint.h, sweep.h      sweeps (--grid), over MPI ranks where built with MPI
    folder/src/network.cpp (.cu)         the generated network, as the backend compiles it
    folder/src/pyspike/*.h               the runtime headers it includes
    folder/data/program.txt              what the program does (pyspike.export_program)
    folder/data/manifest.json            the library's manifest (the program checks it)
    folder/data/iargs.bin, rargs.bin, slot<k>.bin   the arrays a run passes, after build
                                         and initialisation, as pyspike.runtime lays them out

Build and run it with ``cmake -B build && cmake --build build`` and ``./build/<name>
--duration 1000 --seed 3 --set exc.tau_m=12.5 --threads 8 --out results.h5``: a C++
compiler (nvcc too for ``target="cuda"``), CMake and the HDF5 C library are all it needs.
The program writes its monitors' recordings as :func:`pyspike.save_results` does (SONATA
spikes, frame reports).  With the network's seed, its spikes are the in-process run's
(built on the same kind of CPU: the flags include ``-march=native``).  ``--seed`` seeds
the run's random numbers (noise, Poisson inputs); the connectivity and initial values
are the exported ones.  ``--set`` changes a parameter without compiling: parameters are
run-time data (``rargs`` or arrays of the manifest).

A network the program cannot run (network operations in Python, a batch) is refused with
one sentence before anything is written.

>>> import pyspike as ps, tempfile, os
>>> m = ps.NeuronModel("dv/dt = (I - v)/tau : mV", threshold="v > 1", reset="v = 0",
...                    params={"I": 2.0, "tau": 10.0})
>>> net = ps.Network(dt=0.1, seed=1)
>>> with net:
...     G = ps.NeuronGroup(3, m, name="exc")
...     mon = ps.SpikeMonitor(G)
>>> folder = export(net, tempfile.mkdtemp(), name="demo")
>>> sorted(os.listdir(folder))
['CMakeLists.txt', 'data', 'src']
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import List, Tuple, Union

import numpy as np

from .codegen.errors import ModelError
from .codegen.render import environment
from . import export_program
from .backends import get_backend
from .runtime import lay_out
from .toolchain.compile import CSRC, CXXFLAGS, LIBMVEC
from .toolchain.compile_cuda import NVCC_FLAGS, architectures
from .toolchain.generation import generate

__all__ = ["export"]

#: What each target compiles: the backend whose arrays it lays out, the network's file.
TARGETS = {"cpp": ("cpu", "network.cpp"), "cuda": ("cuda", "network.cu")}
#: Flags of a shared library that a program does not take.
LIBRARY_ONLY = ("-fPIC", "-shared", "-fvisibility=hidden")
#: The program's files besides main.cpp (templates/standalone/<file>.j2), one concern each.
PROGRAM_HEADERS = ("options.h", "program.h", "slots.h", "runner.h", "job.h", "sonata.h",
                   "parts.h", "checkpoint.h", "sweep.h")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}\Z")
_WHERE = "Network.export"


def export(net, folder: Union[str, os.PathLike], target: str = "cpp",
           name: str = "network") -> Path:
    """Write ``net`` as a standalone CMake project into ``folder`` (created if needed;
    files of an earlier export there are replaced) and return its path; the program is
    ``build/<name>`` once built (see the module's doc)."""
    if target not in TARGETS:
        raise ModelError(f"target must be 'cpp' or 'cuda', not {target!r}", where=_WHERE,
                         symbol="target")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ModelError(f"the program's name must be a letter followed by letters, digits, "
                         f"'_' or '-' (64 at most), not {name!r}", where=_WHERE, symbol="name")
    if not isinstance(folder, (str, os.PathLike)):
        raise ModelError(f"folder must be a path, not {type(folder).__name__}", where=_WHERE,
                         symbol="folder")
    if not net.groups:
        raise ModelError("the network has no NeuronGroup to simulate", where=_WHERE)
    problem = export_program.refusal(net)
    if problem is not None:
        raise ModelError(problem, where=_WHERE)
    backend, source_name = TARGETS[target]
    net._sync()                       # (a GPU run's state, on the host)
    generated = generate(net._spec(), target, net.cache_dir)
    for obj in net.groups + net.synapses:
        obj._cast(net.real)
    arrays, iargs, rargs, _ = lay_out(net, generated.kernel, 0,
                                      get_backend(backend).capabilities)
    lines, files = export_program.describe(net, generated.kernel, arrays, target,
                                           _version())
    root = Path(folder)
    _write_project(root, generated.source, source_name, target, name)
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    for old in data.glob("slot*.bin"):        # an earlier export's
        old.unlink()
    (data / "program.txt").write_text("\n".join(lines) + "\n")
    (data / "manifest.json").write_text(generated.kernel.manifest.to_json())
    np.ascontiguousarray(iargs, dtype=np.int64).tofile(data / "iargs.bin")
    np.ascontiguousarray(rargs[0], dtype=np.float64).tofile(data / "rargs.bin")
    for slot, values in files.items():
        values.tofile(data / f"slot{slot}.bin")
    return root


def _write_project(root: Path, source: str, source_name: str, target: str,
                   name: str) -> None:
    src = root / "src"
    (src / "pyspike").mkdir(parents=True, exist_ok=True)
    for header in sorted((CSRC / "pyspike").iterdir()):
        if header.suffix in (".h", ".cuh"):
            _write_if_changed(src / "pyspike" / header.name, header.read_text())
    _write_if_changed(src / source_name, source)
    cuda = target == "cuda"
    env = environment()
    for file in ("main.cpp",) + PROGRAM_HEADERS:
        _write_if_changed(src / file,
                          env.get_template(f"standalone/{file}.j2").render(cuda=cuda))
    cxx, libraries = _cxx_flags(cuda)
    _write_if_changed(root / "CMakeLists.txt", env.get_template(
        "standalone/CMakeLists.txt.j2").render(
        name=name, cuda=cuda, source=source_name, cxx_flags=cxx, libraries=libraries,
        link_flags=[f for f in cxx if not f.startswith(("-D", "-std"))],
        cuda_flags=_cuda_flags() if cuda else [],
        cuda_architectures=_cuda_architectures() if cuda else ""))


def _write_if_changed(path: Path, text: str) -> None:
    """Leave a file that already says ``text`` as it is, so that exporting a network
    again with other values (data) compiles nothing anew."""
    if path.exists() and path.read_text() == text:
        return
    path.write_text(text)


def _cxx_flags(cuda: bool) -> Tuple[List[str], List[str]]:
    """The C++ compiler's options and the libraries, as the CPU backend compiles with
    (the CUDA target's host code: without libmvec, which only the CPU network calls)."""
    flags = [f for f in CXXFLAGS + (() if cuda else LIBMVEC) if f not in LIBRARY_ONLY]
    return ([f for f in flags if not f.startswith("-l")],
            [f[2:] for f in flags if f.startswith("-l")])


def _cuda_flags() -> List[str]:
    """nvcc's options as the CUDA backend compiles with, an option and its value kept
    together (CMake's ``SHELL:``), without those of a shared library."""
    out, flags = [], list(NVCC_FLAGS)
    while flags:
        flag = flags.pop(0)
        if flag in LIBRARY_ONLY:
            continue
        if flag in ("-Xcompiler", "-diag-suppress"):
            value = flags.pop(0)
            if flag == "-Xcompiler":
                value = ",".join(v for v in value.split(",") if v not in LIBRARY_ONLY)
            out.append(f"SHELL:{flag} {value}")
        else:
            out.append(flag)
    return out


def _cuda_architectures() -> str:
    """CMake's CUDA_ARCHITECTURES: machine code for each, PTX of the newest too."""
    archs = sorted(set(architectures()), key=int)
    return ";".join(f"{a}-real" for a in archs[:-1]) + (";" if len(archs) > 1 else "") + \
        archs[-1]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("pyspike-sim")
    except PackageNotFoundError:
        return "unknown"
