"""Rendered source -> compiled shared library, cached by content.

The library's file name is a hash of the source, the compiler command and the compiler's
version, so the same model never compiles twice.  Several processes building the same
model at once are safe: one holds a file lock and compiles into a temporary file that is
renamed into place atomically; the others wait and find it done.

>>> import tempfile
>>> cache = tempfile.mkdtemp()
>>> src = 'extern "C" int pyspike_abi_version(void) { return 1; }'
>>> first = compile_library(src, cache_dir=cache)
>>> first.compiled, compile_library(src, cache_dir=cache).compiled
(True, False)
"""
from __future__ import annotations

import fcntl
import functools
import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence

from .errors import BuildError

CSRC = Path(__file__).resolve().parent.parent / "csrc"
#: Optimised, but no reassociation and no contraction into FMA: the generated code then
#: rounds as the NumPy reference does, step for step.  -fno-trapping-math lets the compiler
#: compute both sides of a select (refractoriness) and so vectorise the update loop.  On
#: x86-64, full-width AVX-512 vectors where the CPU has them (gcc otherwise stops at 256
#: bits): the 4000-neuron LIF step is 9% faster, CUBA at 400,000 neurons 5%.
CXXFLAGS = ("-std=c++17", "-O3", "-march=native", "-fno-math-errno", "-fno-trapping-math",
            "-ffp-contract=off", "-fPIC", "-shared", "-fvisibility=hidden") + (
    ("-mprefer-vector-width=512",) if platform.machine() in ("x86_64", "AMD64") else ())
#: glibc's vector math library on x86-64 Linux (see csrc/pyspike/support.h).
LIBMVEC = ("-DPS_USE_LIBMVEC", "-lmvec") if (
    platform.system() == "Linux" and platform.machine() == "x86_64") else ()


@dataclass(frozen=True)
class Library:
    """A compiled library on disk and whether this call had to compile it."""
    path: Path
    source_path: Path
    compiled: bool
    key: str


def cache_dir(override: Optional[os.PathLike] = None) -> Path:
    """``$PYSPIKE_CACHE_DIR``, else ``$XDG_CACHE_HOME/pyspike``, else ``~/.cache/pyspike``."""
    if override is not None:
        return Path(override)
    if os.environ.get("PYSPIKE_CACHE_DIR"):
        return Path(os.environ["PYSPIKE_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pyspike"


def find_compiler(name: str = "") -> str:
    """The C++ compiler to use: ``$CXX``, else g++, else clang++."""
    candidates = [name] if name else [os.environ.get("CXX", ""), "g++", "c++", "clang++"]
    for cand in candidates:
        if cand and shutil.which(cand.split()[0]):
            return cand
    wanted = f"'{name}' was asked for but is not on the PATH" if name else \
        "pyspike needs g++ or clang++ on the PATH (on Debian/Ubuntu: apt-get install g++)"
    raise BuildError(f"no C++ compiler found: {wanted}; or set CXX")


@functools.lru_cache(maxsize=None)
def compiler_identity(compiler: str) -> str:
    """The compiler's version line and the machine, part of every cache key."""
    out = subprocess.run([compiler.split()[0], "--version"], capture_output=True, text=True)
    if "nvcc" in compiler:      # its first line names no version; the build line does
        return " ".join(out.stdout.split())
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line for line in f if line.startswith("model name")), "")
    except OSError:
        pass
    return out.stdout.splitlines()[0] if out.stdout else compiler + platform.machine() + cpu


def library_key(source: str, compiler: str, flags: Sequence[str]) -> str:
    h = hashlib.sha256()
    for part in (source, compiler, compiler_identity(compiler), " ".join(flags),
                 _headers_digest()):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()[:24]


@functools.lru_cache(maxsize=None)
def _headers_digest() -> str:
    h = hashlib.sha256()
    for path in sorted(list(CSRC.rglob("*.h")) + list(CSRC.rglob("*.cuh"))):
        h.update(path.read_bytes())
    return h.hexdigest()


def compile_library(source: str, *, cache_dir: Optional[os.PathLike] = None,
                    compiler: str = "", flags: Sequence[str] = CXXFLAGS + LIBMVEC,
                    name: str = "network", suffix: str = ".cpp") -> Library:
    """Compile ``source`` into a shared library in the cache, unless it is there already."""
    compiler = find_compiler(compiler)
    key = library_key(source, compiler, flags)
    folder = globals()["cache_dir"](cache_dir) / key[:2]
    folder.mkdir(parents=True, exist_ok=True)
    lib = folder / f"{name}_{key}.so"
    src = folder / f"{name}_{key}{suffix}"
    if lib.exists():
        return Library(lib, src, False, key)
    with open(folder / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if lib.exists():          # another process finished it while we waited
                return Library(lib, src, False, key)
            _write_atomic(src, source)
            _compile(compiler, flags, src, lib)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return Library(lib, src, True, key)


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def compile_command(compiler: str, flags: Sequence[str], src: Path, out: Path) -> List[str]:
    libs = [f for f in flags if f.startswith("-l")]       # libraries after the source
    options = [f for f in flags if not f.startswith("-l")]
    return [*compiler.split(), *options, f"-I{CSRC}", str(src), "-o", str(out), *libs]


def _compile(compiler: str, flags: Sequence[str], src: Path, lib: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=lib.parent, suffix=".so.tmp")
    os.close(fd)
    cmd = compile_command(compiler, flags, src, Path(tmp))
    if os.environ.get("PYSPIKE_DEBUG"):
        print("pyspike: " + " ".join(cmd))
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise BuildError(_summarise(proc.stderr, src))
        os.replace(tmp, lib)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _summarise(stderr: str, src: Path) -> str:
    """The first error of a compiler run, with the generated file to look at."""
    errors = [line for line in stderr.splitlines() if "error" in line]
    first = errors[0] if errors else (stderr.strip().splitlines() or ["(no output)"])[-1]
    if len(first) > 300:
        first = first[:300] + "..."
    return (f"the generated code failed to compile (this is a pyspike bug; please report it "
            f"with the file). Generated source: {src}\nFirst error: {first}")
