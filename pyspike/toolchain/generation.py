"""codegen's door behind a disk cache: the expensive part of a build, done once per model.

The symbolic work (a matrix exponential may take a second) is done once per model: the
kernel IR and the source that :func:`pyspike.codegen.pipeline.generate` returns are
stored under the spec's content hash as JSON (:mod:`pyspike.codegen.serialize`: data
only, nothing in the cache can run code when read), so a warm build in a new process
skips sympy entirely.  The file's first line records the key and the sha256 of the rest;
an entry that does not match is deleted, regenerated and warned about
(:class:`compile.CacheWarning`).  Generation runs under a lock per key: processes
building one model at once run sympy once, the others wait and read the result.

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
import json
import os
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional, Tuple

from .. import codegen
from ..codegen import pipeline, serialize
from ..codegen.errors import BuildError
from ..codegen.ir import NetworkKernel
from ..codegen.render import TEMPLATES
from ..codegen.spec import NetworkSpec
from . import compile as _compile
from .compile import debug_level

#: The first line of a cached generation: ``pyspike-generated <key> sha256=<hex>``.
HEADER = "pyspike-generated"


@dataclass
class Generation:
    """codegen's :class:`~pyspike.codegen.pipeline.Generated`, and whether it came from
    the cache."""
    kernel: NetworkKernel
    source: str
    cached: bool


@functools.lru_cache(maxsize=None)
def _codegen_digest() -> str:
    """A hash of codegen itself (and of this file, which writes the entries): a new
    pyspike never reuses an old generation."""
    h = hashlib.sha256()
    here = Path(codegen.__file__).resolve().parent
    for path in sorted(list(here.glob("*.py")) + list(TEMPLATES.rglob("*.j2"))):
        h.update(path.read_bytes())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()


def _debug(kernel: NetworkKernel, source: str, cached: Optional[Path]) -> None:
    level = debug_level()
    if level >= 2 and cached is not None:
        print(f"pyspike: cached kernel IR and source {cached}")
    if level >= 2:
        for g in kernel.groups:
            print(f"pyspike: group '{g.name}' ({g.N} neurons), method {g.method}")
            for name, rhs in g.equations.odes.items():
                print(f"    d{name}/dt = {rhs}")
            # (the spike is a statement of the step: "_spike = <threshold>")
            for label, stmts in (("once per run", g.run_scalars), ("per step", g.update.code),
                                 ("on spike", g.on_spike.code),
                                 ("reset, after the synaptic events", g.reset.code)):
                for a in stmts:
                    print(f"    [{label}] {a.target} = {a.expr}")
    if level >= 3:
        print(source)


def generate(spec: NetworkSpec, target: str = "cpp",
             cache_dir: Optional[os.PathLike] = None) -> Generation:
    """Kernel IR and rendered source of ``spec`` for ``target``, from the cache if there
    (keyed by the spec as the target sees it: codegen.strategy.for_target)."""
    spec = pipeline.for_target(spec, target)
    key = hashlib.sha256((spec.key() + target + _codegen_digest()).encode()).hexdigest()[:24]
    folder = _compile.cache_dir(cache_dir) / "generated" / key[:2]
    path = folder / f"{key}.json"
    found, problem = _read(path, key)
    if found is None:
        with _compile.file_lock(folder, key):
            found, problem = _read(path, key)     # another process may have written it
            if found is None:
                if problem is not None:
                    _compile.warn_damaged(path, problem)
                    path.unlink(missing_ok=True)
                fresh = pipeline.generate(spec, target)
                _store(path, key, fresh.kernel, fresh.source)
                _debug(fresh.kernel, fresh.source, None)
                return Generation(fresh.kernel, fresh.source, False)
    kernel, source = found
    # The cached IR may come from a network that differs in names only.
    kernel = replace(kernel, spec=spec,
                     groups=[replace(k, name=g.name) for k, g in zip(kernel.groups,
                                                                     spec.groups)],
                     synapses=[replace(k, name=s.name) for k, s in zip(kernel.synapses,
                                                                       spec.synapses)])
    _debug(kernel, source, path)
    return Generation(kernel, source, True)


def _read(path: Path, key: str) -> Tuple[Optional[Tuple[NetworkKernel, str]], Optional[str]]:
    """``((kernel, source), None)`` from a verified entry; ``(None, None)`` if there is
    none; ``(None, why)`` if it is damaged."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, None
    except OSError as err:
        return None, f"it cannot be read ({err.strerror or err})"
    head, _, body = data.partition(b"\n")
    parts = head.decode("ascii", "replace").split()
    if len(parts) != 3 or parts[0] != HEADER or not parts[2].startswith("sha256="):
        return None, "it has no checksum header (truncated, empty or not pyspike's)"
    if parts[1] != key:
        return None, "it holds another model's code (swapped)"
    if hashlib.sha256(body).hexdigest() != parts[2][len("sha256="):]:
        return None, "its content does not match its checksum (truncated or overwritten)"
    try:
        entry = json.loads(body)
        kernel, source = serialize.from_data(entry["kernel"]), entry["source"]
    except (ValueError, KeyError, TypeError, RecursionError) as err:
        return None, f"it does not hold a kernel IR ({str(err)[:200]})"
    if not isinstance(kernel, NetworkKernel) or not isinstance(source, str):
        return None, "it does not hold a kernel IR and a source"
    return (kernel, source), None


def _store(path: Path, key: str, kernel: NetworkKernel, source: str) -> None:
    """Write the entry; a kernel IR that does not survive the round trip through JSON
    exactly (a sympy object the encoder does not know) is not cached, with a warning."""
    try:
        text = serialize.encode(kernel)
        if serialize.encode(serialize.decode(text)) != text:
            raise ValueError("its JSON form does not decode to the same kernel IR")
    except ValueError as err:
        warnings.warn(f"pyspike: the generated code of this model cannot be cached ({err}); "
                      "it is generated anew on every build (please report this)",
                      _compile.CacheWarning, stacklevel=3)
        return
    body = ('{"kernel":' + text + ',"source":' + json.dumps(source) + "}").encode()
    header = f"{HEADER} {key} sha256={hashlib.sha256(body).hexdigest()}\n".encode()
    try:
        _compile.write_atomic(path, header + body, key)
    except BuildError as err:    # the IR is in memory: this build goes on without caching
        warnings.warn(str(err), _compile.CacheWarning, stacklevel=3)
