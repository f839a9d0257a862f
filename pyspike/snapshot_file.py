"""Snapshot files: nested Python data and NumPy arrays in one ``.npz`` that cannot run code.

``Network.store(filename=...)`` writes, and ``Network.restore(filename=...)`` reads, files
of this format (version 1).  A file is an uncompressed ZIP archive written by
``numpy.savez`` and read by ``numpy.load(path, allow_pickle=False)``: no pickle is written
or read, so reading a file, even one from an untrusted source, runs no code.  It holds

- ``pyspike_manifest``: a 1-d ``uint8`` array, the UTF-8 text of a JSON object::

      {"format": "pyspike-snapshot", "version": 1,
       "arrays": {"a0": {"dtype": "<f8", "shape": [30], "sha256": "9f86d0..."}, ...},
       "content": <node>}

- ``a0``, ``a1``, ...: every array of the content, C-contiguous, of a boolean, integer,
  unsigned, float or complex dtype (object arrays are refused when storing).

A ``<node>`` is plain JSON for ``null``, ``true``/``false``, integers and strings; a float
is a JSON number (Python writes the shortest text that reads back to the same double), or
``{"float": "nan" | "inf" | "-inf"}``; containers and arrays are objects with one key:
``{"list": [nodes]}``, ``{"tuple": [nodes]}``, ``{"dict": [[key node, value node], ...]}``
(any encodable hashable key, in order), ``{"array": "a3"}`` and ``{"scalar": "a4"}`` (a
NumPy scalar, kept as a 0-d array).  Anything else is refused when storing, naming where
it is in the data, rather than dropped.

Reading checks, in order, and refuses with a ModelError naming the file: that the file is
a ZIP archive (a pickle file, the format of older pyspike versions, is named as such);
that the archive can be read (truncated or corrupted files fail ZIP's own CRC-32 checks);
that it has a manifest of this format and version; that it holds exactly the arrays the
manifest lists, each with the listed dtype, shape and SHA-256 of its bytes; and that every
node of the content is well formed.  Writing goes to a temporary file in the same folder,
which replaces the target only once complete (``os.replace``), so an interrupted store
leaves the previous file as it was.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import secrets
import stat
import struct
import zipfile
import zlib
from typing import Any, Dict

import numpy as np

from .codegen.errors import ModelError

FORMAT = "pyspike-snapshot"
VERSION = 1
MANIFEST = "pyspike_manifest"
#: Array dtypes a file may hold: bool, signed and unsigned integers, floats, complex.
_KINDS = "biufc"
_PICKLE = b"\x80"                       # the first byte of a pickle of protocol 2 or later
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")   # a ZIP archive: a first member, or none


class _Bad(Exception):
    """What is wrong with a file, in words for the user (turned into a ModelError)."""


def write(path: str, content: Any, where: str) -> None:
    """Store ``content`` in ``path`` (replacing it atomically), or raise a ModelError
    naming what cannot be stored and where it is in ``content``."""
    arrays: Dict[str, np.ndarray] = {}
    try:
        node = _encode(content, arrays, "the snapshot")
    except _Bad as bad:
        raise ModelError(f"cannot store into '{path}': {bad}", where=where) from None
    table = {key: {"dtype": a.dtype.str, "shape": list(a.shape), "sha256": _digest(a)}
             for key, a in arrays.items()}
    manifest = {"format": FORMAT, "version": VERSION, "arrays": table, "content": node}
    text = json.dumps(manifest, allow_nan=False, separators=(",", ":")).encode("utf-8")
    _replace_atomically(path, {MANIFEST: np.frombuffer(text, dtype=np.uint8), **arrays})


def read(path: str, where: str) -> Any:
    """The content stored in ``path`` by :func:`write`, every check made (see above)."""
    try:
        return _read(path)
    except _Bad as bad:
        raise ModelError(f"cannot read the snapshot file '{path}': {bad}", where=where) from None


# --- writing ---------------------------------------------------------------------------


def _encode(x: Any, arrays: Dict[str, np.ndarray], at: str) -> Any:
    """The JSON node of ``x``; its arrays go into ``arrays`` (``at``: where x is)."""
    kind = type(x)
    if x is None or kind in (bool, int, str):
        return x
    if isinstance(x, (np.ndarray, np.generic)):     # (before float: np.float64 is a float)
        array = np.asarray(x)
        if array.dtype.kind not in _KINDS:
            raise _Bad(f"{at} is an array of dtype {array.dtype}, which snapshot files do "
                       "not hold (only booleans, integers, floats and complex numbers)")
        key = f"a{len(arrays)}"
        arrays[key] = _c_order(array)
        return {"array" if isinstance(x, np.ndarray) else "scalar": key}
    if kind is float:
        return x if math.isfinite(x) else {"float": repr(x)}
    if kind in (list, tuple):
        return {kind.__name__: [_encode(v, arrays, f"{at}[{k}]") for k, v in enumerate(x)]}
    if kind is dict:
        return {"dict": [[_encode(k, arrays, f"a key of {at}"), _encode(v, arrays, f"{at}[{k!r}]")]
                         for k, v in x.items()]}
    raise _Bad(f"{at} is a {kind.__module__}.{kind.__qualname__}, which snapshot files do not "
               "hold (they hold None, booleans, numbers, strings, lists, tuples, dicts and "
               "NumPy arrays)")


def _c_order(array: np.ndarray) -> np.ndarray:
    """``array`` in C order, keeping its shape (np.ascontiguousarray makes 0-d arrays 1-d)."""
    return array if array.flags.c_contiguous else array.copy(order="C")


def _digest(array: np.ndarray) -> str:
    return hashlib.sha256(_c_order(array).tobytes()).hexdigest()


def _replace_atomically(path: str, entries: Dict[str, np.ndarray]) -> None:
    """Write the archive to a new file beside ``path``, then put it in ``path``'s place."""
    target = os.path.realpath(path)          # (through a link, replace what it points to)
    folder, name = os.path.split(target)
    tmp = os.path.join(folder, f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    # created with the mode the umask gives new files, not mkstemp's 0600
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, allow_pickle=False, **entries)
            f.flush()
            os.fsync(f.fileno())
        if os.path.exists(target):
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(tmp, target)
    except BaseException:                    # also KeyboardInterrupt: leave no tmp behind
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):       # make the rename itself survive a power cut
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


# --- reading ---------------------------------------------------------------------------


def _read(path: str) -> Any:
    try:
        with open(path, "rb") as f:
            head = f.read(4)
    except OSError as err:
        raise _Bad(f"it cannot be opened ({err.strerror or err})") from None
    if head[:1] == _PICKLE:
        raise _Bad("it is a pickle file, the snapshot format of older pyspike versions. "
                   "The format has changed, and pickle files are not loaded because loading "
                   "one can run any code; store the network again with this version")
    if head not in _ZIP:
        raise _Bad("it is not a pyspike snapshot file (not an .npz archive)")
    try:
        with np.load(path, allow_pickle=False) as npz:
            manifest = _manifest(npz)
            arrays = {key: _array(npz, key, meta) for key, meta in manifest["arrays"].items()}
    except _Bad:
        raise
    # what zipfile and numpy raise on damaged data (a header claiming a huge array, too)
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error,
            struct.error, MemoryError, NotImplementedError) as err:
        raise _Bad(f"it is damaged (truncated or corrupted: {err})") from None
    try:
        return _decode(manifest["content"], arrays)
    except RecursionError:
        raise _Bad("its manifest is damaged (nested too deeply)") from None


def _manifest(npz) -> dict:
    if MANIFEST not in npz.files:
        raise _Bad("it is not a pyspike snapshot file (an .npz archive without a pyspike "
                   f"manifest; it holds {', '.join(npz.files) or 'nothing'})")
    raw = npz[MANIFEST]
    if raw.dtype != np.uint8 or raw.ndim != 1:
        raise _Bad("its manifest is damaged (not a byte string)")
    try:
        manifest = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise _Bad(f"its manifest is damaged (not JSON: {err})") from None
    if type(manifest) is not dict or manifest.get("format") != FORMAT:
        raise _Bad("it is not a pyspike snapshot file (its manifest names no "
                   f"'{FORMAT}' format)")
    version = manifest.get("version")
    if version != VERSION or type(version) is not int:
        raise _Bad(f"it is in version {version!r} of the snapshot format, and this pyspike "
                   f"reads version {VERSION} only")
    table, content_ok = manifest.get("arrays"), "content" in manifest
    if type(table) is not dict or not content_ok or \
            not all(type(m) is dict for m in table.values()):
        raise _Bad("its manifest is damaged (no table of arrays, or no content)")
    missing = sorted(set(table) - set(npz.files))
    extra = sorted(set(npz.files) - set(table) - {MANIFEST})
    if missing:
        raise _Bad(f"the array(s) {', '.join(missing)} listed in its manifest are missing")
    if extra:
        raise _Bad(f"it holds array(s) its manifest does not list: {', '.join(extra)}")
    return manifest


def _array(npz, key: str, meta: dict) -> np.ndarray:
    """Array ``key``, checked against its entry in the manifest."""
    array = npz[key]
    dtype, shape = meta.get("dtype"), meta.get("shape")
    if array.dtype.kind not in _KINDS or array.dtype.str != dtype:
        raise _Bad(f"the array {key} has dtype {array.dtype.str}, and its manifest says "
                   f"{dtype!r}")
    if list(array.shape) != shape:
        raise _Bad(f"the array {key} has shape {list(array.shape)}, and its manifest says "
                   f"{shape!r}")
    if _digest(array) != meta.get("sha256"):
        raise _Bad(f"the array {key} does not match its SHA-256 checksum (its bytes have "
                   "changed since it was stored)")
    return _c_order(array)


def _decode(node: Any, arrays: Dict[str, np.ndarray]) -> Any:
    """The value a node of the manifest stands for (see the module's docstring)."""
    if node is None or type(node) in (bool, int, float, str):
        return node
    if type(node) is dict and len(node) == 1:
        (tag, value), = node.items()
        if tag in ("list", "tuple") and type(value) is list:
            items = [_decode(v, arrays) for v in value]
            return items if tag == "list" else tuple(items)
        if tag == "dict" and type(value) is list and \
                all(type(p) is list and len(p) == 2 for p in value):
            out = {}
            for k, v in value:
                key = _decode(k, arrays)
                try:
                    hash(key)
                except TypeError:
                    raise _Bad("its manifest is damaged (a dict key that cannot be one)") \
                        from None
                out[key] = _decode(v, arrays)
            return out
        if tag == "float" and value in ("nan", "inf", "-inf"):
            return float(value)
        if tag in ("array", "scalar") and type(value) is str and value in arrays:
            array = arrays[value]
            if tag == "array":
                return array.copy()          # (an array named twice gives two arrays)
            if array.ndim == 0:
                return array[()]
    raise _Bad(f"its manifest is damaged (it holds an entry it cannot read: "
               f"{json.dumps(node)[:80]})")
