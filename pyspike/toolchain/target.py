"""What the compiled code may assume of the processor: part of every library's cache key.

Libraries are built with ``-march=native``: the instructions of the machine that compiled
them.  A cache shared between machines (a home folder on a cluster's NFS) must never hand
a library built on an AVX-512 node to an AVX2 node, where it dies of SIGILL; so the key
names the instruction set behind ``native``: the processor's model and its feature flags
(``/proc/cpuinfo``), or, where that file does not exist, what the compiler itself makes of
``-march=native`` (``-Q --help=target``).

>>> target_identity("g++", ("-O3",))          # nothing native: nothing machine-specific
''
"""
from __future__ import annotations

import functools
import hashlib
import subprocess
from typing import Sequence, Tuple

#: Flags whose meaning is "the processor of this machine".
NATIVE = ("-march=native", "-mcpu=native", "-mtune=native", "-xHost")
#: The /proc/cpuinfo fields that say which instructions a processor has (x86, then ARM).
_CPUINFO_FIELDS = ("vendor_id", "model name", "flags", "CPU implementer", "CPU part",
                   "Features")


def target_identity(compiler: str, flags: Sequence[str]) -> str:
    """A digest of the instruction set ``flags`` compile for: empty unless they ask for
    the native one."""
    native = tuple(f for f in flags if f in NATIVE)
    if not native:
        return ""
    return _native_identity(compiler, native)


@functools.lru_cache(maxsize=None)
def _native_identity(compiler: str, native: Tuple[str, ...]) -> str:
    text = cpu_description()
    if not text:
        text = _compiler_view(compiler, native)
    return hashlib.sha256(text.encode()).hexdigest()[:16] if text else "unknown-cpu"


def cpu_description() -> str:
    """The first processor's model and instruction-set fields from /proc/cpuinfo ('' where
    there is none)."""
    try:
        with open("/proc/cpuinfo") as f:
            lines = f.read().split("\n\n")[0].splitlines()
    except OSError:
        return ""
    fields = [line for line in lines if line.split(":")[0].strip() in _CPUINFO_FIELDS]
    return "\n".join(" ".join(line.split()) for line in fields)


def _compiler_view(compiler: str, native: Tuple[str, ...]) -> str:
    """What gcc enables for ``native`` here (the target options it lists)."""
    try:
        out = subprocess.run([*compiler.split(), *native, "-Q", "--help=target"],
                             capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout if out.returncode == 0 else ""
