"""The codegen stages in one call, with the expensive part cached on disk.

``generate`` runs equations -> IR -> integration -> kernel IR -> rendered source.  The
symbolic work (a matrix exponential may take a second) is done once per model: the
kernel IR and the source are stored under the spec's content hash, so a warm build in a
new process skips sympy entirely.

>>> import tempfile
>>> from pyspike.codegen.spec import GroupSpec, NetworkSpec
>>> spec = NetworkSpec(groups=(GroupSpec("g", 3, equations="dv/dt = -v/tau : mV",
...                                      params=("tau",)),))
>>> d = tempfile.mkdtemp()
>>> generate(spec, cache_dir=d).cached, generate(spec, cache_dir=d).cached
(False, True)
"""
from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from . import compile as _compile
from .kernels import NetworkKernel, build_network
from .render import TEMPLATES, render_cpp
from .render_cuda import render_cuda
from .spec import NetworkSpec

RENDERERS = {"cpp": render_cpp, "cuda": render_cuda}


@dataclass
class Generated:
    kernel: NetworkKernel
    source: str
    cached: bool


@functools.lru_cache(maxsize=None)
def _codegen_digest() -> str:
    """A hash of codegen itself: a new pyspike never reuses an old generation."""
    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for path in sorted(list(here.glob("*.py")) + list(TEMPLATES.rglob("*.j2"))):
        h.update(path.read_bytes())
    return h.hexdigest()


def debug_level() -> int:
    """``PYSPIKE_DEBUG``: 1 compiler commands, 2 also the kernel IR, 3 also the source."""
    try:
        return int(os.environ.get("PYSPIKE_DEBUG", "0"))
    except ValueError:
        return 1


def _debug(kernel: NetworkKernel, source: str) -> None:
    level = debug_level()
    if level >= 2:
        for g in kernel.groups:
            print(f"pyspike: group '{g.name}' ({g.N} neurons), method {g.method}")
            for name, rhs in g.equations.odes.items():
                print(f"    d{name}/dt = {rhs}")
            for label, stmts in (("once per run", g.run_scalars), ("per step", g.update),
                                 ("on spike", g.reset)):
                for a in stmts:
                    print(f"    [{label}] {a.target} = {a.expr}")
            if g.spike is not None:
                print(f"    [threshold] {g.spike}")
    if level >= 3:
        print(source)


def generate(spec: NetworkSpec, target: str = "cpp",
             cache_dir: Optional[os.PathLike] = None) -> Generated:
    """Kernel IR and rendered source of ``spec`` for ``target``, from the cache if there."""
    key = hashlib.sha256((spec.key() + target + _codegen_digest()).encode()).hexdigest()[:24]
    folder = _compile.cache_dir(cache_dir) / "generated" / key[:2]
    path = folder / f"{key}.pickle"
    if path.exists():
        try:
            with open(path, "rb") as f:
                kernel, source = pickle.load(f)
            for group, g in zip(kernel.groups, spec.groups):
                group.name = g.name        # the cached IR may come from a namesake network
            kernel.spec = spec
            return Generated(kernel, source, True)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            pass   # a damaged entry is regenerated below
    kernel = build_network(spec)
    source = RENDERERS[target](kernel) if target in RENDERERS else ""
    _debug(kernel, source)
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        pickle.dump((kernel, source), f)
    os.replace(tmp, path)
    return Generated(kernel, source, False)
