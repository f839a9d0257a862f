"""Rendered source -> compiled shared library, cached by content and verified on load.

The library's file name is a hash of the source, the compiler command and the compiler's
version, so the same model never compiles twice.  Beside each library a checksum file
(``<library>.sha256``, in ``sha256sum`` format) records its content, written before the
library is renamed into place; a library is opened only after its checksum matched (the
dynamic loader maps the file: a truncated library would crash Python with SIGBUS).  A
damaged entry -- truncated, empty, overwritten, another model's, or refused by the
loader -- is deleted and rebuilt with a one-line :class:`CacheWarning`.

Several processes building the same model at once are safe: one holds a file lock per key
and writes temporary files (``<key>.*.tmp``) that are renamed into place atomically; the
others wait and find it done.  Whoever takes a lock removes the temporary files that no
live build is writing (those of its own key, and of keys whose lock is free): what a
killed build or a full disk left behind.

>>> import tempfile
>>> cache = tempfile.mkdtemp()
>>> src = 'extern "C" int pyspike_abi_version(void) { return 1; }'
>>> first = compile_library(src, cache_dir=cache)
>>> first.compiled, compile_library(src, cache_dir=cache).compiled
(True, False)
>>> verify(first.path) is None
True
"""
from __future__ import annotations

import functools
import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Optional, Sequence, Tuple, TypeVar

from .. import codegen
from ..codegen.errors import BuildError
from . import prelude
from .cache_files import (CacheWarning, checksum_path, file_lock, mkstemp_beside,  # noqa: F401
                          sha256_file, verify, warn_damaged, write_atomic)
from .target import target_identity

#: The runtime headers: csrc/ is codegen/'s sibling in the source tree and installed
#: (pyspike/codegen, pyspike/csrc); the source tree has no pyspike/csrc.
CSRC = Path(codegen.__file__).resolve().parent.parent / "csrc"
#: Optimised, but no reassociation and no contraction into FMA: the generated code then
#: rounds as the NumPy reference does, step for step.  -fno-trapping-math lets the compiler
#: compute both sides of a select (refractoriness) and so vectorise the update loop.  On
#: x86-64, full-width AVX-512 vectors where the CPU has them (gcc otherwise stops at 256
#: bits): the 4000-neuron LIF step is 9% faster, CUBA at 400,000 neurons 5%. -pthread: threads.h
CXXFLAGS = ("-std=c++17", "-O3", "-march=native", "-fno-math-errno", "-fno-trapping-math",
            "-ffp-contract=off", "-fPIC", "-shared", "-fvisibility=hidden", "-pthread") + (
    ("-mprefer-vector-width=512",) if platform.machine() in ("x86_64", "AMD64") else ())
#: glibc's vector math library on x86-64 Linux (see csrc/pyspike/support.h).
LIBMVEC = ("-DPS_USE_LIBMVEC", "-lmvec") \
    if (platform.system(), platform.machine()) == ("Linux", "x86_64") else ()
#: Part of every library key: libraries of a pyspike that wrote no checksums are not read.
CACHE_FORMAT = "2"

T = TypeVar("T")


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


def debug_level() -> int:
    """``PYSPIKE_DEBUG``: unset or 0 nothing; 1 compiler commands (or the cached library's
    path); 2 also the kernel IR; 3 also the generated source (also when from the cache)."""
    value = os.environ.get("PYSPIKE_DEBUG", "").strip()
    try:
        return max(0, int(value or "0"))
    except ValueError:
        return 1


def find_compiler(name: str = "") -> str:
    """The C++ compiler to use: ``name``, else ``$CXX``, else g++, c++ or clang++.  One
    that was asked for must exist: it is never silently replaced by another."""
    wanted = name or os.environ.get("CXX", "").strip()
    if wanted:
        if shutil.which(wanted.split()[0]):
            return wanted
        origin = f"CXX={wanted!r}" if not name else f"'{wanted}'"
        raise BuildError(f"no C++ compiler found: {origin} was asked for but is not on the "
                         "PATH; install it, or set CXX to an installed compiler (g++, clang++)")
    for cand in ("g++", "c++", "clang++"):
        if shutil.which(cand):
            return cand
    raise BuildError("no C++ compiler found: pyspike needs g++ or clang++ on the PATH (on "
                     "Debian/Ubuntu: apt-get install g++); or set CXX")


@functools.lru_cache(maxsize=None)
def compiler_identity(compiler: str) -> str:
    """The compiler's version line, part of every cache key (the processor is the other
    part: toolchain/target.py)."""
    try:
        out = subprocess.run([compiler.split()[0], "--version"], capture_output=True,
                             text=True)
    except OSError as err:
        raise BuildError(f"the compiler '{compiler}' cannot be run ({err}); check CXX "
                         "and your toolchain") from None
    if "nvcc" in compiler:      # its first line names no version; the build line does
        return " ".join(out.stdout.split())
    return out.stdout.splitlines()[0] if out.stdout else compiler + platform.machine()


def library_key(source: str, compiler: str, flags: Sequence[str]) -> str:
    h = hashlib.sha256()
    for part in (source, compiler, compiler_identity(compiler), " ".join(flags),
                 target_identity(compiler, flags), _headers_digest(), CACHE_FORMAT):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()[:24]


@functools.lru_cache(maxsize=None)
def _headers_digest() -> str:
    h = hashlib.sha256()
    for path in sorted(list(CSRC.rglob("*.h")) + list(CSRC.rglob("*.cuh"))):
        h.update(path.read_bytes())
    return h.hexdigest()


# -- compiling -----------------------------------------------------------------------------

def compile_library(source: str, *, cache_dir: Optional[os.PathLike] = None,
                    compiler: str = "", flags: Sequence[str] = CXXFLAGS + LIBMVEC,
                    name: str = "network", suffix: str = ".cpp") -> Library:
    """Compile ``source`` into a shared library in the cache, unless a verified one is
    there already."""
    compiler = find_compiler(compiler)
    key = library_key(source, compiler, flags)
    folder = globals()["cache_dir"](cache_dir) / key[:2]
    lib, src = folder / f"{name}_{key}.so", folder / f"{name}_{key}{suffix}"
    if lib.exists() and verify(lib) is None:
        return _cached(lib, src, key)
    with file_lock(folder, key):
        if lib.exists():
            problem = verify(lib)
            if problem is None:          # another process finished it while we waited
                return _cached(lib, src, key)
            warn_damaged(lib, problem)
        _remove(lib)
        write_atomic(src, source, key)
        _compile(compiler, flags, src, lib, key)
    return Library(lib, src, True, key)


def _prelude(compiler: str, flags: Sequence[str], src: Path) -> Tuple[str, ...]:
    """g++'s options to read the source's includes from a precompiled header (prelude.py),
    kept in the default cache whatever ``cache_dir`` the library goes to."""
    return prelude.flags(globals()["cache_dir"](), compiler, compiler_identity(compiler),
                         (*flags, f"-I{CSRC}"), _headers_digest(), src.read_text())


def _cached(lib: Path, src: Path, key: str) -> Library:
    if debug_level() >= 1:
        print(f"pyspike: cached library {lib}")
    return Library(lib, src, False, key)


def _remove(lib: Path) -> None:
    for path in (lib, checksum_path(lib)):
        path.unlink(missing_ok=True)


def load_library(build: Callable[[], Library], loader: Callable[[str], T]
                 ) -> Tuple[Library, T]:
    """``build()``'s library opened by ``loader`` (the dynamic loader's wrapper).  A
    library the loader refuses although its checksum matched is deleted, built and opened
    once more; refused again, it is a :class:`BuildError`."""
    built = build()
    try:
        return built, loader(str(built.path))
    except Exception as err:    # dlopen's OSError, a missing entry point, another ABI
        discard_library(built, f"it failed to load: {_first_line(err)}")
    built = build()
    try:
        return built, loader(str(built.path))
    except Exception as err:
        raise BuildError(f"the compiled library {built.path} cannot be loaded, even rebuilt: "
                         f"{_first_line(err)}") from None


def discard_library(lib: Library, reason: str) -> None:
    """Delete a cached library found damaged, with a :class:`CacheWarning`."""
    with file_lock(lib.path.parent, lib.key):
        if lib.path.exists():
            warn_damaged(lib.path, reason)
        _remove(lib.path)


def _first_line(err: BaseException) -> str:
    return (str(err).strip().splitlines() or [type(err).__name__])[0][:300]


def compile_command(compiler: str, flags: Sequence[str], src: Path, out: Path) -> List[str]:
    libs = [f for f in flags if f.startswith("-l")]       # libraries after the source
    options = [f for f in flags if not f.startswith("-l")]
    return [*compiler.split(), *options, f"-I{CSRC}", str(src), "-o", str(out), *libs]


def _compile(compiler: str, flags: Sequence[str], src: Path, lib: Path, key: str) -> None:
    """Compile into a temporary file, record its checksum, then rename it into place."""
    fd, tmp = mkstemp_beside(lib, key, ".so.tmp")
    os.close(fd)
    cmd = compile_command(compiler, (*flags, *_prelude(compiler, flags, src)), src, Path(tmp))
    if debug_level() >= 1:
        print("pyspike: " + " ".join(cmd))
    try:
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True)
        except OSError as err:
            raise BuildError(f"the compiler '{compiler}' cannot be run ({err}); check CXX "
                             "and your toolchain") from None
        if proc.returncode != 0:
            raise BuildError(_failure(compiler, flags, src, proc))
        write_atomic(checksum_path(lib), f"{sha256_file(Path(tmp))}  {lib.name}\n", key)
        os.replace(tmp, lib)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _failure(compiler: str, flags: Sequence[str], src: Path,
             proc: subprocess.CompletedProcess) -> str:
    """Whose fault a failed compile is: the machine's, the toolchain's, or pyspike's."""
    if proc.returncode < 0:
        return (f"the compiler '{compiler}' was killed by signal {-proc.returncode} while "
                f"compiling {src} (out of memory?)")
    if "No space left on device" in proc.stderr:
        return (f"the compiler '{compiler}' ran out of disk space compiling {src}; free some "
                "space or set PYSPIKE_CACHE_DIR (and TMPDIR) to another disk")
    broken = _toolchain_problem(compiler, tuple(flags), src.suffix)
    if broken is not None:
        return (f"the compiler '{compiler}' does not work: it fails on a trivial program too "
                f"({broken}). Check CXX (NVCC for CUDA) and your toolchain; the model is not "
                "at fault")
    return _summarise(proc.stderr, src)


@functools.lru_cache(maxsize=None)
def _toolchain_problem(compiler: str, flags: Tuple[str, ...], suffix: str) -> Optional[str]:
    """None if ``compiler`` builds a trivial library with ``flags``, else its first error."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"probe{suffix}"
        src.write_text('extern "C" int pyspike_probe(void) { return 0; }\n')
        cmd = compile_command(compiler, flags, src, Path(tmp) / "probe.so")
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True)
        except OSError as err:
            return str(err)
    if proc.returncode == 0:
        return None
    lines = proc.stderr.strip().splitlines()
    first = lines[0] if lines else f"exit status {proc.returncode}, no output"
    return first[:300] + ("..." if len(first) > 300 else "")


def _summarise(stderr: str, src: Path) -> str:
    """The first error of a compiler run, with the generated file to look at."""
    errors = [line for line in stderr.splitlines() if "error" in line]
    first = errors[0] if errors else (stderr.strip().splitlines() or ["(no output)"])[-1]
    if len(first) > 300:
        first = first[:300] + "..."
    return (f"the generated code failed to compile (this is a pyspike bug; please report it "
            f"with the file). Generated source: {src}\nFirst error: {first}")
