"""The arguments of ``pyspike_run``, checked against the manifest of the loaded library.

The compiled library describes what it reads (``pyspike_manifest()``, see
:mod:`pyspike.codegen.layout`).  When a library is loaded, its manifest must be the one
the code generator made for this network (else the library is not this network's: a
stale or foreign file in the cache); before each run, every array the runtime passes
must have the manifest's element type and shape class: per instance (K rows) or
shared (one dimension), and the scalars must be as many as the manifest names.  A wrong
array would otherwise be read past its end by compiled code, silently.

>>> import numpy as np
>>> from pyspike.codegen.layout import Layout
>>> layout = Layout()
>>> v = layout.slot("group", 0, "v", "real", "state", extent=5)
>>> m = layout.manifest("double", None)
>>> counters = np.zeros((1, 0), dtype=np.int64)
>>> check_arrays(m, [counters, np.zeros((1, 5))], np.zeros(2, np.int64), np.zeros((1, 1)))
>>> check_arrays(m, [counters, np.zeros(5)], np.zeros(2, np.int64), np.zeros((1, 1)))
Traceback (most recent call last):
...
RuntimeError: arrays[1] (v of group 0) should have one row per instance (1), not shape (5,)
"""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import numpy as np

from .codegen.errors import BuildError
from .codegen.layout import Manifest, extent_value

_DTYPES = {"int64": np.int64, "int32": np.int32, "uint16": np.uint16, "uint8": np.uint8,
           "uint32": np.uint32}


def check_manifest(found: str, expected: Manifest, library: Optional[str]) -> Manifest:
    """The loaded code's manifest (JSON text), if it is the one generated for this
    network; else a BuildError naming the library."""
    try:
        manifest = Manifest.from_json(found)
    except (ValueError, KeyError, TypeError) as err:
        raise BuildError(f"the compiled library {library} describes its arguments in a form "
                         f"this pyspike cannot read ({err}); clear the cache") from None
    if manifest != expected:
        raise BuildError(f"the compiled library {library} was not built for this network: "
                         "its arguments differ from the generated code's; clear the cache")
    return manifest


#: The arrays' form (dtype, shape, contiguity) and iargs that check_arrays last passed,
#: by manifest: the checks read nothing else, so the same form passes again without them
#: (a network run sample by sample lays out the same arrays every run).
_PASSED: Dict[int, tuple] = {}


def check_arrays(manifest: Manifest, arrays: List[np.ndarray], iargs: np.ndarray,
                 rargs: np.ndarray) -> None:
    """Every array, iargs and rargs as the manifest says (a RuntimeError names the first
    one that is not: that is a fault of pyspike, not of the model)."""
    if all(isinstance(a, np.ndarray) for a in arrays):
        form = (tuple((a.dtype.str, a.shape, a.flags.c_contiguous) for a in arrays),
                np.asarray(iargs).tobytes(), np.shape(iargs), np.shape(rargs))
        kept = _PASSED.get(id(manifest))
        if kept is not None and kept[0] is manifest and kept[1] == form:
            return
        _check_arrays(manifest, arrays, iargs, rargs)
        if len(_PASSED) > 64:
            _PASSED.clear()
        _PASSED[id(manifest)] = (manifest, form)
        return
    _check_arrays(manifest, arrays, iargs, rargs)


def _check_arrays(manifest: Manifest, arrays: List[np.ndarray], iargs: np.ndarray,
                  rargs: np.ndarray) -> None:
    K = rargs.shape[0]
    real = np.float64 if manifest.real == "double" else np.float32
    if len(arrays) != len(manifest.buffers):
        raise RuntimeError(f"{len(arrays)} arrays for the {len(manifest.buffers)} slots of "
                           "the manifest")
    for b, a in zip(manifest.buffers, arrays):
        what = f"arrays[{b.slot}] ({b.name} of {b.owner.replace('_', ' ')} {b.index})"
        if not isinstance(a, np.ndarray):
            raise RuntimeError(f"{what} is not an array")
        dtype = real if b.dtype == "real" else _DTYPES[b.dtype]
        if a.dtype != dtype:
            raise RuntimeError(f"{what} should hold {np.dtype(dtype)}, not {a.dtype}")
        if b.per_instance and (a.ndim != 2 or a.shape[0] != K):
            raise RuntimeError(f"{what} should have one row per instance ({K}), not shape "
                               f"{a.shape}")
        if not b.per_instance and a.ndim != 1:
            raise RuntimeError(f"{what} is shared by the instances and should have one "
                               f"dimension, not shape {a.shape}")
        if not a.flags.c_contiguous:
            raise RuntimeError(f"{what} is not C-contiguous")
    _check_extents(manifest, arrays, iargs)
    if arrays[0].shape[1:] != (len(manifest.counters),):
        raise RuntimeError(f"arrays[0] holds {arrays[0].shape[1:]} counters per instance, "
                           f"the manifest names {len(manifest.counters)}")
    if len(iargs) != len(manifest.ints) or rargs.shape[1:] != (len(manifest.reals),):
        raise RuntimeError(f"{len(iargs)} iargs and {rargs.shape} rargs for the manifest's "
                           f"{len(manifest.ints)} and (K, {len(manifest.reals)})")


#: The iargs entries that give a size an extent names, by their role.
_SIZE_IARGS = {"stride": "samples", "ring": "ring", "timed_rows": "rows",
               "timed_columns": "columns", "kernel": "kernel"}


def _check_extents(manifest: Manifest, arrays: List[np.ndarray], iargs: np.ndarray) -> None:
    """Every array as long as its extent says.  The sizes an extent names are read from
    iargs where the manifest has them there, else off the first array of the owner whose
    extent is that size alone (times numbers); every extent is then evaluated, and one
    that names a size nobody gave is skipped."""
    sizes: Dict[Tuple, Dict[str, int]] = {}
    for e in manifest.ints:
        if e.role in _SIZE_IARGS:
            # a TimedArray's sizes are its own; the others are their owner's
            key = (e.owner, e.index) + ((e.name,) if e.role.startswith("timed") else ())
            sizes.setdefault(key, {})[_SIZE_IARGS[e.role]] = int(iargs[e.position])
    for b, a in zip(manifest.buffers, arrays):
        factors = b.extent.split("*")
        names = [f for f in factors if not f.isdigit()]
        scale = int(np.prod([int(f) for f in factors if f.isdigit()]))
        if "+" not in b.extent and len(names) == 1 and scale > 0:
            sizes.setdefault((b.owner, b.index), {}).setdefault(names[0],
                                                                a.shape[-1] // scale)
    for b, a in zip(manifest.buffers, arrays):
        known = {**sizes.get((b.owner, b.index), {}),
                 **sizes.get((b.owner, b.index, b.name), {})}
        try:
            length = extent_value(b.extent, known)
        except KeyError:
            continue
        if a.shape[-1] != length:
            each = " per instance" if b.per_instance else ""
            raise RuntimeError(f"arrays[{b.slot}] ({b.name} of {b.owner.replace('_', ' ')} "
                               f"{b.index}) should hold {length} values{each} (extent "
                               f"{b.extent}), not {a.shape[-1]}")
